/**
 * The comparator against `bcftools norm -m -any -a` + `bcftools isec` on the fixture files.
 * Where both apply they must agree; where they differ, every difference must carry a reason
 * that is not 'other'. The fixture's last case (a deletion plus an insertion that equal an
 * MNP) is one no normalisation fixes, so isec must disagree there, and only there.
 * CI installs bcftools; without it the integration part is skipped, the unit part still runs.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { compareParsed, compareVcfFiles } from '../../../engine/compare/compare.js';
import { crossCheck, parseIsecSites } from '../../../engine/compare/crosscheck.js';
import { referenceFromSequences } from '../../../engine/compare/reference.js';
import { parseVcfText } from '../../../engine/compare/vcf.js';
import { contigFromSlices } from './helpers.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/compare');
const fixture = (name: string): string => join(FIXTURES, name);

function hasBcftools(): boolean {
  try {
    execFileSync('bcftools', ['--version'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

describe('parseIsecSites', () => {
  it('reads presence flags per allele', () => {
    expect(parseIsecSites('t\t95\tT\tA\t01\nt\t110\tG\tT\t10\n')).toEqual([
      { chrom: 't', pos: 95, ref: 'T', alt: 'A', inTruth: false, inCalls: true },
      { chrom: 't', pos: 110, ref: 'G', alt: 'T', inTruth: true, inCalls: false },
    ]);
  });
});

describe.skipIf(!hasBcftools())('cross-check with bcftools norm + isec', () => {
  const dir = mkdtempSync(join(tmpdir(), 'genomaic-isec-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('agrees except on the haplotype-equivalent case, and says why', async () => {
    for (const side of ['truth', 'calls']) {
      execFileSync('bcftools', ['norm', '-m', '-any', '-a', '-f', fixture('ref.fa'), fixture(`${side}.vcf`), '-Oz', '-o', join(dir, `${side}.vcf.gz`)], { stdio: 'ignore' });
      execFileSync('bcftools', ['index', '-t', join(dir, `${side}.vcf.gz`)]);
    }
    execFileSync('bcftools', ['isec', '-p', join(dir, 'isec'), join(dir, 'truth.vcf.gz'), join(dir, 'calls.vcf.gz')]);
    const sites = parseIsecSites(readFileSync(join(dir, 'isec', 'sites.txt'), 'utf8'));

    const report = await compareVcfFiles({ truthPath: fixture('truth.vcf'), callsPath: fixture('calls.vcf'), referencePath: fixture('ref.fa'), includeVariants: true });
    const check = crossCheck(report.variants!, sites);

    // Independent of the comparator: what isec says about this file.
    expect(check.bcftools.SNP).toEqual({ tp: 4, fp: 5, fn: 1 });
    expect(check.bcftools.INDEL).toEqual({ tp: 3, fp: 0, fn: 2 });
    expect(check.comparator.SNP).toMatchObject({ tp: 4, fp: 1, fn: 1 });
    expect(check.comparator.INDEL).toMatchObject({ tp: 5, fp: 0, fn: 0 });
    expect(check.countsAgree).toBe(false);
    expect(check.differences.map((d) => d.reason)).toEqual(['same haplotype, different representation']);
    expect(check.differences[0]).toMatchObject({ truthAtoms: 2, callAtoms: 4 });
    // The 126 complex record: bcftools atomises it as the comparator counts it, so it is no difference.
    expect(check.differences[0]!.examples.every((e) => /:14[3-7]:/.test(e))).toBe(true);
  });
  it('classes the chr20 re-spelled haplotypes as representation differences, and only those', async () => {
    const chr20 = join(FIXTURES, 'chr20-representation');
    // The fixture records are already split and left-aligned; -a without -f only atomises.
    for (const [side, file] of [['truth', 'truth.vcf'], ['calls', 'calls-respelled.vcf']] as const) {
      execFileSync('bcftools', ['norm', '-m', '-any', '-a', join(chr20, file), '-Oz', '-o', join(dir, `chr20-${side}.vcf.gz`)], { stdio: 'ignore' });
      execFileSync('bcftools', ['index', '-t', join(dir, `chr20-${side}.vcf.gz`)]);
    }
    execFileSync('bcftools', ['isec', '-p', join(dir, 'chr20-isec'), join(dir, 'chr20-truth.vcf.gz'), join(dir, 'chr20-calls.vcf.gz')]);
    const sites = parseIsecSites(readFileSync(join(dir, 'chr20-isec', 'sites.txt'), 'utf8'));
    const report = await compareParsed(
      {
        reference: referenceFromSequences({ '20': contigFromSlices(readFileSync(join(chr20, 'ref-slices.fa'), 'utf8')) }),
        truth: parseVcfText(readFileSync(join(chr20, 'truth.vcf'), 'utf8'), 'truth.vcf', 'HG00096'),
        calls: parseVcfText(readFileSync(join(chr20, 'calls-respelled.vcf'), 'utf8'), 'calls-respelled.vcf'),
        regions: null,
        depthTrack: null,
      },
      { includeVariants: true },
    );
    const check = crossCheck(report.variants!, sites);
    // isec: only the identical SNV at 2,633,404 is shared.
    expect(check.bcftools.SNP).toEqual({ tp: 1, fp: 0, fn: 0 });
    expect(check.bcftools.INDEL).toEqual({ tp: 0, fp: 3, fn: 4 });
    const byReason = Object.fromEntries(check.differences.map((d) => [d.reason, d]));
    expect(Object.keys(byReason).sort()).toEqual(['identical record, haplotypes disagree in window', 'same haplotype, different representation']);
    // Truth: the 2,534,184 insertion and the 2,633,378 insertion + 2,633,398 deletion; calls: both 2,534,185 records and the 2,633,378 insertion.
    expect(byReason['same haplotype, different representation']).toMatchObject({ truthAtoms: 3, callAtoms: 3 });
    // The truth SNV inside the truth deletion: isec pairs it with the call SNV, which the comparator spends on the deletion's haplotype.
    expect(byReason['identical record, haplotypes disagree in window']).toMatchObject({ truthAtoms: 1, callAtoms: 0, examples: ['20:2633404:C:G (truth)'] });
  });
});
