/**
 * The BAM writer against htslib: samtools must read back exactly the records and tags we
 * wrote, and for the same SAM text htslib must produce byte-identical BAM records (bin,
 * smallest integer tag types, CG tag for long CIGARs included).
 */
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { BamFile } from '@gmod/bam';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { formatSamHeader, type BamHeaderInput } from '../../../engine/formats/bam-header.js';
import { BamFlag, BamRecordError, encodeBamRecord, parseCigar, type BamRecordInput } from '../../../engine/formats/bam-record.js';
import { BamWriter, writeBam } from '../../../engine/formats/bam-writer.js';
import { readBgzfFile } from '../../../engine/formats/bgzf.js';
import {
  TEST_REFERENCES,
  bamRecordSection,
  formatSamLine,
  generateSortedRecords,
  makeTempDir,
  overlapsRegion,
  runTool,
  seededRandom,
} from './helpers.js';

const HEADER: BamHeaderInput = {
  sortOrder: 'coordinate',
  references: TEST_REFERENCES,
  readGroups: [
    { id: 'rg1', platform: 'ILLUMINA', sample: 'NA12878', library: 'lib1' },
    { id: 'rg2', platform: 'ONT', sample: 'NA12878', platformModel: 'R10.4.1' },
  ],
  programs: [{ id: 'genomaic', name: 'genomaic', version: '0.1.0', commandLine: 'genomaic align --preset sr ref.fa r1.fq r2.fq' }],
  comments: ['written by the format-layer tests'],
};

let dir: { path: string; remove: () => Promise<void> };
let records: BamRecordInput[];
let bamPath: string;

beforeAll(async () => {
  dir = await makeTempDir('bam');
  records = generateSortedRecords(11, 6000, { withLongCigar: true });
  bamPath = join(dir.path, 'sample.bam');
  await writeBam(bamPath, HEADER, records);
});
afterAll(async () => {
  await dir.remove();
});

describe('BamWriter output read by samtools', () => {
  it('passes samtools quickcheck', async () => {
    await runTool('samtools', ['quickcheck', '-v', bamPath]);
  });

  it('round-trips through samtools view -h: header, records and tags exactly as written', async () => {
    const sam = await runTool('samtools', ['view', '-h', '--no-PG', bamPath]);
    const expected = formatSamHeader(HEADER) + records.map((r) => formatSamLine(r, TEST_REFERENCES) + '\n').join('');
    const actualLines = sam.split('\n');
    const expectedLines = expected.split('\n');
    expect(actualLines.length).toBe(expectedLines.length);
    for (let i = 0; i < expectedLines.length; i++) {
      if (actualLines[i] !== expectedLines[i]) expect({ line: i + 1, text: actualLines[i] }).toEqual({ line: i + 1, text: expectedLines[i] });
    }
  });

  it('encodes every record byte-for-byte as htslib does for the same SAM', async () => {
    const samPath = join(dir.path, 'expected.sam');
    await writeFile(samPath, formatSamHeader(HEADER) + records.map((r) => formatSamLine(r, TEST_REFERENCES) + '\n').join(''));
    const htslibBam = join(dir.path, 'htslib.bam');
    await runTool('samtools', ['view', '--no-PG', '-u', '-o', htslibBam, samPath]);
    const ours = await readBgzfFile(bamPath);
    const theirs = await readBgzfFile(htslibBam);
    // Header block too: magic, text and the reference list.
    expect(ours.subarray(0, ours.length - bamRecordSection(ours).length).equals(theirs.subarray(0, theirs.length - bamRecordSection(theirs).length))).toBe(true);
    const a = bamRecordSection(ours);
    const b = bamRecordSection(theirs);
    expect(a.length).toBe(b.length);
    expect(a.equals(b)).toBe(true);
  });

  it('stores a >65535-operation CIGAR in a CG tag that samtools restores', async () => {
    const line = (await runTool('samtools', ['view', bamPath, 'chr1'])).split('\n').find((l) => l.startsWith('ultra_long_read\t'));
    expect(line).toBeDefined();
    const fields = line!.split('\t');
    expect(parseCigar(fields[5]!).length).toBe(66_001);
    expect(fields.some((f) => f.startsWith('CG:'))).toBe(false);
  });

  it('reports the flag counts samtools flagstat computes', async () => {
    const stats = JSON.parse(await runTool('samtools', ['flagstat', '-O', 'json', bamPath])) as Record<string, Record<string, number>>;
    const passed = records.filter((r) => (r.flag & BamFlag.QC_FAIL) === 0);
    const failed = records.filter((r) => (r.flag & BamFlag.QC_FAIL) !== 0);
    const count = (list: BamRecordInput[], predicate: (r: BamRecordInput) => boolean): number => list.filter(predicate).length;
    const qcPassed = stats['QC-passed reads']!;
    const qcFailed = stats['QC-failed reads']!;
    expect(qcPassed.total).toBe(passed.length);
    expect(qcFailed.total).toBe(failed.length);
    expect(qcPassed.secondary).toBe(count(passed, (r) => (r.flag & BamFlag.SECONDARY) !== 0));
    expect(qcPassed.supplementary).toBe(count(passed, (r) => (r.flag & BamFlag.SUPPLEMENTARY) !== 0));
    expect(qcPassed.duplicates).toBe(count(passed, (r) => (r.flag & BamFlag.DUPLICATE) !== 0));
    expect(qcPassed.mapped).toBe(count(passed, (r) => (r.flag & BamFlag.UNMAPPED) === 0));
    expect(qcPassed['paired in sequencing']).toBe(count(passed, (r) => (r.flag & (BamFlag.PAIRED | BamFlag.SECONDARY | BamFlag.SUPPLEMENTARY)) === BamFlag.PAIRED));
  });
});

describe('BamWriter output read by @gmod/bam with our BAI', () => {
  it('finds the records overlapping each region', async () => {
    const bam = new BamFile({ bamPath, baiPath: `${bamPath}.bai` });
    const header = await bam.getHeader();
    expect(header?.filter((h) => h.tag === 'SQ').length).toBe(TEST_REFERENCES.length);
    const random = seededRandom(12);
    for (let i = 0; i < 25; i++) {
      const refId = i % 3 === 2 ? 1 : 0;
      const length = TEST_REFERENCES[refId]!.length;
      const start = Math.floor(random() * length * 0.9);
      const end = start + 1 + Math.floor(random() * 60_000);
      const found = await bam.getRecordsForRange(TEST_REFERENCES[refId]!.name, start, end);
      const names = found.filter((r) => !r.isSegmentUnmapped()).map((r) => `${r.name}/${r.start}/${r.flags}`).sort();
      const expected = records
        .filter((r) => (r.flag & BamFlag.UNMAPPED) === 0 && overlapsRegion(r, refId, start, end))
        .map((r) => `${r.qname}/${r.pos}/${r.flag}`)
        .sort();
      expect(names).toEqual(expected);
    }
  });

  it('decodes tags as written', async () => {
    const bam = new BamFile({ bamPath, baiPath: `${bamPath}.bai` });
    const withMd = records.find((r) => r.refId === 1 && r.tags?.some((t) => t.tag === 'MD'))!;
    const found = await bam.getRecordsForRange('chr2', withMd.pos, withMd.pos + 1);
    const record = found.find((r) => r.name === withMd.qname && r.start === withMd.pos)!;
    expect(record).toBeDefined();
    expect(record.tags.MD).toBe('60A12^AC77');
    expect(record.tags.NM).toBe(withMd.tags!.find((t) => t.tag === 'NM')!.value);
    expect(record.tags.RG).toBe(withMd.tags!.find((t) => t.tag === 'RG')!.value);
  });
});

describe('record validation', () => {
  const base: BamRecordInput = {
    qname: 'r1',
    flag: 0,
    refId: 0,
    pos: 100,
    mapq: 60,
    cigar: '10M',
    nextRefId: -1,
    nextPos: -1,
    tlen: 0,
    seq: 'ACGTACGTAC',
    qual: [30, 30, 30, 30, 30, 30, 30, 30, 30, 30],
  };
  const cases: [string, Partial<BamRecordInput>, RegExp][] = [
    ['CIGAR query length differs from SEQ', { cigar: '9M' }, /CIGAR covers 9 query bases but SEQ has 10/],
    ['alignment past the contig end', { refId: 2, pos: 16_565 }, /runs past the end of chrM \(length 16569\)/],
    ['position beyond the contig', { refId: 3, pos: 5000, flag: BamFlag.UNMAPPED, cigar: [] }, /beyond the end of HLA-A\*01:01:01:01/],
    ['unknown reference', { refId: 9 }, /reference index 9/],
    ['a non-IUPAC base', { seq: 'ACGTACGTAJ' }, /"J" at position 10/],
    ['a read name with a space', { qname: 'bad name' }, /Read name "bad name"/],
    ['QUAL of the wrong length', { qual: [30, 30] }, /QUAL has 2 values but SEQ has 10/],
    ['QUAL above 93', { qual: [30, 30, 30, 30, 30, 30, 30, 30, 30, 94] }, /QUAL value 94/],
    ['a mapped read without CIGAR', { cigar: [] }, /mapped but has no CIGAR/],
    ['an unmapped read with CIGAR', { flag: BamFlag.UNMAPPED }, /unmapped \(0x4\) but has a CIGAR/],
    ['a mapped read without a position', { refId: -1, pos: -1 }, /mapped but has no reference position/],
    ['a duplicated tag', { tags: [{ tag: 'NM', type: 'i', value: 1 }, { tag: 'NM', type: 'i', value: 2 }] }, /tag NM appears twice/],
    ['an integer tag out of range', { tags: [{ tag: 'XX', type: 'i', value: 2 ** 32 }] }, /XX:i value/],
    ['a bad tag name', { tags: [{ tag: '1X', type: 'Z', value: 'a' }] }, /Invalid tag name "1X"/],
    ['a Z tag with a tab', { tags: [{ tag: 'XZ', type: 'Z', value: 'a\tb' }] }, /XZ:Z has a character/],
    ['a bad CIGAR string', { cigar: '10Q' }, /Invalid CIGAR "10Q"/],
  ];
  for (const [what, change, message] of cases) {
    it(`rejects ${what}, naming the record`, () => {
      const record = { ...base, ...change };
      expect(() => encodeBamRecord(record, TEST_REFERENCES)).toThrow(BamRecordError);
      expect(() => encodeBamRecord(record, TEST_REFERENCES)).toThrow(message);
      expect(() => encodeBamRecord(record, TEST_REFERENCES)).toThrow(/record "/);
    });
  }

  it('rejects out-of-order records in a coordinate-sorted BAM and leaves no file', async () => {
    const path = join(dir.path, 'unsorted.bam');
    const writer = await BamWriter.create(path, HEADER);
    await writer.write({ ...base, pos: 500 });
    await expect(writer.write({ ...base, qname: 'r2', pos: 400 })).rejects.toThrow(/record 2 at chr1:401 comes after chr1:501/);
    await writer.abort();
    await expect(readFile(path)).rejects.toThrow(/ENOENT/);
  });

  it('rejects invalid headers', () => {
    expect(() => formatSamHeader({ references: [{ name: 'chr 1', length: 10 }] })).toThrow(/not allowed in SAM/);
    expect(() => formatSamHeader({ references: [{ name: '*chr', length: 10 }] })).toThrow(/not allowed in SAM/);
    expect(() => formatSamHeader({ references: [{ name: 'a', length: 10 }, { name: 'a', length: 5 }] })).toThrow(/appears twice/);
    expect(() => formatSamHeader({ references: [{ name: 'a', length: 0 }] })).toThrow(/length 0/);
    expect(() => formatSamHeader({ references: [{ name: 'a', length: 10, md5: 'xyz' }] })).toThrow(/M5/);
    expect(() => formatSamHeader({ references: [], readGroups: [{ id: 'a\tb' }] })).toThrow(/tab/);
  });
});
