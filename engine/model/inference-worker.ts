/**
 * Worker thread entry of the model's inference pool (./inference-pool.ts): one TensorFlow.js
 * backend instance and one loaded checkpoint per worker, answering window requests one at a
 * time. tf keeps its engine per isolate, so workers never share backend state.
 */
import { parentPort, workerData } from 'node:worker_threads';
import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './backend.js';
import { loadCheckpoint } from './checkpoint.js';
import { FEATURE_COUNT } from './features.js';
import { readPredictions } from './model.js';
import { inferenceScan } from './ssm.js';
import type { PoolRequest, PoolResponse, PoolWorkerInput } from './inference-pool.js';

const port = parentPort;
if (!port) throw new Error('inference-worker must run in a worker thread');
const input = workerData as PoolWorkerInput;

function describe(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}

try {
  const backend = await selectBackend(input.backend ? { prefer: input.backend } : {});
  const { model, manifest } = await loadCheckpoint(input.checkpointDir);
  port.postMessage({ type: 'ready', backend, modelId: manifest.modelId } satisfies PoolResponse);
  port.on('message', (request: PoolRequest) => {
    if (request.type === 'close') {
      model.dispose();
      port.close();
      return;
    }
    void (async () => {
      try {
        const length = request.features.length / FEATURE_COUNT;
        const output = tf.tidy(() => model.forward(tf.tensor3d(request.features, [1, length, FEATURE_COUNT]), inferenceScan()));
        try {
          const predictions = await readPredictions(output, 0, model.architecture.experts, model.temperature, request.positions);
          port.postMessage({ type: 'predictions', id: request.id, predictions } satisfies PoolResponse);
        } finally {
          tf.dispose(Object.values(output));
        }
      } catch (err) {
        port.postMessage({ type: 'failed', id: request.id, message: describe(err) } satisfies PoolResponse);
      }
    })();
  });
} catch (err) {
  port.postMessage({ type: 'start-failed', message: describe(err) } satisfies PoolResponse);
}
