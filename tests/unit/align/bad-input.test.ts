/**
 * Every bad input the issue names, each its own test: the aligner must either do the right
 * thing (and say so) or stop with a message naming the file and the fault; never silently
 * produce a wrong BAM.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { alignCommand } from '../../../app/cli/commands/align.js';
import { alignReads } from '../../../engine/align/align-reads.js';
import { importBam } from '../../../engine/align/bam-import.js';
import { openMinimizerIndex } from '../../../engine/align/index-cache.js';
import { loadAlignPreset } from '../../../engine/align/presets.js';
import { FIXTURES, fastaSequence, samRecords, samtools, seededRandom, simulateLongReads, workspace, writeFastq } from './helpers.js';

function runCli(argv: string[]): Promise<{ code: number; stderr: string }> {
  const chunks: string[] = [];
  const sink = { write: (s: string) => chunks.push(s) } as unknown as NodeJS.WritableStream;
  return alignCommand.run(argv, { stdout: sink, stderr: sink, stderrIsTty: false }).then((code) => ({ code, stderr: chunks.join('') }));
}

describe('bad input', () => {
  it('a read longer than every internal limit (330 kb) aligns, split into primary and supplementary parts', async () => {
    const dir = workspace('mt.fa');
    const genome = fastaSequence(join(dir, 'mt.fa'));
    const random = seededRandom(5);
    let huge = '';
    while (huge.length < 330_000) {
      const start = Math.floor(random() * 10_000);
      huge += genome.slice(start, start + 5000);
    }
    writeFastq(join(dir, 'huge.fq'), [{ name: 'huge', sequence: huge }]);
    const summary = await alignReads({ referencePath: join(dir, 'mt.fa'), readPaths: [join(dir, 'huge.fq')], outputPath: join(dir, 'h.bam'), preset: 'ont', threads: 0 });
    expect(summary.mapped).toBe(1);
    execFileSync('samtools', ['quickcheck', join(dir, 'h.bam')]);
    expect(samRecords(join(dir, 'h.bam'), '-f', '0x800').length).toBeGreaterThan(0);
  });

  it('all-N reads are reported unmapped, and the run says why the mapping rate is low', async () => {
    const dir = workspace('mt.fa');
    writeFastq(join(dir, 'n.fq'), Array.from({ length: 20 }, (_, i) => ({ name: `n${i}`, sequence: 'N'.repeat(150) })));
    const { code, stderr } = await runCli(['--ref', join(dir, 'mt.fa'), '-o', join(dir, 'n.bam'), '--preset', 'sr', '--threads', '0', join(dir, 'n.fq')]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/WARNING: LOW MAPPING RATE: only 0\.0% of 20 reads mapped .*ambiguous bases/);
    expect(samtools('flagstat', join(dir, 'n.bam'))).toMatch(/^0 \+ 0 mapped/m);
    expect(samtools('view', '-c', '-f', '4', join(dir, 'n.bam')).trim()).toBe('20');
  });

  it('reads from another genome give a loud low-mapping-rate warning, not silence', async () => {
    const dir = workspace('mt.fa');
    // random sequence stands in for a foreign genome: nothing of it is in the mitochondrion
    const random = seededRandom(77);
    const foreign = Array.from({ length: 30 }, (_, i) => ({ name: `f${i}`, sequence: Array.from({ length: 2000 }, () => 'ACGT'[Math.floor(random() * 4)]).join('') }));
    writeFastq(join(dir, 'foreign.fq'), foreign, '5');
    const { code, stderr } = await runCli(['--ref', join(dir, 'mt.fa'), '-o', join(dir, 'f.bam'), '--preset', 'ont', '--threads', '0', join(dir, 'foreign.fq')]);
    expect(code).toBe(0);
    expect(stderr).toMatch(/WARNING: LOW MAPPING RATE: only 0\.0% of 30 reads mapped to mt\.fa; the reads may come from another genome/);
  });

  it('a lowercase (soft-masked) reference aligns exactly like the uppercase one', async () => {
    const dir = workspace('mt.fa');
    const text = readFileSync(join(dir, 'mt.fa'), 'utf8');
    const lines = text.split('\n');
    // soft-mask the second half of the sequence
    const masked = lines.map((line, i) => (i > lines.length / 2 && !line.startsWith('>') ? line.toLowerCase() : line)).join('\n');
    writeFileSync(join(dir, 'masked.fa'), masked);
    const reads = simulateLongReads(fastaSequence(join(dir, 'mt.fa')), 20, 2000, 0.02, 9);
    writeFastq(join(dir, 'r.fq'), reads);
    await alignReads({ referencePath: join(dir, 'mt.fa'), readPaths: [join(dir, 'r.fq')], outputPath: join(dir, 'upper.bam'), preset: 'hifi', threads: 0 });
    await alignReads({ referencePath: join(dir, 'masked.fa'), readPaths: [join(dir, 'r.fq')], outputPath: join(dir, 'lower.bam'), preset: 'hifi', threads: 0 });
    const strip = (bam: string): string[] => samRecords(bam).map((r) => r.fields.filter((f) => !f.startsWith('RG:')).join('\t'));
    expect(strip(join(dir, 'lower.bam'))).toEqual(strip(join(dir, 'upper.bam')));
  });

  it('a contig header with a description uses the first word as the name', async () => {
    const dir = workspace('mt.fa');
    const text = readFileSync(join(dir, 'mt.fa'), 'utf8').replace('>MT_human', '>chrM|mito.v1 Homo sapiens mitochondrion, complete genome');
    writeFileSync(join(dir, 'described.fa'), text);
    writeFastq(join(dir, 'r.fq'), simulateLongReads(fastaSequence(join(dir, 'mt.fa')), 5, 2000, 0.01, 2));
    await alignReads({ referencePath: join(dir, 'described.fa'), readPaths: [join(dir, 'r.fq')], outputPath: join(dir, 'd.bam'), preset: 'hifi', threads: 0 });
    expect(samtools('view', '-H', join(dir, 'd.bam'))).toMatch(/@SQ\tSN:chrM\|mito\.v1\tLN:16569/);
    expect(samtools('idxstats', join(dir, 'd.bam'))).toMatch(/^chrM\|mito\.v1\t16569\t5\t0$/m);
  });

  it('a contig name SAM cannot hold is a clear error naming file and contig', async () => {
    const dir = workspace('mt.fa');
    writeFileSync(join(dir, 'odd.fa'), readFileSync(join(dir, 'mt.fa'), 'utf8').replace('>MT_human', '>*bad,name'));
    writeFastq(join(dir, 'r.fq'), [{ name: 'r', sequence: 'ACGT'.repeat(40) }]);
    const { code, stderr } = await runCli(['--ref', join(dir, 'odd.fa'), '-o', join(dir, 'o.bam'), '--preset', 'sr', '--threads', '0', join(dir, 'r.fq')]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/odd\.fa/);
    expect(stderr).toMatch(/\*bad,name/);
  });

  it('a reference changed after indexing is detected by checksum and the index rebuilt', async () => {
    const dir = workspace('mt.fa');
    const preset = loadAlignPreset('hifi');
    const first = await openMinimizerIndex(join(dir, 'mt.fa'), preset);
    expect(first.built).toBe(true);
    const again = await openMinimizerIndex(join(dir, 'mt.fa'), preset);
    expect(again.built).toBe(false);
    // same size, different content: only the checksum can tell
    const text = readFileSync(join(dir, 'mt.fa'), 'utf8');
    writeFileSync(join(dir, 'mt.fa'), text.replace('GATCACAGGT', 'GATCACAGGA'));
    const changed = await openMinimizerIndex(join(dir, 'mt.fa'), preset);
    expect(changed.built).toBe(true);
    expect(changed.rebuildReason).toMatch(/mt\.fa changed since .* was built \(checksum mismatch\)/);
  });

  it('a preset file with an unknown or out-of-range key names the file and the key', () => {
    const dir = workspace();
    const good = readFileSync(join(FIXTURES, '..', '..', '..', 'configs', 'align', 'sr.yaml'), 'utf8');
    writeFileSync(join(dir, 'typo.yaml'), `${good}\nbandwith: 100\n`);
    expect(() => loadAlignPreset('sr', join(dir, 'typo.yaml'))).toThrow(/typo\.yaml: unknown setting 'bandwith'/);
    writeFileSync(join(dir, 'range.yaml'), good.replace(/^k: 21/m, 'k: 40'));
    expect(() => loadAlignPreset('sr', join(dir, 'range.yaml'))).toThrow(/range\.yaml: 'k' must be a whole number from 8 to 28, got 40/);
  });

  it('mismatched R1/R2 files are refused with the record that differs', async () => {
    const dir = workspace('mt.fa', 'mt_ill_R1.fq', 'mt_ill_R2.fq');
    const r2 = readFileSync(join(dir, 'mt_ill_R2.fq'), 'utf8').split('\n');
    r2[4] = '@someone_else/2';
    writeFileSync(join(dir, 'bad_R2.fq'), r2.join('\n'));
    const { code, stderr } = await runCli(['--ref', join(dir, 'mt.fa'), '-o', join(dir, 'o.bam'), '--threads', '0', join(dir, 'mt_ill_R1.fq'), join(dir, 'bad_R2.fq')]);
    expect(code).toBe(1);
    expect(stderr).toMatch(/record 2 is .* but its mate in bad_R2\.fq is someone_else/);
  });
});

describe('BAM import', () => {
  it('imports a BAM from another aligner as a sorted, indexed BAM with @SQ M5', async () => {
    const dir = workspace('mt.fa', 'mt_ill_R1.fq', 'mt_ill_R2.fq');
    const sam = execFileSync('minimap2', ['-a', '-x', 'sr', join(dir, 'mt.fa'), join(dir, 'mt_ill_R1.fq'), join(dir, 'mt_ill_R2.fq')], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] });
    writeFileSync(join(dir, 'mm2.sam'), sam);
    samtools('view', '-b', '-o', join(dir, 'mm2.bam'), join(dir, 'mm2.sam')); // unsorted on purpose
    const { code, stderr } = await runCli(['--ref', join(dir, 'mt.fa'), '--import', join(dir, 'mm2.bam'), '-o', join(dir, 'imported.bam')]);
    expect(code, stderr).toBe(0);
    execFileSync('samtools', ['quickcheck', join(dir, 'imported.bam')]);
    expect(samtools('view', '-c', join(dir, 'imported.bam')).trim()).toBe(samtools('view', '-c', join(dir, 'mm2.bam')).trim());
    const header = samtools('view', '-H', join(dir, 'imported.bam'));
    expect(header).toMatch(/SO:coordinate/);
    expect(header).toMatch(/@SQ\tSN:MT_human\tLN:16569\tM5:/);
    expect(header).toMatch(/@PG\tID:minimap2/);
    expect(samtools('idxstats', join(dir, 'imported.bam'))).toMatch(/^MT_human\t16569\t220\t0$/m);
  });

  it('refuses a BAM aligned to another reference, naming the contig', async () => {
    const dir = workspace('mt.fa');
    writeFileSync(join(dir, 'other.sam'), '@HD\tVN:1.6\n@SQ\tSN:chr1\tLN:1000\nr1\t4\t*\t0\t0\t*\t*\t0\t0\tACGT\tIIII\n');
    samtools('view', '-b', '-o', join(dir, 'other.bam'), join(dir, 'other.sam'));
    await expect(importBam({ referencePath: join(dir, 'mt.fa'), inputPath: join(dir, 'other.bam'), outputPath: join(dir, 'x.bam') })).rejects.toThrow(
      /other\.bam was aligned to a reference with contig "chr1", which mt\.fa does not have/,
    );
  });
});
