/**
 * Shared helpers for the ingest tests: temp files, external tools (seqkit, bgzip, simulators)
 * and a deliberately naive reference QC written from the definitions (strings, sorting), so the
 * engine's streaming counts are checked against an independent computation.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { gzipSync } from 'node:zlib';
import { expect } from 'vitest';
import { IngestError } from '../../../engine/ingest/index.js';
import type { ErrorCode } from '../../../app/contract.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'fastq');
export const fixture = (name: string): string => join(FIXTURES, name);
export const NANOTEST_ONT = '/usr/share/doc/python3-nanoget/examples/nanotest/reads.fastq.gz';
export const MT_REFERENCE_GZ = '/usr/share/doc/minimap2/test/MT-human.fa.gz';

/** A temp folder removed by the returned cleanup; files are written into it by name. */
export function tempFolder(prefix = 'genomaic-ingest-'): { dir: string; write: (name: string, content: string | Buffer) => string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {
    dir,
    write: (name, content) => {
      const path = join(dir, name);
      writeFileSync(path, content);
      return path;
    },
    cleanup: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Whether a command-line tool is on PATH. */
export function hasTool(tool: string): boolean {
  try {
    execFileSync('sh', ['-c', `command -v ${tool}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function run(tool: string, args: string[], cwd?: string): string {
  return execFileSync(tool, args, { encoding: 'utf8', maxBuffer: 256 << 20, stdio: ['ignore', 'pipe', 'pipe'], ...(cwd ? { cwd } : {}) });
}

/** Explains a skipped tool-dependent test in the output rather than silently passing. */
export function skipMessage(tool: string): string {
  return `${tool} is not installed (CI installs it): skipped the comparison against ${tool}`;
}

/** Records as [header without '@', sequence, quality]. */
export type Record3 = [header: string, sequence: string, quality: string];

export function fastqText(records: Record3[], lineEnd = '\n'): string {
  return records.map(([h, s, q]) => `@${h}${lineEnd}${s}${lineEnd}+${lineEnd}${q}${lineEnd}`).join('');
}

/** A few well-formed Illumina-style records used as the base of the malformed-input cases. */
export function illuminaRecords(count: number, length = 20): Record3[] {
  const bases = 'ACGTTGCAAGCTNACGGTCA';
  const qualities = 'FFFF:FFF,FFFFF#FFF:F';
  const records: Record3[] = [];
  for (let i = 0; i < count; i++) {
    let sequence = '';
    let quality = '';
    for (let j = 0; j < length; j++) {
      sequence += bases[(i * 7 + j) % bases.length];
      quality += qualities[(i * 3 + j) % qualities.length];
    }
    records.push([`A00123:8:H7LKJDSXX:1:1101:${1000 + i}:${2000 + i} 1:N:0:ACGTACGT`, sequence, quality]);
  }
  return records;
}

/** Runs `action`, expecting an IngestError; returns its detail for field-by-field assertions. */
export async function expectIngestError(action: Promise<unknown>, code: ErrorCode): Promise<IngestError['detail']> {
  let caught: unknown;
  try {
    await action;
  } catch (error) {
    caught = error;
  }
  expect(caught, `expected an IngestError with code ${code}`).toBeInstanceOf(IngestError);
  const error = caught as IngestError;
  expect(error.detail.code).toBe(code);
  expect(error.message).toBe(error.detail.message);
  // Never a stack trace or a raw zlib code in what users read.
  expect(error.detail.message).not.toMatch(/\n\s+at |Z_[A-Z_]+ERROR/);
  return error.detail;
}

export function gzipText(text: string): Buffer {
  return gzipSync(Buffer.from(text));
}

/** Everything the reference QC computes, from the plain text of a FASTQ. */
export interface ReferenceQc {
  reads: number;
  bases: number;
  lengths: number[];
  meanQuality: number;
  qualityHistogram: number[];
  gcHistogram: number[];
  gcFraction: number;
  nRate: number;
  perCycle: { mean: number; q25: number; median: number; q75: number }[];
}

/** Straightforward QC over parsed strings: every value kept, sorted, counted. Slow, but obvious. */
export function referenceQc(text: string): ReferenceQc {
  const lines = text.replace(/\r/g, '').split('\n');
  const lengths: number[] = [];
  const qualityHistogram = new Array<number>(94).fill(0);
  const gcHistogram = new Array<number>(101).fill(0);
  const perCycleValues: number[][] = [];
  let phredSum = 0;
  let gc = 0;
  let n = 0;
  let bases = 0;
  for (let i = 0; i + 3 < lines.length; i += 4) {
    const sequence = lines[i + 1]!;
    const quality = lines[i + 3]!;
    lengths.push(sequence.length);
    bases += sequence.length;
    let readGc = 0;
    let readN = 0;
    for (let j = 0; j < sequence.length; j++) {
      const base = sequence[j]!.toUpperCase();
      if (base === 'G' || base === 'C') readGc++;
      if (base === 'N') readN++;
    }
    gc += readGc;
    n += readN;
    if (sequence.length - readN > 0) gcHistogram[Math.floor((100 * readGc) / (sequence.length - readN))]!++;
    for (let cycle = 0; cycle < quality.length; cycle++) {
      const phred = quality.charCodeAt(cycle) - 33;
      phredSum += phred;
      qualityHistogram[phred]!++;
      // Per-cycle values only where the engine reports them (short reads), to keep this cheap.
      if (cycle < 1000) (perCycleValues[cycle] ??= []).push(phred);
    }
  }
  const nearestRank = (sorted: number[], p: number): number => sorted[Math.max(1, Math.ceil(p * sorted.length)) - 1]!;
  return {
    reads: lengths.length,
    bases,
    lengths,
    meanQuality: phredSum / bases,
    qualityHistogram,
    gcHistogram,
    gcFraction: gc / (bases - n),
    nRate: n / bases,
    perCycle: perCycleValues.map((values) => {
      const sorted = [...values].sort((a, b) => a - b);
      return {
        mean: values.reduce((a, b) => a + b, 0) / values.length,
        q25: nearestRank(sorted, 0.25),
        median: nearestRank(sorted, 0.5),
        q75: nearestRank(sorted, 0.75),
      };
    }),
  };
}

/** `seqkit stats -a -T` as a map from column name to value (one file). */
export function seqkitStats(path: string): Record<string, string> {
  const [header, values] = run('seqkit', ['stats', '-a', '-T', path]).trim().split('\n');
  const names = header!.split('\t');
  const cells = values!.split('\t');
  return Object.fromEntries(names.map((name, i) => [name, cells[i]!]));
}

/** `seqkit fx2tab -n -l -g -B N`: per read [length, GC%, N%]. */
export function seqkitPerRead(path: string): { length: number; gcPercent: number; nPercent: number }[] {
  return run('seqkit', ['fx2tab', '-n', '-l', '-g', '-B', 'N', path])
    .trim()
    .split('\n')
    .map((line) => {
      const cells = line.split('\t');
      const last = cells.length - 1;
      return { length: Number(cells[last - 2]), gcPercent: Number(cells[last - 1]), nPercent: Number(cells[last]) };
    });
}
