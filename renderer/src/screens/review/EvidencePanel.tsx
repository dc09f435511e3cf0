import { useEffect, useId, useState, type ReactNode } from 'react';
import type { CallDetail, ReviewAuditEntry, ReviewDecision } from '../../../../app/contract.ts';
import { useReview } from '../../store/ReviewStoreContext.js';
import { abbreviateHash, formatDateTime, formatDecimal, formatInteger } from '../../format/numbers.js';
import { changeText, locusText, REVIEW_STATUS_LABEL, VARIANT_TYPE_LABEL, verifierText } from './reviewLabels.js';
import { HIGHLIGHT_COLOR } from './GenomeView.js';

function sum(values: readonly number[]): number {
  return values.reduce((s, v) => s + v, 0);
}

function Fact({ label, children, testId }: { label: string; children: ReactNode; testId?: string }) {
  return (
    <div className="fact" data-testid={testId}>
      <dt>{label}</dt>
      <dd>{children}</dd>
    </div>
  );
}

function StrandTable({ call }: { call: CallDetail }) {
  const alleles = [call.ref, ...call.alts];
  return (
    <table className="strand-table" data-testid="strand-counts">
      <thead>
        <tr>
          <th scope="col">Allele</th>
          <th scope="col" className="num">
            Forward
          </th>
          <th scope="col" className="num">
            Reverse
          </th>
          <th scope="col" className="num">
            AD
          </th>
        </tr>
      </thead>
      <tbody>
        {alleles.map((allele, i) => (
          <tr key={`${i}-${allele}`}>
            <th scope="row" className="mono">
              {i === 0 ? `REF ${allele}` : `ALT ${allele}`}
            </th>
            <td className="num">{formatInteger(i === 0 ? call.strand.refForward : (call.strand.altForward[i - 1] ?? 0))}</td>
            <td className="num">{formatInteger(i === 0 ? call.strand.refReverse : (call.strand.altReverse[i - 1] ?? 0))}</td>
            <td className="num">{call.alleleDepths[i] !== undefined ? formatInteger(call.alleleDepths[i]!) : '—'}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

function ExpertWeights({ call }: { call: CallDetail }) {
  if (!call.experts || call.experts.length === 0) return <span>statistical caller, no experts</span>;
  return (
    <ul className="expert-list">
      {call.experts.map((e) => (
        <li key={e.expert}>
          <span className="mono">{e.expert}</span>
          <meter min={0} max={1} value={e.weight} aria-label={`${e.expert} weight`} />
          <span className="num">{formatDecimal(e.weight, 2)}</span>
        </li>
      ))}
    </ul>
  );
}

function History({ entries }: { entries: ReviewAuditEntry[] | undefined }) {
  if (!entries) return null;
  const reviews = entries.filter((e) => e.action === 'review.set');
  if (reviews.length === 0) return <p className="muted">No review recorded yet.</p>;
  return (
    <ol className="review-history" data-testid="review-history">
      {reviews.map((e) => (
        <li key={e.seq}>
          <time dateTime={e.at}>{formatDateTime(e.at)}</time> · {e.reviewer}: {REVIEW_STATUS_LABEL[e.previousStatus ?? 'unreviewed']} → <strong>{REVIEW_STATUS_LABEL[e.status ?? 'unreviewed']}</strong>
          {e.note ? <q>{e.note}</q> : null}
        </li>
      ))}
    </ol>
  );
}

function ReviewForm({ call }: { call: CallDetail }) {
  const reviewer = useReview((s) => s.reviewer);
  const setReviewer = useReview((s) => s.setReviewer);
  const saving = useReview((s) => s.savingReview);
  const review = useReview((s) => s.review);
  const [note, setNote] = useState(call.review?.note ?? '');
  const noteId = useId();
  const reviewerId = useId();

  // Another call selected: its own note.
  useEffect(() => setNote(call.review?.note ?? ''), [call.id, call.review?.note]);

  const decide = (status: ReviewDecision): void => void review(status, note);

  return (
    <form className="review-form" data-testid="review-form" onSubmit={(event) => event.preventDefault()}>
      <div className="field-stack">
        <label htmlFor={reviewerId} className="field-label">
          Reviewer
        </label>
        <input id={reviewerId} type="text" data-testid="reviewer-name" autoComplete="name" value={reviewer} placeholder="Your name" onChange={(event) => setReviewer(event.target.value)} />
      </div>
      <div className="field-stack">
        <label htmlFor={noteId} className="field-label">
          Note
        </label>
        <textarea id={noteId} rows={2} data-testid="review-note" data-shortcut-target="note" value={note} onChange={(event) => setNote(event.target.value)} />
      </div>
      <div className="review-buttons">
        <button type="button" className="button button-accept" data-testid="review-accept" disabled={saving} onClick={() => decide('accepted')} aria-keyshortcuts="a">
          Accept <kbd>a</kbd>
        </button>
        <button type="button" className="button button-danger" data-testid="review-reject" disabled={saving} onClick={() => decide('rejected')} aria-keyshortcuts="r">
          Reject <kbd>r</kbd>
        </button>
        <button type="button" className="button" data-testid="review-uncertain" disabled={saving} onClick={() => decide('uncertain')} aria-keyshortcuts="u">
          Uncertain <kbd>u</kbd>
        </button>
      </div>
    </form>
  );
}

/** Everything behind one call: reads, strands, quality and its calibration, model, provenance, review. */
export function EvidencePanel() {
  const callId = useReview((s) => s.selectedCallId);
  const call = useReview((s) => (s.selectedCallId === null ? undefined : s.details[s.selectedCallId]));
  const history = useReview((s) => (s.selectedCallId === null ? undefined : s.histories[s.selectedCallId]));
  const highlight = useReview((s) => s.highlight);
  const toggleHighlight = useReview((s) => s.toggleHighlight);
  const abstainText = useReview((s) => s.workspace?.abstainReasonText);

  if (callId === null) return <aside className="evidence-panel muted">Select a call to see its evidence.</aside>;
  if (!call) {
    return (
      <aside className="evidence-panel" aria-busy="true">
        <p className="muted" role="status">
          Loading evidence…
        </p>
      </aside>
    );
  }
  const supporting = call.supportingReads.length;
  const opposing = call.opposingReads.length;
  return (
    <aside className="evidence-panel" aria-labelledby="evidence-title" data-testid="evidence-panel" data-call-id={call.id}>
      <header className="evidence-head">
        <h2 id="evidence-title" className="section-title mono">
          {locusText(call)} {changeText(call)}
        </h2>
        <span className={`review-chip review-${call.reviewStatus}`} data-testid="evidence-review-status" data-review={call.reviewStatus}>
          {REVIEW_STATUS_LABEL[call.reviewStatus]}
        </span>
      </header>
      <dl className="facts">
        <Fact label="Type">{VARIANT_TYPE_LABEL[call.type]}</Fact>
        <Fact label="Genotype">
          <span className="mono">{call.gt}</span>
          {call.gt !== call.bestGenotype ? <span className="muted"> (most probable {call.bestGenotype})</span> : null}
        </Fact>
        <Fact label="GQ (calibrated)" testId="evidence-gq">
          {call.gq === null ? '— (no call)' : formatInteger(call.gq)}
          {call.rawGq !== null ? <span className="muted"> · raw {formatDecimal(call.rawGq, 1)}</span> : null}
        </Fact>
        <Fact label="QUAL">{call.qual === null ? '—' : formatDecimal(call.qual, 1)}</Fact>
        <Fact label="Depth">{formatInteger(call.depth)}</Fact>
        <Fact label="FILTER">
          {call.filter}
          {call.abstainReason ? (
            <span className="abstain-reason">
              {' '}
              · {call.abstainReason}: {abstainText?.[call.abstainReason] ?? ''}
            </span>
          ) : null}
        </Fact>
        {call.meanMapq !== null ? <Fact label="Mean MAPQ">{formatDecimal(call.meanMapq, 1)}</Fact> : null}
        {call.repeat && call.repeat.length > 0 ? <Fact label="Repeat">{`${call.repeat.length} bp of ${call.repeat.unit}`}</Fact> : null}
        {call.diagnostics.length > 0 ? <Fact label="Rules fired">{call.diagnostics.join(', ')}</Fact> : null}
      </dl>
      <p className="calibration-note" data-testid="calibration-note">
        <span className="muted">GQ calibration: </span>
        {call.calibration}
      </p>

      <h3 className="subsection-title">Reads</h3>
      <StrandTable call={call} />
      <p className="read-counts" data-testid="read-counts">
        {formatInteger(supporting)} supporting (ALT) · {formatInteger(opposing)} opposing (REF) · {formatInteger(call.uninformativeReads.length)} uninformative · strand ALT{' '}
        {formatInteger(sum(call.strand.altForward))}+ / {formatInteger(sum(call.strand.altReverse))}−
      </p>
      <button type="button" className="button button-small" data-testid="toggle-highlight" onClick={toggleHighlight} aria-keyshortcuts="h">
        <span className={`swatch swatch-${highlight}`} aria-hidden="true" data-color={HIGHLIGHT_COLOR[highlight]} />
        Highlighting {highlight} reads in the genome view <kbd>h</kbd>
      </button>

      <h3 className="subsection-title">Model</h3>
      <dl className="facts">
        <Fact label="Model" testId="evidence-model">
          <span className="mono">{call.modelId}</span>
          {call.provenance.modelVersion ? <span className="muted"> ({call.provenance.modelVersion})</span> : null}
          {call.method ? <span className="muted"> · {call.method}</span> : null}
        </Fact>
        <Fact label="Experts" testId="evidence-experts">
          <ExpertWeights call={call} />
        </Fact>
        <Fact label="Verifier" testId="evidence-verifier">
          {verifierText(call.verifier)}
        </Fact>
      </dl>

      <h3 className="subsection-title">Provenance</h3>
      <dl className="facts" data-testid="evidence-provenance">
        <Fact label="Config hash">
          <span className="mono" title={call.provenance.configHash}>
            {abbreviateHash(call.provenance.configHash)}
          </span>
        </Fact>
        {call.provenance.inputs.map((input) => (
          <Fact key={`${input.role}-${input.value}`} label={input.role}>
            <span className="mono" title={`${input.path}\n${input.algorithm} ${input.value}`}>
              {input.algorithm} {abbreviateHash(input.value)}
            </span>
          </Fact>
        ))}
        <Fact label="Software">{call.provenance.software}</Fact>
      </dl>

      <h3 className="subsection-title">Review</h3>
      {call.review ? (
        <p className="current-review" data-testid="current-review">
          {REVIEW_STATUS_LABEL[call.review.status]} by {call.review.reviewer}, <time dateTime={call.review.at}>{formatDateTime(call.review.at)}</time>
          {call.review.note ? <q>{call.review.note}</q> : null}
        </p>
      ) : null}
      <ReviewForm call={call} />
      <History entries={history} />
    </aside>
  );
}
