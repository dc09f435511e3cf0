/**
 * End-to-end tests of `genomaic call` on a BAM built at test time (fixture.ts): the calls
 * must be right, and the VCF must be accepted by the tools users will feed it to — bcftools
 * (parsing and REF check against the reference), tabix (our own .tbi answering region
 * queries) and @gmod/vcf (the parser the app's genome browser uses).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import VCFParser from '@gmod/vcf';
import { buildCallFixture, runCall, type CallFixture } from './fixture.js';

let dir: string;
let fixture: CallFixture;
let vcfPath: string;

function vcfText(path: string): string {
  return gunzipSync(readFileSync(path)).toString('utf8');
}

function dataLines(text: string): string[][] {
  return text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t'));
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'genomaic-call-'));
  fixture = buildCallFixture(dir);
  vcfPath = join(dir, 'out.vcf.gz');
  const r = await runCall(['--ref', fixture.reference, fixture.bam, '-o', vcfPath, '--json']);
  expect(r.stderr).not.toContain('warning');
  expect(r.code).toBe(0);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('genomaic call on a known diploid fixture', () => {
  it('calls every truth SNV and indel with the right genotype and nothing else', () => {
    const calls = dataLines(vcfText(vcfPath)).filter((f) => f[6] === 'PASS');
    const got = calls.map((f) => `${f[1]}:${f[3]}>${f[4]}:${f[9]!.split(':')[0]}`).sort();
    const want = fixture.truth.map((v) => `${v.pos}:${v.ref}>${v.alt}:${v.genotype}`).sort();
    expect(got).toEqual(want);
  });

  it('writes the VCF 4.3 header the spec and our conventions require', () => {
    const text = vcfText(vcfPath);
    const header = text.split('\n').filter((l) => l.startsWith('##'));
    expect(header[0]).toBe('##fileformat=VCFv4.3');
    expect(header.some((l) => /^##fileDate=\d{8}$/.test(l))).toBe(true);
    expect(header.some((l) => /^##source=GenomAIc \d+\.\d+\.\d+/.test(l))).toBe(true);
    expect(header.some((l) => l.startsWith('##reference=file://'))).toBe(true);
    expect(header.some((l) => l.startsWith('##commandline='))).toBe(true);
    const md5 = execFileSync('bash', ['-c', `grep -v '>' ${fixture.reference} | tr -d '\\n' | md5sum | cut -d' ' -f1`], { encoding: 'utf8' }).trim();
    expect(header).toContain(`##contig=<ID=${fixture.contig},length=${fixture.contigLength},md5=${md5}>`);
    // Every INFO/FORMAT/FILTER key used is defined.
    const defined = new Set(header.map((l) => /^##(?:INFO|FORMAT|FILTER)=<ID=([^,]+)/.exec(l)?.[1]).filter(Boolean));
    for (const f of dataLines(text)) {
      for (const kv of f[7]!.split(';')) expect(defined).toContain(kv.split('=')[0]);
      for (const key of f[8]!.split(':')) expect(defined).toContain(key);
      expect(defined).toContain(f[6]);
      expect(f[8]).toBe('GT:GQ:DP:AD:PL');
    }
  });

  it('is accepted by bcftools view and bcftools norm --check-ref e (REF matches, records normalised)', () => {
    const view = spawnSync('bcftools', ['view', '-H', vcfPath], { encoding: 'utf8' });
    expect(view.status).toBe(0);
    expect(view.stderr).toBe('');
    const norm = spawnSync('bcftools', ['norm', '--check-ref', 'e', '-f', fixture.reference, '-Ov', '-o', '/dev/null', vcfPath], { encoding: 'utf8' });
    expect(norm.status).toBe(0);
    // "Lines total/split/realigned/skipped: N/0/0/0": nothing needed realigning, so our records were already left-aligned.
    expect(norm.stderr).toMatch(/total\/split\/realigned\/skipped:\s+\d+\/0\/0\/0/);
  });

  it('answers tabix region queries through our own .tbi', () => {
    const inside = execFileSync('tabix', [vcfPath, `${fixture.contig}:1990-3010`], { encoding: 'utf8' }).trim().split('\n');
    expect(inside.map((l) => l.split('\t')[1])).toEqual(['2001', '3001']);
    const none = execFileSync('tabix', [vcfPath, `${fixture.contig}:100-400`], { encoding: 'utf8' });
    expect(none).toBe('');
    // bcftools agrees that the index is usable for random access.
    const r = spawnSync('bcftools', ['view', '-H', '-r', `${fixture.contig}:4000`, vcfPath], { encoding: 'utf8' });
    expect(r.status).toBe(0);
    expect(r.stdout.split('\t')[1]).toBe('4000');
  });

  it('round-trips through @gmod/vcf with every FORMAT field present', () => {
    const text = vcfText(vcfPath);
    const headerText = text.split('\n').filter((l) => l.startsWith('#')).join('\n');
    const parser = new VCFParser({ header: headerText });
    const lines = text.split('\n').filter((l) => l && !l.startsWith('#'));
    expect(lines.length).toBeGreaterThanOrEqual(fixture.truth.length);
    for (const line of lines) {
      const v = parser.parseLine(line);
      const fields = line.split('\t');
      expect(v.CHROM).toBe(fields[0]);
      expect(v.POS).toBe(Number(fields[1]));
      expect(v.REF).toBe(fields[3]);
      expect(v.ALT).toEqual(fields[4]!.split(','));
      const sample = v.SAMPLES()['FIXTURE']!;
      expect(Object.keys(sample)).toEqual(['GT', 'GQ', 'DP', 'AD', 'PL']);
      expect(sample.AD!.length).toBe(1 + v.ALT!.length);
      const alleles = 1 + v.ALT!.length;
      expect(sample.PL!.length).toBe((alleles * (alleles + 1)) / 2);
      // genomaic call genotypes with the shipped model by default; multi-allelic records stay statistical.
      expect(JSON.stringify(v.INFO['MID'])).toMatch(v.ALT!.length === 1 ? /genomeltm-moe-small|stat-diploid/ : /stat-diploid/);
    }
    expect(parser.getMetadata('INFO', 'ABSTAIN', 'Description')).toContain('LOW_DEPTH');
    expect(lines.some((l) => l.includes('MID=genomeltm-moe-small;'))).toBe(true);
  });

  it('writes the abstention BED (the uncovered tail is LOW_DEPTH) and the provenance sidecar', () => {
    const bed = readFileSync(join(dir, 'out.abstain.bed'), 'utf8').split('\n').filter((l) => l && !l.startsWith('#'));
    const tail = bed.map((l) => l.split('\t')).find((f) => f[3] === 'LOW_DEPTH' && Number(f[2]) === fixture.contigLength);
    expect(tail).toBeDefined();
    expect(Number(tail![1])).toBeGreaterThan(fixture.coveredLength - 200);
    expect(Number(tail![1])).toBeLessThanOrEqual(fixture.coveredLength + 10);

    const sidecar = readFileSync(join(dir, 'out.provenance.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    const run = sidecar[0] as { kind: string; inputs: { bam: { sha256: string } }; configHash: string };
    expect(run.kind).toBe('run');
    expect(run.inputs.bam.sha256).toMatch(/^[0-9a-f]{64}$/);
    expect(run.configHash).toMatch(/^[0-9a-f]{64}$/);
    const het = sidecar.find((r) => r.key === `${fixture.contig}:500:${fixture.truth[0]!.ref}:${fixture.truth[0]!.alt}`) as
      | { readsByAllele: { name: string }[][]; strand: { altForward: number[]; altReverse: number[] } }
      | undefined;
    expect(het).toBeDefined();
    // Reads from haplotype 1 carry the het SNV, reads from haplotype 2 do not: provenance must say so.
    expect(het!.readsByAllele[1]!.length).toBeGreaterThan(5);
    expect(het!.readsByAllele[1]!.every((r) => r.name.endsWith('_h1'))).toBe(true);
    expect(het!.readsByAllele[0]!.every((r) => r.name.endsWith('_h2'))).toBe(true);
    expect(het!.strand.altForward[0]! + het!.strand.altReverse[0]!).toBe(het!.readsByAllele[1]!.length);
  });
});
