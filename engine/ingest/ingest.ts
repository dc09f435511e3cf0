/**
 * The ingest stage: every input file streamed once, in bounded memory, through validation, QC,
 * platform detection and SHA-256; R1/R2 mates read in lockstep so their read names are compared
 * record by record without holding either file.
 */
import type { DetectedPlatform, InputFileReport, PairCheck, Platform } from '../../app/contract.js';
import { asIngestError, cancelledError, faultAt, formatCount, IngestError, quoteForMessage } from './errors.js';
import { FastqReader, recordFirstLine, type FastqBatch } from './fastq-reader.js';
import { findMateFiles, mateNamesMatch, mateReadName } from './pairs.js';
import { DEFAULT_DETECTION_READS, PlatformDetector } from './platform.js';
import { QcAccumulator } from './qc.js';

export interface IngestProgress {
  /** Raw bytes consumed so far (compressed bytes for gzip), over all files. */
  bytesRead: number;
  /** Sum of the input files' sizes. */
  bytesTotal: number;
  reads: number;
  /** Path of the file being read (R1's path while a pair is read in lockstep). */
  currentFile: string;
}

export interface IngestOptions {
  /** Abort → the promise rejects with an IngestError of code 'cancelled' within a chunk's time. */
  signal?: AbortSignal;
  /** Throttled to at most ~10 calls per second, plus one final call on success. */
  onProgress?: (progress: IngestProgress) => void;
  /** 'auto' (default) detects per file; a platform overrides detection for all files. */
  platform?: Platform | 'auto';
  /** Reads inspected per file for platform detection. */
  detectionReads?: number;
}

export interface IngestResult {
  /** One report per input, in input order. */
  files: InputFileReport[];
  pairs: PairCheck[];
}

const PROGRESS_INTERVAL_MS = 100;
const PLATFORM_CHOICES: readonly (Platform | 'auto')[] = ['auto', 'illumina', 'hifi', 'ont'];

/** Validates, QCs and fingerprints FASTQ files; rejects with an `IngestError` on the first fault. */
export async function ingestFastqFiles(paths: string[], options: IngestOptions = {}): Promise<IngestResult> {
  try {
    return await ingest(paths, options);
  } catch (error) {
    if (options.signal?.aborted) throw cancelledError();
    throw asIngestError(error);
  }
}

/**
 * The report with the user's platform choice applied: a platform overrides detection, 'auto'
 * restores the detected platform. Pure: returns a new object.
 */
export function withPlatformOverride(file: InputFileReport, platform: Platform | 'auto'): InputFileReport {
  if (platform === 'auto') return { ...file, platform: file.detected.platform, platformOverridden: false };
  return { ...file, platform, platformOverridden: true };
}

async function ingest(paths: string[], options: IngestOptions): Promise<IngestResult> {
  const { signal } = options;
  const platformChoice = options.platform ?? 'auto';
  const detectionReads = options.detectionReads ?? DEFAULT_DETECTION_READS;
  checkRequest(paths, platformChoice, detectionReads);
  if (signal?.aborted) throw cancelledError();

  const progress = new ProgressReporter(options.onProgress);
  const readers = new Map<string, FastqReader>();
  for (const path of paths) {
    const reader = await FastqReader.open(path, {
      validateBases: false,
      onRawBytes: (bytes) => progress.addBytes(bytes),
      ...(signal !== undefined ? { signal } : {}),
    });
    readers.set(path, reader);
    progress.bytesTotal += reader.sizeBytes;
  }
  if (signal?.aborted) throw cancelledError();

  const { pairs } = findMateFiles(paths);
  const pairOf = new Map<string, { r1: string; r2: string }>();
  for (const pair of pairs) {
    pairOf.set(pair.r1, pair);
    pairOf.set(pair.r2, pair);
  }
  const reports = new Map<string, InputFileReport>();
  const pairChecks: PairCheck[] = [];
  for (const path of paths) {
    if (reports.has(path)) continue;
    const pair = pairOf.get(path);
    if (pair) {
      const first = new FileAnalysis(readers.get(pair.r1)!, detectionReads, progress);
      const second = new FileAnalysis(readers.get(pair.r2)!, detectionReads, progress);
      const recordsCompared = await readMatesInLockstep(first, second, pair.r1);
      reports.set(pair.r1, first.report(platformChoice, 1, pair.r2));
      reports.set(pair.r2, second.report(platformChoice, 2, pair.r1));
      pairChecks.push({ r1: pair.r1, r2: pair.r2, recordsCompared, ok: true });
    } else {
      const single = new FileAnalysis(readers.get(path)!, detectionReads, progress);
      const batches = single.reader[Symbol.asyncIterator]();
      try {
        for (let step = await batches.next(); !step.done; step = await batches.next()) await single.add(step.value, path);
      } finally {
        await batches.return(undefined);
      }
      reports.set(path, single.report(platformChoice, null, null));
    }
  }
  progress.finish(paths[paths.length - 1]!);
  return { files: paths.map((p) => reports.get(p)!), pairs: pairChecks };
}

function checkRequest(paths: unknown, platform: unknown, detectionReads: unknown): void {
  const invalid = (message: string): IngestError => new IngestError({ code: 'invalid-request', message });
  if (!Array.isArray(paths) || paths.length === 0) throw invalid('Ingest needs at least one FASTQ file.');
  if (!paths.every((p) => typeof p === 'string' && p.length > 0)) throw invalid('Every input path must be a non-empty string.');
  const seen = new Set<string>();
  for (const path of paths as string[]) {
    if (seen.has(path)) throw new IngestError({ code: 'invalid-request', message: `${path} was given twice.`, file: path });
    seen.add(path);
  }
  if (!PLATFORM_CHOICES.includes(platform as Platform | 'auto')) {
    throw invalid(`Platform must be one of ${PLATFORM_CHOICES.join(', ')}, not ${String(platform)}.`);
  }
  if (typeof detectionReads !== 'number' || !Number.isInteger(detectionReads) || detectionReads < 1) {
    throw invalid(`detectionReads must be a positive whole number, not ${String(detectionReads)}.`);
  }
}

/** QC + detection state of one file during its pass. */
class FileAnalysis {
  readonly qc = new QcAccumulator();
  readonly detector: PlatformDetector;

  constructor(
    readonly reader: FastqReader,
    detectionReads: number,
    private readonly progress: ProgressReporter,
  ) {
    this.detector = new PlatformDetector(detectionReads);
  }

  /** Async only for the rare fault path, where the reader may need to read on to explain it. */
  async add(batch: FastqBatch, currentFile: string): Promise<void> {
    try {
      // QC first: it validates the bases the detector then reads unchecked.
      this.qc.addBatch(batch);
    } catch (fault) {
      throw await this.reader.explainFault(fault);
    }
    if (!this.detector.done) this.detector.addBatch(batch);
    this.progress.addReads(batch.count, currentFile);
  }

  report(platformChoice: Platform | 'auto', mate: 1 | 2 | null, mateOf: string | null): InputFileReport {
    const detected = this.detector.evidence();
    const platform: DetectedPlatform = platformChoice === 'auto' ? detected.platform : platformChoice;
    return {
      path: this.reader.path,
      name: this.reader.name,
      sizeBytes: this.reader.sizeBytes,
      sha256: this.reader.sha256,
      compression: this.reader.compression,
      platform,
      detected,
      platformOverridden: platformChoice !== 'auto',
      mate,
      mateOf,
      qc: this.qc.report(),
    };
  }
}

/** Where one mate's iteration stands: the current batch and the next record in it. */
interface MateCursor {
  analysis: FileAnalysis;
  batches: AsyncIterator<FastqBatch>;
  batch: FastqBatch | null;
  next: number;
  ended: boolean;
}

/**
 * Reads R1 and R2 together, comparing read names record by record; returns the number compared.
 * Each side's decompression runs ahead on the thread pool, so lockstep costs little waiting.
 */
async function readMatesInLockstep(first: FileAnalysis, second: FileAnalysis, progressFile: string): Promise<number> {
  const cursorOf = (analysis: FileAnalysis): MateCursor => ({
    analysis,
    batches: analysis.reader[Symbol.asyncIterator](),
    batch: null,
    next: 0,
    ended: false,
  });
  const cursors: [MateCursor, MateCursor] = [cursorOf(first), cursorOf(second)];
  const [one, two] = cursors;
  const advance = async (cursor: MateCursor): Promise<void> => {
    while (!cursor.ended && (cursor.batch === null || cursor.next >= cursor.batch.count)) {
      const step = await cursor.batches.next();
      if (step.done) {
        cursor.ended = true;
        cursor.batch = null;
      } else {
        cursor.batch = step.value;
        cursor.next = 0;
        await cursor.analysis.add(step.value, progressFile);
      }
    }
  };
  let compared = 0;
  try {
    for (;;) {
      await advance(one);
      await advance(two);
      if (one.ended || two.ended) break;
      const a = one.batch!;
      const b = two.batch!;
      const run = Math.min(a.count - one.next, b.count - two.next);
      for (let k = 0; k < run; k++) {
        if (!mateNamesMatch(a, one.next + k, b, two.next + k)) {
          // A damaged gzip can garble a name; if either file's checksum fails, that is the fault.
          const mismatch = nameMismatch(a, one.next + k, b, two.next + k, first, second);
          const viaFirst = await first.reader.explainFault(mismatch);
          throw viaFirst !== mismatch ? viaFirst : await second.reader.explainFault(mismatch);
        }
      }
      one.next += run;
      two.next += run;
      compared += run;
    }
    if (one.ended !== two.ended) {
      // Read the longer mate to its end so the message can give both counts.
      const longer = one.ended ? two : one;
      let extra = longer.batch === null ? 0 : longer.batch.count - longer.next;
      longer.batch = null;
      for (let step = await longer.batches.next(); !step.done; step = await longer.batches.next()) {
        await longer.analysis.add(step.value, progressFile);
        extra += step.value.count;
      }
      throw countMismatch(longer.analysis, (longer === one ? two : one).analysis, compared, compared + extra);
    }
    return compared;
  } finally {
    await Promise.allSettled(cursors.map((c) => c.batches.return?.()));
  }
}

function nameMismatch(a: FastqBatch, i: number, b: FastqBatch, j: number, first: FileAnalysis, second: FileAnalysis): IngestError {
  const record = b.recordNumber(j);
  return faultAt(
    'pair-name-mismatch',
    { fileName: second.reader.name, filePath: second.reader.path, record, line: recordFirstLine(record) },
    `read name ${quoteForMessage(mateReadName(b, j))} does not match its mate ${quoteForMessage(mateReadName(a, i))} ` +
      `(record ${formatCount(a.recordNumber(i))} of ${first.reader.name}); the two files must list the same reads in the same order`,
  );
}

function countMismatch(longer: FileAnalysis, shorter: FileAnalysis, shorterCount: number, longerCount: number): IngestError {
  const record = shorterCount + 1;
  return faultAt(
    'pair-count-mismatch',
    { fileName: longer.reader.name, filePath: longer.reader.path, record, line: recordFirstLine(record) },
    `this read has no mate: ${shorter.reader.name} has ${formatCount(shorterCount)} reads but ${longer.reader.name} has ${formatCount(longerCount)}; ` +
      'mate files must hold the same number of reads',
  );
}

/** Accumulates progress and calls back at most every PROGRESS_INTERVAL_MS. */
class ProgressReporter {
  bytesTotal = 0;
  private bytesRead = 0;
  private reads = 0;
  private lastCall = Number.NEGATIVE_INFINITY;

  constructor(private readonly onProgress: ((progress: IngestProgress) => void) | undefined) {}

  addBytes(bytes: number): void {
    this.bytesRead += bytes;
  }

  addReads(reads: number, currentFile: string): void {
    this.reads += reads;
    if (!this.onProgress) return;
    const now = performance.now();
    if (now - this.lastCall >= PROGRESS_INTERVAL_MS) {
      this.lastCall = now;
      this.call(currentFile);
    }
  }

  finish(currentFile: string): void {
    this.call(currentFile);
  }

  private call(currentFile: string): void {
    this.onProgress?.({ bytesRead: this.bytesRead, bytesTotal: this.bytesTotal, reads: this.reads, currentFile });
  }
}
