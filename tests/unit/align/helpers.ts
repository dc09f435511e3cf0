/** Shared helpers of the align tests: temp folders, samtools, seeded synthetic reads. */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { seededRandom } from '../../../engine/util/seeded-random.js';

export const FIXTURES = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'fixtures', 'align');

/** A fresh folder with copies of the named fixtures (the reference layer and index cache write beside the FASTA). */
export function workspace(...fixtures: string[]): string {
  const dir = mkdtempSync(join(tmpdir(), 'genomaic-align-'));
  for (const name of fixtures) copyFileSync(join(FIXTURES, name), join(dir, name));
  return dir;
}

export function samtools(...args: string[]): string {
  return execFileSync('samtools', args, { encoding: 'utf8', maxBuffer: 64 << 20 });
}

/** Sequence of the first contig of a FASTA (uppercase). */
export function fastaSequence(path: string): string {
  return readFileSync(path, 'utf8').split('\n').filter((l) => !l.startsWith('>')).join('').toUpperCase();
}

/** The shared seeded generator, so synthetic reads are the same on every run. */
export { seededRandom } from '../../../engine/util/seeded-random.js';

const COMPLEMENT: Record<string, string> = { A: 'T', C: 'G', G: 'C', T: 'A', N: 'N' };
export function reverseComplement(s: string): string {
  let out = '';
  for (let i = s.length - 1; i >= 0; i--) out += COMPLEMENT[s[i]!] ?? 'N';
  return out;
}

/** Copies `source` with substitutions, insertions and deletions at `errorRate` (split evenly). */
export function mutate(source: string, errorRate: number, random: () => number): string {
  let out = '';
  for (const base of source) {
    const x = random();
    if (x < errorRate / 3) out += 'ACGT'[(('ACGT'.indexOf(base) + 1 + Math.floor(random() * 3)) % 4)]!;
    else if (x < (2 * errorRate) / 3) continue;
    else if (x < errorRate) out += base + 'ACGT'[Math.floor(random() * 4)]!;
    else out += base;
  }
  return out;
}

export interface SyntheticRead {
  name: string;
  sequence: string;
  /** 0-based origin on the reference and strand. */
  origin: number;
  reverse: boolean;
}

export function writeFastq(path: string, reads: { name: string; sequence: string }[], quality = 'I'): void {
  writeFileSync(path, reads.map((r) => `@${r.name}\n${r.sequence}\n+\n${quality.repeat(r.sequence.length)}\n`).join(''));
}

/** Long reads sampled from `reference` with the given error rate, half on each strand. */
export function simulateLongReads(reference: string, count: number, length: number, errorRate: number, seed: number): SyntheticRead[] {
  const random = seededRandom(seed);
  const reads: SyntheticRead[] = [];
  for (let i = 0; i < count; i++) {
    const origin = Math.floor(random() * (reference.length - length));
    const reverse = random() < 0.5;
    const body = mutate(reference.slice(origin, origin + length), errorRate, random);
    reads.push({ name: `read${i}_${origin}_${reverse ? '-' : '+'}`, sequence: reverse ? reverseComplement(body) : body, origin, reverse });
  }
  return reads;
}

/** Primary records of a BAM as (name, flag, pos0, mapq, cigar, tags) via samtools. */
export interface SamLine {
  name: string;
  flag: number;
  contig: string;
  pos: number;
  mapq: number;
  cigar: string;
  tags: Map<string, string>;
  fields: string[];
}

export function samRecords(bam: string, ...filters: string[]): SamLine[] {
  const text = samtools('view', ...filters, bam);
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => {
      const f = line.split('\t');
      const tags = new Map<string, string>();
      for (const t of f.slice(11)) tags.set(t.slice(0, 2), t.slice(5));
      return { name: f[0]!, flag: Number(f[1]), contig: f[2]!, pos: Number(f[3]) - 1, mapq: Number(f[4]), cigar: f[5]!, tags, fields: f };
    });
}
