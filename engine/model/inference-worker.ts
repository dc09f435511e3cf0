/**
 * Worker thread entry of the model's inference pool (./inference-pool.ts): one TensorFlow.js
 * backend instance and one loaded checkpoint per worker, answering window requests one at a
 * time. tf keeps its engine per isolate, so workers never share backend state.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { selectBackend } from './backend.js';
import { loadCheckpoint } from './checkpoint.js';
import { FEATURE_COUNT } from './features.js';
import { inProcessPredict } from './tile-inference.js';
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
  // The same forward pass as the calling thread's (tile-inference.ts), so a worker answers exactly as it would.
  const predict = inProcessPredict(model);
  port.postMessage({ type: 'ready', backend, modelId: manifest.modelId } satisfies PoolResponse);
  port.on('message', (request: PoolRequest) => {
    if (request.type === 'close') {
      model.dispose();
      port.close();
      return;
    }
    void (async () => {
      try {
        const predictions = await predict(request.features, request.features.length / FEATURE_COUNT, request.positions);
        port.postMessage({ type: 'predictions', id: request.id, predictions } satisfies PoolResponse);
      } catch (err) {
        port.postMessage({ type: 'failed', id: request.id, message: describe(err) } satisfies PoolResponse);
      }
    })();
  });
} catch (err) {
  port.postMessage({ type: 'start-failed', message: describe(err) } satisfies PoolResponse);
}
