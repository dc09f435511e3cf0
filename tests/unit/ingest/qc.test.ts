/**
 * QC figures checked against independent computations on the same files: seqkit (what users
 * run today) for counts, lengths, N50, Q20/Q30 and GC, and the naive reference in helpers.ts for
 * what seqkit does not report (mean Phred, histograms, per-cycle quartiles).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync, gzipSync } from 'node:zlib';
import type { InputFileReport, QcReport } from '../../../app/contract.js';
import { ingestFastqFiles, lengthBinWidth, PER_CYCLE_MAX_CYCLES } from '../../../engine/ingest/index.js';
import {
  fastqText,
  fixture,
  hasTool,
  MT_REFERENCE_GZ,
  NANOTEST_ONT,
  referenceQc,
  run,
  seqkitPerRead,
  seqkitStats,
  skipMessage,
  tempFolder,
  type Record3,
} from './helpers.js';

const temp = tempFolder();
afterAll(() => temp.cleanup());
const SEQKIT = hasTool('seqkit');
const ART = hasTool('art_illumina');

async function qcOf(path: string): Promise<QcReport> {
  const { files } = await ingestFastqFiles([path]);
  return files[0]!.qc;
}

function textOf(path: string): string {
  const raw = readFileSync(path);
  return (raw[0] === 0x1f && raw[1] === 0x8b ? gunzipSync(raw) : raw).toString('latin1');
}

/** Trimmed-looking reads: lengths 30..151, some Ns, lowercase: the awkward cases in one file. */
function variableLengthRecords(count: number): Record3[] {
  let state = 12345;
  const random = (): number => {
    state = (state * 1103515245 + 12345) % 2147483648;
    return state / 2147483648;
  };
  const records: Record3[] = [];
  for (let i = 0; i < count; i++) {
    const length = 30 + Math.floor(random() * 122);
    let sequence = '';
    let quality = '';
    for (let j = 0; j < length; j++) {
      const r = random();
      sequence += r < 0.01 ? 'N' : r < 0.02 ? 'g' : 'ACGTTGCA'[Math.floor(random() * 8)];
      quality += String.fromCharCode(33 + (r < 0.01 ? 2 : Math.floor(random() * 42)));
    }
    records.push([`trim${i}`, sequence, quality]);
  }
  return records;
}

/** Checks one report against seqkit (when present) and the reference implementation. */
function checkAgainstIndependent(path: string, qc: QcReport, options: { perReadGcFromSeqkit: boolean }): void {
  const reference = referenceQc(textOf(path));
  expect(qc.reads).toBe(reference.reads);
  expect(qc.bases).toBe(reference.bases);
  expect(qc.meanQuality).toBeCloseTo(reference.meanQuality, 9);
  expect(qc.qualityHistogram).toEqual({ start: 0, width: 1, counts: reference.qualityHistogram });
  expect(qc.gcHistogram.counts).toEqual(reference.gcHistogram);
  expect(qc.gcFraction).toBeCloseTo(reference.gcFraction, 12);
  expect(qc.nRate).toBeCloseTo(reference.nRate, 12);
  // Length histogram: every read in the bin its length belongs to.
  const { start, width, counts } = qc.lengthHistogram;
  const expectedBins = new Array<number>(counts.length).fill(0);
  for (const length of reference.lengths) expectedBins[Math.floor((length - start) / width)]!++;
  expect(counts).toEqual(expectedBins);
  expect(counts.length).toBeLessThanOrEqual(100);

  if (!SEQKIT) {
    console.warn(skipMessage('seqkit'));
    return;
  }
  const stats = seqkitStats(path);
  expect(qc.reads).toBe(Number(stats.num_seqs));
  expect(qc.bases).toBe(Number(stats.sum_len));
  expect(qc.minLength).toBe(Number(stats.min_len));
  expect(qc.maxLength).toBe(Number(stats.max_len));
  expect(qc.meanLength.toFixed(1)).toBe(Number(stats.avg_len).toFixed(1));
  expect(qc.n50).toBe(Number(stats.N50));
  expect((qc.q20Fraction * 100).toFixed(2)).toBe(Number(stats['Q20(%)']).toFixed(2));
  expect((qc.q30Fraction * 100).toFixed(2)).toBe(Number(stats['Q30(%)']).toFixed(2));
  // seqkit's GC is over all bases, ours over called (non-N) bases.
  expect((qc.gcFraction * (1 - qc.nRate) * 100).toFixed(2)).toBe(Number(stats['GC(%)']).toFixed(2));
  if (options.perReadGcFromSeqkit) {
    // Per-read GC from seqkit's 2-decimal percentages (exact enough for reads < 10 kb).
    const gcBins = new Array<number>(101).fill(0);
    for (const read of seqkitPerRead(path)) {
      const gc = Math.round((read.gcPercent * read.length) / 100);
      const n = Math.round((read.nPercent * read.length) / 100);
      if (read.length - n > 0) gcBins[Math.floor((100 * gc) / (read.length - n))]!++;
    }
    expect(qc.gcHistogram.counts).toEqual(gcBins);
  }
}

describe('QC against seqkit and a reference computation', () => {
  it.each([
    'illumina_S1_L001_R1_001.fastq',
    'na12878_chr22_R2.fastq',
    'hifi_ccs.fastq',
    'ont_r9.fastq',
  ])('matches on fixture %s', async (name) => {
    const path = fixture(name);
    checkAgainstIndependent(path, await qcOf(path), { perReadGcFromSeqkit: true });
  });

  it('matches on variable-length reads with Ns and lowercase, gzipped', async () => {
    const path = temp.write('trimmed.fastq.gz', gzipSync(Buffer.from(fastqText(variableLengthRecords(3000)))));
    const qc = await qcOf(path);
    expect(qc.nRate).toBeGreaterThan(0);
    checkAgainstIndependent(path, qc, { perReadGcFromSeqkit: true });
  });

  it('matches on real ONT reads (nanoget example: 371 reads up to 393 kb)', async () => {
    if (!existsSync(NANOTEST_ONT)) {
      console.warn(`${NANOTEST_ONT} is absent (python3-nanoget-examples): skipped`);
      return;
    }
    const qc = await qcOf(NANOTEST_ONT);
    checkAgainstIndependent(NANOTEST_ONT, qc, { perReadGcFromSeqkit: false });
    expect(qc.perCycleQuality).toBeNull();
    expect(qc.lengthHistogram.width).toBe(5000);
    // Figures seqkit 2.3 prints for this file (kept literally so the test fails if either side drifts).
    expect(qc).toMatchObject({ reads: 371, bases: 8_611_871, minLength: 212, maxLength: 393_431, n50: 60_395 });
  });

  it('matches on ART-simulated Illumina reads', async () => {
    if (!ART) {
      console.warn(skipMessage('art_illumina'));
      return;
    }
    const reference = join(temp.dir, 'mt.fa');
    execFileSync('sh', ['-c', `gzip -dc ${MT_REFERENCE_GZ} > ${reference}`]);
    run('art_illumina', ['-ss', 'HS25', '-i', reference, '-p', '-l', '150', '-f', '20', '-m', '400', '-s', '50', '-rs', '1', '-na', '-o', join(temp.dir, 'art_R')]);
    const path = join(temp.dir, 'art_R1.fq');
    checkAgainstIndependent(path, await qcOf(path), { perReadGcFromSeqkit: true });
  });
});

describe('per-cycle quality', () => {
  it('gives mean and nearest-rank quartiles per cycle, matching the sorted-values computation', async () => {
    const path = temp.write('cycles.fastq', fastqText(variableLengthRecords(500)));
    const qc = await qcOf(path);
    const reference = referenceQc(textOf(path));
    expect(qc.perCycleQuality).not.toBeNull();
    expect(qc.perCycleQuality!.length).toBe(reference.perCycle.length);
    qc.perCycleQuality!.forEach((cycle, i) => {
      const expected = reference.perCycle[i]!;
      expect(cycle.cycle).toBe(i + 1);
      expect(cycle.mean).toBeCloseTo(expected.mean, 9);
      expect([cycle.q25, cycle.median, cycle.q75]).toEqual([expected.q25, expected.median, expected.q75]);
    });
  });

  it('is null for long reads, and stops once any read exceeds the cycle cap', async () => {
    const long: Record3[] = [
      ['short', 'ACGT'.repeat(25), 'I'.repeat(100)],
      ['long', 'ACGT'.repeat(300), '5'.repeat(1200)],
    ];
    expect(1200).toBeGreaterThan(PER_CYCLE_MAX_CYCLES);
    const qc = await qcOf(temp.write('mixed_long.fastq', fastqText(long)));
    expect(qc.perCycleQuality).toBeNull();
    // The qualities counted per cycle before the long read still reach the histogram.
    expect(qc.qualityHistogram.counts[40]).toBe(100);
    expect(qc.qualityHistogram.counts[20]).toBe(1200);
  });
});

describe('histogram shapes', () => {
  it('uses 1 bp length bins for short reads and wider nice bins for long ones, never over 100 bins', () => {
    expect(lengthBinWidth(151, 151)).toBe(1);
    expect(lengthBinWidth(35, 134)).toBe(1);
    expect(lengthBinWidth(35, 151)).toBe(2);
    expect(lengthBinWidth(212, 393_431)).toBe(5000);
    expect(lengthBinWidth(1, 4_000_000)).toBe(50_000);
  });

  it('keeps 101 GC bins with 100% GC in the last one, and 94 quality bins', async () => {
    const qc = await qcOf(temp.write('gc.fastq', fastqText([['a', 'GGCC', '!!~~'], ['b', 'ATAT', 'IIII'], ['c', 'NNNN', '####']])));
    expect(qc.gcHistogram.counts).toHaveLength(101);
    expect(qc.gcHistogram.counts[100]).toBe(1);
    expect(qc.gcHistogram.counts[0]).toBe(1);
    // The all-N read has no GC content and is left out of the GC histogram.
    expect(qc.gcHistogram.counts.reduce((a, b) => a + b, 0)).toBe(2);
    expect(qc.qualityHistogram.counts).toHaveLength(94);
    expect(qc.qualityHistogram.counts[93]).toBe(2);
    expect(qc.nRate).toBeCloseTo(4 / 12, 12);
  });
});

describe('compressed input gives the same report as plain input', () => {
  let plain = '';
  let reportOfPlain: InputFileReport;
  beforeAll(async () => {
    plain = temp.write('same.fastq', fastqText(variableLengthRecords(4000)));
    reportOfPlain = (await ingestFastqFiles([plain])).files[0]!;
  });

  const withoutFileFields = (report: InputFileReport): Partial<InputFileReport> => {
    const { path: _path, name: _name, sizeBytes: _size, sha256: _sha, compression: _compression, ...rest } = report;
    return rest;
  };

  it('bgzip (from htslib) is detected from its magic bytes and reads the same', async () => {
    if (!hasTool('bgzip')) {
      console.warn(skipMessage('bgzip'));
      return;
    }
    const copy = join(temp.dir, 'same_bgzip.fastq');
    copyFileSync(plain, copy);
    run('bgzip', ['-f', copy]);
    // Renamed to .txt: detection must come from the bytes, not the extension.
    const renamed = join(temp.dir, 'same_bgzip.txt');
    execFileSync('mv', [`${copy}.gz`, renamed]);
    const report = (await ingestFastqFiles([renamed])).files[0]!;
    expect(report.compression).toBe('bgzip');
    expect(withoutFileFields(report)).toEqual(withoutFileFields(reportOfPlain));
  });

  it('multi-member gzip (concatenated members) is gzip and reads the same', async () => {
    const text = readFileSync(plain);
    const cut = text.indexOf('\n@', Math.floor(text.length / 2)) + 1;
    const path = temp.write('members.fastq.gz', Buffer.concat([gzipSync(text.subarray(0, cut)), gzipSync(text.subarray(cut))]));
    const report = (await ingestFastqFiles([path])).files[0]!;
    expect(report.compression).toBe('gzip');
    expect(withoutFileFields(report)).toEqual(withoutFileFields(reportOfPlain));
  });

  it('a plain file named .gz is read as plain', async () => {
    const path = temp.write('not_really.fastq.gz', readFileSync(plain));
    const report = (await ingestFastqFiles([path])).files[0]!;
    expect(report.compression).toBe('none');
    expect(report.qc).toEqual(reportOfPlain.qc);
  });
});
