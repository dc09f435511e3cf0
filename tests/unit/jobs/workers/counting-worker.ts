import { parentPort, workerData } from 'node:worker_threads';
// Counts to workerData.until, reporting progress, and stops on cancel with the contract's code.
const port = parentPort!;
const { until } = workerData as { until: number };
let cancelled = false;
port.on('message', (m: { type: string }) => {
  if (m.type === 'cancel') cancelled = true;
});
let i = 0;
const tick = (): void => {
  if (cancelled) {
    port.postMessage({ type: 'error', error: { code: 'cancelled', message: 'Cancelled' } });
    return;
  }
  i++;
  port.postMessage({ type: 'progress', progress: { step: i } });
  if (i >= until) port.postMessage({ type: 'result', result: { total: i } });
  else setTimeout(tick, 5);
};
tick();
