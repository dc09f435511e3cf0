import type { JobProgress, RunStatus } from '../../../../app/contract.ts';
import { baseName, formatBytes, formatDuration, formatInteger, formatPercent, formatRate } from '../../format/numbers.js';

interface RunProgressPanelProps {
  status: RunStatus;
  progress: JobProgress | undefined;
  /** Sum of input sizes, shown as the total until the first progress frame arrives. */
  fallbackBytesTotal: number;
}

const STAGE_TITLE: Record<JobProgress['stage'], string> = {
  ingest: 'Reading input',
  import: 'Importing the BAM',
  align: 'Aligning reads',
  call: 'Calling variants',
};

/** Work done in the current stage: input bytes (compressed for gzip, so the bar is linear in work) or reference bases. */
function formatWork(n: number, unit: JobProgress['unit']): string {
  return unit === 'bytes' ? formatBytes(n) : formatBytes(n).replace(/B$/, 'bp');
}

export function RunProgressPanel({ status, progress, fallbackBytesTotal }: RunProgressPanelProps) {
  const done = progress?.done ?? 0;
  const total = progress?.total ?? fallbackBytesTotal;
  const unit = progress?.unit ?? 'bytes';
  const fraction = total > 0 ? Math.min(1, Math.max(0, done / total)) : 0;
  const waiting = status === 'queued' || !progress;
  const eta = progress ? formatDuration(progress.etaSeconds) : '—';

  return (
    <section
      className="progress-panel card"
      data-testid="progress"
      data-stage={progress?.stage ?? ''}
      data-done={done}
      data-total={total}
      aria-labelledby="progress-title"
    >
      <div className="progress-head">
        <h2 id="progress-title" className="section-title">
          {status === 'queued' || !progress
            ? 'Waiting to start'
            : `${progress.stageCount > 1 ? `Step ${progress.stageIndex} of ${progress.stageCount}: ` : ''}${STAGE_TITLE[progress.stage]}`}
        </h2>
        <span className="progress-percent num">{waiting ? '' : formatPercent(fraction)}</span>
      </div>
      <div
        className={`progress-track${waiting ? ' is-indeterminate' : ''}`}
        role="progressbar"
        aria-labelledby="progress-title"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={waiting ? undefined : Math.round(fraction * 1000) / 10}
        aria-valuetext={waiting ? 'Starting' : `${formatPercent(fraction)}, about ${eta} left`}
      >
        <div className="progress-fill" style={{ width: waiting ? undefined : `${(fraction * 100).toFixed(2)}%` }} />
      </div>
      <dl className="stat-grid">
        <div>
          <dt>{unit === 'bytes' ? 'Read' : 'Reference done'}</dt>
          <dd className="num">{`${formatWork(done, unit)} of ${formatWork(total, unit)}`}</dd>
        </div>
        <div>
          <dt>Reads</dt>
          <dd className="num">{progress ? formatInteger(progress.reads) : '—'}</dd>
        </div>
        <div>
          <dt>Speed</dt>
          <dd className="num">{progress ? formatRate(progress.readsPerSecond) : '—'}</dd>
        </div>
        <div>
          <dt>ETA</dt>
          <dd className="num">{eta}</dd>
        </div>
        <div>
          <dt>Elapsed</dt>
          <dd className="num">{progress ? formatDuration(progress.elapsedSeconds) : '—'}</dd>
        </div>
        {progress?.detail ? (
          <div className="stat-wide">
            <dt>Now</dt>
            <dd>{progress.detail}</dd>
          </div>
        ) : null}
        <div className="stat-wide">
          <dt>Current file</dt>
          <dd className="mono" title={progress?.currentFile}>
            {progress?.currentFile ? baseName(progress.currentFile) : '—'}
          </dd>
        </div>
      </dl>
    </section>
  );
}
