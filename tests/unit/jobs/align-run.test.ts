/**
 * Align-only runs through the Engine API, as the app and browser mode drive them (worker
 * thread, store, events): reads → BAM + BAI with no calling, another aligner's BAM imported,
 * a cancel, a bad input and a low mapping rate. samtools judges every BAM the runs write, and
 * its flagstat is the reference for the numbers the run reports.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync, spawnSync } from 'node:child_process';
import { Engine } from '../../../engine/engine.js';
import type { JobProgress, RunDetail } from '../../../app/contract.js';
import { FIXTURES, reverseComplement, workspace } from '../align/helpers.js';

let dataDir: string;
let work: string;
let engine: Engine;

beforeAll(() => {
  dataDir = mkdtempSync(join(tmpdir(), 'genomaic-align-run-data-'));
  // Copies: the reference layer and the index cache write beside the FASTA.
  work = workspace('mt.fa', 'mt_ill_R1.fq', 'mt_ill_R2.fq');
  engine = Engine.open({ dataDir, host: 'cli' });
});
afterAll(async () => {
  await engine.close();
  rmSync(dataDir, { recursive: true, force: true });
  rmSync(work, { recursive: true, force: true });
});

/** samtools flagstat's counts by their label ("mapped", "properly paired", "primary", …). */
function flagstat(bam: string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const line of execFileSync('samtools', ['flagstat', bam], { encoding: 'utf8' }).split('\n')) {
    const m = /^(\d+) \+ \d+ (.+?)(?: \(|$)/.exec(line);
    if (m) counts.set(m[2]!.replace(/^in total.*/, 'total'), Number(m[1]));
  }
  return counts;
}

async function finishedRun(runId: string): Promise<RunDetail> {
  await engine.waitForRun(runId);
  return engine.handle('run.get', { runId });
}

describe('align run', () => {
  it('aligns an R1/R2 pair to BAM + BAI that samtools accepts, and reports what flagstat counts', async () => {
    const stages = new Set<string>();
    const details = new Set<string>();
    const off = engine.on('run.progress', (p: JobProgress) => {
      stages.add(`${p.stageIndex}/${p.stageCount}:${p.stage}`);
      if (p.detail) details.add(p.detail);
    });
    // Mates given R2 first: the run puts R1 first by their names.
    const { runId } = await engine.handle('align.start', {
      readPaths: [join(work, 'mt_ill_R2.fq'), join(work, 'mt_ill_R1.fq')],
      referencePath: join(work, 'mt.fa'),
      sample: 'NA00001',
    });
    const run = await finishedRun(runId);
    off();
    expect(run.error).toBeNull();
    expect(run.status).toBe('done');
    expect(run.kind).toBe('align');
    expect([...stages]).toEqual(['1/1:align']);
    expect(details).toContain('aligning reads');
    // No calling in an align run.
    expect(run.outputs).toBeUndefined();

    const alignment = run.alignment!;
    expect(alignment.bam).toBe(join(dataDir, 'runs', runId, 'NA00001.bam'));
    expect(alignment.bamIndex).toBe(`${alignment.bam}.bai`);
    expect(spawnSync('samtools', ['quickcheck', '-v', alignment.bam]).status).toBe(0);
    // The BAI is valid for this BAM: samtools reads a region through it.
    const region = execFileSync('samtools', ['view', '-c', alignment.bam, 'MT_human:1000-2000'], { encoding: 'utf8' });
    expect(Number(region)).toBeGreaterThan(0);
    const header = execFileSync('samtools', ['view', '-H', alignment.bam], { encoding: 'utf8' });
    expect(header).toMatch(/@RG\tID:NA00001\tPL:ILLUMINA\tSM:NA00001/);
    expect(header).toMatch(/@HD\tVN:[\d.]+\tSO:coordinate/);

    const stats = flagstat(alignment.bam);
    const s = alignment.summary;
    expect(s.source).toBe('aligned');
    expect(s.preset).toBe('sr');
    expect(s.presetDetected).toBe(true);
    expect(s.detectedPlatform).toBe('illumina');
    expect(s.paired).toBe(true);
    expect(s.reads).toBe(stats.get('primary'));
    expect(s.reads).toBe(220);
    expect(s.mapped).toBe(stats.get('primary mapped'));
    expect(s.mappedFraction).toBeCloseTo(stats.get('primary mapped')! / stats.get('primary')!, 10);
    expect(s.properlyPairedFraction).toBeCloseTo(stats.get('properly paired')! / stats.get('paired in sequencing')!, 10);
    expect(s.secondary).toBe(stats.get('secondary'));
    expect(s.supplementary).toBe(stats.get('supplementary'));
    expect(s.mappedFraction).toBeGreaterThan(0.95);
    expect(s.lowMappingRate).toBe(false);
    // Mates in R1/R2 order: flagstat sees as many read1 as read2, and the first mate of each
    // pair is the record from the R1 file (its name ends /1 there).
    expect(stats.get('read1')).toBe(110);
    const firstMates = execFileSync('samtools', ['view', '-f', '64', '-F', '2304', alignment.bam], { encoding: 'utf8' }).trim().split('\n');
    const r1Sequence = readFileSync(join(FIXTURES, 'mt_ill_R1.fq'), 'utf8').split('\n')[1]!;
    const named = firstMates.find((line) => line.startsWith('MT_human-220\t'))!.split('\t');
    const stored = (Number(named[1]) & 16) === 0 ? named[9] : reverseComplement(named[9]!);
    expect(stored).toBe(r1Sequence);

    const sha = execFileSync('sha256sum', [join(work, 'mt.fa')], { encoding: 'utf8' }).split(' ')[0];
    expect(alignment.referenceSha256).toBe(sha);
    expect(run.config.preset).toBe('auto');
  });

  it('warns loudly when the reads come from another genome', async () => {
    // Human mitochondrial reads against a 12 kb segment of chr22: next to nothing maps.
    const demo = join(process.cwd(), 'assets', 'demo');
    const reference = join(work, 'chr22-segment.fa');
    writeFileSync(reference, readFileSync(join(demo, 'q.fa')));
    const { runId } = await engine.handle('align.start', { readPaths: [join(work, 'mt_ill_R1.fq')], referencePath: reference, preset: 'sr' });
    const run = await finishedRun(runId);
    expect(run.status).toBe('done');
    const s = run.alignment!.summary;
    expect(spawnSync('samtools', ['quickcheck', run.alignment!.bam]).status).toBe(0);
    expect(s.paired).toBe(false);
    expect(s.properlyPairedFraction).toBeNull();
    expect(s.presetDetected).toBe(false);
    expect(s.mapped).toBe(flagstat(run.alignment!.bam).get('primary mapped'));
    expect(s.mappedFraction).toBeLessThan(s.lowMappingThreshold);
    expect(s.lowMappingRate).toBe(true);
    expect(s.warnings[0]).toMatch(/^LOW MAPPING RATE: only \d+\.\d% of 110 reads mapped to chr22-segment\.fa/);
  });

  it("imports another aligner's BAM as an align run", async () => {
    const sam = join(work, 'peer.sam');
    const peer = join(work, 'peer.bam');
    const mapped = spawnSync('minimap2', ['-ax', 'sr', '-R', '@RG\\tID:peer\\tSM:NA00002\\tPL:ILLUMINA', '-o', sam, join(work, 'mt.fa'), join(work, 'mt_ill_R1.fq'), join(work, 'mt_ill_R2.fq')]);
    expect(mapped.status).toBe(0);
    // Name-sorted on purpose: the import sorts by coordinate.
    expect(spawnSync('samtools', ['sort', '-n', '-o', peer, sam]).status).toBe(0);

    const stages = new Set<string>();
    const off = engine.on('run.progress', (p: JobProgress) => stages.add(`${p.stageIndex}/${p.stageCount}:${p.stage}`));
    const { runId } = await engine.handle('align.fromBam', { bamPath: peer, referencePath: join(work, 'mt.fa') });
    const run = await finishedRun(runId);
    off();
    expect(run.error).toBeNull();
    expect(run.status).toBe('done');
    expect([...stages]).toEqual(['1/1:import']);
    const alignment = run.alignment!;
    expect(alignment.bam).toBe(join(dataDir, 'runs', runId, 'peer.bam'));
    expect(spawnSync('samtools', ['quickcheck', '-v', alignment.bam]).status).toBe(0);
    expect(execFileSync('samtools', ['view', '-H', alignment.bam], { encoding: 'utf8' })).toMatch(/SO:coordinate[\s\S]*@RG\tID:peer/);
    const before = flagstat(peer);
    const after = flagstat(alignment.bam);
    expect(after.get('total')).toBe(before.get('total'));
    const s = alignment.summary;
    expect(s.source).toBe('imported');
    expect(s.preset).toBeNull();
    expect(s.reads).toBe(after.get('primary'));
    expect(s.mapped).toBe(after.get('primary mapped'));
    expect(s.properlyPairedFraction).toBeCloseTo(after.get('properly paired')! / after.get('paired in sequencing')!, 10);
    expect(s.supplementary).toBe(after.get('supplementary'));
    expect(s.lowMappingRate).toBe(false);
  });

  it('cancels: the workers stop, the run is cancelled and no BAM is left', async () => {
    // 1,000 copies of the R1 file: 110,000 reads, far more than can be aligned before the cancel lands.
    const big = join(work, 'big.fq');
    writeFileSync(big, readFileSync(join(work, 'mt_ill_R1.fq'), 'utf8').repeat(1000));
    let cancelledAt = 0;
    let runId = '';
    const off = engine.on('run.progress', (p: JobProgress) => {
      if (p.runId === runId && p.detail === 'aligning reads' && p.reads > 0 && cancelledAt === 0) {
        cancelledAt = performance.now();
        expect(engine.cancel(runId)).toBe(true);
      }
    });
    ({ runId } = await engine.handle('align.start', { readPaths: [big], referencePath: join(work, 'mt.fa') }));
    const summary = await engine.waitForRun(runId);
    off();
    expect(cancelledAt).toBeGreaterThan(0);
    expect(summary.status).toBe('cancelled');
    expect(summary.error?.code).toBe('cancelled');
    // The worker stopped on the message, well inside the grace period before termination.
    expect(performance.now() - cancelledAt).toBeLessThan(2000);
    const runDir = join(dataDir, 'runs', runId);
    expect(existsSync(join(runDir, 'big.bam'))).toBe(false);
    expect(existsSync(runDir) ? readdirSync(runDir) : []).toEqual([]);
    const run = await engine.handle('run.get', { runId });
    expect(run.alignment).toBeUndefined();
  });

  it('fails on a malformed FASTQ naming the file and record, and keeps no partial output', async () => {
    const bad = join(work, 'bad.fq');
    const good = readFileSync(join(work, 'mt_ill_R1.fq'), 'utf8').split('\n').slice(0, 8).join('\n');
    writeFileSync(bad, `${good}\n@broken\nACGT\n+\nII\n`);
    const { runId } = await engine.handle('align.start', { readPaths: [bad], referencePath: join(work, 'mt.fa') });
    const summary = await engine.waitForRun(runId);
    expect(summary.status).toBe('failed');
    expect(summary.error).toMatchObject({ code: 'length-mismatch', record: 3 });
    expect(summary.error?.file ?? summary.error?.message).toContain('bad.fq');
    expect(existsSync(join(dataDir, 'runs', runId))).toBe(false);
    // The engine stays usable.
    const { runId: next } = await engine.handle('align.start', { readPaths: [join(work, 'mt_ill_R1.fq')], referencePath: join(work, 'mt.fa'), preset: 'sr' });
    expect((await engine.waitForRun(next)).status).toBe('done');
  });

  it('refuses bad requests before a run starts', async () => {
    const ref = join(work, 'mt.fa');
    const r1 = join(work, 'mt_ill_R1.fq');
    await expect(engine.handle('align.start', { readPaths: [r1], referencePath: join(work, 'none.fa') })).rejects.toMatchObject({ detail: { code: 'file-not-found' } });
    await expect(engine.handle('align.start', { readPaths: [r1, r1, r1], referencePath: ref })).rejects.toMatchObject({ detail: { code: 'invalid-request' } });
    await expect(engine.handle('align.start', { readPaths: [r1], referencePath: ref, preset: 'bwa' as 'sr' })).rejects.toMatchObject({
      detail: { code: 'invalid-request', message: expect.stringMatching(/preset must be one of auto, sr, hifi, ont/) },
    });
    await expect(engine.handle('align.start', { readPaths: [r1], referencePath: ref, sample: 'a b' })).rejects.toMatchObject({ detail: { code: 'invalid-request' } });
  });

  it('deletes an align run with its folder', async () => {
    const { runId } = await engine.handle('align.start', { readPaths: [join(work, 'mt_ill_R1.fq')], referencePath: join(work, 'mt.fa') });
    const run = await finishedRun(runId);
    expect(existsSync(run.alignment!.bam)).toBe(true);
    const deletion = await engine.handle('run.delete', { runId, confirm: runId });
    expect(deletion).toMatchObject({ deleted: true, removedFiles: true, keptDir: null });
    expect(existsSync(join(dataDir, 'runs', runId))).toBe(false);
    await expect(engine.handle('run.get', { runId })).rejects.toMatchObject({ detail: { code: 'not-found' } });
  });
});
