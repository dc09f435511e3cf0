import { ssdSequentialReference } from './engine/model/ssm.js';
const T = 9216, H = 4, P = 16, N = 16;
const r = () => Math.random();
const x = new Float32Array(T*H*P).map(r), dt = new Float32Array(T*H).map(() => 0.05), ld = new Float32Array(T*H).map(() => -0.05), b = new Float32Array(T*N).map(r), c = new Float32Array(T*N).map(r);
function scan(x: Float32Array, dt: Float32Array, ld: Float32Array, b: Float32Array, c: Float32Array, state: Float32Array, y: Float32Array) {
  for (let t = 0; t < T; t++) {
    const bo = t * N;
    for (let h = 0; h < H; h++) {
      const step = t * H + h;
      const decay = Math.exp(ld[step]!);
      const d = dt[step]!;
      const xo = step * P;
      const so = h * N * P;
      for (let n = 0; n < N; n++) {
        const bn = d * b[bo + n]!;
        const cn = c[bo + n]!;
        const sn = so + n * P;
        for (let p = 0; p < P; p++) {
          const v = decay * state[sn + p]! + bn * x[xo + p]!;
          state[sn + p] = v;
          y[xo + p] += cn * v;
        }
      }
    }
  }
}
const state = new Float32Array(H*N*P); const y = new Float32Array(T*H*P);
scan(x, dt, ld, b, c, state, y);
const c0 = process.cpuUsage();
for (let i = 0; i < 5; i++) { y.fill(0); state.fill(0); scan(x, dt, ld, b, c, state, y); }
console.log('js scan', (process.cpuUsage(c0).user / 5000).toFixed(1), 'ms cpu');
