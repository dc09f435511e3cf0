/**
 * The backbone: a bidirectional diagonal state-space model (Mamba-2 / SSD style).
 *
 * Recurrence per head h (P channels, N states), for position t:
 *     H_t = exp(logDecay_t) · H_{t-1} + dt_t · B_t ⊗ x_t        (H_t is N × P)
 *     y_t = C_tᵀ H_t
 * with input-dependent dt_t, B_t, C_t and a per-head decay (A is a scalar per head, so across
 * heads the state transition is diagonal). The scan is computed in the chunked "state space
 * duality" form: inside a chunk of Q positions it is a masked matrix product (like causal
 * attention with a decay mask), across chunks a short recurrence carries the state, itself
 * written as one small matrix product. Only matMul, cumsum, exp and elementwise ops are used,
 * all of which have gradients on the wasm and cpu backends (no convolution kernels).
 * Derivation and shapes: docs/model.md, "SSD scan".
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelArchitecture } from './config.js';
import type { ParameterStore } from './params.js';
import { constant, glorot } from './params.js';

export interface SsdInputs {
  /** [batch, length, heads, headDim] */
  x: tf.Tensor4D;
  /** [batch, length, heads]: input scale of each step (softplus output, ≥ 0). */
  dt: tf.Tensor3D;
  /** [batch, length, heads]: log of the state decay at each step (≤ 0). */
  logDecay: tf.Tensor3D;
  /** [batch, length, stateDim] */
  b: tf.Tensor3D;
  /** [batch, length, stateDim] */
  c: tf.Tensor3D;
  /** [batch, heads, stateDim, headDim]; zeros when absent. */
  initialState?: tf.Tensor4D;
}

export interface SsdResult {
  /** [batch, length, heads, headDim] */
  y: tf.Tensor4D;
  /** State after the last position: [batch, heads, stateDim, headDim]. */
  finalState: tf.Tensor4D;
}

/** 1 where row ≥ column (inclusive) or row > column (strict), as a constant [n, n] tensor. */
function lowerTriangle(n: number, strict: boolean): tf.Tensor2D {
  const values = new Float32Array(n * n);
  for (let row = 0; row < n; row++) for (let col = 0; col < (strict ? row : row + 1); col++) values[row * n + col] = 1;
  return tf.tensor2d(values, [n, n]);
}

/**
 * exp(segment sums): out[…, t, s] = exp(Σ_{s<r≤t} x[…, r]) for t ≥ s, else 0.
 * Computed by masking then cumsum (not as cumsum differences) so long runs of large negative
 * values keep full precision; the masked exp has zero gradient above the diagonal (no inf·0).
 */
export function exponentialSegmentSums(x: tf.Tensor): tf.Tensor {
  const n = x.shape[x.shape.length - 1]!;
  const strict = lowerTriangle(n, true);
  const inclusive = lowerTriangle(n, false);
  // [..., n(r), 1] * [n(r), n(s)]: value x[r] where r > s.
  const masked = x.expandDims(-1).mul(strict);
  const sums = tf.cumsum(masked, x.shape.length - 1);
  return tf.exp(sums.mul(inclusive)).mul(inclusive);
}

/** The SSD scan in chunked matrix form. Length need not be a multiple of the chunk size. */
export function ssdChunked(inputs: SsdInputs, chunkSize: number): SsdResult {
  return tf.tidy(() => {
    const [batch, length, heads, headDim] = inputs.x.shape;
    const stateDim = inputs.b.shape[2];
    const chunks = Math.max(1, Math.ceil(length / chunkSize));
    const padded = chunks * chunkSize;
    const pad = padded - length;
    // Padding steps have dt = 0 and logDecay = 0: they neither add input nor decay the state,
    // so the final state is exact.
    const x = pad > 0 ? tf.pad(inputs.x, [[0, 0], [0, pad], [0, 0], [0, 0]]) : inputs.x;
    const dt = pad > 0 ? tf.pad(inputs.dt, [[0, 0], [0, pad], [0, 0]]) : inputs.dt;
    const logDecay = pad > 0 ? tf.pad(inputs.logDecay, [[0, 0], [0, pad], [0, 0]]) : inputs.logDecay;
    const b = pad > 0 ? tf.pad(inputs.b, [[0, 0], [0, pad], [0, 0]]) : inputs.b;
    const c = pad > 0 ? tf.pad(inputs.c, [[0, 0], [0, pad], [0, 0]]) : inputs.c;
    const Q = chunkSize;

    // [B, H, nc, Q]: cumulative log decay inside each chunk.
    const cumulative = tf.cumsum(logDecay.reshape([batch, chunks, Q, heads]).transpose([0, 3, 1, 2]), 3);

    // Intra-chunk: Y = (C Bᵀ ∘ L) (dt·x), L[t, s] = exp(cum_t − cum_s) for t ≥ s. Within one
    // chunk the difference of cumulative sums is well conditioned (Q is small).
    // The causal mask is applied once to C Bᵀ (shared by the heads) and inside the exp (so the
    // masked-out entries are exp(0), finite, with zero gradient) rather than after it.
    const inclusive = lowerTriangle(Q, false);
    const bChunks = b.reshape([batch * chunks, Q, stateDim]);
    const cChunks = c.reshape([batch * chunks, Q, stateDim]);
    const cbMasked = tf.matMul(cChunks, bChunks, false, true).mul(inclusive).reshape([batch, 1, chunks, Q, Q]);
    const decayMatrix = tf.exp(cumulative.expandDims(4).sub(cumulative.expandDims(3)).mul(inclusive));
    const scores = cbMasked.mul(decayMatrix).reshape([batch * heads * chunks, Q, Q]);
    const xdt = x.mul(dt.expandDims(3)); // [B, T, H, P]
    const xdtHeads = xdt.reshape([batch, chunks, Q, heads, headDim]).transpose([0, 3, 1, 2, 4]); // [B, H, nc, Q, P]
    const yDiagonal = tf.matMul(scores, xdtHeads.reshape([batch * heads * chunks, Q, headDim])).reshape([batch, heads, chunks, Q, headDim]);

    // Each chunk's own contribution to the state at its end: Σ_s exp(cum_last − cum_s) B_s ⊗ dt_s x_s.
    const cumulativeLast = cumulative.slice([0, 0, 0, Q - 1], [batch, heads, chunks, 1]); // [B, H, nc, 1]
    const decayToEnd = tf.exp(cumulativeLast.sub(cumulative)); // [B, H, nc, Q]
    const weighted = xdtHeads.mul(decayToEnd.expandDims(4)); // [B, H, nc, Q, P]
    // B is shared by the heads, so heads fold into the matMul's columns.
    const weightedByChunk = weighted.transpose([0, 2, 3, 1, 4]).reshape([batch * chunks, Q, heads * headDim]);
    const chunkStates = tf
      .matMul(bChunks, weightedByChunk, true, false) // [B·nc, N, H·P]
      .reshape([batch, chunks, stateDim, heads, headDim])
      .transpose([0, 3, 1, 2, 4]); // [B, H, nc, N, P]

    // Across chunks: state entering chunk k = Σ_{j≤k} exp(Σ chunk decays between) · S_j, with the
    // initial state as S_{-1}. One [nc+1, nc+1] decay matrix per (batch, head).
    const initial = inputs.initialState ?? tf.zeros([batch, heads, stateDim, headDim]);
    const allStates = tf.concat([initial.expandDims(2), chunkStates], 2); // [B, H, nc+1, N, P]
    const chunkLogDecay = tf.concat([tf.zeros([batch, heads, 1]), cumulativeLast.reshape([batch, heads, chunks])], 2);
    const chunkDecay = exponentialSegmentSums(chunkLogDecay); // [B, H, nc+1, nc+1]
    // Slices stay rank 3: tfjs-wasm slices rank-5 tensors on a slow generic path (measured 50×).
    // One 2-D matMul per (batch, head): tfjs-wasm runs rank-2 matMul through XNNPACK, about ten
    // times faster than its batched kernel (measured; docs/model.md, "Performance").
    const decayPerHead = tf.unstack(chunkDecay.reshape([batch * heads, chunks + 1, chunks + 1]));
    const statesPerHead = tf.unstack(allStates.reshape([batch * heads, chunks + 1, stateDim * headDim]));
    const propagated = tf.stack(decayPerHead.map((decay, i) => tf.matMul(decay as tf.Tensor2D, statesPerHead[i] as tf.Tensor2D)));
    const statesIn = propagated.slice([0, 0, 0], [batch * heads, chunks, stateDim * headDim]).reshape([batch, heads, chunks, stateDim, headDim]);
    const finalState = propagated.slice([0, chunks, 0], [batch * heads, 1, stateDim * headDim]).reshape([batch, heads, stateDim, headDim]) as tf.Tensor4D;

    // State → output: y_t += exp(cum_t) C_tᵀ H_in.
    const statesByChunk = statesIn.transpose([0, 2, 3, 1, 4]).reshape([batch * chunks, stateDim, heads * headDim]);
    const fromState = tf
      .matMul(cChunks, statesByChunk) // [B·nc, Q, H·P]
      .reshape([batch, chunks, Q, heads, headDim])
      .transpose([0, 3, 1, 2, 4]);
    const yOffDiagonal = fromState.mul(tf.exp(cumulative).expandDims(4));

    const yPadded = yDiagonal
      .add(yOffDiagonal)
      .transpose([0, 2, 3, 1, 4]) // [B, nc, Q, H, P]
      .reshape([batch, padded, heads * headDim]);
    const y = (pad > 0 ? yPadded.slice([0, 0, 0], [batch, length, heads * headDim]) : yPadded).reshape([batch, length, heads, headDim]) as tf.Tensor4D;
    return { y, finalState };
  });
}

export interface SequentialSsdInputs {
  batch: number;
  length: number;
  heads: number;
  headDim: number;
  stateDim: number;
  /** Row-major arrays with the shapes of SsdInputs. */
  x: ArrayLike<number>;
  dt: ArrayLike<number>;
  logDecay: ArrayLike<number>;
  b: ArrayLike<number>;
  c: ArrayLike<number>;
  initialState?: ArrayLike<number>;
}

/**
 * The plain recurrence, one position at a time, in float64 JavaScript: the reference the
 * chunked form is tested against. Returns y [B, T, H, P] and the final state [B, H, N, P].
 */
export function ssdSequentialReference(s: SequentialSsdInputs): { y: Float64Array; finalState: Float64Array } {
  const { batch, length, heads, headDim, stateDim } = s;
  const y = new Float64Array(batch * length * heads * headDim);
  const state = new Float64Array(batch * heads * stateDim * headDim);
  if (s.initialState) for (let i = 0; i < state.length; i++) state[i] = s.initialState[i]!;
  for (let bi = 0; bi < batch; bi++) {
    for (let t = 0; t < length; t++) {
      for (let h = 0; h < heads; h++) {
        const step = (bi * length + t) * heads + h;
        const decay = Math.exp(s.logDecay[step]!);
        const dt = s.dt[step]!;
        for (let n = 0; n < stateDim; n++) {
          const bn = s.b[(bi * length + t) * stateDim + n]!;
          const cn = s.c[(bi * length + t) * stateDim + n]!;
          for (let p = 0; p < headDim; p++) {
            const si = ((bi * heads + h) * stateDim + n) * headDim + p;
            state[si] = decay * state[si]! + dt * bn * s.x[step * headDim + p]!;
            y[step * headDim + p]! += cn * state[si]!;
          }
        }
      }
    }
  }
  return { y, finalState: state };
}

/**
 * How the scan is computed. `chunked` is the SSD matrix form: differentiable on every backend,
 * used for training. `recurrent` runs the plain recurrence in float32 JavaScript over the
 * tensors' data: no gradient, but about 3× less CPU time than the chunked form on the wasm and
 * cpu backends, whose tensors live in this process's memory anyway (measured in
 * docs/model.md, "Performance"). Both give the same result to float tolerance (tested).
 */
export type ScanImplementation = 'chunked' | 'recurrent';

/** The faster inference scan for the backend in use: recurrent where tensors are in JS/wasm memory. */
export function inferenceScan(): ScanImplementation {
  const backend = tf.getBackend();
  return backend === 'wasm' || backend === 'cpu' ? 'recurrent' : 'chunked';
}

/**
 * The recurrence over tensor data (see ScanImplementation); same contract as ssdChunked. With
 * `reverse`, positions are visited last to first (the backward direction without reversing
 * the tensors, which costs as much as the scan itself on wasm).
 */
export function ssdRecurrent(inputs: SsdInputs, reverse = false): SsdResult {
  const [batch, length, heads, headDim] = inputs.x.shape;
  const stateDim = inputs.b.shape[2];
  const x = inputs.x.dataSync();
  const dt = inputs.dt.dataSync();
  const logDecay = inputs.logDecay.dataSync();
  const b = inputs.b.dataSync();
  const c = inputs.c.dataSync();
  const state = inputs.initialState ? Float32Array.from(inputs.initialState.dataSync()) : new Float32Array(batch * heads * stateDim * headDim);
  const y = new Float32Array(batch * length * heads * headDim);
  const headState = stateDim * headDim;
  for (let bi = 0; bi < batch; bi++) {
    for (let i = 0; i < length; i++) {
      const t = reverse ? length - 1 - i : i;
      const bc = (bi * length + t) * stateDim;
      for (let h = 0; h < heads; h++) {
        const step = (bi * length + t) * heads + h;
        const decay = Math.exp(logDecay[step]!);
        const scale = dt[step]!;
        const xo = step * headDim;
        const so = (bi * heads + h) * headState;
        for (let n = 0; n < stateDim; n++) {
          const bn = scale * b[bc + n]!;
          const cn = c[bc + n]!;
          const sn = so + n * headDim;
          for (let p = 0; p < headDim; p++) {
            const value = decay * state[sn + p]! + bn * x[xo + p]!;
            state[sn + p] = value;
            y[xo + p]! += cn * value;
          }
        }
      }
    }
  }
  return { y: tf.tensor4d(y, [batch, length, heads, headDim]), finalState: tf.tensor4d(state, [batch, heads, stateDim, headDim]) };
}

/** Which way a mixer reads the sequence. The backward one has a decay floor (see below). */
export type ScanDirection = 'forward' | 'backward';

/**
 * The extra per-step log decay of the backward direction: after `horizon` steps its memory has
 * shrunk by at least 1e-3, whatever the learned dt and A. This is what makes streaming with a
 * finite look-ahead a controlled approximation (docs/model.md, "Streaming").
 */
export function backwardDecayFloor(horizon: number): number {
  return Math.log(1000) / horizon;
}

export function mixerProjectionWidth(arch: ModelArchitecture): number {
  return 2 * arch.heads * arch.headDim + 2 * arch.stateDim + arch.heads;
}

/** Defines one direction's mixer parameters under `prefix`. */
export function defineMixer(store: ParameterStore, prefix: string, arch: ModelArchitecture): void {
  const { dModel, heads, headDim } = arch;
  const width = mixerProjectionWidth(arch);
  store.create(`${prefix}.inProj`, [dModel, width], glorot(dModel, width));
  // Mamba's init: dt log-uniform in [1e-3, 1e-1], stored through softplus⁻¹; A uniform in [1, 16].
  store.create(`${prefix}.dtBias`, [heads], (_i, r) => {
    const dt = Math.exp(r.uniform(Math.log(1e-3), Math.log(1e-1)));
    return dt + Math.log(-Math.expm1(-dt));
  });
  store.create(`${prefix}.aLog`, [heads], (_i, r) => Math.log(r.uniform(1, 16)));
  store.create(`${prefix}.dSkip`, [heads], constant(1));
  store.create(`${prefix}.outProj`, [heads * headDim, dModel], glorot(heads * headDim, dModel));
}

export interface MixerResult {
  /** [batch, length, dModel] */
  output: tf.Tensor3D;
  finalState: tf.Tensor4D;
}

/** The SSD inputs of one mixer for `u` [batch, length, dModel], plus the gate. */
function mixerInputs(store: ParameterStore, prefix: string, arch: ModelArchitecture, direction: ScanDirection, u: tf.Tensor3D) {
  const [batch, length, dModel] = u.shape;
  const { heads, headDim, stateDim } = arch;
  const hp = heads * headDim;
  // One matMul per part against a column slice of the weights: splitting the [positions × width]
  // product instead costs a strided copy per part on wasm (weights are small, products are not).
  const flat = u.reshape([batch * length, dModel]);
  const weights = store.get(`${prefix}.inProj`);
  let column = 0;
  const part = (width: number): tf.Tensor2D => {
    const w = weights.slice([0, column], [dModel, width]) as tf.Tensor2D;
    column += width;
    return tf.matMul(flat, w);
  };
  const xs = part(hp);
  const z = part(hp);
  const b = part(stateDim);
  const c = part(stateDim);
  const dtRaw = part(heads);
  const dt = tf.softplus(dtRaw.add(store.get(`${prefix}.dtBias`))).reshape([batch, length, heads]) as tf.Tensor3D;
  const a = tf.exp(store.get(`${prefix}.aLog`)).neg(); // [H], < 0
  let logDecay = dt.mul(a) as tf.Tensor3D;
  if (direction === 'backward') logDecay = logDecay.sub(backwardDecayFloor(arch.backwardHorizon));
  return {
    x: xs.reshape([batch, length, heads, headDim]) as tf.Tensor4D,
    gate: z,
    dt,
    logDecay,
    b: b.reshape([batch, length, stateDim]) as tf.Tensor3D,
    c: c.reshape([batch, length, stateDim]) as tf.Tensor3D,
  };
}

/**
 * One direction's mixer over `u` (in sequence order; the backward direction reads it last to
 * first): y = outProj((SSD(x) + D·x) ∘ silu(z)). Everything but the scan is per position, so
 * only the scan needs the reading order: the chunked scan gets reversed tensors, the
 * recurrent one walks backwards.
 */
export function runMixer(store: ParameterStore, prefix: string, arch: ModelArchitecture, direction: ScanDirection, u: tf.Tensor3D, initialState?: tf.Tensor4D, scan: ScanImplementation = 'chunked'): MixerResult {
  return tf.tidy(() => {
    const [batch, length, dModel] = u.shape;
    const { heads, headDim } = arch;
    // The chunked scan is causal: the backward direction runs it on the reversed sequence.
    const reverseTensors = scan === 'chunked' && direction === 'backward';
    const inputs = mixerInputs(store, prefix, arch, direction, reverseTensors ? tf.reverse(u, 1) : u);
    const ssdInputs: SsdInputs = { x: inputs.x, dt: inputs.dt, logDecay: inputs.logDecay, b: inputs.b, c: inputs.c };
    if (initialState) ssdInputs.initialState = initialState;
    const { y, finalState } = scan === 'recurrent' ? ssdRecurrent(ssdInputs, direction === 'backward') : ssdChunked(ssdInputs, arch.chunkSize);
    const withSkip = y.add(inputs.x.mul(store.get(`${prefix}.dSkip`).reshape([1, 1, heads, 1])));
    const gated = withSkip.reshape([batch * length, heads * headDim]).mul(tf.mul(inputs.gate, tf.sigmoid(inputs.gate)));
    const output = tf.matMul(gated, store.get(`${prefix}.outProj`)).reshape([batch, length, dModel]) as tf.Tensor3D;
    return { output: reverseTensors ? tf.reverse(output, 1) : output, finalState };
  });
}

export function rmsNorm(x: tf.Tensor3D, weight: tf.Tensor): tf.Tensor3D {
  return tf.tidy(() => x.mul(tf.rsqrt(x.square().mean(-1, true).add(1e-5))).mul(weight) as tf.Tensor3D);
}

/** Defines the backbone: input projection, `layers` bidirectional blocks, final norm. */
export function defineBackbone(store: ParameterStore, arch: ModelArchitecture, inputChannels: number): void {
  store.create('input.weight', [inputChannels, arch.dModel], glorot(inputChannels, arch.dModel));
  store.create('input.bias', [arch.dModel], constant(0));
  for (let layer = 0; layer < arch.layers; layer++) {
    store.create(`layer${layer}.norm`, [arch.dModel], constant(1));
    defineMixer(store, `layer${layer}.forward`, arch);
    defineMixer(store, `layer${layer}.backward`, arch);
  }
  store.create('final.norm', [arch.dModel], constant(1));
}

export interface BackboneWindowResult {
  /**
   * [batch, windowLength, dModel], final-normed; only the first `tileLength` rows are meaningful
   * (the look-ahead rows of the last layer skip its forward mixer).
   */
  hidden: tf.Tensor3D;
  /** Forward state of each layer after position `tileLength − 1`. */
  forwardStates: tf.Tensor4D[];
}

/**
 * Runs the backbone over a window = tile (first `tileLength` positions) + look-ahead. The
 * forward direction starts from `carried` states and its state after the tile is returned for
 * the next tile; it continues through the look-ahead (from that state, not carried on) because
 * deeper layers need those positions. The backward direction starts from zero at the window's
 * end. With tileLength = window length and no carried state this is the whole-sequence forward.
 */
export function backboneWindow(
  store: ParameterStore,
  arch: ModelArchitecture,
  features: tf.Tensor3D,
  tileLength: number,
  carried?: readonly tf.Tensor4D[],
  scan: ScanImplementation = 'chunked',
): BackboneWindowResult {
  return tf.tidy(() => {
    const [batch, window, channels] = features.shape;
    if (tileLength < 1 || tileLength > window) throw new Error(`backboneWindow: tileLength ${tileLength} outside 1..${window}`);
    const lookahead = window - tileLength;
    let h = tf
      .matMul(features.reshape([batch * window, channels]), store.get('input.weight'))
      .add(store.get('input.bias'))
      .reshape([batch, window, arch.dModel]) as tf.Tensor3D;
    const forwardStates: tf.Tensor4D[] = [];
    for (let layer = 0; layer < arch.layers; layer++) {
      const u = rmsNorm(h, store.get(`layer${layer}.norm`));
      const prefix = `layer${layer}.forward`;
      const tilePart = lookahead > 0 ? u.slice([0, 0, 0], [batch, tileLength, arch.dModel]) : u;
      const tileResult = runMixer(store, prefix, arch, 'forward', tilePart, carried?.[layer], scan);
      forwardStates.push(tileResult.finalState);
      let forwardOut = tileResult.output;
      // The last layer's look-ahead rows feed nothing (outputs are read on the tile only), so
      // they are zero there; deeper layers' backward scans need the earlier layers' rows.
      const lastLayer = layer === arch.layers - 1;
      if (lookahead > 0 && lastLayer) {
        forwardOut = tf.concat([forwardOut, tf.zeros([batch, lookahead, arch.dModel])], 1);
      } else if (lookahead > 0) {
        const ahead = runMixer(store, prefix, arch, 'forward', u.slice([0, tileLength, 0], [batch, lookahead, arch.dModel]), tileResult.finalState, scan);
        forwardOut = tf.concat([forwardOut, ahead.output], 1);
      }
      const backward = runMixer(store, `layer${layer}.backward`, arch, 'backward', u, undefined, scan);
      h = h.add(forwardOut).add(backward.output);
    }
    return { hidden: rmsNorm(h, store.get('final.norm')), forwardStates };
  });
}
