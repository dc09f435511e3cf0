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

/**
 * 'analyze': FASTQ → BAM → VCF + abstention BED + provenance (or such outputs imported for review).
 * 'align': FASTQ → BAM + BAI only (or another aligner's BAM imported against a reference).
 */
export type RunKind = 'qc' | 'analyze' | 'align';

/** The built-in aligner's presets: short reads (Illumina), PacBio HiFi, Oxford Nanopore. */
export type AlignPreset = 'sr' | 'hifi' | 'ont';
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
  /** Analyze runs: the reference FASTA. */
  referencePath?: string;
  /** Analyze runs: the sample name in the read group and the VCF. */
  sample?: string;
  /** Analyze runs from an existing BAM instead of reads. */
  bamPath?: string;
  /** Align runs from reads: the aligner's preset; 'auto' takes it from the platform detected in the reads. */
  preset?: AlignPreset | 'auto';
}

export interface RunDetail extends RunSummary {
  config: RunConfig;
  /** SHA-256 of the canonical JSON of `config`. */
  configHash: string;
  files: InputFileReport[];
  pairs: PairCheck[];
  /** Analysis runs: the files the run produced (review workstation, issue 7). */
  outputs?: RunOutputs;
  /** Align runs, once done: the BAM + BAI and what the alignment found. */
  alignment?: AlignRunOutputs;
}

/** What an align run wrote (host paths, in the project's run folder) and found. */
export interface AlignRunOutputs {
  outputDir: string;
  bam: string;
  bamIndex: string;
  referencePath: string;
  /** SHA-256 of the reference FASTA file as read. */
  referenceSha256: string;
  summary: AlignmentSummary;
}

export interface AlignmentSummary {
  /** 'aligned': the built-in aligner from reads; 'imported': another aligner's BAM. */
  source: 'aligned' | 'imported';
  /** The preset used; null for an imported BAM. */
  preset: AlignPreset | null;
  /** true when the preset came from the platform detected in the reads, not the user. */
  presetDetected: boolean;
  /** What the reads looked like to the detector; null for an imported BAM. */
  detectedPlatform: DetectedPlatform | null;
  /** Reads were aligned (or imported) as R1/R2 pairs. */
  paired: boolean;
  /** Primary reads (secondary and supplementary alignments not counted). */
  reads: number;
  mapped: number;
  /** mapped / reads (0 when there are no reads). */
  mappedFraction: number;
  /** Pairs only: primary reads flagged properly paired, of all reads (as samtools flagstat); null single-end. */
  properlyPairedFraction: number | null;
  secondary: number;
  supplementary: number;
  /** mappedFraction is under `lowMappingThreshold`: wrong reference, or reads from another genome. */
  lowMappingRate: boolean;
  lowMappingThreshold: number;
  /** Things the user must see (the low mapping rate first when it applies). */
  warnings: string[];
  seconds: number;
}

/**
 * The steps of a run: QC runs only ingest; analyze runs ingest, align, call (or import, call from a
 * BAM); align runs only align (or import).
 */
export type JobStage = 'ingest' | 'import' | 'align' | 'call';

export interface JobProgress {
  runId: string;
  stage: JobStage;
  /** 1-based position of `stage` among the run's `stageCount` stages. */
  stageIndex: number;
  stageCount: number;
  /** What the stage is doing now, for people (e.g. 'building the minimizer index'); null when the stage says it all. */
  detail: string | null;
  /**
   * Work done of the stage's total, in `unit`: input bytes consumed (compressed bytes for gzip)
   * while reading FASTQ, reference bases while calling.
   */
  done: number;
  total: number;
  unit: 'bytes' | 'bp';
  reads: number;
  readsPerSecond: number;
  /** Of the current stage; null until a rate is known. */
  etaSeconds: number | null;
  currentFile: string;
  /** Since the run started. */
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
  /**
   * Start an analysis: FASTQ → QC → alignment (BAM + BAI) → calls (VCF + TBI, abstention BED,
   * provenance), opened for review when done.
   */
  'analyze.start': {
    params: { readPaths: string[]; referencePath: string; platform?: Platform | 'auto'; sample?: string };
    result: { runId: string };
  };
  /**
   * Call variants from an existing alignment (another aligner's BAM): imported (validated against
   * the reference, sorted, indexed), then called and opened for review like any analysis.
   */
  'analyze.fromBam': {
    params: { bamPath: string; referencePath: string; platform?: Platform | 'auto'; sample?: string };
    result: { runId: string };
  };
  /**
   * Align only: one FASTQ or an R1/R2 pair → coordinate-sorted BAM + BAI in the run's folder,
   * with no calling. The preset defaults to the one for the platform detected in the reads.
   */
  'align.start': {
    params: { readPaths: string[]; referencePath: string; preset?: AlignPreset | 'auto'; sample?: string };
    result: { runId: string };
  };
  /**
   * Import another aligner's BAM as an align run: validated against the reference (contig
   * names, lengths, MD5), coordinate-sorted and indexed into the run's folder.
   */
  'align.fromBam': { params: { bamPath: string; referencePath: string }; result: { runId: string } };
  /** Analyze the bundled demo (real NA12878 reads on a 12 kb chr22 segment). */
  'demo.start': { params: NoParams; result: { runId: string } };
  'run.cancel': { params: { runId: string }; result: { cancelled: boolean } };
  'runs.list': { params: NoParams; result: RunSummary[] };
  'run.get': { params: { runId: string }; result: RunDetail };
  /** Override (or, with 'auto', restore) the platform of one input of a finished run. */
  'run.setPlatform': { params: { runId: string; path: string; platform: Platform | 'auto' }; result: RunDetail };
  /** Electron only: the native open dialog. Browser mode answers 'unsupported'. */
  'dialog.openFastq': { params: NoParams; result: { paths: string[] } };
  // Review workstation (issue 7): types in the section at the end of this file.
  'analysis.import': { params: { dir: string }; result: { runId: string } };
  'review.workspace': { params: { runId: string }; result: ReviewWorkspace };
  'calls.list': { params: CallQuery; result: CallPage };
  'call.get': { params: { runId: string; callId: number }; result: CallDetail };
  'review.set': { params: ReviewInput; result: ReviewOutcome };
  'review.history': { params: { runId: string; callId?: number }; result: ReviewAuditEntry[] };
  'export.reviewedVcf': { params: { runId: string }; result: ExportResult };
  'export.report': { params: { runId: string }; result: ExportResult };
  'run.delete': { params: { runId: string; confirm: string }; result: RunDeletion };
  'tracks.add': { params: { runId: string; path: string; name?: string }; result: UserTrack };
  'tracks.remove': { params: { runId: string; trackId: string }; result: { removed: boolean } };
}

export interface EventMap {
  'run.progress': JobProgress;
  /** A run changed status (started, finished, failed, cancelled). */
  'run.updated': RunSummary;
  /** A review was recorded (by this window or another). */
  'review.updated': ReviewOutcome;
  'run.deleted': { runId: string };
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

// ---------------------------------------------------------------------------
// ---- Review workstation (issue 7)
//
// An analysis run's calls in the project database, their evidence, human review with an
// append-only audit log, exports, and the files igv.js reads. Files reach the UI only as
// relative URLs `files/<runId>/<artifact>/<name>` and `files/user/<trackId>/<name>`, served
// with HTTP Range support by both hosts (browser mode: app/serve/files-route.ts; Electron:
// the genomaic-app scheme) and only for files registered to a run.

/** The files an analysis run produced, as registered in the project database (host paths). */
export interface RunOutputs {
  outputDir: string;
  sample: string;
  referencePath: string;
  referenceIndexPath: string;
  /** .gzi of a bgzipped reference; null for plain FASTA. */
  referenceGziPath: string | null;
  bam: string;
  bamIndex: string;
  vcf: string;
  vcfIndex: string;
  abstentionBed: string;
  provenance: string;
}

/** What the servers serve for a run; never a path from the request. */
export type RunArtifact =
  | 'reference'
  | 'reference-index'
  | 'reference-gzi'
  | 'bam'
  | 'bam-index'
  | 'vcf'
  | 'vcf-index'
  | 'abstention-bed'
  | 'provenance'
  | 'reviewed-vcf'
  | 'reviewed-vcf-index'
  | 'report';

export type VariantType = 'snv' | 'mnv' | 'insertion' | 'deletion' | 'complex';
export type ReviewDecision = 'accepted' | 'rejected' | 'uncertain';
export type ReviewStatus = ReviewDecision | 'unreviewed';

/** The verifier's verdict; null on a call means no verifier ran (the statistical caller). */
export type VerifierVerdict = { kind: 'pass' } | { kind: 'reroute'; expert: string } | { kind: 'abstain'; reason: string };
export type VerifierVerdictKind = VerifierVerdict['kind'] | 'none';

/** One expert's router weight for a call (mixture-of-experts provenance). */
export interface ExpertWeight {
  expert: string;
  weight: number;
}

/** One row of the variant table. */
export interface CallSummary {
  /** 0-based ordinal of the record in the run's VCF; stable for the run's lifetime. */
  id: number;
  /** CHROM:POS:REF:ALT, the sidecar's key. */
  key: string;
  contig: string;
  /** 1-based, as in the VCF. */
  pos: number;
  ref: string;
  alts: string[];
  type: VariantType;
  /** VCF GT, './.' for a no-call. */
  gt: string;
  /** Calibrated GQ; null for a no-call. */
  gq: number | null;
  qual: number | null;
  depth: number;
  /** 'PASS', 'Abstain' or another FILTER value as written. */
  filter: string;
  abstainReason: string | null;
  modelId: string;
  /** null: no experts (the statistical caller). */
  experts: ExpertWeight[] | null;
  verifier: VerifierVerdict | null;
  reviewStatus: ReviewStatus;
}

export interface ReadEvidence {
  name: string;
  reverse: boolean;
  /** Allele index the read supports (0 = REF). */
  allele: number;
  /** log10 likelihood margin over the next best allele. */
  margin: number;
}

export interface InputChecksum {
  /** 'bam', 'reference', 'reference contig <name>', … */
  role: string;
  path: string;
  algorithm: 'sha256' | 'md5';
  value: string;
}

export interface CallProvenance {
  software: string;
  commandLine: string;
  modelId: string;
  /** The model's version as recorded (checkpoint id); null for the statistical caller. */
  modelVersion: string | null;
  configHash: string;
  calibration: string;
  /** The GQ calibration of the calls the learned model genotyped; null when no model ran. */
  learnedCalibration: string | null;
  platform: string;
  inputs: InputChecksum[];
}

export interface ReviewRecord {
  runId: string;
  callId: number;
  status: ReviewDecision;
  note: string;
  reviewer: string;
  /** ISO 8601. */
  at: string;
}

/** Everything the evidence panel shows for one call. */
export interface CallDetail extends CallSummary {
  bestGenotype: string;
  rawGq: number | null;
  /** What the GQ rests on: the calibration map and its held-out data. */
  calibration: string;
  alleleDepths: number[];
  strand: { refForward: number; refReverse: number; altForward: number[]; altReverse: number[] };
  meanMapq: number | null;
  mapq0Fraction: number | null;
  repeat: { length: number; unit: string } | null;
  /** Abstention rules that fired (also on calls kept). */
  diagnostics: string[];
  method: string | null;
  /** Reads supporting an alternate allele. */
  supportingReads: ReadEvidence[];
  /** Reads supporting the reference allele. */
  opposingReads: ReadEvidence[];
  uninformativeReads: string[];
  provenance: CallProvenance;
  review: ReviewRecord | null;
}

export type CallSortKey = 'position' | 'type' | 'gq' | 'qual' | 'depth' | 'filter' | 'verifier' | 'review';

export interface CallSort {
  key: CallSortKey;
  direction: 'asc' | 'desc';
}

/** Empty or absent fields do not filter. Lists match any of their values. */
export interface CallFilter {
  types?: VariantType[];
  minGq?: number | null;
  maxGq?: number | null;
  /** FILTER values; 'Abstain' selects the abstentions. */
  filters?: string[];
  abstainReasons?: string[];
  /** Expert ids; 'none' selects calls with no experts (the statistical caller). */
  experts?: string[];
  verifier?: VerifierVerdictKind[];
  review?: ReviewStatus[];
  contig?: string;
}

/** Server-side paging, so a 100,000-row run never crosses the wire at once. */
export interface CallQuery {
  runId: string;
  offset: number;
  /** At most 1000. */
  limit: number;
  sort?: CallSort;
  filter?: CallFilter;
}

export interface FacetCount {
  value: string;
  count: number;
}

export interface CallPage {
  /** Rows matching the filter. */
  total: number;
  /** Rows in the run. */
  runTotal: number;
  offset: number;
  rows: CallSummary[];
  /** Counts over the whole run, for the filter controls. */
  facets: {
    types: FacetCount[];
    filters: FacetCount[];
    abstainReasons: FacetCount[];
    experts: FacetCount[];
    verifier: FacetCount[];
    review: FacetCount[];
  };
}

export interface ReviewInput {
  runId: string;
  callId: number;
  status: ReviewDecision;
  note: string;
  reviewer: string;
}

export interface ReviewOutcome {
  review: ReviewRecord;
  call: CallSummary;
}

export type ReviewAuditAction = 'review.set' | 'run.imported' | 'run.deleted' | 'export.reviewedVcf' | 'export.report';

/** One line of the append-only audit log (the database refuses UPDATE and DELETE on it). */
export interface ReviewAuditEntry {
  seq: number;
  runId: string;
  action: ReviewAuditAction;
  callId: number | null;
  callKey: string | null;
  status: ReviewStatus | null;
  previousStatus: ReviewStatus | null;
  note: string | null;
  reviewer: string | null;
  at: string;
}

export type UserTrackFormat = 'bigwig' | 'bedgraph' | 'bed' | 'vcf';

/** A track the user added from disk, checked before it was accepted. */
export interface UserTrack {
  id: string;
  runId: string;
  name: string;
  path: string;
  format: UserTrackFormat;
  url: string;
  indexUrl: string | null;
  sizeBytes: number;
  addedAt: string;
}

export interface AbstentionRegion {
  contig: string;
  /** 0-based, half-open (BED). */
  start: number;
  end: number;
  reason: string;
}

/** What the genome view and the table need to open a run. */
export interface ReviewWorkspace {
  runId: string;
  sample: string;
  /** Relative URLs served by the host (see the section comment). */
  urls: {
    reference: string;
    referenceIndex: string;
    referenceGzi: string | null;
    bam: string;
    bamIndex: string;
    vcf: string;
    vcfIndex: string;
    abstentionBed: string;
  };
  contigs: { name: string; length: number }[];
  abstentions: AbstentionRegion[];
  /** Abstention vocabulary: code → text. */
  abstainReasonText: Record<string, string>;
  provenance: CallProvenance;
  callCount: number;
  reviewedCount: number;
  userTracks: UserTrack[];
}

export interface ExportResult {
  path: string;
  /** Relative URL to download it through the host. */
  url: string;
  bytes: number;
  records: number;
  reviewed: number;
}

export interface RunDeletion {
  deleted: true;
  /** Output files removed (only those under the data folder; a user's folder is kept). */
  removedFiles: boolean;
  keptDir: string | null;
}
