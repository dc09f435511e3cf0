/**
 * Worker thread entry of an analyze run: QC every FASTQ first (validation, checksums, platform
 * detection), then align and call through the shared pipeline. The alignment itself fans out to
 * its own worker pool from here.
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { JobStage, Platform } from '../../app/contract.js';
import { ingestFastqFiles, type IngestResult } from '../ingest/index.js';
import { analyzeBam, analyzeSample, type AnalyzeOutcome, type AnalyzeProgress } from '../pipeline/analyze.js';
import { EngineError, toGenomaicError } from '../errors.js';
import type { CancelMessage, WorkerMessage } from './worker-job.js';

export interface AnalyzeJobInput {
  /** FASTQ to QC and align; empty when `bamPath` is given. */
  readPaths: string[];
  /** An existing alignment to import instead of aligning reads. */
  bamPath: string | null;
  referencePath: string;
  platform: Platform | 'auto';
  detectionReads: number;
  sample: string | null;
  outputDir: string;
  commandLine: string;
}

/** A stage's raw progress; the engine adds rates, ETA and the run id. */
export interface AnalyzeJobProgress {
  stage: JobStage;
  detail: string | null;
  done: number;
  total: number;
  unit: 'bytes' | 'bp';
  reads: number;
  currentFile: string;
}

export interface AnalyzeJobResult {
  /** null when the run started from a BAM. */
  ingest: IngestResult | null;
  platform: Platform | null;
  sample: string;
  outputDir: string;
  warnings: string[];
  summary: Record<string, number>;
}

type Message = WorkerMessage<AnalyzeJobProgress, AnalyzeJobResult>;

/** The platform to align and call with: the user's, else the one every file agrees on. */
export function platformForAnalysis(requested: Platform | 'auto', ingest: IngestResult): Platform {
  if (requested !== 'auto') return requested;
  const detected = new Set(ingest.files.map((f) => f.platform));
  const [only] = [...detected];
  if (detected.size === 1 && only !== undefined && only !== 'unknown') return only;
  const described = ingest.files.map((f) => `${f.name}: ${f.platform}`).join(', ');
  throw EngineError.of(
    'invalid-request',
    detected.size > 1
      ? `The reads come from different platforms (${described}); analyze one platform per run, or choose the platform.`
      : `The platform of the reads could not be detected (${described}); choose Illumina, PacBio HiFi or ONT.`,
  );
}

/** Reads for the aligner: one file, or a checked R1/R2 pair in mate order. */
export function alignerReadOrder(ingest: IngestResult): string[] {
  if (ingest.files.length === 1) return [ingest.files[0]!.path];
  const [pair] = ingest.pairs;
  if (ingest.files.length === 2 && pair) return [pair.r1, pair.r2];
  throw EngineError.of(
    'unsupported',
    `An analysis takes one FASTQ or one R1/R2 pair; got ${ingest.files.length} files (${ingest.files.map((f) => f.name).join(', ')}).`,
  );
}

const port = parentPort;
if (port) {
  const input = workerData as AnalyzeJobInput;
  const abort = new AbortController();
  port.on('message', (msg: CancelMessage) => {
    if (msg.type === 'cancel') abort.abort();
  });
  const post = (progress: AnalyzeJobProgress): void => port.postMessage({ type: 'progress', progress } satisfies Message);
  const onProgress = (p: AnalyzeProgress, currentFile: string): void => {
    if (p.stage === 'call') {
      const c = p.call;
      post({ stage: 'call', detail: `calling ${c.contig}: ${c.records} records`, done: c.basesDone, total: c.basesTotal, unit: 'bp', reads: 0, currentFile: input.referencePath });
    } else {
      const a = p.align;
      post({ stage: p.stage, detail: a.detail, done: a.bytesRead, total: a.bytesTotal, unit: 'bytes', reads: a.reads, currentFile });
    }
  };
  const common = {
    referencePath: input.referencePath,
    outputDir: input.outputDir,
    ...(input.sample ? { sample: input.sample } : {}),
    commandLine: input.commandLine,
  };
  try {
    let ingest: IngestResult | null = null;
    let platform: Platform | null;
    let outcome: AnalyzeOutcome;
    if (input.bamPath !== null) {
      const bamPath = input.bamPath;
      // The BAM's read group names the platform when the user doesn't.
      platform = input.platform === 'auto' ? null : input.platform;
      outcome = await analyzeBam({ ...common, bamPath, platform }, { signal: abort.signal, onProgress: (p) => onProgress(p, bamPath) });
    } else {
      ingest = await ingestFastqFiles(input.readPaths, {
        signal: abort.signal,
        platform: input.platform,
        detectionReads: input.detectionReads,
        onProgress: (p) =>
          post({ stage: 'ingest', detail: 'validating reads and measuring QC', done: p.bytesRead, total: p.bytesTotal, unit: 'bytes', reads: p.reads, currentFile: p.currentFile }),
      });
      platform = platformForAnalysis(input.platform, ingest);
      const readPaths = alignerReadOrder(ingest);
      outcome = await analyzeSample({ ...common, readPaths, platform }, { signal: abort.signal, onProgress: (p) => onProgress(p, readPaths[0]!) });
    }
    port.postMessage({
      type: 'result',
      result: { ingest, platform, sample: outcome.sample, outputDir: input.outputDir, warnings: outcome.warnings, summary: outcome.summary },
    } satisfies Message);
  } catch (err) {
    port.postMessage({ type: 'error', error: abort.signal.aborted ? { code: 'cancelled', message: 'Cancelled' } : toGenomaicError(err) } satisfies Message);
  }
}
