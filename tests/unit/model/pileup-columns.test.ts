/**
 * The columns are built from the caller's own read type, so the model sees exactly the reads
 * the caller genotypes from. Each CIGAR case (match, mismatch, deletion, insertion, soft clip,
 * low MAPQ, low base quality) is checked on hand-made reads whose counts are known.
 */
import { describe, expect, it } from 'vitest';
import { candidateColumnAllele, pileupColumnsFromReads } from '../../../engine/model/pileup-columns.js';
import type { AlignedRead } from '../../../engine/call/types.js';

//                 0123456789
const reference = 'ACGTACGTAC';

function read(name: string, start: number, bases: string, cigar: [number, number][], options: { reverse?: boolean; mapq?: number; quality?: number } = {}): AlignedRead {
  const packed = cigar.map(([length, op]) => (length << 4) | op);
  let end = start;
  for (const [length, op] of cigar) if (op === 0 || op === 2 || op === 3 || op === 7 || op === 8) end += length;
  return {
    name, start, end, mapq: options.mapq ?? 60, reverse: options.reverse ?? false,
    bases: Uint8Array.from(Buffer.from(bases, 'latin1')), quals: new Uint8Array(bases.length).fill(options.quality ?? 30), cigar: packed,
  };
}

const M = 0;
const I = 1;
const D = 2;
const S = 4;

describe('pileup columns from aligned reads', () => {
  const reads = [
    read('ref-fwd', 0, 'ACGTACGTAC', [[10, M]]),
    read('ref-rev', 0, 'ACGTACGTAC', [[10, M]], { reverse: true }),
    read('snv-fwd', 0, 'ACGTTCGTAC', [[10, M]]), // A→T at 4
    read('snv-rev', 2, 'GTTCGT', [[6, M]], { reverse: true }),
    read('del', 0, 'ACGTCGTAC', [[4, M], [1, D], [5, M]]), // deletes position 4
    read('ins', 0, 'ACGTAGGCGTAC', [[5, M], [2, I], [5, M]]), // GG after position 4
    read('clip', 3, 'NNNTACG', [[3, S], [4, M]]), // soft clip, aligned from 3
    read('low-mapq', 0, 'ACGTTCGTAC', [[10, M]], { mapq: 3 }),
    read('low-bq', 0, 'ACGTTCGTAC', [[10, M]], { quality: 5 }),
  ];
  const columns = pileupColumnsFromReads(reads, reference, 2, 8, { platform: 'illumina', minMappingQuality: 10, minBaseQuality: 10 });

  it('covers exactly the requested positions', () => {
    expect(columns.map((c) => c.position)).toEqual([2, 3, 4, 5, 6, 7]);
    expect(columns.map((c) => c.refBase).join('')).toBe('GTACGT');
  });

  it('counts alleles by strand, with deletions, insertions, MAPQ and base-quality filters', () => {
    const at4 = columns[2]!;
    expect(at4.forward).toEqual({ A: 3, C: 0, G: 0, T: 1, del: 1, ins: 1 }); // A: ref-fwd, ins, clip; T: snv-fwd; del; ins
    expect(at4.reverse).toEqual({ A: 1, C: 0, G: 0, T: 1, del: 0, ins: 0 });
    // low-mapq is counted for the low-MAPQ channel only: 1 of 9 covering reads.
    expect(at4.lowMappingQualityFraction).toBeCloseTo(1 / 9, 6);
    expect(columns[0]!.forward.G).toBe(4); // ref-fwd, snv-fwd, del, ins (low-bq dropped, clip starts at 3)
  });

  it('summarises qualities and read-end proximity of the reference and alternate alleles', () => {
    const at4 = columns[2]!;
    // The commonest non-reference allele at 4 is T (snv-fwd, snv-rev).
    expect(at4.altMeanMappingQuality).toBe(60);
    expect(at4.altMeanBaseQuality).toBe(30);
    // snv-rev is 6 bp long: every base is within 10 of an end; so is every base of the 10 bp reads.
    expect(at4.altNearReadEndFraction).toBe(1);
    expect(at4.refMeanBaseQuality).toBe(30);
  });

  it('uses the candidate allele when the caller names one', () => {
    const withCandidate = pileupColumnsFromReads(reads, reference, 4, 5, { platform: 'illumina', minMappingQuality: 10, minBaseQuality: 10, candidateAlleles: new Map([[4, 'del' as const]]) });
    expect(withCandidate[0]!.altAllele).toBe('del');
    expect(withCandidate[0]!.altMeanBaseQuality).toBe(30);
  });

  it('places caller candidates on the column that shows them', () => {
    expect(candidateColumnAllele({ pos: 4, ref: 'A', alt: 'T', kind: 'snv', supportingReads: 2 })).toEqual({ position: 4, allele: 'T' });
    expect(candidateColumnAllele({ pos: 4, ref: 'A', alt: 'AGG', kind: 'insertion', supportingReads: 1 })).toEqual({ position: 4, allele: 'ins' });
    expect(candidateColumnAllele({ pos: 3, ref: 'TA', alt: 'T', kind: 'deletion', supportingReads: 1 })).toEqual({ position: 4, allele: 'del' });
    expect(candidateColumnAllele({ pos: 3, ref: 'TA', alt: 'GC', kind: 'complex', supportingReads: 1 })).toBeNull();
  });
});
