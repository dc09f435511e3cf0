import { useApp } from '../store/StoreContext.js';
import { formatBytes, formatPercent } from '../format/numbers.js';

/** Upload progress (browser mode), shown on every screen since files can be dropped anywhere. */
export function TransferStatus() {
  const transfer = useApp((s) => s.transfer);
  const cancelTransfer = useApp((s) => s.cancelTransfer);
  if (!transfer) return null;
  const fraction = transfer.bytesTotal > 0 ? transfer.bytesDone / transfer.bytesTotal : 0;
  const current = Math.min(transfer.fileIndex + 1, transfer.fileCount);
  return (
    <div className="transfer-status" role="status" aria-live="polite">
      <div className="transfer-text">
        <strong>{`Uploading file ${current} of ${transfer.fileCount}`}</strong>
        {transfer.fileName ? <span className="mono">{transfer.fileName}</span> : null}
        <span className="num muted">
          {`${formatBytes(transfer.bytesDone)} of ${formatBytes(transfer.bytesTotal)} (${formatPercent(fraction, 0)})`}
        </span>
      </div>
      <div
        className="progress-track"
        role="progressbar"
        aria-label="Upload progress"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={Math.round(fraction * 100)}
      >
        <div className="progress-fill" style={{ width: `${(fraction * 100).toFixed(1)}%` }} />
      </div>
      <button type="button" className="button" onClick={cancelTransfer}>
        Cancel upload
      </button>
    </div>
  );
}
