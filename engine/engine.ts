import { EventEmitter } from 'node:events';
import { stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type {
  AlignPreset,
  AlignRunOutputs,
  AppInfo,
  EventChannel,
  EventMap,
  HostKind,
  JobStage,
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
import type { AnalyzeJobInput, AnalyzeJobProgress, AnalyzeJobResult } from './jobs/analyze-worker.js';
import type { AlignJobInput } from './jobs/align-worker.js';
import { ReviewStore } from './review/review-store.js';
import { importRunOutputs, locateAnalysisOutputs } from './review/import-outputs.js';
import { findPackageRoot } from './version.js';
import type { IngestProgress, IngestResult } from './ingest/index.js';
import { loadQcConfig } from './config/qc-config.js';
import { appVersion } from './version.js';
import { mkdir, rm } from 'node:fs/promises';
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
const PRESETS: readonly (AlignPreset | 'auto')[] = ['auto', 'sr', 'hifi', 'ont'];
/** The platform a chosen preset stands for, so an align run's config reads like the others'. */
const PLATFORM_OF_PRESET: Record<AlignPreset | 'auto', Platform | 'auto'> = { auto: 'auto', sr: 'illumina', hifi: 'hifi', ont: 'ont' };

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
    const review = reviewHandlers({ store: this.store, dataDir: this.dataDir, emit: (event, payload) => this.emit(event, payload), isRunActive: (runId) => this.jobs.has(runId) });
    this.handlers = {
      'app.info': async () => this.info(),
      'qc.start': async (params) => ({ runId: await this.startQc(params.paths, params.platform) }),
      'analyze.start': async (params) => ({
        runId: await this.startAnalyze({
          readPaths: params.readPaths,
          referencePath: params.referencePath,
          platform: params.platform,
          sample: params.sample,
        }),
      }),
      'analyze.fromBam': async (params) => ({
        runId: await this.startAnalyze({
          readPaths: undefined,
          bamPath: params.bamPath,
          referencePath: params.referencePath,
          platform: params.platform,
          sample: params.sample,
        }),
      }),
      'align.start': async (params) => ({
        runId: await this.startAlign({ readPaths: params.readPaths, referencePath: params.referencePath, preset: params.preset, sample: params.sample }),
      }),
      'align.fromBam': async (params) => ({
        runId: await this.startAlign({ readPaths: undefined, bamPath: params.bamPath, referencePath: params.referencePath, preset: undefined, sample: undefined }),
      }),
      'demo.start': async () => {
        const demo = join(findPackageRoot(), 'assets', 'demo');
        return {
          runId: await this.startAnalyze({
            readPaths: [join(demo, 'NA12878.chr22.tiny.fq.gz')],
            referencePath: join(demo, 'q.fa'),
            platform: 'illumina',
            sample: 'NA12878',
          }),
        };
      },
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
      ...review,
      'run.delete': async (params) => {
        // The review store removes the folders it registered (finished analyses); the app's own
        // run folder also holds align runs' BAMs and what an unfinished analysis left behind.
        const runDir = this.appRunDir(params.runId);
        const deletion = await review['run.delete'](params);
        if (runDir === null) return deletion;
        await rm(runDir, { recursive: true, force: true });
        return deletion;
      },
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
    const chosen = platform === undefined ? this.qcDefaults.platform : requirePlatform(platform);
    const inputs = await describeInputs(requirePaths(paths, 'qc.start needs one or more FASTQ paths'));
    const config: RunConfig = { ...this.qcDefaults, platform: chosen };
    const run = this.store.createRun('qc', config, inputs);
    this.emit('run.updated', run);
    return this.track(run.id, (signal) => this.executeQc(run.id, inputs, config, signal));
  }

  /** From reads (QC → align → call) or, with `bamPath`, from an existing alignment (import → call). */
  async startAnalyze(request: { readPaths: unknown; bamPath?: unknown; referencePath: unknown; platform: unknown; sample: unknown }): Promise<string> {
    const fromBam = request.bamPath !== undefined;
    const reads = await describeInputs(
      fromBam ? [requireString(request.bamPath, 'bamPath')] : requirePaths(request.readPaths, 'analyze.start needs one FASTQ or an R1/R2 pair'),
    );
    const [reference] = await describeInputs([requireString(request.referencePath, 'referencePath')]);
    if (reads.some((r) => r.path === reference!.path)) throw EngineError.of('invalid-request', 'The reference is also given as reads');
    const sample = optionalSampleName(request.sample);
    const config: RunConfig = {
      ...this.qcDefaults,
      platform: request.platform === undefined ? 'auto' : requirePlatform(request.platform),
      referencePath: reference!.path,
      ...(sample ? { sample } : {}),
      ...(fromBam ? { bamPath: reads[0]!.path } : {}),
    };
    const run = this.store.createRun('analyze', config, [...reads, reference!]);
    this.emit('run.updated', run);
    return this.track(run.id, (signal) => this.executeAnalyze(run.id, reads, config, signal));
  }

  /** Align only: reads → BAM + BAI (or, with `bamPath`, another aligner's BAM imported), no calling. */
  async startAlign(request: { readPaths: unknown; bamPath?: unknown; referencePath: unknown; preset: unknown; sample: unknown }): Promise<string> {
    const fromBam = request.bamPath !== undefined;
    const readPaths = fromBam ? [requireString(request.bamPath, 'bamPath')] : requirePaths(request.readPaths, 'align.start needs one FASTQ or an R1/R2 pair');
    if (readPaths.length > 2) throw EngineError.of('invalid-request', `align.start takes one FASTQ (single-end) or two (R1 and R2), got ${readPaths.length}`);
    const reads = await describeInputs(readPaths);
    const [reference] = await describeInputs([requireString(request.referencePath, 'referencePath')]);
    if (reads.some((r) => r.path === reference!.path)) throw EngineError.of('invalid-request', 'The reference is also given as reads');
    const preset = requirePreset(request.preset);
    const sample = optionalSampleName(request.sample);
    const config: RunConfig = {
      ...this.qcDefaults,
      platform: PLATFORM_OF_PRESET[preset],
      referencePath: reference!.path,
      ...(sample ? { sample } : {}),
      ...(fromBam ? { bamPath: reads[0]!.path } : { preset }),
    };
    const run = this.store.createRun('align', config, [...reads, reference!]);
    this.emit('run.updated', run);
    return this.track(run.id, (signal) => this.executeAlign(run.id, reads, config, signal));
  }

  /** The folder of an align run (null for any other run, or no such run). */
  /** The folder the engine creates for a run it executes (align and analyze runs), if the run exists. */
  private appRunDir(runId: unknown): string | null {
    if (typeof runId !== 'string' || runId === '') return null;
    try {
      return this.store.getRunSummary(runId).kind === 'qc' ? null : join(this.dataDir, 'runs', runId);
    } catch {
      return null;
    }
  }

  private track(runId: string, execute: (signal: AbortSignal) => Promise<RunSummary>): string {
    const abort = new AbortController();
    const done = execute(abort.signal);
    this.jobs.set(runId, { abort, done });
    void done.finally(() => this.jobs.delete(runId));
    return runId;
  }

  /** Turns a stage's raw progress into the contract's frame, with rate and ETA of that stage. */
  private progressReporter(runId: string, stages: readonly JobStage[]): (p: AnalyzeJobProgress) => void {
    const runStarted = performance.now();
    let stage: JobStage | undefined;
    let stageStarted = runStarted;
    return (p) => {
      const now = performance.now();
      if (p.stage !== stage) {
        stage = p.stage;
        stageStarted = now;
      }
      const stageSeconds = (now - stageStarted) / 1000;
      const rate = stageSeconds > 0 ? p.done / stageSeconds : 0;
      this.emit('run.progress', {
        runId,
        stage: p.stage,
        stageIndex: stages.indexOf(p.stage) + 1,
        stageCount: stages.length,
        detail: p.detail,
        done: p.done,
        total: p.total,
        unit: p.unit,
        reads: p.reads,
        readsPerSecond: stageSeconds > 0 ? p.reads / stageSeconds : 0,
        etaSeconds: rate > 0 && p.done > 0 ? Math.max(0, (p.total - p.done) / rate) : null,
        currentFile: p.currentFile,
        elapsedSeconds: (now - runStarted) / 1000,
      });
    };
  }

  private async executeQc(runId: string, inputs: RunInputRef[], config: RunConfig, signal: AbortSignal): Promise<RunSummary> {
    const report = this.progressReporter(runId, ['ingest']);
    return this.settle(runId, async () => {
      const input: IngestJobInput = { paths: inputs.map((i) => i.path), platform: config.platform, detectionReads: config.detectionReads };
      const result = await runWorkerJob<IngestJobInput, IngestProgress, IngestResult>(workerEntry(import.meta.url, 'jobs/ingest-worker'), input, {
        signal,
        onProgress: (p) =>
          report({ stage: 'ingest', detail: null, done: p.bytesRead, total: p.bytesTotal, unit: 'bytes', reads: p.reads, currentFile: p.currentFile }),
      });
      return this.store.completeQcRun(runId, result.files, result.pairs);
    });
  }

  private async executeAnalyze(runId: string, reads: RunInputRef[], config: RunConfig, signal: AbortSignal): Promise<RunSummary> {
    const report = this.progressReporter(runId, config.bamPath ? ['import', 'call'] : ['ingest', 'align', 'call']);
    return this.settle(runId, async () => {
      const outputDir = join(this.dataDir, 'runs', runId);
      await mkdir(outputDir, { recursive: true });
      const input: AnalyzeJobInput = {
        readPaths: config.bamPath ? [] : reads.map((r) => r.path),
        bamPath: config.bamPath ?? null,
        referencePath: config.referencePath!,
        platform: config.platform,
        detectionReads: config.detectionReads,
        sample: config.sample ?? null,
        outputDir,
        commandLine: `GenomAIc ${appVersion()} analyze (${this.host})`,
      };
      const result = await runWorkerJob<AnalyzeJobInput, AnalyzeJobProgress, AnalyzeJobResult>(workerEntry(import.meta.url, 'jobs/analyze-worker'), input, {
        signal,
        onProgress: report,
      });
      if (result.ingest) this.store.recordIngest(runId, result.ingest.files, result.ingest.pairs);
      await importRunOutputs(new ReviewStore(this.store.connection), runId, await locateAnalysisOutputs(outputDir), { dataDir: this.dataDir, ownedDir: true });
      return this.store.finishRun(runId);
    });
  }

  private async executeAlign(runId: string, reads: RunInputRef[], config: RunConfig, signal: AbortSignal): Promise<RunSummary> {
    const report = this.progressReporter(runId, [config.bamPath ? 'import' : 'align']);
    const outputDir = join(this.dataDir, 'runs', runId);
    return this.settle(runId, async () => {
      try {
        await mkdir(outputDir, { recursive: true });
        const input: AlignJobInput = {
          readPaths: config.bamPath ? [] : reads.map((r) => r.path),
          bamPath: config.bamPath ?? null,
          referencePath: config.referencePath!,
          preset: config.preset ?? 'auto',
          sample: config.sample ?? null,
          outputDir,
          indexCacheDir: join(this.dataDir, 'index-cache'),
          commandLine: `GenomAIc ${appVersion()} align (${this.host})`,
        };
        const result = await runWorkerJob<AlignJobInput, AnalyzeJobProgress, AlignRunOutputs>(workerEntry(import.meta.url, 'jobs/align-worker'), input, {
          signal,
          onProgress: report,
        });
        return this.store.completeAlignRun(runId, result);
      } catch (err) {
        // A run that did not finish leaves no BAM behind: the sorter deletes its partial files
        // on a cancel, but a worker terminated after its grace period may not have.
        await rm(outputDir, { recursive: true, force: true, maxRetries: 3 });
        throw err;
      }
    });
  }

  /** Runs a job's body and records how it ended: done, cancelled or failed with its error. */
  private async settle(runId: string, body: () => Promise<RunSummary>): Promise<RunSummary> {
    let summary: RunSummary;
    try {
      summary = await body();
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

function requirePreset(value: unknown): AlignPreset | 'auto' {
  if (value === undefined) return 'auto';
  if (typeof value === 'string' && (PRESETS as readonly string[]).includes(value)) return value as AlignPreset | 'auto';
  throw EngineError.of('invalid-request', `preset must be one of ${PRESETS.join(', ')}`);
}

/** The read group's and the outputs' sample name, when given. */
function optionalSampleName(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  const sample = requireString(value, 'sample');
  if (!/^[A-Za-z0-9._-]{1,64}$/.test(sample)) {
    throw EngineError.of('invalid-request', 'The sample name may use letters, digits, dot, dash and underscore (at most 64)');
  }
  return sample;
}

function requirePaths(value: unknown, message: string): string[] {
  if (!Array.isArray(value) || value.length === 0 || !value.every((p) => typeof p === 'string' && p.length > 0)) {
    throw EngineError.of('invalid-request', message);
  }
  return value as string[];
}

/** Absolute paths with names and sizes; a missing file or a repeated one is refused before any run starts. */
async function describeInputs(paths: string[]): Promise<RunInputRef[]> {
  const inputs: RunInputRef[] = [];
  for (const p of paths) {
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
  return inputs;
}
