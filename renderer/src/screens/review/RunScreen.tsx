import { useApp } from '../../store/StoreContext.js';
import { RunView } from '../run/RunView.js';
import { ReviewWorkstation } from './ReviewWorkstation.js';

/**
 * A run's screen: a finished analysis run opens in the review workstation; QC runs, and
 * analysis runs still running (progress, cancel) or failed, use the run view.
 */
export function RunScreen({ runId }: { runId: string }) {
  const run = useApp((s) => s.runs.find((r) => r.id === runId));
  if (run?.kind === 'analyze' && run.status === 'done') return <ReviewWorkstation run={run} />;
  return <RunView runId={runId} />;
}
