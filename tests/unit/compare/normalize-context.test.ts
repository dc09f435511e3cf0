/** Normalisation (what makes two records comparable) and repeat context (how results are stratified). */
import { describe, expect, it } from 'vitest';
import { classifyContext } from '../../../engine/compare/context.js';
import { atomsOf, normaliseAllele, shiftableSpan } from '../../../engine/compare/normalize.js';
import { bases, DINUCLEOTIDE_ANCHOR, HOMOPOLYMER_ANCHOR, REF, UNIQUE } from './helpers.js';

describe('normaliseAllele', () => {
  it('trims shared bases and left-aligns a deletion in a homopolymer to the first base of the run', () => {
    // Delete one A written at the end of the run: REF AA, ALT A.
    const right = HOMOPOLYMER_ANCHOR + 6;
    const edit = normaliseAllele(REF, right - 1, 'AA', 'A');
    expect(edit).toEqual({ start: HOMOPOLYMER_ANCHOR, end: HOMOPOLYMER_ANCHOR + 1, alt: '' });
  });

  it('left-aligns an insertion in a dinucleotide repeat by rotating the inserted unit', () => {
    // Insert AC after the last A of (CA)6 written as A>ACA; leftmost form inserts CA after the G.
    const lastA = DINUCLEOTIDE_ANCHOR + 12;
    expect(bases(lastA)).toBe('A');
    const edit = normaliseAllele(REF, lastA - 1, 'A', 'ACA');
    expect(edit).toEqual({ start: DINUCLEOTIDE_ANCHOR, end: DINUCLEOTIDE_ANCHOR, alt: 'CA' });
  });

  it('returns null for an allele equal to the reference', () => {
    expect(normaliseAllele(REF, UNIQUE - 1, bases(UNIQUE, 3), bases(UNIQUE, 3))).toBeNull();
  });

  it('reports the span an indel can slide over, so both ends of a repeat share a window', () => {
    const edit = normaliseAllele(REF, HOMOPOLYMER_ANCHOR - 1, 'CA', 'C')!;
    expect(shiftableSpan(REF, edit)).toEqual({ start: HOMOPOLYMER_ANCHOR, end: HOMOPOLYMER_ANCHOR + 7 });
  });
});

describe('atomsOf', () => {
  it('splits an MNP into SNPs and keeps an indel whole with its anchor base', () => {
    const mnp = { start: UNIQUE - 1, end: UNIQUE + 1, alt: 'TT' };
    const atoms = atomsOf(REF, mnp).map((a) => [a.pos, a.ref, a.alt, a.variantClass]);
    expect(atoms).toEqual([
      ...(bases(UNIQUE) !== 'T' ? [[UNIQUE, bases(UNIQUE), 'T', 'SNP']] : []),
      ...(bases(UNIQUE + 1) !== 'T' ? [[UNIQUE + 1, bases(UNIQUE + 1), 'T', 'SNP']] : []),
    ]);
    const deletion = atomsOf(REF, { start: HOMOPOLYMER_ANCHOR, end: HOMOPOLYMER_ANCHOR + 1, alt: '' });
    expect(deletion).toMatchObject([{ pos: HOMOPOLYMER_ANCHOR, ref: 'CA', alt: 'C', variantClass: 'INDEL' }]);
  });
});

describe('classifyContext', () => {
  it('calls a variant touching a run of ≥ 6 identical bases homopolymer', () => {
    expect(classifyContext(REF, HOMOPOLYMER_ANCHOR + 2, HOMOPOLYMER_ANCHOR + 3)).toBe('homopolymer');
    // Adjacent counts: the C just before the run.
    expect(classifyContext(REF, HOMOPOLYMER_ANCHOR - 1, HOMOPOLYMER_ANCHOR)).toBe('homopolymer');
  });

  it('calls a variant inside (CA)6 tandem repeat', () => {
    expect(classifyContext(REF, DINUCLEOTIDE_ANCHOR + 4, DINUCLEOTIDE_ANCHOR + 5)).toBe('tandemRepeat');
  });

  it('calls unique sequence other', () => {
    expect(classifyContext(REF, UNIQUE + 5, UNIQUE + 6)).toBe('other');
  });

  it('does not call a 5-base run a homopolymer', () => {
    expect(classifyContext('GATCGTAAAAACGTAGCTAG', 8, 9)).toBe('other');
  });
});
