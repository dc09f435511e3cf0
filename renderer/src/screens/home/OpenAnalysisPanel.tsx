import { useId, useState } from 'react';
import { useApp } from '../../store/StoreContext.js';
import { useReview } from '../../store/ReviewStoreContext.js';

/**
 * Opening an analysis folder written by `genomaic analyze -o DIR` (VCF, BAM, abstention BED,
 * provenance), so runs made on the command line or another machine can be reviewed here.
 */
export function OpenAnalysisPanel() {
  const importFolder = useReview((s) => s.importFolder);
  const importing = useReview((s) => s.importing);
  const canOpenDialog = useApp((s) => s.canOpenDialog);
  const navigate = useApp((s) => s.navigate);
  const [dir, setDir] = useState('');
  const id = useId();
  return (
    <form
      className="field-stack open-analysis"
      onSubmit={(event) => {
        event.preventDefault();
        const folder = dir.trim();
        if (folder === '') return;
        void importFolder(folder).then((runId) => {
          if (runId) {
            setDir('');
            navigate({ screen: 'run', runId });
          }
        });
      }}
    >
      <label htmlFor={id} className="panel-title">
        Review an analysis folder
      </label>
      <input
        id={id}
        type="text"
        className="mono"
        data-testid="analysis-dir-input"
        spellCheck={false}
        autoCapitalize="off"
        placeholder={canOpenDialog ? '/data/NA12878-analysis' : 'folder on the server'}
        value={dir}
        onChange={(event) => setDir(event.target.value)}
      />
      <button type="submit" className="button button-block" data-testid="analysis-open" disabled={importing || dir.trim() === ''}>
        {importing ? 'Importing calls…' : 'Open for review'}
      </button>
    </form>
  );
}
