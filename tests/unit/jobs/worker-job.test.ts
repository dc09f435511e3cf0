import { describe, expect, it } from 'vitest';
import { runWorkerJob, workerEntry, type WorkerEntry } from '../../../engine/jobs/worker-job.js';

const entry = (name: string): WorkerEntry => workerEntry(import.meta.url, `workers/${name}`);

describe('runWorkerJob', () => {
  it('delivers progress then the result', async () => {
    const steps: number[] = [];
    const result = await runWorkerJob<{ until: number }, { step: number }, { total: number }>(entry('counting-worker'), { until: 5 }, {
      onProgress: (p) => steps.push(p.step),
    });
    expect(result).toEqual({ total: 5 });
    expect(steps).toEqual([1, 2, 3, 4, 5]);
  });

  it('cancels cooperatively with the cancelled code', async () => {
    const abort = new AbortController();
    const job = runWorkerJob(entry('counting-worker'), { until: 1_000_000 }, {
      signal: abort.signal,
      onProgress: (p: { step: number }) => {
        if (p.step === 3) abort.abort();
      },
    });
    await expect(job).rejects.toMatchObject({ detail: { code: 'cancelled' } });
  });

  it('terminates a worker that ignores cancel after the grace period', async () => {
    const abort = new AbortController();
    const t0 = Date.now();
    const job = runWorkerJob(entry('stubborn-worker'), {}, { signal: abort.signal, cancelGraceMs: 300, onProgress: () => abort.abort() });
    await expect(job).rejects.toMatchObject({ detail: { code: 'cancelled' } });
    expect(Date.now() - t0).toBeLessThan(10_000);
  });

  it('reports a worker that throws as an internal failure with its message', async () => {
    await expect(runWorkerJob(entry('throwing-worker'), {})).rejects.toMatchObject({
      detail: { code: 'internal', message: expect.stringMatching(/crashed: boom in the worker/) },
    });
  });

  it('reports a worker that exits without a result', async () => {
    await expect(runWorkerJob(entry('exiting-worker'), {})).rejects.toMatchObject({
      detail: { code: 'internal', message: expect.stringMatching(/exited \(code 7\)/) },
    });
  });
});
