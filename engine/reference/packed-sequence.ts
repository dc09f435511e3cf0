/**
 * One contig held 2-bit packed (A=0, C=1, G=2, T=3; base i in bits 2*(i&3) of byte i>>2, the
 * layout the aligner uses), with the bases 2 bits cannot hold (N and the other IUPAC codes)
 * as a sorted list of runs, and lowercase (soft-masked) stretches as another list of runs.
 *
 * A human genome is about 3.1 Gbp: 780 MB packed, against 3.1 GB as text; the exception
 * lists are small (N gaps come in long runs; other IUPAC codes are rare) and the soft mask
 * of a repeat-masked assembly is a few million runs, 8 bytes each.
 */

/** ASCII → 2-bit code for A/C/G/T (either case); 255 for everything else. */
const TWO_BIT = (() => {
  const table = new Uint8Array(256).fill(255);
  'ACGT'.split('').forEach((base, code) => {
    table[base.charCodeAt(0)] = code;
    table[base.toLowerCase().charCodeAt(0)] = code;
  });
  return table;
})();

const CODE_TO_ASCII = Uint8Array.from([65, 67, 71, 84]);

/** 1 for IUPAC nucleotide letters, either case: A C G T U R Y S W K M B D H V N; else 0. */
export const IUPAC: Uint8Array = (() => {
  const table = new Uint8Array(256);
  for (const letter of 'ACGTURYSWKMBDHVN') {
    table[letter.charCodeAt(0)] = 1;
    table[letter.toLowerCase().charCodeAt(0)] = 1;
  }
  return table;
})();

/** Aligner nucleotide code for any base: A/C/G/T 0-3, everything else (N, IUPAC) 4. */
export const AMBIGUOUS_CODE = 4;

/** Growable int array (plain arrays of numbers cost 8+ bytes an entry and box on growth). */
class IntList {
  values = new Int32Array(16);
  length = 0;

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Int32Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  trimmed(): Int32Array {
    return this.values.slice(0, this.length);
  }
}

/** Runs stored as parallel arrays, sorted by start, non-overlapping. */
interface RunList {
  starts: Int32Array;
  ends: Int32Array;
}

/** First run whose end is after `position` (binary search). */
function firstRunEndingAfter(runs: RunList, position: number): number {
  let lo = 0;
  let hi = runs.ends.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (runs.ends[mid]! <= position) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class PackedSequence {
  readonly length: number;
  /** 4 bases per byte. */
  readonly packed: Uint8Array;
  /** Runs of one non-ACGT uppercase letter: [start, end) and its ASCII code. */
  readonly exceptions: RunList & { codes: Uint8Array };
  /** Lowercase runs [start, end). */
  readonly softMask: RunList;

  constructor(length: number, packed: Uint8Array, exceptions: RunList & { codes: Uint8Array }, softMask: RunList) {
    this.length = length;
    this.packed = packed;
    this.exceptions = exceptions;
    this.softMask = softMask;
  }

  /** Bytes held, for memory accounting. */
  get byteSize(): number {
    return this.packed.byteLength + this.exceptions.starts.byteLength * 2 + this.exceptions.codes.byteLength + this.softMask.starts.byteLength * 2;
  }

  private checkRange(start: number, end: number): void {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > this.length || start > end) {
      throw new RangeError(`Range [${start}, ${end}) is outside the contig (length ${this.length})`);
    }
  }

  /**
   * ASCII bases of [start, end), 0-based half-open, exactly as in the FASTA but uppercase;
   * with `softMasked`, lowercase where the FASTA was lowercase.
   */
  fetchBytes(start: number, end: number, options: { softMasked?: boolean } = {}): Buffer {
    this.checkRange(start, end);
    const out = Buffer.allocUnsafe(end - start);
    const packed = this.packed;
    for (let i = start; i < end; i++) out[i - start] = CODE_TO_ASCII[(packed[i >> 2]! >> ((i & 3) << 1)) & 3]!;
    const ex = this.exceptions;
    for (let r = firstRunEndingAfter(ex, start); r < ex.starts.length && ex.starts[r]! < end; r++) {
      out.fill(ex.codes[r]!, Math.max(ex.starts[r]!, start) - start, Math.min(ex.ends[r]!, end) - start);
    }
    if (options.softMasked) {
      const mask = this.softMask;
      for (let r = firstRunEndingAfter(mask, start); r < mask.starts.length && mask.starts[r]! < end; r++) {
        for (let i = Math.max(mask.starts[r]!, start); i < Math.min(mask.ends[r]!, end); i++) out[i - start]! |= 0x20;
      }
    }
    return out;
  }

  /** `fetchBytes` as a string. */
  fetch(start: number, end: number, options: { softMasked?: boolean } = {}): string {
    return this.fetchBytes(start, end, options).toString('latin1');
  }

  /** Aligner codes (A=0 C=1 G=2 T=3, other = 4) of [start, end) into `out`. */
  codes(start: number, end: number, out: Uint8Array = new Uint8Array(end - start)): Uint8Array {
    this.checkRange(start, end);
    const packed = this.packed;
    for (let i = start; i < end; i++) out[i - start] = (packed[i >> 2]! >> ((i & 3) << 1)) & 3;
    const ex = this.exceptions;
    for (let r = firstRunEndingAfter(ex, start); r < ex.starts.length && ex.starts[r]! < end; r++) {
      out.fill(AMBIGUOUS_CODE, Math.max(ex.starts[r]!, start) - start, Math.min(ex.ends[r]!, end) - start);
    }
    return out;
  }

  /** Soft-masked (lowercase) intervals overlapping [start, end), clipped to it. */
  softMaskedIntervals(start: number, end: number): [number, number][] {
    this.checkRange(start, end);
    const mask = this.softMask;
    const intervals: [number, number][] = [];
    for (let r = firstRunEndingAfter(mask, start); r < mask.starts.length && mask.starts[r]! < end; r++) {
      intervals.push([Math.max(mask.starts[r]!, start), Math.min(mask.ends[r]!, end)]);
    }
    return intervals;
  }
}

/**
 * Packs bases as they arrive. Anything not A/C/G/T becomes an exception run with its
 * uppercase letter; a byte that is not an IUPAC letter at all is refused (see `append`).
 * Runs are tracked inline (no call per base): a soft-masked chromosome is about half
 * lowercase, and per-base calls would dominate the load time.
 */
export class PackedSequenceBuilder {
  private readonly expectedLength: number | undefined;
  private packed: Uint8Array;
  private position = 0;
  private readonly exceptionStarts = new IntList();
  private readonly exceptionEnds = new IntList();
  private exceptionCodes = new Uint8Array(16);
  private readonly maskStarts = new IntList();
  private readonly maskEnds = new IntList();
  /** Start of the exception run still open at `position` (-1: none) and its letter. */
  private openExceptionStart = -1;
  private openExceptionCode = 0;
  /** Start of the lowercase run still open at `position` (-1: none). */
  private openMaskStart = -1;

  /** @param length the contig length when known (exact allocation); otherwise storage grows. */
  constructor(length?: number) {
    this.expectedLength = length;
    this.packed = new Uint8Array(Math.ceil((length ?? 1 << 20) / 4));
  }

  /**
   * Appends bytes[from, to). Returns -1 when all were IUPAC letters; otherwise the index of
   * the first byte that is not, with the bases before it appended.
   */
  append(bytes: Uint8Array, from: number, to: number): number {
    const needed = this.position + (to - from);
    if (this.expectedLength !== undefined && needed > this.expectedLength) {
      throw new RangeError(`More bases than the expected ${this.expectedLength}`);
    }
    if (Math.ceil(needed / 4) > this.packed.length) {
      const grown = new Uint8Array(Math.max(this.packed.length * 2, Math.ceil(needed / 4)));
      grown.set(this.packed);
      this.packed = grown;
    }
    const packed = this.packed;
    let p = this.position;
    let exceptionStart = this.openExceptionStart;
    let exceptionCode = this.openExceptionCode;
    let maskStart = this.openMaskStart;
    let invalidAt = -1;
    for (let i = from; i < to; i++, p++) {
      const byte = bytes[i]!;
      const code = TWO_BIT[byte]!;
      if (code !== 255) {
        packed[p >> 2]! |= code << ((p & 3) << 1);
        if (exceptionStart >= 0) {
          this.addException(exceptionStart, p, exceptionCode);
          exceptionStart = -1;
        }
      } else {
        if (IUPAC[byte] === 0) {
          invalidAt = i;
          break;
        }
        const upper = byte & 0xdf;
        if (exceptionStart < 0 || upper !== exceptionCode) {
          if (exceptionStart >= 0) this.addException(exceptionStart, p, exceptionCode);
          exceptionStart = p;
          exceptionCode = upper;
        }
      }
      // Lowercase ASCII letters have bit 0x20 set.
      if ((byte & 0x20) !== 0) {
        if (maskStart < 0) maskStart = p;
      } else if (maskStart >= 0) {
        this.maskStarts.push(maskStart);
        this.maskEnds.push(p);
        maskStart = -1;
      }
    }
    this.position = p;
    this.openExceptionStart = exceptionStart;
    this.openExceptionCode = exceptionCode;
    this.openMaskStart = maskStart;
    return invalidAt;
  }

  private addException(start: number, end: number, upper: number): void {
    const n = this.exceptionStarts.length;
    this.exceptionStarts.push(start);
    this.exceptionEnds.push(end);
    if (n === this.exceptionCodes.length) {
      const grown = new Uint8Array(n * 2);
      grown.set(this.exceptionCodes);
      this.exceptionCodes = grown;
    }
    this.exceptionCodes[n] = upper;
  }

  get basesAppended(): number {
    return this.position;
  }

  finish(): PackedSequence {
    if (this.expectedLength !== undefined && this.position !== this.expectedLength) {
      throw new RangeError(`Got ${this.position} bases, expected ${this.expectedLength}`);
    }
    if (this.openExceptionStart >= 0) this.addException(this.openExceptionStart, this.position, this.openExceptionCode);
    if (this.openMaskStart >= 0) {
      this.maskStarts.push(this.openMaskStart);
      this.maskEnds.push(this.position);
    }
    this.openExceptionStart = -1;
    this.openMaskStart = -1;
    const n = this.exceptionStarts.length;
    const bytes = Math.ceil(this.position / 4);
    return new PackedSequence(
      this.position,
      bytes === this.packed.length ? this.packed : this.packed.slice(0, bytes),
      { starts: this.exceptionStarts.trimmed(), ends: this.exceptionEnds.trimmed(), codes: this.exceptionCodes.slice(0, n) },
      { starts: this.maskStarts.trimmed(), ends: this.maskEnds.trimmed() },
    );
  }
}
