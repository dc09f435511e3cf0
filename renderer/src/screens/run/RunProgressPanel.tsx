import type { JobProgress, RunStatus } from '../../../../app/contract.ts';
import { baseName, formatBytes, formatDuration, formatInteger, formatPercent, formatRate } from '../../format/numbers.js';

interface RunProgressPanelProps {
  status: RunStatus;
  progress: JobProgress | undefined;
  /** Sum of input sizes, shown as the total until the first progress frame arrives. */
  fallbackBytesTotal: number;
}

/** Bytes read of the total (compressed bytes for gzip, so the bar is linear in work done). */
export function RunProgressPanel({ status, progress, fallbackBytesTotal }: RunProgressPanelProps) {
  const bytesRead = progress?.bytesRead ?? 0;
  const bytesTotal = progress?.bytesTotal ?? fallbackBytesTotal;
  const fraction = bytesTotal > 0 ? Math.min(1, Math.max(0, bytesRead / bytesTotal)) : 0;
  const waiting = status === 'queued' || !progress;
  const eta = progress ? formatDuration(progress.etaSeconds) : '—';

  return (
    <section
      className="progress-panel card"
      data-testid="progress"
      data-bytes-read={bytesRead}
      data-bytes-total={bytesTotal}
      aria-labelledby="progress-title"
    >
      <div className="progress-head">
        <h2 id="progress-title" className="section-title">
          {status === 'queued' ? 'Waiting to start' : 'Reading input'}
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
          <dt>Read</dt>
          <dd className="num">{`${formatBytes(bytesRead)} of ${formatBytes(bytesTotal)}`}</dd>
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
