/**
 * Pairs in repeats with more equal copies than the aligner extends (regression, issue #4): the
 * two reads of a pair each fall in a segment repeated ten times, and only one copy of the first
 * lies at a proper-pair distance from a copy of the second. Each read alone is a tie among ten
 * placements, of which six are extended; the true one need not be among the first two, which
 * were the only ones mate rescue started from, so the pair came out unpaired at a wrong copy
 * (on a million ART pairs over chr20, 20-910169 was one: minimap2 placed it, we did not). The
 * mate must single out the copy: rescue from every near-tie, and pair chains that were never
 * extended when nothing extended pairs up.
 *
 * The reference is real sequence (the chr20 fixture's unique flank) rearranged: segment S and
 * segment T copied ten and eight times between unique spacers, S + 50 bp + T once.
 */
import { copyFileSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { alignReads } from '../../../engine/align/align-reads.js';
import { fastaSequence, reverseComplement, samRecords, writeFastq } from './helpers.js';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'chr20_vntr.fa');

describe('pairs whose reads are ties among repeat copies', () => {
  // Copies are ranked by position among equals, and six are extended: with seven copies of T
  // before the pair's, R2's true copy is never extended; with three copies of S before it, R1's
  // is extended but third or later (found only by rescue from near-ties); with seven, neither
  // read's true copy is extended (found only by pairing unextended chains).
  it.each([
    { copiesOfSBefore: 3, path: 'rescue from a near-tie' },
    { copiesOfSBefore: 7, path: 'pairing unextended chains' },
  ])('places both reads at the one copy where they pair ($path)', async ({ copiesOfSBefore }) => {
    const dir = mkdtempSync(join(tmpdir(), 'genomaic-pair-repeat-'));
    copyFileSync(FIXTURE, join(dir, 'source.fa'));
    const source = fastaSequence(join(dir, 'source.fa'));
    const segmentS = source.slice(1000, 1200);
    const segmentT = source.slice(1500, 1700);
    // Unique spacers from the fixture outside S, T and the tandem array, long enough that no
    // other copy of the mate's segment lies within the mate-rescue window of a copy (insert
    // 350 ± 4 × 150 before the batch has pairs to estimate from).
    const unique = source.slice(1700, 6700) + source.slice(9100);
    let next = 0;
    const spacer = (length: number): string => {
      const s = unique.slice(next, next + length);
      next += length;
      return s;
    };
    let reference = '';
    const copies = (segment: string, count: number): void => {
      for (let i = 0; i < count; i++) reference += spacer(650) + segment;
    };
    copies(segmentT, 7);
    copies(segmentS, copiesOfSBefore);
    reference += spacer(650);
    const pairStart = reference.length;
    reference += segmentS + spacer(50) + segmentT;
    copies(segmentS, 9 - copiesOfSBefore);
    reference += spacer(300);
    expect(next).toBeLessThanOrEqual(unique.length);
    writeFileSync(join(dir, 'ref.fa'), `>repeats\n${reference.replace(/(.{60})/g, '$1\n')}\n`);

    // R1 forward in S, R2 reverse in T, at the one locus where they are 410 bp apart
    const read1 = reference.slice(pairStart + 20, pairStart + 170);
    const tStart = pairStart + 250;
    const read2 = reverseComplement(reference.slice(tStart + 30, tStart + 180));
    writeFastq(join(dir, 'r1.fq'), [{ name: 'pair/1', sequence: read1 }]);
    writeFastq(join(dir, 'r2.fq'), [{ name: 'pair/2', sequence: read2 }]);
    const out = join(dir, 'out.bam');
    await alignReads({ referencePath: join(dir, 'ref.fa'), readPaths: [join(dir, 'r1.fq'), join(dir, 'r2.fq')], outputPath: out, preset: 'sr', threads: 0 });

    const records = samRecords(out, '-F', '0x900');
    const first = records.find((r) => r.flag & 64)!;
    const second = records.find((r) => r.flag & 128)!;
    expect(first.pos, 'R1').toBe(pairStart + 20);
    expect(second.pos, 'R2').toBe(tStart + 30);
    expect(first.flag & 2, 'proper pair').toBe(2);
    // each read alone is a tie; the pair is unique
    expect(first.mapq).toBeGreaterThan(0);
  });
});
