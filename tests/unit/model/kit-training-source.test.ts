/**
 * The benchmark-kit training source on a hand-made kit: a 3 kb reference, a regions file with
 * one evaluation, one training and one calibration region, a truth VCF and a BAM made here by
 * samtools from SAM text, laid out where bench/data.ts `kitPaths` puts them. A second suite
 * (tiny2, seed 2, data only) holds copies of the same files, to test training on several suites.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSuite } from '../../../bench/config.js';
import { kitDatasets, validateModelTrainingConfig, type KitDataSettings } from '../../../engine/model/config.js';
import { kitFiles, KitTrainingSource, openKitTrainingSource } from '../../../engine/model/kit-training-source.js';
import { SeededRandom } from '../../../engine/util/seeded-random.js';
import { BACKGROUND_WEIGHT } from '../../../engine/model/synthetic.js';
import { CHANNEL_INDEX, FEATURE_COUNT } from '../../../engine/model/features.js';

const CONTIG_LENGTH = 3000;
const TILE = 16;
const READ_START = 1100;
const READ_LENGTH = 60;
/** 0-based positions of the fixture's alleles. */
const HET_SNV = 1109;
const ERROR_SNV = 1119;
const HOM_SNV = 1129;
/** Deletion of 1140–1141 after the anchor 1139: its column is the first deleted base. */
const DELETION_ANCHOR = 1139;
const EVAL_SNV = 500;
const CALIB_SNV = 2099;

const REGIONS_YAML = `
reference:
  contig: "20"
truth:
  sample: KIT
regions:
  - { name: eval-a, start: 1, end: 1000, role: evaluation }
  - { name: train-b, start: 1001, end: 2000, role: training }
  - { name: calib-c, start: 2001, end: 3000, role: calibration }
suites:
  tiny:
    simulate: [eval-a, train-b, calib-c]
    evaluate: [eval-a]
    flank: 0
    coverage: 8
    platforms: [illumina]
    seed: 1
  tiny2:
    simulate: [train-b, calib-c]
    evaluate: []
    flank: 0
    coverage: 8
    platforms: [illumina]
    seed: 2
  tiny-twin:
    simulate: [train-b, calib-c]
    evaluate: []
    flank: 0
    coverage: 8
    platforms: [illumina]
    seed: 1
  tiny-eval:
    simulate: [eval-a]
    evaluate: [eval-a]
    flank: 0
    coverage: 8
    platforms: [illumina]
    seed: 3
  tiny-unbuilt:
    simulate: [train-b, calib-c]
    evaluate: []
    flank: 0
    coverage: 8
    platforms: [illumina]
    seed: 4
`;

function otherBase(base: string): string {
  return base === 'A' ? 'C' : 'A';
}

function makeReference(): string[] {
  const random = new SeededRandom(11);
  const bases = Array.from({ length: CONTIG_LENGTH }, () => 'ACGT'[random.int(4)]!);
  // Fixed bases at the deletion so it cannot be left-aligned elsewhere.
  bases.splice(DELETION_ANCHOR, 4, 'A', 'C', 'G', 'T');
  return bases;
}

/** SAM line of a read over [start, start + length) carrying the given substitutions (and optionally the deletion). */
function samRead(name: string, reference: readonly string[], start: number, reverse: boolean, substitutions: ReadonlyMap<number, string>, withDeletion: boolean): string {
  let sequence = '';
  let cigar: string;
  if (withDeletion) {
    const before = DELETION_ANCHOR + 1 - start;
    for (let p = start; p <= DELETION_ANCHOR; p++) sequence += substitutions.get(p) ?? reference[p]!;
    const after = READ_LENGTH - before;
    for (let p = DELETION_ANCHOR + 3; p < DELETION_ANCHOR + 3 + after; p++) sequence += substitutions.get(p) ?? reference[p]!;
    cigar = `${before}M2D${after}M`;
  } else {
    for (let p = start; p < start + READ_LENGTH; p++) sequence += substitutions.get(p) ?? reference[p]!;
    cigar = `${READ_LENGTH}M`;
  }
  return [name, reverse ? 16 : 0, '20', start + 1, 60, cigar, '*', 0, 0, sequence, 'I'.repeat(sequence.length)].join('\t');
}

describe('kit training source', () => {
  let root: string;
  let cacheRoot: string;
  let regionsFile: string;
  const settings: KitDataSettings = {
    source: 'kit',
    dataset: 'tiny',
    trainingRegions: ['train-b'],
    heldOutRegions: ['calib-c'],
    platforms: ['illumina'],
    tilesPerPlatform: 1000,
    backgroundTileFraction: 0,
  };
  /** The same settings reading several suites (data.datasets instead of data.dataset). */
  const withSuites = (datasets: string[]): KitDataSettings => {
    const { dataset: _dataset, ...common } = settings;
    return { ...common, datasets };
  };
  const options = (): { seed: number; tileLength: number; heldOutTiles: number; cacheRoot: string; regionsFile: string } => ({ seed: 3, tileLength: TILE, heldOutTiles: 62, cacheRoot, regionsFile });

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'genomaic-kit-source-'));
    cacheRoot = join(root, 'cache');
    regionsFile = join(root, 'regions.yaml');
    writeFileSync(regionsFile, REGIONS_YAML);
    const reference = makeReference();
    const files = kitFiles(cacheRoot, loadSuite('tiny', regionsFile), ['illumina']);
    writeFileSync(files.reference, `>20\n${reference.join('').replace(/(.{60})/g, '$1\n')}\n`);
    execFileSync('samtools', ['faidx', files.reference]);

    const het = otherBase(reference[HET_SNV]!);
    const hom = otherBase(reference[HOM_SNV]!);
    const error = otherBase(reference[ERROR_SNV]!);
    const evalAlt = otherBase(reference[EVAL_SNV]!);
    const calibAlt = otherBase(reference[CALIB_SNV]!);
    const vcf = [
      '##fileformat=VCFv4.2',
      '##contig=<ID=20,length=3000>',
      '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
      '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tKIT',
      `20\t${EVAL_SNV + 1}\t.\t${reference[EVAL_SNV]}\t${evalAlt}\t.\tPASS\t.\tGT\t1|1`,
      `20\t${HET_SNV + 1}\t.\t${reference[HET_SNV]}\t${het}\t.\tPASS\t.\tGT\t0|1`,
      `20\t${HOM_SNV + 1}\t.\t${reference[HOM_SNV]}\t${hom}\t.\tPASS\t.\tGT\t1|1`,
      `20\t${DELETION_ANCHOR + 1}\t.\tACG\tA\t.\tPASS\t.\tGT\t1|0`,
      `20\t${CALIB_SNV + 1}\t.\t${reference[CALIB_SNV]}\t${calibAlt}\t.\tPASS\t.\tGT\t0|1`,
    ].join('\n');
    const plainVcf = files.truthVcf.replace(/\.gz$/, '');
    writeFileSync(plainVcf, `${vcf}\n`);
    execFileSync('bgzip', ['-f', plainVcf]);

    const sam = ['@HD\tVN:1.6\tSO:unsorted', `@SQ\tSN:20\tLN:${CONTIG_LENGTH}`, '@RG\tID:illumina\tSM:KIT\tPL:ILLUMINA'];
    for (let r = 0; r < 8; r++) {
      const substitutions = new Map<number, string>([[HOM_SNV, hom]]);
      if (r < 4) substitutions.set(HET_SNV, het);
      if (r >= 5) substitutions.set(ERROR_SNV, error);
      sam.push(samRead(`train${r}`, reference, READ_START, r % 2 === 1, substitutions, r % 2 === 0));
      sam.push(samRead(`eval${r}`, reference, EVAL_SNV - 30, r % 2 === 1, new Map([[EVAL_SNV, evalAlt]]), false));
      sam.push(samRead(`calib${r}`, reference, CALIB_SNV - 30, r % 2 === 1, r < 4 ? new Map([[CALIB_SNV, calibAlt]]) : new Map<number, string>(), false));
    }
    const samPath = join(root, 'reads.sam');
    writeFileSync(samPath, `${sam.join('\n')}\n`);
    const bam = files.bams.illumina!;
    mkdirSync(join(bam, '..'), { recursive: true });
    execFileSync('samtools', ['sort', '-o', bam, samPath]);
    execFileSync('samtools', ['index', bam]);
    // The other data-only suites hold the same files (tiny-unbuilt holds none).
    for (const name of ['tiny2', 'tiny-twin']) {
      const copy = kitFiles(cacheRoot, loadSuite(name, regionsFile), ['illumina']);
      mkdirSync(join(copy.bams.illumina!, '..'), { recursive: true });
      for (const [from, to] of [[files.truthVcf, copy.truthVcf], [bam, copy.bams.illumina!], [`${bam}.bai`, `${copy.bams.illumina!}.bai`]] as const) copyFileSync(from, to);
    }
  });

  afterAll(() => {
    rmSync(root, { recursive: true, force: true });
  });

  it('labels and weights land on the right columns, from training regions only', async () => {
    const source = await openKitTrainingSource(settings, options());
    expect(source).toBeInstanceOf(KitTrainingSource);
    const pool = source.trainingPool;
    // backgroundTileFraction 0: only tiles with a truth site or a candidate.
    expect(pool.length).toBeGreaterThan(0);
    for (const tile of pool) {
      expect(tile.start).toBeGreaterThanOrEqual(1000);
      expect(tile.start + TILE).toBeLessThanOrEqual(2000);
    }
    const at = (position: number): { label: number; weight: number; candidate: number } => {
      const tile = pool.find((t) => position >= t.start && position < t.start + TILE);
      if (!tile) throw new Error(`no training tile holds ${position}`);
      const i = position - tile.start;
      return { label: tile.labels[i]!, weight: tile.weights[i]!, candidate: tile.candidate[i]! };
    };
    expect(at(HET_SNV)).toEqual({ label: 1, weight: 1, candidate: 1 });
    expect(at(HOM_SNV)).toEqual({ label: 2, weight: 1, candidate: 1 });
    // The deletion's column is its first deleted base, the allele "del".
    expect(at(DELETION_ANCHOR + 1)).toEqual({ label: 1, weight: 1, candidate: 1 });
    // A candidate the truth does not have: genotype 0, full weight.
    expect(at(ERROR_SNV)).toEqual({ label: 0, weight: 1, candidate: 1 });
    // Candidate columns carry the statistical genotyper's verdict (schema 2); others do not.
    const channel = (position: number, name: keyof typeof CHANNEL_INDEX): number => {
      const tile = pool.find((t) => position >= t.start && position < t.start + TILE)!;
      return tile.features[(position - tile.start) * FEATURE_COUNT + CHANNEL_INDEX[name]]!;
    };
    expect(channel(HET_SNV, 'baseline_present')).toBe(1);
    expect(channel(HET_SNV, 'baseline_het')).toBeGreaterThan(0.9);
    expect(channel(HOM_SNV, 'baseline_hom_alt')).toBeGreaterThan(0.9);
    expect(channel(DELETION_ANCHOR + 1, 'baseline_indel')).toBe(1);
    expect(channel(HET_SNV + 2, 'baseline_present')).toBe(0);
    // Background: small weight, hom-ref.
    const background = at(HET_SNV + 2);
    expect(background.label).toBe(0);
    expect(background.candidate).toBe(0);
    expect(background.weight).toBeCloseTo(BACKGROUND_WEIGHT, 6);

    // Held-out tiles come from the calibration region only; the split records what was excluded.
    for (const tile of source.heldOutPool) expect(tile.start).toBeGreaterThanOrEqual(2000);
    expect(source.split).toMatchObject({ suite: 'tiny', training: [{ name: 'train-b' }], heldOut: [{ name: 'calib-c' }], excludedEvaluation: [{ name: 'eval-a' }] });
    const batch = source.trainingBatch(4, TILE);
    expect(batch.features.length).toBe(4 * TILE * FEATURE_COUNT);
    expect(source.heldOutBatches(62, TILE, 8).reduce((n, b) => n + b.batchSize, 0)).toBe(62);

    // Same inputs, same hash (files, regions, presets and settings are all in it).
    const again = await openKitTrainingSource(settings, options());
    expect(again.dataHash).toBe(source.dataHash);
  });

  it('trains on several suites: each adds its tiles from the same regions, and the split records every suite', async () => {
    const single = await openKitTrainingSource(settings, options());
    const lines: string[] = [];
    const multi = withSuites(['tiny', 'tiny2']);
    const both = await openKitTrainingSource(multi, { ...options(), log: (line) => lines.push(line) });
    // The cap is per platform and suite, so a second suite doubles the pool (here: the same files).
    expect(both.trainingPool.length).toBe(2 * single.trainingPool.length);
    for (const name of ['tiny', 'tiny2']) {
      expect(both.trainingPool.filter((t) => t.dataset === name).map((t) => t.start)).toEqual(single.trainingPool.map((t) => t.start));
    }
    // Held out: the same budget, shared by the suites, in position order, inside calib-c only.
    const heldOut = both.heldOutPool;
    expect(heldOut.length).toBe(62);
    expect(new Set(heldOut.map((t) => t.dataset))).toEqual(new Set(['tiny', 'tiny2']));
    for (const [i, tile] of heldOut.entries()) {
      expect(tile.start).toBeGreaterThanOrEqual(2000);
      if (i > 0) expect(tile.start).toBeGreaterThanOrEqual(heldOut[i - 1]!.start);
    }
    expect(both.split).toMatchObject({
      suite: 'tiny + tiny2',
      datasets: [
        { suite: 'tiny', seed: 1, simulated: [{ name: 'eval-a', role: 'evaluation' }, { name: 'train-b' }, { name: 'calib-c' }] },
        { suite: 'tiny2', seed: 2, simulated: [{ name: 'train-b', role: 'training' }, { name: 'calib-c', role: 'calibration' }] },
      ],
      training: [{ name: 'train-b' }],
      heldOut: [{ name: 'calib-c' }],
      excludedEvaluation: [{ name: 'eval-a' }],
    });
    expect(both.description).toContain('suites tiny (seed 1), tiny2 (seed 2)');
    expect(both.dataHash).not.toBe(single.dataHash);
    // Per suite and platform, the log counts SNV and indel candidates (indels are the scarce ones).
    expect(lines.filter((l) => /^kit tiny2? illumina .*SNV \d+, \d+ true; indel \d+, \d+ true/.test(l))).toHaveLength(2);
  });

  it('refuses a suite list that would break the split or repeat a simulation', async () => {
    await expect(openKitTrainingSource(withSuites(['tiny', 'tiny-twin']), options())).rejects.toThrow(/data\.datasets\[1\]: suite tiny-twin has seed 1, as suite tiny does/);
    await expect(openKitTrainingSource(withSuites(['tiny2', 'tiny-eval']), options())).rejects.toThrow(/suite tiny-eval does not simulate region train-b/);
    await expect(openKitTrainingSource(withSuites(['tiny', 'nowhere']), options())).rejects.toThrow(/data\.datasets\[1\]: .*no suite 'nowhere'/);
    await expect(openKitTrainingSource({ ...withSuites(['tiny2']), trainingRegions: ['eval-a'] }, options())).rejects.toThrow(/region eval-a is an evaluation region/);
    await expect(openKitTrainingSource(withSuites(['tiny', 'tiny-unbuilt']), options())).rejects.toThrow(/is missing; build the kit's data with: npm run bench -- --suite tiny-unbuilt/);
  });

  it('refuses evaluation regions, unknown regions and missing kit files', async () => {
    await expect(openKitTrainingSource({ ...settings, trainingRegions: ['eval-a'] }, options())).rejects.toThrow(/trainingRegions\[0\]: region eval-a is an evaluation region/);
    await expect(openKitTrainingSource({ ...settings, heldOutRegions: ['eval-a'] }, options())).rejects.toThrow(/heldOutRegions\[0\]: region eval-a is an evaluation region/);
    await expect(openKitTrainingSource({ ...settings, trainingRegions: ['calib-c'], heldOutRegions: ['train-b'] }, options())).rejects.toThrow(/role calibration/);
    await expect(openKitTrainingSource({ ...settings, trainingRegions: ['nowhere'] }, options())).rejects.toThrow(/no region 'nowhere'/);
    const emptyCache = join(root, 'empty-cache');
    const missing = kitFiles(emptyCache, loadSuite('tiny', regionsFile), ['illumina']).reference;
    await expect(openKitTrainingSource(settings, { ...options(), cacheRoot: emptyCache })).rejects.toThrow(`${missing} is missing; build the kit's data with: npm run bench -- --suite tiny`);
  });

  it('validates the data.source: kit section, naming file and key', () => {
    const document = {
      modelId: 'kit-test',
      seed: 1,
      model: { dModel: 8, layers: 1, heads: 1, headDim: 4, stateDim: 4, chunkSize: 8, experts: ['a', 'b'], topK: 1, expertHidden: 4, backwardHorizon: 16 },
      training: { steps: 1, batchSize: 1, tileLength: 16, learningRate: 0.01, validationTiles: 1 },
      data: { source: 'kit', dataset: 'tiny', trainingRegions: ['train-b'], heldOutRegions: ['calib-c'], platforms: ['illumina'], tilesPerPlatform: 10 },
    };
    const config = validateModelTrainingConfig(document, 'kit.yaml');
    expect(config.data).toMatchObject({ source: 'kit', dataset: 'tiny', backgroundTileFraction: 0.1 });
    expect(() => validateModelTrainingConfig({ ...document, data: { ...document.data, heldOutRegions: ['train-b'] } }, 'kit.yaml')).toThrow('kit.yaml: data.heldOutRegions: names train-b');
    expect(() => validateModelTrainingConfig({ ...document, data: { ...document.data, meanDepth: 30 } }, 'kit.yaml')).toThrow('kit.yaml: data.meanDepth: is not a known setting');
    expect(() => validateModelTrainingConfig({ ...document, data: { ...document.data, dataset: undefined } }, 'kit.yaml')).toThrow('kit.yaml: data.dataset: is required');
    // One suite keeps its key (and so its config hash); several are a list under data.datasets.
    expect(config.data).not.toHaveProperty('datasets');
    expect(kitDatasets(config.data as KitDataSettings)).toEqual(['tiny']);
    const { dataset: _dataset, ...withoutDataset } = document.data;
    const several = validateModelTrainingConfig({ ...document, data: { ...withoutDataset, datasets: ['tiny', 'tiny2'] } }, 'kit.yaml');
    expect(several.data).not.toHaveProperty('dataset');
    expect(kitDatasets(several.data as KitDataSettings)).toEqual(['tiny', 'tiny2']);
    expect(() => validateModelTrainingConfig({ ...document, data: { ...document.data, datasets: ['tiny2'] } }, 'kit.yaml')).toThrow('kit.yaml: data.datasets: give either data.dataset (one suite) or data.datasets (a list), not both');
    expect(() => validateModelTrainingConfig({ ...document, data: { ...withoutDataset, datasets: ['tiny', 'tiny'] } }, 'kit.yaml')).toThrow('kit.yaml: data.datasets: has duplicate names');
    expect(() => validateModelTrainingConfig({ ...document, data: { ...withoutDataset, datasets: [] } }, 'kit.yaml')).toThrow('kit.yaml: data.datasets: must be a list of 1 to 16 names');
    expect(() => validateModelTrainingConfig({ ...document, data: { ...withoutDataset, datasets: 'tiny' } }, 'kit.yaml')).toThrow('kit.yaml: data.datasets: must be a list');
  });
});
