/**
 * Sequencing-platform detection from the first reads of a file.
 *
 * Three kinds of evidence, each shown to the user as a `PlatformSignal`:
 *  - read names: instruments name reads in recognisable ways (Illumina's
 *    `instrument:run:flowcell:lane:tile:x:y`, PacBio's `movie/zmw/ccs`, ONT's UUIDs with
 *    `runid=`/`ch=` fields). Strongest when present, but simulators and SRA rename reads, so
 *    names may say nothing;
 *  - read lengths: short fixed-length reads are Illumina's signature; long reads are PacBio or
 *    ONT, HiFi libraries being size-selected (narrow) and ONT broad;
 *  - base quality: among long reads, HiFi is accurate (mean ≥ ~Q20) and ONT less so.
 * Lengths and qualities alone must be able to decide (ART's `@20-1000/1`, pbsim's `@S1_1`).
 *
 * Each signal carries a weight; the platform with the largest share of the total weight wins
 * if that share is clear and its weight is enough. Otherwise the answer is 'unknown': a wrong
 * guess would pick the wrong error model downstream, an honest 'unknown' asks the user.
 */
import type { DetectedPlatform, Platform, PlatformEvidence, PlatformSignal } from '../../app/contract.js';
import { PHRED_OFFSET, PHRED_VALUES } from './alphabet.js';
import { formatCount } from './errors.js';
import type { FastqBatch } from './fastq-reader.js';

export const DEFAULT_DETECTION_READS = 10_000;
/** Median length from which reads count as long (PacBio/ONT) rather than short (Illumina). */
export const LONG_READ_MIN_LENGTH = 1000;
/** Mean Phred separating HiFi (above) from ONT (below) among long reads. */
export const HIFI_MIN_MEAN_QUALITY = 20;
/** The winner needs at least this share of the total weight… */
const MIN_CONFIDENCE = 0.6;
/** …and at least this much weight of its own. */
const MIN_WINNING_WEIGHT = 0.25;

export type ReadNameStyle =
  | 'illumina'
  | 'illumina-legacy'
  | 'pacbio-ccs'
  | 'pacbio-subread'
  | 'pacbio'
  | 'ont'
  | 'uninformative';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const ONT_FIELD = /(?:^|\s)(?:runid|ch|start_time|flow_cell_id|sampleid|basecall_model_version_id)=/;
/** Casava 1.8+: instrument:run:flowcell:lane:tile:x:y, optionally :UMI. */
const ILLUMINA = /^[A-Za-z0-9_-]+:\d+:[A-Za-z0-9_-]+:\d+:\d+:\d+:\d+(?::[A-Za-z0-9+_-]+)?$/;
/** Before Casava 1.8: instrument:lane:tile:x:y, optionally #index and /mate. */
const ILLUMINA_LEGACY = /^[A-Za-z0-9_.-]+:\d+:\d+:\d+:\d+(?:#[A-Za-z0-9+_-]+)?(?:\/[123])?$/;
/** Casava 1.8 comment: `1:N:0:ACGTACGT`. */
const ILLUMINA_COMMENT = /^[123]:[YN]:\d+:/;
const PACBIO_MOVIE = /^m[0-9]+[eUu]?_[0-9]{6}_[0-9]{6}[A-Za-z0-9_]*\//;
const PACBIO_CCS = /\/\d+\/ccs(?:\/(?:fwd|rev))?$/;
const PACBIO_SUBREAD = /\/\d+\/\d+_\d+$/;
const PACBIO_BARE = /\/\d+$/;

/** Classifies one FASTQ header (without '@'): read id, then the comment as a fallback (SRA). */
export function classifyReadName(header: string): ReadNameStyle {
  const space = header.search(/\s/);
  const readId = space < 0 ? header : header.slice(0, space);
  const comment = space < 0 ? '' : header.slice(space + 1).trim();
  const fromId = classifyReadId(readId);
  if (fromId !== 'uninformative') return fromId;
  if (ONT_FIELD.test(header)) return 'ont';
  if (ILLUMINA_COMMENT.test(comment)) return 'illumina';
  // SRA keeps the original name as the first word of the comment: `SRR001666.1 071112_SLXA…:5:1:817:345`.
  const original = comment.split(/\s/)[0] ?? '';
  return original.length > 0 ? classifyReadId(original) : 'uninformative';
}

function classifyReadId(readId: string): ReadNameStyle {
  if (UUID.test(readId)) return 'ont';
  if (PACBIO_MOVIE.test(readId)) {
    if (PACBIO_CCS.test(readId)) return 'pacbio-ccs';
    if (PACBIO_SUBREAD.test(readId)) return 'pacbio-subread';
    if (PACBIO_BARE.test(readId)) return 'pacbio';
  }
  const withoutMate = readId.replace(/\/[12]$/, '');
  if (ILLUMINA.test(withoutMate)) return 'illumina';
  if (ILLUMINA_LEGACY.test(readId)) return 'illumina-legacy';
  return 'uninformative';
}

const STYLE_DESCRIPTION: Record<ReadNameStyle, string> = {
  illumina: 'Illumina instrument:run:flowcell:lane:tile:x:y',
  'illumina-legacy': 'Illumina (pre-Casava 1.8) instrument:lane:tile:x:y',
  'pacbio-ccs': 'PacBio movie/zmw/ccs (HiFi)',
  'pacbio-subread': 'PacBio movie/zmw/start_end subreads (CLR, not HiFi)',
  pacbio: 'PacBio movie/zmw',
  ont: 'Oxford Nanopore read UUID / runid, ch fields',
  uninformative: 'no instrument naming convention',
};

/** What each name style says, and how strongly when (nearly) all names share it. */
const STYLE_VERDICT: Record<ReadNameStyle, { suggests: DetectedPlatform; weight: number }> = {
  illumina: { suggests: 'illumina', weight: 0.6 },
  'illumina-legacy': { suggests: 'illumina', weight: 0.5 },
  'pacbio-ccs': { suggests: 'hifi', weight: 0.6 },
  // CLR subreads are PacBio but not HiFi: evidence against every platform we support.
  'pacbio-subread': { suggests: 'unknown', weight: 0.5 },
  pacbio: { suggests: 'hifi', weight: 0.3 },
  ont: { suggests: 'ont', weight: 0.6 },
  uninformative: { suggests: 'unknown', weight: 0 },
};

/** Collects what detection needs from the first `targetReads` reads, then ignores the rest. */
export class PlatformDetector {
  private inspected = 0;
  private readonly lengths: Int32Array;
  private readonly styleCounts = new Map<ReadNameStyle, number>();
  private readonly styleExamples = new Map<ReadNameStyle, string>();
  private readonly qualityCounts = new Float64Array(PHRED_VALUES);

  constructor(readonly targetReads: number = DEFAULT_DETECTION_READS) {
    if (!Number.isInteger(targetReads) || targetReads < 1) throw new RangeError('targetReads must be a positive integer');
    this.lengths = new Int32Array(Math.min(targetReads, 1 << 20));
  }

  get done(): boolean {
    return this.inspected >= this.targetReads;
  }

  addBatch(batch: FastqBatch): void {
    const data = batch.data;
    const take = Math.min(batch.count, this.targetReads - this.inspected);
    for (let r = 0; r < take; r++) {
      const header = batch.header(r);
      const style = classifyReadName(header);
      this.styleCounts.set(style, (this.styleCounts.get(style) ?? 0) + 1);
      if (!this.styleExamples.has(style)) this.styleExamples.set(style, header);
      const length = batch.sequenceLength[r]!;
      if (this.inspected < this.lengths.length) this.lengths[this.inspected] = length;
      countQualities(data, batch.qualityStart[r]!, length, this.qualityCounts);
      this.inspected++;
    }
  }

  evidence(): PlatformEvidence {
    const signals: PlatformSignal[] = [];
    if (this.inspected === 0) return { platform: 'unknown', confidence: 0, signals, readsInspected: 0 };
    signals.push(this.nameSignal());
    const lengths = this.lengths.slice(0, Math.min(this.inspected, this.lengths.length)).sort();
    const lengthSummary = summariseLengths(lengths);
    signals.push(lengthSignal(lengthSummary));
    signals.push(qualitySignal(this.qualityCounts, lengthSummary.isLong));
    return { ...decide(signals), signals, readsInspected: this.inspected };
  }

  private nameSignal(): PlatformSignal {
    let style: ReadNameStyle = 'uninformative';
    let count = 0;
    for (const [candidate, n] of this.styleCounts) {
      if (n > count) {
        style = candidate;
        count = n;
      }
    }
    const share = count / this.inspected;
    const example = this.styleExamples.get(style) ?? '';
    const shown = `@${example.length > 48 ? `${example.slice(0, 47)}…` : example}`;
    const verdict = STYLE_VERDICT[style];
    // A mixed bag of names is weak evidence; mostly-unrecognised names are none.
    const weight = share >= 0.9 ? verdict.weight : share >= 0.5 ? verdict.weight / 2 : 0;
    const percent = `${(share * 100).toFixed(share === 1 ? 0 : 1)}% of ${formatCount(this.inspected)}`;
    return {
      name: 'read names',
      value: `${shown} (${STYLE_DESCRIPTION[style]}; ${percent})`,
      suggests: weight > 0 ? verdict.suggests : 'unknown',
      weight,
    };
  }
}

/** Bases per Phred value (bytes already validated by the QC pass). A standalone function so V8 optimises it on its own. */
function countQualities(data: Uint8Array, start: number, length: number, counts: Float64Array): void {
  const end = start + length;
  for (let p = start; p < end; p++) counts[data[p]! - PHRED_OFFSET]!++;
}

interface LengthSummary {
  median: number;
  /** Share of reads having the most common length. */
  modalShare: number;
  modalLength: number;
  /** Coefficient of variation (standard deviation / mean). */
  variation: number;
  isLong: boolean;
}

function summariseLengths(sorted: Int32Array): LengthSummary {
  const n = sorted.length;
  const median = n % 2 === 1 ? sorted[(n - 1) / 2]! : (sorted[n / 2 - 1]! + sorted[n / 2]!) / 2;
  let modalLength = sorted[0]!;
  let modalRun = 0;
  let run = 0;
  let sum = 0;
  let sumSquares = 0;
  for (let i = 0; i < n; i++) {
    const length = sorted[i]!;
    run = i > 0 && length === sorted[i - 1] ? run + 1 : 1;
    if (run > modalRun) {
      modalRun = run;
      modalLength = length;
    }
    sum += length;
    sumSquares += length * length;
  }
  const mean = sum / n;
  const variance = Math.max(0, sumSquares / n - mean * mean);
  return {
    median,
    modalShare: modalRun / n,
    modalLength,
    variation: mean > 0 ? Math.sqrt(variance) / mean : 0,
    isLong: median >= LONG_READ_MIN_LENGTH,
  };
}

function formatLength(length: number): string {
  return length >= 10_000 ? `${(length / 1000).toFixed(1)} kb` : `${formatCount(Math.round(length))} bp`;
}

function lengthSignal(summary: LengthSummary): PlatformSignal {
  const median = `median ${formatLength(summary.median)}`;
  if (!summary.isLong) {
    if (summary.modalShare >= 0.5) {
      return {
        name: 'read length',
        value: `${median}; ${(summary.modalShare * 100).toFixed(0)}% of reads are ${formatLength(summary.modalLength)} (short, fixed length)`,
        suggests: 'illumina',
        weight: 0.3,
      };
    }
    return { name: 'read length', value: `${median} (short, variable length)`, suggests: 'illumina', weight: 0.15 };
  }
  // HiFi libraries are size-selected (spread ~0.2–0.4); ONT lengths spread over orders of magnitude.
  const narrow = summary.variation < 0.5;
  return {
    name: 'read length',
    value: `${median}, spread ${summary.variation.toFixed(2)} (long, ${narrow ? 'narrow: size-selected' : 'broad'})`,
    suggests: narrow ? 'hifi' : 'ont',
    weight: 0.2,
  };
}

function qualitySignal(counts: Float64Array, isLong: boolean): PlatformSignal {
  let bases = 0;
  let phredSum = 0;
  let distinct = 0;
  for (let q = 0; q < PHRED_VALUES; q++) {
    bases += counts[q]!;
    phredSum += q * counts[q]!;
    if (counts[q]! > 0) distinct++;
  }
  const mean = bases > 0 ? phredSum / bases : 0;
  const value = `Q${mean.toFixed(1)}`;
  if (distinct <= 1) {
    return { name: 'mean base quality', value: `${value} (one value for every base: placeholder qualities)`, suggests: 'unknown', weight: 0 };
  }
  if (isLong) {
    // The further from the HiFi/ONT boundary, the stronger the evidence (R10 ONT reaches ~Q20).
    const margin = Math.min(0.15, Math.abs(mean - HIFI_MIN_MEAN_QUALITY) * 0.03);
    const hifi = mean >= HIFI_MIN_MEAN_QUALITY;
    return {
      name: 'mean base quality',
      value: `${value} (long reads, ${hifi ? 'accurate' : 'error-prone'})`,
      suggests: hifi ? 'hifi' : 'ont',
      weight: round(0.25 + margin),
    };
  }
  if (mean >= 25) return { name: 'mean base quality', value: `${value} (short, accurate reads)`, suggests: 'illumina', weight: 0.15 };
  if (mean < 18) return { name: 'mean base quality', value: `${value} (short, error-prone reads)`, suggests: 'ont', weight: 0.1 };
  return { name: 'mean base quality', value, suggests: 'unknown', weight: 0 };
}

/** Weighted vote. Signals suggesting 'unknown' with weight (CLR names) count against everyone. */
function decide(signals: PlatformSignal[]): { platform: DetectedPlatform; confidence: number } {
  const totals = new Map<Platform, number>();
  let total = 0;
  let unknownWeight = 0;
  for (const signal of signals) {
    total += signal.weight;
    if (signal.suggests === 'unknown') unknownWeight += signal.weight;
    else totals.set(signal.suggests, (totals.get(signal.suggests) ?? 0) + signal.weight);
  }
  let best: Platform | null = null;
  let bestWeight = 0;
  for (const [platform, weight] of totals) {
    if (weight > bestWeight) {
      best = platform;
      bestWeight = weight;
    }
  }
  if (best === null || total === 0) return { platform: 'unknown', confidence: total > 0 ? round(unknownWeight / total) : 0 };
  const share = bestWeight / total;
  if (share < MIN_CONFIDENCE || bestWeight < MIN_WINNING_WEIGHT) {
    // Conflicting or weak: 'unknown', with the share of evidence that itself argued for unknown.
    return { platform: 'unknown', confidence: round(unknownWeight / total) };
  }
  return { platform: best, confidence: round(share) };
}

function round(value: number): number {
  return Math.round(value * 1000) / 1000;
}
