/**
 * The application state and everything that changes it. Created around a `HostBridge` (not a
 * global) so unit tests drive it with a fake host, and so UI code never calls the host directly:
 * every request goes through an action that knows what to call the failure in a banner.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type {
  AlignPreset,
  AppInfo,
  GenomaicError,
  JobProgress,
  Platform,
  RunDetail,
  RunSummary,
} from '../../../app/contract.ts';
import { type ConnectionState, type FileTransferProgress, type HostBridge, toGenomaicError } from '../bridge/HostBridge.js';
import { HOME, type Route, sameRoute } from '../navigation/route.js';
import { baseName } from '../format/numbers.js';
import {
  applyProgress,
  applySummaryToDetail,
  isActiveStatus,
  isNotStale,
  mergeRunList,
  summaryOf,
  upsertRun,
  withoutKey,
} from './runs.js';

export interface Banner {
  id: number;
  /** What the user was trying to do, e.g. 'Starting the QC run'. */
  action: string;
  error: GenomaicError;
}

export type PlatformChoice = Platform | 'auto';

export interface AppState {
  host: HostBridge['host'];
  canOpenDialog: boolean;
  info: AppInfo | null;
  runs: RunSummary[];
  runsLoaded: boolean;
  progressByRun: Record<string, JobProgress>;
  detailsByRun: Record<string, RunDetail>;
  /** Why 'run.get' failed for a run, shown in place of the run view. */
  detailErrors: Record<string, GenomaicError>;
  route: Route;
  banners: Banner[];
  /** Files being handed to the host (uploads in browser mode); null when idle. */
  transfer: FileTransferProgress | null;
  /** 'qc.start' is in flight. */
  starting: boolean;
  /** The platform chosen on Home; also used for files dropped anywhere in the window. */
  platformChoice: PlatformChoice;
  /** Keys from `overrideKey` whose 'run.setPlatform' is in flight. */
  pendingOverrides: Record<string, true>;
  cancelling: Record<string, true>;
  connection: ConnectionState;
}

export interface AppActions {
  /** Subscribes to host events and loads the first data; returns the teardown. */
  connect(): () => void;
  navigate(route: Route): void;
  setPlatformChoice(choice: PlatformChoice): void;
  startFromPaths(paths: readonly string[]): Promise<boolean>;
  startFromFiles(files: readonly File[]): Promise<boolean>;
  startFromDialog(): Promise<boolean>;
  /** Starts an analysis (QC → alignment → calls) of reads against a reference on the host. */
  startAnalysis(request: { readPaths: readonly string[]; referencePath: string; sample?: string; platform?: PlatformChoice }): Promise<boolean>;
  /** Calls variants from an existing BAM (another aligner's) against a reference on the host. */
  startAnalysisFromBam(request: { bamPath: string; referencePath: string; sample?: string; platform?: PlatformChoice }): Promise<boolean>;
  /** Aligns reads to a reference on the host: BAM + BAI only, no calling. */
  startAlignment(request: { readPaths: readonly string[]; referencePath: string; preset: AlignPreset | 'auto'; sample?: string }): Promise<boolean>;
  /** Imports another aligner's BAM as an align run (checked against the reference, sorted, indexed). */
  startAlignmentFromBam(request: { bamPath: string; referencePath: string }): Promise<boolean>;
  /** Analyzes the bundled demo data. */
  startDemo(): Promise<boolean>;
  /** Starts a new run over the same inputs and platform setting as `runId`. */
  rerun(runId: string): Promise<boolean>;
  cancelRun(runId: string): Promise<void>;
  cancelTransfer(): void;
  loadRun(runId: string): Promise<void>;
  refreshRuns(): Promise<void>;
  overridePlatform(runId: string, path: string, choice: PlatformChoice): Promise<void>;
  dismissBanner(id: number): void;
  reportError(action: string, thrown: unknown): void;
}

export type AppStore = AppState & AppActions;

export function overrideKey(runId: string, path: string): string {
  return `${runId}\n${path}`;
}

/** Paths typed one per line: trimmed, blank lines dropped, duplicates removed (order kept). */
export function parsePathList(text: string): string[] {
  const seen = new Set<string>();
  for (const line of text.split(/\r?\n/)) {
    const path = line.trim();
    if (path) seen.add(path);
  }
  return [...seen];
}

export function createAppStore(bridge: HostBridge, initialRoute: Route = HOME): StoreApi<AppStore> {
  let nextBannerId = 1;
  let transferAbort: AbortController | null = null;

  return createStore<AppStore>()((set, get) => {
    const reportError = (action: string, thrown: unknown): void => {
      const error = toGenomaicError(thrown);
      set((state) => {
        const duplicate = state.banners.some((b) => b.action === action && b.error.message === error.message);
        return duplicate ? state : { banners: [...state.banners, { id: nextBannerId++, action, error }] };
      });
    };

    const storeDetail = (detail: RunDetail): void => {
      set((state) => {
        const current = state.detailsByRun[detail.id];
        if (current && !isNotStale(current.status, detail.status)) return state;
        return {
          detailsByRun: { ...state.detailsByRun, [detail.id]: detail },
          detailErrors: withoutKey(state.detailErrors, detail.id),
          runs: upsertRun(state.runs, summaryOf(detail)),
          progressByRun: isActiveStatus(detail.status) ? state.progressByRun : withoutKey(state.progressByRun, detail.id),
        };
      });
    };

    const onRunUpdated = (summary: RunSummary): void => {
      const cached = get().detailsByRun[summary.id];
      const finished = !isActiveStatus(summary.status);
      // A detail fetched while the run was active has no per-file reports: drop it rather than
      // show a finished run with nothing in it, and fetch the final one.
      const outdated = cached !== undefined && finished && isActiveStatus(cached.status);
      set((state) => {
        let detailsByRun = state.detailsByRun;
        if (outdated) detailsByRun = withoutKey(detailsByRun, summary.id);
        else if (cached) detailsByRun = { ...detailsByRun, [summary.id]: applySummaryToDetail(cached, summary) };
        return {
          runs: upsertRun(state.runs, summary),
          detailsByRun,
          progressByRun: finished ? withoutKey(state.progressByRun, summary.id) : state.progressByRun,
        };
      });
      const { route } = get();
      const isOpen = route.screen === 'run' && route.runId === summary.id;
      if (finished && (outdated || (isOpen && !cached))) void get().loadRun(summary.id);
    };

    const onProgress = (progress: JobProgress): void => {
      set((state) => ({ progressByRun: applyProgress(state.progressByRun, state.runs, progress) }));
    };

    const startRun = async (paths: readonly string[], platform: PlatformChoice): Promise<boolean> => {
      if (paths.length === 0) return false;
      set({ starting: true });
      try {
        const { runId } = await bridge.request('qc.start', { paths: [...paths], platform });
        // The run view fetches the run as it opens.
        get().navigate({ screen: 'run', runId });
        return true;
      } catch (err) {
        reportError('Starting the QC run', err);
        return false;
      } finally {
        set({ starting: false });
      }
    };

    const startAnalysisRun = async (request: () => Promise<{ runId: string }>, action = 'Starting the analysis'): Promise<boolean> => {
      set({ starting: true });
      try {
        const { runId } = await request();
        get().navigate({ screen: 'run', runId });
        return true;
      } catch (err) {
        reportError(action, err);
        return false;
      } finally {
        set({ starting: false });
      }
    };

    return {
      host: bridge.host,
      canOpenDialog: bridge.canOpenDialog,
      info: null,
      runs: [],
      runsLoaded: false,
      progressByRun: {},
      detailsByRun: {},
      detailErrors: {},
      route: initialRoute,
      banners: [],
      transfer: null,
      starting: false,
      platformChoice: 'auto',
      pendingOverrides: {},
      cancelling: {},
      connection: 'open',

      connect() {
        const unsubscribers = [
          bridge.subscribe('run.updated', onRunUpdated),
          bridge.subscribe('run.progress', onProgress),
          // Any kind of run (QC, align, analysis), deleted from this window or another: nothing
          // keyed by its id may outlive it, or a later view of the id would show a ghost.
          bridge.subscribe('run.deleted', ({ runId }) => {
            set((state) => ({
              runs: state.runs.filter((r) => r.id !== runId),
              detailsByRun: withoutKey(state.detailsByRun, runId),
              detailErrors: withoutKey(state.detailErrors, runId),
              progressByRun: withoutKey(state.progressByRun, runId),
              cancelling: withoutKey(state.cancelling, runId),
            }));
            const { route } = get();
            if (route.screen === 'run' && route.runId === runId) get().navigate(HOME);
          }),
          bridge.onConnectionChange((connection) => {
            const previous = get().connection;
            set({ connection });
            // Back after a gap: events may have been missed, so ask again.
            if (connection === 'open' && previous !== 'open') {
              void get().refreshRuns();
              const { route } = get();
              if (route.screen === 'run') void get().loadRun(route.runId);
            }
          }),
        ];
        bridge.request('app.info', {}).then(
          (info) => set({ info }),
          (err: unknown) => reportError('Loading application information', err),
        );
        void get().refreshRuns();
        return () => {
          for (const unsubscribe of unsubscribers) unsubscribe();
        };
      },

      navigate(route) {
        if (!sameRoute(get().route, route)) set({ route });
      },

      setPlatformChoice(platformChoice) {
        set({ platformChoice });
      },

      startFromPaths(paths) {
        return startRun(paths, get().platformChoice);
      },

      async startFromFiles(files) {
        if (files.length === 0) return false;
        if (transferAbort) {
          reportError('Adding files', {
            code: 'invalid-request',
            message: 'Files are still being transferred; wait for them or cancel first.',
          } satisfies GenomaicError);
          return false;
        }
        const abort = new AbortController();
        transferAbort = abort;
        let paths: string[];
        try {
          // Only transports that copy files report progress; Electron resolves paths at once.
          paths = await bridge.resolveFiles(files, {
            signal: abort.signal,
            onProgress: (transfer) => set({ transfer: transfer.fileIndex < transfer.fileCount ? transfer : null }),
          });
        } catch (err) {
          // The user cancelled the upload: they know, and a red banner would only alarm.
          if (abort.signal.aborted) return false;
          const names = files.map((f) => f.name).join(', ');
          reportError(bridge.host === 'browser' ? `Uploading ${names}` : `Opening ${names}`, err);
          return false;
        } finally {
          transferAbort = null;
          set({ transfer: null });
        }
        return startRun(paths, get().platformChoice);
      },

      startAnalysis({ readPaths, referencePath, sample, platform }) {
        return startAnalysisRun(() =>
          bridge.request('analyze.start', {
            readPaths: [...readPaths],
            referencePath,
            platform: platform ?? get().platformChoice,
            ...(sample ? { sample } : {}),
          }),
        );
      },

      startAnalysisFromBam({ bamPath, referencePath, sample, platform }) {
        return startAnalysisRun(() =>
          bridge.request('analyze.fromBam', { bamPath, referencePath, platform: platform ?? get().platformChoice, ...(sample ? { sample } : {}) }),
        );
      },

      startAlignment({ readPaths, referencePath, preset, sample }) {
        return startAnalysisRun(
          () => bridge.request('align.start', { readPaths: [...readPaths], referencePath, preset, ...(sample ? { sample } : {}) }),
          'Starting the alignment',
        );
      },

      startAlignmentFromBam({ bamPath, referencePath }) {
        return startAnalysisRun(() => bridge.request('align.fromBam', { bamPath, referencePath }), 'Importing the BAM');
      },

      startDemo() {
        return startAnalysisRun(() => bridge.request('demo.start', {}));
      },

      async startFromDialog() {
        let paths: string[];
        try {
          ({ paths } = await bridge.request('dialog.openFastq', {}));
        } catch (err) {
          reportError('Opening the file dialog', err);
          return false;
        }
        return startRun(paths, get().platformChoice);
      },

      async rerun(runId) {
        const { detailsByRun, runs } = get();
        const detail = detailsByRun[runId];
        const inputs = detail?.inputs ?? runs.find((r) => r.id === runId)?.inputs ?? [];
        // An align run again with its own settings; its last input is the reference.
        const referencePath = detail?.config.referencePath;
        if (detail?.kind === 'align' && referencePath !== undefined) {
          const { bamPath, preset, sample } = detail.config;
          if (bamPath !== undefined) return get().startAlignmentFromBam({ bamPath, referencePath });
          const readPaths = inputs.map((input) => input.path).filter((path) => path !== referencePath);
          return get().startAlignment({ readPaths, referencePath, preset: preset ?? 'auto', ...(sample ? { sample } : {}) });
        }
        // An analysis again as an analysis (not as a QC run of its reads), from its BAM or its reads.
        if (detail?.kind === 'analyze' && referencePath !== undefined) {
          const { bamPath, sample, platform } = detail.config;
          if (bamPath !== undefined) return get().startAnalysisFromBam({ bamPath, referencePath, platform, ...(sample ? { sample } : {}) });
          const readPaths = inputs.map((input) => input.path).filter((path) => path !== referencePath);
          return get().startAnalysis({ readPaths, referencePath, platform, ...(sample ? { sample } : {}) });
        }
        return startRun(
          inputs.map((input) => input.path),
          detail?.config.platform ?? 'auto',
        );
      },

      async cancelRun(runId) {
        set((state) => ({ cancelling: { ...state.cancelling, [runId]: true } }));
        try {
          await bridge.request('run.cancel', { runId });
        } catch (err) {
          reportError('Cancelling the run', err);
        } finally {
          set((state) => ({ cancelling: withoutKey(state.cancelling, runId) }));
        }
      },

      cancelTransfer() {
        transferAbort?.abort();
      },

      async loadRun(runId) {
        try {
          storeDetail(await bridge.request('run.get', { runId }));
        } catch (err) {
          const error = toGenomaicError(err);
          set((state) => ({ detailErrors: { ...state.detailErrors, [runId]: error } }));
          reportError('Loading the run', err);
        }
      },

      async refreshRuns() {
        try {
          const listed = await bridge.request('runs.list', {});
          set((state) => ({ runs: mergeRunList(state.runs, listed), runsLoaded: true }));
        } catch (err) {
          set({ runsLoaded: true });
          reportError('Loading the list of runs', err);
        }
      },

      async overridePlatform(runId, path, choice) {
        const key = overrideKey(runId, path);
        set((state) => ({ pendingOverrides: { ...state.pendingOverrides, [key]: true } }));
        try {
          storeDetail(await bridge.request('run.setPlatform', { runId, path, platform: choice }));
        } catch (err) {
          reportError(`Changing the platform of ${baseName(path)}`, err);
        } finally {
          set((state) => ({ pendingOverrides: withoutKey(state.pendingOverrides, key) }));
        }
      },

      dismissBanner(id) {
        set((state) => ({ banners: state.banners.filter((b) => b.id !== id) }));
      },

      reportError,
    };
  });
}
