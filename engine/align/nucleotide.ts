/**
 * Nucleotide codes shared by every align kernel: A=0, C=1, G=2, T=3, anything else (N and the
 * other IUPAC ambiguity codes) = 4. Lowercase (soft-masked) bases map like uppercase: masking
 * is annotation, and an aligner that ignored masked sequence would lose half of a human genome.
 */
import { alignAddon } from './native.js';

export const BASE_A = 0;
export const BASE_N = 4;

/** Nucleotide code → uppercase ASCII byte. */
export const CODE_LETTER: Uint8Array = Uint8Array.from([65, 67, 71, 84, 78]);

/** Encodes ASCII bases into `out` (allocated when not given) and returns it (native kernel). */
export function encodeBases(ascii: Uint8Array | string, out?: Uint8Array): Uint8Array {
  const bytes = typeof ascii === 'string' ? Buffer.from(ascii, 'latin1') : ascii;
  const length = bytes.length;
  const codes = out && out.length >= length ? out.subarray(0, length) : new Uint8Array(length);
  alignAddon().encodeBases(bytes, codes);
  return codes;
}

/** Reverse complement of nucleotide codes (N stays N). */
export function reverseComplementCodes(codes: Uint8Array, out?: Uint8Array): Uint8Array {
  const length = codes.length;
  const result = out && out.length >= length ? out.subarray(0, length) : new Uint8Array(length);
  for (let i = 0; i < length; i++) {
    const c = codes[length - 1 - i]!;
    result[i] = c < 4 ? 3 - c : BASE_N;
  }
  return result;
}

/** Decodes nucleotide codes to an uppercase string. */
export function decodeBases(codes: Uint8Array): string {
  let s = '';
  for (let i = 0; i < codes.length; i++) s += String.fromCharCode(CODE_LETTER[codes[i]!]!);
  return s;
}
