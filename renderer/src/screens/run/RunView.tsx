import { useEffect, useRef, useState } from 'react';
import type { RunDetail, RunSummary } from '../../../../app/contract.ts';
import { useApp } from '../../store/StoreContext.js';
import { isActiveStatus } from '../../store/runs.js';
import { HOME } from '../../navigation/route.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { ErrorDetails } from '../../components/ErrorDetails.js';
import { DeleteRunDialog } from '../../components/DeleteRunDialog.js';
import { PLATFORM_CHOICES, PRESET_CHOICES, RUN_KIND_LABEL } from '../../format/labels.js';
import { abbreviateHash, formatDateTime, formatDuration, formatInteger } from '../../format/numbers.js';
import { RunProgressPanel } from './RunProgressPanel.js';
import { RunOutcome } from './RunOutcome.js';
import { FileCard } from './FileCard.js';
import { PlatformPanel } from './PlatformPanel.js';
import { QcSummaryTable } from './QcSummaryTable.js';
import { QcPlots } from './QcPlots.js';
import { AlignResults } from './AlignResults.js';

function durationBetween(startIso: string, endIso: string | null): number | null {
  if (!endIso) return null;
  const seconds = (Date.parse(endIso) - Date.parse(startIso)) / 1000;
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : null;
}

/** One run: live progress while it runs, the error if it failed, the QC report (or an align run's summary) when done. */
export function RunView({ runId }: { runId: string }) {
  const summary = useApp((s) => s.runs.find((run) => run.id === runId));
  const detail = useApp((s) => s.detailsByRun[runId]);
  const loadError = useApp((s) => s.detailErrors[runId]);
  const progress = useApp((s) => s.progressByRun[runId]);
  const cancelling = useApp((s) => runId in s.cancelling);
  const starting = useApp((s) => s.starting);
  const loadRun = useApp((s) => s.loadRun);
  const cancelRun = useApp((s) => s.cancelRun);
  const rerun = useApp((s) => s.rerun);
  const navigate = useApp((s) => s.navigate);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const deleteButton = useRef<HTMLButtonElement>(null);

  useEffect(() => {
    void loadRun(runId);
  }, [runId, loadRun]);

  // Events keep the summary current; the detail may lag by one fetch.
  const run: RunSummary | undefined = summary ?? detail;
  if (!run) {
    return (
      <section className="run-view">
        {loadError ? (
          <div className="outcome outcome-failed">
            <h1 className="screen-title">Run not available</h1>
            <ErrorDetails error={loadError} />
            <button type="button" className="button" onClick={() => void loadRun(runId)}>
              Try again
            </button>
          </div>
        ) : (
          <p className="muted" role="status">
            Loading run…
          </p>
        )}
      </section>
    );
  }

  const active = isActiveStatus(run.status);
  const canRerun = run.status === 'failed' || run.status === 'cancelled' || run.status === 'interrupted';
  const fallbackBytesTotal = run.inputs.reduce((sum, input) => sum + input.sizeBytes, 0);

  return (
    <section className="run-view" aria-labelledby="run-title">
      <header className="run-head">
        <div className="run-head-text">
          <h1 id="run-title" className="screen-title" data-kind={run.kind}>
            {RUN_KIND_LABEL[run.kind]}
          </h1>
          <p className="run-inputs mono">{run.inputs.map((input) => input.name).join(', ')}</p>
        </div>
        <StatusBadge status={run.status} testId="run-status" />
        <div className="run-actions">
          {active ? (
            <button
              type="button"
              className="button button-danger"
              data-testid="cancel-run"
              disabled={cancelling}
              onClick={() => void cancelRun(runId)}
            >
              {cancelling ? 'Cancelling…' : 'Cancel run'}
            </button>
          ) : null}
          {canRerun ? (
            <button type="button" className="button" disabled={starting} onClick={() => void rerun(runId)}>
              Run again
            </button>
          ) : null}
          {/* The engine refuses to delete a running run; cancel it first. */}
          {active ? null : (
            <button ref={deleteButton} type="button" className="button button-danger" data-testid="delete-run" onClick={() => setConfirmDelete(true)}>
              Delete run…
            </button>
          )}
        </div>
      </header>

      <RunMeta run={run} detail={detail} />

      {active ? <RunProgressPanel status={run.status} progress={progress} fallbackBytesTotal={fallbackBytesTotal} /> : null}
      <RunOutcome run={run} />
      {run.status === 'done' ? <RunResults detail={detail} loadFailed={loadError !== undefined} onRetry={() => void loadRun(runId)} /> : null}

      {confirmDelete && !active ? (
        <DeleteRunDialog
          run={run}
          detail={detail}
          onCancel={() => {
            setConfirmDelete(false);
            deleteButton.current?.focus();
          }}
          onDeleted={() => {
            setConfirmDelete(false);
            navigate(HOME);
          }}
        />
      ) : null}
    </section>
  );
}

function RunMeta({ run, detail }: { run: RunSummary; detail: RunDetail | undefined }) {
  const took = durationBetween(run.createdAt, run.finishedAt);
  const platformSetting = detail ? PLATFORM_CHOICES.find((c) => c.value === detail.config.platform)?.label : undefined;
  const presetSetting = detail?.config.preset ? PRESET_CHOICES.find((c) => c.value === detail.config.preset)?.label : undefined;
  return (
    <dl className="run-meta">
      <div>
        <dt>Started</dt>
        <dd className="num">
          <time dateTime={run.createdAt}>{formatDateTime(run.createdAt)}</time>
        </dd>
      </div>
      {run.finishedAt ? (
        <div>
          <dt>Finished</dt>
          <dd className="num">
            <time dateTime={run.finishedAt}>{formatDateTime(run.finishedAt)}</time>
            {took !== null ? <span className="muted">{` (${formatDuration(took)})`}</span> : null}
          </dd>
        </div>
      ) : null}
      {presetSetting ? (
        <div>
          <dt>Preset setting</dt>
          <dd>{presetSetting}</dd>
        </div>
      ) : platformSetting ? (
        <div>
          <dt>Platform setting</dt>
          <dd>{platformSetting}</dd>
        </div>
      ) : null}
      {detail && run.kind !== 'align' ? (
        <div>
          <dt>Detection sample</dt>
          <dd className="num">{`${formatInteger(detail.config.detectionReads)} reads`}</dd>
        </div>
      ) : null}
      <div>
        <dt>Version</dt>
        <dd className="num">{`GenomAIc ${run.appVersion}`}</dd>
      </div>
      {detail ? (
        <div>
          <dt>Config hash</dt>
          <dd className="mono" title={detail.configHash}>
            {abbreviateHash(detail.configHash)}
          </dd>
        </div>
      ) : null}
      <div>
        <dt>Run ID</dt>
        <dd className="mono">{run.id}</dd>
      </div>
    </dl>
  );
}

function RunResults({ detail, loadFailed, onRetry }: { detail: RunDetail | undefined; loadFailed: boolean; onRetry: () => void }) {
  if (!detail || detail.status !== 'done') {
    return loadFailed ? (
      <div className="outcome outcome-failed">
        <p>The results of this run could not be loaded.</p>
        <button type="button" className="button" onClick={onRetry}>
          Try again
        </button>
      </div>
    ) : (
      <p className="muted" role="status">
        Loading results…
      </p>
    );
  }
  if (detail.kind === 'align') {
    return detail.alignment ? <AlignResults alignment={detail.alignment} /> : <p className="muted">This alignment recorded no outputs.</p>;
  }
  if (detail.files.length === 0) {
    return <p className="muted">This run recorded no input files.</p>;
  }
  return (
    <div className="run-results">
      <section aria-labelledby="inputs-title">
        <h2 id="inputs-title" className="section-title">
          {detail.files.length === 1 ? 'Input file' : `Input files (${detail.files.length})`}
        </h2>
        <div className="file-grid">
          {detail.files.map((file) => (
            <FileCard key={file.path} file={file} pairs={detail.pairs} />
          ))}
        </div>
      </section>
      <PlatformPanel runId={detail.id} files={detail.files} />
      <QcSummaryTable files={detail.files} />
      <QcPlots files={detail.files} />
    </div>
  );
}
