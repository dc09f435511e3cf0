/**
 * Maps one read: seeds and chains (./chain.ts), picks primary, supplementary and secondary
 * chains, turns each into a base-level alignment by affine-gap DP between and beyond its
 * anchors (./dp.ts), and scores mapping quality (./mapq.ts).
 *
 * Chains that cover a different part of the read than a better chain are separate
 * alignments of a split read (the best is primary, the others supplementary); chains that
 * cover mostly the same part are alternative placements (secondary), minimap2's rule with
 * its mask level.
 */
import type { Chain, ChainParameters } from './chain.js';
import { ChainWorkspace } from './chain.js';
import { appendCigar, computeAlignmentTags, cigarReferenceSpan } from './cigar.js';
import type { DpScoring } from './dp.js';
import { DpWorkspace } from './dp.js';
import { CIGAR_SOFT_CLIP } from './dp.js';
import { estimateMapq } from './mapq.js';
import type { MinimizerIndex } from './minimizer-index.js';
import { reverseComplementCodes } from './nucleotide.js';
import type { AlignPreset } from './presets.js';

export type HitKind = 'primary' | 'secondary' | 'supplementary';

export interface AlignmentHit {
  contig: number;
  /** 0-based leftmost reference position on the contig. */
  pos: number;
  /** Exclusive end on the contig. */
  end: number;
  reverse: boolean;
  /** Packed CIGAR including soft clips. */
  cigar: number[];
  /** Aligned part of the read on the aligned strand, [queryStart, queryEnd). */
  queryStart: number;
  queryEnd: number;
  score: number;
  chainScore: number;
  anchorCount: number;
  nm: number;
  md: string;
  identity: number;
  kind: HitKind;
  mapq: number;
}

export interface ReadMapping {
  /** What is reported: the primary first, then supplementary and secondary alignments. */
  hits: AlignmentHit[];
  /** Extended placements of the primary's part of the read, best first (pairing chooses among them). */
  candidates: AlignmentHit[];
  /** Minimizers skipped as repetitive; a read with hits only there is flagged unmapped. */
  repetitiveMinimizers: number;
  minimizers: number;
}

/** Tail extensions longer than this are clipped: nothing anchors them, and DP memory is bounded. */
const MAX_EXTENSION = 50_000;
/** Reads up to this long try an ungapped alignment first (see `tryGapless`). */
const MAX_GAPLESS_READ = 1000;
const GAPLESS_MAX_MISMATCHES = 3;

export class ReadAligner {
  readonly index: MinimizerIndex;
  readonly preset: AlignPreset;
  readonly scoring: DpScoring;
  private readonly chainParams: ChainParameters;
  private readonly chains = new ChainWorkspace();
  private readonly dp = new DpWorkspace();
  private targetBuffer = new Uint8Array(1 << 16);
  private queryScratch = new Uint8Array(1 << 16);
  private targetScratch = new Uint8Array(1 << 16);
  /** Report secondary alignments (long reads); short reads only use them for MAPQ. */
  readonly outputSecondary: boolean;

  constructor(index: MinimizerIndex, preset: AlignPreset) {
    this.index = index;
    this.preset = preset;
    this.scoring = {
      match: preset.match,
      mismatch: preset.mismatch,
      gapOpen: preset.gapOpen,
      gapExtend: preset.gapExtend,
      zDrop: preset.zDrop,
      endBonus: preset.endBonus,
    };
    this.chainParams = {
      maxGap: preset.maxGap,
      bandwidth: preset.bandwidth,
      maxPredecessors: preset.maxPredecessors,
      minChainAnchors: preset.minChainAnchors,
      minChainScore: preset.minChainScore,
    };
    this.outputSecondary = preset.name !== 'sr';
  }

  /** Chains of a read: first pass with the index's repeat cutoff, a second with a looser one. */
  findChains(read: Uint8Array): { chains: Chain[]; minimizers: number; repetitive: number } {
    let stats = this.chains.collectAnchors(this.index, read, this.index.header.occurrenceCutoff);
    let chains = this.chains.chainAnchors(this.index.k, this.chainParams);
    if (chains.length === 0 && stats.repetitive > 0) {
      stats = this.chains.collectAnchors(this.index, read, Math.max(this.preset.rescueOccurrenceCutoff, this.index.header.occurrenceCutoff));
      chains = this.chains.chainAnchors(this.index.k, this.chainParams);
    }
    return { chains, minimizers: stats.minimizers, repetitive: stats.repetitive };
  }

  mapRead(read: Uint8Array): ReadMapping {
    const { chains, minimizers, repetitive } = this.findChains(read);
    if (chains.length === 0) return { hits: [], candidates: [], repetitiveMinimizers: repetitive, minimizers };
    let reverseRead: Uint8Array | undefined;
    const strandRead = (reverse: boolean): Uint8Array => {
      if (!reverse) return read;
      reverseRead ??= reverseComplementCodes(read);
      return reverseRead;
    };

    // Group chains by the part of the read they cover (mask level), best chain first.
    const groups = groupChains(chains, this.preset.maskLevel, read.length);
    const hits: AlignmentHit[] = [];
    let primaryCandidates: AlignmentHit[] = [];
    const maxCandidates = 1 + Math.max(this.preset.maxSecondary, 4);
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g]!;
      const leader = group[0]!;
      if (g > 0 && leader.score < this.preset.minChainScore * 2) continue;
      const candidates: AlignmentHit[] = [];
      for (let c = 0; c < group.length && c < maxCandidates; c++) {
        const chain = group[c]!;
        if (c > 0 && chain.score < leader.score * 0.5) break;
        const hit = this.extendChain(chain, strandRead(chain.reverse));
        if (hit) candidates.push(hit);
      }
      if (candidates.length === 0) continue;
      candidates.sort((a, b) => b.score - a.score || b.chainScore - a.chainScore);
      const best = candidates[0]!;
      const second = candidates[1];
      // chains beyond those extended still count as competitors (repeats)
      let nearCompetitors = 0;
      for (let c = 1; c < group.length; c++) if (group[c]!.score >= leader.score * this.preset.secondaryRatio) nearCompetitors++;
      best.mapq = estimateMapq({
        score: best.score,
        secondScore: second?.score ?? 0,
        chainScore: best.chainScore,
        secondChainScore: group.length > 1 ? group[1]!.score : 0,
        anchorCount: best.anchorCount,
        identity: best.identity,
        match: this.preset.match,
        nearCompetitors,
        minChainScore: this.preset.minChainScore,
      });
      best.kind = hits.length === 0 ? 'primary' : 'supplementary';
      if (hits.length === 0) primaryCandidates = candidates;
      hits.push(best);
      if (best.kind === 'primary' && this.outputSecondary) {
        for (let c = 1; c < candidates.length && c <= this.preset.maxSecondary; c++) {
          const alt = candidates[c]!;
          if (alt.score < best.score * this.preset.secondaryRatio) break;
          alt.kind = 'secondary';
          alt.mapq = 0;
          hits.push(alt);
        }
      }
    }
    return { hits, candidates: primaryCandidates, repetitiveMinimizers: repetitive, minimizers };
  }

  /** Base-level alignment of a chain; undefined when the DP finds nothing worth reporting. */
  extendChain(chain: Chain, read: Uint8Array): AlignmentHit | undefined {
    const ws = this.chains;
    const k = this.index.k;
    const reference = this.index.reference;
    const contigIndex = reference.contigAt(chain.refStart);
    const contig = reference.contigs[contigIndex]!;
    const contigStart = contig.offset;
    const contigEnd = contig.offset + contig.length;
    const band = this.preset.extensionBand;
    const scoring = this.scoring;
    const anchors = chain.anchors;
    const qlen = read.length;

    const firstAnchor = anchors[0]!;
    const lastAnchor = anchors[anchors.length - 1]!;
    if (qlen <= MAX_GAPLESS_READ && ws.anchorX[firstAnchor]! - ws.anchorY[firstAnchor]! === ws.anchorX[lastAnchor]! - ws.anchorY[lastAnchor]!) {
      const gapless = this.tryGapless(chain, read, contigIndex, ws.anchorX[firstAnchor]! - ws.anchorY[firstAnchor]!);
      if (gapless) return gapless;
    }
    const qs = ws.anchorY[firstAnchor]! + 1 - k;
    const rs = ws.anchorX[firstAnchor]! + 1 - k;
    // Left extension on reversed sequences.
    const leftQueryLength = Math.min(qs, MAX_EXTENSION);
    const leftTargetLength = Math.min(rs - contigStart, leftQueryLength + band);
    let leftCigar: number[] = [];
    let alignStartQuery = qs;
    let alignStartRef = rs;
    if (leftQueryLength > 0 && leftTargetLength > 0) {
      const query = this.scratchQuery(leftQueryLength);
      for (let i = 0; i < leftQueryLength; i++) query[i] = read[qs - 1 - i]!;
      const target = this.scratchTarget(leftTargetLength);
      const fetched = reference.fetch(rs - leftTargetLength, rs, this.fetchBuffer(leftTargetLength));
      for (let i = 0; i < leftTargetLength; i++) target[i] = fetched[leftTargetLength - 1 - i]!;
      const result = this.dp.align(query, target, scoring, band, 'extend');
      leftCigar = result.cigar.reverse();
      alignStartQuery = qs - result.queryEnd;
      alignStartRef = rs - result.targetEnd;
    }

    // Through the anchors.
    const middle: number[] = [];
    appendCigar(middle, [(k << 4) | 0]);
    let qe = ws.anchorY[firstAnchor]! + 1;
    let re = ws.anchorX[firstAnchor]! + 1;
    for (let a = 1; a < anchors.length; a++) {
      const anchor = anchors[a]!;
      const y = ws.anchorY[anchor]! + 1;
      const x = ws.anchorX[anchor]! + 1;
      const dq = y - qe;
      const dr = x - re;
      if (dq <= 0 || dr <= 0) continue;
      if (dq === dr && dq <= k) {
        appendCigar(middle, [(dq << 4) | 0]);
      } else {
        const target = reference.fetch(re, x, this.fetchBuffer(dr));
        let gapless = dq === dr;
        if (gapless) {
          let mismatches = 0;
          for (let i = 0; i < dq && mismatches < 3; i++) if (read[qe + i] !== target[i]) mismatches++;
          gapless = mismatches < 3;
        }
        if (gapless) appendCigar(middle, [(dq << 4) | 0]);
        else {
          const result = this.dp.align(read.subarray(qe, y), target, scoring, Math.min(band, 64), 'global');
          appendCigar(middle, result.cigar);
        }
      }
      qe = y;
      re = x;
    }

    // Right extension.
    const rightQueryLength = Math.min(qlen - qe, MAX_EXTENSION);
    const rightTargetLength = Math.min(contigEnd - re, rightQueryLength + band);
    let rightCigar: number[] = [];
    let alignEndQuery = qe;
    if (rightQueryLength > 0 && rightTargetLength > 0) {
      const target = reference.fetch(re, re + rightTargetLength, this.fetchBuffer(rightTargetLength));
      const result = this.dp.align(read.subarray(qe, qe + rightQueryLength), target, scoring, band, 'extend');
      rightCigar = result.cigar;
      alignEndQuery = qe + result.queryEnd;
    }

    const cigar: number[] = [];
    if (alignStartQuery > 0) cigar.push((alignStartQuery << 4) | CIGAR_SOFT_CLIP);
    appendCigar(cigar, leftCigar);
    appendCigar(cigar, middle);
    appendCigar(cigar, rightCigar);
    trimEdgeGaps(cigar);
    if (qlen - alignEndQuery > 0) appendCigar(cigar, [((qlen - alignEndQuery) << 4) | CIGAR_SOFT_CLIP]);
    // Leading/trailing gaps trimmed above move the start; recompute spans from the CIGAR.
    const leadingClip = (cigar[0]! & 15) === CIGAR_SOFT_CLIP ? cigar[0]! >>> 4 : 0;
    const trailingClip = (cigar[cigar.length - 1]! & 15) === CIGAR_SOFT_CLIP && cigar.length > 1 ? cigar[cigar.length - 1]! >>> 4 : 0;
    const refSpan = cigarReferenceSpan(cigar);
    if (refSpan === 0) return undefined;
    const refStart = alignStartRef + leadingDeletionShift(leftCigar);
    const target = reference.fetch(refStart, refStart + refSpan, this.fetchBuffer(refSpan));
    const tags = computeAlignmentTags(cigar, read, target);
    const score = scoreCigar(cigar, read, target, scoring);
    if (score <= 0) return undefined;
    return {
      contig: contigIndex,
      pos: refStart - contigStart,
      end: refStart - contigStart + refSpan,
      reverse: chain.reverse,
      cigar,
      queryStart: leadingClip,
      queryEnd: qlen - trailingClip,
      score,
      chainScore: chain.score,
      anchorCount: anchors.length,
      nm: tags.nm,
      md: tags.md,
      identity: tags.columns > 0 ? tags.matches / tags.columns : 0,
      kind: 'primary',
      mapq: 0,
    };
  }

  /**
   * Mate rescue: Smith-Waterman of the read (on the given strand) against a reference
   * window where its mate's placement says it should be. Returns a hit when the local
   * alignment scores at least `minScore`.
   */
  rescueInWindow(read: Uint8Array, reverse: boolean, contigIndex: number, windowStart: number, windowEnd: number, minScore: number): AlignmentHit | undefined {
    const reference = this.index.reference;
    const contig = reference.contigs[contigIndex]!;
    const start = Math.max(0, windowStart);
    const end = Math.min(contig.length, windowEnd);
    if (end - start < read.length / 2) return undefined;
    const query = reverse ? reverseComplementCodes(read) : read;
    const target = reference.fetch(contig.offset + start, contig.offset + end, this.fetchBuffer(end - start)).slice();
    const result = this.dp.align(query, target, this.scoring, 0, 'local');
    if (result.score < minScore) return undefined;
    const cigar: number[] = [];
    if (result.queryStart > 0) cigar.push((result.queryStart << 4) | CIGAR_SOFT_CLIP);
    appendCigar(cigar, result.cigar);
    if (read.length - result.queryEnd > 0) appendCigar(cigar, [((read.length - result.queryEnd) << 4) | CIGAR_SOFT_CLIP]);
    const refSpan = cigarReferenceSpan(cigar);
    const pos = start + result.targetStart;
    const aligned = target.subarray(result.targetStart, result.targetStart + refSpan);
    const tags = computeAlignmentTags(cigar, query, aligned);
    return {
      contig: contigIndex,
      pos,
      end: pos + refSpan,
      reverse,
      cigar,
      queryStart: result.queryStart,
      queryEnd: result.queryEnd,
      score: result.score,
      chainScore: 0,
      anchorCount: 0,
      nm: tags.nm,
      md: tags.md,
      identity: tags.columns > 0 ? tags.matches / tags.columns : 0,
      kind: 'primary',
      mapq: 0,
    };
  }

  /**
   * Short reads whose chain lies on one diagonal are usually an exact or near-exact match:
   * the ungapped alignment over the whole read is taken when it has at most
   * `GAPLESS_MAX_MISMATCHES` mismatches (no gapped alignment of such a read scores better
   * unless an indel sits within a few bases of an end, where it scores about the same). This
   * skips the DP for most Illumina reads.
   */
  private tryGapless(chain: Chain, read: Uint8Array, contigIndex: number, diagonal: number): AlignmentHit | undefined {
    const reference = this.index.reference;
    const contig = reference.contigs[contigIndex]!;
    const qlen = read.length;
    const start = diagonal; // global reference position of read base 0
    if (start < contig.offset || start + qlen > contig.offset + contig.length) return undefined;
    const target = reference.fetch(start, start + qlen, this.fetchBuffer(qlen));
    let mismatches = 0;
    let score = 0;
    const { match, mismatch } = this.scoring;
    for (let i = 0; i < qlen; i++) {
      const a = read[i]!;
      const b = target[i]!;
      if (a > 3 || b > 3) {
        score -= 1;
        mismatches++;
      } else if (a === b) score += match;
      else {
        score -= mismatch;
        mismatches++;
      }
      if (mismatches > GAPLESS_MAX_MISMATCHES) return undefined;
    }
    const cigar = [(qlen << 4) | 0];
    const tags = computeAlignmentTags(cigar, read, target);
    return {
      contig: contigIndex,
      pos: start - contig.offset,
      end: start - contig.offset + qlen,
      reverse: chain.reverse,
      cigar,
      queryStart: 0,
      queryEnd: qlen,
      score,
      chainScore: chain.score,
      anchorCount: chain.anchors.length,
      nm: tags.nm,
      md: tags.md,
      identity: tags.columns > 0 ? tags.matches / tags.columns : 0,
      kind: 'primary',
      mapq: 0,
    };
  }

  private fetchBuffer(length: number): Uint8Array {
    if (this.targetBuffer.length < length) this.targetBuffer = new Uint8Array(Math.max(length, this.targetBuffer.length * 2));
    return this.targetBuffer;
  }

  private scratchQuery(length: number): Uint8Array {
    if (this.queryScratch.length < length) this.queryScratch = new Uint8Array(Math.max(length, this.queryScratch.length * 2));
    return this.queryScratch.subarray(0, length);
  }

  private scratchTarget(length: number): Uint8Array {
    if (this.targetScratch.length < length) this.targetScratch = new Uint8Array(Math.max(length, this.targetScratch.length * 2));
    return this.targetScratch.subarray(0, length);
  }
}

/**
 * An extension can end in a gap only if the DP was cut by Z-drop inside one; an alignment
 * never starts or ends with I/D, so such gaps become clips (I) or are dropped (D).
 */
function trimEdgeGaps(cigar: number[]): void {
  // after the leading clip
  let first = (cigar[0]! & 15) === CIGAR_SOFT_CLIP ? 1 : 0;
  while (first < cigar.length && ((cigar[first]! & 15) === 1 || (cigar[first]! & 15) === 2)) {
    const op = cigar[first]!;
    cigar.splice(first, 1);
    if ((op & 15) === 1) {
      if (first === 1) cigar[0] = (((cigar[0]! >>> 4) + (op >>> 4)) << 4) | CIGAR_SOFT_CLIP;
      else {
        cigar.unshift(op & ~15 | CIGAR_SOFT_CLIP);
        first = 1;
      }
    }
  }
  while (cigar.length > 0 && ((cigar[cigar.length - 1]! & 15) === 1 || (cigar[cigar.length - 1]! & 15) === 2)) {
    const op = cigar.pop()!;
    if ((op & 15) === 1) cigar.push((op & ~15) | CIGAR_SOFT_CLIP);
  }
}

/** Reference bases the left extension's leading deletions would have covered (they are trimmed). */
function leadingDeletionShift(leftCigar: number[]): number {
  let shift = 0;
  for (const op of leftCigar) {
    if ((op & 15) === 2) shift += op >>> 4;
    else if ((op & 15) !== 1) break;
  }
  return shift;
}

/** The alignment's score from its CIGAR and bases (one score for all segments). */
export function scoreCigar(cigar: ArrayLike<number>, query: Uint8Array, target: Uint8Array, scoring: DpScoring): number {
  let score = 0;
  let q = 0;
  let t = 0;
  for (let c = 0; c < cigar.length; c++) {
    const op = cigar[c]! & 15;
    const length = cigar[c]! >>> 4;
    if (op === 0) {
      for (let i = 0; i < length; i++) {
        const a = query[q + i]!;
        const b = target[t + i]!;
        score += a > 3 || b > 3 ? -1 : a === b ? scoring.match : -scoring.mismatch;
      }
      q += length;
      t += length;
    } else if (op === 1) {
      score -= scoring.gapOpen + length * scoring.gapExtend;
      q += length;
    } else if (op === 2) {
      score -= scoring.gapOpen + length * scoring.gapExtend;
      t += length;
    } else if (op === 4) q += length;
  }
  return score;
}

/**
 * Groups chains (best first) by the part of the read they cover: a chain overlapping a
 * group leader by more than `maskLevel` of the shorter span joins that group.
 */
export function groupChains(chains: Chain[], maskLevel: number, queryLength: number): Chain[][] {
  // spans on the read as sequenced (a reverse chain's coordinates are on the reverse complement)
  const span = (c: Chain): [number, number] => (c.reverse ? [queryLength - c.queryEnd, queryLength - c.queryStart] : [c.queryStart, c.queryEnd]);
  const groups: Chain[][] = [];
  for (const chain of chains) {
    const [start, end] = span(chain);
    let placed = false;
    for (const group of groups) {
      const [leaderStart, leaderEnd] = span(group[0]!);
      const overlap = Math.min(leaderEnd, end) - Math.max(leaderStart, start);
      const shorter = Math.min(leaderEnd - leaderStart, end - start);
      if (overlap > maskLevel * shorter) {
        group.push(chain);
        placed = true;
        break;
      }
    }
    if (!placed) groups.push([chain]);
  }
  return groups;
}
