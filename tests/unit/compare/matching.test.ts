/**
 * Hand-made cases for haplotype-aware matching: each is a way two callers (or a caller and a
 * truth set) write the same haplotype differently, or a real disagreement that must not be
 * papered over. A record-by-record comparison gets the first group wrong; the comparator must
 * not.
 */
import { describe, expect, it } from 'vitest';
import { bases, DINUCLEOTIDE_ANCHOR, HOMOPOLYMER_ANCHOR, otherBase, runCompare, UNIQUE } from './helpers.js';

const P = UNIQUE;

describe('different representations of one haplotype', () => {
  it('matches an MNP against the two SNPs it is made of (phased on one haplotype)', async () => {
    const [a, b] = [otherBase(P), otherBase(P + 1)];
    const report = await runCompare(
      [
        [P, bases(P), a, '1|0'],
        [P + 1, bases(P + 1), b, '1|0'],
      ],
      [[P, bases(P, 2), a + b, '0/1']],
    );
    expect(report.metrics.SNP).toMatchObject({ truthTotal: 2, tp: 2, tpCall: 2, fp: 0, fn: 0, genotypeMatches: 2 });
    expect(report.matching.truthMatchedAcrossRepresentations).toBe(2);
    expect(report.variants!.every((v) => v.match === 'genotype' && v.representationDiffers)).toBe(true);
  });

  it('accepts an MNP against unphased SNPs (cis is one of their phasings)', async () => {
    const [a, b] = [otherBase(P), otherBase(P + 1)];
    const report = await runCompare(
      [
        [P, bases(P), a, '0/1'],
        [P + 1, bases(P + 1), b, '0/1'],
      ],
      [[P, bases(P, 2), a + b, '0/1']],
    );
    expect(report.metrics.SNP).toMatchObject({ tp: 2, fp: 0, fn: 0 });
  });

  it('rejects an MNP when the truth phases its SNPs on different haplotypes (trans)', async () => {
    const [a, b] = [otherBase(P), otherBase(P + 1)];
    const report = await runCompare(
      [
        [P, bases(P), a, '1|0'],
        [P + 1, bases(P + 1), b, '0|1'],
      ],
      [[P, bases(P, 2), a + b, '0/1']],
    );
    expect(report.metrics.SNP).toMatchObject({ tp: 0, fp: 2, fn: 2 });
  });

  it('matches a homopolymer deletion written at the left and at the right end of the run', async () => {
    // C AAAAAAA G: deleting one A, anchored on the C (left) or inside the run (right).
    const right = HOMOPOLYMER_ANCHOR + 6;
    expect(bases(right, 2)).toBe('AA');
    const report = await runCompare([[HOMOPOLYMER_ANCHOR, 'CA', 'C', '0/1']], [[right, 'AA', 'A', '0/1']]);
    expect(report.metrics.INDEL).toMatchObject({ tp: 1, fp: 0, fn: 0, genotypeMatches: 1 });
    expect(report.variants!.find((v) => v.side === 'truth')!.context).toBe('homopolymer');
  });

  it('matches a homopolymer insertion written at either end of the run', async () => {
    const report = await runCompare([[HOMOPOLYMER_ANCHOR, 'C', 'CA', '1/1']], [[HOMOPOLYMER_ANCHOR + 7, 'A', 'AA', '1/1']]);
    expect(report.metrics.INDEL).toMatchObject({ tp: 1, fp: 0, fn: 0, genotypeMatches: 1 });
  });

  it('matches a dinucleotide-repeat deletion shifted by whole and by half repeat units', async () => {
    // G (CA)6 T: deleting one CA. Left-aligned it is GCA>G; at the far end ACA>A; shifted by one
    // base it reads CAC>C, which is the same haplotype.
    const farRight = DINUCLEOTIDE_ANCHOR + 10;
    expect(bases(farRight, 3)).toBe('ACA');
    const halfShift = DINUCLEOTIDE_ANCHOR + 1;
    expect(bases(halfShift, 3)).toBe('CAC');
    for (const call of [
      [farRight, 'ACA', 'A', '0/1'],
      [halfShift, 'CAC', 'C', '0/1'],
    ] as const) {
      const report = await runCompare([[DINUCLEOTIDE_ANCHOR, 'GCA', 'G', '0/1']], [[...call]]);
      expect(report.metrics.INDEL).toMatchObject({ tp: 1, fp: 0, fn: 0 });
      expect(report.variants!.find((v) => v.side === 'call')!.context).toBe('tandemRepeat');
    }
  });

  it('matches one multi-allelic record against the two biallelic records it was split into', async () => {
    const [y, z] = [otherBase(P, 1), otherBase(P, 2)];
    const report = await runCompare(
      [
        [P, bases(P), y, '1|0'],
        [P, bases(P), z, '0|1'],
      ],
      [[P, bases(P), `${y},${z}`, '1/2']],
    );
    expect(report.metrics.SNP).toMatchObject({ truthTotal: 2, tp: 2, callTotal: 2, tpCall: 2, fp: 0, fn: 0, genotypeMatches: 2 });
  });

  it('matches a merged complex record against the SNP and deletion it combines', async () => {
    // Truth: SNP at P and deletion of the base at P+2, both on one haplotype. Calls: one record
    // replacing P..P+3 by the resulting sequence.
    const snp = otherBase(P);
    const merged = snp + bases(P + 1) + bases(P + 3);
    const report = await runCompare(
      [
        [P, bases(P), snp, '1|0'],
        [P + 1, bases(P + 1, 2), bases(P + 1), '1|0'],
      ],
      [[P, bases(P, 4), merged, '0/1']],
    );
    expect(report.metrics.SNP).toMatchObject({ tp: 1, fn: 0 });
    expect(report.metrics.INDEL).toMatchObject({ tp: 1, fn: 0, fp: 0 });
    expect(report.matching.truthMatchedAcrossRepresentations).toBe(2);
  });
});

describe('real disagreements', () => {
  it('counts a het called hom as an allele match: TP for recall and precision, genotype discordant', async () => {
    const report = await runCompare([[P, bases(P), otherBase(P), '0/1']], [[P, bases(P), otherBase(P), '1/1']]);
    expect(report.metrics.SNP).toMatchObject({ tp: 1, fp: 0, fn: 0, genotypeMatches: 0, genotypeConcordance: 0 });
    expect(report.variants!.every((v) => v.match === 'allele')).toBe(true);
  });

  it('counts a hom called het as an allele match too', async () => {
    const report = await runCompare([[P, bases(P), otherBase(P), '1/1']], [[P, bases(P), otherBase(P), '0/1']]);
    expect(report.metrics.SNP).toMatchObject({ tp: 1, genotypeMatches: 0 });
  });

  it('counts a call with no truth nearby as a false positive', async () => {
    const report = await runCompare([], [[P, bases(P), otherBase(P), '0/1']]);
    expect(report.metrics.SNP).toMatchObject({ truthTotal: 0, callTotal: 1, fp: 1, precision: 0, recall: null });
  });

  it('counts a truth variant with no call as a false negative', async () => {
    const report = await runCompare([[P, bases(P), otherBase(P), '0/1']], []);
    expect(report.metrics.SNP).toMatchObject({ truthTotal: 1, fn: 1, recall: 0, precision: null });
  });

  it('does not match a different allele at the same position', async () => {
    const report = await runCompare([[P, bases(P), otherBase(P, 1), '0/1']], [[P, bases(P), otherBase(P, 2), '0/1']]);
    expect(report.metrics.SNP).toMatchObject({ tp: 0, fp: 1, fn: 1 });
  });

  it('keeps the right part of a window: one correct SNP next to a false one', async () => {
    const report = await runCompare(
      [[P, bases(P), otherBase(P), '0/1']],
      [
        [P, bases(P), otherBase(P), '0/1'],
        [P + 3, bases(P + 3), otherBase(P + 3), '0/1'],
      ],
    );
    expect(report.metrics.SNP).toMatchObject({ tp: 1, fp: 1, fn: 0, genotypeMatches: 1 });
  });
});

describe('multi-allelic genotypes', () => {
  it('matches a 1/2 truth against the same two alleles called as two het records', async () => {
    const [y, z] = [otherBase(P, 1), otherBase(P, 2)];
    const report = await runCompare(
      [[P, bases(P), `${y},${z}`, '1/2']],
      [
        [P, bases(P), y, '0/1'],
        [P, bases(P), z, '0/1'],
      ],
    );
    expect(report.metrics.SNP).toMatchObject({ tp: 2, fp: 0, fn: 0, genotypeMatches: 2 });
  });

  it('judges a multi-allelic genotype whole: one of its two alleles called is not a match (as vcfeval in genotype mode)', async () => {
    const [y, z] = [otherBase(P, 1), otherBase(P, 2)];
    const report = await runCompare([[P, bases(P), `${y},${z}`, '1/2']], [[P, bases(P), y, '0/1']]);
    expect(report.metrics.SNP).toMatchObject({ truthTotal: 2, tp: 0, fn: 2, fp: 1 });
  });
});

describe('filtering and limits', () => {
  it('ignores non-PASS calls, calls under the QUAL threshold, and reference genotypes, and says so', async () => {
    const report = await runCompare(
      [],
      [
        [P, bases(P), otherBase(P), '0/1', {}, { filter: 'LowQual' }],
        [P + 20, bases(P + 20), otherBase(P + 20), '0/1', {}, { qual: '5' }],
        [P + 40, bases(P + 40), otherBase(P + 40), '0/0'],
      ],
      { minQual: 20 },
    );
    expect(report.metrics.SNP.callTotal).toBe(0);
    expect(report.skipped.calls).toMatchObject({ filtered: 1, belowMinQual: 1, noAltGenotype: 1 });
  });

  it('evaluates only variants that start inside the regions', async () => {
    const report = await runCompare([[P, bases(P), otherBase(P), '0/1']], [[P + 30, bases(P + 30), otherBase(P + 30), '0/1']], {
      regions: [{ start: P - 5, end: P + 5 }],
    });
    expect(report.metrics.SNP).toMatchObject({ truthTotal: 1, callTotal: 0, fn: 1 });
    expect(report.skipped.calls.outsideRegions).toBe(1);
    expect(report.evaluatedBases).toBe(10);
  });

  it('falls back to record matching in windows too dense to enumerate, and counts them', async () => {
    const truth = [0, 2, 4, 6, 8].map((o): [number, string, string, string] => [P + o, bases(P + o), otherBase(P + o), '0/1']);
    const calls = truth.map((r, i): [number, string, string, string] => (i === 4 ? [r[0], r[1], otherBase(r[0], 2), '0/1'] : r));
    const report = await runCompare(truth, calls, { limits: { maxVariantsPerSide: 3, maxHaplotypePairs: 1000 } });
    expect(report.matching.windowsFallback).toBe(1);
    expect(report.matching.truthVariantsInFallback).toBe(5);
    expect(report.metrics.SNP).toMatchObject({ tp: 4, fp: 1, fn: 1 });
    expect(report.variants!.every((v) => v.method === 'fallback')).toBe(true);
  });

  it('bins variants by the depth the call reports', async () => {
    const report = await runCompare(
      [
        [P, bases(P), otherBase(P), '0/1'],
        [P + 30, bases(P + 30), otherBase(P + 30), '0/1'],
      ],
      [
        [P, bases(P), otherBase(P), '0/1', { DP: '8' }],
        [P + 30, bases(P + 30), otherBase(P + 30), '0/1', { DP: '35' }],
      ],
    );
    const byLabel = Object.fromEntries(report.strata.depth.map((s) => [s.label, s.metrics.SNP]));
    expect(byLabel['0–9']).toMatchObject({ truthTotal: 1, tp: 1, callTotal: 1 });
    expect(byLabel['30–49']).toMatchObject({ truthTotal: 1, tp: 1 });
  });
});
