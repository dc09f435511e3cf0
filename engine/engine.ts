import { EventEmitter } from 'node:events';
import { stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type {
  AppInfo,
  EventChannel,
  EventMap,
  HostKind,
  JobProgress,
  Platform,
  RequestChannel,
  RequestMap,
  RequestParams,
  RequestResult,
  RunConfig,
  RunInputRef,
  RunSummary,
} from '../app/contract.js';
import { RESEARCH_NOTICE } from '../app/contract.js';
import { EngineError, toGenomaicError } from './errors.js';
import { ProjectStore } from './store/project-store.js';
import { runWorkerJob, workerEntry } from './jobs/worker-job.js';
import type { IngestJobInput } from './jobs/ingest-worker.js';
import type { IngestProgress, IngestResult } from './ingest/index.js';
import { loadQcConfig } from './config/qc-config.js';
import { appVersion } from './version.js';
import { reviewHandlers } from './review/handlers.js';

export interface EngineOptions {
  /** Folder of the project database and uploads. */
  dataDir: string;
  host: HostKind;
  /** better-sqlite3 addon for this runtime, when it is not Node's (Electron). */
  nativeBinding?: string;
  /** QC preset; default configs/qc.yaml. */
  qcConfigPath?: string;
}

type Handlers = { [C in RequestChannel]: (params: RequestParams<C>) => Promise<RequestResult<C>> };

interface ActiveJob {
  abort: AbortController;
  done: Promise<RunSummary>;
}

const PLATFORMS: readonly (Platform | 'auto')[] = ['auto', 'illumina', 'hifi', 'ont'];

/**
 * The engine's one API, driven identically by every host (Electron IPC, browser mode HTTP,
 * the CLI): typed requests in, typed events out. Parameters arrive from outside the process,
 * so each handler validates them before use.
 */
export class Engine {
  readonly dataDir: string;
  readonly host: HostKind;
  readonly store: ProjectStore;
  private readonly qcDefaults: RunConfig;
  private readonly events = new EventEmitter();
  private readonly jobs = new Map<string, ActiveJob>();
  private readonly handlers: Handlers;

  private constructor(options: EngineOptions) {
    this.dataDir = resolve(options.dataDir);
    this.host = options.host;
    this.store = ProjectStore.open(join(this.dataDir, 'project.sqlite'), {
      appVersion: appVersion(),
      ...(options.nativeBinding ? { nativeBinding: options.nativeBinding } : {}),
    });
    this.qcDefaults = loadQcConfig(options.qcConfigPath);
    this.events.setMaxListeners(100);
    this.handlers = {
      'app.info': async () => this.info(),
      'qc.start': async (params) => ({ runId: await this.startQc(params.paths, params.platform) }),
      'run.cancel': async (params) => ({ cancelled: this.cancel(requireString(params.runId, 'runId')) }),
      'runs.list': async () => this.store.listRuns(),
      'run.get': async (params) => this.store.getRun(requireString(params.runId, 'runId')),
      'run.setPlatform': async (params) =>
        this.store.setPlatformOverride(
          requireString(params.runId, 'runId'),
          requireString(params.path, 'path'),
          requirePlatform(params.platform),
        ),
      'dialog.openFastq': async () => {
        throw EngineError.of('unsupported', 'The file dialog exists only in the desktop app; drop files or choose them in the page.');
      },
      // Review workstation (issue 7).
      ...reviewHandlers({ store: this.store, dataDir: this.dataDir, emit: (event, payload) => this.emit(event, payload), isRunActive: (runId) => this.jobs.has(runId) }),
    };
  }

  static open(options: EngineOptions): Engine {
    return new Engine(options);
  }

  get uploadsDir(): string {
    return join(this.dataDir, 'uploads');
  }

  info(): AppInfo {
    return { name: 'GenomAIc', version: appVersion(), host: this.host, dataDir: this.dataDir, notice: RESEARCH_NOTICE };
  }

  async handle<C extends RequestChannel>(channel: C, params: RequestParams<C>): Promise<RequestResult<C>> {
    if (!Object.prototype.hasOwnProperty.call(this.handlers, channel)) {
      throw EngineError.of('invalid-request', `Unknown request ${String(channel)}`);
    }
    const handler = this.handlers[channel] as (p: RequestMap[C]['params']) => Promise<RequestResult<C>>;
    return handler((params ?? {}) as RequestParams<C>);
  }

  on<E extends EventChannel>(event: E, listener: (payload: EventMap[E]) => void): () => void {
    this.events.on(event, listener);
    return () => this.events.off(event, listener);
  }

  private emit<E extends EventChannel>(event: E, payload: EventMap[E]): void {
    this.events.emit(event, payload);
  }

  /** Resolves when the run has ended (done, failed or cancelled). */
  async waitForRun(runId: string): Promise<RunSummary> {
    const job = this.jobs.get(runId);
    return job ? job.done : this.store.getRunSummary(runId);
  }

  cancel(runId: string): boolean {
    const job = this.jobs.get(runId);
    if (!job) return false;
    job.abort.abort();
    return true;
  }

  async startQc(paths: unknown, platform: unknown): Promise<string> {
    if (!Array.isArray(paths) || paths.length === 0 || !paths.every((p) => typeof p === 'string' && p.length > 0)) {
      throw EngineError.of('invalid-request', 'qc.start needs one or more FASTQ paths');
    }
    const chosen = platform === undefined ? this.qcDefaults.platform : requirePlatform(platform);
    const inputs: RunInputRef[] = [];
    for (const p of paths as string[]) {
      const path = resolve(p);
      try {
        const s = await stat(path);
        if (!s.isFile()) throw EngineError.of('file-unreadable', `${path}: not a file`, { file: path });
        inputs.push({ path, name: basename(path), sizeBytes: s.size });
      } catch (err) {
        if (err instanceof EngineError) throw err;
        throw EngineError.of('file-not-found', `${path}: no such file`, { file: path });
      }
    }
    if (new Set(inputs.map((i) => i.path)).size !== inputs.length) {
      throw EngineError.of('invalid-request', 'The same file was given twice');
    }
    const config: RunConfig = { ...this.qcDefaults, platform: chosen };
    const run = this.store.createRun('qc', config, inputs);
    this.emit('run.updated', run);

    const abort = new AbortController();
    const done = this.executeQc(run.id, inputs, config, abort.signal);
    this.jobs.set(run.id, { abort, done });
    void done.finally(() => this.jobs.delete(run.id));
    return run.id;
  }

  private async executeQc(runId: string, inputs: RunInputRef[], config: RunConfig, signal: AbortSignal): Promise<RunSummary> {
    const started = performance.now();
    const toJobProgress = (p: IngestProgress): JobProgress => {
      const elapsedSeconds = (performance.now() - started) / 1000;
      const byteRate = elapsedSeconds > 0 ? p.bytesRead / elapsedSeconds : 0;
      return {
        runId,
        stage: 'ingest',
        bytesRead: p.bytesRead,
        bytesTotal: p.bytesTotal,
        reads: p.reads,
        readsPerSecond: elapsedSeconds > 0 ? p.reads / elapsedSeconds : 0,
        etaSeconds: byteRate > 0 && p.bytesRead > 0 ? Math.max(0, (p.bytesTotal - p.bytesRead) / byteRate) : null,
        currentFile: p.currentFile,
        elapsedSeconds,
      };
    };
    let summary: RunSummary;
    try {
      const input: IngestJobInput = { paths: inputs.map((i) => i.path), platform: config.platform, detectionReads: config.detectionReads };
      const result = await runWorkerJob<IngestJobInput, IngestProgress, IngestResult>(
        workerEntry(import.meta.url, 'jobs/ingest-worker'),
        input,
        { signal, onProgress: (p) => this.emit('run.progress', toJobProgress(p)) },
      );
      summary = this.store.completeQcRun(runId, result.files, result.pairs);
    } catch (err) {
      const error = toGenomaicError(err);
      summary = this.store.endRun(runId, error.code === 'cancelled' ? 'cancelled' : 'failed', error);
    }
    this.emit('run.updated', summary);
    return summary;
  }

  /** Cancels running jobs, waits for them to record their end, then closes the database. */
  async close(): Promise<void> {
    const pending = [...this.jobs.values()];
    for (const job of pending) job.abort.abort();
    await Promise.allSettled(pending.map((j) => j.done));
    this.store.close();
  }
}

function requireString(value: unknown, name: string): string {
  if (typeof value !== 'string' || value.length === 0) throw EngineError.of('invalid-request', `${name} must be a non-empty string`);
  return value;
}

function requirePlatform(value: unknown): Platform | 'auto' {
  if (value === undefined) return 'auto';
  if (typeof value === 'string' && (PLATFORMS as readonly string[]).includes(value)) return value as Platform | 'auto';
  throw EngineError.of('invalid-request', `platform must be one of ${PLATFORMS.join(', ')}`);
}

