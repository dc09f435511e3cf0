import { parentPort } from 'node:worker_threads';
// Ignores cancel and never finishes: the runner must terminate it after the grace period.
parentPort?.postMessage({ type: 'progress', progress: { step: 1 } });
setInterval(() => undefined, 1000);
