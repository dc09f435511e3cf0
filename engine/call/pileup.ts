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

/** Candidate order: by position, shorter REF first, then ALT. */
export function compareCandidates(a: CandidateAllele, b: CandidateAllele): number {
  return a.pos - b.pos || a.ref.length - b.ref.length || (a.alt < b.alt ? -1 : a.alt > b.alt ? 1 : 0);
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

/**
 * The left-aligned candidate for one indel found between the reference and a sequence the reads
 * spell: `refPart` deleted (or `hapPart` inserted) at reference position `at`.
 */
export function leftAlignedIndelCandidate(reference: string, at: number, refPart: string, hapPart: string, supportingReads: number): CandidateAllele {
  if (hapPart.length > 0) {
    const aligned = leftAlignInsertion(reference, at, hapPart);
    const base = reference[aligned.before - 1]!;
    return { pos: aligned.before - 1, ref: base, alt: base + aligned.inserted, kind: 'insertion', supportingReads };
  }
  const start = leftAlignDeletion(reference, at, refPart.length);
  return { pos: start - 1, ref: reference.slice(start - 1, start + refPart.length), alt: reference[start - 1]!, kind: 'deletion', supportingReads };
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
  /** Indels of at least MIN_POOLED_LENGTH bp as each read wrote them (for indel-consensus.ts). */
  longIndels: IndelObservation[];
}

/** One read's indel as its alignment shows it (left-aligned anchor, 0-based). */
export interface IndelObservation {
  /** Anchor base before the event (VCF convention). */
  pos: number;
  /** Inserted bases, or '' for a deletion. */
  inserted: string;
  /** Deleted length, or 0 for an insertion. */
  deleted: number;
  /** Index of the read in the pileup's input. */
  read: number;
}

/** Shortest indel kept as an observation for pooling: shorter ones are merged well enough by exact counting. */
export const MIN_POOLED_LENGTH = 3;

const BASE_N = 'N'.charCodeAt(0);
/** Indel lengths proposed per anchor (the most supported), for the realignment to choose from. */
const MAX_INDEL_ALLELES_PER_ANCHOR = 3;

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
  // Longer indels as each read wrote them, for the consensus candidates (indel-consensus.ts).
  const longIndels: IndelObservation[] = [];
  const add = (pos: number, ref: string, alt: string, kind: CandidateAllele['kind']): void => {
    if (pos < callStart || pos >= callEnd) return;
    const key = `${pos}:${ref}:${alt}`;
    const t = tallies.get(key);
    if (t) t.count++;
    else tallies.set(key, { allele: { pos, ref, alt, kind, supportingReads: 0 }, count: 1 });
  };

  for (let readIndex = 0; readIndex < reads.length; readIndex++) {
    const read = reads[readIndex]!;
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
            if (length >= MIN_POOLED_LENGTH) longIndels.push({ pos: aligned.before - 1, inserted: aligned.inserted, deleted: 0, read: readIndex });
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
          if (length >= MIN_POOLED_LENGTH) longIndels.push({ pos: start - 1, inserted: '', deleted: length, read: readIndex });
        }
        refPos += length;
      } else if (op === CIGAR_N) {
        refPos += length;
      } else if (op === CIGAR_S) {
        readPos += length;
      }
    }
  }

  // Indel evidence at one anchor, all lengths of one direction together: in a homopolymer
  // or tandem repeat every length change left-aligns to the same anchor, and noisy reads
  // spread one real indel over several lengths (a 3-base deletion in a T7 run read as 2, 3
  // and 4 bases). The fraction test asks whether the tract is active; which length is real
  // is left to the haplotype realignment, which gets the strongest few lengths.
  const indelsAtAnchor = new Map<string, AlleleTally[]>();
  const anchorKey = (allele: CandidateAllele): string => `${allele.pos}:${allele.kind}`;
  for (const tally of tallies.values()) {
    if (tally.allele.kind === 'snv') continue;
    const key = anchorKey(tally.allele);
    const group = indelsAtAnchor.get(key);
    if (group) group.push(tally);
    else indelsAtAnchor.set(key, [tally]);
  }
  const depthAt = (p: number): number => depth[p - origin] ?? 0;
  const candidates: CandidateAllele[] = [];
  for (const { allele, count } of tallies.values()) {
    if (count < config.minAltReads) continue;
    if (allele.kind === 'snv') {
      const d = depthAt(allele.pos);
      if (d > 0 && count / d >= config.minAltFraction) candidates.push({ ...allele, supportingReads: count });
      continue;
    }
    const group = indelsAtAnchor.get(anchorKey(allele))!;
    // An insertion's anchor depth and a deletion's first deleted base both measure the reads that could show it.
    const at = Math.max(depthAt(allele.pos), depthAt(allele.pos + 1));
    const groupCount = group.reduce((sum, t) => sum + t.count, 0);
    if (at === 0 || groupCount / at < config.minIndelFraction) continue;
    const stronger = group.filter((t) => t.count > count).length;
    if (stronger < MAX_INDEL_ALLELES_PER_ANCHOR) candidates.push({ ...allele, supportingReads: count });
  }
  candidates.sort(compareCandidates);
  return { origin, depth, rawDepth, candidates, longIndels };
}
