/**
 * The training loop is exercised end to end on the tiny config: it must learn (loss falls,
 * held-out accuracy beats both the majority class and the allele-fraction rule a naive caller
 * would use), be reproducible from its seed, and write a checkpoint that loads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadModelTrainingConfig } from '../../../engine/model/config.js';
import { augmentReverseComplement, trainModel } from '../../../engine/model/train.js';
import { loadCheckpoint } from '../../../engine/model/checkpoint.js';
import { SyntheticExampleSource } from '../../../engine/model/synthetic.js';
import { SeededRandom } from '../../../engine/util/seeded-random.js';
import { FEATURE_COUNT, reverseComplementTile } from '../../../engine/model/features.js';
import { findPackageRoot } from '../../../engine/version.js';
import { hashConfig } from '../../../engine/util/canonical-json.js';
import { tf, useProductBackend } from './helpers.js';

const tiny = loadModelTrainingConfig(join(findPackageRoot(), 'configs', 'model', 'tiny.yaml'));
let root: string;

describe('training', () => {
  beforeAll(async () => {
    await useProductBackend();
    root = mkdtempSync(join(tmpdir(), 'genomaic-train-'));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  it('learns the synthetic task in seconds and writes a loadable checkpoint', async () => {
    const out = join(root, 'tiny');
    const tensorsBefore = tf.memory().numTensors;
    const result = await trainModel({ config: tiny, outDir: out });
    const first = result.lossHistory.slice(0, 10).reduce((a, b) => a + b, 0) / 10;
    const last = result.lossHistory.slice(-10).reduce((a, b) => a + b, 0) / 10;
    expect(last).toBeLessThan(0.7 * first);
    expect(result.metrics.heldOutCandidates).toBeGreaterThan(100);
    // Beats chance (1/3) and halves the error of always answering the commonest class.
    expect(result.metrics.candidateAccuracy).toBeGreaterThan(1 / 3);
    expect(1 - result.metrics.candidateAccuracy!).toBeLessThan(0.5 * (1 - result.metrics.majorityClassRate!));
    expect(result.metrics.candidateAccuracy).toBeGreaterThan(result.metrics.alleleFractionBaselineAccuracy!);
    expect(result.metrics.temperature).toBeGreaterThan(0);
    expect(result.seconds).toBeLessThan(60);
    expect(tf.memory().numTensors).toBe(tensorsBefore);
    expect(existsSync(join(out, 'training.log'))).toBe(true);
    const { model, manifest } = await loadCheckpoint(out);
    expect(manifest.configHash).toBe(hashConfig(tiny));
    expect(manifest.dataHash).toBe(new SyntheticExampleSource(tiny.data, tiny.seed).dataHash);
    expect(manifest.dataSplit).toMatchObject({ train: { stream: 'train' }, heldOut: { stream: 'held-out' } });
    expect(manifest.metrics.candidateAccuracy).toBe(result.metrics.candidateAccuracy);
    expect(model.temperature).toBeCloseTo(result.metrics.temperature!, 3);
    model.dispose();
  });

  it('is reproducible: the same config and seed give the same weights', async () => {
    const short = { ...tiny, training: { ...tiny.training, steps: 4, validationTiles: 2 } };
    const a = await trainModel({ config: short, outDir: join(root, 'a') });
    const b = await trainModel({ config: short, outDir: join(root, 'b') });
    expect(a.manifest.weights.sha256).toBe(b.manifest.weights.sha256);
    const c = await trainModel({ config: { ...short, seed: short.seed + 1 }, outDir: join(root, 'c') });
    expect(c.manifest.weights.sha256).not.toBe(a.manifest.weights.sha256);
  });

  it('reverse-complement augmentation flips features and labels together', () => {
    const source = new SyntheticExampleSource(tiny.data, 3);
    const batch = source.trainingBatch(2, 32);
    const flipped = augmentReverseComplement(batch, 1, new SeededRandom(1));
    const tile0 = batch.features.subarray(0, 32 * FEATURE_COUNT);
    expect(Array.from(flipped.features.subarray(0, 32 * FEATURE_COUNT))).toEqual(Array.from(reverseComplementTile(tile0, 32)));
    expect(Array.from(flipped.labels.subarray(0, 32))).toEqual(Array.from(batch.labels.subarray(0, 32)).reverse());
    expect(augmentReverseComplement(batch, 0, new SeededRandom(1))).toBe(batch);
  });
});
