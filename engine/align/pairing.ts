/**
 * Paired-end logic for Illumina reads (bwa mem's model, Li 2013): the insert-size
 * distribution is estimated from confidently placed pairs in each batch; each pair then takes
 * the combination of its reads' candidate placements that maximises the two alignment scores
 * plus the log-likelihood of its insert size, against the score of leaving the reads unpaired.
 * When a read has a placement but its mate has none nearby, the mate is searched for by
 * Smith-Waterman in the window the insert-size distribution allows (mate rescue).
 */
import { BamFlag } from '../formats/bam-record.js';
import { cigarToString } from './cigar.js';
import type { MapqCalibration } from './mapq-calibration.js';
import { calibrateMapq } from './mapq-calibration.js';
import type { MateFields } from './records.js';
import type { Chain } from './chain.js';
import type { AlignmentHit, ReadAligner, ReadMapping } from './read-aligner.js';

export interface InsertSizeStats {
  mean: number;
  std: number;
  /** Bounds of a proper pair's fragment length. */
  low: number;
  high: number;
  /** Pairs the estimate rests on (0: the fallback). */
  pairs: number;
}

/** Used until a batch has enough unique pairs to estimate from. */
export function fallbackInsertStats(maxInsert: number): InsertSizeStats {
  return { mean: 350, std: 150, low: 1, high: maxInsert, pairs: 0 };
}

const MIN_PAIRS_FOR_ESTIMATE = 25;

/** What pairing needs of a placement: where the whole read lies, and its strand. */
export type PlacedSpan = Pick<AlignmentHit, 'contig' | 'pos' | 'end' | 'reverse'>;

/** Fragment length of an FR pair (forward read's start to reverse read's end), or -1. */
export function fragmentLength(a: PlacedSpan, b: PlacedSpan): number {
  if (a.contig !== b.contig || a.reverse === b.reverse) return -1;
  const forward = a.reverse ? b : a;
  const reverse = a.reverse ? a : b;
  const length = reverse.end - forward.pos;
  // the forward read must not start after the reverse read ends (that is RF, not FR)
  return forward.pos < reverse.end ? length : -1;
}

/** bwa's estimate: quartiles, outliers beyond 2 IQR dropped, bounds at 3 IQR or 4 sd. */
export function estimateInsertSize(fragments: number[], maxInsert: number): InsertSizeStats | undefined {
  if (fragments.length < MIN_PAIRS_FOR_ESTIMATE) return undefined;
  const sorted = [...fragments].sort((a, b) => a - b);
  const quantile = (q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  const p25 = quantile(0.25);
  const p50 = quantile(0.5);
  const p75 = quantile(0.75);
  const iqr = p75 - p25;
  const outLow = Math.max(1, p25 - 2 * iqr);
  const outHigh = p75 + 2 * iqr;
  let sum = 0;
  let count = 0;
  for (const f of sorted) {
    if (f >= outLow && f <= outHigh) {
      sum += f;
      count++;
    }
  }
  const mean = count > 0 ? sum / count : p50;
  let squares = 0;
  for (const f of sorted) if (f >= outLow && f <= outHigh) squares += (f - mean) * (f - mean);
  const std = Math.max(1, Math.sqrt(squares / Math.max(1, count)));
  const low = Math.max(1, Math.min(p25 - 3 * iqr, mean - 4 * std));
  const high = Math.min(maxInsert, Math.max(p75 + 3 * iqr, mean + 4 * std));
  return { mean, std, low: Math.round(low), high: Math.round(high), pairs: count };
}

/** Fragments of pairs whose reads both have a unique (MAPQ ≥ 20) FR placement. */
export function collectConfidentFragments(mappings: readonly [ReadMapping, ReadMapping][], maxInsert: number): number[] {
  const fragments: number[] = [];
  for (const [m1, m2] of mappings) {
    const a = m1.hits[0];
    const b = m2.hits[0];
    if (!a || !b || a.mapq < 20 || b.mapq < 20) continue;
    const length = fragmentLength(a, b);
    if (length > 0 && length <= maxInsert) fragments.push(length);
  }
  return fragments;
}

/** erfc by Numerical Recipes' Chebyshev fit (relative error < 1.2e-7). */
function erfc(x: number): number {
  const z = Math.abs(x);
  const t = 1 / (1 + 0.5 * z);
  const r = t * Math.exp(-z * z - 1.26551223 + t * (1.00002368 + t * (0.37409196 + t * (0.09678418 + t * (-0.18628806 + t * (0.27886807 + t * (-1.13520398 + t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))));
  return x >= 0 ? r : 2 - r;
}

export interface PairDecision {
  first: AlignmentHit[];
  second: AlignmentHit[];
  firstMate: MateFields;
  secondMate: MateFields;
  proper: boolean;
  rescued: number;
}

export interface PairingParameters {
  match: number;
  mismatch: number;
  maxInsert: number;
  rescueWindowSigmas: number;
  /** Minimum Smith-Waterman score of a rescued mate. */
  rescueMinScore: number;
  /** Maps the raw MAPQ of the chosen placements to calibrated values (absent: raw, for fitting). */
  mapqCalibration?: MapqCalibration;
}

/**
 * Chooses the placements of a read pair and fills their mate fields. `read1`/`read2` are
 * nucleotide codes of the reads as sequenced.
 */
export function pairReads(
  aligner: ReadAligner,
  read1: Uint8Array,
  read2: Uint8Array,
  m1: ReadMapping,
  m2: ReadMapping,
  stats: InsertSizeStats,
  params: PairingParameters,
): PairDecision {
  const cands1 = m1.candidates.slice(0, 6);
  const cands2 = m2.candidates.slice(0, 6);
  let rescued = 0;
  const window = params.rescueWindowSigmas * stats.std;
  const consistent = (a: PlacedSpan, b: PlacedSpan): boolean => {
    const length = fragmentLength(a, b);
    return length >= stats.low && length <= stats.high;
  };
  const rescue = (from: AlignmentHit[], to: AlignmentHit[], mateRead: Uint8Array): void => {
    const best = from[0];
    if (!best) return;
    // the two best, and any other within one mismatch of the best: in a repeat the true copy is
    // often not first among equals, and only its mate's placement can tell
    const nearTie = best.score - params.match - params.mismatch;
    const sources = from.filter((a, i) => (i < 2 && a.score >= best.score * 0.5) || a.score >= nearTie);
    for (const a of sources) {
      if (to.some((b) => consistent(a, b))) continue;
      // FR: a forward read's mate lies downstream on the reverse strand, and vice versa
      const mateReverse = !a.reverse;
      const [start, end] = a.reverse
        ? [a.end - stats.mean - window, a.end - stats.mean + window + mateRead.length]
        : [a.pos + stats.mean - window - mateRead.length, a.pos + stats.mean + window];
      const hit = aligner.rescueInWindow(mateRead, mateReverse, a.contig, Math.floor(start), Math.ceil(end), params.rescueMinScore);
      if (hit && !to.some((b) => b.contig === hit.contig && b.pos === hit.pos && b.reverse === hit.reverse)) {
        to.push(hit);
        rescued++;
      }
    }
  };
  if (params.rescueWindowSigmas > 0) {
    rescue(cands1, cands2, read2);
    rescue(cands2, cands1, read1);
    // Still no consistent pair: the pair may lie among the chains that were not extended (a
    // repeat with more equal copies than candidates). Chains of the two reads whose spans
    // make a proper FR pair are aligned there, read by read.
    if (!cands1.some((a) => cands2.some((b) => consistent(a, b)))) {
      rescued += alignConsistentChains(aligner, read1, read2, m1, m2, cands1, cands2, consistent, params.rescueMinScore);
    }
  }

  // best and second-best pair by score + log-likelihood of the insert
  let bestPair = -Infinity;
  let secondPair = -Infinity;
  let bestA: AlignmentHit | undefined;
  let bestB: AlignmentHit | undefined;
  for (const a of cands1) {
    for (const b of cands2) {
      const length = fragmentLength(a, b);
      if (length <= 0 || length > params.maxInsert) continue;
      const z = (length - stats.mean) / stats.std;
      const likelihood = 0.721 * Math.log(Math.max(1e-30, erfc(Math.abs(z) / Math.SQRT2))) * params.match;
      const score = a.score + b.score + likelihood;
      if (score > bestPair) {
        secondPair = bestPair;
        bestPair = score;
        bestA = a;
        bestB = b;
      } else if (score > secondPair) secondPair = score;
    }
  }
  const primary1 = m1.hits[0];
  const primary2 = m2.hits[0];
  const unpairedScore = (primary1?.score ?? 0) + (primary2?.score ?? 0) - 17 * params.match;

  let hits1 = m1.hits;
  let hits2 = m2.hits;
  let proper = false;
  if (bestA && bestB && bestPair >= unpairedScore) {
    const sub = Math.max(secondPair, unpairedScore);
    const pairMapq = Math.min(60, Math.round((6.02 * (bestPair - sub)) / params.match));
    const combine = (chosen: AlignmentHit, primary: AlignmentHit | undefined): number => {
      const own = chosen === primary ? chosen.mapq : 0;
      return Math.min(60, Math.max(own, Math.min(pairMapq, own + 40)));
    };
    const mapq1 = combine(bestA, primary1);
    const mapq2 = combine(bestB, primary2);
    hits1 = promote(m1.hits, bestA, mapq1);
    hits2 = promote(m2.hits, bestB, mapq2);
    proper = consistent(bestA, bestB);
  }
  if (params.mapqCalibration) {
    hits1 = calibrateHits(hits1, params.mapqCalibration, proper);
    hits2 = calibrateHits(hits2, params.mapqCalibration, proper);
  }
  const p1 = hits1[0];
  const p2 = hits2[0];
  const firstMate = mateFields(p1, p2, true, proper);
  const secondMate = mateFields(p2, p1, false, proper);
  return { first: hits1, second: hits2, firstMate, secondMate, proper, rescued };
}

/** Copies of the hits with calibrated MAPQ (a proper pair's reads on the paired curve). */
function calibrateHits(hits: AlignmentHit[], calibration: MapqCalibration, proper: boolean): AlignmentHit[] {
  const mapqClass = proper ? 'paired' : 'single';
  return hits.map((hit) => ({ ...hit, mapq: calibrateMapq(calibration, hit.mapq, mapqClass) }));
}

/** Chain pairs (by summed score) aligned when no extended placements pair up. */
const MAX_CHAIN_PAIRS = 4;
/** Slack around a chain's span when its read is aligned there. */
const CHAIN_WINDOW_SLACK = 32;

/** Where a chain puts its whole read on its contig (the chain's span extended by the unchained ends). */
function chainPlacement(aligner: ReadAligner, chain: Chain, readLength: number): PlacedSpan {
  const reference = aligner.index.reference;
  const contig = reference.contigAt(chain.refStart);
  const offset = reference.contigs[contig]!.offset;
  return { contig, pos: chain.refStart - offset - chain.queryStart, end: chain.refEnd - offset + (readLength - chain.queryEnd), reverse: chain.reverse };
}

/**
 * Pairs of chains (extended or not) of the two reads that form a proper pair; each read is
 * aligned by Smith-Waterman in its chain's window unless it already has a placement there.
 * Returns how many placements were added.
 */
function alignConsistentChains(
  aligner: ReadAligner,
  read1: Uint8Array,
  read2: Uint8Array,
  m1: ReadMapping,
  m2: ReadMapping,
  cands1: AlignmentHit[],
  cands2: AlignmentHit[],
  consistent: (a: PlacedSpan, b: PlacedSpan) => boolean,
  minScore: number,
): number {
  if (m1.unextendedChains.length === 0 && m2.unextendedChains.length === 0) return 0;
  type Option = { span: PlacedSpan; score: number; hit?: AlignmentHit };
  const options = (m: ReadMapping, cands: AlignmentHit[], length: number): Option[] => [
    ...cands.map((hit) => ({ span: hit, score: hit.chainScore, hit })),
    ...m.unextendedChains.map((chain) => ({ span: chainPlacement(aligner, chain, length), score: chain.score })),
  ];
  const options1 = options(m1, cands1, read1.length);
  const options2 = options(m2, cands2, read2.length);
  const pairs: [Option, Option][] = [];
  for (const a of options1) {
    for (const b of options2) if ((!a.hit || !b.hit) && consistent(a.span, b.span)) pairs.push([a, b]);
  }
  pairs.sort((x, y) => y[0].score + y[1].score - (x[0].score + x[1].score));
  let added = 0;
  const place = (option: Option, read: Uint8Array, cands: AlignmentHit[]): void => {
    if (option.hit) return;
    const { contig, pos, end, reverse } = option.span;
    const hit = aligner.rescueInWindow(read, reverse, contig, pos - CHAIN_WINDOW_SLACK, end + CHAIN_WINDOW_SLACK, minScore);
    if (hit && !cands.some((c) => c.contig === hit.contig && c.pos === hit.pos && c.reverse === hit.reverse)) {
      cands.push(hit);
      option.hit = hit;
      added++;
    }
  };
  for (const [a, b] of pairs.slice(0, MAX_CHAIN_PAIRS)) {
    place(a, read1, cands1);
    place(b, read2, cands2);
  }
  return added;
}

/** Makes `chosen` the primary (with `mapq`); the old primary leaves (pairs report no secondaries). */
function promote(hits: AlignmentHit[], chosen: AlignmentHit, mapq: number): AlignmentHit[] {
  const rest = hits.filter((h) => h.kind === 'supplementary' && h !== chosen);
  const primary: AlignmentHit = { ...chosen, kind: 'primary', mapq };
  return [primary, ...rest];
}

function mateFields(self: AlignmentHit | undefined, mate: AlignmentHit | undefined, isFirst: boolean, proper: boolean): MateFields {
  let flag = BamFlag.PAIRED | (isFirst ? BamFlag.READ1 : BamFlag.READ2);
  if (!mate) flag |= BamFlag.MATE_UNMAPPED;
  else if (mate.reverse) flag |= BamFlag.MATE_REVERSE;
  if (proper && self && mate) flag |= BamFlag.PROPER_PAIR;
  if (!mate) {
    // an unmapped mate sits at this read's position (SAMv1 §2.4)
    return { flag, nextRefId: self ? self.contig : -1, nextPos: self ? self.pos : -1, tlen: 0 };
  }
  let tlen = 0;
  if (self && self.contig === mate.contig) {
    const left = Math.min(self.pos, mate.pos);
    const right = Math.max(self.end, mate.end);
    const selfIsLeft = self.pos < mate.pos || (self.pos === mate.pos && isFirst);
    tlen = selfIsLeft ? right - left : -(right - left);
  }
  return { flag, nextRefId: mate.contig, nextPos: mate.pos, tlen, mateMapq: mate.mapq, mateCigar: cigarToString(mate.cigar) };
}
