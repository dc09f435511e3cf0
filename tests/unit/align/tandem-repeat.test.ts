/**
 * Long reads across a tandem repeat (regression): GRCh37 chr20:1,232,001–1,248,000 holds a
 * ≈ 2.4 kb array of a 62-bp unit (chr20:1,238,760–1,241,090). Every read minimizer in the array
 * hits every copy, so the anchors there are dozens deep at each reference position. A chaining
 * look-back of a fixed 50 anchors reached less than one repeat unit back, the read's chain broke
 * inside the array, and the two halves were reported as primary + supplementary at MAPQ 60, both
 * dragged through the array with ~60-300 bp insertions (the primary's POS kb downstream of the
 * read's origin). minimap2 chains these reads end to end; so must we.
 */
import { copyFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { alignReads } from '../../../engine/align/align-reads.js';
import type { SyntheticRead } from './helpers.js';
import { fastaSequence, mutate, reverseComplement, samRecords, seededRandom, writeFastq } from './helpers.js';

const FIXTURE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'chr20_vntr.fa');
const REPEAT_START = 6760;
const REPEAT_END = 9090;

/** Reads of `length` that span the whole repeat array, half on each strand. */
function readsAcrossRepeat(reference: string, count: number, length: number, errorRate: number, seed: number): SyntheticRead[] {
  const random = seededRandom(seed);
  const lowest = REPEAT_END + 300 - length;
  const highest = REPEAT_START - 300;
  const reads: SyntheticRead[] = [];
  for (let i = 0; i < count; i++) {
    const origin = lowest + Math.floor(random() * (highest - lowest));
    const reverse = i % 2 === 1;
    const body = mutate(reference.slice(origin, origin + length), errorRate, random);
    reads.push({ name: `r${i}_${origin}_${reverse ? '-' : '+'}`, sequence: reverse ? reverseComplement(body) : body, origin, reverse });
  }
  return reads;
}

async function alignAcrossRepeat(preset: 'hifi' | 'ont', errorRate: number, seed: number): Promise<{ reads: SyntheticRead[]; bam: string }> {
  const dir = mkdtempSync(join(tmpdir(), 'genomaic-align-vntr-'));
  const ref = join(dir, 'vntr.fa');
  copyFileSync(FIXTURE, ref);
  const reads = readsAcrossRepeat(fastaSequence(ref), 10, 7000, errorRate, seed);
  writeFastq(join(dir, 'reads.fq'), reads, '+');
  const bam = join(dir, 'out.bam');
  const summary = await alignReads({ referencePath: ref, readPaths: [join(dir, 'reads.fq')], outputPath: bam, preset, threads: 0 });
  expect(summary.mapped).toBe(reads.length);
  return { reads, bam };
}

function expectPlacedEndToEnd(reads: SyntheticRead[], bam: string): void {
  const records = samRecords(bam);
  // a contiguous read is one alignment: no supplementary part
  expect(records.filter((r) => r.flag & 0x800).map((r) => `${r.name} ${r.pos} ${r.cigar.slice(0, 40)}`)).toEqual([]);
  for (const read of reads) {
    const primary = records.find((r) => r.name === read.name && !(r.flag & 0x904));
    expect(primary, read.name).toBeDefined();
    const placed = Math.abs(primary!.pos - read.origin) <= 10 && Boolean(primary!.flag & 16) === read.reverse;
    // at the true origin, or flagged as ambiguous
    expect(placed || primary!.mapq <= 3, `${read.name}: pos ${primary!.pos} MAPQ ${primary!.mapq}`).toBe(true);
    expect(placed, `${read.name}: pos ${primary!.pos} ${primary!.cigar.slice(0, 40)}`).toBe(true);
    // the alignment runs through the array: no insertion of a repeat unit or more
    const longestInsertion = Math.max(0, ...[...primary!.cigar.matchAll(/(\d+)I/g)].map((m) => Number(m[1])));
    expect(longestInsertion, read.name).toBeLessThan(62);
  }
}

describe('long reads across a tandem repeat (chr20:1.24 Mb, 62-bp unit × ~38)', () => {
  it('chains HiFi-like reads end to end through the array, at their origin', async () => {
    const { reads, bam } = await alignAcrossRepeat('hifi', 0.01, 11);
    expectPlacedEndToEnd(reads, bam);
  });

  it('chains ONT-like reads end to end through the array, at their origin', async () => {
    const { reads, bam } = await alignAcrossRepeat('ont', 0.08, 12);
    expectPlacedEndToEnd(reads, bam);
  });
});
