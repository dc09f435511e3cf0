/**
 * The statistical genotyper's verdict per candidate column, as model input (features.ts
 * `BaselineGenotypeEvidence`), and the one rule for which candidate a column stands for.
 *
 * Training (kit-training-source.ts) and inference (engine/call/learned.ts) both read it from
 * the caller's own tile genotyping (`genotypeCandidateWindows`, engine/call/phased-genotyping.ts:
 * every window of the tile's candidates, then the phased second pass where the preset phases
 * reads) on the caller's own pileup candidates, so the model sees at run time exactly the
 * evidence it was trained on, and the numbers are the ones the statistical genotyper reports for
 * the same locus. At run time the caller hands over the windows it genotyped for its records.
 */
import type { CallerConfig } from '../call/config.js';
import type { LocusGenotype } from '../call/genotyper.js';
import { leftAlign } from '../export/normalize.js';
import type { GenotypedWindow } from '../call/phased-genotyping.js';
import { genotypeCandidateWindows } from '../call/phased-genotyping.js';
import type { AlignedRead, CandidateAllele } from '../call/types.js';
import { likelihoodsFromPl, type Allele, type BaselineGenotypeEvidence } from './features.js';
import { candidateColumnAllele } from './pileup-columns.js';

/** The candidate a column is about: where `candidateColumnAllele` places it, and the allele it shows there. */
export interface PlacedCandidate {
  position: number;
  allele: Allele;
  candidate: CandidateAllele;
}

/**
 * One candidate per column, for columns in [start, end): the best-supported one placed there
 * (ties: the first). A multi-allelic site keeps its strongest alt; the others stay with the
 * statistical genotyper.
 */
export function placeCandidateColumns(candidates: readonly CandidateAllele[], start: number, end: number): Map<number, PlacedCandidate> {
  const placedByColumn = new Map<number, PlacedCandidate>();
  for (const candidate of candidates) {
    const placed = candidateColumnAllele(candidate);
    if (!placed || placed.position < start || placed.position >= end) continue;
    const current = placedByColumn.get(placed.position);
    if (current && current.candidate.supportingReads >= candidate.supportingReads) continue;
    placedByColumn.set(placed.position, { ...placed, candidate });
  }
  return placedByColumn;
}

/**
 * The candidate a locus stands for, when the model can genotype it: the locus's record has
 * one ALT, and that ALT is one of its candidates (the same variant once left-aligned). Other
 * candidates of the locus are alleles the statistical genotyper evaluated and dropped, as in a
 * long homopolymer where the reads scatter a 1 bp deletion over −1, −2 and −3 spellings; the
 * record, and the model's classes, are about the one allele kept. Multi-allelic records stay
 * statistical.
 */
export function modelCandidateOfLocus(locus: Pick<LocusGenotype, 'pos' | 'ref' | 'alts' | 'candidates'>, sequence: string): CandidateAllele | null {
  if (locus.alts.length !== 1) return null;
  if (locus.candidates.length === 1) return locus.candidates[0]!;
  const alt = locus.alts[0]!;
  for (const candidate of locus.candidates) {
    const aligned = leftAlign(sequence, candidate.pos, candidate.ref, candidate.alt);
    if (aligned.pos === locus.pos && aligned.ref === locus.ref && aligned.alts[0] === alt) return candidate;
  }
  return null;
}

/**
 * By column, the statistical genotyper's evidence for the placed candidate, from the windows
 * `genotypeCandidateWindows` (engine/call/phased-genotyping.ts) genotyped. Only loci
 * `modelCandidateOfLocus` names a candidate for are reported: those are the loci the model's
 * genotype replaces (learned.ts `modelCallForLocus`).
 */
export function baselineEvidenceFromWindows(
  placed: ReadonlyMap<number, PlacedCandidate>,
  genotyped: readonly GenotypedWindow[],
  sequence: string,
): Map<number, BaselineGenotypeEvidence> {
  const out = new Map<number, BaselineGenotypeEvidence>();
  if (placed.size === 0) return out;
  const columnOf = new Map<CandidateAllele, number>();
  for (const [position, entry] of placed) columnOf.set(entry.candidate, position);
  for (const { loci } of genotyped) {
    for (const locus of loci) {
      const candidate = modelCandidateOfLocus(locus, sequence);
      if (!candidate) continue;
      const position = columnOf.get(candidate);
      if (position === undefined) continue;
      out.set(position, {
        likelihoods: likelihoodsFromPl(locus.pl, 1),
        rawGq: locus.rawGq,
        qual: locus.qual,
        isIndel: candidate.kind !== 'snv',
        indelLength: Math.abs(candidate.alt.length - candidate.ref.length),
        repeatLength: locus.evidence.repeatLength,
        realigned: locus.method !== 'pileup',
        readSupport: {
          refForward: locus.evidence.refForward,
          refReverse: locus.evidence.refReverse,
          altForward: locus.evidence.altForward[0] ?? 0,
          altReverse: locus.evidence.altReverse[0] ?? 0,
        },
      });
    }
  }
  return out;
}

/**
 * Genotypes the candidates' windows with the statistical genotyper and returns, by column, its
 * evidence for the placed candidate (`genotypeCandidateWindows`, then
 * `baselineEvidenceFromWindows`). `reads` must be sorted by start.
 */
export function baselineEvidenceByColumn(
  placed: ReadonlyMap<number, PlacedCandidate>,
  candidates: readonly CandidateAllele[],
  reads: readonly AlignedRead[],
  sequence: string,
  config: CallerConfig,
): Map<number, BaselineGenotypeEvidence> {
  if (placed.size === 0) return new Map();
  return baselineEvidenceFromWindows(placed, genotypeCandidateWindows(candidates, reads, sequence, config), sequence);
}
