/**
 * Bad input must give a clear error (naming the file and the fault) or an explicit
 * abstention, never a silently empty VCF. One test per case named in issue 5.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { callVariants, parseRegion } from '../../../engine/call/caller.js';
import { loadPlatformPreset } from '../../../engine/call/config.js';
import { openCallReference } from '../../../engine/call/call-reference.js';
import { CallInputError } from '../../../engine/call/errors.js';
import { buildCallFixture, fixtureReference, runCall, type CallFixture } from './fixture.js';

let dir: string;
let fixture: CallFixture;
const config = loadPlatformPreset('illumina');

async function faultOf(promise: Promise<unknown>): Promise<string> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof CallInputError) return `${err.fault}: ${err.message}`;
    throw err;
  }
  return 'no error';
}

function writeFasta(path: string, contig: string, sequence: string): void {
  writeFileSync(path, `>${contig}\n${sequence.match(/.{1,60}/g)!.join('\n')}\n`);
  execFileSync('samtools', ['faidx', path]);
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'genomaic-badinput-'));
  fixture = buildCallFixture(dir);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('bad input to genomaic call', () => {
  it('refuses contig names that do not match the reference (chrT vs T)', async () => {
    const renamed = join(dir, 'renamed.fa');
    writeFasta(renamed, 'T', fixtureReference());
    const fault = await faultOf(callVariants({ bamPath: fixture.bam, referencePath: renamed, config, calibration: null }));
    expect(fault).toMatch(/^contig-mismatch: .*none of the BAM's contigs \(chrT\) is in the reference/);
    // The CLI maps it to exit 1 (bad input) with the message on stderr.
    const r = await runCall(['--ref', renamed, fixture.bam, '-o', join(dir, 'x.vcf.gz')]);
    expect(r.code).toBe(1);
    expect(r.stderr).toContain('chr20 vs 20');
    expect(existsSync(join(dir, 'x.vcf.gz'))).toBe(false);
  });

  it('refuses an unindexed BAM, saying how to index it', async () => {
    const copy = join(dir, 'noindex.bam');
    copyFileSync(fixture.bam, copy);
    expect(await faultOf(callVariants({ bamPath: copy, referencePath: fixture.reference, config, calibration: null }))).toMatch(/^bam-not-indexed: .*samtools index/);
  });

  it('refuses a BAM whose header says it is not coordinate-sorted', async () => {
    const unsorted = join(dir, 'unsorted.bam');
    const sam = execFileSync('samtools', ['view', '-h', fixture.bam], { encoding: 'utf8', maxBuffer: 1 << 28 }).replace('SO:coordinate', 'SO:queryname');
    writeFileSync(join(dir, 'unsorted.sam'), sam);
    execFileSync('samtools', ['view', '-b', '-o', unsorted, join(dir, 'unsorted.sam')]);
    copyFileSync(`${fixture.bam}.bai`, `${unsorted}.bai`);
    expect(await faultOf(callVariants({ bamPath: unsorted, referencePath: fixture.reference, config, calibration: null }))).toMatch(/^bam-unsorted: .*SO:queryname/);
  });

  it('refuses a BAM aligned to another reference (length differs)', async () => {
    const longer = join(dir, 'longer.fa');
    writeFasta(longer, 'chrT', `${fixtureReference()}ACGT`);
    expect(await faultOf(callVariants({ bamPath: fixture.bam, referencePath: longer, config, calibration: null }))).toMatch(/^reference-mismatch: .*6000 bp in the BAM but 6004 bp/);
  });

  it('refuses a BAM aligned to another reference (same length, MD5 differs)', async () => {
    const other = join(dir, 'other.fa');
    const seq = fixtureReference();
    writeFasta(other, 'chrT', `${seq.slice(0, 100)}${seq[100] === 'A' ? 'C' : 'A'}${seq.slice(101)}`);
    // Give the BAM an @SQ M5 (of the true reference), as samtools/our aligner write it.
    const withMd5 = join(dir, 'md5.bam');
    const md5 = execFileSync('bash', ['-c', `grep -v '>' ${fixture.reference} | tr -d '\\n' | md5sum | cut -d' ' -f1`], { encoding: 'utf8' }).trim();
    const sam = execFileSync('samtools', ['view', '-h', fixture.bam], { encoding: 'utf8', maxBuffer: 1 << 28 }).replace(/(@SQ\tSN:chrT\tLN:6000)/, `$1\tM5:${md5}`);
    writeFileSync(join(dir, 'md5.sam'), sam);
    execFileSync('samtools', ['view', '-b', '-o', withMd5, join(dir, 'md5.sam')]);
    execFileSync('samtools', ['index', withMd5]);
    expect(await faultOf(callVariants({ bamPath: withMd5, referencePath: other, config, calibration: null }))).toMatch(/^reference-mismatch: .*MD5/);
    // The same BAM against its own reference is fine.
    expect(await faultOf(callVariants({ bamPath: withMd5, referencePath: fixture.reference, config, calibration: null, regions: [{ contig: 'chrT', start: 0, end: 600 }] }))).toBe('no error');
  });

  it('abstains explicitly over a region with zero coverage: warning, LOW_DEPTH in the BED, valid empty VCF', async () => {
    const out = join(dir, 'empty.vcf.gz');
    const r = await runCall(['--ref', fixture.reference, fixture.bam, '-o', out, '--region', 'chrT:5501-5900']);
    expect(r.code).toBe(0);
    expect(r.stderr).toContain('warning: no reads in chrT:5501-5900');
    const bed = readFileSync(join(dir, 'empty.abstain.bed'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    expect(bed).toEqual(['chrT\t5500\t5900\tLOW_DEPTH']);
    const text = gunzipSync(readFileSync(out)).toString();
    expect(text.split('\n').filter((l) => l && !l.startsWith('#'))).toEqual([]);
    expect(execFileSync('bcftools', ['view', '-h', out], { encoding: 'utf8' })).toContain('##fileformat=VCFv4.3');
  });

  it('refuses a region outside the contig (exit 2: a usage error)', async () => {
    const reference = await openCallReference(fixture.reference);
    expect(() => parseRegion('chrT:5900-6100', reference)).toThrow(/outside contig chrT \(1-6000\)/);
    expect(() => parseRegion('chrZ:1-10', reference)).toThrow(/contig 'chrZ' is not in the reference/);
    const r = await runCall(['--ref', fixture.reference, fixture.bam, '-o', join(dir, 'y.vcf.gz'), '--region', 'chrT:7000-8000']);
    expect(r.code).toBe(2);
    expect(r.stderr).toContain('outside contig chrT');
  });

  it('refuses a file that is not a BAM', async () => {
    const fake = join(dir, 'fake.bam');
    writeFileSync(fake, 'not a bam at all');
    expect(await faultOf(callVariants({ bamPath: fake, referencePath: fixture.reference, config, calibration: null }))).toMatch(/^not-bam:/);
  });
});
