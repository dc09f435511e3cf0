/**
 * Maps one read: seeds, chains and extends chains to base-level alignments in the native
 * kernel (./chain.ts), picks primary, supplementary and secondary chains, computes NM/MD and
 * scores mapping quality (./mapq.ts).
 *
 * Chains that cover a different part of the read than a better chain are separate
 * alignments of a split read (the best is primary, the others supplementary); chains that
 * cover mostly the same part are alternative placements (secondary), minimap2's rule with
 * its mask level.
 */
import type { Chain, SeededRead } from './chain.js';
import { ChainWorkspace } from './chain.js';
import { appendCigar, computeAlignmentTags, cigarReferenceSpan } from './cigar.js';
import type { DpScoring } from './dp.js';
import { CIGAR_SOFT_CLIP, DpWorkspace } from './dp.js';
import { estimateMapq, uniqueSeedFraction } from './mapq.js';
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
  /**
   * The primary group's chains that were not extended (beyond the candidate limit or below half
   * the leader's score): in a repeat with more equal copies than candidates, the mate's
   * placement can single out one of them (pairing rescues the read there).
   */
  unextendedChains: Chain[];
  /** Minimizers skipped as repetitive; a read with hits only there is flagged unmapped. */
  repetitiveMinimizers: number;
  /** Read bases those minimizers cover. */
  repetitiveLength: number;
  minimizers: number;
}

export class ReadAligner {
  readonly index: MinimizerIndex;
  readonly preset: AlignPreset;
  readonly scoring: DpScoring;
  private readonly chains: ChainWorkspace;
  private readonly dp = new DpWorkspace();
  private targetBuffer = new Uint8Array(1 << 16);
  private reverseBuffer = new Uint8Array(1 << 12);
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
    this.chains = new ChainWorkspace(
      index,
      {
        maxGap: preset.maxGap,
        bandwidth: preset.bandwidth,
        // the preset key's value is the skip limit (see ChainParameters.maxChainSkip)
        maxChainSkip: preset.maxChainSkip,
        minChainAnchors: preset.minChainAnchors,
        minChainScore: preset.minChainScore,
      },
      { ...this.scoring, extensionBand: preset.extensionBand },
    );
    this.outputSecondary = preset.name !== 'sr';
  }

  /** Chains of a read: first pass with the index's repeat cutoff, a second with a looser one. */
  private findChains(read: Uint8Array): SeededRead {
    const cutoff = this.index.header.occurrenceCutoff;
    return this.chains.seedAndChain(read, cutoff, Math.max(this.preset.rescueOccurrenceCutoff, cutoff));
  }

  mapRead(read: Uint8Array): ReadMapping {
    const { chains, minimizers, repetitive, repetitiveLength } = this.findChains(read);
    if (chains.length === 0) return { hits: [], candidates: [], unextendedChains: [], repetitiveMinimizers: repetitive, repetitiveLength, minimizers };
    // the reverse strand (for NM/MD), made once per read into a reused buffer
    let reverseRead: Uint8Array | undefined;
    const strandRead = (reverse: boolean): Uint8Array => {
      if (!reverse) return read;
      if (!reverseRead) {
        if (this.reverseBuffer.length < read.length) this.reverseBuffer = new Uint8Array(Math.max(read.length, 2 * this.reverseBuffer.length));
        reverseRead = reverseComplementCodes(read, this.reverseBuffer);
      }
      return reverseRead;
    };

    // Group chains by the part of the read they cover (mask level), best chain first.
    const groups = groupChains(chains, this.preset.maskLevel, read.length);
    let sumChainScore = 0;
    for (const group of groups) sumChainScore += group[0]!.score;
    const uniqueFraction = uniqueSeedFraction(sumChainScore, repetitiveLength);
    const longRead = this.preset.name !== 'sr';
    const hits: AlignmentHit[] = [];
    let primaryCandidates: AlignmentHit[] = [];
    let unextendedChains: Chain[] = [];
    const maxCandidates = 1 + Math.max(this.preset.maxSecondary, 4);
    for (let g = 0; g < groups.length; g++) {
      const group = groups[g]!;
      const leader = group[0]!;
      if (g > 0 && leader.score < this.preset.minChainScore * 2) continue;
      const candidates: AlignmentHit[] = [];
      let extended = 0;
      for (; extended < group.length && extended < maxCandidates; extended++) {
        const chain = group[extended]!;
        if (extended > 0 && chain.score < leader.score * 0.5) break;
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
        uniqueFraction,
        longRead,
      });
      best.kind = hits.length === 0 ? 'primary' : 'supplementary';
      if (hits.length === 0) {
        primaryCandidates = candidates;
        unextendedChains = group.slice(extended);
      }
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
    return { hits, candidates: primaryCandidates, unextendedChains, repetitiveMinimizers: repetitive, repetitiveLength, minimizers };
  }

  /** Base-level alignment of a chain of the read `findChains` saw last (`read`: that read on the chain's strand, for NM/MD). */
  private extendChain(chain: Chain, read: Uint8Array): AlignmentHit | undefined {
    const aligned = this.chains.extend(chain);
    if (!aligned) return undefined;
    const contigStart = this.index.reference.contigs[aligned.contig]!.offset;
    const target = this.index.reference.fetch(aligned.refStart, aligned.refStart + aligned.refSpan, this.fetchBuffer(aligned.refSpan));
    const tags = computeAlignmentTags(aligned.cigar, read, target);
    return {
      contig: aligned.contig,
      pos: aligned.refStart - contigStart,
      end: aligned.refStart - contigStart + aligned.refSpan,
      reverse: chain.reverse,
      cigar: aligned.cigar,
      queryStart: aligned.queryStart,
      queryEnd: aligned.queryEnd,
      score: aligned.score,
      chainScore: chain.score,
      anchorCount: chain.anchorCount,
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
    const result = this.dp.align(query, target, this.scoring, 0, 'local', minScore);
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

  private fetchBuffer(length: number): Uint8Array {
    if (this.targetBuffer.length < length) this.targetBuffer = new Uint8Array(Math.max(length, this.targetBuffer.length * 2));
    return this.targetBuffer;
  }
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
