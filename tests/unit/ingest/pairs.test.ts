/**
 * R1/R2 pairing by file-name convention, and the lockstep read-name check between mates.
 */
import { afterAll, describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import { findMateFiles, ingestFastqFiles } from '../../../engine/ingest/index.js';
import { fastqText, fixture, illuminaRecords, tempFolder, type Record3 } from './helpers.js';

const temp = tempFolder();
afterAll(() => temp.cleanup());

describe('finding mates by file name', () => {
  it.each([
    ['/runs/S1_L001_R1_001.fastq.gz', '/runs/S1_L001_R2_001.fastq.gz'],
    ['/runs/sample_R1.fq', '/runs/sample_R2.fq'],
    ['/sra/SRR1234567_1.fastq.gz', '/sra/SRR1234567_2.fastq.gz'],
    ['/x/reads.1.fq', '/x/reads.2.fq'],
    ['/x/lane_1_r1.fastq', '/x/lane_1_r2.fastq'],
  ])('pairs %s with %s', (r1, r2) => {
    expect(findMateFiles([r2, r1])).toEqual({ pairs: [{ r1, r2 }], unpaired: [] });
  });

  it.each([
    [['/x/patient-1.fq', '/x/patient-2.fq']],
    [['/a/s_R1.fq', '/b/s_R2.fq']],
    [['/x/sample_12.fq', '/x/sample_22.fq']],
    [['/x/only_R1.fq']],
    [['/x/a_R1.fq', '/x/b_R2.fq']],
  ])('leaves %j unpaired', (paths) => {
    expect(findMateFiles(paths)).toEqual({ pairs: [], unpaired: paths });
  });

  it('pairs several samples at once and keeps singletons', () => {
    const paths = ['/r/A_R1.fq', '/r/B_R2.fq', '/r/single.fq', '/r/B_R1.fq', '/r/A_R2.fq'];
    expect(findMateFiles(paths)).toEqual({
      pairs: [
        { r1: '/r/A_R1.fq', r2: '/r/A_R2.fq' },
        { r1: '/r/B_R1.fq', r2: '/r/B_R2.fq' },
      ],
      unpaired: ['/r/single.fq'],
    });
  });
});

describe('reading mates in lockstep', () => {
  it('checks every record of the fixture pair, sets mate/mateOf and keeps input order', async () => {
    const r1 = fixture('illumina_S1_L001_R1_001.fastq');
    const r2 = fixture('illumina_S1_L001_R2_001.fastq');
    const { files, pairs } = await ingestFastqFiles([r2, r1]);
    expect(pairs).toEqual([{ r1, r2, recordsCompared: 10, ok: true }]);
    expect(files.map((f) => [f.path, f.mate, f.mateOf])).toEqual([
      [r2, 2, r1],
      [r1, 1, r2],
    ]);
  });

  it('matches names with /1 and /2 suffixes (real NA12878 reads)', async () => {
    const { pairs } = await ingestFastqFiles([fixture('na12878_chr22_R1.fastq'), fixture('na12878_chr22_R2.fastq')]);
    expect(pairs[0]).toMatchObject({ recordsCompared: 10, ok: true });
  });

  it('compares correctly when the two files chunk differently (multi-MB gzip pair)', async () => {
    // R2 carries longer comments and no compression (despite its name), so its batches never
    // line up with R1's.
    const first = illuminaRecords(12_000, 151);
    const second: Record3[] = first.map(([h, s, q]) => [`${h.split(' ')[0]} 2:N:0:ACGTACGT+TTGCAGCA extra=${h.length}`, s, q]);
    const r1 = temp.write('big_R1.fastq.gz', gzipSync(Buffer.from(fastqText(first)), { level: 1 }));
    const r2 = temp.write('big_R2.fastq.gz', fastqText(second));
    const { pairs, files } = await ingestFastqFiles([r1, r2]);
    expect(pairs[0]).toMatchObject({ recordsCompared: 12_000, ok: true });
    expect(files.map((f) => [f.compression, f.qc.reads])).toEqual([
      ['gzip', 12_000],
      ['none', 12_000],
    ]);
  });

  it('reads unpaired files on their own alongside a pair', async () => {
    const { files, pairs } = await ingestFastqFiles([fixture('ont_r9.fastq'), fixture('na12878_chr22_R1.fastq'), fixture('na12878_chr22_R2.fastq')]);
    expect(pairs).toHaveLength(1);
    expect(files[0]).toMatchObject({ mate: null, mateOf: null });
  });
});
