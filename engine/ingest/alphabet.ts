/**
 * Byte lookup tables for the per-base loops. The hot loops index these with raw bytes instead of
 * branching on characters, which is what keeps parsing at hundreds of MB/s in plain JavaScript.
 */

/** Phred+33: '!' is Q0, '~' is Q93 (the whole printable range Sanger FASTQ allows). */
export const PHRED_OFFSET = 33;
export const MAX_PHRED = 93;
/** Number of distinct Phred values, 0..93. */
export const PHRED_VALUES = MAX_PHRED + 1;

/** Bit flags of `SEQUENCE_CLASS`: combine with `|`/`&` so the loop stays branch-free. */
export const BASE_GC = 1;
export const BASE_N = 2;
export const BASE_INVALID = 4;

/**
 * Class of every byte in a sequence line. IUPAC nucleotide letters (either case, U included) are
 * valid; G/C count towards GC and N towards the N rate; ambiguity codes (R, Y, S, …) are valid
 * but counted as neither, as seqkit does. Everything else, including '.', '-' and '*', is invalid.
 */
export const SEQUENCE_CLASS: Uint8Array = (() => {
  const table = new Uint8Array(256).fill(BASE_INVALID);
  for (const letter of 'ACGTURYSWKMBDHVN') {
    for (const c of [letter, letter.toLowerCase()]) {
      const code = c.charCodeAt(0);
      table[code] = letter === 'G' || letter === 'C' ? BASE_GC : letter === 'N' ? BASE_N : 0;
    }
  }
  return table;
})();

/** Index of the first byte in `data[start, start+length)` that is not an IUPAC letter, or -1. */
export function findInvalidBase(data: Uint8Array, start: number, length: number): number {
  for (let i = 0; i < length; i++) {
    if ((SEQUENCE_CLASS[data[start + i]!]! & BASE_INVALID) !== 0) return i;
  }
  return -1;
}

/** Index of the first quality byte outside '!'..'~', or -1. */
export function findInvalidQuality(data: Uint8Array, start: number, length: number): number {
  for (let i = 0; i < length; i++) {
    const phred = data[start + i]! - PHRED_OFFSET;
    if (phred < 0 || phred > MAX_PHRED) return i;
  }
  return -1;
}
