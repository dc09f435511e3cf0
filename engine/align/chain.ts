/**
 * Seeding and chaining (minimap2's algorithm, Li 2018 §2.1): read minimizers are looked up
 * in the index to give anchors (reference end, read end, relative strand); anchors sorted
 * by strand and reference position are chained by dynamic programming, each anchor looking
 * back at most `maxPredecessors` anchors within `maxGap` and `bandwidth`; chains are
 * backtracked from the best-scoring ends, each anchor used once.
 *
 * Coordinates: x is the global reference position of the k-mer's last base; y is the
 * position of the k-mer's last base on the read *as aligned* (reverse-complemented for
 * reverse-strand anchors), so both grow together along a chain on either strand.
 */
import type { MinimizerIndex } from './minimizer-index.js';
import { MinimizerList, sketchMinimizers } from './minimizer.js';

export interface ChainParameters {
  maxGap: number;
  bandwidth: number;
  maxPredecessors: number;
  minChainAnchors: number;
  minChainScore: number;
}

/** One chain: a run of anchor indices into the workspace's sorted anchor arrays. */
export interface Chain {
  reverse: boolean;
  score: number;
  /** Anchors of the chain, ascending x (into `ChainWorkspace.anchorX/anchorY`). */
  anchors: Uint32Array;
  /** Query span on the aligned strand, [queryStart, queryEnd). */
  queryStart: number;
  queryEnd: number;
  /** Global reference span, [refStart, refEnd). */
  refStart: number;
  refEnd: number;
}

export interface SeedStatistics {
  minimizers: number;
  /** Minimizers skipped as too repetitive (count above the cutoff). */
  repetitive: number;
  anchors: number;
}

const ANCHOR_INDEX_SPAN = 2 ** 20;
/** Anchors above this many per read are dropped (reads this repetitive get a second pass). */
export const MAX_ANCHORS = ANCHOR_INDEX_SPAN - 1;

/** Reusable per-thread buffers: a read's mapping allocates nothing in the steady state. */
export class ChainWorkspace {
  readonly minimizers = new MinimizerList(4096);
  anchorX = new Uint32Array(4096);
  anchorY = new Uint32Array(4096);
  anchorReverse = new Uint8Array(4096);
  anchorCount = 0;
  private sortKeys = new Float64Array(4096);
  private score = new Float64Array(4096);
  private parent = new Int32Array(4096);
  private used = new Uint8Array(4096);
  private rawX = new Uint32Array(4096);
  private rawY = new Uint32Array(4096);
  private rawReverse = new Uint8Array(4096);
  private readonly range = new Uint32Array(2);

  private ensure(capacity: number): void {
    if (capacity <= this.anchorX.length) return;
    let size = this.anchorX.length;
    while (size < capacity) size *= 2;
    this.anchorX = new Uint32Array(size);
    this.anchorY = new Uint32Array(size);
    this.anchorReverse = new Uint8Array(size);
    this.sortKeys = new Float64Array(size);
    this.score = new Float64Array(size);
    this.parent = new Int32Array(size);
    this.used = new Uint8Array(size);
    const rawX = new Uint32Array(size);
    rawX.set(this.rawX);
    const rawY = new Uint32Array(size);
    rawY.set(this.rawY);
    const rawReverse = new Uint8Array(size);
    rawReverse.set(this.rawReverse);
    this.rawX = rawX;
    this.rawY = rawY;
    this.rawReverse = rawReverse;
  }

  /**
   * Collects anchors of the read (nucleotide codes, forward strand) and sorts them by
   * (strand, x, y). Minimizers occurring more than `occurrenceCutoff` times are skipped.
   */
  collectAnchors(index: MinimizerIndex, read: Uint8Array, occurrenceCutoff: number): SeedStatistics {
    const k = index.k;
    const list = this.minimizers;
    list.clear();
    sketchMinimizers(read, k, index.w, list);
    const queryLength = read.length;
    const range = this.range;
    const entryCheck = index.entryCheck;
    const entryPosition = index.entryPosition;
    let count = 0;
    let repetitive = 0;
    for (let m = 0; m < list.length; m++) {
      const hits = index.lookup(list.order[m]!, list.check[m]!, range);
      if (hits === 0) continue;
      if (hits > occurrenceCutoff) {
        repetitive++;
        continue;
      }
      if (count + hits > MAX_ANCHORS) break;
      this.ensure(count + hits);
      const readStrand = list.check[m]! & 1;
      const readEnd = list.position[m]!;
      const reverseY = queryLength - readEnd + k - 2;
      for (let e = range[0]!; e < range[1]!; e++) {
        const reverse = (entryCheck[e]! & 1) ^ readStrand;
        this.rawX[count] = entryPosition[e]!;
        this.rawY[count] = reverse ? reverseY : readEnd;
        this.rawReverse[count] = reverse;
        count++;
      }
    }
    // Sort by (strand, x) with the raw index as tiebreak, all packed exactly into a double.
    const keys = this.sortKeys.subarray(0, count);
    for (let i = 0; i < count; i++) keys[i] = (this.rawReverse[i]! * 0x1_0000_0000 + this.rawX[i]!) * ANCHOR_INDEX_SPAN + i;
    keys.sort();
    let kept = 0;
    for (let i = 0; i < count; i++) {
      const key = keys[i]!;
      const raw = key % ANCHOR_INDEX_SPAN;
      const x = this.rawX[raw]!;
      const y = this.rawY[raw]!;
      const reverse = this.rawReverse[raw]!;
      // duplicates arise from tied minimizers; keep one
      if (kept > 0 && this.anchorX[kept - 1] === x && this.anchorY[kept - 1] === y && this.anchorReverse[kept - 1] === reverse) continue;
      this.anchorX[kept] = x;
      this.anchorY[kept] = y;
      this.anchorReverse[kept] = reverse;
      kept++;
    }
    this.anchorCount = kept;
    return { minimizers: list.length, repetitive, anchors: kept };
  }

  /**
   * Chains the sorted anchors. The score of extending chain j by anchor i is the bases
   * anchor i adds (at most k) minus a gap cost that grows linearly with the diagonal change
   * plus its logarithm, as minimap2's.
   */
  chainAnchors(k: number, params: ChainParameters): Chain[] {
    const n = this.anchorCount;
    const xs = this.anchorX;
    const ys = this.anchorY;
    const rev = this.anchorReverse;
    const f = this.score;
    const p = this.parent;
    const { maxGap, bandwidth, maxPredecessors } = params;
    const gapScale = 0.01 * k;
    let windowStart = 0;
    for (let i = 0; i < n; i++) {
      const xi = xs[i]!;
      const yi = ys[i]!;
      const ri = rev[i]!;
      while (windowStart < i && (rev[windowStart] !== ri || xi - xs[windowStart]! > maxGap)) windowStart++;
      let best = k;
      let bestJ = -1;
      const stop = Math.max(windowStart, i - maxPredecessors);
      for (let j = i - 1; j >= stop; j--) {
        const dr = xi - xs[j]!;
        if (dr === 0) continue;
        const dq = yi - ys[j]!;
        if (dq <= 0 || dq > maxGap) continue;
        const dd = dr > dq ? dr - dq : dq - dr;
        if (dd > bandwidth) continue;
        const gained = dq < dr ? (dq < k ? dq : k) : dr < k ? dr : k;
        let s = f[j]! + gained;
        if (dd > 0) s -= gapScale * dd + 0.5 * Math.log2(dd);
        if (s > best) {
          best = s;
          bestJ = j;
        }
      }
      f[i] = best;
      p[i] = bestJ;
    }
    return this.backtrack(k, params);
  }

  private backtrack(k: number, params: ChainParameters): Chain[] {
    const n = this.anchorCount;
    const f = this.score;
    const p = this.parent;
    const used = this.used;
    used.fill(0, 0, n);
    // chain ends, best first
    const ends: number[] = [];
    for (let i = 0; i < n; i++) if (f[i]! >= params.minChainScore) ends.push(i);
    ends.sort((a, b) => f[b]! - f[a]! || a - b);
    const chains: Chain[] = [];
    const members: number[] = [];
    for (const end of ends) {
      if (used[end]) continue;
      members.length = 0;
      let i = end;
      while (i >= 0 && !used[i]) {
        members.push(i);
        used[i] = 1;
        i = p[i]!;
      }
      // a chain that ran into an already used anchor keeps only its own part of the score
      const score = f[end]! - (i >= 0 ? f[i]! : 0);
      if (members.length < params.minChainAnchors || score < params.minChainScore) continue;
      members.reverse();
      const anchors = Uint32Array.from(members);
      const first = anchors[0]!;
      const last = anchors[anchors.length - 1]!;
      const reverse = this.anchorReverse[first] === 1;
      chains.push({
        reverse,
        score,
        anchors,
        queryStart: this.anchorY[first]! + 1 - k,
        queryEnd: this.anchorY[last]! + 1,
        refStart: this.anchorX[first]! + 1 - k,
        refEnd: this.anchorX[last]! + 1,
      });
    }
    chains.sort((a, b) => b.score - a.score);
    return chains;
  }
}
