/**
 * Read-level QC in one streaming pass, in memory bounded by the longest read (never by the
 * number of reads): lengths are kept as counts per length, qualities as counts per Phred value
 * (per cycle for short reads), so N50 and the per-cycle quartiles are exact without storing reads.
 *
 * The per-base loops also validate the bytes (IUPAC letters, Phred+33 range), which is why the
 * reader feeding this accumulator runs with `validateBases: false`: one pass over each base.
 */
import type { Histogram, PerCycleQuality, QcReport } from '../../app/contract.js';
import { BASE_GC, BASE_INVALID, BASE_N, MAX_PHRED, PHRED_OFFSET, PHRED_VALUES, SEQUENCE_CLASS } from './alphabet.js';
import type { FastqBatch } from './fastq-reader.js';

/**
 * Per-cycle quality is reported for short reads only: once a read longer than this appears the
 * file is treated as long-read and per-cycle counting stops (a cycle axis means little for ONT).
 */
export const PER_CYCLE_MAX_CYCLES = 1000;
/** The length histogram never has more bins than this. */
export const LENGTH_HISTOGRAM_MAX_BINS = 100;
/** Lengths below this are counted in a dense array; longer (ultra-long ONT) reads in a map. */
const DENSE_LENGTH_LIMIT = 1 << 20;
const GC_PERCENT_BINS = 101;

export class QcAccumulator {
  private reads = 0;
  private bases = 0;
  private minLength = Number.POSITIVE_INFINITY;
  private maxLength = 0;
  private gcBases = 0;
  private nBases = 0;
  /** Reads per length, index = length (grown on demand up to DENSE_LENGTH_LIMIT). */
  private lengthCounts = new Float64Array(512);
  private readonly longLengthCounts = new Map<number, number>();
  /** Bases per Phred value not already counted per cycle. */
  private readonly qualityCounts = new Float64Array(PHRED_VALUES);
  /** Bases per (cycle, Phred): index cycle * PHRED_VALUES + phred; null once reads are long. */
  private cycleQualityCounts: Float64Array | null = new Float64Array(160 * PHRED_VALUES);
  private readonly gcPercentCounts = new Float64Array(GC_PERCENT_BINS);

  /** Adds every record of the batch; throws the batch's precise fault on an invalid base. */
  addBatch(batch: FastqBatch): void {
    const data = batch.data;
    const sequenceStarts = batch.sequenceStart;
    const qualityStarts = batch.qualityStart;
    const lengths = batch.sequenceLength;
    const counts = sequenceCounts;
    for (let r = 0; r < batch.count; r++) {
      const length = lengths[r]!;
      this.countLength(length);
      const sequenceFlags = scanSequence(data, sequenceStarts[r]!, length, counts);
      const qualityFlags = this.countQualities(data, qualityStarts[r]!, length);
      if ((sequenceFlags & BASE_INVALID) !== 0 || qualityFlags < 0) {
        // Counts of this record may be off, but the pass ends here with the record's fault.
        throw batch.diagnoseBases(r) ?? new Error(`QC flagged record ${batch.recordNumber(r)} but found no fault`);
      }
      const gc = counts[0]!;
      const n = counts[1]!;
      this.gcBases += gc;
      this.nBases += n;
      const called = length - n;
      // Integer percent (floor) so 100% GC lands in the last of the 101 bins; reads with no
      // called base have no GC content and are left out of the histogram.
      if (called > 0) this.gcPercentCounts[Math.floor((gc * 100) / called)]!++;
    }
    this.reads += batch.count;
  }

  /** Counts one read's qualities (per cycle while reads are short); negative if any is invalid. */
  private countQualities(data: Uint8Array, start: number, length: number): number {
    let cycles = this.cycleQualityCounts;
    if (cycles !== null && length > PER_CYCLE_MAX_CYCLES) {
      this.foldCyclesIntoTotals();
      cycles = null;
    }
    if (cycles === null) return scanQualities(data, start, length, this.qualityCounts);
    if (length * PHRED_VALUES > cycles.length) cycles = this.growCycles(length);
    return scanCycleQualities(data, start, length, cycles);
  }

  private countLength(length: number): void {
    this.bases += length;
    if (length < this.minLength) this.minLength = length;
    if (length > this.maxLength) this.maxLength = length;
    if (length < this.lengthCounts.length) {
      this.lengthCounts[length]!++;
    } else if (length < DENSE_LENGTH_LIMIT) {
      const grown = new Float64Array(Math.min(DENSE_LENGTH_LIMIT, Math.max(length + 1, this.lengthCounts.length * 2)));
      grown.set(this.lengthCounts);
      this.lengthCounts = grown;
      this.lengthCounts[length]!++;
    } else {
      this.longLengthCounts.set(length, (this.longLengthCounts.get(length) ?? 0) + 1);
    }
  }

  private growCycles(length: number): Float64Array {
    const grown = new Float64Array(Math.max(length, Math.min(PER_CYCLE_MAX_CYCLES, 2 * (this.cycleQualityCounts!.length / PHRED_VALUES))) * PHRED_VALUES);
    grown.set(this.cycleQualityCounts!);
    this.cycleQualityCounts = grown;
    return grown;
  }

  private foldCyclesIntoTotals(): void {
    const cycles = this.cycleQualityCounts!;
    for (let i = 0; i < cycles.length; i++) this.qualityCounts[i % PHRED_VALUES]! += cycles[i]!;
    this.cycleQualityCounts = null;
  }

  get readCount(): number {
    return this.reads;
  }

  report(): QcReport {
    const qualityHistogram = Array.from(this.qualityCounts);
    const cycles = this.cycleQualityCounts;
    const cycleCount = cycles === null ? 0 : Math.min(this.maxLength, cycles.length / PHRED_VALUES);
    if (cycles !== null) {
      for (let i = 0; i < cycleCount * PHRED_VALUES; i++) qualityHistogram[i % PHRED_VALUES]! += cycles[i]!;
    }
    let phredSum = 0;
    let q20 = 0;
    let q30 = 0;
    for (let q = 0; q < PHRED_VALUES; q++) {
      const count = qualityHistogram[q]!;
      phredSum += q * count;
      if (q >= 20) q20 += count;
      if (q >= 30) q30 += count;
    }
    const bases = this.bases;
    const called = bases - this.nBases;
    return {
      reads: this.reads,
      bases,
      minLength: this.reads > 0 ? this.minLength : 0,
      maxLength: this.maxLength,
      meanLength: this.reads > 0 ? bases / this.reads : 0,
      n50: this.n50(),
      meanQuality: bases > 0 ? phredSum / bases : 0,
      q20Fraction: bases > 0 ? q20 / bases : 0,
      q30Fraction: bases > 0 ? q30 / bases : 0,
      gcFraction: called > 0 ? this.gcBases / called : 0,
      nRate: bases > 0 ? this.nBases / bases : 0,
      lengthHistogram: this.lengthHistogram(),
      qualityHistogram: { start: 0, width: 1, counts: qualityHistogram },
      gcHistogram: { start: 0, width: 1, counts: Array.from(this.gcPercentCounts) },
      perCycleQuality: cycles === null ? null : perCycleQuality(cycles, cycleCount),
    };
  }

  /** Lengths from longest to shortest, with their read counts. */
  private *lengthsDescending(): Generator<[length: number, reads: number]> {
    const long = [...this.longLengthCounts.entries()].sort((a, b) => b[0] - a[0]);
    yield* long;
    const dense = this.lengthCounts;
    for (let length = Math.min(this.maxLength, dense.length - 1); length >= 0; length--) {
      const reads = dense[length]!;
      if (reads > 0) yield [length, reads];
    }
  }

  /** N50: the length L such that reads of length ≥ L hold at least half of all bases. */
  private n50(): number {
    if (this.bases === 0) return 0;
    let cumulative = 0;
    for (const [length, reads] of this.lengthsDescending()) {
      cumulative += length * reads;
      if (cumulative * 2 >= this.bases) return length;
    }
    return 0;
  }

  private lengthHistogram(): Histogram {
    if (this.reads === 0) return { start: 0, width: 1, counts: [] };
    const width = lengthBinWidth(this.minLength, this.maxLength);
    const firstBin = Math.floor(this.minLength / width);
    const counts = new Array<number>(Math.floor(this.maxLength / width) - firstBin + 1).fill(0);
    for (const [length, reads] of this.lengthsDescending()) counts[Math.floor(length / width) - firstBin]! += reads;
    return { start: firstBin * width, width, counts };
  }
}

/**
 * The per-base loops live in small standalone functions on purpose: V8 optimises a small
 * function called once per read quickly and inlines it, whereas a long loop inside the per-batch
 * method only ever ran as on-stack-replaced code that deoptimised at every batch's end (measured:
 * 3× slower).
 */
const sequenceCounts = new Int32Array(2);
/** Module-local copy: V8 folds a local constant into the loop; an imported live binding it reloads. */
const BASE_CLASS: Uint8Array = SEQUENCE_CLASS.slice();

/** 1 for bytes outside '!'..'~' (Phred+33 Q0..Q93), else 0. */
const QUALITY_INVALID: Uint8Array = (() => {
  const table = new Uint8Array(256).fill(1);
  table.fill(0, PHRED_OFFSET, PHRED_OFFSET + PHRED_VALUES);
  return table;
})();

/** GC count and N count of one read into `counts[0]`, `counts[1]`; returns the OR of the classes. */
function scanSequence(data: Uint8Array, start: number, length: number, counts: Int32Array): number {
  let gc = 0;
  let n = 0;
  let flags = 0;
  const end = start + length;
  for (let p = start; p < end; p++) {
    const baseClass = BASE_CLASS[data[p]!]!;
    flags |= baseClass;
    gc += baseClass & BASE_GC;
    n += baseClass & BASE_N;
  }
  counts[0] = gc;
  counts[1] = n >> 1;
  return flags;
}

/** Adds qualities into per-(cycle, Phred) counts; negative result if a byte is out of range. */
function scanCycleQualities(data: Uint8Array, start: number, length: number, cycles: Float64Array): number {
  let outOfRange = 0;
  const end = start + length;
  for (let p = start, bin = -PHRED_OFFSET; p < end; p++, bin += PHRED_VALUES) {
    const byte = data[p]!;
    outOfRange |= QUALITY_INVALID[byte]!;
    cycles[bin + byte]!++;
  }
  return -outOfRange;
}

/** Adds qualities into per-Phred counts; negative result if a byte is out of range. */
function scanQualities(data: Uint8Array, start: number, length: number, counts: Float64Array): number {
  let outOfRange = 0;
  const end = start + length;
  for (let p = start; p < end; p++) {
    const byte = data[p]!;
    outOfRange |= QUALITY_INVALID[byte]!;
    counts[byte - PHRED_OFFSET]!++;
  }
  return -outOfRange;
}

/**
 * Smallest "nice" width (1, 2, 5, 10, 20, 50, …) that covers min..max in at most
 * LENGTH_HISTOGRAM_MAX_BINS bins: 1 bp for Illumina reads, kilobases for long reads.
 */
export function lengthBinWidth(minLength: number, maxLength: number): number {
  for (let magnitude = 1; ; magnitude *= 10) {
    for (const step of [1, 2, 5]) {
      const width = step * magnitude;
      if (Math.floor(maxLength / width) - Math.floor(minLength / width) + 1 <= LENGTH_HISTOGRAM_MAX_BINS) return width;
    }
  }
}

/**
 * Mean and quartiles per cycle from the count arrays. Quartiles use the nearest-rank definition:
 * the p-quantile of n values is the value at rank ceil(p·n) in ascending order (so the median of
 * an even count is the lower middle value); integers, as Phred values are.
 */
function perCycleQuality(cycles: Float64Array, cycleCount: number): PerCycleQuality[] {
  const result: PerCycleQuality[] = [];
  for (let c = 0; c < cycleCount; c++) {
    const base = c * PHRED_VALUES;
    let total = 0;
    let phredSum = 0;
    for (let q = 0; q < PHRED_VALUES; q++) {
      total += cycles[base + q]!;
      phredSum += q * cycles[base + q]!;
    }
    if (total === 0) continue;
    result.push({
      cycle: c + 1,
      mean: phredSum / total,
      q25: quantileFromCounts(cycles, base, total, 0.25),
      median: quantileFromCounts(cycles, base, total, 0.5),
      q75: quantileFromCounts(cycles, base, total, 0.75),
    });
  }
  return result;
}

function quantileFromCounts(counts: Float64Array, base: number, total: number, p: number): number {
  const rank = Math.max(1, Math.ceil(p * total));
  let cumulative = 0;
  for (let q = 0; q < PHRED_VALUES; q++) {
    cumulative += counts[base + q]!;
    if (cumulative >= rank) return q;
  }
  return MAX_PHRED;
}
