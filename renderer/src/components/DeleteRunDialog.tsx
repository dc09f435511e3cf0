import { useEffect, useRef } from 'react';
import type { RunDetail, RunSummary } from '../../../app/contract.ts';
import { useReview } from '../store/ReviewStoreContext.js';
import { describeRunDeletion } from './runDeletion.js';

/**
 * Deleting is final for the run and what GenomAIc wrote for it (the audit log keeps its lines),
 * so it asks first, naming what goes and what stays for this kind of run. Cancel has the focus,
 * and Esc cancels. Used by the review workstation and the run view of every other run.
 *
 * The request goes through the review store's `deleteRun`: it is the one place that deletes a
 * run (it closes the run if under review and has the app store refresh its list).
 */
export function DeleteRunDialog({
  run,
  detail,
  onCancel,
  onDeleted,
}: {
  run: RunSummary;
  /** The run's detail when loaded: names an align run's BAM and BAI. */
  detail?: RunDetail;
  onCancel: () => void;
  onDeleted: () => void;
}) {
  const deleteRun = useReview((s) => s.deleteRun);
  const deleting = useReview((s) => s.deleting);
  const cancelButton = useRef<HTMLButtonElement>(null);
  useEffect(() => cancelButton.current?.focus(), []);
  const description = describeRunDeletion(run, detail);
  return (
    <div className="modal-backdrop">
      <div
        role="alertdialog"
        aria-modal="true"
        aria-labelledby="delete-title"
        aria-describedby="delete-text"
        className="modal"
        data-testid="delete-dialog"
        onKeyDown={(event) => {
          if (event.key === 'Escape' && !deleting) {
            event.stopPropagation();
            onCancel();
          } else if (event.key === 'Tab') {
            // Modal: Tab cycles through the dialog's buttons instead of reaching the page behind.
            const buttons = [...event.currentTarget.querySelectorAll<HTMLButtonElement>('button:not(:disabled)')];
            const first = buttons[0];
            const last = buttons.at(-1);
            if (event.shiftKey ? document.activeElement === first : document.activeElement === last) {
              event.preventDefault();
              (event.shiftKey ? last : first)?.focus();
            }
          }
        }}
      >
        <h2 id="delete-title" className="section-title">
          Delete this run?
        </h2>
        <p id="delete-text">{description.removes}</p>
        {description.deletedFiles.length > 0 ? (
          <ul className="mono modal-file-list" aria-label="Files deleted" data-testid="delete-files">
            {description.deletedFiles.map((path) => (
              <li key={path}>{path}</li>
            ))}
          </ul>
        ) : null}
        {description.keptFiles.length > 0 ? (
          <>
            <p>{description.keeps}</p>
            <ul className="mono muted modal-file-list" aria-label="Files kept" data-testid="kept-files">
              {description.keptFiles.map((path) => (
                <li key={path}>{path}</li>
              ))}
            </ul>
          </>
        ) : null}
        <div className="modal-actions">
          <button ref={cancelButton} type="button" className="button" data-testid="cancel-delete" onClick={onCancel} disabled={deleting}>
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
