/**
 * State of the review workstation: the open run's workspace, the variant table's query and
 * the pages of rows fetched so far, the selected call and its evidence, reviews, exports and
 * user tracks. Separate from the app store (runs and QC) so each stays small; created around
 * the same `HostBridge`, so unit tests drive it with a fake host.
 *
 * Rows are fetched a page at a time (server-side filter, sort and paging): the table asks for
 * the rows it shows, and a 100,000-call run never crosses the wire at once. A query change
 * bumps `queryVersion`; pages answering an older version are dropped on arrival.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  CallDetail,
  CallFilter,
  CallPage,
  CallSort,
  CallSortKey,
  CallSummary,
  ExportResult,
  GenomaicError,
  ReviewAuditEntry,
  ReviewDecision,
  ReviewOutcome,
  ReviewWorkspace,
  UserTrack,
} from '../../../app/contract.ts';
import { type HostBridge, toGenomaicError } from '../bridge/HostBridge.js';

export const PAGE_SIZE = 200;

export type ReadHighlight = 'supporting' | 'opposing';
export type ExportKind = 'vcf' | 'report';

export interface ReviewerMemory {
  load(): string;
  save(name: string): void;
}

export interface ReviewState {
  runId: string | null;
  workspace: ReviewWorkspace | null;
  workspaceError: GenomaicError | null;
  sort: CallSort;
  filter: CallFilter;
  queryVersion: number;
  /** Rows matching the filter; null until the first page arrives. */
  total: number | null;
  runTotal: number | null;
  facets: CallPage['facets'] | null;
  pages: Record<number, CallSummary[]>;
  pendingPages: Record<number, true>;
  /** Position of the selected row in the current ordering. */
  selectedIndex: number | null;
  selectedCallId: number | null;
  details: Record<number, CallDetail>;
  /** Audit lines per call, loaded with the call's evidence. */
  histories: Record<number, ReviewAuditEntry[]>;
  reviewer: string;
  savingReview: boolean;
  highlight: ReadHighlight;
  exports: Partial<Record<ExportKind, ExportResult>>;
  exporting: ExportKind | null;
  addingTracks: boolean;
  deleting: boolean;
  importing: boolean;
}

export interface ReviewActions {
  open(runId: string): Promise<void>;
  close(): void;
  setSort(key: CallSortKey): void;
  setFilter(patch: Partial<CallFilter>): void;
  clearFilter(): void;
  /** Fetches the pages covering rows [start, end) that are missing. */
  ensureRows(start: number, end: number): Promise<void>;
  select(index: number): Promise<void>;
  selectNext(): Promise<void>;
  selectPrevious(): Promise<void>;
  selectFirst(): Promise<void>;
  selectLast(): Promise<void>;
  setReviewer(name: string): void;
  review(status: ReviewDecision, note: string): Promise<boolean>;
  /** A review recorded by any window (host event). */
  applyReviewOutcome(outcome: ReviewOutcome): void;
  toggleHighlight(): void;
  exportFile(kind: ExportKind): Promise<ExportResult | null>;
  addTrackPaths(paths: readonly string[]): Promise<UserTrack[]>;
  addTrackFiles(files: readonly File[]): Promise<UserTrack[]>;
  removeTrack(trackId: string): Promise<void>;
  deleteRun(runId: string): Promise<boolean>;
  importFolder(dir: string): Promise<string | null>;
}

export type ReviewStore = ReviewState & ReviewActions;

export interface ReviewStoreOptions {
  reportError(action: string, thrown: unknown): void;
  reviewerMemory?: ReviewerMemory;
  /** After a run is deleted or imported (the app store refreshes its list). */
  onRunsChanged?(): void;
}

export const DEFAULT_SORT: CallSort = { key: 'position', direction: 'asc' };

const TRACK_EXTENSIONS = /\.(bw|bigwig|bedgraph|bg|bed|vcf)(\.gz)?$/i;

/** Whether a dropped file is a track for the genome view (rather than reads for a new run). */
export function isTrackFileName(name: string): boolean {
  return TRACK_EXTENSIONS.test(name);
}

export function pageOf(index: number): number {
  return Math.floor(index / PAGE_SIZE);
}

export function rowAt(pages: Record<number, CallSummary[]>, index: number): CallSummary | undefined {
  return pages[pageOf(index)]?.[index % PAGE_SIZE];
}

/** Sorting by a new column starts ascending (GQ and QUAL: worst first); the same column flips. */
export function nextSort(current: CallSort, key: CallSortKey): CallSort {
  if (current.key === key) return { key, direction: current.direction === 'asc' ? 'desc' : 'asc' };
  return { key, direction: 'asc' };
}

/** Drops empty lists and null bounds so the query (and its cache key) stays canonical. */
export function normaliseFilter(filter: CallFilter): CallFilter {
  const out: CallFilter = {};
  if (filter.types && filter.types.length > 0) out.types = [...filter.types];
  if (filter.filters && filter.filters.length > 0) out.filters = [...filter.filters];
  if (filter.abstainReasons && filter.abstainReasons.length > 0) out.abstainReasons = [...filter.abstainReasons];
  if (filter.experts && filter.experts.length > 0) out.experts = [...filter.experts];
  if (filter.verifier && filter.verifier.length > 0) out.verifier = [...filter.verifier];
  if (filter.review && filter.review.length > 0) out.review = [...filter.review];
  if (typeof filter.minGq === 'number' && Number.isFinite(filter.minGq)) out.minGq = filter.minGq;
  if (typeof filter.maxGq === 'number' && Number.isFinite(filter.maxGq)) out.maxGq = filter.maxGq;
  if (filter.contig) out.contig = filter.contig;
  return out;
}

export function filterIsActive(filter: CallFilter): boolean {
  return Object.keys(normaliseFilter(filter)).length > 0;
}

/** Whether the rows' order or membership depends on review status (then a review refetches). */
export function queryDependsOnReview(sort: CallSort, filter: CallFilter): boolean {
  return sort.key === 'review' || (filter.review !== undefined && filter.review.length > 0);
}

export function findRow(pages: Record<number, CallSummary[]>, callId: number): CallSummary | undefined {
  for (const rows of Object.values(pages)) {
    const row = rows.find((r) => r.id === callId);
    if (row) return row;
  }
  return undefined;
}

/** Replaces the row of `call.id` wherever it sits in the fetched pages. */
export function replaceRow(pages: Record<number, CallSummary[]>, call: CallSummary): Record<number, CallSummary[]> {
  let changed = false;
  const next: Record<number, CallSummary[]> = {};
  for (const [key, rows] of Object.entries(pages)) {
    const i = rows.findIndex((r) => r.id === call.id);
    if (i >= 0) {
      const copy = rows.slice();
      copy[i] = call;
      next[Number(key)] = copy;
      changed = true;
    } else next[Number(key)] = rows;
  }
  return changed ? next : pages;
}

const memoryReviewer = (): ReviewerMemory => {
  let name = '';
  return { load: () => name, save: (n) => (name = n) };
};

const INITIAL: ReviewState = {
  runId: null,
  workspace: null,
  workspaceError: null,
  sort: DEFAULT_SORT,
  filter: {},
  queryVersion: 0,
  total: null,
  runTotal: null,
  facets: null,
  pages: {},
  pendingPages: {},
  selectedIndex: null,
  selectedCallId: null,
  details: {},
  histories: {},
  reviewer: '',
  savingReview: false,
  highlight: 'supporting',
  exports: {},
  exporting: null,
  addingTracks: false,
  deleting: false,
  importing: false,
};

export function createReviewStore(bridge: HostBridge, options: ReviewStoreOptions): StoreApi<ReviewStore> {
  const memory = options.reviewerMemory ?? memoryReviewer();
  const { reportError } = options;

  return createStore<ReviewStore>()((set, get) => {
    const fetchPage = async (page: number): Promise<void> => {
      const { runId, sort, filter, queryVersion, pendingPages, pages } = get();
      if (runId === null || pendingPages[page] || pages[page]) return;
      set((s) => ({ pendingPages: { ...s.pendingPages, [page]: true } }));
      try {
        const result = await bridge.request('calls.list', { runId, offset: page * PAGE_SIZE, limit: PAGE_SIZE, sort, filter: normaliseFilter(filter) });
        // An answer to an older query (or another run) is no longer wanted.
        if (get().queryVersion !== queryVersion || get().runId !== runId) return;
        set((s) => ({ pages: { ...s.pages, [page]: result.rows }, total: result.total, runTotal: result.runTotal, facets: result.facets }));
      } catch (err) {
        if (get().queryVersion === queryVersion) reportError('Loading calls', err);
      } finally {
        if (get().queryVersion === queryVersion) {
          set((s) => ({ pendingPages: Object.fromEntries(Object.entries(s.pendingPages).filter(([key]) => Number(key) !== page)) as Record<number, true> }));
        }
      }
    };

    const loadHistory = async (runId: string, callId: number): Promise<void> => {
      try {
        const history = await bridge.request('review.history', { runId, callId });
        if (get().runId === runId) set((s) => ({ histories: { ...s.histories, [callId]: history } }));
      } catch (err) {
        reportError('Loading the review history', err);
      }
    };

    const loadDetail = async (runId: string, callId: number): Promise<void> => {
      try {
        const detail = await bridge.request('call.get', { runId, callId });
        if (get().runId === runId) set((s) => ({ details: { ...s.details, [callId]: detail } }));
      } catch (err) {
        reportError('Loading the evidence for the call', err);
      }
      await loadHistory(runId, callId);
    };

    /** A new query: pages and position start over; the selected call stays selected if visible. */
    const requery = (patch: Partial<Pick<ReviewState, 'sort' | 'filter'>>): void => {
      set((s) => ({
        ...patch,
        queryVersion: s.queryVersion + 1,
        pages: {},
        pendingPages: {},
        total: null,
        selectedIndex: null,
      }));
      void fetchPage(0);
    };

    const select = async (index: number): Promise<void> => {
      const { total, runId } = get();
      if (runId === null || total === null || total === 0) return;
      const clamped = Math.max(0, Math.min(index, total - 1));
      set({ selectedIndex: clamped });
      if (!rowAt(get().pages, clamped)) await fetchPage(pageOf(clamped));
      const row = rowAt(get().pages, clamped);
      if (!row || get().selectedIndex !== clamped) return;
      set({ selectedCallId: row.id });
      if (!get().details[row.id]) await loadDetail(runId, row.id);
    };

    const addTracks = async (paths: readonly string[], names: readonly string[]): Promise<UserTrack[]> => {
      const { runId } = get();
      if (runId === null || paths.length === 0) return [];
      set({ addingTracks: true });
      const added: UserTrack[] = [];
      try {
        for (const [i, path] of paths.entries()) {
          try {
            const name = names[i];
            added.push(await bridge.request('tracks.add', name ? { runId, path, name } : { runId, path }));
          } catch (err) {
            reportError(`Adding the track ${names[i] ?? path}`, err);
          }
        }
        if (added.length > 0 && get().runId === runId) {
          set((s) => (s.workspace ? { workspace: { ...s.workspace, userTracks: [...s.workspace.userTracks, ...added] } } : s));
        }
        return added;
      } finally {
        set({ addingTracks: false });
      }
    };

    return {
      ...INITIAL,
      reviewer: memory.load(),

      async open(runId) {
        set({ ...INITIAL, reviewer: get().reviewer, highlight: get().highlight, runId, queryVersion: get().queryVersion + 1 });
        try {
          const workspace = await bridge.request('review.workspace', { runId });
          if (get().runId !== runId) return;
          set({ workspace });
        } catch (err) {
          if (get().runId !== runId) return;
          set({ workspaceError: toGenomaicError(err) });
          reportError('Opening the run for review', err);
          return;
        }
        await fetchPage(0);
        if (get().runId === runId && (get().total ?? 0) > 0 && get().selectedIndex === null) await select(0);
      },

      close() {
        set({ ...INITIAL, reviewer: get().reviewer, highlight: get().highlight, queryVersion: get().queryVersion + 1 });
      },

      setSort(key) {
        requery({ sort: nextSort(get().sort, key) });
      },

      setFilter(patch) {
        requery({ filter: normaliseFilter({ ...get().filter, ...patch }) });
      },

      clearFilter() {
        requery({ filter: {} });
      },

      async ensureRows(start, end) {
        const { total } = get();
        const last = total === null ? end : Math.min(end, total);
        const wanted: number[] = [];
        for (let page = pageOf(Math.max(0, start)); page * PAGE_SIZE < last; page += 1) wanted.push(page);
        await Promise.all(wanted.map((page) => fetchPage(page)));
      },

      select,
      async selectNext() {
        const { selectedIndex } = get();
        await select(selectedIndex === null ? 0 : selectedIndex + 1);
      },
      async selectPrevious() {
        const { selectedIndex } = get();
        await select(selectedIndex === null ? 0 : selectedIndex - 1);
      },
      async selectFirst() {
        await select(0);
      },
      async selectLast() {
        await select((get().total ?? 1) - 1);
      },

      setReviewer(name) {
        set({ reviewer: name });
        memory.save(name);
      },

      async review(status, note) {
        const { runId, selectedCallId, reviewer } = get();
        if (runId === null || selectedCallId === null) return false;
        if (reviewer.trim() === '') {
          reportError('Recording the review', { code: 'invalid-request', message: 'Enter your name as reviewer first: every review records who made it.' } satisfies GenomaicError);
          return false;
        }
        set({ savingReview: true });
        try {
          const outcome = await bridge.request('review.set', { runId, callId: selectedCallId, status, note, reviewer: reviewer.trim() });
          get().applyReviewOutcome(outcome);
          return true;
        } catch (err) {
          reportError('Recording the review', err);
          return false;
        } finally {
          set({ savingReview: false });
        }
      },

      applyReviewOutcome(outcome) {
        const { runId, sort, filter } = get();
        if (outcome.review.runId !== runId) return;
        set((s) => {
          const detail = s.details[outcome.call.id];
          const before = findRow(s.pages, outcome.call.id) ?? detail;
          const newlyReviewed = before?.reviewStatus === 'unreviewed';
          return {
            pages: replaceRow(s.pages, outcome.call),
            details: detail ? { ...s.details, [outcome.call.id]: { ...detail, reviewStatus: outcome.call.reviewStatus, review: outcome.review } } : s.details,
            workspace: s.workspace && newlyReviewed ? { ...s.workspace, reviewedCount: s.workspace.reviewedCount + 1 } : s.workspace,
          };
        });
        if (get().histories[outcome.call.id] !== undefined || get().selectedCallId === outcome.call.id) void loadHistory(outcome.review.runId, outcome.call.id);
        // The row may have to move or leave the filtered list: fetch the order again, keeping the position.
        if (queryDependsOnReview(sort, filter)) {
          const keep = get().selectedIndex;
          set((s) => ({ queryVersion: s.queryVersion + 1, pages: {}, pendingPages: {} }));
          void fetchPage(keep === null ? 0 : pageOf(keep));
        }
      },

      toggleHighlight() {
        set((s) => ({ highlight: s.highlight === 'supporting' ? 'opposing' : 'supporting' }));
      },

      async exportFile(kind) {
        const { runId } = get();
        if (runId === null || get().exporting) return null;
        set({ exporting: kind });
        try {
          const result = kind === 'vcf' ? await bridge.request('export.reviewedVcf', { runId }) : await bridge.request('export.report', { runId });
          set((s) => ({ exports: { ...s.exports, [kind]: result } }));
          return result;
        } catch (err) {
          reportError(kind === 'vcf' ? 'Exporting the reviewed VCF' : 'Writing the HTML report', err);
          return null;
        } finally {
          set({ exporting: null });
        }
      },

      addTrackPaths(paths) {
        return addTracks(paths, []);
      },

      async addTrackFiles(files) {
        if (files.length === 0) return [];
        let paths: string[];
        set({ addingTracks: true });
        try {
          paths = await bridge.resolveFiles(files);
        } catch (err) {
          set({ addingTracks: false });
          reportError(`Opening ${files.map((f) => f.name).join(', ')}`, err);
          return [];
        }
        return addTracks(paths, files.map((f) => f.name));
      },

      async removeTrack(trackId) {
        const { runId } = get();
        if (runId === null) return;
        try {
          await bridge.request('tracks.remove', { runId, trackId });
          set((s) => (s.workspace ? { workspace: { ...s.workspace, userTracks: s.workspace.userTracks.filter((t) => t.id !== trackId) } } : s));
        } catch (err) {
          reportError('Removing the track', err);
        }
      },

      async deleteRun(runId) {
        set({ deleting: true });
        try {
          await bridge.request('run.delete', { runId, confirm: runId });
          if (get().runId === runId) get().close();
          options.onRunsChanged?.();
          return true;
        } catch (err) {
          reportError('Deleting the run', err);
          return false;
        } finally {
          set({ deleting: false });
        }
      },

      async importFolder(dir) {
        set({ importing: true });
        try {
          const { runId } = await bridge.request('analysis.import', { dir });
          options.onRunsChanged?.();
          return runId;
        } catch (err) {
          reportError(`Opening the analysis folder ${dir}`, err);
          return null;
        } finally {
          set({ importing: false });
        }
      },
    };
  });
}
