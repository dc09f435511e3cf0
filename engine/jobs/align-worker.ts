/**
 * Worker thread entry of an align run: reads (one FASTQ, or an R1/R2 pair) → coordinate-sorted
 * BAM + BAI with the built-in aligner, or another aligner's BAM imported against the reference.
 * No QC pass first (unlike analyze runs): the aligner detects the platform from the first reads
 * itself, and a second read of the FASTQ would double the run's I/O for nothing it uses.
 *
 * Output goes through the formats layer's sorter, which writes temp names and renames the BAM
 * and then its BAI into place only once both are complete; a cancel aborts the sorter, which
 * deletes its partial files. The engine also removes the run's folder when the run does not
 * finish, for the case where the worker is terminated mid-rename.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { basename, join } from 'node:path';
import type { AlignPreset, AlignRunOutputs, AlignmentSummary, DetectedPlatform } from '../../app/contract.js';
import { alignReads, LOW_MAPPING_FRACTION, type AlignProgress } from '../align/align-reads.js';
import { importBam } from '../align/bam-import.js';
import { BamRecordReader, BgzfByteStream, readBamHeader } from '../formats/bam-reader.js';
import { openReference } from '../reference/reference-genome.js';
import { findMateFiles } from '../ingest/pairs.js';
import { sampleNameFromReads } from '../pipeline/analyze.js';
import { toGenomaicError } from '../errors.js';
import type { AnalyzeJobProgress } from './analyze-worker.js';
import type { CancelMessage, WorkerMessage } from './worker-job.js';

export interface AlignJobInput {
  /** FASTQ to align (one, or the two mates); empty when `bamPath` is given. */
  readPaths: string[];
  /** Another aligner's BAM to import instead of aligning reads. */
  bamPath: string | null;
  referencePath: string;
  preset: AlignPreset | 'auto';
  /** Read-group sample (and the output's name); null: from the first FASTQ's name. */
  sample: string | null;
  outputDir: string;
  /** Where the minimizer index is cached when the reference's folder is not writable. */
  indexCacheDir: string;
  commandLine: string;
}

type Message = WorkerMessage<AnalyzeJobProgress, AlignRunOutputs>;

/** Two files that are mates by name go R1 first, whatever order they were given in. */
function mateOrder(paths: readonly string[]): string[] {
  if (paths.length !== 2) return [...paths];
  const [pair] = findMateFiles(paths).pairs;
  return pair ? [pair.r1, pair.r2] : [...paths];
}

/** An imported BAM's version of the aligner's own LOW MAPPING RATE warning. */
function lowMappingWarning(mappedFraction: number, reads: number, referenceName: string): string {
  return (
    `LOW MAPPING RATE: only ${(mappedFraction * 100).toFixed(1)}% of ${reads.toLocaleString('en-US')} reads mapped to ${referenceName}; ` +
    'the reads may come from another genome or the wrong reference was chosen'
  );
}

interface FlagCounts {
  reads: number;
  mapped: number;
  paired: number;
  properlyPaired: number;
  secondary: number;
  supplementary: number;
}

/**
 * samtools flagstat's primary counts over a BAM, for an imported BAM (the import step counts
 * records, not reads). One streaming pass; the BAM was just written, so it is in the page cache.
 */
async function countFlags(bamPath: string, signal: AbortSignal): Promise<FlagCounts> {
  const stream = new BgzfByteStream(bamPath, { signal });
  const counts: FlagCounts = { reads: 0, mapped: 0, paired: 0, properlyPaired: 0, secondary: 0, supplementary: 0 };
  try {
    await readBamHeader(stream);
    const reader = new BamRecordReader(stream);
    for (;;) {
      const record = await reader.next();
      if (!record) break;
      const flag = record.readUInt16LE(18);
      if (flag & 0x100) counts.secondary++;
      else if (flag & 0x800) counts.supplementary++;
      else {
        counts.reads++;
        if (flag & 0x1) counts.paired++;
        if (!(flag & 0x4)) {
          counts.mapped++;
          if ((flag & 0x3) === 0x3) counts.properlyPaired++;
        }
      }
    }
  } finally {
    await stream.close();
  }
  return counts;
}

/** The run's stage and a phrase for people from the aligner's own stages. */
function jobProgress(p: AlignProgress, stage: 'align' | 'import', currentFile: string): AnalyzeJobProgress {
  return { stage, detail: p.detail, done: p.bytesRead, total: p.bytesTotal, unit: 'bytes', reads: p.reads, currentFile };
}

async function alignJob(input: AlignJobInput, signal: AbortSignal, post: (p: AnalyzeJobProgress) => void): Promise<AlignRunOutputs> {
  const started = performance.now();
  const referenceName = basename(input.referencePath);
  let summary: Omit<AlignmentSummary, 'lowMappingRate' | 'lowMappingThreshold' | 'seconds'>;
  let bam: string;
  let bamIndex: string;
  if (input.bamPath !== null) {
    const bamPath = input.bamPath;
    const name = input.sample ?? (basename(bamPath).replace(/\.bam$/i, '') || 'imported');
    const imported = await importBam({
      referencePath: input.referencePath,
      inputPath: bamPath,
      outputPath: join(input.outputDir, `${name}.bam`),
      signal,
      onProgress: (p) => post(jobProgress(p, 'import', bamPath)),
    });
    post({ stage: 'import', detail: 'counting reads', done: 0, total: 0, unit: 'bytes', reads: imported.records, currentFile: imported.outputPath });
    const counts = await countFlags(imported.outputPath, signal);
    const mappedFraction = counts.reads > 0 ? counts.mapped / counts.reads : 0;
    bam = imported.outputPath;
    bamIndex = imported.indexPath;
    summary = {
      source: 'imported',
      preset: null,
      presetDetected: false,
      detectedPlatform: null,
      paired: counts.paired > 0,
      reads: counts.reads,
      mapped: counts.mapped,
      mappedFraction,
      properlyPairedFraction: counts.paired > 0 ? counts.properlyPaired / counts.paired : null,
      secondary: counts.secondary,
      supplementary: counts.supplementary,
      warnings:
        counts.reads > 0 && mappedFraction < LOW_MAPPING_FRACTION
          ? [lowMappingWarning(mappedFraction, counts.reads, referenceName), ...imported.warnings]
          : imported.warnings,
    };
  } else {
    const readPaths = mateOrder(input.readPaths);
    const sample = input.sample ?? sampleNameFromReads(readPaths[0]!);
    const aligned = await alignReads({
      referencePath: input.referencePath,
      readPaths,
      outputPath: join(input.outputDir, `${sample}.bam`),
      ...(input.preset !== 'auto' ? { preset: input.preset } : {}),
      readGroup: { id: sample, sample },
      indexCacheDir: input.indexCacheDir,
      signal,
      onProgress: (p) => post(jobProgress(p, 'align', p.stage === 'align' ? readPaths[0]! : p.stage === 'sort' ? join(input.outputDir, `${sample}.bam`) : input.referencePath)),
      commandLine: input.commandLine,
    });
    bam = aligned.outputPath;
    bamIndex = aligned.indexPath;
    summary = {
      source: 'aligned',
      preset: aligned.preset,
      presetDetected: input.preset === 'auto',
      detectedPlatform: aligned.detectedPlatform as DetectedPlatform,
      paired: aligned.paired,
      reads: aligned.reads,
      mapped: aligned.mapped,
      mappedFraction: aligned.mappedFraction,
      properlyPairedFraction: aligned.paired ? (aligned.reads > 0 ? aligned.properPairs / aligned.reads : 0) : null,
      secondary: aligned.secondary,
      supplementary: aligned.supplementary,
      // The aligner already puts its LOW MAPPING RATE warning first.
      warnings: aligned.warnings,
    };
  }
  // From the reference layer's cache (written while aligning or importing): no second hash pass.
  const reference = await openReference(input.referencePath, { signal });
  return {
    outputDir: input.outputDir,
    bam,
    bamIndex,
    referencePath: reference.path,
    referenceSha256: reference.sha256,
    summary: {
      ...summary,
      lowMappingRate: summary.reads > 0 && summary.mappedFraction < LOW_MAPPING_FRACTION,
      lowMappingThreshold: LOW_MAPPING_FRACTION,
      seconds: (performance.now() - started) / 1000,
    },
  };
}

const port = parentPort;
if (port) {
  const input = workerData as AlignJobInput;
  const abort = new AbortController();
  port.on('message', (msg: CancelMessage) => {
    if (msg.type === 'cancel') abort.abort();
  });
  const post = (progress: AnalyzeJobProgress): void => port.postMessage({ type: 'progress', progress } satisfies Message);
  try {
    const result = await alignJob(input, abort.signal, post);
    port.postMessage({ type: 'result', result } satisfies Message);
  } catch (err) {
    port.postMessage({ type: 'error', error: abort.signal.aborted ? { code: 'cancelled', message: 'Cancelled' } : toGenomaicError(err) } satisfies Message);
  }
}
