/**
 * The streaming reader: records must come out identical whatever the chunking (records
 * straddle chunk boundaries all the time in real files), line-ending variants must be accepted,
 * and memory must not grow with the file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { gzipSync } from 'node:zlib';
import { FastqReader, type FastqBatch } from '../../../engine/ingest/index.js';
import { expectIngestError, fastqText, fixture, illuminaRecords, tempFolder, type Record3 } from './helpers.js';

const temp = tempFolder();
afterAll(() => temp.cleanup());

async function readAll(path: string, chunkBytes?: number): Promise<{ records: Record3[]; reader: FastqReader; batches: FastqBatch[] }> {
  const reader = await FastqReader.open(path, chunkBytes === undefined ? {} : { chunkBytes });
  const records: Record3[] = [];
  const batches: FastqBatch[] = [];
  for await (const batch of reader) {
    batches.push(batch);
    for (let i = 0; i < batch.count; i++) records.push([batch.header(i), batch.sequenceString(i), batch.qualityString(i)]);
  }
  return { records, reader, batches };
}

describe('FastqReader', () => {
  const records = illuminaRecords(50, 37);
  let plainPath = '';
  beforeAll(() => {
    plainPath = temp.write('base.fastq', fastqText(records));
  });

  it('yields every record with header, sequence and quality intact', async () => {
    const { records: read, reader } = await readAll(plainPath);
    expect(read).toEqual(records);
    expect(reader.records).toBe(50);
    expect(reader.compression).toBe('none');
  });

  it.each([1, 2, 3, 7, 64, 1000])('gives the same records when chunks are %i bytes (records straddle chunks)', async (chunkBytes) => {
    const { records: read } = await readAll(plainPath, chunkBytes);
    expect(read).toEqual(records);
    const gz = temp.write(`chunked_${chunkBytes}.fastq.gz`, gzipSync(Buffer.from(fastqText(records))));
    expect((await readAll(gz, chunkBytes)).records).toEqual(records);
  });

  it.each([1, 5, 64])('reports a fault at the same record and line with %i-byte chunks', async (chunkBytes) => {
    const broken = illuminaRecords(8);
    broken[5]![2] = broken[5]![2].slice(0, 19);
    const path = temp.write(`broken_${chunkBytes}.fastq`, fastqText(broken));
    const detail = await expectIngestError(readAll(path, chunkBytes), 'length-mismatch');
    expect(detail).toMatchObject({ record: 6, line: 24 });
  });

  it.each([3, 16, 4096])('reports blank lines followed by more records as missing-header with %i-byte chunks', async (chunkBytes) => {
    const few = illuminaRecords(4);
    const path = temp.write(`blank_gap_${chunkBytes}.fastq`, `${fastqText(few.slice(0, 3))}\n\n\n\n\n\n${fastqText(few.slice(3))}`);
    const detail = await expectIngestError(readAll(path, chunkBytes), 'missing-header');
    expect(detail).toMatchObject({ record: 4, line: 13 });
  });

  it('accepts Windows CRLF line endings and reports the same records', async () => {
    const path = temp.write('windows.fastq', fastqText(records, '\r\n'));
    expect((await readAll(path)).records).toEqual(records);
    expect((await readAll(path, 5)).records).toEqual(records);
  });

  it('accepts a missing final newline, trailing blank lines, a BOM and a + line repeating the name', async () => {
    const few = records.slice(0, 3);
    const noFinalNewline = temp.write('no_newline.fastq', fastqText(few).slice(0, -1));
    expect((await readAll(noFinalNewline)).records).toEqual(few);
    const trailingBlanks = temp.write('trailing.fastq', `${fastqText(few)}\n\n\n\n\n\n`);
    expect((await readAll(trailingBlanks)).records).toEqual(few);
    expect((await readAll(trailingBlanks, 3)).records).toEqual(few);
    const bom = temp.write('bom.fastq', `\uFEFF${fastqText(few)}`);
    expect((await readAll(bom)).records).toEqual(few);
    const pbsimStyle = temp.write('plus_name.fastq', few.map(([h, s, q]) => `@${h}\n${s}\n+${h}\n${q}\n`).join(''));
    expect((await readAll(pbsimStyle)).records).toEqual(few);
  });

  it('accepts lowercase and IUPAC ambiguity letters, and quality lines starting with @', async () => {
    const unusual: Record3[] = [
      ['r1', 'acgtnRYKMSWBDHVU', '@@@@IIII!!!!~~~~'],
      ['r2', 'N', '@'],
    ];
    const path = temp.write('unusual.fastq', fastqText(unusual));
    expect((await readAll(path)).records).toEqual(unusual);
  });

  it('exposes read ids without the comment, and sequence/quality as byte views', async () => {
    const { batches } = await readAll(fixture('illumina_S1_L001_R1_001.fastq'));
    const first = batches[0]!;
    expect(first.readId(0)).toBe('A00123:8:H7LKJDSXX:1:1101:5943:1170');
    expect(first.header(0)).toBe('A00123:8:H7LKJDSXX:1:1101:5943:1170 1:N:0:ACGTACGT+TTGCAGCA');
    expect(first.sequence(0).length).toBe(151);
    expect(first.quality(0).toString('latin1')).toBe(first.qualityString(0));
    expect(first.recordNumber(0)).toBe(1);
  });

  it('computes SHA-256 of the raw file bytes (compressed bytes for gzip) in the same pass', async () => {
    const gz = temp.write('hash.fastq.gz', gzipSync(Buffer.from(fastqText(records))));
    for (const path of [plainPath, gz]) {
      const { reader } = await readAll(path, 100);
      expect(reader.sha256).toBe(createHash('sha256').update(readFileSync(path)).digest('hex'));
      expect(reader.rawBytesRead).toBe(statSync(path).size);
    }
  });

  it('cannot be iterated twice (a second pass needs a fresh open)', async () => {
    const { reader } = await readAll(plainPath);
    await expect(async () => {
      for await (const batch of reader) void batch;
    }).rejects.toThrow(/already being read/);
  });
});

describe('bounded memory', () => {
  it('hands out batches of at most a chunk plus one record while streaming a multi-MB file', async () => {
    // ~12 MB of 151 bp records, written in pieces so the test itself stays small in memory.
    const record = fastqText(illuminaRecords(1, 151));
    const block = record.repeat(2000);
    const parts: string[] = [];
    for (let i = 0; i < 17; i++) parts.push(block);
    const path = temp.write('big.fastq', parts.join(''));
    const size = statSync(path).size;
    expect(size).toBeGreaterThan(10 << 20);

    const chunkBytes = 64 << 10;
    const reader = await FastqReader.open(path, { chunkBytes });
    let largestBatchBuffer = 0;
    let reads = 0;
    for await (const batch of reader) {
      largestBatchBuffer = Math.max(largestBatchBuffer, batch.data.length);
      reads += batch.count;
    }
    expect(reads).toBe(34_000);
    // Every batch points into one decoded chunk (or a joined straddling record), never the file.
    expect(largestBatchBuffer).toBeLessThanOrEqual(chunkBytes + record.length);
  });
});
