/**
 * (w,k)-minimizer sketches, as in minimap2 (Li 2018, Roberts et al. 2004): of every w
 * consecutive canonical k-mers keep the one with the smallest hash. Both the index and every
 * read are sketched by the one native kernel (native/src/sketch.c), so a read k-mer and a
 * reference k-mer that are equal (on either strand) produce the same key.
 *
 * Each minimizer has two 32-bit hashes of its canonical k-mer (k ≤ 28): `order` ranks
 * k-mers inside a window and picks the index bucket; `check` (with the strand in its low bit)
 * tells keys in a bucket apart. For k ≤ 16 `order` is a bijection of the k-mer, for larger k
 * the pair leaves a false-match chance near 2^-31 per lookup. Palindromic k-mers (equal to
 * their reverse complement) have no strand and are skipped, as minimap2 does. The hashes are
 * part of the index file format.
 */
import { alignAddon } from './native.js';

export const MAX_KMER = 28;

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

  /** Appends parallel arrays of minimizers. */
  append(order: Uint32Array, check: Uint32Array, position: Uint32Array): void {
    const needed = this.length + order.length;
    if (needed > this.order.length) {
      let capacity = Math.max(this.order.length, 1);
      while (capacity < needed) capacity *= 2;
      this.grow(capacity);
    }
    this.order.set(order, this.length);
    this.check.set(check, this.length);
    this.position.set(position, this.length);
    this.length = needed;
  }

  private grow(capacity: number): void {
    const order = new Uint32Array(capacity);
    order.set(this.order.subarray(0, this.length));
    const check = new Uint32Array(capacity);
    check.set(this.check.subarray(0, this.length));
    const position = new Uint32Array(capacity);
    position.set(this.position.subarray(0, this.length));
    this.order = order;
    this.check = check;
    this.position = position;
  }
}

/**
 * Appends the minimizers of `codes` (nucleotide codes, 4 = N) to `out`. Positions are the
 * k-mer's last base plus `positionOffset`. Ambiguous bases break k-mers, as in minimap2.
 */
export function sketchMinimizers(codes: Uint8Array, k: number, w: number, out: MinimizerList, positionOffset = 0): void {
  if (k < 4 || k > MAX_KMER) throw new RangeError(`k must be from 4 to ${MAX_KMER}, got ${k}`);
  if (w < 1 || w > 255) throw new RangeError(`w must be from 1 to 255, got ${w}`);
  const [order, check, position] = alignAddon().sketch(codes, k, w, positionOffset);
  out.append(order, check, position);
}
