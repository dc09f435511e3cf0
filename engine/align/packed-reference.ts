/**
 * The reference as the aligner holds it: every contig 2-bit packed into one buffer at a
 * global offset, with a gap of `CONTIG_GAP` bases between contigs so that no chain of seeds
 * can span two contigs (chaining never bridges a reference gap that large). Ambiguous bases
 * (N and other IUPAC codes) cannot be 2-bit packed, so they are kept as a sorted list of
 * runs and laid over fetched windows.
 *
 * Everything lives in one `SharedArrayBuffer`-backed byte array (the index file image), so
 * worker threads read the same memory instead of copying a genome per thread.
 */
import { alignAddon } from './native.js';

/** Bases between two contigs in global coordinates; larger than any preset's chaining gap. */
export const CONTIG_GAP = 1 << 16;

export interface ContigInfo {
  name: string;
  length: number;
  /** Global coordinate of the contig's first base. */
  offset: number;
  /** MD5 of the uppercase sequence (for @SQ M5), hex. */
  md5: string;
}

export class PackedReference {
  readonly contigs: readonly ContigInfo[];
  /** 4 bases per byte, base i at bits 2*(i&3). */
  readonly packed: Uint8Array;
  /** Ambiguous runs as [start, end) pairs in global coordinates, sorted. */
  readonly ambiguousRuns: Uint32Array;
  private readonly contigStarts: Float64Array;

  constructor(contigs: readonly ContigInfo[], packed: Uint8Array, ambiguousRuns: Uint32Array) {
    this.contigs = contigs;
    this.packed = packed;
    this.ambiguousRuns = ambiguousRuns;
    this.contigStarts = Float64Array.from(contigs.map((c) => c.offset));
  }

  /** Total span of global coordinates, gaps included. */
  get globalLength(): number {
    const last = this.contigs[this.contigs.length - 1];
    return last ? last.offset + last.length : 0;
  }

  /** Index of the contig that holds global position `position` (or the one before a gap). */
  contigAt(position: number): number {
    const starts = this.contigStarts;
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid]! <= position) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }

  /**
   * Writes codes of global [start, end) into `out` (positions outside every contig read as N)
   * and returns the filled view. Unpacked by the native kernel (one implementation).
   */
  fetch(start: number, end: number, out?: Uint8Array): Uint8Array {
    const length = Math.max(0, end - start);
    const codes = out && out.length >= length ? out.subarray(0, length) : new Uint8Array(length);
    alignAddon().unpackReference(this.packed, this.ambiguousRuns, start, end, codes);
    return codes;
  }
}

/** Accumulates contigs into the packed layout. */
export class PackedReferenceBuilder {
  private readonly contigs: ContigInfo[] = [];
  private packed = new Uint8Array(1 << 20);
  private runs = new Uint32Array(1024);
  private runCount = 0;
  private nextOffset = 0;

  /** Adds a contig from nucleotide codes (0-3, 4 = ambiguous). Returns its global offset. */
  addContig(name: string, md5: string, codes: Uint8Array): number {
    const offset = this.nextOffset;
    const end = offset + codes.length;
    if (end + CONTIG_GAP > 0xffff_ffff) {
      throw new RangeError('The reference is larger than the 4 Gbp this index format addresses');
    }
    this.ensurePacked(end);
    const packed = this.packed;
    let runStart = -1;
    for (let i = 0; i < codes.length; i++) {
      const c = codes[i]!;
      const p = offset + i;
      if (c < 4) {
        packed[p >>> 2]! |= c << ((p & 3) << 1);
        if (runStart >= 0) {
          this.pushRun(runStart, p);
          runStart = -1;
        }
      } else if (runStart < 0) runStart = p;
    }
    if (runStart >= 0) this.pushRun(runStart, end);
    this.contigs.push({ name, length: codes.length, offset, md5 });
    this.nextOffset = end + CONTIG_GAP;
    return offset;
  }

  finish(): PackedReference {
    const last = this.contigs[this.contigs.length - 1];
    const globalLength = last ? last.offset + last.length : 0;
    return new PackedReference(
      this.contigs,
      this.packed.slice(0, (globalLength + 3) >>> 2),
      this.runs.slice(0, 2 * this.runCount),
    );
  }

  private ensurePacked(endBase: number): void {
    const bytes = (endBase + 3) >>> 2;
    if (bytes <= this.packed.length) return;
    let capacity = this.packed.length;
    while (capacity < bytes) capacity *= 2;
    const grown = new Uint8Array(capacity);
    grown.set(this.packed);
    this.packed = grown;
  }

  private pushRun(start: number, end: number): void {
    if (2 * this.runCount + 2 > this.runs.length) {
      const grown = new Uint32Array(this.runs.length * 2);
      grown.set(this.runs);
      this.runs = grown;
    }
    this.runs[2 * this.runCount] = start;
    this.runs[2 * this.runCount + 1] = end;
    this.runCount++;
  }
}
