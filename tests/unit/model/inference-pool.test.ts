/**
 * Inference runs in worker threads, one backend per worker, so a machine's cores are all used.
 * The pool must give exactly what the in-process model gives, whichever worker answers, queue
 * more requests than it has workers, and refuse a bad checkpoint at start-up with the
 * checkpoint's own message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { InferencePool } from '../../../engine/model/inference-pool.js';
import { loadModelTrainingConfig } from '../../../engine/model/config.js';
import { saveCheckpoint, loadCheckpoint } from '../../../engine/model/checkpoint.js';
import { GenomeLtmMoe, readPredictions } from '../../../engine/model/model.js';
import { FEATURE_COUNT } from '../../../engine/model/features.js';
import { SeededRandom } from '../../../engine/util/seeded-random.js';
import { inferenceScan } from '../../../engine/model/ssm.js';
import { hashConfig } from '../../../engine/util/canonical-json.js';
import { findPackageRoot } from '../../../engine/version.js';
import { randomArray, tf, useProductBackend } from './helpers.js';

describe('inference pool', () => {
  let dir: string;
  let pool: InferencePool;

  beforeAll(async () => {
    await useProductBackend();
    dir = mkdtempSync(join(tmpdir(), 'genomaic-pool-'));
    const config = loadModelTrainingConfig(join(findPackageRoot(), 'configs', 'model', 'tiny.yaml'));
    const model = GenomeLtmMoe.create(config.model, 3);
    model.temperature = 1.3;
    await saveCheckpoint(join(dir, 'ok'), model, { config, configHash: hashConfig(config), dataHash: '0'.repeat(64), dataSplit: null, metrics: {} });
    model.dispose();
    pool = await InferencePool.start({ checkpointDir: join(dir, 'ok'), workers: 2 });
  }, 120_000);

  afterAll(async () => {
    await pool?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('starts one backend per worker and answers like the in-process model', async () => {
    expect(pool.size).toBe(2);
    expect(pool.modelId).toBe('genomeltm-moe-tiny');
    for (const b of pool.backends) expect(b.tried.at(-1)!.ok).toBe(true);
    const { model } = await loadCheckpoint(join(dir, 'ok'));
    const windows = [0, 1, 2, 3, 4].map((k) => randomArray(new SeededRandom(k), (60 + 10 * k) * FEATURE_COUNT, 0.5, 0.2));
    const positions = [0, 7, 33, 59];
    // Five requests for two workers: three wait in the queue.
    const pooled = await Promise.all(windows.map((w) => pool.predictWindow(w, positions)));
    for (const [k, w] of windows.entries()) {
      const output = tf.tidy(() => model.forward(tf.tensor3d(w, [1, w.length / FEATURE_COUNT, FEATURE_COUNT]), inferenceScan()));
      const local = await readPredictions(output, 0, model.architecture.experts, model.temperature);
      tf.dispose(Object.values(output));
      for (const [i, p] of positions.entries()) {
        for (let c = 0; c < 3; c++) expect(pooled[k]![i]!.posterior[c]).toBeCloseTo(local[p]!.posterior[c]!, 5);
        expect(pooled[k]![i]!.experts.map((e) => e.name)).toEqual(local[p]!.experts.map((e) => e.name));
      }
    }
    model.dispose();
  });

  it('refuses to start on a checkpoint that does not load, with its message', async () => {
    await expect(InferencePool.start({ checkpointDir: join(dir, 'missing'), workers: 1 })).rejects.toThrow(/manifest\.json: \(file\): cannot be read/);
  }, 60_000);
});
