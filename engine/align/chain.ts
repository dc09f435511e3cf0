/**
 * Seeding, chaining and chain extension, in the native kernel (native/src/chain.c,
 * native/src/extend.c; minimap2's algorithms, Li 2018 §2.1): read minimizers are looked up in
 * the index to give anchors (reference end, read end, relative strand); anchors sorted by
 * strand and reference position are chained by dynamic programming, each anchor looking back
 * over the anchors within `maxGap` and `bandwidth` (at most 5,000, stopping early after
 * `maxChainSkip` predecessors already reachable through a nearer one, as minimap2's
 * --max-chain-iter and --max-chain-skip); chains are backtracked
 * from the best-scoring ends, each anchor used once. A read with no chain whose minimizers
 * were cut as repetitive gets a second pass with the looser rescue cutoff.
 *
 * Extension turns a chain into a base-level alignment: ungapped when the chain lies on one
 * diagonal and the read (≤ 1 kb) has at most 3 mismatches there, otherwise global DP between
 * consecutive anchors (equal gaps with < 3 mismatches skip it) and Z-drop extension beyond the
 * first and last anchor (capped at 50 kb), edge gaps trimmed, soft clips for the rest.
 *
 * This class holds one thread's native workspace: a read's mapping allocates nothing on the
 * JS heap but the small chain and hit objects.
 */
import type { MinimizerIndex } from './minimizer-index.js';
import type { NativeHandle } from './native.js';
import { alignAddon, CHAIN_FIELDS, SEED_STATS_FIELDS } from './native.js';

export interface ChainParameters {
  maxGap: number;
  bandwidth: number;
  /**
   * The look-back stops after this many predecessors that did not improve the score and were
   * already the predecessor of a nearer anchor (minimap2's --max-chain-skip); it covers at most
   * 5,000 anchors (--max-chain-iter, fixed in the kernel). Not a window size: in a tandem repeat
   * the anchors are dozens deep at each reference position.
   */
  maxChainSkip: number;
  minChainAnchors: number;
  minChainScore: number;
}

export interface ExtensionScoring {
  match: number;
  mismatch: number;
  gapOpen: number;
  gapExtend: number;
  zDrop: number;
  endBonus: number;
  /** Extra diagonal slack of the tail extensions (between anchors: at most 64). */
  extensionBand: number;
}

/** One chain of the last seeded read, best first. */
export interface Chain {
  /** Position in the last `seedAndChain` result (what `extend` takes). */
  index: number;
  reverse: boolean;
  score: number;
  anchorCount: number;
  /** Query span on the aligned strand, [queryStart, queryEnd). */
  queryStart: number;
  queryEnd: number;
  /** Global reference span, [refStart, refEnd). */
  refStart: number;
  refEnd: number;
}

export interface SeededRead {
  chains: Chain[];
  minimizers: number;
  /** Minimizers skipped as too repetitive (count above the cutoff) in the pass that counted. */
  repetitive: number;
  /** Read bases covered by those minimizers' k-mers (minimap2's rep_len; MAPQ evidence). */
  repetitiveLength: number;
  anchors: number;
}

/** A chain extended to a base-level alignment (on the chain's strand of the read). */
export interface ChainAlignment {
  contig: number;
  /** Global reference position of the first aligned base. */
  refStart: number;
  refSpan: number;
  /** Aligned part of the read on the aligned strand, [queryStart, queryEnd). */
  queryStart: number;
  queryEnd: number;
  score: number;
  /** Packed CIGAR including soft clips. */
  cigar: number[];
}

export class ChainWorkspace {
  private readonly handle: NativeHandle;
  private chainOut = new Float64Array(SEED_STATS_FIELDS + 64 * CHAIN_FIELDS);
  private readonly hitOut = new Float64Array(6);
  private cigar = new Uint32Array(4096);

  constructor(index: MinimizerIndex, chain: ChainParameters, scoring: ExtensionScoring) {
    const { contigs, packed, ambiguousRuns } = index.reference;
    const params = Float64Array.of(
      chain.maxGap,
      chain.bandwidth,
      chain.maxChainSkip,
      chain.minChainAnchors,
      chain.minChainScore,
      scoring.match,
      scoring.mismatch,
      scoring.gapOpen,
      scoring.gapExtend,
      scoring.zDrop,
      scoring.endBonus,
      scoring.extensionBand,
    );
    this.handle = alignAddon().createAligner(
      index.bucketStart,
      index.entryCheck,
      index.entryPosition,
      index.header.bucketBits,
      index.k,
      index.w,
      packed,
      ambiguousRuns,
      Float64Array.from(contigs, (c) => c.offset),
      Float64Array.from(contigs, (c) => c.length),
      params,
    );
  }

  /**
   * Seeds and chains a read (nucleotide codes, forward strand): minimizers occurring more
   * than `occurrenceCutoff` times are skipped, then `rescueCutoff` applies if nothing chained.
   */
  seedAndChain(read: Uint8Array, occurrenceCutoff: number, rescueCutoff: number): SeededRead {
    const addon = alignAddon();
    let count = addon.seedAndChain(this.handle, read, occurrenceCutoff, rescueCutoff, this.chainOut);
    const minimizers = this.chainOut[0]!;
    const repetitive = this.chainOut[1]!;
    const anchors = this.chainOut[2]!;
    if (SEED_STATS_FIELDS + count * CHAIN_FIELDS > this.chainOut.length) {
      // more chains than fit: a larger array, and the chains copied again (not the statistics)
      this.chainOut = new Float64Array(SEED_STATS_FIELDS + 2 * count * CHAIN_FIELDS);
      count = addon.copyChains(this.handle, this.chainOut);
    }
    const out = this.chainOut;
    const chains: Chain[] = new Array<Chain>(count);
    for (let c = 0; c < count; c++) {
      const o = SEED_STATS_FIELDS + c * CHAIN_FIELDS;
      chains[c] = {
        index: c,
        reverse: out[o] === 1,
        score: out[o + 1]!,
        anchorCount: out[o + 2]!,
        queryStart: out[o + 3]!,
        queryEnd: out[o + 4]!,
        refStart: out[o + 5]!,
        refEnd: out[o + 6]!,
      };
    }
    return { chains, minimizers, repetitive, repetitiveLength: addon.repetitiveLength(this.handle), anchors };
  }

  /** Base-level alignment of a chain of the last seeded read; undefined when nothing scores. */
  extend(chain: Chain): ChainAlignment | undefined {
    const addon = alignAddon();
    let length = addon.extendChain(this.handle, chain.index, this.hitOut, this.cigar);
    if (length === 0) return undefined;
    if (length > this.cigar.length) {
      this.cigar = new Uint32Array(length * 2);
      length = addon.extendChain(this.handle, chain.index, this.hitOut, this.cigar);
    }
    const out = this.hitOut;
    return {
      contig: out[0]!,
      refStart: out[1]!,
      refSpan: out[2]!,
      queryStart: out[3]!,
      queryEnd: out[4]!,
      score: out[5]!,
      cigar: Array.from(this.cigar.subarray(0, length)),
    };
  }
}
