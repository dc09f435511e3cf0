/**
 * A fixed pool of alignment worker threads sharing one index image. The threads start (and
 * load their code) when the pool is made; `start` hands them the index once it is loaded.
 * Batches are handed to the first idle worker; results come back as promises, so the caller
 * can keep several batches in flight and still consume results in submission order
 * (deterministic output).
 */
import { Worker } from 'node:worker_threads';
import { workerEntry } from '../jobs/worker-job.js';
import type { BatchResult, ReadBatch } from './align-batch.js';
import type { AlignWorkerData, AlignWorkerReply, AlignWorkerRequest } from './align-worker.js';
import type { InsertSizeStats } from './pairing.js';

/**
 * Young-generation size of each worker's heap. A read's objects (chains, hits, records) all
 * die young; V8's default (16 MiB) scavenged so often that GC took ~15% of a worker's time
 * on Illumina reads.
 */
const YOUNG_GENERATION_MB = 64;

type BatchRequest = Extract<AlignWorkerRequest, { type: 'batch' }>;

interface Pending {
  request: BatchRequest;
  resolve: (result: BatchResult) => void;
  reject: (error: Error) => void;
}

export class AlignWorkerPool {
  private readonly workers: Worker[] = [];
  private readonly idle: Worker[] = [];
  private readonly queue: Pending[] = [];
  private readonly running = new Map<Worker, Pending>();
  private nextId = 0;
  private failure: Error | undefined;

  private started = false;

  constructor(size: number) {
    const entry = workerEntry(import.meta.url, 'align-worker');
    for (let i = 0; i < size; i++) {
      const worker = new Worker(entry.code, { eval: entry.eval, resourceLimits: { maxYoungGenerationSizeMb: YOUNG_GENERATION_MB } });
      worker.on('message', (reply: AlignWorkerReply) => this.onReply(worker, reply));
      worker.on('error', (err) => this.fail(new Error(`an alignment worker crashed: ${err.message}`)));
      worker.on('exit', (code) => {
        if (code !== 0 && !this.closed) this.fail(new Error(`an alignment worker exited with code ${code}`));
      });
      this.workers.push(worker);
      this.idle.push(worker);
    }
  }

  private closed = false;

  get size(): number {
    return this.workers.length;
  }

  /** Gives every worker the index (a shared image: not copied) and the settings. */
  start(data: AlignWorkerData): void {
    if (this.started) throw new Error('the alignment pool was already started');
    this.started = true;
    for (const worker of this.workers) worker.postMessage({ type: 'init', data } satisfies AlignWorkerRequest);
  }

  align(batch: ReadBatch, insertSize?: InsertSizeStats): Promise<BatchResult> {
    if (this.failure) return Promise.reject(this.failure);
    if (!this.started) return Promise.reject(new Error('the alignment pool was not started'));
    return new Promise<BatchResult>((resolve, reject) => {
      const request: BatchRequest = { type: 'batch', id: this.nextId++, batch, ...(insertSize ? { insertSize } : {}) };
      this.queue.push({ request, resolve, reject });
      this.dispatch();
    });
  }

  private dispatch(): void {
    while (this.idle.length > 0 && this.queue.length > 0) {
      const worker = this.idle.pop()!;
      const pending = this.queue.shift()!;
      this.running.set(worker, pending);
      const { batch } = pending.request;
      worker.postMessage(pending.request, [batch.bases.buffer as ArrayBuffer, batch.qualities.buffer as ArrayBuffer, batch.offsets.buffer as ArrayBuffer]);
    }
  }

  private onReply(worker: Worker, reply: AlignWorkerReply): void {
    const pending = this.running.get(worker);
    this.running.delete(worker);
    this.idle.push(worker);
    if (pending) {
      if (reply.type === 'result') pending.resolve(reply.result);
      else pending.reject(new Error(reply.message));
    }
    this.dispatch();
  }

  private fail(error: Error): void {
    if (this.failure) return;
    this.failure = error;
    for (const pending of [...this.running.values(), ...this.queue]) pending.reject(error);
    this.running.clear();
    this.queue.length = 0;
  }

  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    await Promise.all(this.workers.map((w) => w.terminate()));
  }
}
