/**
 * CIGAR helpers over packed ops (length << 4 | op, BAM's encoding) and the NM / MD tags,
 * computed from the bases themselves so they are right even where seeds were assumed to
 * match.
 */
import { CODE_LETTER } from './nucleotide.js';

const OP_LETTERS = 'MIDNSHP=X';
const CONSUMES_QUERY = [1, 1, 0, 0, 1, 0, 0, 1, 1];
const CONSUMES_REFERENCE = [1, 0, 1, 1, 0, 0, 0, 1, 1];

export function cigarToString(cigar: ArrayLike<number>): string {
  let s = '';
  for (let i = 0; i < cigar.length; i++) s += `${cigar[i]! >>> 4}${OP_LETTERS[cigar[i]! & 15]}`;
  return s || '*';
}

/** Appends ops to `out`, merging an op with an equal neighbour. */
export function appendCigar(out: number[], ops: ArrayLike<number>): void {
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i]!;
    if ((op >>> 4) === 0) continue;
    const last = out.length - 1;
    if (last >= 0 && (out[last]! & 15) === (op & 15)) out[last] = ((out[last]! >>> 4) + (op >>> 4)) << 4 | (op & 15);
    else out.push(op);
  }
}

export function cigarQuerySpan(cigar: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < cigar.length; i++) if (CONSUMES_QUERY[cigar[i]! & 15]) n += cigar[i]! >>> 4;
  return n;
}

export function cigarReferenceSpan(cigar: ArrayLike<number>): number {
  let n = 0;
  for (let i = 0; i < cigar.length; i++) if (CONSUMES_REFERENCE[cigar[i]! & 15]) n += cigar[i]! >>> 4;
  return n;
}

export interface AlignmentTags {
  /** Edit distance: mismatches plus inserted and deleted bases (N against a base counts). */
  nm: number;
  md: string;
  /** Aligned (M) columns that match. */
  matches: number;
  /** Alignment columns (M + I + D). */
  columns: number;
}

/**
 * NM and MD for `query` (codes, on the aligned strand, including clipped bases) against
 * `target` (codes of the reference from the alignment's first base).
 */
export function computeAlignmentTags(cigar: ArrayLike<number>, query: Uint8Array, target: Uint8Array): AlignmentTags {
  let q = 0;
  let t = 0;
  let nm = 0;
  let matches = 0;
  let columns = 0;
  let md = '';
  let run = 0;
  for (let c = 0; c < cigar.length; c++) {
    const op = cigar[c]! & 15;
    const length = cigar[c]! >>> 4;
    if (op === 0 || op === 7 || op === 8) {
      for (let i = 0; i < length; i++) {
        const qb = query[q + i]!;
        const tb = target[t + i]!;
        if (qb === tb && qb < 4) {
          run++;
          matches++;
        } else {
          md += `${run}${String.fromCharCode(CODE_LETTER[tb]!)}`;
          run = 0;
          nm++;
        }
      }
      q += length;
      t += length;
      columns += length;
    } else if (op === 1) {
      q += length;
      nm += length;
      columns += length;
    } else if (op === 2) {
      md += `${run}^`;
      for (let i = 0; i < length; i++) md += String.fromCharCode(CODE_LETTER[target[t + i]!]!);
      run = 0;
      t += length;
      nm += length;
      columns += length;
    } else if (op === 4) {
      q += length;
    } else if (op === 3) {
      t += length;
    }
  }
  md += `${run}`;
  return { nm, md, matches, columns };
}
