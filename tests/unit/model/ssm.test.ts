/**
 * The SSD scan is the one piece of the model whose maths is easy to get subtly wrong (chunk
 * boundaries, decay masks, state hand-over), so it is checked against the plain recurrence
 * for chunk sizes that do and do not divide the length, with and without an initial state,
 * and its gradients are checked to exist and be finite on the backend the product uses.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { ssdChunked, ssdRecurrent, ssdSequentialReference, exponentialSegmentSums, type SsdInputs } from '../../../engine/model/ssm.js';
import { SeededRandom } from '../../../engine/util/seeded-random.js';
import { maxAbs, maxAbsDifference, randomArray, tf, useProductBackend } from './helpers.js';

const batch = 2;
const length = 37;
const heads = 3;
const headDim = 4;
const stateDim = 5;

function randomProblem(seed: number, withInitialState: boolean) {
  const r = new SeededRandom(seed);
  const x = randomArray(r, batch * length * heads * headDim);
  const dt = randomArray(r, batch * length * heads).map((v) => Math.log1p(Math.exp(v - 1)));
  const a = Array.from({ length: heads }, () => -r.uniform(0.5, 4));
  const logDecay = dt.map((v, i) => v * a[i % heads]!);
  const b = randomArray(r, batch * length * stateDim);
  const c = randomArray(r, batch * length * stateDim);
  const initialState = withInitialState ? randomArray(r, batch * heads * stateDim * headDim) : undefined;
  return { x, dt, logDecay, b, c, initialState };
}

function toTensors(p: ReturnType<typeof randomProblem>): SsdInputs {
  const inputs: SsdInputs = {
    x: tf.tensor4d(p.x, [batch, length, heads, headDim]),
    dt: tf.tensor3d(p.dt, [batch, length, heads]),
    logDecay: tf.tensor3d(p.logDecay, [batch, length, heads]),
    b: tf.tensor3d(p.b, [batch, length, stateDim]),
    c: tf.tensor3d(p.c, [batch, length, stateDim]),
  };
  if (p.initialState) inputs.initialState = tf.tensor4d(p.initialState, [batch, heads, stateDim, headDim]);
  return inputs;
}

describe('SSD scan', () => {
  beforeAll(async () => {
    await useProductBackend();
  });

  for (const chunkSize of [1, 4, 8, 37, 64]) {
    for (const withInitialState of [false, true]) {
      it(`chunked (Q=${chunkSize}${withInitialState ? ', initial state' : ''}) equals the plain recurrence`, () => {
        const problem = randomProblem(100 + chunkSize, withInitialState);
        const reference = ssdSequentialReference({ batch, length, heads, headDim, stateDim, ...problem });
        const inputs = toTensors(problem);
        const { y, finalState } = ssdChunked(inputs, chunkSize);
        const scale = Math.max(1, maxAbs(reference.y));
        expect(maxAbsDifference(y.dataSync(), reference.y) / scale).toBeLessThan(2e-5);
        expect(maxAbsDifference(finalState.dataSync(), reference.finalState) / Math.max(1, maxAbs(reference.finalState))).toBeLessThan(2e-5);
        tf.dispose([y, finalState, ...Object.values(inputs)]);
      });
    }
  }

  for (const withInitialState of [false, true]) {
    it(`the recurrent inference scan${withInitialState ? ' (initial state)' : ''} equals the plain recurrence`, () => {
      const problem = randomProblem(300, withInitialState);
      const reference = ssdSequentialReference({ batch, length, heads, headDim, stateDim, ...problem });
      const inputs = toTensors(problem);
      const { y, finalState } = ssdRecurrent(inputs);
      expect(maxAbsDifference(y.dataSync(), reference.y) / Math.max(1, maxAbs(reference.y))).toBeLessThan(2e-5);
      expect(maxAbsDifference(finalState.dataSync(), reference.finalState) / Math.max(1, maxAbs(reference.finalState))).toBeLessThan(2e-5);
      tf.dispose([y, finalState, ...Object.values(inputs)]);
    });
  }

  it('segment sums are exact and zero above the diagonal', () => {
    const x = tf.tensor1d([-0.5, -1, -2, -0.25]);
    const out = exponentialSegmentSums(x).arraySync() as number[][];
    expect(out[0]![0]).toBeCloseTo(1, 6);
    expect(out[2]![0]).toBeCloseTo(Math.exp(-3), 6);
    expect(out[3]![1]).toBeCloseTo(Math.exp(-2.25), 6);
    expect(out[1]![2]).toBe(0);
    x.dispose();
  });

  it('has finite gradients for every input on the product backend', () => {
    const problem = randomProblem(7, true);
    const inputs = toTensors(problem);
    const names = ['x', 'dt', 'logDecay', 'b', 'c', 'initialState'] as const;
    const tensors = names.map((n) => inputs[n]!);
    const gradients = tf.grads((x, dt, logDecay, b, c, initialState) => {
      const { y, finalState } = ssdChunked(
        { x: x as tf.Tensor4D, dt: dt as tf.Tensor3D, logDecay: logDecay as tf.Tensor3D, b: b as tf.Tensor3D, c: c as tf.Tensor3D, initialState: initialState as tf.Tensor4D },
        8,
      );
      return y.square().mean().add(finalState.square().mean());
    })(tensors);
    for (const [i, g] of gradients.entries()) {
      const values = g.dataSync();
      expect(values.every(Number.isFinite), `${names[i]} gradient finite`).toBe(true);
      expect(maxAbs(values), `${names[i]} gradient non-zero`).toBeGreaterThan(0);
    }
    tf.dispose([...gradients, ...tensors]);
  });

  it('matches the recurrence with strong decay over long sequences (no overflow in masks)', () => {
    const r = new SeededRandom(3);
    const longLength = 300;
    const x = randomArray(r, longLength);
    const dt = new Float32Array(longLength).fill(1);
    const logDecay = new Float32Array(longLength).fill(-5);
    const b = new Float32Array(longLength).fill(1);
    const c = new Float32Array(longLength).fill(1);
    const reference = ssdSequentialReference({ batch: 1, length: longLength, heads: 1, headDim: 1, stateDim: 1, x, dt, logDecay, b, c });
    const { y, finalState } = ssdChunked(
      { x: tf.tensor4d(x, [1, longLength, 1, 1]), dt: tf.tensor3d(dt, [1, longLength, 1]), logDecay: tf.tensor3d(logDecay, [1, longLength, 1]), b: tf.tensor3d(b, [1, longLength, 1]), c: tf.tensor3d(c, [1, longLength, 1]) },
      16,
    );
    expect(y.dataSync().every(Number.isFinite)).toBe(true);
    expect(maxAbsDifference(y.dataSync(), reference.y)).toBeLessThan(1e-4);
    tf.dispose([y, finalState]);
  });
});
