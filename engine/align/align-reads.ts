/**
 * The alignment pipeline: FASTQ (one file single-end, or R1 + R2) → coordinate-sorted BAM
 * + BAI. The platform is detected from the first reads (ingest's detector) unless a preset is
 * given; the index is loaded from its cache or built; reads stream through a pool of worker
 * threads in batches (several in flight, results consumed in submission order so the output
 * is the same for any thread count); encoded records go to the formats layer's sorter, which
 * spills to disk beyond its memory budget.
 */
import { availableParallelism } from 'node:os';
import { basename } from 'node:path';
import type { BamHeaderInput, SequencingPlatform } from '../formats/bam-header.js';
import { BamSorter } from '../formats/bam-sort.js';
import { EngineError } from '../errors.js';
import { appVersion } from '../version.js';
import type { FastqBatch } from '../ingest/fastq-reader.js';
import { FastqReader } from '../ingest/fastq-reader.js';
import { mateNamesMatch, mateReadName } from '../ingest/pairs.js';
import { PlatformDetector } from '../ingest/platform.js';
import type { BatchResult, BatchStatistics, ReadBatch } from './align-batch.js';
import { alignBatch, emptyStatistics, mergeStatistics } from './align-batch.js';
import type { IndexStage } from './index-cache.js';
import { openMinimizerIndex } from './index-cache.js';
import { loadMapqCalibration } from './mapq-calibration.js';
import type { InsertSizeStats } from './pairing.js';
import type { PresetName } from './presets.js';
import { loadAlignPreset, presetForPlatform } from './presets.js';
import { ReadAligner } from './read-aligner.js';
import { AlignWorkerPool } from './worker-pool.js';

export interface ReadGroupOptions {
  id?: string;
  sample?: string;
  library?: string;
}

export interface AlignProgress {
  stage: 'reference' | 'index' | 'align' | 'sort';
  detail: string;
  reads: number;
  bases: number;
  /** Raw (compressed) FASTQ bytes read, and their total. */
  bytesRead: number;
  bytesTotal: number;
  readsPerSecond: number;
}

export interface AlignReadsOptions {
  referencePath: string;
  /** One FASTQ (single-end) or two (R1, R2). */
  readPaths: string[];
  outputPath: string;
  /** Default: from the platform detected in the reads. */
  preset?: PresetName;
  /** Worker threads; 0 aligns on the calling thread. Default: every core. */
  threads?: number;
  readGroup?: ReadGroupOptions;
  /** The sorter's in-memory budget before it spills runs to disk. */
  memoryBudgetBytes?: number;
  indexCacheDir?: string;
  /** Bases per batch handed to a worker. */
  batchBases?: number;
  signal?: AbortSignal;
  onProgress?: (progress: AlignProgress) => void;
  commandLine?: string;
  /**
   * 'calibrated' (default): MAPQ through the preset's fitted curve (configs/align/mapq.<preset>.json);
   * 'raw': the model's raw values, which is what the curve is fitted on (bench/align.ts --mapq fit).
   */
  mapq?: 'calibrated' | 'raw';
}

export interface AlignSummary {
  outputPath: string;
  indexPath: string;
  preset: PresetName;
  detectedPlatform: string;
  paired: boolean;
  reads: number;
  bases: number;
  mapped: number;
  mappedFraction: number;
  ambiguousReads: number;
  secondary: number;
  supplementary: number;
  properPairs: number;
  rescuedMates: number;
  mapqHistogram: number[];
  insertSize?: InsertSizeStats;
  indexBuilt: boolean;
  indexSeconds: number;
  alignSeconds: number;
  seconds: number;
  threads: number;
  /** Things the user must see (low mapping rate, rebuilt index, reference warnings). */
  warnings: string[];
}

/**
 * BGZF deflate level of the output BAM. Level 6 (zlib's default) spent ~14% of an Illumina
 * run's CPU in deflate; level 4 measured 3.5% larger files for a third of that CPU on the
 * benchmark's BAM (docs/align.md).
 */
export const BAM_COMPRESSION_LEVEL = 4;

/** Below this mapped fraction the run is reported loudly: wrong reference or contamination. */
export const LOW_MAPPING_FRACTION = 0.5;

const PLATFORM_OF_PRESET: Record<PresetName, SequencingPlatform> = { sr: 'ILLUMINA', hifi: 'PACBIO', ont: 'ONT' };

/** Record-at-a-time view over a reader's batches, so two mates' files can be walked in step. */
class RecordCursor {
  private batch: FastqBatch | undefined;
  private index = 0;
  private readonly iterator: AsyncIterator<FastqBatch>;
  private finished = false;

  constructor(readonly reader: FastqReader) {
    this.iterator = reader[Symbol.asyncIterator]();
  }

  /** The next record (batch and index), or undefined at the end of the file. */
  async next(): Promise<[FastqBatch, number] | undefined> {
    while (!this.batch || this.index >= this.batch.count) {
      if (this.finished) return undefined;
      const step = await this.iterator.next();
      if (step.done) {
        this.finished = true;
        return undefined;
      }
      this.batch = step.value;
      this.index = 0;
    }
    return [this.batch, this.index++];
  }

  async close(): Promise<void> {
    await this.iterator.return?.();
  }
}

/** Accumulates reads straight into the batch's transferable arrays (one copy per base). */
class BatchBuilder {
  names: string[] = [];
  private bases = new Uint8Array(1 << 16);
  private qualities = new Uint8Array(1 << 16);
  private offsets: number[] = [0];
  baseCount = 0;

  add(name: string, batch: FastqBatch, i: number): void {
    this.names.push(name);
    // copies: the reader's buffer is reused and the batch goes to another thread
    const sequence = batch.sequence(i);
    const length = sequence.length;
    if (this.baseCount + length > this.bases.length) this.grow(this.baseCount + length);
    this.bases.set(sequence, this.baseCount);
    this.qualities.set(batch.quality(i), this.baseCount);
    this.baseCount += length;
    this.offsets.push(this.baseCount);
  }

  private grow(needed: number): void {
    let capacity = this.bases.length;
    while (capacity < needed) capacity *= 2;
    const bases = new Uint8Array(capacity);
    bases.set(this.bases.subarray(0, this.baseCount));
    const qualities = new Uint8Array(capacity);
    qualities.set(this.qualities.subarray(0, this.baseCount));
    this.bases = bases;
    this.qualities = qualities;
  }

  take(paired: boolean): ReadBatch {
    const batch: ReadBatch = {
      paired,
      names: this.names,
      bases: this.bases.subarray(0, this.baseCount),
      qualities: this.qualities.subarray(0, this.baseCount),
      offsets: Int32Array.from(this.offsets),
    };
    // the arrays go to a worker (transferred): start the next batch in new ones of the same size
    this.bases = new Uint8Array(this.bases.length);
    this.qualities = new Uint8Array(this.qualities.length);
    this.names = [];
    this.offsets = [0];
    this.baseCount = 0;
    return batch;
  }
}

function validateReadPaths(paths: string[]): void {
  if (paths.length === 0 || paths.length > 2) {
    throw EngineError.of('invalid-request', `align takes one FASTQ (single-end) or two (R1 and R2), got ${paths.length}`);
  }
}

export async function alignReads(options: AlignReadsOptions): Promise<AlignSummary> {
  const started = performance.now();
  validateReadPaths(options.readPaths);
  const { signal } = options;
  const paired = options.readPaths.length === 2;
  const warnings: string[] = [];
  let bytesRead = 0;
  const readers = await Promise.all(options.readPaths.map((p) => FastqReader.open(p, { ...(signal ? { signal } : {}), onRawBytes: (n) => (bytesRead += n) })));
  const bytesTotal = readers.reduce((sum, r) => sum + r.sizeBytes, 0);
  const cursors = readers.map((r) => new RecordCursor(r));
  // Worker threads start now so their start-up overlaps platform detection and index loading.
  const threads = options.threads ?? availableParallelism();
  const pool = threads > 0 ? new AlignWorkerPool(threads) : undefined;
  const progress = (stage: AlignProgress['stage'], detail: string, reads = 0, bases = 0, rate = 0): void =>
    options.onProgress?.({ stage, detail, reads, bases, bytesRead, bytesTotal, readsPerSecond: rate });

  try {
    // Detect the platform from the first reads, holding them for alignment.
    const held: [string, FastqBatch, number][][] = [];
    const detector = new PlatformDetector(2000);
    let lastBatch: FastqBatch | undefined;
    const nextRecords = async (): Promise<[string, FastqBatch, number][] | undefined> => {
      const first = await cursors[0]!.next();
      if (!paired) {
        if (!first) return undefined;
        return [[first[0].readId(first[1]), first[0], first[1]]];
      }
      const second = await cursors[1]!.next();
      if (!first || !second) {
        if (first || second) {
          const shorter = basename(options.readPaths[first ? 1 : 0]!);
          throw EngineError.of('pair-count-mismatch', `${shorter} has fewer reads than its mate file`);
        }
        return undefined;
      }
      if (!mateNamesMatch(first[0], first[1], second[0], second[1])) {
        throw EngineError.of('pair-name-mismatch', `${basename(options.readPaths[0]!)} record ${first[0].recordNumber(first[1])} is ${first[0].readId(first[1])} but its mate in ${basename(options.readPaths[1]!)} is ${second[0].readId(second[1])}`);
      }
      const name = mateReadName(first[0], first[1]);
      return [[name, first[0], first[1]], [name, second[0], second[1]]];
    };
    while (!detector.done) {
      const records = await nextRecords();
      if (!records) break;
      held.push(records);
      const batch = records[0]![1];
      if (batch !== lastBatch) {
        detector.addBatch(batch);
        lastBatch = batch;
      }
    }
    if (held.length === 0) throw EngineError.of('empty-file', `${basename(options.readPaths[0]!)} has no reads`);
    const evidence = detector.evidence();
    const presetName = options.preset ?? (evidence.platform === 'unknown' ? (paired ? 'sr' : 'ont') : presetForPlatform(evidence.platform));
    if (!options.preset && evidence.platform === 'unknown') {
      warnings.push(`Could not tell the sequencing platform from the reads; aligning with the '${presetName}' preset (choose one with --preset)`);
    }
    if (paired && presetName !== 'sr') warnings.push(`Two FASTQ files are aligned as pairs, but the '${presetName}' preset has no paired-end model; mates are aligned independently`);
    const preset = loadAlignPreset(presetName);
    const mapqCalibration = options.mapq === 'raw' ? undefined : loadMapqCalibration(presetName);

    // Index.
    const indexStarted = performance.now();
    const stageNames: Record<IndexStage, string> = {
      reference: 'reading the reference',
      'load-index': 'loading the index',
      'build-index': 'building the index',
      'save-index': 'saving the index',
    };
    const opened = await openMinimizerIndex(options.referencePath, preset, {
      ...(options.indexCacheDir ? { fallbackCacheDir: options.indexCacheDir } : {}),
      ...(signal ? { signal } : {}),
      onStage: (stage) => progress(stage === 'reference' ? 'reference' : 'index', stageNames[stage]),
    });
    warnings.push(...opened.genome.warnings);
    if (opened.rebuildReason) warnings.push(opened.rebuildReason);
    const indexSeconds = (performance.now() - indexStarted) / 1000;
    const index = opened.index;

    // Output.
    const readGroupId = options.readGroup?.id ?? basename(options.readPaths[0]!).replace(/(_R?[12])?\.(fastq|fq)(\.gz)?$/i, '');
    const header: BamHeaderInput = {
      sortOrder: 'coordinate',
      references: opened.genome.bamReferences(),
      readGroups: [{ id: readGroupId, platform: PLATFORM_OF_PRESET[presetName], sample: options.readGroup?.sample ?? readGroupId, ...(options.readGroup?.library ? { library: options.readGroup.library } : {}) }],
      programs: [{ id: 'genomaic-align', name: 'genomaic', version: appVersion(), ...(options.commandLine ? { commandLine: options.commandLine } : {}) }],
    };
    const sorter = await BamSorter.create(options.outputPath, header, {
      level: BAM_COMPRESSION_LEVEL,
      ...(options.memoryBudgetBytes !== undefined ? { memoryBudgetBytes: options.memoryBudgetBytes } : {}),
      ...(signal ? { signal } : {}),
    });

    pool?.start({ indexImage: index.image, preset, readGroup: readGroupId, ...(mapqCalibration ? { mapqCalibration } : {}) });
    const localAligner = pool ? undefined : new ReadAligner(index, preset);
    const references = index.reference.contigs.map((c) => ({ name: c.name, length: c.length }));
    const totals: BatchStatistics = emptyStatistics();
    let insertSize: InsertSizeStats | undefined;
    const alignStarted = performance.now();
    const batchBases = options.batchBases ?? (presetName === 'sr' ? 2_000_000 : 10_000_000);
    const inFlight: Promise<BatchResult>[] = [];
    const maxInFlight = Math.max(2, 2 * threads);

    const submit = (batch: ReadBatch): void => {
      if (pool) inFlight.push(pool.align(batch, insertSize));
      else inFlight.push(Promise.resolve(alignBatch(batch, { aligner: localAligner!, readGroup: readGroupId, references, ...(insertSize ? { insertSize } : {}), ...(mapqCalibration ? { mapqCalibration } : {}) })));
    };
    const consume = async (): Promise<void> => {
      const result = await inFlight.shift()!;
      signal?.throwIfAborted();
      mergeStatistics(totals, result.stats);
      if (result.insertSize) insertSize = result.insertSize;
      const records = Buffer.from(result.records.buffer, result.records.byteOffset, result.records.byteLength);
      let offset = 0;
      while (offset < records.length) {
        const size = records.readInt32LE(offset) + 4;
        await sorter.addEncoded(records.subarray(offset, offset + size));
        offset += size;
      }
      const seconds = (performance.now() - alignStarted) / 1000;
      progress('align', 'aligning reads', totals.reads, totals.bases, seconds > 0 ? totals.reads / seconds : 0);
    };

    try {
      const builder = new BatchBuilder();
      const addRecords = (records: [string, FastqBatch, number][]): void => {
        for (const [name, batch, i] of records) builder.add(name, batch, i);
      };
      for (const records of held) addRecords(records);
      held.length = 0;
      for (;;) {
        signal?.throwIfAborted();
        if (builder.baseCount >= batchBases) {
          submit(builder.take(paired));
          while (inFlight.length >= maxInFlight) await consume();
        }
        const records = await nextRecords();
        if (!records) break;
        addRecords(records);
      }
      if (builder.names.length > 0) submit(builder.take(paired));
      while (inFlight.length > 0) await consume();
    } catch (err) {
      await Promise.allSettled(inFlight);
      await sorter.abort();
      throw err;
    }
    await pool?.close(); // before the final merge: the threads' memory is not needed there
    const alignSeconds = (performance.now() - alignStarted) / 1000;
    progress('sort', 'writing the sorted BAM and its index', totals.reads, totals.bases);
    const written = await sorter.finish();

    const mappedFraction = totals.reads > 0 ? totals.mapped / totals.reads : 0;
    if (totals.reads > 0 && mappedFraction < LOW_MAPPING_FRACTION) {
      warnings.unshift(
        `LOW MAPPING RATE: only ${(mappedFraction * 100).toFixed(1)}% of ${totals.reads.toLocaleString('en-US')} reads mapped to ${basename(options.referencePath)}` +
          (totals.ambiguousReads > totals.reads / 2 ? ' (most reads are ambiguous bases, N)' : '; the reads may come from another genome or the wrong reference was chosen'),
      );
    }
    return {
      outputPath: written.bamPath,
      indexPath: written.indexPath ?? `${written.bamPath}.bai`,
      preset: presetName,
      detectedPlatform: evidence.platform,
      paired,
      reads: totals.reads,
      bases: totals.bases,
      mapped: totals.mapped,
      mappedFraction,
      ambiguousReads: totals.ambiguousReads,
      secondary: totals.secondary,
      supplementary: totals.supplementary,
      properPairs: totals.properPairs,
      rescuedMates: totals.rescuedMates,
      mapqHistogram: totals.mapqHistogram,
      ...(insertSize ? { insertSize } : {}),
      indexBuilt: opened.built,
      indexSeconds,
      alignSeconds,
      seconds: (performance.now() - started) / 1000,
      threads,
      warnings,
    };
  } finally {
    await pool?.close();
    await Promise.allSettled(cursors.map((c) => c.close()));
  }
}
