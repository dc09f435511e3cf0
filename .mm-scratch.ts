import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './engine/model/backend.js';
await selectBackend();
function bench(name: string, a: number[], b: number[], ta = false, tb = false) {
  const x = tf.randomNormal(a), y = tf.randomNormal(b);
  tf.matMul(x as tf.Tensor3D, y as tf.Tensor3D, ta, tb).dispose();
  const cpu0 = process.cpuUsage(); const t0 = performance.now();
  const reps = 5; let out: tf.Tensor | undefined;
  for (let i = 0; i < reps; i++) { out = tf.matMul(x as tf.Tensor3D, y as tf.Tensor3D, ta, tb); out.dataSync(); if (i < reps - 1) out.dispose(); }
  const ms = (performance.now() - t0) / reps; const cpuMs = (process.cpuUsage(cpu0).user) / 1000 / reps;
  const macs = out!.size * (ta ? a[a.length - 2]! : a[a.length - 1]!);
  console.log(`${name}: ${ms.toFixed(1)} ms wall, ${cpuMs.toFixed(1)} ms cpu, ${(2 * macs / cpuMs / 1e6).toFixed(2)} GFLOP/s per cpu-s`);
  tf.dispose([x, y, out!]);
}
bench('2D 1024^3', [1024, 1024], [1024, 1024]);
bench('2D 9216x32x164', [9216, 32], [32, 164]);
bench('batched 576x64x64x16', [576, 64, 64], [576, 64, 16]);
bench('batched 9x4096x64 (fold)', [9, 4096, 64], [9, 64, 16]);
bench('batched 144x64x16 tB', [144, 64, 16], [144, 64, 16], false, true);
bench('batched 144 tA', [144, 64, 16], [144, 64, 64], true, false);
