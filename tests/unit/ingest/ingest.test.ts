/**
 * The job-facing behaviour of ingestFastqFiles: the report's file fields, progress (throttled,
 * with a final call), prompt cancellation, and peak memory that does not grow with file size.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { appendFileSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { ingestFastqFiles, type IngestProgress } from '../../../engine/ingest/index.js';
import { expectIngestError, fastqText, fixture, illuminaRecords, tempFolder } from './helpers.js';

const temp = tempFolder();
afterAll(() => temp.cleanup());
const HERE = dirname(fileURLToPath(import.meta.url));
const REPO = join(HERE, '..', '..', '..');

/** Writes `megabytes` of 151 bp records by appending one repeated block (cheap to make). */
function writeLargeFastq(name: string, megabytes: number): string {
  const block = fastqText(illuminaRecords(4000, 151));
  const path = join(temp.dir, name);
  writeFileSync(path, '');
  for (let written = 0; written < megabytes * 1e6; written += block.length) appendFileSync(path, block);
  return path;
}

describe('report fields', () => {
  it('names the file, its size, SHA-256 of its bytes and its compression', async () => {
    const path = temp.write('reads_R1.fastq.gz', gzipSync(readFileSync(fixture('illumina_S1_L001_R1_001.fastq'))));
    const { files, pairs } = await ingestFastqFiles([path]);
    expect(pairs).toEqual([]);
    expect(files[0]).toMatchObject({
      path,
      name: 'reads_R1.fastq.gz',
      sizeBytes: statSync(path).size,
      sha256: createHash('sha256').update(readFileSync(path)).digest('hex'),
      compression: 'gzip',
      platform: 'illumina',
      platformOverridden: false,
      mate: null,
      mateOf: null,
    });
  });
});

describe('progress and cancellation', () => {
  let large = '';
  let largeGz = '';
  beforeAll(() => {
    large = writeLargeFastq('large_R1.fastq', 40);
    largeGz = temp.write('large.fastq.gz', gzipSync(readFileSync(writeLargeFastq('medium.fastq', 12)), { level: 1 }));
  });

  it('reports progress at most ~10 times a second, then once at the end with every byte counted', async () => {
    const calls: { at: number; progress: IngestProgress }[] = [];
    const paths = [largeGz, fixture('ont_r9.fastq')];
    const { files } = await ingestFastqFiles(paths, { onProgress: (progress) => calls.push({ at: performance.now(), progress }) });
    const total = paths.reduce((sum, p) => sum + statSync(p).size, 0);
    const last = calls[calls.length - 1]!.progress;
    expect(last).toEqual({ bytesRead: total, bytesTotal: total, reads: files[0]!.qc.reads + files[1]!.qc.reads, currentFile: paths[1] });
    for (let i = 1; i < calls.length - 1; i++) {
      // 100 ms apart by the reporter's clock; a little less here if the callback itself was delayed.
      expect(calls[i]!.at - calls[i - 1]!.at).toBeGreaterThanOrEqual(80);
      expect(calls[i]!.progress.bytesRead).toBeGreaterThanOrEqual(calls[i - 1]!.progress.bytesRead);
      expect(calls[i]!.progress.reads).toBeGreaterThanOrEqual(calls[i - 1]!.progress.reads);
    }
    expect(calls.every((c) => c.progress.bytesTotal === total && paths.includes(c.progress.currentFile))).toBe(true);
  });

  it('rejects with cancelled within 0.5 s of an abort mid-file', async () => {
    const abort = new AbortController();
    let abortedAt = 0;
    const job = ingestFastqFiles([large], {
      signal: abort.signal,
      onProgress: () => {
        if (abortedAt === 0) {
          abortedAt = performance.now();
          abort.abort();
        }
      },
    });
    const detail = await expectIngestError(job, 'cancelled');
    expect(performance.now() - abortedAt).toBeLessThan(500);
    expect(detail.message).toBe('Ingest was cancelled.');
  });

  it('rejects with cancelled when aborted from outside while a pair is being read', async () => {
    const r2 = join(temp.dir, 'large_R2.fastq');
    execFileSync('cp', [large, r2]);
    const abort = new AbortController();
    const job = ingestFastqFiles([large, r2], { signal: abort.signal });
    setTimeout(() => abort.abort(), 30);
    const started = performance.now();
    await expectIngestError(job, 'cancelled');
    expect(performance.now() - started).toBeLessThan(530);
  });

  it('rejects at once when the signal is already aborted', async () => {
    await expectIngestError(ingestFastqFiles([large], { signal: AbortSignal.abort() }), 'cancelled');
  });
});

describe('bounded memory', () => {
  it('peaks at about the same RSS for a 12 MB and a 120 MB file (measured in child processes)', () => {
    const probe = join(HERE, 'rss-probe.ts');
    const peak = (path: string): { reads: number; maxRssBytes: number } =>
      JSON.parse(execFileSync(process.execPath, ['--import', 'tsx', probe, path], { cwd: REPO, encoding: 'utf8' })) as {
        reads: number;
        maxRssBytes: number;
      };
    const small = peak(writeLargeFastq('rss_small.fastq', 12));
    const big = peak(writeLargeFastq('rss_big.fastq', 120));
    expect(big.reads).toBeGreaterThan(9 * small.reads);
    // Holding the file (or anything proportional to it) would add 108 MB; GC slack adds some tens.
    expect(big.maxRssBytes - small.maxRssBytes).toBeLessThan(60 << 20);
  });
});
