/**
 * Pure updates of the run list and run details as replies and events arrive. Events and
 * replies can cross (a 'run.updated' for a finished run may land before the 'run.get' reply
 * that was sent while it ran), so a stale status never replaces a later one.
 */
import type { JobProgress, RunDetail, RunStatus, RunSummary } from '../../../app/contract.ts';

const STATUS_STAGE: Record<RunStatus, number> = {
  queued: 0,
  running: 1,
  done: 2,
  failed: 2,
  cancelled: 2,
  interrupted: 2,
};

export function isActiveStatus(status: RunStatus): boolean {
  return status === 'queued' || status === 'running';
}

/** Whether `incoming` may replace `current` (it is not an earlier stage of the run's life). */
export function isNotStale(current: RunStatus, incoming: RunStatus): boolean {
  return STATUS_STAGE[incoming] >= STATUS_STAGE[current];
}

export function summaryOf(run: RunSummary): RunSummary {
  return {
    id: run.id,
    kind: run.kind,
    status: run.status,
    createdAt: run.createdAt,
    finishedAt: run.finishedAt,
    appVersion: run.appVersion,
    inputs: run.inputs,
    error: run.error,
  };
}

function timeOf(iso: string): number {
  const t = Date.parse(iso);
  return Number.isNaN(t) ? 0 : t;
}

export function compareNewestFirst(a: RunSummary, b: RunSummary): number {
  const byTime = timeOf(b.createdAt) - timeOf(a.createdAt);
  if (byTime !== 0) return byTime;
  return a.id < b.id ? 1 : a.id > b.id ? -1 : 0;
}

export function sortNewestFirst(runs: readonly RunSummary[]): RunSummary[] {
  return [...runs].sort(compareNewestFirst);
}

/** Inserts or updates one run, keeping the list newest first. */
export function upsertRun(runs: readonly RunSummary[], incoming: RunSummary): RunSummary[] {
  const index = runs.findIndex((run) => run.id === incoming.id);
  if (index === -1) return sortNewestFirst([...runs, summaryOf(incoming)]);
  const current = runs[index]!;
  if (!isNotStale(current.status, incoming.status)) return [...runs];
  const next = [...runs];
  next[index] = summaryOf(incoming);
  return sortNewestFirst(next);
}

/** A run list reply merged with what events already told us (events may be newer). */
export function mergeRunList(known: readonly RunSummary[], listed: readonly RunSummary[]): RunSummary[] {
  const knownById = new Map(known.map((run) => [run.id, run]));
  const merged = listed.map((run) => {
    const seen = knownById.get(run.id);
    return seen && !isNotStale(seen.status, run.status) ? seen : summaryOf(run);
  });
  return sortNewestFirst(merged);
}

/** The status fields of a summary applied to a cached detail (files and QC stay). */
export function applySummaryToDetail(detail: RunDetail, summary: RunSummary): RunDetail {
  if (!isNotStale(detail.status, summary.status)) return detail;
  return { ...detail, status: summary.status, finishedAt: summary.finishedAt, error: summary.error, inputs: summary.inputs };
}

/** Progress only matters while a run is active; late frames for a finished run are dropped. */
export function applyProgress(
  progressByRun: Readonly<Record<string, JobProgress>>,
  runs: readonly RunSummary[],
  progress: JobProgress,
): Record<string, JobProgress> {
  const run = runs.find((r) => r.id === progress.runId);
  if (run && !isActiveStatus(run.status)) return { ...progressByRun };
  return { ...progressByRun, [progress.runId]: progress };
}

export function withoutKey<V>(record: Readonly<Record<string, V>>, key: string): Record<string, V> {
  if (!(key in record)) return record;
  return Object.fromEntries(Object.entries(record).filter(([k]) => k !== key));
}
