/**
 * The opt-in learned genotyper in `callVariants` (docs/model.md, "Wiring into the caller") on
 * the caller tests' fixture: with the shipped checkpoint the records carry the model id, the
 * expert weights and the verifier verdict in INFO and in the sidecar, and bcftools still reads
 * the VCF; a checkpoint that cannot be loaded falls back to the statistical genotyper with a
 * warning that names the file.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { buildCallFixture, type CallFixture } from './fixture.js';
import { callVariants, STAT_MODEL_ID, type CallResult } from '../../../engine/call/caller.js';
import { loadPlatformPreset } from '../../../engine/call/config.js';
import { writeCallOutputs } from '../../../engine/export/write-calls.js';
import { loadLearnedGenotyper, type LearnedGenotyperOptions } from '../../../engine/call/learned.js';
import { genotypeIndex } from '../../../engine/export/normalize.js';
import { kitSlice, type KitSlice } from './kit-slice.js';

const MODEL_DIR = resolve('assets/models/genomeltm-moe-small');
const MODEL_ID = 'genomeltm-moe-small';

let dir: string;
let fixture: CallFixture;

function run(modelDir?: string, learnedOptions?: LearnedGenotyperOptions): Promise<CallResult> {
  return callVariants({
    bamPath: fixture.bam,
    referencePath: fixture.reference,
    config: loadPlatformPreset('illumina'),
    calibration: null,
    ...(modelDir === undefined ? {} : { modelDir }),
    ...(learnedOptions === undefined ? {} : { learnedOptions }),
  });
}

beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'genomaic-learned-'));
  fixture = buildCallFixture(dir);
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('callVariants with the learned genotyper (modelDir)', () => {
  it('records carry the model id, expert weights and verifier verdict; bcftools accepts the VCF', async () => {
    const result = await run(MODEL_DIR);
    expect(result.warnings).toEqual([]);
    expect(result.info.learnedModel?.modelId).toBe(MODEL_ID);
    const learned = result.records.filter((r) => r.learned);
    // Every truth site of the fixture is a bi-allelic candidate, so the model genotypes them.
    expect(learned.length).toBeGreaterThanOrEqual(fixture.truth.length);
    for (const r of learned) expect(r.modelId).toBe(MODEL_ID);

    const vcfPath = join(dir, 'model.vcf.gz');
    const paths = await writeCallOutputs({ result, vcfPath, bamPath: fixture.bam, referencePath: fixture.reference, commandLine: 'test --model', minGq: 10 });
    const text = gunzipSync(readFileSync(paths.vcf)).toString('utf8');
    expect(text).toContain('##INFO=<ID=EXW,');
    expect(text).toContain('##INFO=<ID=VV,');
    expect(text).toContain(`##GenomAIc_learnedModel=<ID=${MODEL_ID},`);
    const rows = text.split('\n').filter((l) => l && !l.startsWith('#')).map((l) => l.split('\t'));
    const modelRows = rows.filter((f) => f[7]!.includes(`MID=${MODEL_ID};`));
    expect(modelRows.length).toBe(learned.length);
    for (const f of modelRows) {
      expect(f[7]).toMatch(/(^|;)VV=(pass|reroute:[a-z-]+|abstain:[A-Z_]+)(;|$)/);
      expect(f[7]).toMatch(/(^|;)EXW=[a-z-]+:[\d.]+/);
    }

    const view = spawnSync('bcftools', ['view', '-Ov', '-o', '/dev/null', paths.vcf], { encoding: 'utf8' });
    expect(view.stderr).toBe('');
    expect(view.status).toBe(0);
    const query = spawnSync('bcftools', ['query', '-f', '%INFO/MID\t%INFO/VV\t%INFO/EXW\n', paths.vcf], { encoding: 'utf8' });
    expect(query.status).toBe(0);
    expect(query.stdout).toContain(`${MODEL_ID}\t`);

    const sidecar = readFileSync(paths.sidecar, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect((sidecar[0]!.learnedModel as { modelId: string }).modelId).toBe(MODEL_ID);
    const modelLines = sidecar.filter((l) => l.modelId === MODEL_ID);
    expect(modelLines.length).toBe(learned.length);
    for (const l of modelLines) {
      expect(String(l.verifierVerdict)).toMatch(/^(pass|reroute:|abstain:)/);
      expect((l.learned as { experts: unknown[] }).experts.length).toBeGreaterThan(0);
    }
  }, 240_000);

  it("a model-genotyped record's PL is the model's posterior and its QUAL the larger of the model's and the statistical one; statisticalPresence keeps both statistical", async () => {
    const [model, kept, plain] = [await run(MODEL_DIR), await run(MODEL_DIR, { statisticalPresence: true }), await run()];
    const key = (r: CallResult['records'][number]): string => `${r.pos}:${r.ref}:${r.alts.join(',')}`;
    const statAt = new Map(plain.records.map((r) => [key(r), r]));
    let compared = 0;
    for (const r of model.records.filter((x) => x.learned && x.genotype)) {
      const [p00] = r.learned!.posterior;
      expect(r.pl).toHaveLength(3);
      expect(r.pl[genotypeIndex(r.genotype![0], r.genotype![1])]).toBe(0);
      const stat = statAt.get(key(r));
      if (!stat) continue;
      // The sidecar posterior is rounded to 1e-4; QUAL is from the unrounded one.
      if (p00 >= 1e-3) expect(r.qual!).toBeCloseTo(Math.max(stat.qual!, Math.round(-10 * Math.log10(p00) * 100) / 100), 0);
      expect(r.qual!).toBeGreaterThanOrEqual(stat.qual!);
      compared++;
    }
    expect(compared).toBeGreaterThan(0);
    compared = 0;
    for (const r of kept.records.filter((x) => x.learned)) {
      const stat = statAt.get(key(r));
      if (!stat) continue;
      expect(r.qual).toBe(stat.qual);
      expect(r.pl).toEqual(stat.pl);
      compared++;
    }
    expect(compared).toBeGreaterThan(0);
  }, 240_000);

  it("the preset's learnedClasses keeps the other class statistical", async () => {
    const snvOnly = await callVariants({
      bamPath: fixture.bam,
      referencePath: fixture.reference,
      config: { ...loadPlatformPreset('illumina'), learnedClasses: ['snv'] },
      calibration: null,
      modelDir: MODEL_DIR,
    });
    const isIndel = (r: CallResult['records'][number]): boolean => r.alts.some((a) => a.length !== r.ref.length);
    const indels = snvOnly.records.filter(isIndel);
    expect(indels.length).toBeGreaterThan(0);
    for (const r of indels) expect(r.learned).toBeUndefined();
    expect(snvOnly.records.filter((r) => !isIndel(r) && r.learned).length).toBeGreaterThan(0);
    // With both classes (the Illumina preset), the fixture's indels are the model's.
    expect((await run(MODEL_DIR)).records.filter((r) => isIndel(r) && r.learned).length).toBeGreaterThan(0);
  }, 240_000);

  it('the forward pass runs in an inference worker, a tile behind the statistical pass, and gives exactly the in-thread records', async () => {
    const warnings: string[] = [];
    const pooled = await loadLearnedGenotyper(MODEL_DIR, 'illumina', warnings, { inferenceWorkers: 1 });
    expect(warnings).toEqual([]);
    expect(pooled?.inferenceWorkers).toBe(1);
    await pooled?.close();
    // Small tiles: several tiles, so a tile is finished while the next one's forward pass is in flight.
    const tiled = { ...loadPlatformPreset('illumina'), tileSize: 1500 };
    const runTiled = (inferenceWorkers: number): Promise<CallResult> =>
      callVariants({ bamPath: fixture.bam, referencePath: fixture.reference, config: tiled, calibration: null, modelDir: MODEL_DIR, learnedOptions: { inferenceWorkers } });
    const [inWorker, inThread] = [await runTiled(1), await runTiled(0)];
    expect(fixture.coveredLength / tiled.tileSize).toBeGreaterThan(3);
    expect(inWorker.warnings).toEqual([]);
    expect(inWorker.records.filter((r) => r.learned).length).toBeGreaterThanOrEqual(fixture.truth.length);
    expect(JSON.stringify(inWorker.records)).toBe(JSON.stringify(inThread.records));
    expect(JSON.stringify(inWorker.abstentions)).toBe(JSON.stringify(inThread.abstentions));
  }, 240_000);

  it('a run cancelled while a forward pass is in flight stops with the cancel error and no unhandled rejection from the closed worker', async () => {
    const controller = new AbortController();
    let progressEvents = 0;
    const cancelled = callVariants({
      bamPath: fixture.bam,
      referencePath: fixture.reference,
      config: { ...loadPlatformPreset('illumina'), tileSize: 1500 },
      calibration: null,
      modelDir: MODEL_DIR,
      learnedOptions: { inferenceWorkers: 1 },
      signal: controller.signal,
      // The first finished tile: the next tile's forward pass is already with the worker.
      onProgress: () => {
        progressEvents++;
        controller.abort();
      },
    });
    await expect(cancelled).rejects.toThrow(/calling cancelled/);
    expect(progressEvents).toBe(1);
  }, 120_000);

  it('a checkpoint that does not load falls back to the statistical genotyper with a warning naming the file', async () => {
    const bad = join(dir, 'bad-model');
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, 'manifest.json'), '{ not json');
    const [fallback, plain] = [await run(bad), await run()];
    expect(fallback.warnings).toHaveLength(1);
    expect(fallback.warnings[0]).toContain('learned genotyper not used');
    expect(fallback.warnings[0]).toContain(join(bad, 'manifest.json'));
    expect(fallback.info.modelId).toBe(STAT_MODEL_ID);
    expect(fallback.info.learnedModel).toBeUndefined();
    expect(fallback.records.every((r) => r.modelId === STAT_MODEL_ID && r.learned === undefined)).toBe(true);
    // The fallback is exactly the statistical run.
    expect(JSON.stringify(fallback.records)).toBe(JSON.stringify(plain.records));
  }, 240_000);

  it('a missing folder also falls back, naming the path', async () => {
    const missing = join(dir, 'no-such-model');
    const result = await run(missing);
    expect(result.warnings).toHaveLength(1);
    expect(result.warnings[0]).toContain(missing);
    expect(result.records.every((r) => r.modelId === STAT_MODEL_ID)).toBe(true);
  }, 240_000);
});

describe('callVariants with a model, on real phased ONT reads across tiles', () => {
  // tests/fixtures/call/README.md: 29 ONT reads of 2–40 kb over 65 het SNVs and a TA>T 1|0
  // that is called only when the reads are phased.
  const SITE = 2171346;
  let sliceDir: string;
  let slice: KitSlice;
  beforeAll(() => {
    sliceDir = mkdtempSync(join(tmpdir(), 'genomaic-learned-phased-'));
    slice = kitSlice(`ont-phased-indel-chr20_${SITE}`, sliceDir);
  });
  afterAll(() => rmSync(sliceDir, { recursive: true, force: true }));

  it('the loci the model does not genotype are exactly the statistical run\'s, phased the same (one genotyping pass serves both)', async () => {
    // Tiles of 4 kb over 30 kb: windows past a tile's end are genotyped with it (the model reads
    // their verdicts), and the phased pass must still give every locus what --statistical gives.
    const config = { ...loadPlatformPreset('ont'), tileSize: 4000 };
    const regions = [{ contig: '20', start: SITE - 15000, end: SITE + 15000 }];
    const call = (modelDir: string | undefined, learnedClasses: ('snv' | 'indel')[]): Promise<CallResult> =>
      callVariants({ bamPath: slice.bam, referencePath: slice.reference, config: { ...config, learnedClasses }, calibration: null, regions, ...(modelDir ? { modelDir } : {}) });
    const statistical = await call(undefined, ['snv']);
    const genotypedByNone = await call(MODEL_DIR, []);
    const snvsByModel = await call(MODEL_DIR, ['snv']);
    expect(genotypedByNone.warnings).toEqual([]);
    expect(JSON.stringify(genotypedByNone.records)).toBe(JSON.stringify(statistical.records));
    expect(JSON.stringify(genotypedByNone.abstentions)).toBe(JSON.stringify(statistical.abstentions));
    const isIndel = (r: CallResult['records'][number]): boolean => r.alts.some((a) => a.length !== r.ref.length);
    expect(snvsByModel.records.filter((r) => !isIndel(r) && r.learned).length).toBeGreaterThan(30);
    expect(JSON.stringify(snvsByModel.records.filter(isIndel))).toBe(JSON.stringify(statistical.records.filter(isIndel)));
    const phasedIndel = snvsByModel.records.find((r) => r.pos === SITE - 1 && r.ref === 'TA' && r.alts[0] === 'T');
    expect(phasedIndel?.genotype).toEqual([0, 1]);
  }, 240_000);
});
