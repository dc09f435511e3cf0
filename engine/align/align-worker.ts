/**
 * Worker-thread entry of the alignment pool: loads its modules and the native kernel as soon
 * as the pool starts (while the main thread is still reading the index), builds a
 * `ReadAligner` over the shared index image when the `init` message brings it, then aligns
 * batches as they arrive and posts back their encoded records (copied: see below).
 */
import { parentPort } from 'node:worker_threads';
import type { BatchResult, ReadBatch } from './align-batch.js';
import { alignBatch } from './align-batch.js';
import type { MapqCalibration } from './mapq-calibration.js';
import { MinimizerIndex } from './minimizer-index.js';
import { alignAddon } from './native.js';
import type { InsertSizeStats } from './pairing.js';
import type { AlignPreset } from './presets.js';
import { ReadAligner } from './read-aligner.js';

export interface AlignWorkerData {
  indexImage: Uint8Array;
  preset: AlignPreset;
  readGroup: string | undefined;
  /** Absent: records keep the raw MAPQ (fitting the calibration). */
  mapqCalibration?: MapqCalibration;
}

export type AlignWorkerRequest = { type: 'init'; data: AlignWorkerData } | { type: 'batch'; id: number; batch: ReadBatch; insertSize?: InsertSizeStats };
export type AlignWorkerReply =
  | { type: 'result'; id: number; result: BatchResult }
  | { type: 'error'; id: number; message: string; code?: string };

alignAddon(); // load the kernel now, off the critical path

interface WorkerState {
  aligner: ReadAligner;
  readGroup: string | undefined;
  mapqCalibration: MapqCalibration | undefined;
  references: { name: string; length: number }[];
}
let state: WorkerState | undefined;

parentPort!.on('message', (message: AlignWorkerRequest) => {
  if (message.type === 'init') {
    const index = new MinimizerIndex(message.data.indexImage);
    state = {
      aligner: new ReadAligner(index, message.data.preset),
      readGroup: message.data.readGroup,
      mapqCalibration: message.data.mapqCalibration,
      references: index.reference.contigs.map((c) => ({ name: c.name, length: c.length })),
    };
    return;
  }
  try {
    if (!state) throw new Error('an alignment worker got a batch before its index');
    const result = alignBatch(message.batch, {
      aligner: state.aligner,
      readGroup: state.readGroup,
      references: state.references,
      ...(state.mapqCalibration ? { mapqCalibration: state.mapqCalibration } : {}),
      ...(message.insertSize ? { insertSize: message.insertSize } : {}),
    });
    // Copied, not transferred: the first transfer from a thread detaches a buffer, which makes
    // V8 drop every optimised function of that thread (they assumed no detached buffers) just
    // when they are all hot; a copy of a batch's records costs about a millisecond.
    parentPort!.postMessage({ type: 'result', id: message.id, result } satisfies AlignWorkerReply);
  } catch (err) {
    parentPort!.postMessage({ type: 'error', id: message.id, message: err instanceof Error ? err.message : String(err) } satisfies AlignWorkerReply);
  }
});
