/**
 * The router decides which expert's answer a call carries and is recorded as provenance, so
 * its contract is tested directly: exactly k experts, weights summing to 1, the balancing loss
 * behaving as a balancing loss, and gradients reaching the router through the top-k selection
 * (tf.topk has no gradient in tfjs; the mask is built so that does not matter).
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { loadBalancingLoss, runMoe, topKMask, defineMoe, routerHintTargets, contextSpeciality } from '../../../engine/model/moe.js';
import { ParameterStore } from '../../../engine/model/params.js';
import { SeededRandom } from '../../../engine/util/seeded-random.js';
import type { ModelArchitecture } from '../../../engine/model/config.js';
import { CHANNEL_INDEX, FEATURE_COUNT } from '../../../engine/model/features.js';
import { maxAbs, randomArray, tf, useProductBackend } from './helpers.js';

const arch: ModelArchitecture = {
  dModel: 8, layers: 1, heads: 2, headDim: 4, stateDim: 4, chunkSize: 8,
  experts: ['repeats', 'gc-extremes', 'platform-errors', 'unique'], topK: 2, expertHidden: 6, backwardHorizon: 64,
};

describe('mixture of experts', () => {
  beforeAll(async () => {
    await useProductBackend();
  });

  it('top-k mask picks the k largest, lower index on ties', () => {
    const p = tf.tensor2d([[0.1, 0.4, 0.3, 0.2], [0.25, 0.25, 0.25, 0.25], [0.7, 0.1, 0.1, 0.1]]);
    expect(topKMask(p, 2).arraySync()).toEqual([[0, 1, 1, 0], [1, 1, 0, 0], [1, 1, 0, 0]]);
    expect(topKMask(p, 1).arraySync()).toEqual([[0, 1, 0, 0], [1, 0, 0, 0], [1, 0, 0, 0]]);
    p.dispose();
  });

  it('routes each position to exactly k experts with weights summing to 1, the largest probabilities kept', () => {
    const store = new ParameterStore(new SeededRandom(1));
    defineMoe(store, arch);
    // A larger router init than the default, so probabilities are far from uniform.
    store.get('router.weight').assign(tf.tensor(randomArray(new SeededRandom(2), 8 * 4, 2), [8, 4]));
    const hidden = tf.tensor3d(randomArray(new SeededRandom(3), 2 * 10 * 8), [2, 10, 8]);
    const out = runMoe(store, arch, hidden);
    const weights = out.routeWeights.arraySync().flat();
    const probabilities = out.routerProbabilities.arraySync().flat();
    for (const [i, w] of weights.entries()) {
      expect(w.filter((x) => x > 0)).toHaveLength(2);
      expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
      const p = probabilities[i]!;
      const chosen = w.map((x, e) => (x > 0 ? e : -1)).filter((e) => e >= 0);
      const best = [...p.keys()].sort((a, b) => p[b]! - p[a]!).slice(0, 2).sort();
      expect(chosen).toEqual(best);
      // Renormalised: w_e = p_e / Σ_kept p.
      expect(w[chosen[0]!]! / w[chosen[1]!]!).toBeCloseTo(p[chosen[0]!]! / p[chosen[1]!]!, 4);
    }
    // Combined logits are the weighted sum of the chosen experts' logits.
    const logits = out.logits.arraySync().flat();
    const expertLogits = out.expertLogits.arraySync().flat();
    for (const [i, w] of weights.entries()) {
      for (let k = 0; k < 3; k++) {
        const expected = w.reduce((sum, we, e) => sum + we * expertLogits[i]![e]![k]!, 0);
        expect(logits[i]![k]).toBeCloseTo(expected, 4);
      }
    }
    tf.dispose([hidden, ...Object.values(out)]);
    store.dispose();
  });

  it('load-balancing loss is 1 at even load and larger when skewed', () => {
    // Even: each of 4 positions prefers a different expert (top-1).
    const evenProbabilities = tf.tensor2d([[0.7, 0.1, 0.1, 0.1], [0.1, 0.7, 0.1, 0.1], [0.1, 0.1, 0.7, 0.1], [0.1, 0.1, 0.1, 0.7]]);
    const even = loadBalancingLoss(evenProbabilities, topKMask(evenProbabilities, 1), 1).dataSync()[0]!;
    expect(even).toBeCloseTo(1, 5);
    const skewedProbabilities = tf.tensor2d([[0.7, 0.1, 0.1, 0.1], [0.7, 0.1, 0.1, 0.1], [0.6, 0.2, 0.1, 0.1], [0.1, 0.7, 0.1, 0.1]]);
    const skewed = loadBalancingLoss(skewedProbabilities, topKMask(skewedProbabilities, 1), 1).dataSync()[0]!;
    expect(skewed).toBeGreaterThan(even + 0.3);
    const collapsedProbabilities = tf.tensor2d([[1, 0, 0, 0], [1, 0, 0, 0]]);
    expect(loadBalancingLoss(collapsedProbabilities, topKMask(collapsedProbabilities, 1), 1).dataSync()[0]).toBeCloseTo(4, 5);
    tf.dispose([evenProbabilities, skewedProbabilities, collapsedProbabilities]);
  });

  it('gradients reach the router through task loss and balancing loss', () => {
    const store = new ParameterStore(new SeededRandom(4));
    defineMoe(store, arch);
    const hidden = tf.tensor3d(randomArray(new SeededRandom(5), 1 * 12 * 8), [1, 12, 8]);
    const labels = tf.oneHot(tf.tensor1d([0, 1, 2, 0, 1, 2, 0, 1, 2, 0, 1, 2], 'int32'), 3);
    const { grads, value } = tf.variableGrads(() => {
      const out = runMoe(store, arch, hidden);
      return tf.losses.softmaxCrossEntropy(labels, out.logits.reshape([12, 3])).add(out.loadBalanceLoss.mul(0.1)) as tf.Scalar;
    });
    const routerGradient = grads[store.get('router.weight').name]!.dataSync();
    expect(routerGradient.every(Number.isFinite)).toBe(true);
    expect(maxAbs(routerGradient)).toBeGreaterThan(0);
    expect(maxAbs(grads[store.get('experts.w2').name]!.dataSync())).toBeGreaterThan(0);
    tf.dispose([hidden, labels, value, ...Object.values(grads)]);
    store.dispose();
  });

  it('hints send homopolymer, GC-extreme, long-read and other positions to their named experts', () => {
    const c = CHANNEL_INDEX;
    const features = new Float32Array(4 * FEATURE_COUNT);
    const set = (row: number, channel: number, value: number): void => {
      features[row * FEATURE_COUNT + channel] = value;
    };
    for (let row = 0; row < 4; row++) {
      set(row, c.local_gc, 0.5);
      set(row, c.platform_illumina, 1);
    }
    set(0, c.homopolymer_run, 0.75);
    set(1, c.local_gc, 0.9);
    set(2, c.platform_illumina, 0);
    set(2, c.platform_ont, 1);
    expect([0, 1, 2, 3].map((row) => contextSpeciality(features, row * FEATURE_COUNT))).toEqual(['repeats', 'gc-extremes', 'platform-errors', 'unique']);
    const { targets, weights } = routerHintTargets(features, 4, ['unique', 'repeats']);
    expect([...weights]).toEqual([1, 0, 0, 1]);
    expect([...targets]).toEqual([0, 1, 0, 0, 0, 0, 1, 0]);
  });
});
