/**
 * The BAI we build while writing must be the index `samtools index` builds from the same
 * BAM: same bins and chunks, same linear index, same pseudo-bin counts. On top of that
 * structural equality, region queries through our index must return what samtools returns
 * through its own.
 */
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildBaiIndex, parseBaiIndex, serializeBaiIndex } from '../../../engine/formats/bai.js';
import type { BamHeaderInput } from '../../../engine/formats/bam-header.js';
import { BamFlag, type BamRecordInput } from '../../../engine/formats/bam-record.js';
import { BamWriter, writeBam } from '../../../engine/formats/bam-writer.js';
import { BAI_PSEUDO_BIN, reg2bin } from '../../../engine/formats/binning.js';
import { IndexOrderError } from '../../../engine/formats/hts-index.js';
import { TEST_REFERENCES, generateSortedRecords, makeTempDir, overlapsRegion, runTool, seededRandom } from './helpers.js';

const HEADER: BamHeaderInput = { sortOrder: 'coordinate', references: TEST_REFERENCES, readGroups: [{ id: 'rg1' }, { id: 'rg2' }] };

let dir: { path: string; remove: () => Promise<void> };
let records: BamRecordInput[];
let ours: string;
let theirs: string;

beforeAll(async () => {
  dir = await makeTempDir('bai');
  records = generateSortedRecords(21, 20_000, { withLongCigar: true });
  ours = join(dir.path, 'ours.bam');
  await writeBam(ours, HEADER, records, { level: 1 });
  // The same BAM bytes, indexed by samtools.
  theirs = join(dir.path, 'theirs.bam');
  await copyFile(ours, theirs);
  await runTool('samtools', ['index', theirs]);
});
afterAll(async () => {
  await dir.remove();
});

/** samtools region syntax; braces protect names containing ':' (samtools >= 1.10). */
function region(refId: number, start: number, end: number): string {
  const name = TEST_REFERENCES[refId]!.name;
  return `${name.includes(':') ? `{${name}}` : name}:${start + 1}-${end}`;
}

describe('reg2bin', () => {
  it('matches the SAM specification examples', () => {
    expect(reg2bin(-1, 0)).toBe(4680); // unplaced reads
    expect(reg2bin(0, 1)).toBe(4681);
    expect(reg2bin(16383, 16384)).toBe(4681);
    expect(reg2bin(16383, 16385)).toBe(585);
    expect(reg2bin(0, 1 << 29)).toBe(0);
    expect(reg2bin((1 << 29) - 1, 1 << 29)).toBe(37448); // the last 16 kbp bin
  });
});

describe('BAI built while writing', () => {
  it('is structurally identical to samtools index on the same BAM', async () => {
    const a = parseBaiIndex(await readFile(`${ours}.bai`));
    const b = parseBaiIndex(await readFile(`${theirs}.bai`));
    expect(a.references.length).toBe(TEST_REFERENCES.length);
    expect(a).toEqual(b);
    // And, since bins are written in one order by both here, usually byte-identical too.
    expect(serializeBaiIndex(b).length).toBe((await readFile(`${theirs}.bai`)).length);
  });

  it('holds the pseudo-bin counts samtools idxstats reports', async () => {
    const stats = (await runTool('samtools', ['idxstats', ours])).trim().split('\n').map((l) => l.split('\t'));
    const expected = TEST_REFERENCES.map((reference, refId) => {
      const on = records.filter((r) => r.refId === refId);
      const unmapped = on.filter((r) => (r.flag & BamFlag.UNMAPPED) !== 0).length;
      return [reference.name, String(reference.length), String(on.length - unmapped), String(unmapped)];
    });
    expected.push(['*', '0', '0', String(records.filter((r) => r.refId < 0).length)]);
    expect(stats).toEqual(expected);
    const index = parseBaiIndex(await readFile(`${ours}.bai`));
    expect(index.noCoordinateCount).toBe(BigInt(records.filter((r) => r.refId < 0).length));
    // A reference with records has the pseudo-bin; serialized it is bin 37450 with 2 chunks.
    expect(index.references[0]!.summary).toBeDefined();
    expect(serializeBaiIndex(index).includes(Buffer.from([0x4a, 0x92, 0, 0, 2, 0, 0, 0]))).toBe(true);
    expect(BAI_PSEUDO_BIN).toBe(0x924a);
  });

  it('answers region queries exactly as samtools does with its own index', async () => {
    const random = seededRandom(22);
    const regions: [number, number, number][] = [
      [0, 0, 1],
      [0, 0, 16_384],
      [0, 16_383, 16_385],
      [1, 0, TEST_REFERENCES[1]!.length],
      [2, 100, 200],
      [3, 0, 3_503],
      [4, 50_000, 120_000],
    ];
    for (let i = 0; i < 60; i++) {
      const refId = Math.floor(random() * TEST_REFERENCES.length);
      const length = TEST_REFERENCES[refId]!.length;
      const start = Math.floor(random() * length);
      const end = Math.min(length, start + 1 + Math.floor(random() * (i % 4 === 0 ? 300_000 : 20_000)));
      regions.push([refId, start, end]);
    }
    for (const [refId, start, end] of regions) {
      const viaOurs = await runTool('samtools', ['view', ours, region(refId, start, end)]);
      const viaTheirs = await runTool('samtools', ['view', theirs, region(refId, start, end)]);
      expect(viaOurs).toBe(viaTheirs);
      const names = viaOurs.split('\n').filter(Boolean).map((l) => l.split('\t').slice(0, 2).join('/'));
      const expected = records.filter((r) => overlapsRegion(r, refId, start, end)).map((r) => `${r.qname}/${r.flag}`);
      expect(names).toEqual(expected);
    }
  });

  it('equals the index buildBaiIndex computes by reading the BAM back', async () => {
    const written = parseBaiIndex(await readFile(`${ours}.bai`));
    expect(await buildBaiIndex(ours)).toEqual(written);
  });
});

describe('linear index', () => {
  it('fills windows no record overlaps (before the first record and in gaps) as samtools does', async () => {
    // Short reads only, so nothing spans the gaps (spliced reads would cover them).
    const sparse: BamRecordInput[] = [];
    for (const start of [100_000, 110_000, 200_000, 520_000, 530_000, 1_300_000]) {
      for (let k = 0; k < 300; k++) {
        sparse.push({ qname: `s${start}_${k}`, flag: 0, refId: 0, pos: start + k * 10, mapq: 60, cigar: '100M', nextRefId: -1, nextPos: -1, tlen: 0, seq: 'A'.repeat(100), qual: '*' });
      }
    }
    const path = join(dir.path, 'sparse.bam');
    await writeBam(path, HEADER, sparse);
    const copy = join(dir.path, 'sparse-samtools.bam');
    await copyFile(path, copy);
    await runTool('samtools', ['index', copy]);
    const ourIndex = parseBaiIndex(await readFile(`${path}.bai`));
    expect(ourIndex).toEqual(parseBaiIndex(await readFile(`${copy}.bai`)));
    // Windows 0-5 precede the first record; they point at it, like window 6.
    const linear = ourIndex.references[0]!.linear;
    expect(linear.slice(0, 7).every((offset) => offset === linear[6])).toBe(true);
    // A gap window points at the next record, not the previous one.
    expect(linear[20]).toBe(linear[31]);
    expect(linear[20]).not.toBe(linear[12]);
  });
});

describe('edge cases samtools index must agree on', () => {
  const cases: [string, () => BamRecordInput[]][] = [
    ['a BAM with no records', () => []],
    ['a BAM with only unplaced unmapped reads', () => records.filter((r) => r.refId < 0)],
    ['a BAM whose records are all on the last reference', () => records.filter((r) => r.refId === TEST_REFERENCES.length - 1)],
  ];
  for (const [what, select] of cases) {
    it(`indexes ${what}`, async () => {
      const name = what.replace(/\W+/g, '-');
      const path = join(dir.path, `${name}.bam`);
      await writeBam(path, HEADER, select());
      await runTool('samtools', ['quickcheck', '-v', path]);
      const copy = join(dir.path, `${name}-samtools.bam`);
      await copyFile(path, copy);
      await runTool('samtools', ['index', copy]);
      expect(parseBaiIndex(await readFile(`${path}.bai`))).toEqual(parseBaiIndex(await readFile(`${copy}.bai`)));
    });
  }
});

describe('buildBaiIndex on BAMs we did not write', () => {
  it('matches samtools index on a BAM written by samtools', async () => {
    const sorted = join(dir.path, 'samtools-sorted.bam');
    await runTool('samtools', ['sort', '-l', '6', '-o', sorted, ours]);
    await runTool('samtools', ['index', sorted]);
    expect(await buildBaiIndex(sorted)).toEqual(parseBaiIndex(await readFile(`${sorted}.bai`)));
  });

  it('refuses an unsorted BAM, as samtools index does', async () => {
    const unsorted = join(dir.path, 'unsorted.bam');
    await writeBam(unsorted, { ...HEADER, sortOrder: 'unsorted' }, [...records.slice(100, 200), ...records.slice(0, 100)]);
    await expect(buildBaiIndex(unsorted)).rejects.toThrow(IndexOrderError);
    await expect(buildBaiIndex(unsorted)).rejects.toThrow(/Unsorted positions on chr1/);
  });
});

describe('BAI limits', () => {
  it('refuses positions a BAI cannot hold (>= 2^29) with a pointer to CSI', async () => {
    const path = join(dir.path, 'huge.bam');
    const writer = await BamWriter.create(path, { references: [{ name: 'big', length: 600_000_000 }] });
    await expect(
      writer.write({ qname: 'r', flag: 0, refId: 0, pos: 550_000_000, mapq: 1, cigar: '4M', nextRefId: -1, nextPos: -1, tlen: 0, seq: 'ACGT', qual: '*' }),
    ).rejects.toThrow(/needs CSI/);
    await writer.abort();
  });
});
