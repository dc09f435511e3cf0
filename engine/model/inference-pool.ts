/**
 * Model inference on every core: a pool of worker threads, each with its own TensorFlow.js
 * backend instance and its own copy of the checkpoint (tf's engine is per isolate, and the wasm
 * backend is single-threaded in Node, so threads are how a machine's cores get used). Requests
 * are independent windows; a busy pool queues them and hands each to the next idle worker.
 */
import { Worker } from 'node:worker_threads';
import { cpus } from 'node:os';
import { workerEntry } from '../jobs/worker-job.js';
import type { BackendCandidate, BackendSelection } from './backend.js';
import { FEATURE_COUNT } from './features.js';
import type { PositionPrediction } from './model.js';

export interface PoolWorkerInput {
  checkpointDir: string;
  backend?: BackendCandidate;
}

export type PoolRequest =
  | { type: 'predict'; id: number; features: Float32Array; positions: number[] }
  | { type: 'close' };

export type PoolResponse =
  | { type: 'ready'; backend: BackendSelection; modelId: string }
  | { type: 'start-failed'; message: string }
  | { type: 'predictions'; id: number; predictions: PositionPrediction[] }
  | { type: 'failed'; id: number; message: string };

export interface InferencePoolOptions {
  checkpointDir: string;
  /** Default: one per CPU. */
  workers?: number;
  backend?: BackendCandidate;
}

interface PendingRequest {
  id: number;
  features: Float32Array;
  positions: number[];
  resolve: (predictions: PositionPrediction[]) => void;
  reject: (err: Error) => void;
}

interface PoolWorker {
  worker: Worker;
  busy: PendingRequest | null;
}

export class InferencePool {
  /** What each worker chose (doctor-style reasons), in worker order. */
  readonly backends: BackendSelection[];
  readonly modelId: string;
  private readonly queue: PendingRequest[] = [];
  private nextId = 0;
  private closed = false;

  private constructor(
    private readonly workers: PoolWorker[],
    backends: BackendSelection[],
    modelId: string,
  ) {
    this.backends = backends;
    this.modelId = modelId;
    for (const w of workers) {
      w.worker.on('message', (message: PoolResponse) => this.onMessage(w, message));
      w.worker.on('error', (err) => this.onWorkerFailure(w, `inference worker crashed: ${err.message}`));
      w.worker.on('exit', (code) => {
        if (!this.closed) this.onWorkerFailure(w, `inference worker exited (code ${code})`);
      });
    }
  }

  /** Starts the workers and waits until each has its backend and checkpoint (or one fails). */
  static async start(options: InferencePoolOptions): Promise<InferencePool> {
    const count = Math.max(1, options.workers ?? cpus().length);
    const entry = workerEntry(import.meta.url, 'inference-worker');
    const input: PoolWorkerInput = { checkpointDir: options.checkpointDir };
    if (options.backend) input.backend = options.backend;
    const workers = Array.from({ length: count }, () => new Worker(entry.code, { eval: entry.eval, workerData: input }));
    try {
      const ready = await Promise.all(
        workers.map(
          (worker) =>
            new Promise<{ backend: BackendSelection; modelId: string }>((resolve, reject) => {
              worker.once('message', (message: PoolResponse) => {
                if (message.type === 'ready') resolve({ backend: message.backend, modelId: message.modelId });
                else reject(new Error(message.type === 'start-failed' ? message.message : `unexpected ${message.type} from an inference worker`));
              });
              worker.once('error', reject);
            }),
        ),
      );
      return new InferencePool(
        workers.map((worker) => ({ worker, busy: null })),
        ready.map((r) => r.backend),
        ready[0]!.modelId,
      );
    } catch (err) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw err;
    }
  }

  get size(): number {
    return this.workers.length;
  }

  /**
   * Predictions at `positions` (0-based rows) of one window of encoded features
   * ([length × FEATURE_COUNT]). The features are copied to the worker.
   */
  predictWindow(features: Float32Array, positions: number[]): Promise<PositionPrediction[]> {
    if (this.closed) return Promise.reject(new Error('the inference pool is closed'));
    if (features.length % FEATURE_COUNT !== 0) return Promise.reject(new Error(`predictWindow: ${features.length} values is not a whole number of rows`));
    return new Promise((resolve, reject) => {
      this.queue.push({ id: this.nextId++, features, positions, resolve, reject });
      this.dispatch();
    });
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    for (const pending of this.queue.splice(0)) pending.reject(new Error('the inference pool was closed'));
    await Promise.all(
      this.workers.map(async (w) => {
        w.busy?.reject(new Error('the inference pool was closed'));
        w.worker.postMessage({ type: 'close' } satisfies PoolRequest);
        await w.worker.terminate();
      }),
    );
  }

  private dispatch(): void {
    for (const w of this.workers) {
      if (w.busy || this.queue.length === 0) continue;
      const request = this.queue.shift()!;
      w.busy = request;
      w.worker.postMessage({ type: 'predict', id: request.id, features: request.features, positions: request.positions } satisfies PoolRequest);
    }
  }

  private onMessage(w: PoolWorker, message: PoolResponse): void {
    const request = w.busy;
    if (!request || (message.type !== 'predictions' && message.type !== 'failed') || message.id !== request.id) return;
    w.busy = null;
    if (message.type === 'predictions') request.resolve(message.predictions);
    else request.reject(new Error(message.message));
    this.dispatch();
  }

  private onWorkerFailure(w: PoolWorker, message: string): void {
    const index = this.workers.indexOf(w);
    if (index < 0) return;
    this.workers.splice(index, 1);
    w.busy?.reject(new Error(message));
    w.busy = null;
    if (this.workers.length === 0) {
      this.closed = true;
      for (const pending of this.queue.splice(0)) pending.reject(new Error(`${message}; no inference workers left`));
    } else {
      this.dispatch();
    }
  }
}
