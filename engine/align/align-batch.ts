/**
 * Aligns one batch of reads (single-end, or pairs interleaved R1, R2) and returns the BAM
 * records already encoded, concatenated, so a worker thread hands its result back as one
 * transferable buffer and the sorter stores it without re-encoding.
 */
import type { BamRecordInput } from '../formats/bam-record.js';
import { encodeBamRecord } from '../formats/bam-record.js';
import type { MapqCalibration } from './mapq-calibration.js';
import { calibrateMapq } from './mapq-calibration.js';
import { encodeBases } from './nucleotide.js';
import type { InsertSizeStats } from './pairing.js';
import { collectConfidentFragments, estimateInsertSize, fallbackInsertStats, pairReads } from './pairing.js';
import type { ReadAligner, ReadMapping } from './read-aligner.js';
import type { ReadInput } from './records.js';
import { alignmentRecords, unmappedRecord } from './records.js';

/** Reads in transferable form: bases and qualities (Phred+33) concatenated. */
export interface ReadBatch {
  /** Pairs are interleaved: read 2i is R1, read 2i+1 is R2. */
  paired: boolean;
  names: string[];
  bases: Uint8Array;
  qualities: Uint8Array;
  /** Read i spans [offsets[i], offsets[i+1]). */
  offsets: Int32Array;
}

export interface BatchStatistics {
  reads: number;
  bases: number;
  /** Reads with a primary alignment. */
  mapped: number;
  /** Reads that are all (or nearly all) ambiguous bases. */
  ambiguousReads: number;
  secondary: number;
  supplementary: number;
  properPairs: number;
  rescuedMates: number;
  /** Primary MAPQ histogram, index = MAPQ (0-60). */
  mapqHistogram: number[];
}

export interface BatchResult {
  records: Uint8Array;
  recordCount: number;
  stats: BatchStatistics;
  insertSize?: InsertSizeStats;
}

export interface BatchContext {
  aligner: ReadAligner;
  readGroup: string | undefined;
  references: readonly { name: string; length: number }[];
  /** The estimate carried over from earlier batches (paired reads). */
  insertSize?: InsertSizeStats;
  /** Raw MAPQ → calibrated; absent, records carry the raw values (what the calibration is fitted on). */
  mapqCalibration?: MapqCalibration;
}

export function emptyStatistics(): BatchStatistics {
  return { reads: 0, bases: 0, mapped: 0, ambiguousReads: 0, secondary: 0, supplementary: 0, properPairs: 0, rescuedMates: 0, mapqHistogram: new Array<number>(61).fill(0) };
}

export function mergeStatistics(into: BatchStatistics, from: BatchStatistics): void {
  into.reads += from.reads;
  into.bases += from.bases;
  into.mapped += from.mapped;
  into.ambiguousReads += from.ambiguousReads;
  into.secondary += from.secondary;
  into.supplementary += from.supplementary;
  into.properPairs += from.properPairs;
  into.rescuedMates += from.rescuedMates;
  for (let q = 0; q < into.mapqHistogram.length; q++) into.mapqHistogram[q]! += from.mapqHistogram[q] ?? 0;
}

/** Read i of the batch for its records; `phred` holds the batch's qualities minus 33. */
function readAt(batch: ReadBatch, phred: Uint8Array, i: number): ReadInput {
  const start = batch.offsets[i]!;
  const end = batch.offsets[i + 1]!;
  return { name: batch.names[i]!, sequence: Buffer.from(batch.bases.buffer, batch.bases.byteOffset + start, end - start).toString('latin1'), quality: phred.subarray(start, end) };
}

function countAmbiguous(codes: Uint8Array): number {
  let n = 0;
  for (let i = 0; i < codes.length; i++) if (codes[i]! > 3) n++;
  return n;
}

/**
 * Encodes records as they are emitted and keeps the batch's counts. The stages of a batch
 * (mapping, pairing, records) are separate small functions: V8 optimises each loop on its
 * own instead of recompiling one large function as each stage is first reached.
 */
class RecordSink {
  readonly stats = emptyStatistics();
  private readonly encoded: Buffer[] = [];
  private bytes = 0;

  constructor(private readonly references: readonly { name: string; length: number }[]) {}

  emit(records: BamRecordInput[]): void {
    const stats = this.stats;
    for (const record of records) {
      const buffer = encodeBamRecord(record, this.references);
      this.encoded.push(buffer);
      this.bytes += buffer.length;
      if (record.flag & 0x4) continue;
      if (record.flag & 0x100) stats.secondary++;
      else if (record.flag & 0x800) stats.supplementary++;
      else {
        stats.mapped++;
        stats.mapqHistogram[record.mapq]!++;
        if (record.flag & 0x2) stats.properPairs++;
      }
    }
  }

  /** The records concatenated into one buffer. */
  concatenated(): { records: Uint8Array; recordCount: number } {
    const records = new Uint8Array(this.bytes);
    let offset = 0;
    for (const buffer of this.encoded) {
      records.set(buffer, offset);
      offset += buffer.length;
    }
    return { records, recordCount: this.encoded.length };
  }
}

/** Maps every read of the batch (views into one encoding of the batch's bases). */
function mapBatch(batch: ReadBatch, aligner: ReadAligner, stats: BatchStatistics): { codes: Uint8Array[]; mappings: ReadMapping[] } {
  const count = batch.names.length;
  const allCodes = encodeBases(batch.bases);
  const codes: Uint8Array[] = new Array<Uint8Array>(count);
  const mappings: ReadMapping[] = new Array<ReadMapping>(count);
  for (let i = 0; i < count; i++) {
    const read = allCodes.subarray(batch.offsets[i]!, batch.offsets[i + 1]!);
    codes[i] = read;
    stats.reads++;
    stats.bases += read.length;
    if (countAmbiguous(read) > read.length / 2) stats.ambiguousReads++;
    mappings[i] = aligner.mapRead(read);
  }
  return { codes, mappings };
}

/** Pairs the mates, rescues missing ones and emits both records of each pair. */
function pairBatch(batch: ReadBatch, phred: Uint8Array, codes: Uint8Array[], mappings: ReadMapping[], context: BatchContext, sink: RecordSink): InsertSizeStats | undefined {
  const { aligner, readGroup } = context;
  const count = batch.names.length;
  const contigs = aligner.index.reference.contigs;
  const pairs: [ReadMapping, ReadMapping][] = [];
  for (let i = 0; i + 1 < count; i += 2) pairs.push([mappings[i]!, mappings[i + 1]!]);
  const preset = aligner.preset;
  const insertSize = estimateInsertSize(collectConfidentFragments(pairs, preset.maxInsert), preset.maxInsert);
  const stats = insertSize ?? context.insertSize ?? fallbackInsertStats(preset.maxInsert);
  const params = {
    match: preset.match,
    mismatch: preset.mismatch,
    maxInsert: preset.maxInsert,
    rescueWindowSigmas: preset.rescueWindowSigmas,
    rescueMinScore: Math.max(preset.minChainScore, 20 * preset.match),
    ...(context.mapqCalibration ? { mapqCalibration: context.mapqCalibration } : {}),
  };
  for (let i = 0; i + 1 < count; i += 2) {
    const decision = pairReads(aligner, codes[i]!, codes[i + 1]!, mappings[i]!, mappings[i + 1]!, stats, params);
    sink.stats.rescuedMates += decision.rescued;
    const r1 = readAt(batch, phred, i);
    const r2 = readAt(batch, phred, i + 1);
    sink.emit(decision.first.length > 0 ? alignmentRecords(r1, decision.first, contigs, readGroup, decision.firstMate) : [unmappedRecord(r1, readGroup, decision.firstMate)]);
    sink.emit(decision.second.length > 0 ? alignmentRecords(r2, decision.second, contigs, readGroup, decision.secondMate) : [unmappedRecord(r2, readGroup, decision.secondMate)]);
  }
  return insertSize;
}

function emitSingles(batch: ReadBatch, phred: Uint8Array, mappings: ReadMapping[], context: BatchContext, sink: RecordSink): void {
  const contigs = context.aligner.index.reference.contigs;
  const calibration = context.mapqCalibration;
  for (let i = 0; i < mappings.length; i++) {
    const hits = mappings[i]!.hits;
    if (calibration) for (const hit of hits) hit.mapq = calibrateMapq(calibration, hit.mapq, 'single');
    sink.emit(alignmentRecords(readAt(batch, phred, i), hits, contigs, context.readGroup));
  }
}

/** Aligns a batch. The batch is consumed: its qualities are turned into Phred values in place. */
export function alignBatch(batch: ReadBatch, context: BatchContext): BatchResult {
  const sink = new RecordSink(context.references);
  const phred = batch.qualities;
  for (let p = 0; p < phred.length; p++) phred[p] = phred[p]! - 33;
  const { codes, mappings } = mapBatch(batch, context.aligner, sink.stats);
  let insertSize: InsertSizeStats | undefined;
  if (batch.paired) insertSize = pairBatch(batch, phred, codes, mappings, context, sink);
  else emitSingles(batch, phred, mappings, context, sink);
  return { ...sink.concatenated(), stats: sink.stats, ...(insertSize ? { insertSize } : {}) };
}
