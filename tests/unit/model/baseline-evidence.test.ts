/**
 * The statistical genotyper's verdict as model input (schema 2): which candidate a column
 * stands for, the normalised likelihoods taken from PLs, the channels they land in, and, on
 * hand-made reads, that a clear het and a clear hom-alt reach the model as what the
 * statistical genotyper says they are (the evidence comes from the caller's own pileup and
 * genotyper, run as the caller runs them).
 */
import { describe, expect, it } from 'vitest';
import { baselineEvidenceByColumn, modelCandidateOfLocus, placeCandidateColumns } from '../../../engine/model/baseline-evidence.js';
import { CHANNEL_INDEX, emptyAlleleCounts, encodeTile, FEATURE_COUNT, likelihoodsFromPl, type PileupColumnEvidence } from '../../../engine/model/features.js';
import { loadPlatformPreset } from '../../../engine/call/config.js';
import { buildPileup } from '../../../engine/call/pileup.js';
import type { AlignedRead, CandidateAllele } from '../../../engine/call/types.js';

function snv(pos: number, alt: string, supportingReads: number): CandidateAllele {
  return { pos, ref: 'A', alt, kind: 'snv', supportingReads };
}

describe('placeCandidateColumns', () => {
  it('keeps the best-supported candidate per column and only columns in range', () => {
    const deletion: CandidateAllele = { pos: 9, ref: 'AC', alt: 'A', kind: 'deletion', supportingReads: 3 };
    const placed = placeCandidateColumns([snv(10, 'C', 4), snv(10, 'G', 9), snv(10, 'T', 9), deletion, snv(50, 'C', 20)], 0, 50);
    // The deletion lands on its first deleted base (10) but has less support than G.
    expect([...placed.keys()]).toEqual([10]);
    expect(placed.get(10)!.allele).toBe('G');
    expect(placed.get(10)!.candidate.alt).toBe('G');
  });
});

describe('likelihoodsFromPl', () => {
  it('normalises 10^(−PL/10) of 0/0, 0/k, k/k', () => {
    const [homRef, het, homAlt] = likelihoodsFromPl([30, 0, 20], 1);
    expect(het).toBeCloseTo(1 / (1 + 1e-3 + 1e-2), 9);
    expect(homRef / het).toBeCloseTo(1e-3, 9);
    expect(homAlt / het).toBeCloseTo(1e-2, 9);
    // Tri-allelic PLs (0/0, 0/1, 1/1, 0/2, 1/2, 2/2): allele 2 reads 0/0, 0/2, 2/2.
    expect(likelihoodsFromPl([40, 50, 60, 0, 70, 40], 2)[1]).toBeCloseTo(1 / (1 + 2e-4), 6);
  });
});

describe('baseline channels', () => {
  it('are zero without a verdict and carry it when present', () => {
    const column = (position: number): PileupColumnEvidence => ({
      position, refBase: 'A', forward: { ...emptyAlleleCounts(), A: 5 }, reverse: { ...emptyAlleleCounts(), A: 5 },
      refMeanBaseQuality: 30, altMeanBaseQuality: 0, refMeanMappingQuality: 60, altMeanMappingQuality: 0,
      refNearReadEndFraction: 0, altNearReadEndFraction: 0, lowMappingQualityFraction: 0, platform: 'ont',
    });
    const withVerdict = { ...column(1), baseline: { likelihoods: [0.1, 0.7, 0.2] as const, rawGq: 1000, qual: 0, isIndel: true, indelLength: 64, repeatLength: 0, realigned: true } };
    const f = encodeTile([column(0), withVerdict]);
    const c = CHANNEL_INDEX;
    for (const channel of [c.baseline_present, c.baseline_het, c.baseline_raw_gq, c.baseline_indel, c.baseline_realigned]) expect(f[channel]).toBe(0);
    const row = FEATURE_COUNT;
    expect(f[row + c.baseline_present]).toBe(1);
    expect(f[row + c.baseline_hom_ref]).toBeCloseTo(0.1, 6);
    expect(f[row + c.baseline_het]).toBeCloseTo(0.7, 6);
    expect(f[row + c.baseline_hom_alt]).toBeCloseTo(0.2, 6);
    expect(f[row + c.baseline_raw_gq]).toBeCloseTo(1, 6);
    expect(f[row + c.baseline_qual]).toBe(0);
    expect(f[row + c.baseline_indel]).toBe(1);
    expect(f[row + c.baseline_indel_length]).toBeCloseTo(1, 6);
    expect(f[row + c.baseline_realigned]).toBe(1);
  });
});

describe('baselineEvidenceByColumn on hand-made reads', () => {
  // Unique sequence (no homopolymer ≥ 3) so both SNVs are simple pileup windows.
  const reference = 'ACGTCAGTACGATCGTAGCATGCTAGACTGCATCGATCAGTCAGCTAGCTAGTCAGTCGATGCATGCTAGCATCGAC';
  const hetAt = 20; // reference T → C in half of the reads
  const homAt = 51; // reference G → A in every read
  function read(index: number): AlignedRead {
    const bases = [...reference];
    if (index % 2 === 0) bases[hetAt] = 'C';
    bases[homAt] = 'A';
    return {
      name: `r${index}`, start: 0, end: reference.length, mapq: 60, reverse: index % 4 >= 2,
      bases: Uint8Array.from(Buffer.from(bases.join(''), 'latin1')), quals: new Uint8Array(reference.length).fill(30), cigar: [(reference.length << 4) | 0],
    };
  }
  const reads = Array.from({ length: 24 }, (_, i) => read(i));

  it('gives the het column het likelihoods and the hom-alt column hom-alt ones', () => {
    const config = loadPlatformPreset('illumina');
    const pileup = buildPileup(reads, reference, 0, reference.length, 0, reference.length, config);
    const placed = placeCandidateColumns(pileup.candidates, 0, reference.length);
    expect([...placed.keys()].sort((a, b) => a - b)).toEqual([hetAt, homAt]);
    const evidence = baselineEvidenceByColumn(placed, pileup.candidates, reads, reference, config);
    const het = evidence.get(hetAt)!;
    const hom = evidence.get(homAt)!;
    expect(het.likelihoods[1]).toBeGreaterThan(0.99);
    expect(hom.likelihoods[2]).toBeGreaterThan(0.99);
    for (const verdict of [het, hom]) {
      expect(verdict.isIndel).toBe(false);
      expect(verdict.rawGq).toBeGreaterThan(20);
      expect(verdict.qual).toBeGreaterThan(20);
    }
  });
});

describe('modelCandidateOfLocus', () => {
  //                  0123456789012345
  const sequence = 'GTCAAAAAAAAGTCAG';
  const minus1: CandidateAllele = { pos: 2, ref: 'CA', alt: 'C', kind: 'deletion', supportingReads: 12 };
  const minus2: CandidateAllele = { pos: 2, ref: 'CAA', alt: 'C', kind: 'deletion', supportingReads: 3 };
  it('a single-candidate bi-allelic locus is its candidate; a multi-allelic record has none', () => {
    expect(modelCandidateOfLocus({ pos: 2, ref: 'CA', alts: ['C'], candidates: [minus1] }, sequence)).toBe(minus1);
    expect(modelCandidateOfLocus({ pos: 2, ref: 'CAA', alts: ['CA', 'C'], candidates: [minus1, minus2] }, sequence)).toBeNull();
  });
  it('a record that kept one of several candidates stands for that one, matched once left-aligned', () => {
    expect(modelCandidateOfLocus({ pos: 2, ref: 'CA', alts: ['C'], candidates: [minus1, minus2] }, sequence)).toBe(minus1);
    expect(modelCandidateOfLocus({ pos: 2, ref: 'CAA', alts: ['C'], candidates: [minus1, minus2] }, sequence)).toBe(minus2);
    // The same deletion spelled at the end of the run (not left-aligned) is still that candidate.
    const shifted: CandidateAllele = { pos: 9, ref: 'AA', alt: 'A', kind: 'deletion', supportingReads: 12 };
    expect(modelCandidateOfLocus({ pos: 2, ref: 'CA', alts: ['C'], candidates: [shifted, minus2] }, sequence)).toBe(shifted);
    // An allele none of the candidates is (a merged window's own spelling) is not the model's.
    expect(modelCandidateOfLocus({ pos: 2, ref: 'CAAA', alts: ['C'], candidates: [minus1, minus2] }, sequence)).toBeNull();
  });
});

describe('baselineEvidenceByColumn at a homopolymer deletion the reads spell two ways', () => {
  // A 9 bp A run; 12 reads delete one A, 3 delete two (noise), 9 are reference.
  const reference = 'ACGTCAGTACGATCGTAGCATGCAAAAAAAAAGTCAGCTAGCTAGTCAGTCGATGCATGCTAGCATCGAC';
  const anchor = 23; // the C before the run; deletions are left-aligned after it
  function read(index: number): AlignedRead {
    const deleted = index < 12 ? 1 : index < 15 ? 2 : 0;
    const bases = reference.slice(0, anchor + 1) + reference.slice(anchor + 1 + deleted);
    const cigar = deleted === 0 ? [(reference.length << 4) | 0] : [((anchor + 1) << 4) | 0, (deleted << 4) | 2, ((reference.length - anchor - 1 - deleted) << 4) | 0];
    return {
      name: `r${index}`, start: 0, end: reference.length, mapq: 60, reverse: index % 2 === 1,
      bases: Uint8Array.from(Buffer.from(bases, 'latin1')), quals: new Uint8Array(bases.length).fill(30), cigar,
    };
  }
  const reads = Array.from({ length: 24 }, (_, i) => read(i));

  it('reports the kept −1 deletion at its column, with the realigned reads per strand', () => {
    const config = loadPlatformPreset('illumina');
    const pileup = buildPileup(reads, reference, 0, reference.length, 0, reference.length, config);
    const deletions = pileup.candidates.filter((c) => c.kind === 'deletion');
    expect(deletions.map((c) => c.ref.length - c.alt.length).sort()).toEqual([1, 2]);
    const placed = placeCandidateColumns(pileup.candidates, 0, reference.length);
    const evidence = baselineEvidenceByColumn(placed, pileup.candidates, reads, reference, config);
    const entries = [...evidence.values()].filter((e) => e.isIndel);
    expect(entries).toHaveLength(1);
    const [het] = entries;
    expect(het!.indelLength).toBe(1);
    expect(het!.likelihoods[1]).toBeGreaterThan(0.9);
    const support = het!.readSupport!;
    expect(support.altForward + support.altReverse).toBeGreaterThanOrEqual(12);
    expect(support.refForward + support.refReverse).toBeGreaterThanOrEqual(6);
    expect(support.altForward).toBeGreaterThan(0);
    expect(support.altReverse).toBeGreaterThan(0);
  });
});
