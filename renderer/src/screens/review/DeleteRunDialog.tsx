import { useEffect, useRef } from 'react';
import type { RunSummary } from '../../../../app/contract.ts';
import { useReview } from '../../store/ReviewStoreContext.js';

/**
 * Deleting is final for the run, its calls and its reviews (the audit log keeps its lines),
 * so it asks first, naming what goes and what stays. Cancel has the focus.
 */
export function DeleteRunDialog({ run, onCancel, onDeleted }: { run: RunSummary; onCancel: () => void; onDeleted: () => void }) {
  const deleteRun = useReview((s) => s.deleteRun);
  const deleting = useReview((s) => s.deleting);
  const cancelButton = useRef<HTMLButtonElement>(null);
  useEffect(() => cancelButton.current?.focus(), []);
  return (
    <div className="modal-backdrop">
      <div role="alertdialog" aria-modal="true" aria-labelledby="delete-title" aria-describedby="delete-text" className="modal" data-testid="delete-dialog">
        <h2 id="delete-title" className="section-title">
          Delete this run?
        </h2>
        <p id="delete-text">
          The run, its imported calls and their current reviews are removed from the project. The audit log keeps every review ever recorded. Files GenomAIc wrote for the run are deleted; an
          analysis folder you opened from disk stays where it is.
        </p>
        <p className="mono muted">{run.inputs.map((i) => i.path).join('\n')}</p>
        <div className="review-buttons">
          <button ref={cancelButton} type="button" className="button" onClick={onCancel} disabled={deleting}>
            Cancel
          </button>
          <button
            type="button"
            className="button button-danger"
            data-testid="confirm-delete"
            disabled={deleting}
            onClick={() => {
              void deleteRun(run.id).then((deleted) => {
                if (deleted) onDeleted();
              });
            }}
          >
            {deleting ? 'Deleting…' : 'Delete run'}
          </button>
        </div>
      </div>
    </div>
  );
}
