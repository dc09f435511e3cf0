/**
 * The model's per-position input: what the pileup says about one reference position, as a
 * fixed vector of channels. The layout is versioned and recorded in every checkpoint; a model
 * trained on one layout is refused on another (see ./checkpoint.ts).
 *
 * Producers (the caller's pileup, ../call) fill a `PileupColumnEvidence` per reference position
 * of a tile; `encodeTile` turns a run of them into the Float32 matrix the model reads.
 * Channels follow DeepVariant's idea (base, base quality, mapping quality, strand, supports
 * allele, matches reference) but summarised per column rather than per read, because the
 * backbone reads millions of positions, not 100×221 read images.
 */
import type { Platform } from '../../app/contract.js';

/** Bump when a channel is added, removed, reordered or rescaled. */
export const FEATURE_SCHEMA_VERSION = 2;

export const BASES = ['A', 'C', 'G', 'T'] as const;
export type Base = (typeof BASES)[number];
export type ReferenceBase = Base | 'N';
/** Alleles observed at a column: a base, a deletion covering it, an insertion after it. */
export const ALLELES = ['A', 'C', 'G', 'T', 'del', 'ins'] as const;
export type Allele = (typeof ALLELES)[number];
export const PLATFORMS: readonly Platform[] = ['illumina', 'hifi', 'ont'];

/** Reads supporting each allele on one strand. */
export type AlleleCounts = Record<Allele, number>;

/**
 * Evidence at one reference position, as the caller's pileup should provide it. Every count
 * is of reads that passed the pileup's filters (duplicates, secondary, QC-fail removed).
 *
 * - `forward` / `reverse`: reads on each strand by the allele they show here. `del` counts
 *   reads with a deletion covering this base; `ins` counts reads with an insertion between
 *   this base and the next (so a read can count in a base and in `ins`).
 * - `altAllele`: the candidate allele the genotype refers to. Without it the most frequent
 *   non-reference allele is used. The genotype classes are hom-ref / het / hom-alt for that
 *   allele (multi-allelic sites: one column per alt, see docs/model.md).
 * - Quality summaries are over reads supporting the reference allele (`ref*`) and the alt
 *   allele (`alt*`); use 0 when no read supports it (the frequency channels say so anyway).
 * - `refNearReadEndFraction` / `altNearReadEndFraction`: fraction of those reads in which this
 *   position lies within `READ_END_WINDOW` bases of either read end (artefact signal).
 * - `lowMappingQualityFraction`: reads with MAPQ < 10 over all reads covering the position,
 *   counted before the pileup's MAPQ filter (it is the filter's own evidence).
 */
export interface PileupColumnEvidence {
  /** 0-based reference position. */
  position: number;
  refBase: ReferenceBase;
  forward: AlleleCounts;
  reverse: AlleleCounts;
  altAllele?: Allele;
  refMeanBaseQuality: number;
  altMeanBaseQuality: number;
  refMeanMappingQuality: number;
  altMeanMappingQuality: number;
  refNearReadEndFraction: number;
  altNearReadEndFraction: number;
  lowMappingQualityFraction: number;
  platform: Platform;
  /** The statistical genotyper's verdict on the column's candidate, when it genotyped one (see `BaselineGenotypeEvidence`). */
  baseline?: BaselineGenotypeEvidence;
}

/**
 * What the caller's statistical genotyper (engine/call/genotyper.ts) concluded about the
 * column's candidate allele: the model reads it as input and learns corrections on top
 * (platform error modes, repeat context, strand and position patterns) instead of re-deriving
 * allele counting from per-column frequencies, which is where the first checkpoint lost to the
 * statistical genotyper (docs/model-training.md). The haplotype realignment behind these
 * numbers is evidence the per-column counts cannot carry, above all for indels.
 */
export interface BaselineGenotypeEvidence {
  /** Genotype likelihoods hom-ref, het, hom-alt of the candidate allele, normalised to sum to 1 (from the PLs). */
  likelihoods: readonly [number, number, number];
  /** The statistical genotyper's uncalibrated GQ (0 … 1000). */
  rawGq: number;
  /** Its QUAL (Phred probability of no variant, 0 … 3000). */
  qual: number;
  /** The candidate changes the length of the sequence (insertion or deletion). */
  isIndel: boolean;
  /** |length change| of an indel, 0 for an SNV. */
  indelLength: number;
  /** Longest homopolymer / tandem repeat touching the locus, bp (caller's repeats.ts). */
  repeatLength: number;
  /** Genotyped by haplotype realignment (a window of nearby candidates or a repeat) rather than the single-base pileup model. */
  realigned: boolean;
  /**
   * Reads per strand the genotyper assigned to REF and to the candidate allele after
   * realignment (the record's SB). Not an input channel: the verifier's allele-balance and
   * strand checks read it, since a column's counts miss indel reads the alignments spelled
   * differently (a 1 bp deletion in a homopolymer placed at another column, or as −2).
   */
  readSupport?: StrandSupport;
}

/** Reads per strand for REF and for one alternate allele. */
export interface StrandSupport {
  refForward: number;
  refReverse: number;
  altForward: number;
  altReverse: number;
}

/** Bases from a read end within which a position counts as "near the read end". */
export const READ_END_WINDOW = 10;

/** Channel names in order; recorded in checkpoint manifests. */
export const FEATURE_CHANNELS = [
  'ref_A', 'ref_C', 'ref_G', 'ref_T', 'ref_N',
  'fwd_A', 'fwd_C', 'fwd_G', 'fwd_T', 'fwd_del', 'fwd_ins',
  'rev_A', 'rev_C', 'rev_G', 'rev_T', 'rev_del', 'rev_ins',
  'ref_base_quality', 'alt_base_quality', 'ref_mapping_quality', 'alt_mapping_quality',
  'ref_near_read_end', 'alt_near_read_end',
  'log_depth', 'forward_strand_fraction', 'low_mapping_quality_fraction',
  'homopolymer_run', 'local_gc',
  'platform_illumina', 'platform_hifi', 'platform_ont',
  'baseline_present', 'baseline_hom_ref', 'baseline_het', 'baseline_hom_alt',
  'baseline_raw_gq', 'baseline_qual', 'baseline_indel', 'baseline_indel_length',
  'baseline_repeat_length', 'baseline_realigned',
] as const;
export type FeatureChannel = (typeof FEATURE_CHANNELS)[number];
export const FEATURE_COUNT = FEATURE_CHANNELS.length;

export const CHANNEL_INDEX: Readonly<Record<FeatureChannel, number>> = Object.fromEntries(
  FEATURE_CHANNELS.map((name, index) => [name, index]),
) as Record<FeatureChannel, number>;

/** Scales that map qualities and depth to about [0, 1] so one learning rate suits all channels. */
const BASE_QUALITY_SCALE = 40;
const MAPPING_QUALITY_SCALE = 60;
/** log1p(depth) / log1p(1000): 1000× (deep ONT, amplicons) reaches 1; more is allowed. */
const LOG_DEPTH_SCALE = Math.log1p(1000);
/** Homopolymer runs: log2(run) / log2(16), clipped at 1 (16 bp and longer look alike). */
const HOMOPOLYMER_SCALE = Math.log2(16);
/** Raw GQ and QUAL as log1p(x) / log1p(cap): the statistical genotyper's caps (genotyper.ts). */
const BASELINE_RAW_GQ_SCALE = Math.log1p(1000);
const BASELINE_QUAL_SCALE = Math.log1p(3000);
/** Indel and repeat lengths as log2(1 + bp) / log2(1 + 64), clipped at 1. */
const LENGTH_SCALE = Math.log2(65);
/** GC fraction over ±GC_HALF_WINDOW reference bases around the position. */
export const GC_HALF_WINDOW = 10;

export function emptyAlleleCounts(): AlleleCounts {
  return { A: 0, C: 0, G: 0, T: 0, del: 0, ins: 0 };
}

function strandDepth(c: AlleleCounts): number {
  // Insertions sit between bases: a read with an insertion also shows a base or a deletion
  // here, so it is not counted twice.
  return c.A + c.C + c.G + c.T + c.del;
}

/** Total reads covering the position (both strands). */
export function columnDepth(column: PileupColumnEvidence): number {
  return strandDepth(column.forward) + strandDepth(column.reverse);
}

/** The allele the genotype refers to: the given candidate, else the commonest non-reference allele. */
export function alternateAllele(column: PileupColumnEvidence): Allele {
  if (column.altAllele) return column.altAllele;
  let best: Allele = column.refBase === 'A' ? 'C' : 'A';
  let bestCount = -1;
  for (const allele of ALLELES) {
    if (allele === column.refBase) continue;
    const count = column.forward[allele] + column.reverse[allele];
    if (count > bestCount) {
      best = allele;
      bestCount = count;
    }
  }
  return best;
}

/** Length of the homopolymer run containing each position of `reference`. */
export function homopolymerRuns(reference: readonly ReferenceBase[]): Uint16Array {
  const runs = new Uint16Array(reference.length);
  let start = 0;
  for (let i = 1; i <= reference.length; i++) {
    if (i === reference.length || reference[i] !== reference[start] || reference[i] === 'N') {
      const length = Math.min(i - start, 65535);
      for (let j = start; j < i; j++) runs[j] = length;
      start = i;
    }
  }
  return runs;
}

function clip01(value: number): number {
  return Number.isFinite(value) ? Math.min(1, Math.max(0, value)) : 0;
}

/**
 * Encodes consecutive columns (one tile) as a row-major [columns.length × FEATURE_COUNT]
 * matrix. Columns must be consecutive reference positions: the reference-context channels
 * (homopolymer run, local GC) are computed from the tile's own reference bases, so runs that
 * cross the tile edge are seen only partly (tiles overlap by the model's look-ahead anyway).
 */
export function encodeTile(columns: readonly PileupColumnEvidence[]): Float32Array {
  for (let i = 1; i < columns.length; i++) {
    if (columns[i]!.position !== columns[i - 1]!.position + 1) {
      throw new Error(`encodeTile: columns must be consecutive positions; ${columns[i - 1]!.position} is followed by ${columns[i]!.position}`);
    }
  }
  const reference = columns.map((c) => c.refBase);
  const runs = homopolymerRuns(reference);
  // Prefix counts of G/C and of non-N bases make each GC window O(1).
  const gcPrefix = new Uint32Array(columns.length + 1);
  const calledPrefix = new Uint32Array(columns.length + 1);
  for (let i = 0; i < columns.length; i++) {
    const base = reference[i];
    gcPrefix[i + 1] = gcPrefix[i]! + (base === 'G' || base === 'C' ? 1 : 0);
    calledPrefix[i + 1] = calledPrefix[i]! + (base === 'N' ? 0 : 1);
  }
  const out = new Float32Array(columns.length * FEATURE_COUNT);
  for (let i = 0; i < columns.length; i++) {
    const lo = Math.max(0, i - GC_HALF_WINDOW);
    const hi = Math.min(columns.length, i + GC_HALF_WINDOW + 1);
    const called = calledPrefix[hi]! - calledPrefix[lo]!;
    const gc = called > 0 ? (gcPrefix[hi]! - gcPrefix[lo]!) / called : 0.5;
    encodeColumn(columns[i]!, runs[i]!, gc, out, i * FEATURE_COUNT);
  }
  return out;
}

/** Writes one column's channels at `out[offset …]`; see FEATURE_CHANNELS for the order. */
export function encodeColumn(column: PileupColumnEvidence, homopolymerRun: number, localGc: number, out: Float32Array, offset: number): void {
  const c = CHANNEL_INDEX;
  const baseIndex = column.refBase === 'N' ? 4 : BASES.indexOf(column.refBase);
  out[offset + c.ref_A + baseIndex] = 1;
  const forwardDepth = strandDepth(column.forward);
  const depth = forwardDepth + strandDepth(column.reverse);
  // Frequencies over the column's total depth, so the 12 strand channels also carry the
  // strand split (the forward block sums to the forward fraction).
  const denominator = Math.max(depth, 1);
  for (const [k, allele] of ALLELES.entries()) {
    out[offset + c.fwd_A + k] = column.forward[allele] / denominator;
    out[offset + c.rev_A + k] = column.reverse[allele] / denominator;
  }
  out[offset + c.ref_base_quality] = clip01(column.refMeanBaseQuality / BASE_QUALITY_SCALE);
  out[offset + c.alt_base_quality] = clip01(column.altMeanBaseQuality / BASE_QUALITY_SCALE);
  out[offset + c.ref_mapping_quality] = clip01(column.refMeanMappingQuality / MAPPING_QUALITY_SCALE);
  out[offset + c.alt_mapping_quality] = clip01(column.altMeanMappingQuality / MAPPING_QUALITY_SCALE);
  out[offset + c.ref_near_read_end] = clip01(column.refNearReadEndFraction);
  out[offset + c.alt_near_read_end] = clip01(column.altNearReadEndFraction);
  out[offset + c.log_depth] = Math.log1p(depth) / LOG_DEPTH_SCALE;
  out[offset + c.forward_strand_fraction] = depth > 0 ? forwardDepth / depth : 0.5;
  out[offset + c.low_mapping_quality_fraction] = clip01(column.lowMappingQualityFraction);
  out[offset + c.homopolymer_run] = Math.min(1, Math.log2(Math.max(1, homopolymerRun)) / HOMOPOLYMER_SCALE);
  out[offset + c.local_gc] = localGc;
  out[offset + c.platform_illumina + PLATFORMS.indexOf(column.platform)] = 1;
  const baseline = column.baseline;
  if (baseline) {
    out[offset + c.baseline_present] = 1;
    out[offset + c.baseline_hom_ref] = clip01(baseline.likelihoods[0]);
    out[offset + c.baseline_het] = clip01(baseline.likelihoods[1]);
    out[offset + c.baseline_hom_alt] = clip01(baseline.likelihoods[2]);
    out[offset + c.baseline_raw_gq] = clip01(Math.log1p(Math.max(0, baseline.rawGq)) / BASELINE_RAW_GQ_SCALE);
    out[offset + c.baseline_qual] = clip01(Math.log1p(Math.max(0, baseline.qual)) / BASELINE_QUAL_SCALE);
    out[offset + c.baseline_indel] = baseline.isIndel ? 1 : 0;
    out[offset + c.baseline_indel_length] = clip01(Math.log2(1 + baseline.indelLength) / LENGTH_SCALE);
    out[offset + c.baseline_repeat_length] = clip01(Math.log2(1 + baseline.repeatLength) / LENGTH_SCALE);
    out[offset + c.baseline_realigned] = baseline.realigned ? 1 : 0;
  }
}

/**
 * Normalised genotype likelihoods (hom-ref, het, hom-alt) of allele `altIndex` from a locus's
 * VCF-ordered PLs: 10^(−PL/10) of genotypes 0/0, 0/k, k/k, divided by their sum.
 */
export function likelihoodsFromPl(pl: readonly number[], altIndex: number): [number, number, number] {
  const index = (a: number, b: number): number => (b * (b + 1)) / 2 + a;
  const values = [pl[index(0, 0)], pl[index(0, altIndex)], pl[index(altIndex, altIndex)]].map((v) => 10 ** (-(v ?? 9999) / 10));
  const sum = values[0]! + values[1]! + values[2]!;
  return sum > 0 ? [values[0]! / sum, values[1]! / sum, values[2]! / sum] : [1 / 3, 1 / 3, 1 / 3];
}

/**
 * The channel permutation that turns a tile's features into those of its reverse complement
 * (once the position order is also reversed): complement the reference base, swap the
 * strands and complement the bases within each. Everything else is strand-symmetric.
 * Insertions are "after the base" in forward coordinates and so land one position off after
 * reversal; accepted for augmentation (documented in docs/model.md).
 */
export function reverseComplementChannelOrder(): number[] {
  const c = CHANNEL_INDEX;
  const order = FEATURE_CHANNELS.map((_, i) => i);
  const complement: Record<Base, Base> = { A: 'T', C: 'G', G: 'C', T: 'A' };
  for (const base of BASES) {
    order[c[`ref_${base}`]] = c[`ref_${complement[base]}`];
    order[c[`fwd_${base}`]] = c[`rev_${complement[base]}`];
    order[c[`rev_${base}`]] = c[`fwd_${complement[base]}`];
  }
  order[c.fwd_del] = c.rev_del;
  order[c.rev_del] = c.fwd_del;
  order[c.fwd_ins] = c.rev_ins;
  order[c.rev_ins] = c.fwd_ins;
  return order;
}

/**
 * Reverse complement of an encoded tile ([length × FEATURE_COUNT], row-major): positions in
 * reverse order, channels permuted; `forward_strand_fraction` becomes its complement.
 */
export function reverseComplementTile(features: Float32Array, length: number): Float32Array {
  if (features.length !== length * FEATURE_COUNT) throw new Error(`reverseComplementTile: expected ${length * FEATURE_COUNT} values, got ${features.length}`);
  const order = reverseComplementChannelOrder();
  const out = new Float32Array(features.length);
  const strandFraction = CHANNEL_INDEX.forward_strand_fraction;
  const depthChannel = CHANNEL_INDEX.log_depth;
  for (let i = 0; i < length; i++) {
    const source = (length - 1 - i) * FEATURE_COUNT;
    const target = i * FEATURE_COUNT;
    for (let k = 0; k < FEATURE_COUNT; k++) out[target + k] = features[source + order[k]!]!;
    // With no reads the fraction is the neutral 0.5 either way.
    if (features[source + depthChannel]! > 0) out[target + strandFraction] = 1 - features[source + strandFraction]!;
  }
  return out;
}

/**
 * Specialities the router is nudged towards, by expert name. The product's experts are
 * "repeats" (homopolymers and tandem repeats), "gc-extremes" (low complexity, GC extremes),
 * "platform-errors" (long-read error modes) and "unique" (everything else). Experts with other
 * names get no hint and specialise freely.
 */
export const EXPERT_SPECIALITIES = ['repeats', 'gc-extremes', 'platform-errors', 'unique'] as const;
export type ExpertSpeciality = (typeof EXPERT_SPECIALITIES)[number];

/** The speciality a position's context calls for, from its encoded features (first match wins). */
export function contextSpeciality(features: Float32Array, offset: number): ExpertSpeciality {
  const c = CHANNEL_INDEX;
  // homopolymer_run = log2(run)/4: ≥ 0.5 means a run of 4 or more.
  if (features[offset + c.homopolymer_run]! >= 0.5) return 'repeats';
  const gc = features[offset + c.local_gc]!;
  if (gc <= 0.25 || gc >= 0.75) return 'gc-extremes';
  if (features[offset + c.platform_ont]! > 0 || features[offset + c.platform_hifi]! > 0) return 'platform-errors';
  return 'unique';
}
