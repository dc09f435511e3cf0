/**
 * The caller-facing entry point: a tile of columns in, one verified call per candidate out,
 * carrying the provenance the VCF needs. Checked with a trained tiny model on synthetic
 * evidence: a clear het passes as het with its experts recorded, and the verifier's evidence
 * rules fire from the column's own counts whatever the model says.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModelTrainingConfig } from '../../../engine/model/config.js';
import { trainModel } from '../../../engine/model/train.js';
import { loadCheckpoint } from '../../../engine/model/checkpoint.js';
import { verifierEvidenceFor, type ModelCall } from '../../../engine/model/genotype.js';
import { genotypeTile } from '../../../engine/model/tile-inference.js';
import { generateSyntheticTile } from '../../../engine/model/synthetic.js';
import { SeededRandom } from '../../../engine/util/seeded-random.js';
import { emptyAlleleCounts, type PileupColumnEvidence, type ReferenceBase } from '../../../engine/model/features.js';
import type { GenomeLtmMoe } from '../../../engine/model/model.js';
import { findPackageRoot } from '../../../engine/version.js';
import { tf, useProductBackend } from './helpers.js';

const REFERENCE = 'ACGTTGCAACGTAGCTAGCTTACGGATCCGATCGATGCTAGCTAGGCTAACGTACGATCGTAGCTAGCATGCATCGAC';

function columnsWith(overrides: Map<number, Partial<PileupColumnEvidence>>): PileupColumnEvidence[] {
  return [...REFERENCE].map((base, i) => {
    const refBase = base as ReferenceBase;
    const forward = emptyAlleleCounts();
    const reverse = emptyAlleleCounts();
    forward[refBase as 'A'] = 15;
    reverse[refBase as 'A'] = 15;
    return {
      position: 1000 + i, refBase, forward, reverse,
      refMeanBaseQuality: 35, altMeanBaseQuality: 0, refMeanMappingQuality: 60, altMeanMappingQuality: 0,
      refNearReadEndFraction: 0.1, altNearReadEndFraction: 0, lowMappingQualityFraction: 0, platform: 'illumina',
      ...overrides.get(i),
    };
  });
}

describe('genotypeTile', () => {
  let dir: string;
  let model: GenomeLtmMoe;

  beforeAll(async () => {
    await useProductBackend();
    dir = mkdtempSync(join(tmpdir(), 'genomaic-genotype-'));
    const tiny = loadModelTrainingConfig(join(findPackageRoot(), 'configs', 'model', 'tiny.yaml'));
    await trainModel({ config: tiny, outDir: dir });
    ({ model } = await loadCheckpoint(dir));
  });
  afterAll(() => {
    model.dispose();
    rmSync(dir, { recursive: true, force: true });
  });

  it('calls the synthetic task\'s true variants, with experts and verdict as provenance', async () => {
    // In-distribution evidence: held-out synthetic tiles (a seed training never used).
    const random = new SeededRandom(4242);
    const calls: { truth: number; call: ModelCall }[] = [];
    const before = tf.memory().numTensors;
    for (let tile = 0; tile < 6; tile++) {
      const synthetic = generateSyntheticTile(random, 256, { source: 'synthetic', meanDepth: 30, variantRate: 0.05, platforms: ['illumina'] }, tile * 256);
      const sites = synthetic.columns
        .map((column, i) => ({ column, i }))
        .filter(({ i }) => synthetic.genotypes[i]! > 0)
        .map(({ column }) => ({ position: column.position, isIndel: column.altAllele === 'del', repeatLength: 1 }));
      const result = await genotypeTile(model, 'genomeltm-moe-tiny', synthetic.columns, sites);
      for (const call of result) calls.push({ truth: synthetic.genotypes[call.position - tile * 256]!, call });
    }
    expect(tf.memory().numTensors).toBe(before);
    expect(calls.length).toBeGreaterThan(30);
    const passedRight = calls.filter(({ truth, call }) => call.verifier.verdict.kind !== 'abstain' && call.verifier.genotype === truth).length;
    const passedWrong = calls.filter(({ truth, call }) => call.verifier.verdict.kind !== 'abstain' && call.verifier.genotype !== truth).length;
    // Most true variants are called right; calls that stand are rarely wrong (abstention works).
    // The tiny model (60 steps) is unsure on many variants, and the verifier abstains on those;
    // what must hold: its genotypes beat chance, and the calls that stand are rarely wrong.
    const argmaxRight = calls.filter(({ truth, call }) => call.verifier.genotype === truth).length;
    expect(argmaxRight / calls.length).toBeGreaterThan(0.5);
    expect(passedRight).toBeGreaterThan(0);
    expect(passedWrong / Math.max(1, passedRight + passedWrong)).toBeLessThan(0.2);
    for (const { call } of calls) {
      expect(call.provenance.modelId).toBe('genomeltm-moe-tiny');
      expect(call.provenance.experts).toHaveLength(2);
      expect(call.provenance.experts.reduce((sum, e) => sum + e.weight, 0)).toBeCloseTo(1, 2);
      expect(call.provenance.verdict).toBe(call.verifier.verdict.kind);
    }
  });

  it('abstains from the column evidence: low depth and one-strand alt reads', async () => {
    const lowDepth = columnsWith(new Map([[20, { forward: { ...emptyAlleleCounts(), [REFERENCE[20]!]: 1 }, reverse: emptyAlleleCounts() }]]));
    const [thin] = await genotypeTile(model, 'm', lowDepth, [{ position: 1020, isIndel: false, repeatLength: 1 }]);
    expect(thin!.verifier.verdict).toMatchObject({ kind: 'abstain', reason: 'LOW_DEPTH' });
    expect(thin!.provenance.verdict).toBe('abstain');
    await expect(genotypeTile(model, 'm', lowDepth, [{ position: 5, isIndel: false, repeatLength: 1 }])).rejects.toThrow(/outside the tile/);
  });

  it('an insertion\'s reference reads are those without it (a hom-alt insertion is not half reference)', () => {
    // 30 reads all show the base and all carry the insertion after it: a hom-alt insertion.
    const [column] = columnsWith(new Map([[0, { forward: { ...emptyAlleleCounts(), A: 15, ins: 15 }, reverse: { ...emptyAlleleCounts(), A: 15, ins: 15 }, altAllele: 'ins' as const }]]));
    const prediction = { posterior: [0.001, 0.001, 0.998] as [number, number, number], experts: [], expertPosteriors: [] };
    const evidence = verifierEvidenceFor(column!, { position: 1000, isIndel: true, repeatLength: 1 }, prediction, [], -1);
    expect(evidence).toMatchObject({ refForward: 0, refReverse: 0, altForward: 15, altReverse: 15, depth: 30 });
  });

  it("reads the statistical genotyper's realigned support when the site carries it, not the column's counts", () => {
    // The column shows 2 of 30 reads with the deletion (the others spelled it elsewhere); realignment assigned 14.
    const [column] = columnsWith(new Map([[0, { forward: { ...emptyAlleleCounts(), A: 14, del: 1 }, reverse: { ...emptyAlleleCounts(), A: 14, del: 1 }, altAllele: 'del' as const }]]));
    const prediction = { posterior: [0.01, 0.98, 0.01] as [number, number, number], experts: [], expertPosteriors: [] };
    const site = { position: 1000, isIndel: true, repeatLength: 12 };
    expect(verifierEvidenceFor(column!, site, prediction, [], -1)).toMatchObject({ refForward: 14, refReverse: 14, altForward: 1, altReverse: 1 });
    const readSupport = { refForward: 8, refReverse: 8, altForward: 7, altReverse: 7 };
    expect(verifierEvidenceFor(column!, { ...site, readSupport }, prediction, [], -1)).toMatchObject(readSupport);
  });

  it('without the verifier (ablation) the routed answer stands, unchecked', async () => {
    const lowDepth = columnsWith(new Map([[20, { forward: { ...emptyAlleleCounts(), [REFERENCE[20]!]: 1 }, reverse: emptyAlleleCounts() }]]));
    const [raw] = await genotypeTile(model, 'm', lowDepth, [{ position: 1020, isIndel: false, repeatLength: 1 }], undefined, { verify: false });
    expect(raw!.verifier.verdict).toEqual({ kind: 'pass' });
    expect(raw!.verifier.findings).toEqual([]);
    expect(raw!.verifier.posterior).toEqual(raw!.prediction.posterior);
  });
});
