// The review store (zustand) with a fake host that pages through 1,000 generated calls the way
// the engine does (engine/review/call-query.ts): what the table and the keyboard rely on —
// paging, stale answers dropped, selection across page borders, reviews applied in place or
// refetched when the query depends on them, the reviewer remembered — pinned without a browser.
import { describe, expect, it } from 'vitest';
import type {
  CallDetail,
  CallSummary,
  EventChannel,
  EventMap,
  RequestChannel,
  RequestParams,
  RequestResult,
  ReviewWorkspace,
} from '../../../app/contract.ts';
import { type HostBridge, HostRequestError } from '../../../renderer/src/bridge/HostBridge.js';
import { CallIndex } from '../../../engine/review/call-query.js';
import {
  createReviewStore,
  isTrackFileName,
  nextSort,
  normaliseFilter,
  PAGE_SIZE,
  queryDependsOnReview,
  rowAt,
  type ReviewerMemory,
} from '../../../renderer/src/store/reviewStore.js';
import { scrollToReveal, visibleWindow } from '../../../renderer/src/screens/review/virtualWindow.js';

const RUN = 'run-1';

function calls(count: number): CallSummary[] {
  return Array.from({ length: count }, (_, id) => ({
    id,
    key: `q:${id + 1}:A:C`,
    contig: 'q',
    pos: id + 1,
    ref: 'A',
    alts: ['C'],
    type: id % 5 === 0 ? ('deletion' as const) : ('snv' as const),
    gt: '0/1',
    gq: id % 50,
    qual: 50,
    depth: 20,
    filter: id % 10 === 0 ? 'Abstain' : 'PASS',
    abstainReason: id % 10 === 0 ? 'LOW_DEPTH' : null,
    modelId: 'stat-diploid/1',
    experts: null,
    verifier: null,
    reviewStatus: 'unreviewed' as const,
  }));
}

const WORKSPACE: ReviewWorkspace = {
  runId: RUN,
  sample: 'S',
  urls: { reference: 'files/r/reference/q.fa', referenceIndex: 'f', referenceGzi: null, bam: 'b', bamIndex: 'bi', vcf: 'v', vcfIndex: 'vi', abstentionBed: 'bed' },
  contigs: [{ name: 'q', length: 1000 }],
  abstentions: [],
  abstainReasonText: {},
  provenance: { software: 's', commandLine: '', modelId: 'm', modelVersion: null, configHash: 'h', calibration: 'c', learnedCalibration: null, platform: 'illumina', inputs: [] },
  callCount: 1000,
  reviewedCount: 0,
  userTracks: [],
};

/** A host backed by the engine's own query code, with a switch to hold replies back. */
class FakeHost implements HostBridge {
  readonly host = 'browser' as const;
  readonly canOpenDialog = false;
  readonly index = new CallIndex(calls(1000));
  readonly requests: Array<{ channel: RequestChannel; params: unknown }> = [];
  held: Array<() => void> | null = null;

  async request<C extends RequestChannel>(channel: C, params: RequestParams<C>): Promise<RequestResult<C>> {
    this.requests.push({ channel, params });
    if (this.held) await new Promise<void>((resolve) => this.held!.push(resolve));
    return this.answer(channel, params);
  }

  private answer<C extends RequestChannel>(channel: C, params: RequestParams<C>): RequestResult<C> {
    switch (channel) {
      case 'review.workspace':
        return WORKSPACE as RequestResult<C>;
      case 'calls.list': {
        const q = params as RequestParams<'calls.list'>;
        return this.index.query(q.offset, q.limit, q.sort, q.filter) as RequestResult<C>;
      }
      case 'call.get': {
        const summary = this.index.get((params as RequestParams<'call.get'>).callId)!;
        const detail: CallDetail = {
          ...summary,
          bestGenotype: summary.gt,
          rawGq: null,
          calibration: 'c',
          alleleDepths: [10, 10],
          strand: { refForward: 5, refReverse: 5, altForward: [5], altReverse: [5] },
          meanMapq: 60,
          mapq0Fraction: 0,
          repeat: null,
          diagnostics: [],
          method: 'pileup',
          supportingReads: [],
          opposingReads: [],
          uninformativeReads: [],
          provenance: WORKSPACE.provenance,
          review: null,
        };
        return detail as RequestResult<C>;
      }
      case 'review.history':
        return [] as RequestResult<C>;
      case 'review.set': {
        const r = params as RequestParams<'review.set'>;
        const call = { ...this.index.setReviewStatus(r.callId, r.status)! };
        return { review: { runId: r.runId, callId: r.callId, status: r.status, note: r.note, reviewer: r.reviewer, at: '2025-01-01T00:00:00Z' }, call } as RequestResult<C>;
      }
      default:
        throw new HostRequestError(channel, { code: 'unsupported', message: `${channel} not handled` });
    }
  }

  release(): void {
    const waiting = this.held ?? [];
    this.held = null;
    for (const resolve of waiting) resolve();
  }

  subscribe<E extends EventChannel>(_event: E, _listener: (payload: EventMap[E]) => void): () => void {
    return () => undefined;
  }
  async resolveFiles(files: readonly File[]): Promise<string[]> {
    return files.map((f) => `/uploads/${f.name}`);
  }
  onConnectionChange(): () => void {
    return () => undefined;
  }
}

function setup(memory?: ReviewerMemory) {
  const host = new FakeHost();
  const errors: string[] = [];
  const store = createReviewStore(host, { reportError: (action) => errors.push(action), ...(memory ? { reviewerMemory: memory } : {}) });
  return { host, store, errors };
}

const settle = (): Promise<void> => new Promise((r) => setTimeout(r, 0));

describe('review store', () => {
  it('opens a run: workspace, the first page only, and the first call selected with its evidence', async () => {
    const { host, store } = setup();
    await store.getState().open(RUN);
    const s = store.getState();
    expect(s.workspace?.sample).toBe('S');
    expect(s.total).toBe(1000);
    expect(Object.keys(s.pages)).toEqual(['0']);
    expect(s.pages[0]).toHaveLength(PAGE_SIZE);
    expect(s.selectedIndex).toBe(0);
    expect(s.details[0]?.strand.altForward).toEqual([5]);
    expect(host.requests.filter((r) => r.channel === 'calls.list')).toHaveLength(1);
  });

  it('fetches only the pages a scroll window needs, once each', async () => {
    const { host, store } = setup();
    await store.getState().open(RUN);
    await Promise.all([store.getState().ensureRows(380, 430), store.getState().ensureRows(390, 420)]);
    expect(Object.keys(store.getState().pages).sort()).toEqual(['0', '1', '2']);
    expect(host.requests.filter((r) => r.channel === 'calls.list')).toHaveLength(3);
    expect(rowAt(store.getState().pages, 399)?.id).toBe(399);
  });

  it('next and previous cross page borders and stop at the ends', async () => {
    const { store } = setup();
    await store.getState().open(RUN);
    await store.getState().select(PAGE_SIZE - 1);
    await store.getState().selectNext();
    expect(store.getState().selectedIndex).toBe(PAGE_SIZE);
    expect(store.getState().selectedCallId).toBe(PAGE_SIZE);
    await store.getState().selectLast();
    await store.getState().selectNext();
    expect(store.getState().selectedIndex).toBe(999);
    await store.getState().selectFirst();
    await store.getState().selectPrevious();
    expect(store.getState().selectedIndex).toBe(0);
  });

  it('a filter or sort change starts over, and drops a page that answers the old query', async () => {
    const { host, store } = setup();
    await store.getState().open(RUN);
    host.held = [];
    const stale = store.getState().ensureRows(600, 610);
    await settle();
    store.getState().setFilter({ filters: ['Abstain'] });
    host.release();
    await stale;
    await settle();
    const s = store.getState();
    expect(s.total).toBe(100);
    expect(Object.keys(s.pages)).toEqual(['0']);
    expect(s.pages[0]!.every((c) => c.filter === 'Abstain')).toBe(true);
    store.getState().setSort('gq');
    await settle();
    expect(store.getState().sort).toEqual({ key: 'gq', direction: 'asc' });
    store.getState().setSort('gq');
    expect(store.getState().sort).toEqual({ key: 'gq', direction: 'desc' });
  });

  it('a review needs a name; it updates the row in place and the reviewed count', async () => {
    const saved: string[] = [];
    const { store, errors } = setup({ load: () => '', save: (n) => saved.push(n) });
    await store.getState().open(RUN);
    expect(await store.getState().review('accepted', 'ok')).toBe(false);
    expect(errors).toEqual(['Recording the review']);
    store.getState().setReviewer('Dr. R');
    expect(saved).toEqual(['Dr. R']);
    expect(await store.getState().review('accepted', 'ok')).toBe(true);
    const s = store.getState();
    expect(rowAt(s.pages, 0)?.reviewStatus).toBe('accepted');
    expect(s.details[0]?.review?.reviewer).toBe('Dr. R');
    expect(s.workspace?.reviewedCount).toBe(1);
  });

  it('when the table is filtered by review status, a review refetches the rows', async () => {
    const { store } = setup({ load: () => 'R', save: () => undefined });
    await store.getState().open(RUN);
    store.getState().setFilter({ review: ['unreviewed'] });
    await settle();
    await store.getState().select(0);
    await store.getState().review('rejected', '');
    await settle();
    await settle();
    expect(store.getState().total).toBe(999);
    expect(rowAt(store.getState().pages, 0)?.id).toBe(1);
  });
});

describe('table helpers', () => {
  it('windows 100,000 rows to what is on screen', () => {
    const w = visibleWindow(28 * 50_000, 420, 100_000);
    expect(w.first).toBe(50_000 - 8);
    expect(w.end - w.first).toBeLessThan(40);
    expect(visibleWindow(1e9, 420, 100_000).end).toBe(100_000);
    expect(scrollToReveal(10, 0, 280)).toBe(28 * 11 - 280);
    expect(scrollToReveal(3, 0, 280)).toBeNull();
    expect(scrollToReveal(2, 280, 280)).toBe(56);
  });

  it('keeps queries canonical and knows which depend on review status', () => {
    expect(normaliseFilter({ types: [], minGq: null, filters: ['PASS'], contig: '' })).toEqual({ filters: ['PASS'] });
    expect(queryDependsOnReview({ key: 'review', direction: 'asc' }, {})).toBe(true);
    expect(queryDependsOnReview({ key: 'gq', direction: 'asc' }, { review: ['accepted'] })).toBe(true);
    expect(queryDependsOnReview({ key: 'gq', direction: 'asc' }, { filters: ['PASS'] })).toBe(false);
    expect(nextSort({ key: 'position', direction: 'asc' }, 'gq')).toEqual({ key: 'gq', direction: 'asc' });
  });

  it('routes dropped tracks to the genome view and reads to a new run', () => {
    expect(isTrackFileName('cov.bw')).toBe(true);
    expect(isTrackFileName('calls.vcf.gz')).toBe(true);
    expect(isTrackFileName('peaks.bed')).toBe(true);
    expect(isTrackFileName('sample_R1.fastq.gz')).toBe(false);
  });
});
