/**
 * Streaming is how the product reads whole chromosomes in constant memory, so it must give the
 * answers the whole-sequence forward gives: exactly when the look-ahead reaches the sequence
 * end (proves the carried forward state is right), and within a small, documented tolerance at
 * the default look-ahead (the backward direction's truncation). Tensor count must not grow
 * with the number of tiles.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { GenomeLtmMoe } from '../../../engine/model/model.js';
import { arrayFeatureSource, defaultLookahead, streamPredict } from '../../../engine/model/streaming.js';
import type { ModelArchitecture } from '../../../engine/model/config.js';
import type { ScanImplementation } from '../../../engine/model/ssm.js';
import { FEATURE_COUNT } from '../../../engine/model/features.js';
import { SeededRandom } from '../../../engine/util/seeded-random.js';
import { maxAbs, maxAbsDifference, randomArray, tf, useProductBackend } from './helpers.js';

const arch: ModelArchitecture = {
  dModel: 12, layers: 2, heads: 2, headDim: 4, stateDim: 4, chunkSize: 16,
  experts: ['repeats', 'gc-extremes', 'platform-errors', 'unique'], topK: 2, expertHidden: 8, backwardHorizon: 32,
};
const length = 333;

async function streamedLogits(model: GenomeLtmMoe, features: Float32Array, tileLength: number, lookahead: number, scan: ScanImplementation = 'recurrent'): Promise<Float32Array> {
  const out = new Float32Array(length * 3);
  await streamPredict(model, arrayFeatureSource(features), { tileLength, lookahead, scan }, async (tile) => {
    out.set(await tile.output.logits.data(), tile.start * 3);
  });
  return out;
}

describe('streaming inference', () => {
  let model: GenomeLtmMoe;
  let features: Float32Array;
  let whole: Float32Array;

  beforeAll(async () => {
    await useProductBackend();
    model = GenomeLtmMoe.create(arch, 11);
    features = randomArray(new SeededRandom(12), length * FEATURE_COUNT, 0.5, 0.2);
    const x = tf.tensor3d(features, [1, length, FEATURE_COUNT]);
    const output = model.forward(x);
    whole = output.logits.dataSync() as Float32Array;
    tf.dispose([x, ...Object.values(output)]);
  });

  // The whole-sequence reference uses the chunked (training) scan; streaming uses either.
  for (const [tileLength, scan] of [[50, 'recurrent'], [64, 'chunked'], [200, 'recurrent']] as const) {
    it(`tile by tile (tile ${tileLength}, ${scan} scan, look-ahead to the end) equals the whole-sequence forward`, async () => {
      const streamed = await streamedLogits(model, features, tileLength, length, scan);
      expect(maxAbsDifference(streamed, whole) / Math.max(1, maxAbs(whole))).toBeLessThan(1e-4);
    });
  }

  it('forwardAt (the heads at some rows only, as the caller reads a tile) gives exactly those rows of forward', async () => {
    const rows = [0, 5, 6, 111, 200, length - 1];
    const x = tf.tensor3d(features, [1, length, FEATURE_COUNT]);
    for (const scan of ['recurrent', 'chunked'] as const) {
      const all = model.forward(x, scan);
      const at = model.forwardAt(x, rows, scan);
      const [allLogits, allExperts, allRoutes] = [await all.logits.data(), await all.expertLogits.data(), await all.routeWeights.data()];
      const [atLogits, atExperts, atRoutes] = [await at.logits.data(), await at.expertLogits.data(), await at.routeWeights.data()];
      const experts = arch.experts.length;
      for (const [i, row] of rows.entries()) {
        expect([...atLogits.slice(i * 3, i * 3 + 3)]).toEqual([...allLogits.slice(row * 3, row * 3 + 3)]);
        expect([...atExperts.slice(i * experts * 3, (i + 1) * experts * 3)]).toEqual([...allExperts.slice(row * experts * 3, (row + 1) * experts * 3)]);
        expect([...atRoutes.slice(i * experts, (i + 1) * experts)]).toEqual([...allRoutes.slice(row * experts, (row + 1) * experts)]);
      }
      tf.dispose([...Object.values(all), ...Object.values(at)]);
    }
    x.dispose();
  });

  it('with the default look-ahead stays within 1e-3 of the whole-sequence forward', async () => {
    const lookahead = defaultLookahead(model);
    const streamed = await streamedLogits(model, features, 40, lookahead);
    const error = maxAbsDifference(streamed, whole) / Math.max(1, maxAbs(whole));
    expect(error).toBeLessThan(1e-3);
    // And the truncation is real: a look-ahead of 2 positions is measurably worse.
    const short = await streamedLogits(model, features, 40, 2);
    expect(maxAbsDifference(short, whole) / Math.max(1, maxAbs(whole))).toBeGreaterThan(error);
  });

  it('holds a constant number of tensors however many tiles it streams', async () => {
    const counts: number[] = [];
    await streamPredict(model, arrayFeatureSource(features), { tileLength: 20, lookahead: 32 }, () => {
      counts.push(tf.memory().numTensors);
    });
    expect(counts.length).toBe(Math.ceil(length / 20));
    expect(new Set(counts.slice(1, -1)).size).toBe(1);
    const before = tf.memory().numTensors;
    await streamPredict(model, arrayFeatureSource(features), { tileLength: 20, lookahead: 32 }, () => undefined);
    expect(tf.memory().numTensors).toBe(before);
  });
});
