/**
 * The baseline skip (architecture `baselineSkip`): the statistical genotyper's log-likelihoods,
 * times a learned scale, are added to every expert's logits, so the heads learn a correction
 * to the statistical verdict. Tested: the offset is exactly the scaled log-likelihoods where a
 * column has a verdict and nothing elsewhere; the floor before the log is the architecture's
 * `baselineFloor`; `baselineScale` scales SNV and indel verdicts apart (a fixed class at 1, not a
 * parameter); streaming keeps it (tile by tile equals the
 * whole-sequence forward); a model without the skip refuses nothing and is unchanged; the
 * config key is validated.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { GenomeLtmMoe } from '../../../engine/model/model.js';
import { baselineLogLikelihoods, runMoe, defineMoe } from '../../../engine/model/moe.js';
import { ParameterStore } from '../../../engine/model/params.js';
import { arrayFeatureSource, streamPredict } from '../../../engine/model/streaming.js';
import { loadModelTrainingConfig, type ModelArchitecture } from '../../../engine/model/config.js';
import { CHANNEL_INDEX, FEATURE_COUNT } from '../../../engine/model/features.js';
import { SeededRandom } from '../../../engine/util/seeded-random.js';
import { maxAbs, maxAbsDifference, randomArray, tf, useProductBackend } from './helpers.js';

const base: ModelArchitecture = {
  dModel: 12, layers: 2, heads: 2, headDim: 4, stateDim: 4, chunkSize: 16,
  experts: ['repeats', 'gc-extremes', 'platform-errors', 'unique'], topK: 2, expertHidden: 8, backwardHorizon: 32,
};
const withSkip: ModelArchitecture = { ...base, baselineSkip: true };
const length = 120;

/** Random features with a statistical verdict at every third column. */
function featuresWithVerdicts(): Float32Array {
  const features = randomArray(new SeededRandom(5), length * FEATURE_COUNT, 0.5, 0.2);
  const c = CHANNEL_INDEX;
  const random = new SeededRandom(6);
  for (let i = 0; i < length; i++) {
    const row = i * FEATURE_COUNT;
    const present = i % 3 === 0;
    features[row + c.baseline_present] = present ? 1 : 0;
    const raw = [random.next(), random.next() * 1e-3, random.next() * 1e-8];
    const sum = raw[0]! + raw[1]! + raw[2]!;
    for (let k = 0; k < 3; k++) features[row + c.baseline_hom_ref + k] = present ? raw[k]! / sum : 0;
  }
  return features;
}

describe('baseline skip', () => {
  beforeAll(async () => {
    await useProductBackend();
  });

  it('adds the scaled statistical log-likelihoods to every expert, only where a column has a verdict', () => {
    const features = featuresWithVerdicts();
    const x = tf.tensor3d(features, [1, length, FEATURE_COUNT]);
    const hidden = tf.tensor3d(randomArray(new SeededRandom(7), length * base.dModel), [1, length, base.dModel]);
    const plain = new ParameterStore(new SeededRandom(1));
    defineMoe(plain, base);
    const skip = new ParameterStore(new SeededRandom(1));
    defineMoe(skip, withSkip);
    skip.get('baseline.scale').assign(tf.tensor1d([0.7]));
    const model = GenomeLtmMoe.create(withSkip, 1);
    const a = runMoe(plain, base, hidden);
    const b = runMoe(skip, withSkip, hidden, tf.tidy(() => {
      // What GenomeLtmMoe.heads passes: log of the floored likelihoods, zero without a verdict.
      const c = CHANNEL_INDEX;
      return tf.log(x.slice([0, 0, c.baseline_hom_ref], [-1, -1, 3]).maximum(1e-6)).mul(x.slice([0, 0, c.baseline_present], [-1, -1, 1])) as tf.Tensor3D;
    }));
    const expertA = a.expertLogits.arraySync()[0]!;
    const expertB = b.expertLogits.arraySync()[0]!;
    for (let i = 0; i < length; i++) {
      for (let e = 0; e < base.experts.length; e++) {
        for (let k = 0; k < 3; k++) {
          const lik = features[i * FEATURE_COUNT + CHANNEL_INDEX.baseline_hom_ref + k]!;
          const offset = i % 3 === 0 ? 0.7 * Math.log(Math.max(lik, 1e-6)) : 0;
          expect(expertB[i]![e]![k]! - expertA[i]![e]![k]!).toBeCloseTo(offset, 3);
        }
      }
    }
    expect(() => runMoe(skip, withSkip, hidden)).toThrow(/baseline verdict/);
    tf.dispose([x, hidden, ...Object.values(a), ...Object.values(b)]);
    plain.dispose();
    skip.dispose();
    model.dispose();
  });

  it('scales SNV and indel verdicts separately with model.baselineScale, a fixed class at 1', () => {
    const perClass: ModelArchitecture = { ...withSkip, baselineScale: { snv: 'fixed', indel: 'learned' } };
    const features = featuresWithVerdicts();
    // Every sixth column's verdict is about an indel, the other verdicts about SNVs.
    for (let i = 0; i < length; i += 6) features[i * FEATURE_COUNT + CHANNEL_INDEX.baseline_indel] = 1;
    for (let i = 3; i < length; i += 6) features[i * FEATURE_COUNT + CHANNEL_INDEX.baseline_indel] = 0;
    const x = tf.tensor3d(features, [1, length, FEATURE_COUNT]);
    const hidden = tf.tensor3d(randomArray(new SeededRandom(7), length * base.dModel), [1, length, base.dModel]);
    const plain = new ParameterStore(new SeededRandom(1));
    defineMoe(plain, base);
    const scaled = new ParameterStore(new SeededRandom(1));
    defineMoe(scaled, perClass);
    // Only the learned class is a parameter: the fixed one gets no gradient because it is none.
    expect(scaled.names().filter((name) => name.startsWith('baseline'))).toEqual(['baseline.scale.indel']);
    scaled.get('baseline.scale.indel').assign(tf.tensor1d([0.4]));
    const logLikelihoods = baselineLogLikelihoods(x, 1e-30);
    const a = runMoe(plain, base, hidden);
    const b = runMoe(scaled, perClass, hidden, logLikelihoods, x);
    const expertA = a.expertLogits.arraySync()[0]!;
    const expertB = b.expertLogits.arraySync()[0]!;
    for (let i = 0; i < length; i++) {
      const scale = i % 6 === 0 ? 0.4 : 1;
      for (let k = 0; k < 3; k++) {
        const lik = features[i * FEATURE_COUNT + CHANNEL_INDEX.baseline_hom_ref + k]!;
        const offset = i % 3 === 0 ? scale * Math.log(lik) : 0;
        expect(expertB[i]![2]![k]! - expertA[i]![2]![k]!).toBeCloseTo(offset, 2);
      }
    }
    expect(() => runMoe(scaled, perClass, hidden, logLikelihoods)).toThrow(/baseline_indel/);
    // The whole model hands its features to the heads, and defines only the learned scale.
    const model = GenomeLtmMoe.create(perClass, 3);
    expect(model.store.names().filter((name) => name.startsWith('baseline'))).toEqual(['baseline.scale.indel']);
    const out = model.forward(x);
    expect(out.logits.shape).toEqual([1, length, 3]);
    tf.dispose([x, hidden, logLikelihoods, ...Object.values(a), ...Object.values(b), ...Object.values(out)]);
    plain.dispose();
    scaled.dispose();
    model.dispose();
  });

  it('floors each likelihood at model.baselineFloor (default 1e-6) before its log', () => {
    const c = CHANNEL_INDEX;
    const features = new Float32Array(2 * FEATURE_COUNT);
    // A deep hom-alt verdict (PL of hundreds against hom-ref) and a column without a verdict.
    features[c.baseline_present] = 1;
    features[c.baseline_hom_ref] = 1e-25;
    features[c.baseline_het] = 1e-12;
    features[c.baseline_hom_alt] = 1;
    const x = tf.tensor3d(features, [1, 2, FEATURE_COUNT]);
    const byDefault = baselineLogLikelihoods(x).arraySync()[0]!;
    const deep = baselineLogLikelihoods(x, 1e-30).arraySync()[0]!;
    expect(byDefault[0]![0]!).toBeCloseTo(Math.log(1e-6), 4);
    expect(byDefault[0]![1]!).toBeCloseTo(Math.log(1e-6), 4);
    // float32 holds 1e-25 and 1e-12 to ~7 digits; the floor of 1e-30 leaves them as they are.
    expect(deep[0]![0]!).toBeCloseTo(Math.log(1e-25), 3);
    expect(deep[0]![1]!).toBeCloseTo(Math.log(1e-12), 3);
    expect(deep[0]![2]!).toBeCloseTo(0, 6);
    expect(deep[1]!.every((v) => v === 0)).toBe(true);
    tf.dispose(x);
  });

  it('streams tile by tile to the whole-sequence result', async () => {
    const model = GenomeLtmMoe.create(withSkip, 11);
    model.store.get('baseline.scale').assign(tf.tensor1d([1.3]));
    const features = featuresWithVerdicts();
    const x = tf.tensor3d(features, [1, length, FEATURE_COUNT]);
    const output = model.forward(x);
    const whole = output.logits.dataSync() as Float32Array;
    const streamed = new Float32Array(length * 3);
    await streamPredict(model, arrayFeatureSource(features), { tileLength: 50, lookahead: length, scan: 'recurrent' }, async (tile) => {
      streamed.set(await tile.output.logits.data(), tile.start * 3);
    });
    expect(maxAbsDifference(streamed, whole) / Math.max(1, maxAbs(whole))).toBeLessThan(1e-4);
    tf.dispose([x, ...Object.values(output)]);
    model.dispose();
  });

  it('is an optional, validated architecture key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'genomaic-skip-'));
    try {
      const source = readFileSync(join(import.meta.dirname, '..', '..', '..', 'configs', 'model', 'tiny.yaml'), 'utf8');
      const write = (line: string): string => {
        const path = join(dir, `c${Math.random().toString(36).slice(2)}.yaml`);
        writeFileSync(path, source.replace(/^( {2}backwardHorizon: .*)$/m, `$1\n${line}`));
        return path;
      };
      expect(loadModelTrainingConfig(write('  baselineSkip: true')).model.baselineSkip).toBe(true);
      expect(loadModelTrainingConfig(write('  # none')).model.baselineSkip).toBeUndefined();
      expect(() => loadModelTrainingConfig(write('  baselineSkip: 1'))).toThrow(/model\.baselineSkip: must be true or false/);
      expect(loadModelTrainingConfig(write('  baselineFloor: 1.0e-30')).model.baselineFloor).toBe(1e-30);
      expect(loadModelTrainingConfig(write('  # none')).model.baselineFloor).toBeUndefined();
      expect(() => loadModelTrainingConfig(write('  baselineFloor: 0.5'))).toThrow(/model\.baselineFloor/);
      expect(loadModelTrainingConfig(write('  baselineSkip: true\n  baselineScale: {snv: fixed, indel: learned}')).model.baselineScale).toEqual({ snv: 'fixed', indel: 'learned' });
      expect(loadModelTrainingConfig(write('  baselineSkip: true')).model.baselineScale).toBeUndefined();
      expect(() => loadModelTrainingConfig(write('  baselineScale: {snv: fixed, indel: learned}'))).toThrow(/model\.baselineScale: .*needs model\.baselineSkip/);
      expect(() => loadModelTrainingConfig(write('  baselineSkip: true\n  baselineScale: {snv: frozen, indel: learned}'))).toThrow(/model\.baselineScale\.snv: must be one of learned, fixed/);
      expect(() => loadModelTrainingConfig(write('  baselineSkip: true\n  baselineScale: {snv: fixed}'))).toThrow(/model\.baselineScale\.indel/);
      expect(() => loadModelTrainingConfig(write('  baselineSkip: true\n  baselineScale: {snv: fixed, indel: learned, sv: fixed}'))).toThrow(/model\.baselineScale\.sv: is not a known setting/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
