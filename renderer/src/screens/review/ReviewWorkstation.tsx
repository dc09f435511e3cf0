import { useEffect, useMemo, useRef, useState } from 'react';
import type { RunSummary } from '../../../../app/contract.ts';
import { useApp } from '../../store/StoreContext.js';
import { useReview, useReviewStoreApi } from '../../store/ReviewStoreContext.js';
import { ErrorDetails } from '../../components/ErrorDetails.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { formatBytes, formatDateTime, formatInteger } from '../../format/numbers.js';
import { GenomeView, HIGHLIGHT_COLOR } from './GenomeView.js';
import { CallTable } from './CallTable.js';
import { CallFilters } from './CallFilters.js';
import { EvidencePanel } from './EvidencePanel.js';
import { ShortcutsOverlay } from './ShortcutsOverlay.js';
import { DeleteRunDialog } from '../../components/DeleteRunDialog.js';
import { igvLocus, REVIEW_SHORTCUTS } from './reviewLabels.js';
import { useReviewShortcuts } from './useReviewShortcuts.js';

const EMPTY: string[] = [];

function TrackList() {
  const tracks = useReview((s) => s.workspace?.userTracks);
  const removeTrack = useReview((s) => s.removeTrack);
  const adding = useReview((s) => s.addingTracks);
  if (!tracks) return null;
  return (
    <div className="user-tracks" data-testid="user-tracks">
      <span className="muted">Your tracks (drop bigWig, bedGraph, BED or VCF files anywhere):</span>
      {tracks.length === 0 ? <span className="muted"> none</span> : null}
      {tracks.map((t) => (
        <span key={t.id} className="chip" title={t.path}>
          {t.name} · {formatBytes(t.sizeBytes)}
          <button type="button" className="chip-remove" aria-label={`Remove the track ${t.name}`} onClick={() => void removeTrack(t.id)}>
            ×
          </button>
        </span>
      ))}
      {adding ? <span className="muted" role="status"> Checking…</span> : null}
    </div>
  );
}

function ExportBar() {
  const exporting = useReview((s) => s.exporting);
  const exports = useReview((s) => s.exports);
  const exportFile = useReview((s) => s.exportFile);
  return (
    <div className="export-bar">
      <button type="button" className="button" data-testid="export-vcf" disabled={exporting !== null} onClick={() => void exportFile('vcf')} aria-keyshortcuts="e">
        {exporting === 'vcf' ? 'Exporting…' : 'Export reviewed VCF'}
      </button>
      <button type="button" className="button" data-testid="export-report" disabled={exporting !== null} onClick={() => void exportFile('report')}>
        {exporting === 'report' ? 'Writing…' : 'HTML report'}
      </button>
      {exports.vcf ? (
        <a className="export-link" data-testid="export-vcf-link" href={exports.vcf.url} download title={exports.vcf.path}>
          {`VCF: ${formatInteger(exports.vcf.reviewed)} reviewed of ${formatInteger(exports.vcf.records)} (${formatBytes(exports.vcf.bytes)})`}
        </a>
      ) : null}
      {exports.report ? (
        <a className="export-link" data-testid="export-report-link" href={exports.report.url} download title={exports.report.path}>
          {`Report (${formatBytes(exports.report.bytes)})`}
        </a>
      ) : null}
    </div>
  );
}

/**
 * The review workstation for one analysis run: genome view on top, the variant table with
 * its filters below, the evidence and review of the selected call at the side.
 */
export function ReviewWorkstation({ run }: { run: RunSummary }) {
  const runId = run.id;
  const store = useReviewStoreApi();
  const open = useReview((s) => s.open);
  const workspace = useReview((s) => (s.runId === runId ? s.workspace : null));
  const workspaceError = useReview((s) => (s.runId === runId ? s.workspaceError : null));
  const selectedCallId = useReview((s) => s.selectedCallId);
  const detail = useReview((s) => (s.selectedCallId === null ? undefined : s.details[s.selectedCallId]));
  const highlight = useReview((s) => s.highlight);
  const navigate = useApp((s) => s.navigate);
  const [showShortcuts, setShowShortcuts] = useState(false);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [recentre, setRecentre] = useState(0);
  const filtersRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    void open(runId);
  }, [runId, open]);

  useReviewShortcuts(store, {
    toggleShortcuts: () => setShowShortcuts((v) => !v),
    closeOverlays: () => setShowShortcuts(false),
    recentre: () => setRecentre((n) => n + 1),
    focusFilters: () => filtersRef.current?.querySelector<HTMLInputElement>('input')?.focus(),
    focusNote: () => document.querySelector<HTMLTextAreaElement>('[data-shortcut-target="note"]')?.focus(),
    enabled: !confirmDelete,
  });

  const locus = detail ? igvLocus(detail) : null;
  const highlighted = useMemo(() => {
    if (!detail) return EMPTY;
    return (highlight === 'supporting' ? detail.supportingReads : detail.opposingReads).map((r) => r.name);
  }, [detail, highlight]);

  return (
    <section className="review-view" aria-labelledby="review-title" data-testid="review-view" data-run-id={runId}>
      <header className="run-head">
        <div className="run-head-text">
          <h1 id="review-title" className="screen-title">
            Review: {workspace?.sample ?? run.inputs.map((i) => i.name).join(', ')}
          </h1>
          <p className="muted">
            {`Analysis run · ${formatDateTime(run.createdAt)}`}
            {workspace ? ` · ${formatInteger(workspace.callCount)} records · ${formatInteger(workspace.reviewedCount)} reviewed · ${workspace.provenance.modelId}` : ''}
          </p>
        </div>
        <StatusBadge status={run.status} testId="run-status" />
        <div className="run-actions">
          <ExportBar />
          <button type="button" className="button" data-testid="show-shortcuts" onClick={() => setShowShortcuts(true)} aria-keyshortcuts="?">
            Shortcuts <kbd>?</kbd>
          </button>
          <button type="button" className="button button-danger" data-testid="delete-run" onClick={() => setConfirmDelete(true)}>
            Delete run…
          </button>
        </div>
      </header>

      {workspaceError ? (
        <div className="outcome outcome-failed">
          <ErrorDetails error={workspaceError} />
          <button type="button" className="button" onClick={() => void open(runId)}>
            Try again
          </button>
        </div>
      ) : null}

      {workspace ? (
        <>
          <GenomeView workspace={workspace} locus={locus} recentre={recentre} highlightedReads={highlighted} highlightColor={HIGHLIGHT_COLOR[highlight]} />
          <TrackList />
          <div className="review-body">
            <div className="review-table-column" ref={filtersRef}>
              <CallFilters />
              <CallTable />
            </div>
            <EvidencePanel key={selectedCallId ?? 'none'} />
          </div>
        </>
      ) : workspaceError ? null : (
        <p className="muted" role="status">
          Opening the run…
        </p>
      )}

      {showShortcuts ? <ShortcutsOverlay shortcuts={REVIEW_SHORTCUTS} onClose={() => setShowShortcuts(false)} /> : null}
      {confirmDelete ? (
        <DeleteRunDialog
          run={run}
          onCancel={() => setConfirmDelete(false)}
          onDeleted={() => {
            setConfirmDelete(false);
            navigate({ screen: 'home' });
          }}
        />
      ) : null}
    </section>
  );
}
