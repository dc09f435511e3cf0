/**
 * The external-memory coordinate sort: for the same input order its records must come out
 * in exactly `samtools sort`'s order (ties by strand, then input order), whether the data
 * fits in memory or is spilled in many runs; and it must leave no temp files behind,
 * whether it succeeds, fails or is aborted.
 */
import { copyFile, mkdir, readFile, readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseBaiIndex } from '../../../engine/formats/bai.js';
import type { BamHeaderInput } from '../../../engine/formats/bam-header.js';
import { BamFlag, type BamRecordInput } from '../../../engine/formats/bam-record.js';
import { BamSorter, sortBam } from '../../../engine/formats/bam-sort.js';
import { writeBam } from '../../../engine/formats/bam-writer.js';
import { readBgzfFile } from '../../../engine/formats/bgzf.js';
import { TEST_REFERENCES, bamRecordSection, generateSortedRecords, makeTempDir, runTool, seededRandom } from './helpers.js';

const HEADER: BamHeaderInput = { sortOrder: 'unsorted', references: TEST_REFERENCES, readGroups: [{ id: 'rg1' }, { id: 'rg2' }] };

let dir: { path: string; remove: () => Promise<void> };
let shuffled: BamRecordInput[];
let samtoolsRecords: Buffer;

/** Records in random order, with many exact ties (same reference, position and strand). */
function shuffledRecordsWithTies(seed: number): BamRecordInput[] {
  const random = seededRandom(seed);
  const base = generateSortedRecords(seed, 8000);
  const ties: BamRecordInput[] = [];
  for (let i = 0; i < 600; i++) {
    const original = base[Math.floor(random() * base.length)]!;
    ties.push({ ...original, qname: `tie${i}_${original.qname}`, flag: original.flag ^ (i % 3 === 0 ? BamFlag.REVERSE : 0) });
  }
  const all = [...base, ...ties];
  for (let i = all.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [all[i], all[j]] = [all[j]!, all[i]!];
  }
  return all;
}

beforeAll(async () => {
  dir = await makeTempDir('sort');
  shuffled = shuffledRecordsWithTies(31);
  const unsorted = join(dir.path, 'unsorted.bam');
  await writeBam(unsorted, HEADER, shuffled);
  const sorted = join(dir.path, 'samtools-sorted.bam');
  await runTool('samtools', ['sort', '-o', sorted, unsorted]);
  samtoolsRecords = bamRecordSection(await readBgzfFile(sorted));
});
afterAll(async () => {
  await dir.remove();
});

describe('sortBam', () => {
  it('spills several runs under a tiny budget and merges to samtools sort order', async () => {
    const spillDir = join(dir.path, 'spill-small');
    await mkdir(spillDir);
    const output = join(dir.path, 'ours-spilled.bam');
    const summary = await sortBam(output, HEADER, shuffled, { memoryBudgetBytes: 256 * 1024, temporaryDirectory: spillDir });
    expect(summary.spilledRuns).toBeGreaterThanOrEqual(5);
    expect(summary.records).toBe(shuffled.length);
    const ours = bamRecordSection(await readBgzfFile(output));
    expect(ours.length).toBe(samtoolsRecords.length);
    expect(ours.equals(samtoolsRecords)).toBe(true);
    await runTool('samtools', ['quickcheck', '-v', output]);
    expect(await readdir(spillDir)).toEqual([]);
    // The header now says coordinate, and the BAI matches samtools index.
    expect(await runTool('samtools', ['view', '-H', output])).toMatch(/^@HD\tVN:1\.6\tSO:coordinate\n/);
    const theirs = join(dir.path, 'ours-spilled-copy.bam');
    await copyFile(output, theirs);
    await runTool('samtools', ['index', theirs]);
    expect(parseBaiIndex(await readFile(`${output}.bai`))).toEqual(parseBaiIndex(await readFile(`${theirs}.bai`)));
  });

  it('gives the same result when everything fits in memory', async () => {
    const output = join(dir.path, 'ours-memory.bam');
    const summary = await sortBam(output, HEADER, shuffled, { memoryBudgetBytes: 1 << 30 });
    expect(summary.spilledRuns).toBe(0);
    expect(bamRecordSection(await readBgzfFile(output)).equals(samtoolsRecords)).toBe(true);
  });

  it('cleans up output and temp files when aborted', async () => {
    const spillDir = join(dir.path, 'spill-abort');
    await mkdir(spillDir);
    const output = join(dir.path, 'aborted.bam');
    const controller = new AbortController();
    const records = (function* () {
      for (let i = 0; i < shuffled.length; i++) {
        if (i === 5000) controller.abort();
        yield shuffled[i]!;
      }
    })();
    await expect(sortBam(output, HEADER, records, { memoryBudgetBytes: 128 * 1024, temporaryDirectory: spillDir, signal: controller.signal })).rejects.toThrow(
      /abort/i,
    );
    expect(await readdir(spillDir)).toEqual([]);
    expect((await readdir(dir.path)).filter((f) => f.startsWith('aborted') || f.startsWith('.aborted'))).toEqual([]);
  });

  it('cleans up when a record is invalid, and says which', async () => {
    const spillDir = join(dir.path, 'spill-error');
    await mkdir(spillDir);
    const output = join(dir.path, 'failed.bam');
    const bad: BamRecordInput = { ...shuffled[0]!, qname: 'broken', refId: 2, pos: 20_000, flag: BamFlag.UNMAPPED, cigar: [] };
    const records = [...shuffled.slice(0, 4000), bad, ...shuffled.slice(4000)];
    await expect(sortBam(output, HEADER, records, { memoryBudgetBytes: 128 * 1024, temporaryDirectory: spillDir })).rejects.toThrow(
      /record "broken".*beyond the end of chrM/,
    );
    expect(await readdir(spillDir)).toEqual([]);
    expect((await readdir(dir.path)).filter((f) => f.includes('failed'))).toEqual([]);
  });

  it('can be aborted while records are being merged', async () => {
    const spillDir = join(dir.path, 'spill-merge-abort');
    await mkdir(spillDir);
    const controller = new AbortController();
    const sorter = await BamSorter.create(join(dir.path, 'merge-aborted.bam'), HEADER, {
      memoryBudgetBytes: 128 * 1024,
      temporaryDirectory: spillDir,
      signal: controller.signal,
    });
    for (const record of shuffled) await sorter.add(record);
    expect(sorter.spilledRuns).toBeGreaterThan(3);
    const finishing = sorter.finish();
    controller.abort();
    await expect(finishing).rejects.toThrow(/abort/i);
    expect(await readdir(spillDir)).toEqual([]);
    expect((await readdir(dir.path)).filter((f) => f.includes('merge-aborted'))).toEqual([]);
  });
});
