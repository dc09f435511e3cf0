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
import type { MateFields } from './records.js';
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

/** Fragment length of an FR pair (forward read's start to reverse read's end), or -1. */
export function fragmentLength(a: AlignmentHit, b: AlignmentHit): number {
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
  maxInsert: number;
  rescueWindowSigmas: number;
  /** Minimum Smith-Waterman score of a rescued mate. */
  rescueMinScore: number;
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
  const consistent = (a: AlignmentHit, b: AlignmentHit): boolean => {
    const length = fragmentLength(a, b);
    return length >= stats.low && length <= stats.high;
  };
  const rescue = (from: AlignmentHit[], to: AlignmentHit[], mateRead: Uint8Array): void => {
    const best = from[0];
    if (!best) return;
    for (const a of from.slice(0, 2)) {
      if (a.score < best.score * 0.5) break;
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
  const p1 = hits1[0];
  const p2 = hits2[0];
  const firstMate = mateFields(p1, p2, true, proper);
  const secondMate = mateFields(p2, p1, false, proper);
  return { first: hits1, second: hits2, firstMate, secondMate, proper, rescued };
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
