import * as tf from '@tensorflow/tfjs';
import { selectBackend } from './engine/model/backend.js';
import { ssdChunked } from './engine/model/ssm.js';
await selectBackend({ prefer: (process.env.BK as 'wasm') ?? 'wasm' });
const T = 9216, H = 4, P = 16, N = 16;
const x = tf.randomNormal([1, T, H, P]) as tf.Tensor4D;
const dt = tf.randomUniform([1, T, H], 0.01, 0.1) as tf.Tensor3D;
const ld = tf.mul(dt, -1) as tf.Tensor3D;
const b = tf.randomNormal([1, T, N]) as tf.Tensor3D;
const c = tf.randomNormal([1, T, N]) as tf.Tensor3D;
for (const Q of [16, 32, 64, 128]) {
  ssdChunked({ x, dt, logDecay: ld, b, c }, Q).y.dispose();
  const t0 = performance.now(); const c0 = process.cpuUsage();
  const reps = 3;
  for (let i = 0; i < reps; i++) { const r = ssdChunked({ x, dt, logDecay: ld, b, c }, Q); r.y.dataSync(); r.y.dispose(); r.finalState.dispose(); }
  console.log(`Q=${Q}: ${((performance.now() - t0) / reps).toFixed(1)} ms wall ${(process.cpuUsage(c0).user/1000/reps).toFixed(1)} ms cpu per ssd over ${T}`);
}
const prof = await tf.profile(() => { const r = ssdChunked({ x, dt, logDecay: ld, b, c }, 64); r.y.dataSync(); r.y.dispose(); r.finalState.dispose(); });
const agg = new Map<string, number>();
for (const k of prof.kernels) agg.set(k.name, (agg.get(k.name) ?? 0) + (k.kernelTimeMs as number));
console.log([...agg.entries()].sort((a, b) => b[1] - a[1]).slice(0, 15).map(([n, t]) => `${n}: ${t.toFixed(1)}`).join('\n'));
const w = tf.randomNormal([32, 164]); const u = tf.randomNormal([T, 32]);
let t0 = performance.now(); for (let i = 0; i < 5; i++) tf.matMul(u, w).dataSync(); console.log('inProj matmul', ((performance.now() - t0) / 5).toFixed(1));
