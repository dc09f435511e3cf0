/**
 * The contract between the hosts (Electron, browser mode, CLI) and the UI.
 *
 * Import-free on purpose (as JBrowse desktop's channel types): the Electron preload, the
 * renderer bundle, the HTTP server and the engine all read these types without pulling
 * any runtime code across the process boundary. Every request, event and payload that
 * crosses a host boundary is declared here and nowhere else.
 */

// ---------------------------------------------------------------------------
// Shared vocabulary

export type Platform = 'illumina' | 'hifi' | 'ont';
export type DetectedPlatform = Platform | 'unknown';
export type Compression = 'none' | 'gzip' | 'bgzip';

export type RunKind = 'qc';
/**
 * `interrupted`: the process died while the run was `running` (found so at the next start).
 * `cancelled`: the user asked. `failed`: the input or the engine reported an error.
 */
export type RunStatus = 'queued' | 'running' | 'done' | 'failed' | 'cancelled' | 'interrupted';

/** Machine-readable fault codes; the message names the file, record and fault for people. */
export type ErrorCode =
  | 'file-not-found'
  | 'file-unreadable'
  | 'empty-file'
  | 'binary-file'
  | 'not-fastq'
  | 'truncated-gzip'
  | 'corrupt-gzip'
  | 'missing-header'
  | 'missing-plus'
  | 'truncated-record'
  | 'length-mismatch'
  | 'quality-out-of-range'
  | 'invalid-sequence'
  | 'pair-name-mismatch'
  | 'pair-count-mismatch'
  | 'invalid-request'
  | 'not-found'
  | 'unsupported'
  | 'unauthorized'
  | 'cancelled'
  | 'internal';

/** Every error that reaches a user. `record` and `line` are 1-based. */
export interface GenomaicError {
  code: ErrorCode;
  message: string;
  file?: string;
  record?: number;
  line?: number;
}

// ---------------------------------------------------------------------------
// QC payloads

/** Counts in fixed-width bins: bin i covers [start + i*width, start + (i+1)*width). */
export interface Histogram {
  start: number;
  width: number;
  counts: number[];
}

export interface PerCycleQuality {
  /** 1-based cycle (position in read). */
  cycle: number;
  mean: number;
  /** Quartiles of base quality at this cycle. */
  q25: number;
  median: number;
  q75: number;
}

export interface QcReport {
  reads: number;
  bases: number;
  minLength: number;
  maxLength: number;
  meanLength: number;
  n50: number;
  /** Mean Phred base quality over all bases. */
  meanQuality: number;
  /** Fraction of bases with Phred ≥ 20 and ≥ 30. */
  q20Fraction: number;
  q30Fraction: number;
  /** Fraction of G or C among non-N bases. */
  gcFraction: number;
  /** Fraction of bases that are N. */
  nRate: number;
  lengthHistogram: Histogram;
  /** Bases per Phred value 0..93 (width 1). */
  qualityHistogram: Histogram;
  /** Reads per percent GC, 0..100 (101 bins, width 1). */
  gcHistogram: Histogram;
  /** Short reads only (null for long reads): base quality by cycle. */
  perCycleQuality: PerCycleQuality[] | null;
}

export interface PlatformSignal {
  /** What was measured, e.g. 'read names', 'median length', 'mean quality'. */
  name: string;
  /** The measurement, as shown to the user, e.g. '151 bp', 'Q36.2', '@A00123:8:H7…'. */
  value: string;
  suggests: DetectedPlatform;
  /** Relative weight of this signal in the decision, 0..1. */
  weight: number;
}

export interface PlatformEvidence {
  platform: DetectedPlatform;
  /** 0..1: share of the weighted evidence that agrees with `platform`. */
  confidence: number;
  signals: PlatformSignal[];
  /** Reads inspected for the guess. */
  readsInspected: number;
}

export interface InputFileReport {
  path: string;
  name: string;
  sizeBytes: number;
  sha256: string;
  compression: Compression;
  /** Platform in effect: the user's override if any, else the detected one ('unknown' stays unknown). */
  platform: DetectedPlatform;
  detected: PlatformEvidence;
  platformOverridden: boolean;
  /** Set when the file is one mate of a pair. */
  mate: 1 | 2 | null;
  /** Path of the other mate. */
  mateOf: string | null;
  qc: QcReport;
}

export interface PairCheck {
  r1: string;
  r2: string;
  /** Records compared name by name. */
  recordsCompared: number;
  ok: boolean;
}

// ---------------------------------------------------------------------------
// Runs and jobs

export interface RunInputRef {
  path: string;
  name: string;
  sizeBytes: number;
}

export interface RunSummary {
  id: string;
  kind: RunKind;
  status: RunStatus;
  createdAt: string;
  finishedAt: string | null;
  appVersion: string;
  inputs: RunInputRef[];
  error: GenomaicError | null;
}

export interface RunConfig {
  /** 'auto' detects per file. */
  platform: Platform | 'auto';
  /** Reads inspected for platform detection. */
  detectionReads: number;
}

export interface RunDetail extends RunSummary {
  config: RunConfig;
  /** SHA-256 of the canonical JSON of `config`. */
  configHash: string;
  files: InputFileReport[];
  pairs: PairCheck[];
}

export interface JobProgress {
  runId: string;
  stage: 'ingest';
  /** Input bytes consumed (compressed bytes for gzip) of the total over all files. */
  bytesRead: number;
  bytesTotal: number;
  reads: number;
  readsPerSecond: number;
  /** null until a rate is known. */
  etaSeconds: number | null;
  currentFile: string;
  elapsedSeconds: number;
}

export type HostKind = 'electron' | 'browser' | 'cli';

export interface AppInfo {
  name: 'GenomAIc';
  version: string;
  host: HostKind;
  dataDir: string;
  /** Research use only; shown in the UI. */
  notice: string;
}

// ---------------------------------------------------------------------------
// Requests (UI → host) and events (host → UI)

type NoParams = Record<string, never>;

export interface RequestMap {
  'app.info': { params: NoParams; result: AppInfo };
  /** Start QC over one or more FASTQ paths readable by the host. */
  'qc.start': { params: { paths: string[]; platform?: Platform | 'auto' }; result: { runId: string } };
  'run.cancel': { params: { runId: string }; result: { cancelled: boolean } };
  'runs.list': { params: NoParams; result: RunSummary[] };
  'run.get': { params: { runId: string }; result: RunDetail };
  /** Override (or, with 'auto', restore) the platform of one input of a finished run. */
  'run.setPlatform': { params: { runId: string; path: string; platform: Platform | 'auto' }; result: RunDetail };
  /** Electron only: the native open dialog. Browser mode answers 'unsupported'. */
  'dialog.openFastq': { params: NoParams; result: { paths: string[] } };
}

export interface EventMap {
  'run.progress': JobProgress;
  /** A run changed status (started, finished, failed, cancelled). */
  'run.updated': RunSummary;
}

export type RequestChannel = keyof RequestMap;
export type RequestParams<C extends RequestChannel> = RequestMap[C]['params'];
export type RequestResult<C extends RequestChannel> = RequestMap[C]['result'];
export type EventChannel = keyof EventMap;

/** What a request resolves to on the wire (IPC and HTTP alike). */
export type Reply<C extends RequestChannel> =
  | { ok: true; result: RequestResult<C> }
  | { ok: false; error: GenomaicError };

/** Event frame on the wire. */
export interface EventFrame<E extends EventChannel = EventChannel> {
  event: E;
  payload: EventMap[E];
}

/**
 * What the Electron preload exposes on `window.genomaic` (and nothing more).
 * `pathForFile` maps a dropped DOM File to its path on disk (Electron's webUtils).
 */
export interface PreloadApi {
  request<C extends RequestChannel>(channel: C, params: RequestParams<C>): Promise<Reply<C>>;
  subscribe<E extends EventChannel>(event: E, listener: (payload: EventMap[E]) => void): () => void;
  pathForFile(file: unknown): string;
}

/** IPC channel names shared by main and preload. */
export const IPC_REQUEST = 'genomaic:request';
export const IPC_EVENT = 'genomaic:event';

/**
 * Browser mode HTTP surface (all on 127.0.0.1, all requiring the per-launch token, given
 * either as `Authorization: Bearer <token>` or as the session cookie set by `GET /?token=`):
 *   POST /api/request        body {channel, params}       → Reply
 *   GET  /api/events         text/event-stream of EventFrame (SSE `data:` lines)
 *   POST /api/upload?name=N  raw file bytes               → {path}
 */
export const HTTP_TOKEN_COOKIE = 'genomaic_token';

export const RESEARCH_NOTICE =
  'Research use only. GenomAIc makes no medical decision and is not for genome editing or synthesis.';
