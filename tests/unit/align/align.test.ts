/**
 * End-to-end alignment on small real fixtures (the human mitochondrion, ART-simulated
 * Illumina pairs with known origin) and synthetic long reads: the BAM + BAI must satisfy
 * samtools and @gmod/bam, tags must agree with samtools' own recomputation, and placement
 * must be at least as accurate as minimap2's on the same reads.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BamFile } from '@gmod/bam';
import { describe, expect, it } from 'vitest';
import { alignCommand } from '../../../app/cli/commands/align.js';
import { alignReads } from '../../../engine/align/align-reads.js';
import { calibrateMapq, loadMapqCalibration } from '../../../engine/align/mapq-calibration.js';
import { FIXTURES, fastaSequence, reverseComplement, samRecords, samtools, simulateLongReads, workspace, writeFastq } from './helpers.js';

interface Truth {
  pos: number;
  reverse: boolean;
}

function artTruth(): Map<string, Truth> {
  const truth = new Map<string, Truth>();
  for (const line of readFileSync(join(FIXTURES, 'mt_ill.truth.tsv'), 'utf8').split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const [name, mate, pos, strand] = line.split('\t');
    truth.set(`${name}/${mate}`, { pos: Number(pos) - 1, reverse: strand === '-' });
  }
  return truth;
}

/** Primary placements within 10 bp of the true origin, on the true strand. */
function correctlyPlaced(bam: string, truthOf: (name: string, flag: number) => Truth | undefined): number {
  let correct = 0;
  for (const r of samRecords(bam, '-F', '0x904')) {
    const t = truthOf(r.name, r.flag);
    if (t && Math.abs(r.pos - t.pos) <= 10 && Boolean(r.flag & 16) === t.reverse) correct++;
  }
  return correct;
}

function minimap2Bam(dir: string, preset: string, ref: string, reads: string[], out: string): string {
  const sam = execFileSync('minimap2', ['-a', '-x', preset, '-t', '1', ref, ...reads], { encoding: 'utf8', maxBuffer: 64 << 20, stdio: ['ignore', 'pipe', 'ignore'] });
  writeFileSync(join(dir, `${out}.sam`), sam);
  samtools('sort', '-o', join(dir, `${out}.bam`), join(dir, `${out}.sam`));
  return join(dir, `${out}.bam`);
}

describe('genomaic align (Illumina pairs, mitochondrion)', () => {
  it('writes a sorted BAM + BAI that samtools validates, with proper pairs and correct tags', async () => {
    const dir = workspace('mt.fa', 'mt_ill_R1.fq', 'mt_ill_R2.fq');
    const out = join(dir, 'out.bam');
    const stderr: string[] = [];
    const code = await alignCommand.run(
      ['--ref', join(dir, 'mt.fa'), '-o', out, '--threads', '1', '--sample', 'NA00001', join(dir, 'mt_ill_R1.fq'), join(dir, 'mt_ill_R2.fq')],
      { stdout: process.stdout, stderr: { write: (s: string) => stderr.push(s) } as unknown as NodeJS.WritableStream, stderrIsTty: false },
    );
    expect(code, stderr.join('')).toBe(0);
    expect(existsSync(`${out}.bai`)).toBe(true);
    execFileSync('samtools', ['quickcheck', '-v', out]);
    const flagstat = samtools('flagstat', out);
    expect(flagstat).toMatch(/^220 \+ 0 in total/m);
    expect(flagstat).toMatch(/^220 \+ 0 primary mapped/m);
    const proper = Number(/^(\d+) \+ 0 properly paired/m.exec(flagstat)?.[1]);
    expect(proper).toBeGreaterThanOrEqual(210);
    expect(samtools('idxstats', out)).toMatch(/^MT_human\t16569\t220\t0$/m);
    const header = samtools('view', '-H', out);
    expect(header).toMatch(/@SQ\tSN:MT_human\tLN:16569\tM5:[0-9a-f]{32}/);
    expect(header).toMatch(/@RG\tID:mt_ill\tPL:ILLUMINA\tSM:NA00001/);
    // NM and MD as samtools recomputes them from the reference
    const records = samRecords(out);
    const recomputed = samtools('calmd', out, join(dir, 'mt.fa'));
    const calmd = new Map<string, string>();
    for (const line of recomputed.split('\n')) {
      const f = line.split('\t');
      if (f.length > 11) calmd.set(`${f[0]}/${f[1]}`, f.slice(11).filter((t) => t.startsWith('NM') || t.startsWith('MD')).sort().join(' '));
    }
    for (const r of records) {
      const ours = [...r.tags].filter(([k]) => k === 'NM' || k === 'MD').map(([k, v]) => `${k}:${k === 'NM' ? 'i' : 'Z'}:${v}`).sort().join(' ');
      expect(ours, r.name).toBe(calmd.get(`${r.name}/${r.flag}`));
    }
    // every mapped read carries the read group and mate fields
    for (const r of records) {
      expect(r.tags.get('RG')).toBe('mt_ill');
      expect(r.flag & 1).toBe(1);
    }
  });

  it('places reads at least as accurately as minimap2 on the same pairs', async () => {
    const dir = workspace('mt.fa', 'mt_ill_R1.fq', 'mt_ill_R2.fq');
    const ref = join(dir, 'mt.fa');
    const reads = [join(dir, 'mt_ill_R1.fq'), join(dir, 'mt_ill_R2.fq')];
    await alignReads({ referencePath: ref, readPaths: reads, outputPath: join(dir, 'ours.bam'), threads: 0 });
    const truth = artTruth();
    const truthOf = (name: string, flag: number): Truth | undefined => truth.get(`${name}/${flag & 64 ? 1 : 2}`);
    const ours = correctlyPlaced(join(dir, 'ours.bam'), truthOf);
    const theirs = correctlyPlaced(minimap2Bam(dir, 'sr', ref, reads, 'mm2'), truthOf);
    expect(ours).toBeGreaterThanOrEqual(theirs);
    expect(ours).toBeGreaterThanOrEqual(215);
  });

  it('is read by @gmod/bam (igv.js uses the same reader) through the BAI', async () => {
    const dir = workspace('mt.fa', 'mt_ill_R1.fq', 'mt_ill_R2.fq');
    const out = join(dir, 'out.bam');
    await alignReads({ referencePath: join(dir, 'mt.fa'), readPaths: [join(dir, 'mt_ill_R1.fq'), join(dir, 'mt_ill_R2.fq')], outputPath: out, threads: 0 });
    const bam = new BamFile({ bamPath: out, baiPath: `${out}.bai` });
    await bam.getHeader();
    const features = await bam.getRecordsForRange('MT_human', 5000, 6000);
    const expected = Number(samtools('view', '-c', out, 'MT_human:5001-6000').trim());
    expect(features.length).toBe(expected);
    expect(features.length).toBeGreaterThan(0);
  });
});

describe('genomaic align (long reads)', () => {
  it('aligns ONT-like reads on worker threads at least as accurately as minimap2', async () => {
    const dir = workspace('mt.fa');
    const ref = join(dir, 'mt.fa');
    const genome = fastaSequence(ref);
    const reads = simulateLongReads(genome, 40, 3000, 0.1, 3);
    writeFastq(join(dir, 'ont.fq'), reads, '+');
    const summary = await alignReads({ referencePath: ref, readPaths: [join(dir, 'ont.fq')], outputPath: join(dir, 'ont.bam'), preset: 'ont', threads: 1 });
    expect(summary.mapped).toBe(40);
    execFileSync('samtools', ['quickcheck', join(dir, 'ont.bam')]);
    const truth = new Map(reads.map((r) => [r.name, { pos: r.origin, reverse: r.reverse }]));
    const ours = correctlyPlaced(join(dir, 'ont.bam'), (n) => truth.get(n));
    const theirs = correctlyPlaced(minimap2Bam(dir, 'map-ont', ref, [join(dir, 'ont.fq')], 'mm2'), (n) => truth.get(n));
    expect(ours).toBeGreaterThanOrEqual(theirs);
  });

  it('reports a chimeric read as primary + supplementary with SA tags', async () => {
    const dir = workspace('mt.fa');
    const ref = join(dir, 'mt.fa');
    const genome = fastaSequence(ref);
    const chimera = genome.slice(2000, 3500) + reverseComplement(genome.slice(10_000, 11_200));
    writeFastq(join(dir, 'chimera.fq'), [{ name: 'chimera', sequence: chimera }]);
    await alignReads({ referencePath: ref, readPaths: [join(dir, 'chimera.fq')], outputPath: join(dir, 'c.bam'), preset: 'hifi', threads: 0 });
    const records = samRecords(join(dir, 'c.bam'));
    const primary = records.find((r) => !(r.flag & 0x900))!;
    const supplementary = records.find((r) => r.flag & 0x800)!;
    expect(primary.pos).toBe(2000);
    expect(primary.cigar).toBe('1500M1200S');
    expect(supplementary.pos).toBe(10_000);
    expect(supplementary.flag & 16).toBe(16);
    expect(primary.tags.get('SA')).toMatch(/^MT_human,10001,-,/);
    expect(supplementary.tags.get('SA')).toMatch(/^MT_human,2001,\+,/);
  });

  it('reports a read from a duplicated segment with MAPQ 0 and a secondary alignment', async () => {
    const dir = workspace();
    const genome = fastaSequence(join(FIXTURES, 'mt.fa'));
    // a reference with a 4 kb segment present twice on different contigs
    const segment = genome.slice(4000, 8000);
    writeFileSync(join(dir, 'dup.fa'), `>chrA\n${genome.slice(0, 9000)}\n>chrB\n${genome.slice(12_000)}${segment}${genome.slice(9000, 12_000)}\n`);
    writeFastq(join(dir, 'r.fq'), [{ name: 'repeat', sequence: genome.slice(5000, 7000) }, { name: 'unique', sequence: genome.slice(100, 2100) }]);
    await alignReads({ referencePath: join(dir, 'dup.fa'), readPaths: [join(dir, 'r.fq')], outputPath: join(dir, 'd.bam'), preset: 'hifi', threads: 0 });
    const records = samRecords(join(dir, 'd.bam'));
    const repeatPrimary = records.find((r) => r.name === 'repeat' && !(r.flag & 0x900))!;
    expect(repeatPrimary.mapq).toBe(0);
    expect(records.some((r) => r.name === 'repeat' && r.flag & 0x100)).toBe(true);
    // the unique read gets the top of the preset's calibrated scale (raw 60 through the curve)
    expect(records.find((r) => r.name === 'unique')!.mapq).toBe(calibrateMapq(loadMapqCalibration('hifi'), 60, 'single'));
  });
});
