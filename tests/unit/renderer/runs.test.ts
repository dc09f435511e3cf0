// Replies and events race: a 'run.get' sent while a run was running can answer after the
// 'run.updated' that says it finished. These tests pin that the list stays newest first and
// that a late, older status never undoes a newer one.
import { describe, expect, it } from 'vitest';
import {
  applyProgress,
  applySummaryToDetail,
  mergeRunList,
  upsertRun,
  withoutKey,
} from '../../../renderer/src/store/runs.js';
import { detail, progress, summary } from './fixtures.js';

describe('upsertRun', () => {
  it('keeps the newest run first', () => {
    let runs = upsertRun([], summary({ id: 'old', createdAt: '2025-01-01T09:00:00Z' }));
    runs = upsertRun(runs, summary({ id: 'new', createdAt: '2025-01-02T09:00:00Z' }));
    runs = upsertRun(runs, summary({ id: 'mid', createdAt: '2025-01-01T12:00:00Z' }));
    expect(runs.map((r) => r.id)).toEqual(['new', 'mid', 'old']);
  });

  it('updates in place and ignores a stale status', () => {
    const running = [summary({ id: 'a', status: 'running' })];
    const done = upsertRun(running, summary({ id: 'a', status: 'done', finishedAt: '2025-01-01T10:05:00Z' }));
    expect(done).toHaveLength(1);
    expect(done[0]!.status).toBe('done');
    expect(upsertRun(done, summary({ id: 'a', status: 'running' }))[0]!.status).toBe('done');
  });

  it('does not mutate its input', () => {
    const runs = [summary({ id: 'a', status: 'queued' })];
    upsertRun(runs, summary({ id: 'a', status: 'running' }));
    expect(runs[0]!.status).toBe('queued');
  });
});

describe('mergeRunList', () => {
  it('prefers statuses that events already advanced', () => {
    const known = [summary({ id: 'a', status: 'failed' })];
    const listed = [summary({ id: 'a', status: 'running' }), summary({ id: 'b', status: 'done', createdAt: '2025-02-01T00:00:00Z' })];
    const merged = mergeRunList(known, listed);
    expect(merged.map((r) => [r.id, r.status])).toEqual([
      ['b', 'done'],
      ['a', 'failed'],
    ]);
  });
});

describe('details and progress', () => {
  it('applies a newer summary to a cached detail but keeps its files', () => {
    const d = detail({ id: 'a', status: 'running' });
    const updated = applySummaryToDetail(d, summary({ id: 'a', status: 'failed', error: { code: 'truncated-gzip', message: 'cut' } }));
    expect(updated.status).toBe('failed');
    expect(updated.error?.code).toBe('truncated-gzip');
    expect(updated.config).toBe(d.config);
    expect(applySummaryToDetail(updated, summary({ id: 'a', status: 'queued' }))).toBe(updated);
  });

  it('drops progress frames for runs that already finished', () => {
    const runs = [summary({ id: 'a', status: 'done' }), summary({ id: 'b', status: 'running' })];
    expect(applyProgress({}, runs, progress('a', 10))).toEqual({});
    expect(applyProgress({}, runs, progress('b', 10)).b?.done).toBe(10);
    // A frame can arrive before the run is listed at all.
    expect(applyProgress({}, runs, progress('c', 1)).c).toBeDefined();
  });

  it('removes one key without touching the rest', () => {
    const record = { a: 1, b: 2 };
    expect(withoutKey(record, 'a')).toEqual({ b: 2 });
    expect(withoutKey(record, 'z')).toBe(record);
  });
});
