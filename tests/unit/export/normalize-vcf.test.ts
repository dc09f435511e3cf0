/** Allele normalisation (the VCF must already be what `bcftools norm` would make it) and record formatting. */
import { describe, expect, it } from 'vitest';
import { leftAlign, normaliseAlleles } from '../../../engine/export/normalize.js';
import { recordKey, vcfRecordLine } from '../../../engine/export/vcf.js';
import { leftAlignDeletion, leftAlignInsertion } from '../../../engine/call/pileup.js';
import { repeatTractAt } from '../../../engine/call/repeats.js';
import type { CallRecord } from '../../../engine/call/types.js';

describe('normalisation', () => {
  it('trims shared suffix then prefix, keeping one anchor base', () => {
    expect(normaliseAlleles(10, 'CATA', ['CA'])).toEqual({ pos: 10, ref: 'CAT', alts: ['C'] });
    expect(normaliseAlleles(10, 'GTTCTTTCTTT', ['GTTCTTT'])).toEqual({ pos: 10, ref: 'GTTCT', alts: ['G'] });
    expect(normaliseAlleles(5, 'ACG', ['ATG'])).toEqual({ pos: 6, ref: 'C', alts: ['T'] });
    // Multi-allelic: trimming only what all alleles share.
    expect(normaliseAlleles(0, 'AGG', ['AG', 'AGGG'])).toEqual({ pos: 0, ref: 'AG', alts: ['A', 'AGG'] });
  });

  it('left-aligns indels in repeats to their leftmost representation', () => {
    //            0123456789
    const ref = 'GCAAAAAAAT';
    // Deleting the last A (pos 8, anchor A at 7) moves to anchor C at 1.
    expect(leftAlign(ref, 7, 'AA', 'A')).toEqual({ pos: 1, ref: 'CA', alts: ['C'] });
    const str = 'TTCACACAGG';
    expect(leftAlign(str, 7, 'A', 'ACA')).toEqual({ pos: 1, ref: 'T', alts: ['TCA'] });
    // The pileup's per-read left-alignment agrees.
    expect(leftAlignDeletion(ref, 8, 1)).toBe(2);
    expect(leftAlignInsertion(str, 8, 'CA')).toEqual({ before: 2, inserted: 'CA' });
  });

  it('finds the homopolymer or tandem repeat touching a locus', () => {
    expect(repeatTractAt('GCAAAAAAAT', 2, 3)).toEqual({ start: 2, end: 9, unit: 'A' });
    const t = repeatTractAt('GGTCACACACAGG', 3, 4);
    expect(t.end - t.start).toBe(8);
    expect(t.unit.length).toBe(2);
  });
});

describe('VCF record line', () => {
  const record: CallRecord = {
    contig: 'chr1',
    pos: 99,
    ref: 'A',
    alts: ['G'],
    qual: 52.5,
    genotype: null,
    bestGenotype: [0, 1],
    gq: 7,
    rawGq: 21.3,
    pl: [50, 0, 300],
    depth: 20,
    alleleDepths: [14, 6],
    evidence: { depth: 20, refForward: 7, refReverse: 7, altForward: [0], altReverse: [6], uninformative: 0, meanMapq: 59.9, mapq0Fraction: 0, repeatLength: 2, repeatUnit: 'A', readPositionBias: 0, mismatchBias: 0 },
    filter: 'Abstain',
    abstainReason: 'MODEL_UNCERTAIN',
    diagnostics: ['MODEL_UNCERTAIN'],
    modelId: 'stat-diploid/1',
    method: 'pileup',
    support: [],
  };
  it('writes a no-call as ./. with FILTER=Abstain and the reason, and keys it CHROM:POS:REF:ALT', () => {
    const f = vcfRecordLine(record).split('\t');
    expect(f.slice(0, 7)).toEqual(['chr1', '100', '.', 'A', 'G', '52.50', 'Abstain']);
    expect(f[7]).toContain('ABSTAIN=MODEL_UNCERTAIN');
    expect(f[7]).toContain('BGT=0/1');
    expect(f[7]).toContain('SB=7,7,0,6');
    expect(f[8]).toBe('GT:GQ:DP:AD:PL');
    expect(f[9]).toBe('./.:.:20:14,6:50,0,300');
    expect(recordKey(record)).toBe('chr1:100:A:G');
  });
});
