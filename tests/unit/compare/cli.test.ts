/** `genomaic compare` end to end on the fixture files: the table, the JSON, and the exit codes scripts rely on. */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import { compareCommand } from '../../../app/cli/commands/compare.js';
import { EXIT } from '../../../app/cli/command.js';
import type { CompareReport } from '../../../engine/compare/types.js';

const FIXTURES = join(import.meta.dirname, '../../fixtures/compare');
const fixture = (name: string): string => join(FIXTURES, name);
const workDir = mkdtempSync(join(tmpdir(), 'genomaic-compare-'));
afterAll(() => rmSync(workDir, { recursive: true, force: true }));

async function run(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  const out: Buffer[] = [];
  const err: Buffer[] = [];
  stdout.on('data', (b: Buffer) => out.push(b));
  stderr.on('data', (b: Buffer) => err.push(b));
  const code = await compareCommand.run(argv, { stdout, stderr, stderrIsTty: false });
  return { code, stdout: Buffer.concat(out).toString(), stderr: Buffer.concat(err).toString() };
}

describe('genomaic compare', () => {
  it('prints the table and writes the JSON report', async () => {
    const out = join(workDir, 'report.json');
    const r = await run([fixture('truth.vcf'), fixture('calls.vcf'), '--ref', fixture('ref.fa'), '--regions', fixture('regions.bed'), '--out', out]);
    expect(r.code).toBe(EXIT.ok);
    expect(r.stdout).toMatch(/^SNP\s+5\s+4\s+1\s+1\s/m);
    expect(r.stdout).toMatch(/^INDEL\s+5\s+5\s+0\s+0\s/m);
    const report = JSON.parse(readFileSync(out, 'utf8')) as CompareReport;
    expect(report.schema).toBe('genomaic.compare/1');
    expect(report.metrics.SNP).toMatchObject({ tp: 4, fp: 1, fn: 1, genotypeMatches: 3 });
    expect(report.metrics.INDEL).toMatchObject({ tp: 5, fp: 0, fn: 0 });
    expect(report.variants).toBeUndefined();
  });

  it('prints JSON with per-variant verdicts on request', async () => {
    const r = await run([fixture('truth.vcf'), fixture('calls.vcf'), '--ref', fixture('ref.fa'), '--json', '--details', '--out', join(workDir, 'd.json')]);
    expect(r.code).toBe(EXIT.ok);
    const report = JSON.parse(r.stdout) as CompareReport;
    const fp = report.variants!.filter((v) => v.verdict === 'FP');
    expect(fp).toMatchObject([{ pos: 95, ref: 'T', alt: 'A', gq: 8, depth: 9 }]);
  });

  it('is a usage error without --ref or with one file', async () => {
    expect((await run([fixture('truth.vcf'), fixture('calls.vcf')])).code).toBe(EXIT.usage);
    expect((await run([fixture('truth.vcf'), '--ref', fixture('ref.fa')])).code).toBe(EXIT.usage);
    expect((await run([fixture('truth.vcf'), fixture('calls.vcf'), '--ref', fixture('ref.fa'), '--min-qual', 'high'])).code).toBe(EXIT.usage);
  });

  it('is a bad-input error, naming file and line, for a missing or malformed VCF', async () => {
    const missing = await run([fixture('truth.vcf'), join(workDir, 'nope.vcf'), '--ref', fixture('ref.fa')]);
    expect(missing.code).toBe(EXIT.badInput);
    const broken = join(workDir, 'broken.vcf');
    writeFileSync(broken, '##fileformat=VCFv4.2\n#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS\nt\tx\t.\tA\tG\t.\t.\t.\tGT\t0/1\n');
    const r = await run([fixture('truth.vcf'), broken, '--ref', fixture('ref.fa'), '--out', join(workDir, 'b.json')]);
    expect(r.code).toBe(EXIT.badInput);
    expect(r.stderr).toContain('broken.vcf:3');
  });
});
