/**
 * Real slices of the benchmark kit's BAMs as test fixtures (tests/fixtures/call/README.md): the
 * BAM's @SQ length of 20 is cut to the end of the region the site is in (3,000,000 or
 * 3,500,000) and the reference is stored over the reads ± 1 kb only (header `20:start-end`);
 * this pads it with N to the BAM's @SQ length and indexes both.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = join(import.meta.dirname, '..', '..', 'fixtures', 'call');

export interface KitSlice {
  reference: string;
  bam: string;
}

/** Copies fixture `name` (.bam + .fa) into `dir` as an indexed BAM and an indexed, padded reference. */
export function kitSlice(name: string, dir: string): KitSlice {
  const [header, ...lines] = readFileSync(join(FIXTURES, `${name}.fa`), 'utf8').trim().split('\n');
  const start = Number(/^>20:(\d+)-\d+$/.exec(header!)![1]);
  const window = lines.join('');
  const reference = join(dir, `${name}.ref.fa`);
  const contigLength = Number(/@SQ\tSN:20\tLN:(\d+)/.exec(execFileSync('samtools', ['view', '-H', join(FIXTURES, `${name}.bam`)], { encoding: 'utf8' }))![1]);
  const sequence = 'N'.repeat(start - 1) + window + 'N'.repeat(contigLength - (start - 1) - window.length);
  writeFileSync(reference, `>20\n${sequence.match(/.{1,60}/g)!.join('\n')}\n`);
  execFileSync('samtools', ['faidx', reference]);
  const bam = join(dir, `${name}.bam`);
  copyFileSync(join(FIXTURES, `${name}.bam`), bam);
  execFileSync('samtools', ['index', bam]);
  return { reference, bam };
}
