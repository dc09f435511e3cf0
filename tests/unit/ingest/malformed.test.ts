/**
 * Every malformed input a user can hand us, one test each: the code the UI branches on, the file,
 * the record and line a person would open the file at, and the exact message they read.
 * Inputs are built inline from well-formed records so each test shows its one fault.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { join } from 'node:path';
import { mkdirSync } from 'node:fs';
import { FastqReader, ingestFastqFiles } from '../../../engine/ingest/index.js';
import { expectIngestError, fastqText, illuminaRecords, tempFolder, type Record3 } from './helpers.js';

const temp = tempFolder();
afterAll(() => temp.cleanup());

/** Four good records (20 bp) with one fault applied by `edit` to the text. */
function withFault(edit: (records: Record3[]) => string): string {
  return edit(illuminaRecords(6));
}

describe('file-level faults', () => {
  it('reports a missing file as file-not-found, naming the path', async () => {
    const path = join(temp.dir, 'nowhere_R1.fastq.gz');
    const detail = await expectIngestError(ingestFastqFiles([path]), 'file-not-found');
    expect(detail.file).toBe(path);
    expect(detail.message).toBe(`nowhere_R1.fastq.gz: no such file: ${path}`);
    expect(detail.record).toBeUndefined();
  });

  it('reports a folder given as a file as file-unreadable', async () => {
    const path = join(temp.dir, 'a_folder.fastq');
    mkdirSync(path);
    const detail = await expectIngestError(ingestFastqFiles([path]), 'file-unreadable');
    expect(detail).toMatchObject({ file: path, message: 'a_folder.fastq: is a folder, not a FASTQ file' });
  });

  it('reports a 0-byte file as empty-file', async () => {
    const path = temp.write('empty.fastq', '');
    const detail = await expectIngestError(ingestFastqFiles([path]), 'empty-file');
    expect(detail).toMatchObject({ file: path, message: 'empty.fastq: the file is empty (0 bytes)' });
  });

  it('reports a gzip file holding nothing as empty-file', async () => {
    const path = temp.write('empty.fastq.gz', gzipSync(Buffer.alloc(0)));
    const detail = await expectIngestError(ingestFastqFiles([path]), 'empty-file');
    expect(detail.message).toBe('empty.fastq.gz: contains no reads (the decompressed content is empty)');
  });

  it('reports a file of blank lines as empty-file', async () => {
    const path = temp.write('blank.fastq', '\n\n\r\n\n');
    const detail = await expectIngestError(ingestFastqFiles([path]), 'empty-file');
    expect(detail.message).toBe('blank.fastq: contains no reads (only blank lines)');
  });

  it('reports a gzip file cut short as truncated-gzip', async () => {
    const whole = gzipSync(Buffer.from(fastqText(illuminaRecords(400, 100))));
    const path = temp.write('cut_R1.fastq.gz', whole.subarray(0, Math.floor(whole.length / 2)));
    const detail = await expectIngestError(ingestFastqFiles([path]), 'truncated-gzip');
    expect(detail.file).toBe(path);
    expect(detail.message).toBe('cut_R1.fastq.gz: the gzip data ends abruptly: the file is truncated (an incomplete download or copy?)');
  });

  it('reports damaged gzip data as corrupt-gzip, even when the damage first shows as garbage text', async () => {
    const whole = gzipSync(Buffer.from(fastqText(illuminaRecords(400, 100))));
    const damaged = Buffer.from(whole);
    for (let i = 200; i < 260; i++) damaged[i] = damaged[i]! ^ 0x5a;
    const path = temp.write('damaged.fastq.gz', damaged);
    const detail = await expectIngestError(ingestFastqFiles([path]), 'corrupt-gzip');
    expect(detail.file).toBe(path);
    expect(detail.message).toMatch(/^damaged\.fastq\.gz: the gzip data is corrupt \(.+\); the file is damaged$/);
  });

  // Stored (level 0) deflate blocks hold the text verbatim, so a flipped byte decodes to
  // plausible text; only the gzip checksum at the end (3 MB later) shows the file is damaged.
  it.each([
    ['a sequence letter (QC check)', 'ACGTTGC', 'ACGTXGC'],
    ["the '+' line (reader check)", '\n+\n', '\n-\n'],
  ])('reports damage to %s that decodes to text as corrupt-gzip, not a record fault', async (_what, from, to) => {
    const stored = gzipSync(Buffer.from(fastqText(illuminaRecords(30_000))), { level: 0 });
    const at = stored.indexOf(from, 400);
    expect(at).toBeGreaterThan(0);
    stored.write(to, at, 'latin1');
    const path = temp.write('stored.fastq.gz', stored);
    const detail = await expectIngestError(ingestFastqFiles([path]), 'corrupt-gzip');
    expect(detail.message).toBe('stored.fastq.gz: the gzip data is corrupt (incorrect data check); the file is damaged');
  });

  // Whether zlib's checksum error or the name mismatch surfaces first depends on how far R2's
  // inflate has run ahead; either way the report must be the corruption.
  it('reports a garbled mate name in damaged gzip as corrupt-gzip, not a pair mismatch', async () => {
    const records = illuminaRecords(30_000);
    const r1 = temp.write('garbled_R1.fastq', fastqText(records));
    const stored = gzipSync(Buffer.from(fastqText(records)), { level: 0 });
    stored.write('9', stored.indexOf(':1020:2020'), 'latin1');
    const r2 = temp.write('garbled_R2.fastq.gz', stored);
    const detail = await expectIngestError(ingestFastqFiles([r1, r2]), 'corrupt-gzip');
    expect(detail.file).toBe(r2);
  });

  it('reports a gzip header followed by garbage as corrupt-gzip', async () => {
    const path = temp.write('header_only.fastq.gz', Buffer.concat([Buffer.from([0x1f, 0x8b, 0x08, 0xff]), Buffer.from('not deflate at all')]));
    const detail = await expectIngestError(ingestFastqFiles([path]), 'corrupt-gzip');
    expect(detail.message).toMatch(/^header_only\.fastq\.gz: the gzip data is corrupt/);
  });

  it('reports NUL bytes as binary-file', async () => {
    const path = temp.write('image.fastq', Buffer.concat([Buffer.from('@r1\nAC'), Buffer.alloc(64), Buffer.from('\n+\nII\n')]));
    const detail = await expectIngestError(ingestFastqFiles([path]), 'binary-file');
    expect(detail.message).toBe('image.fastq: contains binary data (a NUL byte at byte 7 of the content), not FASTQ text');
  });

  it('reports a BAM file (gzip of binary alignments) as binary-file', async () => {
    const bam = gzipSync(Buffer.concat([Buffer.from('BAM\u0001'), Buffer.from([0x20, 0, 0, 0]), Buffer.from('@HD\tVN:1.6\n')]));
    const path = temp.write('sample.fastq.gz', bam);
    const detail = await expectIngestError(ingestFastqFiles([path]), 'binary-file');
    expect(detail.message).toBe('sample.fastq.gz: is a BAM file (binary alignments), not FASTQ; `samtools fastq` converts it');
  });

  it('reports gzip of random bytes as binary-file', async () => {
    const noise = Buffer.alloc(4096);
    for (let i = 0; i < noise.length; i++) noise[i] = (i * 7919 + 13) % 251;
    noise[0] = 0x40; // starts like FASTQ, but is not text
    const path = temp.write('noise.fq.gz', gzipSync(noise));
    await expectIngestError(ingestFastqFiles([path]), 'binary-file');
  });

  it('reports bzip2 input as unsupported, saying how to fix it', async () => {
    const path = temp.write('reads.fastq.bz2', Buffer.from('BZh91AY&SY\u0000\u0000'));
    const detail = await expectIngestError(ingestFastqFiles([path]), 'unsupported');
    expect(detail.message).toBe('reads.fastq.bz2: is compressed with bzip2, which is not supported; recompress it with gzip or bgzip');
  });

  it('reports FASTA as not-fastq', async () => {
    const path = temp.write('genome.fastq', '>chr1 test\nACGTACGT\nACGT\n');
    const detail = await expectIngestError(ingestFastqFiles([path]), 'not-fastq');
    expect(detail).toMatchObject({ file: path, record: 1, line: 1 });
    expect(detail.message).toBe("genome.fastq: record 1 (line 1): looks like FASTA ('>chr1 test'); FASTQ with base qualities is needed");
  });

  it('reports text that does not start with @ as not-fastq', async () => {
    const path = temp.write('notes.fastq', 'sample sheet\nlane 1\n');
    const detail = await expectIngestError(ingestFastqFiles([path]), 'not-fastq');
    expect(detail.message).toBe("notes.fastq: record 1 (line 1): is not FASTQ: the first line should start with '@' but is 'sample sheet'");
  });

  it('reports SAM text as not-fastq even though it starts with @', async () => {
    const path = temp.write('aligned.fastq', '@HD\tVN:1.6\tSO:coordinate\n@SQ\tSN:chr1\tLN:100\n');
    const detail = await expectIngestError(ingestFastqFiles([path]), 'not-fastq');
    expect(detail.message).toBe('aligned.fastq: record 1 (line 1): looks like SAM (alignments), not FASTQ; `samtools fastq` converts it');
  });
});

describe('record-level faults', () => {
  it('reports a header line without @ mid-file as missing-header, with its record and line', async () => {
    const text = withFault((records) => fastqText(records.slice(0, 2)) + fastqText(records.slice(2)).slice(1));
    const path = temp.write('reads_R1.fastq', text);
    const detail = await expectIngestError(ingestFastqFiles([path]), 'missing-header');
    expect(detail).toMatchObject({ file: path, record: 3, line: 9 });
    expect(detail.message).toBe(
      "reads_R1.fastq: record 3 (line 9): expected a header line starting with '@' but found 'A00123:8:H7LKJDSXX:1:1101:1002:2002 1:N:0:ACGTACGT'",
    );
  });

  it('reports a blank line between records as missing-header', async () => {
    const records = illuminaRecords(4);
    const path = temp.write('gap.fastq', `${fastqText(records.slice(0, 2))}\n${fastqText(records.slice(2))}`);
    const detail = await expectIngestError(ingestFastqFiles([path]), 'missing-header');
    expect(detail).toMatchObject({ record: 3, line: 9 });
    expect(detail.message).toBe("gap.fastq: record 3 (line 9): expected a header line starting with '@' but found a blank line");
  });

  it("reports a missing '+' line as missing-plus", async () => {
    const records = illuminaRecords(4);
    const broken = fastqText(records).split('\n');
    broken[6] = '-';
    const path = temp.write('noplus.fastq', broken.join('\n'));
    const detail = await expectIngestError(ingestFastqFiles([path]), 'missing-plus');
    expect(detail).toMatchObject({ record: 2, line: 7 });
    expect(detail.message).toBe(
      "noplus.fastq: record 2 (line 7): expected the '+' separator line after the sequence but found '-' (wrapped multi-line FASTQ is not supported)",
    );
  });

  it('reports wrapped (multi-line) FASTQ as missing-plus on the first record', async () => {
    const path = temp.write('wrapped.fastq', '@r1\nACGTACGT\nACGT\n+\nIIIIIIII\nIIII\n');
    const detail = await expectIngestError(ingestFastqFiles([path]), 'missing-plus');
    expect(detail).toMatchObject({ record: 1, line: 3 });
  });

  it('reports a file ending after a sequence line as truncated-record', async () => {
    const records = illuminaRecords(4);
    const text = fastqText(records.slice(0, 3)) + `@${records[3]![0]}\n${records[3]![1]}\n`;
    const path = temp.write('short.fastq', text);
    const detail = await expectIngestError(ingestFastqFiles([path]), 'truncated-record');
    expect(detail).toMatchObject({ file: path, record: 4, line: 14 });
    expect(detail.message).toBe(
      "short.fastq: record 4 (line 14): the file ends in the middle of a record: only 2 of its 4 lines are present (the '+' and quality lines are missing); the file looks truncated",
    );
  });

  it('reports a file ending inside the last quality line as truncated-record', async () => {
    const text = fastqText(illuminaRecords(3)).slice(0, -6);
    const path = temp.write('cut.fastq', text);
    const detail = await expectIngestError(ingestFastqFiles([path]), 'truncated-record');
    expect(detail).toMatchObject({ record: 3, line: 12 });
    expect(detail.message).toBe('cut.fastq: record 3 (line 12): the file ends in the middle of the quality line (15 of 20 characters); the file looks truncated');
  });

  it('reports a truncated record inside gzip the same way (the gzip itself is intact)', async () => {
    const text = fastqText(illuminaRecords(3)).slice(0, -30);
    const path = temp.write('cut.fastq.gz', gzipSync(Buffer.from(text)));
    const detail = await expectIngestError(ingestFastqFiles([path]), 'truncated-record');
    expect(detail).toMatchObject({ record: 3, line: 10 });
    expect(detail.message).toContain('only 2 of its 4 lines are present');
  });

  it('reports a quality line shorter than its sequence as length-mismatch', async () => {
    const records = illuminaRecords(6, 151);
    records[4]![2] = records[4]![2].slice(0, 150);
    const path = temp.write('reads_R1.fastq.gz', gzipSync(Buffer.from(fastqText(records))));
    const detail = await expectIngestError(ingestFastqFiles([path]), 'length-mismatch');
    expect(detail).toMatchObject({ file: path, record: 5, line: 20 });
    expect(detail.message).toBe('reads_R1.fastq.gz: record 5 (line 20): sequence is 151 bases but quality is 150 characters');
  });

  it('reports a quality line longer than its sequence as length-mismatch', async () => {
    const records = illuminaRecords(3);
    records[1]![2] += 'FF';
    const path = temp.write('long_qual.fastq', fastqText(records));
    const detail = await expectIngestError(ingestFastqFiles([path]), 'length-mismatch');
    expect(detail.message).toBe('long_qual.fastq: record 2 (line 8): sequence is 20 bases but quality is 22 characters');
  });

  it('reports a quality character below ! as quality-out-of-range', async () => {
    const records = illuminaRecords(3);
    records[1]![2] = `${records[1]![2].slice(0, 4)} ${records[1]![2].slice(5)}`;
    const path = temp.write('space.fastq', fastqText(records));
    const detail = await expectIngestError(ingestFastqFiles([path]), 'quality-out-of-range');
    expect(detail).toMatchObject({ record: 2, line: 8 });
    expect(detail.message).toBe("space.fastq: record 2 (line 8): quality has a space (code 32) at position 5, outside '!'..'~' (Phred+33, Q0..Q93)");
  });

  it('reports a non-ASCII quality byte as quality-out-of-range', async () => {
    const text = Buffer.from(fastqText(illuminaRecords(2)));
    text[text.length - 3] = 0xc3;
    const path = temp.write('latin.fastq', text);
    const detail = await expectIngestError(ingestFastqFiles([path]), 'quality-out-of-range');
    expect(detail.message).toBe("latin.fastq: record 2 (line 8): quality has byte 0xC3 (code 195) at position 19, outside '!'..'~' (Phred+33, Q0..Q93)");
  });

  it('reports a non-IUPAC sequence letter as invalid-sequence', async () => {
    const records = illuminaRecords(4);
    records[2]![1] = `${records[2]![1].slice(0, 6)}X${records[2]![1].slice(7)}`;
    const path = temp.write('letters.fastq', fastqText(records));
    const detail = await expectIngestError(ingestFastqFiles([path]), 'invalid-sequence');
    expect(detail).toMatchObject({ file: path, record: 3, line: 10 });
    expect(detail.message).toBe("letters.fastq: record 3 (line 10): sequence has 'X' at position 7, which is not an IUPAC nucleotide letter");
  });

  it('reports a gap character in the sequence as invalid-sequence (IUPAC letters only)', async () => {
    const records = illuminaRecords(2);
    records[0]![1] = `-${records[0]![1].slice(1)}`;
    const path = temp.write('gap_char.fastq', fastqText(records));
    const detail = await expectIngestError(ingestFastqFiles([path]), 'invalid-sequence');
    expect(detail.message).toBe("gap_char.fastq: record 1 (line 2): sequence has '-' at position 1, which is not an IUPAC nucleotide letter");
  });

  it('finds the same faults through the reader with validation on (the path the aligner uses)', async () => {
    const records = illuminaRecords(4);
    records[2]![1] = `${records[2]![1].slice(0, 6)}X${records[2]![1].slice(7)}`;
    const path = temp.write('reader_letters.fastq', fastqText(records));
    const reader = await FastqReader.open(path);
    const detail = await expectIngestError(
      (async () => {
        for await (const batch of reader) void batch;
      })(),
      'invalid-sequence',
    );
    expect(detail).toMatchObject({ record: 3, line: 10 });
  });
});

describe('pair faults', () => {
  it('reports differing mate names as pair-name-mismatch, naming the record and both names', async () => {
    const first = illuminaRecords(6);
    const second: Record3[] = first.map(([h, s, q]) => [h.replace(' 1:N', ' 2:N'), s, q]);
    second[3]![0] = 'A00123:8:H7LKJDSXX:1:1101:9999:9999 2:N:0:ACGTACGT';
    const r1 = temp.write('mm_R1.fastq', fastqText(first));
    const r2 = temp.write('mm_R2.fastq', fastqText(second));
    const detail = await expectIngestError(ingestFastqFiles([r1, r2]), 'pair-name-mismatch');
    expect(detail).toMatchObject({ file: r2, record: 4, line: 13 });
    expect(detail.message).toBe(
      "mm_R2.fastq: record 4 (line 13): read name 'A00123:8:H7LKJDSXX:1:1101:9999:9999' does not match its mate " +
        "'A00123:8:H7LKJDSXX:1:1101:1003:2003' (record 4 of mm_R1.fastq); the two files must list the same reads in the same order",
    );
  });

  it('reports mates with different read counts as pair-count-mismatch, with both counts', async () => {
    const first = illuminaRecords(6);
    const r1 = temp.write('count_R1.fastq', fastqText(first));
    const r2 = temp.write('count_R2.fastq', fastqText(first.slice(0, 5)));
    const detail = await expectIngestError(ingestFastqFiles([r1, r2]), 'pair-count-mismatch');
    expect(detail).toMatchObject({ file: r1, record: 6, line: 21 });
    expect(detail.message).toBe(
      'count_R1.fastq: record 6 (line 21): this read has no mate: count_R2.fastq has 5 reads but count_R1.fastq has 6; mate files must hold the same number of reads',
    );
  });

  it('reports the count mismatch when R2 is the longer file, too', async () => {
    const first = illuminaRecords(6);
    const r1 = temp.write('few_R1.fastq', fastqText(first.slice(0, 2)));
    const r2 = temp.write('few_R2.fastq', fastqText(first));
    const detail = await expectIngestError(ingestFastqFiles([r1, r2]), 'pair-count-mismatch');
    expect(detail).toMatchObject({ file: r2, record: 3, line: 9 });
    expect(detail.message).toContain('few_R1.fastq has 2 reads but few_R2.fastq has 6');
  });
});

describe('bad requests', () => {
  it('refuses an empty list and a file given twice', async () => {
    await expectIngestError(ingestFastqFiles([]), 'invalid-request');
    const path = temp.write('twice.fastq', fastqText(illuminaRecords(1)));
    await expectIngestError(ingestFastqFiles([path, path]), 'invalid-request');
  });

  it('refuses a detectionReads that is not a positive whole number', async () => {
    const path = temp.write('ok.fastq', fastqText(illuminaRecords(1)));
    await expectIngestError(ingestFastqFiles([path], { detectionReads: 0 }), 'invalid-request');
    await expectIngestError(ingestFastqFiles([path], { detectionReads: 2.5 }), 'invalid-request');
  });
});
