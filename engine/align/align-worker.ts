/**
 * Worker-thread entry of the alignment pool: builds a `ReadAligner` over the shared index
 * image once, then aligns batches as they arrive and posts back their encoded records
 * (transferred, not copied).
 */
import { parentPort, workerData } from 'node:worker_threads';
import type { BatchResult, ReadBatch } from './align-batch.js';
import { alignBatch } from './align-batch.js';
import { MinimizerIndex } from './minimizer-index.js';
import type { InsertSizeStats } from './pairing.js';
import type { AlignPreset } from './presets.js';
import { ReadAligner } from './read-aligner.js';

export interface AlignWorkerData {
  indexImage: Uint8Array;
  preset: AlignPreset;
  readGroup: string | undefined;
}

export type AlignWorkerRequest = { type: 'batch'; id: number; batch: ReadBatch; insertSize?: InsertSizeStats };
export type AlignWorkerReply =
  | { type: 'result'; id: number; result: BatchResult }
  | { type: 'error'; id: number; message: string; code?: string };

const data = workerData as AlignWorkerData;
const index = new MinimizerIndex(data.indexImage);
const aligner = new ReadAligner(index, data.preset);
const references = index.reference.contigs.map((c) => ({ name: c.name, length: c.length }));

parentPort!.on('message', (message: AlignWorkerRequest) => {
  try {
    const result = alignBatch(message.batch, {
      aligner,
      readGroup: data.readGroup,
      references,
      ...(message.insertSize ? { insertSize: message.insertSize } : {}),
    });
    parentPort!.postMessage({ type: 'result', id: message.id, result } satisfies AlignWorkerReply, [result.records.buffer as ArrayBuffer]);
  } catch (err) {
    parentPort!.postMessage({ type: 'error', id: message.id, message: err instanceof Error ? err.message : String(err) } satisfies AlignWorkerReply);
  }
});
