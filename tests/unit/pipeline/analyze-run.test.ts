/**
 * The engine's analyze run end to end on the bundled real data (NA12878 HiSeq X reads, GIAB
 * truth): the same path the app and browser mode take, worker threads included.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, existsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { spawnSync } from 'node:child_process';
import { Engine } from '../../../engine/engine.js';
import type { JobProgress } from '../../../app/contract.js';

let dir: string;
let engine: Engine;

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'genomaic-analyze-run-'));
  engine = Engine.open({ dataDir: dir, host: 'cli' });
});
afterAll(async () => {
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('analyze run', () => {
  it('runs QC, alignment and calling on the demo, records the outputs and imports the calls', async () => {
    const stages = new Set<string>();
    const off = engine.on('run.progress', (p: JobProgress) => stages.add(`${p.stageIndex}/${p.stageCount}:${p.stage}`));
    const { runId } = await engine.handle('demo.start', {});
    const summary = await engine.waitForRun(runId);
    off();
    expect(summary.error).toBeNull();
    expect(summary.status).toBe('done');
    expect([...stages]).toEqual(expect.arrayContaining(['1/3:ingest', '2/3:align', '3/3:call']));

    const run = await engine.handle('run.get', { runId });
    expect(run.kind).toBe('analyze');
    expect(run.files[0]?.platform).toBe('illumina');
    expect(run.files[0]?.qc.reads).toBeGreaterThan(3000);
    const outputs = run.outputs!;
    for (const path of [outputs.bam, outputs.bamIndex, outputs.vcf, outputs.vcfIndex, outputs.abstentionBed, outputs.provenance]) {
      expect(existsSync(path)).toBe(true);
    }
    // Third-party validators accept what the run wrote.
    expect(spawnSync('samtools', ['quickcheck', outputs.bam]).status).toBe(0);
    expect(spawnSync('bcftools', ['view', '-H', outputs.vcf], { encoding: 'utf8' }).status).toBe(0);

    const page = await engine.handle('calls.list', { runId, offset: 0, limit: 100 });
    expect(page.runTotal).toBeGreaterThanOrEqual(14);
    expect(page.rows.some((r) => r.filter === 'PASS')).toBe(true);
  });

  it("calls from another aligner's BAM: imported against the reference, then called and imported for review", async () => {
    // A BAM from a peer aligner, made here as a user would (minimap2 + samtools).
    const demo = join(process.cwd(), 'assets', 'demo');
    const sam = join(dir, 'peer.sam');
    const bam = join(dir, 'peer.bam');
    const mapped = spawnSync('minimap2', ['-ax', 'sr', '-R', '@RG\\tID:peer\\tSM:NA12878\\tPL:ILLUMINA', '-o', sam, join(demo, 'q.fa'), join(demo, 'NA12878.chr22.tiny.fq.gz')]);
    expect(mapped.status).toBe(0);
    expect(spawnSync('samtools', ['sort', '-o', bam, sam]).status).toBe(0);

    const stages = new Set<string>();
    const off = engine.on('run.progress', (p: JobProgress) => stages.add(`${p.stageIndex}/${p.stageCount}:${p.stage}`));
    const { runId } = await engine.handle('analyze.fromBam', { bamPath: bam, referencePath: join(demo, 'q.fa'), sample: 'NA12878' });
    const summary = await engine.waitForRun(runId);
    off();
    expect(summary.error).toBeNull();
    expect(summary.status).toBe('done');
    expect([...stages]).toEqual(expect.arrayContaining(['2/2:call']));
    const run = await engine.handle('run.get', { runId });
    expect(run.config.bamPath).toBe(bam);
    expect(spawnSync('samtools', ['quickcheck', run.outputs!.bam]).status).toBe(0);
    const page = await engine.handle('calls.list', { runId, offset: 0, limit: 100 });
    expect(page.rows.filter((r) => r.filter === 'PASS' && r.type === 'snv').length).toBeGreaterThanOrEqual(14);
  });

  it('deleting an analysis that failed removes the folder it left behind', async () => {
    // The peer BAM from the previous test names the demo's contig; this reference does not have it.
    const otherReference = join(dir, 'other.fa');
    writeFileSync(otherReference, `>chrOther\n${'ACGTTGCA'.repeat(200)}\n`);
    const { runId } = await engine.handle('analyze.fromBam', { bamPath: join(dir, 'peer.bam'), referencePath: otherReference });
    const summary = await engine.waitForRun(runId);
    expect(summary.status).toBe('failed');
    const runDir = join(dir, 'runs', runId);
    expect(existsSync(runDir)).toBe(true);

    const deletion = await engine.handle('run.delete', { runId, confirm: runId });
    expect(deletion).toMatchObject({ deleted: true, removedFiles: true, keptDir: null });
    expect(existsSync(runDir)).toBe(false);
    await expect(engine.handle('run.get', { runId })).rejects.toMatchObject({ detail: { code: 'not-found' } });
  });

  it('refuses a missing reference before starting, naming it', async () => {
    await expect(
      engine.handle('analyze.start', { readPaths: [join(dir, 'x.fq')], referencePath: join(dir, 'none.fa') }),
    ).rejects.toMatchObject({ detail: { code: 'file-not-found' } });
  });
});
