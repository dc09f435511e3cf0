/**
 * Repeat-length candidates: indels of whole repeat units proposed from the lengths that reads
 * spanning a homopolymer or short tandem repeat show for it, however their alignments write
 * the difference. Noisy reads rarely write one clean indel for a changed repeat: a nanopore
 * read of a GT repeat with two extra copies may show +1, +3 and a substitution, and an extra
 * base of a 10-base run may be written as an insertion in one read and as a deletion plus two
 * insertions nearby in another, so counting exact CIGAR alleles misses the change. The length
 * between the two bases flanking the tract does not depend on how the read was aligned inside
 * it (the repeat-unit count that HipSTR and GATK's STR models read). Each read's length change,
 * rounded to whole units, votes for that many units inserted or deleted; a count with enough
 * reads becomes a candidate at the tract's left end, and the haplotype realignment decides.
 */
import type { AlignedRead, CandidateAllele } from './types.js';
import type { CallerConfig } from './config.js';
import { CIGAR_D, CIGAR_EQ, CIGAR_I, CIGAR_M, CIGAR_N, CIGAR_S, CIGAR_X, leftAlignedIndelCandidate } from './pileup.js';
import { consensusSequence } from './indel-consensus.js';
import { repeatTractsIn } from './repeats.js';

/** Shortest tract examined per unit length (bp): runs where noisy reads blur single indels. */
const MIN_TRACT_LENGTH: readonly number[] = [0, 9, 10, 12, 12, 15, 18];
/** Longest tract examined (bp); beyond it few reads span it with both flanks. */
const MAX_TRACT_LENGTH = 80;
/** Aligned flank bases required on each side of the tract. */
const FLANK = 2;
/** Units inserted or deleted at most per candidate. */
const MAX_UNITS = 3;

interface Tract {
  start: number;
  end: number;
  unit: number;
}

/** Tracts starting in [from, to) that this module examines: `repeatTractsIn`'s within the length bounds per unit. */
export function repeatTracts(reference: string, from: number, to: number): Tract[] {
  return repeatTractsIn(reference, from, to)
    .filter((t) => t.end - t.start >= MIN_TRACT_LENGTH[t.unit.length]! && t.end - t.start <= MAX_TRACT_LENGTH)
    .map((t) => ({ start: t.start, end: t.end, unit: t.unit.length }));
}

/** Read offsets of the bases aligned to `left` and `right` (both aligned, not deleted), or null. */
function spanOffsets(read: AlignedRead, left: number, right: number): [number, number] | null {
  let refPos = read.start;
  let readPos = 0;
  let a = -1;
  for (let k = 0; k < read.cigar.length; k++) {
    const packed = read.cigar[k]!;
    const op = packed & 0xf;
    const length = packed >>> 4;
    if (op === CIGAR_M || op === CIGAR_EQ || op === CIGAR_X) {
      if (a < 0 && left >= refPos && left < refPos + length) a = readPos + (left - refPos);
      if (right >= refPos && right < refPos + length) return a < 0 ? null : [a, readPos + (right - refPos)];
      refPos += length;
      readPos += length;
    } else if (op === CIGAR_I || op === CIGAR_S) {
      readPos += length;
    } else if (op === CIGAR_D || op === CIGAR_N) {
      refPos += length;
    }
    if (refPos > right) return null;
  }
  return null;
}

/**
 * Unit-count candidates for the tracts whose start lies in [callStart, callEnd). `reads` sorted
 * by start. Alleles already proposed (same position, REF and ALT) are not repeated.
 */
export function repeatLengthCandidates(
  reads: readonly AlignedRead[],
  reference: string,
  callStart: number,
  callEnd: number,
  existing: readonly CandidateAllele[],
  config: CallerConfig,
): CandidateAllele[] {
  const known = new Set(existing.map((c) => `${c.pos}:${c.ref}:${c.alt}`));
  const out: CandidateAllele[] = [];
  let first = 0;
  for (const tract of repeatTracts(reference, callStart, callEnd)) {
    if (tract.start < 1 + FLANK) continue;
    const left = tract.start - FLANK;
    const right = tract.end + FLANK - 1;
    while (first < reads.length && reads[first]!.end <= left) first++;
    const votes = new Map<number, number>();
    // Each voting read's own bases from flank to flank, per unit count: their consensus is the
    // allele when the change is not whole units (see `tractConsensusAllele`).
    const copies = new Map<number, string[]>();
    let spanning = 0;
    for (let r = first; r < reads.length && reads[r]!.start <= left; r++) {
      const read = reads[r]!;
      if (read.mapq < config.minMappingQuality || read.end <= right) continue;
      const offsets = spanOffsets(read, left, right);
      if (!offsets) continue;
      spanning++;
      const units = Math.round((offsets[1] - offsets[0] - (right - left)) / tract.unit);
      if (units !== 0 && Math.abs(units) <= MAX_UNITS) {
        votes.set(units, (votes.get(units) ?? 0) + 1);
        const group = copies.get(units) ?? [];
        group.push(Buffer.from(read.bases.subarray(offsets[0], offsets[1] + 1)).toString('latin1'));
        copies.set(units, group);
      }
    }
    if (spanning === 0) continue;
    for (const [units, count] of votes) {
      if (count < config.minAltReads || count / spanning < config.minIndelFraction) continue;
      // A deletion longer than the tract is not a change of its unit count.
      if (units < 0 && -units * tract.unit > tract.end - tract.start) continue;
      // Left-aligned representation: the anchor is the base before the tract.
      const anchor = tract.start - 1;
      const unitSequence = reference.slice(tract.start, tract.start + tract.unit);
      const candidate: CandidateAllele = units > 0
        ? { pos: anchor, ref: reference[anchor]!, alt: reference[anchor]! + unitSequence.repeat(units), kind: 'insertion', supportingReads: count }
        : { pos: anchor, ref: reference.slice(anchor, tract.start - units * tract.unit), alt: reference[anchor]!, kind: 'deletion', supportingReads: count };
      const consensus = tractConsensusAllele(reference, left, right, copies.get(units) ?? [], count);
      for (const allele of consensus ? [candidate, consensus] : [candidate]) {
        if (allele.ref.length - 1 > config.maxIndelLength || allele.alt.length - 1 > config.maxIndelLength) continue;
        const key = `${allele.pos}:${allele.ref}:${allele.alt}`;
        if (known.has(key)) continue;
        known.add(key);
        out.push(allele);
      }
    }
  }
  return out;
}

/** Substitutions the consensus may carry besides its indel (each is its own candidate, or noise the realignment weighs). */
const MAX_CONSENSUS_MISMATCHES = 1;

/**
 * Where one indel turns `refText` into `haplotype` with the fewest other differences (at most
 * MAX_CONSENSUS_MISMATCHES substitutions), or null. A pure indel needs no substitution; one
 * substitution is allowed because an inserted copy of a unit often differs from the
 * reference's copies by a base (chr20:2,633,378, train-2m: truth inserts AGCCTG into a
 * (GGGCCT)n tract, the reads agree, and trimming shared ends stopped at that base, so only
 * the whole-unit GGGCCT competed and won at raw GQ 300+ on both BAMs).
 */
function indelPlacement(refText: string, haplotype: string): { prefix: number; refPart: string; hapPart: string } | null {
  const change = haplotype.length - refText.length;
  if (change === 0) return null;
  let best: { prefix: number; refPart: string; hapPart: string } | null = null;
  let bestMismatches = MAX_CONSENSUS_MISMATCHES + 1;
  const last = Math.min(refText.length, haplotype.length);
  for (let k = 0; k <= last; k++) {
    const edited = change > 0 ? refText.slice(0, k) + haplotype.slice(k, k + change) + refText.slice(k) : refText.slice(0, k) + refText.slice(k - change);
    if (edited.length !== haplotype.length) continue;
    let mismatches = 0;
    for (let i = 0; i < edited.length && mismatches < bestMismatches; i++) if (edited[i] !== haplotype[i]) mismatches++;
    if (mismatches < bestMismatches) {
      bestMismatches = mismatches;
      best = change > 0 ? { prefix: k, refPart: '', hapPart: haplotype.slice(k, k + change) } : { prefix: k, refPart: refText.slice(k, k - change), hapPart: '' };
      if (mismatches === 0) break;
    }
  }
  return best;
}

/**
 * The allele the voting reads of one unit count spell between the tract's flanks: the
 * consensus of their bases at their most common length, as one left-aligned indel against
 * the reference (`indelPlacement`), or null.
 *
 * Why: a repeat changed by a part of a unit is rounded to the nearest whole unit by the vote,
 * and the whole-unit allele then wins the realignment with a confident GQ although it is
 * wrong. On train-2m/calib-3m (ONT, thresholds off) an (AAG)n tract next to an A13 run lost
 * 2 bases (one unit, plus one A in the run): reads voted −1 unit, the only candidate was −3
 * (AAG) and was called with raw GQ 139 on both BAMs. With the reads' own −2 allele competing
 * in the same window, the realignment picks the length the reads show.
 */
function tractConsensusAllele(reference: string, left: number, right: number, copies: readonly string[], reads: number): CandidateAllele | null {
  if (copies.length === 0) return null;
  const refText = reference.slice(left, right + 1);
  const haplotype = consensusSequence(copies);
  const event = indelPlacement(refText, haplotype);
  if (!event || event.hapPart.includes('N')) return null;
  return leftAlignedIndelCandidate(reference, left + event.prefix, event.refPart, event.hapPart, reads);
}
