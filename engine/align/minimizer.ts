/**
 * (w,k)-minimizer sketches, as in minimap2 (Li 2018, Roberts et al. 2004): of every w
 * consecutive canonical k-mers keep the one with the smallest hash. Both the index and every
 * read are sketched by this one function, so a read k-mer and a reference k-mer that are
 * equal (on either strand) produce the same key.
 *
 * A k-mer (k ≤ 28) is 2k bits, more than JavaScript's 32-bit integer operations hold, so it
 * is kept as two words: `lo` (the last 16 bases) and `hi` (the older ones). Two independent
 * 32-bit hashes are derived from it: `order` ranks k-mers inside a window and picks the index
 * bucket; `check` (with the strand in its low bit) tells keys in a bucket apart. For k ≤ 16
 * `order` is a bijection of the k-mer, for larger k the pair (`order`, `check`) leaves a
 * false-match chance near 2^-31 per lookup.
 *
 * Palindromic k-mers (equal to their reverse complement) have no strand and are skipped, as
 * minimap2 does.
 */

export const MAX_KMER = 28;
const NO_HASH = 0x1_0000_0000; // above every 32-bit hash: an empty window slot

/** A growable list of minimizers: parallel arrays so the hot loops touch typed memory only. */
export class MinimizerList {
  order: Uint32Array;
  /** Second hash with bit 0 replaced by the strand (1: the canonical k-mer is the reverse). */
  check: Uint32Array;
  /** Position of the k-mer's last base in the sketched sequence (plus the caller's offset). */
  position: Uint32Array;
  length = 0;

  constructor(capacity = 1024) {
    this.order = new Uint32Array(capacity);
    this.check = new Uint32Array(capacity);
    this.position = new Uint32Array(capacity);
  }

  clear(): void {
    this.length = 0;
  }

  push(order: number, check: number, position: number): void {
    if (this.length === this.order.length) this.grow(this.length * 2);
    const i = this.length++;
    this.order[i] = order;
    this.check[i] = check;
    this.position[i] = position;
  }

  private grow(capacity: number): void {
    const order = new Uint32Array(capacity);
    order.set(this.order);
    const check = new Uint32Array(capacity);
    check.set(this.check);
    const position = new Uint32Array(capacity);
    position.set(this.position);
    this.order = order;
    this.check = check;
    this.position = position;
  }
}

/** murmur3's 32-bit finaliser: a bijection on 32-bit words with full avalanche. */
function fmix32(value: number): number {
  let h = value;
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

export function minimizerOrderHash(lo: number, hi: number): number {
  return fmix32((lo ^ Math.imul(fmix32(hi ^ 0x3c6ef372), 0x9e3779b1)) >>> 0);
}

export function minimizerCheckHash(lo: number, hi: number): number {
  return fmix32((Math.imul(lo ^ 0x5bd1e995, 0x27d4eb2d) + fmix32(hi + 0x7f4a7c15)) >>> 0);
}

/**
 * Appends the minimizers of `codes` (nucleotide codes, 4 = N) to `out`. Positions are the
 * k-mer's last base plus `positionOffset`. Ambiguous bases break k-mers, as in minimap2.
 */
export function sketchMinimizers(codes: Uint8Array, k: number, w: number, out: MinimizerList, positionOffset = 0): void {
  if (k < 4 || k > MAX_KMER) throw new RangeError(`k must be from 4 to ${MAX_KMER}, got ${k}`);
  if (w < 1 || w > 255) throw new RangeError(`w must be from 1 to 255, got ${w}`);
  const length = codes.length;
  // A k-mer as two words: the last min(k,16) bases in lo, the rest in hi.
  const loBases = Math.min(k, 16);
  const hiBases = k - loBases;
  const loMask = loBases === 16 ? 0xffffffff : (1 << (2 * loBases)) - 1;
  const hiMask = hiBases === 0 ? 0 : (1 << (2 * hiBases)) - 1;
  // Where the first base of a k-mer lands in the reverse complement's two words.
  const revTopShiftLo = 2 * (loBases - 1);
  const revTopShiftHi = 2 * (hiBases - 1);

  const bufOrder = new Float64Array(w).fill(NO_HASH);
  const bufCheck = new Uint32Array(w);
  const bufPosition = new Float64Array(w).fill(-1);
  let fwdLo = 0;
  let fwdHi = 0;
  let revLo = 0;
  let revHi = 0;
  let run = 0; // consecutive unambiguous bases ending here
  let slot = 0;
  let minOrder = NO_HASH;
  let minCheck = 0;
  let minPosition = -1;
  let minSlot = 0;

  for (let i = 0; i < length; i++) {
    const c = codes[i]!;
    let order = NO_HASH;
    let check = 0;
    if (c < 4) {
      // forward: shift left by one base, the carry from lo goes into hi
      fwdHi = ((fwdHi << 2) | (fwdLo >>> (2 * loBases - 2))) & hiMask;
      fwdLo = ((fwdLo << 2) | c) & loMask;
      // reverse complement: shift right, the complement enters at the top (the oldest end)
      if (hiBases > 0) {
        revLo = ((revLo >>> 2) | ((revHi & 3) << revTopShiftLo)) & loMask;
        revHi = (revHi >>> 2) | ((3 - c) << revTopShiftHi);
      } else {
        revLo = (revLo >>> 2) | ((3 - c) << revTopShiftLo);
      }
      fwdLo >>>= 0;
      revLo >>>= 0;
      run++;
      if (run >= k) {
        // canonical: the smaller of the two as a 2k-bit number (hi words decide first)
        if (fwdHi !== revHi || fwdLo !== revLo) {
          const reverse = fwdHi > revHi || (fwdHi === revHi && fwdLo > revLo);
          const lo = reverse ? revLo : fwdLo;
          const hi = reverse ? revHi : fwdHi;
          order = minimizerOrderHash(lo, hi);
          check = ((minimizerCheckHash(lo, hi) & ~1) | (reverse ? 1 : 0)) >>> 0;
        }
      }
    } else {
      run = 0;
      fwdLo = fwdHi = revLo = revHi = 0;
    }
    const position = i + positionOffset;
    bufOrder[slot] = order;
    bufCheck[slot] = check;
    bufPosition[slot] = order === NO_HASH ? -1 : position;

    const firstFullWindow = run === w + k - 1 && minOrder !== NO_HASH;
    if (firstFullWindow) {
      // ties with the window minimum are minimizers too (minimap2 keeps all of them)
      for (let j = slot + 1; j < w; j++) {
        if (bufOrder[j] === minOrder && bufPosition[j] !== minPosition) out.push(minOrder, bufCheck[j]!, bufPosition[j]!);
      }
      for (let j = 0; j < slot; j++) {
        if (bufOrder[j] === minOrder && bufPosition[j] !== minPosition) out.push(minOrder, bufCheck[j]!, bufPosition[j]!);
      }
    }
    if (order <= minOrder) {
      if (run >= w + k && minOrder !== NO_HASH) out.push(minOrder, minCheck, minPosition);
      minOrder = order;
      minCheck = check;
      minPosition = bufPosition[slot]!;
      minSlot = slot;
    } else if (slot === minSlot) {
      // the minimum left the window: emit it and rescan
      if (run >= w + k - 1 && minOrder !== NO_HASH) out.push(minOrder, minCheck, minPosition);
      minOrder = NO_HASH;
      for (let j = slot + 1; j < w; j++) {
        if (bufOrder[j]! <= minOrder) {
          minOrder = bufOrder[j]!;
          minCheck = bufCheck[j]!;
          minPosition = bufPosition[j]!;
          minSlot = j;
        }
      }
      for (let j = 0; j <= slot; j++) {
        if (bufOrder[j]! <= minOrder) {
          minOrder = bufOrder[j]!;
          minCheck = bufCheck[j]!;
          minPosition = bufPosition[j]!;
          minSlot = j;
        }
      }
      if (run >= w + k - 1 && minOrder !== NO_HASH) {
        for (let j = slot + 1; j < w; j++) {
          if (bufOrder[j] === minOrder && bufPosition[j] !== minPosition) out.push(minOrder, bufCheck[j]!, bufPosition[j]!);
        }
        for (let j = 0; j <= slot; j++) {
          if (bufOrder[j] === minOrder && bufPosition[j] !== minPosition) out.push(minOrder, bufCheck[j]!, bufPosition[j]!);
        }
      }
    }
    if (c >= 4) {
      // an N ends every window: flush the minimum like minimap2 does
      if (minOrder !== NO_HASH) out.push(minOrder, minCheck, minPosition);
      minOrder = NO_HASH;
      bufOrder.fill(NO_HASH);
      bufPosition.fill(-1);
    }
    slot = slot + 1 === w ? 0 : slot + 1;
  }
  if (minOrder !== NO_HASH) out.push(minOrder, minCheck, minPosition);
}
