/**
 * Backend choice is reported by `genomaic doctor` and decides speed on every machine, so the
 * order and the reasons are tested: the native packages are absent here (their install needs an
 * unreachable download) and must be reported as such, not crash; wasm must load from the
 * installed package's files; and the SSD scan must train (finite gradients) on wasm and cpu.
 */
import { describe, expect, it } from 'vitest';
import { BACKEND_ORDER, describeSelection, selectBackend } from '../../../engine/model/backend.js';
import { ssdChunked } from '../../../engine/model/ssm.js';
import { SeededRandom } from '../../../engine/util/seeded-random.js';
import { randomArray, tf } from './helpers.js';

function gradientIsFinite(): boolean {
  const r = new SeededRandom(5);
  const x = tf.tensor4d(randomArray(r, 1 * 20 * 2 * 3), [1, 20, 2, 3]);
  const dt = tf.tensor3d(randomArray(r, 40, 0.1, 0.5), [1, 20, 2]);
  const logDecay = tf.tensor3d(randomArray(r, 40, 0.1, -0.5), [1, 20, 2]);
  const b = tf.tensor3d(randomArray(r, 80), [1, 20, 4]);
  const c = tf.tensor3d(randomArray(r, 80), [1, 20, 4]);
  const gradients = tf.grads((xi, dti, li, bi, ci) => ssdChunked({ x: xi as tf.Tensor4D, dt: dti as tf.Tensor3D, logDecay: li as tf.Tensor3D, b: bi as tf.Tensor3D, c: ci as tf.Tensor3D }, 8).y.square().sum())([x, dt, logDecay, b, c]);
  const finite = gradients.every((g) => g.dataSync().every(Number.isFinite));
  tf.dispose([...gradients, x, dt, logDecay, b, c]);
  return finite;
}

describe('backend selection', () => {
  it('tries candidates in order and stops at the first that works, saying why for each', async () => {
    const selection = await selectBackend();
    const names = selection.tried.map((t) => t.name);
    expect(names).toEqual(BACKEND_ORDER.slice(0, names.length));
    expect(selection.tried.at(-1)!.ok).toBe(true);
    expect(selection.tried.slice(0, -1).every((t) => !t.ok && t.reason.length > 0)).toBe(true);
    expect(selection.candidate).toBe(selection.tried.at(-1)!.name);
    expect(tf.getBackend()).toBe(selection.backend);
    for (const t of selection.tried.filter((x) => x.name.startsWith('tfjs-node') && !x.ok)) expect(t.reason).toMatch(/not installed|libtensorflow|cannot|failed/i);
    expect(describeSelection(selection)[0]).toContain(`backend in use: ${selection.backend}`);
  });

  it('uses wasm here (native packages absent), with finite SSD gradients', async () => {
    const selection = await selectBackend();
    if (selection.candidate.startsWith('tfjs-node')) return; // a machine with libtensorflow
    expect(selection.backend).toBe('wasm');
    expect(gradientIsFinite()).toBe(true);
  });

  it('can be pinned to cpu, where SSD gradients are finite too', async () => {
    const selection = await selectBackend({ prefer: 'cpu' });
    expect(selection.backend).toBe('cpu');
    expect(selection.tried.slice(0, -1).every((t) => t.reason.startsWith('not tried'))).toBe(true);
    expect(gradientIsFinite()).toBe(true);
  });
});
