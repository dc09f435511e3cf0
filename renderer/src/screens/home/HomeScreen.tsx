import { useId, useRef, useState } from 'react';
import { useApp } from '../../store/StoreContext.js';
import { parsePathList } from '../../store/appStore.js';
import { PLATFORM_CHOICES, isPlatformChoice } from '../../format/labels.js';

const FASTQ_ACCEPT = '.fastq,.fq,.gz,.bgz';

/**
 * New run: files from a drop (anywhere in the window, handled in App), the chooser (native
 * dialog in Electron, a file input that uploads in browser mode), or paths typed for files
 * that live on the host and are too big to upload.
 */
export function HomeScreen({ dragging }: { dragging: boolean }) {
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
    <section className="home" aria-labelledby="home-title">
      <h1 id="home-title" className="screen-title">New QC run</h1>
      <p className="screen-lede">
        Reads stay on this computer. Each file is validated record by record, mates are paired, the sequencing
        platform is detected and quality is summarised.
      </p>

      <div className="field field-inline">
        <label htmlFor={platformId}>Sequencing platform</label>
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
        <span className="field-hint">Auto-detect reads names, lengths and qualities; choose one to skip detection.</span>
      </div>

      <div className={`drop-zone${dragging ? ' is-dragging' : ''}`} data-testid="drop-zone">
        <svg className="drop-zone-icon" viewBox="0 0 24 24" width="32" height="32" aria-hidden="true">
          <path d="M12 15V4m0 0-4 4m4-4 4 4M5 14v4a2 2 0 0 0 2 2h10a2 2 0 0 0 2-2v-4" fill="none" stroke="currentColor" strokeWidth="1.6" strokeLinecap="round" strokeLinejoin="round" />
        </svg>
        <p className="drop-zone-title">Drop FASTQ files anywhere in this window</p>
        <p className="drop-zone-hint">
          Plain, gzip or bgzip (.fastq, .fq, .fastq.gz). Drop both mates of a pair together.
          {canOpenDialog ? null : ' Files are copied to the local GenomAIc server.'}
        </p>
        <button type="button" className="button button-primary" data-testid="choose-files" onClick={chooseFiles} disabled={busy}>
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
      </div>

      <form
        className="paths-form"
        onSubmit={(event) => {
          event.preventDefault();
          void startFromPaths(paths).then((started) => {
            if (started) setPathText('');
          });
        }}
      >
        <label htmlFor={pathsId} className="field-label">
          Or enter paths on {canOpenDialog ? 'this computer' : 'the server'}
        </label>
        <p id={pathsHintId} className="field-hint">
          One path per line. Use this for large files: they are read in place, not copied.
        </p>
        <textarea
          id={pathsId}
          data-testid="path-input"
          className="mono"
          rows={4}
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
        <div className="form-actions">
          <button type="submit" className="button button-primary" data-testid="start-paths" disabled={busy || paths.length === 0}>
            {starting ? 'Starting…' : paths.length > 1 ? `Start QC on ${paths.length} files` : 'Start QC'}
          </button>
          <span className="field-hint">Ctrl+Enter</span>
        </div>
      </form>
    </section>
  );
}
