/**
 * Pileup over a tile: depth per position and the candidate alleles the reads show, each
 * indel left-aligned in the read's own coordinates first, so that the same deletion written
 * at different places along a repeat by different reads is counted as one allele (bcftools
 * and freebayes do the same before counting).
 */
import type { AlignedRead, CandidateAllele } from './types.js';
import type { CallerConfig } from './config.js';

export const CIGAR_M = 0;
export const CIGAR_I = 1;
export const CIGAR_D = 2;
export const CIGAR_N = 3;
export const CIGAR_S = 4;
export const CIGAR_EQ = 7;
export const CIGAR_X = 8;

export function consumesReference(op: number): boolean {
  return op === CIGAR_M || op === CIGAR_D || op === CIGAR_N || op === CIGAR_EQ || op === CIGAR_X;
}

export function consumesRead(op: number): boolean {
  return op === CIGAR_M || op === CIGAR_I || op === CIGAR_S || op === CIGAR_EQ || op === CIGAR_X;
}

/** Left-aligns a deletion of ref[start, start + length); returns the new start (the anchor is start − 1). */
export function leftAlignDeletion(reference: string, start: number, length: number): number {
  let s = start;
  while (s > 1 && reference.charCodeAt(s - 1) === reference.charCodeAt(s + length - 1)) s--;
  return s;
}

/** Left-aligns an insertion of `inserted` before ref position `before`; returns the new position and sequence. */
export function leftAlignInsertion(reference: string, before: number, inserted: string): { before: number; inserted: string } {
  let b = before;
  let seq = inserted;
  while (b > 1 && reference[b - 1] === seq[seq.length - 1]) {
    seq = reference[b - 1]! + seq.slice(0, -1);
    b--;
  }
  return { before: b, inserted: seq };
}

interface AlleleTally {
  allele: CandidateAllele;
  count: number;
}

export interface TilePileup {
  /** First reference position covered by the arrays. */
  origin: number;
  /** Reads (MAPQ ≥ min) covering each position, deletions included. */
  depth: Int32Array;
  /** Same for all reads regardless of MAPQ (for the LOW_MAPQ rule). */
  rawDepth: Int32Array;
  candidates: CandidateAllele[];
}

const BASE_N = 'N'.charCodeAt(0);

/**
 * Counts alleles over [origin, end). Candidates are reported when their anchor lies in
 * [callStart, callEnd) so that adjacent tiles never report the same candidate twice.
 */
export function buildPileup(
  reads: readonly AlignedRead[],
  reference: string,
  origin: number,
  end: number,
  callStart: number,
  callEnd: number,
  config: CallerConfig,
): TilePileup {
  const span = end - origin;
  const depth = new Int32Array(span);
  const rawDepth = new Int32Array(span);
  const tallies = new Map<string, AlleleTally>();
  const add = (pos: number, ref: string, alt: string, kind: CandidateAllele['kind']): void => {
    if (pos < callStart || pos >= callEnd) return;
    const key = `${pos}:${ref}:${alt}`;
    const t = tallies.get(key);
    if (t) t.count++;
    else tallies.set(key, { allele: { pos, ref, alt, kind, supportingReads: 0 }, count: 1 });
  };

  for (const read of reads) {
    const counted = read.mapq >= config.minMappingQuality;
    let refPos = read.start;
    let readPos = 0;
    for (let k = 0; k < read.cigar.length; k++) {
      const packed = read.cigar[k]!;
      const op = packed & 0xf;
      const length = packed >>> 4;
      if (op === CIGAR_M || op === CIGAR_EQ || op === CIGAR_X) {
        for (let i = 0; i < length; i++) {
          const p = refPos + i;
          if (p < origin || p >= end) continue;
          rawDepth[p - origin]!++;
          if (!counted) continue;
          depth[p - origin]!++;
          const base = read.bases[readPos + i]!;
          if (base !== reference.charCodeAt(p) && base !== BASE_N && read.quals[readPos + i]! >= config.minBaseQuality && reference.charCodeAt(p) !== BASE_N) {
            add(p, reference[p]!, String.fromCharCode(base), 'snv');
          }
        }
        refPos += length;
        readPos += length;
      } else if (op === CIGAR_I) {
        if (counted && length <= config.maxIndelLength && refPos > 0 && refPos >= origin && refPos <= end) {
          const inserted = Buffer.from(read.bases.subarray(readPos, readPos + length)).toString('latin1');
          if (!inserted.includes('N')) {
            const aligned = leftAlignInsertion(reference, refPos, inserted);
            const anchor = reference[aligned.before - 1]!;
            add(aligned.before - 1, anchor, anchor + aligned.inserted, 'insertion');
          }
        }
        readPos += length;
      } else if (op === CIGAR_D) {
        for (let i = 0; i < length; i++) {
          const p = refPos + i;
          if (p < origin || p >= end) continue;
          rawDepth[p - origin]!++;
          if (counted) depth[p - origin]!++;
        }
        if (counted && length <= config.maxIndelLength && refPos > 0) {
          const start = leftAlignDeletion(reference, refPos, length);
          add(start - 1, reference.slice(start - 1, start + length), reference[start - 1]!, 'deletion');
        }
        refPos += length;
      } else if (op === CIGAR_N) {
        refPos += length;
      } else if (op === CIGAR_S) {
        readPos += length;
      }
    }
  }

  const candidates: CandidateAllele[] = [];
  for (const { allele, count } of tallies.values()) {
    const d = depth[allele.pos - origin] ?? 0;
    // An insertion's anchor depth and a deletion's first deleted base both measure the reads that could show it.
    const at = allele.kind === 'deletion' ? Math.max(d, depth[allele.pos + 1 - origin] ?? 0) : d;
    const fraction = at > 0 ? count / at : 0;
    const minFraction = allele.kind === 'snv' ? config.minAltFraction : config.minIndelFraction;
    if (count >= config.minAltReads && fraction >= minFraction) candidates.push({ ...allele, supportingReads: count });
  }
  candidates.sort((a, b) => a.pos - b.pos || a.ref.length - b.ref.length || (a.alt < b.alt ? -1 : a.alt > b.alt ? 1 : 0));
  return { origin, depth, rawDepth, candidates };
}
