/**
 * GenomeLTM-MoE: features → input projection → bidirectional SSD blocks → MoE genotype heads.
 * Weights live in a ParameterStore; the forward functions are plain tf code shared by training,
 * whole-sequence inference and streaming (./streaming.ts).
 */
import * as tf from '@tensorflow/tfjs';
import type { ModelArchitecture } from './config.js';
import { FEATURE_COUNT } from './features.js';
import { baselineLogLikelihoods, defineMoe, GENOTYPE_CLASS_COUNT, runMoe, type MoeOutput } from './moe.js';
import { ParameterStore } from './params.js';
import { SeededRandom } from '../util/seeded-random.js';
import { backboneWindow, defineBackbone, type ScanImplementation } from './ssm.js';

/**
 * Version of the model code's weight layout and semantics. Checkpoints record it; loading
 * refuses a different one. Bump when parameters are renamed, reshaped or reinterpreted.
 */
export const MODEL_CODE_VERSION = 1;

export class GenomeLtmMoe {
  readonly store: ParameterStore;
  /** Temperature fitted on held-out data (./calibration.ts); 1 until calibrated. */
  temperature = 1;

  private constructor(
    readonly architecture: ModelArchitecture,
    store: ParameterStore,
  ) {
    this.store = store;
  }

  /** A freshly initialised model; the same architecture and seed give the same weights. */
  static create(architecture: ModelArchitecture, seed: number): GenomeLtmMoe {
    const store = new ParameterStore(new SeededRandom(seed));
    defineBackbone(store, architecture, FEATURE_COUNT);
    defineMoe(store, architecture);
    return new GenomeLtmMoe(architecture, store);
  }

  /**
   * Whole-sequence forward over `features` [batch, length, FEATURE_COUNT]. Training needs the
   * default chunked scan (it has gradients); inference may pass ssm.ts `inferenceScan()`.
   */
  forward(features: tf.Tensor3D, scan: ScanImplementation = 'chunked'): MoeOutput {
    return tf.tidy(() => {
      const { hidden } = backboneWindow(this.store, this.architecture, features, features.shape[1], undefined, scan);
      return this.heads(hidden, features);
    });
  }

  /**
   * The forward pass read at `rows` only (the output's rows, in that order): the backbone runs
   * over the whole sequence, as every row's context needs, and the heads only where a prediction
   * is wanted. The caller wants a few hundred of a tile's 200,000 rows; the heads' rows are
   * independent, so each is what `forward` gives for it.
   */
  forwardAt(features: tf.Tensor3D, rows: readonly number[], scan: ScanImplementation = 'chunked'): MoeOutput {
    return tf.tidy(() => {
      const { hidden } = backboneWindow(this.store, this.architecture, features, features.shape[1], undefined, scan);
      const index = tf.tensor1d(Int32Array.from(rows), 'int32');
      return this.heads(tf.gather(hidden, index, 1), tf.gather(features, index, 1));
    });
  }

  /** The MoE heads on backbone output for the rows of `features` (streaming calls this on each tile's rows). */
  heads(hidden: tf.Tensor3D, features: tf.Tensor3D): MoeOutput {
    return tf.tidy(() => runMoe(this.store, this.architecture, hidden, this.architecture.baselineSkip ? baselineLogLikelihoods(features, this.architecture.baselineFloor) : undefined, features));
  }

  dispose(): void {
    this.store.dispose();
  }
}

/** What the model says about one position, in plain numbers (provenance, verifier). */
export interface PositionPrediction {
  /** Calibrated posterior over hom-ref, het, hom-alt. */
  posterior: [number, number, number];
  /** The experts used (top-k), strongest first, with their renormalised weights. */
  experts: { index: number; name: string; weight: number }[];
  /** Each expert's own calibrated posterior, by expert index (verifier: disagreement, re-route). */
  expertPosteriors: [number, number, number][];
}

function softmaxWithTemperature(logits: ArrayLike<number>, offset: number, temperature: number): [number, number, number] {
  const a = logits[offset]! / temperature;
  const b = logits[offset + 1]! / temperature;
  const c = logits[offset + 2]! / temperature;
  const max = Math.max(a, b, c);
  const ea = Math.exp(a - max);
  const eb = Math.exp(b - max);
  const ec = Math.exp(c - max);
  const sum = ea + eb + ec;
  return [ea / sum, eb / sum, ec / sum];
}

/** Reads batch row `row` of a MoE output into per-position predictions. */
export async function readPredictions(output: MoeOutput, row: number, expertNames: readonly string[], temperature: number): Promise<PositionPrediction[]> {
  const [, length] = output.logits.shape;
  const experts = expertNames.length;
  const [logits, expertLogits, routeWeights] = await Promise.all([output.logits.data(), output.expertLogits.data(), output.routeWeights.data()]);
  const predictions: PositionPrediction[] = [];
  for (let t = 0; t < length; t++) {
    const position = row * length + t;
    const used: { index: number; name: string; weight: number }[] = [];
    const expertPosteriors: [number, number, number][] = [];
    for (let e = 0; e < experts; e++) {
      const weight = routeWeights[position * experts + e]!;
      if (weight > 0) used.push({ index: e, name: expertNames[e]!, weight });
      expertPosteriors.push(softmaxWithTemperature(expertLogits, (position * experts + e) * GENOTYPE_CLASS_COUNT, temperature));
    }
    used.sort((x, y) => y.weight - x.weight);
    predictions.push({ posterior: softmaxWithTemperature(logits, position * GENOTYPE_CLASS_COUNT, temperature), experts: used, expertPosteriors });
  }
  return predictions;
}
