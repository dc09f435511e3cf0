import { useId, useRef, useState } from 'react';
import { useApp } from '../../store/StoreContext.js';
import { parsePathList } from '../../store/appStore.js';
import { PLATFORM_CHOICES, isPlatformChoice } from '../../format/labels.js';

const FASTQ_ACCEPT = '.fastq,.fq,.gz,.bgz';

/**
 * Starting a run, available on every screen (in the side panel) so a new run never means
 * leaving the one being read: the chooser (native dialog in Electron, a file input that
 * uploads in browser mode), the platform, and paths typed for files too big to upload.
 * Dropping files anywhere in the window does the same as the chooser (see App).
 */
export function NewRunPanel() {
  const canOpenDialog = useApp((s) => s.canOpenDialog);
  const platformChoice = useApp((s) => s.platformChoice);
  const setPlatformChoice = useApp((s) => s.setPlatformChoice);
  const starting = useApp((s) => s.starting);
  const transferring = useApp((s) => s.transfer !== null);
  const startFromPaths = useApp((s) => s.startFromPaths);
  const startFromFiles = useApp((s) => s.startFromFiles);
  const startFromDialog = useApp((s) => s.startFromDialog);
  const fileInput = useRef<HTMLInputElement>(null);
  const [pathText, setPathText] = useState('');
  const platformId = useId();
  const pathsId = useId();
  const pathsHintId = useId();

  const busy = starting || transferring;
  const paths = parsePathList(pathText);

  const chooseFiles = (): void => {
    if (canOpenDialog) void startFromDialog();
    else fileInput.current?.click();
  };

  return (
    <section className="new-run" aria-labelledby="new-run-title">
      <h2 id="new-run-title" className="panel-title">New QC run</h2>
      <button type="button" className="button button-primary button-block" data-testid="choose-files" onClick={chooseFiles} disabled={busy}>
        Choose FASTQ files…
      </button>
      {canOpenDialog ? null : (
        <input
          ref={fileInput}
          type="file"
          multiple
          accept={FASTQ_ACCEPT}
          hidden
          tabIndex={-1}
          onChange={(event) => {
            const files = Array.from(event.target.files ?? []);
            // Cleared so that choosing the same files again still fires a change.
            event.target.value = '';
            if (files.length > 0) void startFromFiles(files);
          }}
        />
      )}

      <div className="field-stack">
        <label htmlFor={platformId} className="field-label">Platform</label>
        <select
          id={platformId}
          data-testid="platform-select"
          value={platformChoice}
          onChange={(event) => {
            if (isPlatformChoice(event.target.value)) setPlatformChoice(event.target.value);
          }}
        >
          {PLATFORM_CHOICES.map((choice) => (
            <option key={choice.value} value={choice.value}>
              {choice.label}
            </option>
          ))}
        </select>
      </div>

      <form
        className="field-stack"
        onSubmit={(event) => {
          event.preventDefault();
          void startFromPaths(paths).then((started) => {
            if (started) setPathText('');
          });
        }}
      >
        <label htmlFor={pathsId} className="field-label">
          {canOpenDialog ? 'Or paths on this computer' : 'Or paths on the server'}
        </label>
        <textarea
          id={pathsId}
          data-testid="path-input"
          className="mono"
          rows={3}
          wrap="off"
          spellCheck={false}
          autoCapitalize="off"
          autoCorrect="off"
          placeholder={'/data/sample_R1.fastq.gz\n/data/sample_R2.fastq.gz'}
          aria-describedby={pathsHintId}
          value={pathText}
          onChange={(event) => setPathText(event.target.value)}
          onKeyDown={(event) => {
            // Ctrl/Cmd+Enter starts, as in most editors; plain Enter adds the next line.
            if (event.key === 'Enter' && (event.ctrlKey || event.metaKey)) {
              event.preventDefault();
              event.currentTarget.form?.requestSubmit();
            }
          }}
        />
        <p id={pathsHintId} className="field-hint">
          One per line; read in place, not copied (best for large files). Ctrl+Enter starts.
        </p>
        <button type="submit" className="button button-block" data-testid="start-paths" disabled={busy || paths.length === 0}>
          {starting ? 'Starting…' : paths.length > 1 ? `Start QC on ${paths.length} files` : 'Start QC'}
        </button>
      </form>
    </section>
  );
}
