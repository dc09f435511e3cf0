import type { RunSummary } from '../../../../app/contract.ts';
import { useApp } from '../../store/StoreContext.js';
import { StatusBadge } from '../../components/StatusBadge.js';
import { formatDateTime } from '../../format/numbers.js';
import { RUN_KIND_LABEL } from '../../format/labels.js';

function inputNames(run: RunSummary): string {
  if (run.inputs.length === 0) return 'No inputs';
  return run.inputs.map((input) => input.name).join(', ');
}

/** All runs, newest first, kept current by 'run.updated' events (see the store). */
export function RunsList() {
  const runs = useApp((s) => s.runs);
  const loaded = useApp((s) => s.runsLoaded);
  const route = useApp((s) => s.route);
  const navigate = useApp((s) => s.navigate);
  const openRunId = route.screen === 'run' ? route.runId : null;

  return (
    <nav className="runs-nav" aria-labelledby="runs-title">
      <div className="runs-panel-head">
        <h2 id="runs-title" className="panel-title">Runs</h2>
        {runs.length > 0 ? <span className="muted num">{runs.length}</span> : null}
      </div>
      <div data-testid="runs-list" className="runs-list" aria-busy={!loaded}>
        {runs.length === 0 ? (
          <p className="muted runs-empty">{loaded ? 'No runs yet.' : 'Loading runs…'}</p>
        ) : (
          <ul>
            {runs.map((run) => (
              <li key={run.id}>
                <button
                  type="button"
                  className="run-item"
                  data-testid="run-item"
                  data-status={run.status}
                  data-run-id={run.id}
                  data-kind={run.kind}
                  aria-current={run.id === openRunId ? 'page' : undefined}
                  onClick={() => navigate({ screen: 'run', runId: run.id })}
                >
                  <span className="run-item-top">
                    <StatusBadge status={run.status} />
                    <span className="run-item-kind">{RUN_KIND_LABEL[run.kind]}</span>
                    <time className="run-item-time num" dateTime={run.createdAt}>
                      {formatDateTime(run.createdAt)}
                    </time>
                  </span>
                  <span className="run-item-files" title={run.inputs.map((i) => i.path).join('\n')}>
                    {inputNames(run)}
                  </span>
                </button>
              </li>
            ))}
          </ul>
        )}
      </div>
    </nav>
  );
}
