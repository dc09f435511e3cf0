import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './engine/model/backend.js';
import { loadModelTrainingConfig } from './engine/model/config.js';
import { GenomeLtmMoe } from './engine/model/model.js';
import { FEATURE_COUNT } from './engine/model/features.js';
import { backboneWindow, inferenceScan } from './engine/model/ssm.js';
await selectBackend();
const config = loadModelTrainingConfig('configs/model/default.yaml');
for (const Q of [32]) for (const T of [4096, 8192, 16384]) {
  const arch = { ...config.model, chunkSize: Q };
  const model = GenomeLtmMoe.create(arch, 1);
  const W = T + 1024;
  const x = tf.randomNormal([1, W, FEATURE_COUNT]) as tf.Tensor3D;
  const run = () => tf.tidy(() => { const { hidden } = backboneWindow(model.store, arch, x, T, undefined, inferenceScan()); const o = model.heads(hidden.slice([0,0,0],[1,T,arch.dModel]) as tf.Tensor3D); o.logits.dataSync(); });
  run();
  const c0 = process.cpuUsage(); const t0 = performance.now();
  for (let i = 0; i < 2; i++) run();
  const cpu = (process.cpuUsage(c0).user + process.cpuUsage(c0).system) / 1000 / 2;
  console.log(`Q=${Q} tile=${T}: ${((performance.now()-t0)/2).toFixed(0)} ms wall, ${cpu.toFixed(0)} ms cpu → ${(T / cpu / 1000).toFixed(4)} Mbp per cpu-s`);
  x.dispose(); model.dispose();
}
