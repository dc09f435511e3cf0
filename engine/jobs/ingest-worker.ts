/** Worker thread entry: FASTQ ingest + QC for one run. */
import { parentPort, workerData } from 'node:worker_threads';
import { ingestFastqFiles, type IngestProgress, type IngestResult } from '../ingest/index.js';
import { toGenomaicError } from '../errors.js';
import type { CancelMessage, WorkerMessage } from './worker-job.js';
import type { Platform } from '../../app/contract.js';

export interface IngestJobInput {
  paths: string[];
  platform: Platform | 'auto';
  detectionReads: number;
}

type Message = WorkerMessage<IngestProgress, IngestResult>;

const port = parentPort;
if (!port) throw new Error('ingest-worker must run in a worker thread');
const input = workerData as IngestJobInput;
const abort = new AbortController();
port.on('message', (msg: CancelMessage) => {
  if (msg.type === 'cancel') abort.abort();
});

try {
  const result = await ingestFastqFiles(input.paths, {
    signal: abort.signal,
    platform: input.platform,
    detectionReads: input.detectionReads,
    onProgress: (progress) => port.postMessage({ type: 'progress', progress } satisfies Message),
  });
  port.postMessage({ type: 'result', result } satisfies Message);
} catch (err) {
  port.postMessage({ type: 'error', error: toGenomaicError(err) } satisfies Message);
}
