import { Worker } from 'node:worker_threads';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createRequire } from 'node:module';
import type { GenomaicError } from '../../app/contract.js';
import { EngineError } from '../errors.js';

/** Messages a job worker posts to its parent. */
export type WorkerMessage<TProgress, TResult> =
  | { type: 'progress'; progress: TProgress }
  | { type: 'result'; result: TResult }
  | { type: 'error'; error: GenomaicError };

/** The one message a parent posts to a job worker. */
export interface CancelMessage {
  type: 'cancel';
}

export interface WorkerJobOptions<TProgress> {
  signal?: AbortSignal;
  onProgress?: (progress: TProgress) => void;
  /** After a cancel request, how long the worker may take to stop before it is terminated. */
  cancelGraceMs?: number;
}

/**
 * The entry file of a worker module that sits beside `fromModuleUrl`. From the build it is
 * the compiled `.js`; from source (tests, `tsx`) it is the `.ts`, which the worker loads
 * through tsx's loader.
 */
export interface WorkerEntry {
  /** A file path, or (from source) bootstrap code evaluated in the worker. */
  code: string;
  eval: boolean;
}

export function workerEntry(fromModuleUrl: string, baseName: string): WorkerEntry {
  const fromSource = fromModuleUrl.endsWith('.ts');
  const url = new URL(`./${baseName}.${fromSource ? 'ts' : 'js'}`, fromModuleUrl);
  if (!fromSource) return { code: fileURLToPath(url), eval: false };
  // Node 20 does not apply `--import` loaders to workers, so register tsx inside the worker.
  const tsxApi = pathToFileURL(createRequire(fromModuleUrl).resolve('tsx/esm/api').replace(/\.cjs$/, '.mjs')).href;
  return {
    code: `import(${JSON.stringify(tsxApi)}).then((m) => { m.register(); return import(${JSON.stringify(url.href)}); })`,
    eval: true,
  };
}

/**
 * Runs one job in its own worker thread: heavy work never blocks the host's event loop, a
 * crash in the job (even an out-of-memory abort of the isolate) is reported as the job's
 * failure instead of taking the host down, and cancel is a message, then a termination.
 */
export function runWorkerJob<TInput, TProgress, TResult>(
  entry: WorkerEntry,
  input: TInput,
  options: WorkerJobOptions<TProgress> = {},
): Promise<TResult> {
  return new Promise<TResult>((resolve, reject) => {
    const worker = new Worker(entry.code, { workerData: input, eval: entry.eval });
    let settled = false;
    let killTimer: NodeJS.Timeout | undefined;
    const settle = (fn: () => void): void => {
      if (settled) return;
      settled = true;
      if (killTimer) clearTimeout(killTimer);
      options.signal?.removeEventListener('abort', onAbort);
      fn();
      void worker.terminate();
    };
    const onAbort = (): void => {
      worker.postMessage({ type: 'cancel' } satisfies CancelMessage);
      killTimer = setTimeout(() => {
        settle(() => reject(EngineError.of('cancelled', 'Cancelled')));
      }, options.cancelGraceMs ?? 2000);
    };
    if (options.signal?.aborted) onAbort();
    else options.signal?.addEventListener('abort', onAbort, { once: true });

    worker.on('message', (msg: WorkerMessage<TProgress, TResult>) => {
      if (msg.type === 'progress') options.onProgress?.(msg.progress);
      else if (msg.type === 'result') settle(() => resolve(msg.result));
      else settle(() => reject(new EngineError(msg.error)));
    });
    worker.on('error', (err) => {
      settle(() => reject(EngineError.of('internal', `The job's worker crashed: ${err.message}`)));
    });
    worker.on('exit', (code) => {
      settle(() => reject(EngineError.of('internal', `The job's worker exited (code ${code}) before it reported a result`)));
    });
  });
}
