/**
 * Real slices of the benchmark kit's BAMs as test fixtures (tests/fixtures/call/README.md): the
 * BAM's @SQ length of 20 is cut to the end of the region the site is in (3,000,000 or
 * 3,500,000) and the reference is stored over the reads ± 1 kb only (header `20:start-end`);
 * this pads it with N to the BAM's @SQ length and indexes both.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { copyFileSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'vitest';
import { runCall } from './fixture.js';

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

/** The record `genomaic call` writes for one allele at a slice's site (null: none). */
export interface SliceSiteRecord {
  filter: string;
  qual: number;
  genotype: string;
}

/**
 * Runs `genomaic call` (shipped calibration off) on `slice` over `site` ± 500 bp with the
 * platform and `extra` arguments, checks the VCF against the reference with `bcftools norm`,
 * and returns the record of `ref`>`alt` at `site` (1-based).
 */
export async function callSliceSite(slice: KitSlice, platform: string, site: number, allele: { ref: string; alt: string }, vcf: string, extra: string[] = []): Promise<SliceSiteRecord | null> {
  const r = await runCall(['--ref', slice.reference, slice.bam, '-o', vcf, '--platform', platform, '--no-calibration', '--region', `20:${site - 500}-${site + 500}`, ...extra]);
  expect(r.code, r.stderr).toBe(0);
  const norm = spawnSync('bcftools', ['norm', '--check-ref', 'e', '-f', slice.reference, '-Ov', '-o', '/dev/null', vcf], { encoding: 'utf8' });
  expect(norm.status, norm.stderr).toBe(0);
  const line = execFileSync('bcftools', ['query', '-i', `POS=${site} && REF="${allele.ref}" && ALT="${allele.alt}"`, '-f', '%FILTER\t%QUAL\t[%GT]\n', vcf], { encoding: 'utf8' }).trim();
  if (!line) return null;
  const [filter, qual, genotype] = line.split('\t');
  return { filter: filter!, qual: Number(qual), genotype: genotype! };
}
