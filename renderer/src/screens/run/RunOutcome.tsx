import type { RunKind, RunSummary } from '../../../../app/contract.ts';
import { ErrorDetails } from '../../components/ErrorDetails.js';
import { errorTitle } from '../../format/labels.js';

const FAILED_TITLE: Record<RunKind, string> = { qc: 'QC failed', analyze: 'Analysis failed', align: 'Alignment failed' };

/** Why a run has no results: failed (with the engine's error), cancelled or interrupted. */
export function RunOutcome({ run }: { run: RunSummary }) {
  if (run.status === 'failed') {
    return (
      <section className="outcome outcome-failed" role="alert" data-testid="run-error">
        <h2 className="section-title">{run.error ? `${FAILED_TITLE[run.kind]}: ${errorTitle(run.error)}` : FAILED_TITLE[run.kind]}</h2>
        {run.error ? (
          <ErrorDetails error={run.error} />
        ) : (
          <p>The run failed without an error report. Run it again; if it fails again, check the application log.</p>
        )}
      </section>
    );
  }
  if (run.status === 'cancelled') {
    return (
      <section className="outcome outcome-neutral" role="status">
        <h2 className="section-title">Cancelled</h2>
        <p>This run was cancelled before it finished, so it has no results.</p>
      </section>
    );
  }
  if (run.status === 'interrupted') {
    return (
      <section className="outcome outcome-warning" role="status">
        <h2 className="section-title">Interrupted</h2>
        <p>GenomAIc closed while this run was in progress, so its results are incomplete. Run it again to finish.</p>
      </section>
    );
  }
  return null;
}
