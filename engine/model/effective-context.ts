/**
 * Effective context: how far an input change still moves an output. The features at the centre
 * of a window are perturbed and, per distance, the largest change of any genotype logit that
 * far downstream (carried by the forward direction) and upstream (the backward direction) is
 * recorded relative to the change at the perturbed position. Used by bench/model.ts (synthetic
 * features) and bench/model-ablations.ts (real pileup features, trained weights).
 */
import * as tf from '@tensorflow/tfjs';
import { FEATURE_COUNT } from './features.js';
import type { GenomeLtmMoe } from './model.js';
import { SeededRandom } from '../util/seeded-random.js';

export interface ContextRow {
  distance: number;
  downstream: number;
  upstream: number;
}

export interface EffectiveContext {
  rows: ContextRow[];
  /** Farthest distance (bp) at which the relative change still exceeds 1e-3. */
  reach: { downstream: number; upstream: number };
}

/** `features`: row-major [length × FEATURE_COUNT] of consecutive positions. */
export function measureEffectiveContext(model: GenomeLtmMoe, features: Float32Array): EffectiveContext {
  const windowLength = features.length / FEATURE_COUNT;
  const base = features.slice();
  const perturbed = base.slice();
  const centre = Math.floor(windowLength / 2);
  const random = new SeededRandom(5);
  for (let k = 0; k < FEATURE_COUNT; k++) perturbed[centre * FEATURE_COUNT + k] = perturbed[centre * FEATURE_COUNT + k]! + 0.5 * random.normal();
  const run = (input: Float32Array): Float32Array =>
    tf.tidy(() => {
      const out = model.forward(tf.tensor3d(input, [1, windowLength, FEATURE_COUNT]));
      return out.logits;
    }).dataSync() as Float32Array;
  const a = run(base);
  const b = run(perturbed);
  const change = (t: number): number => Math.max(Math.abs(a[t * 3]! - b[t * 3]!), Math.abs(a[t * 3 + 1]! - b[t * 3 + 1]!), Math.abs(a[t * 3 + 2]! - b[t * 3 + 2]!));
  const atCentre = Math.max(change(centre), 1e-30);
  const rows: ContextRow[] = [];
  for (const distance of [1, 10, 100, 300, 1000, 3000, 10000, 30000]) {
    if (distance >= centre) break;
    // Largest change within ±10 % of the distance, so one lucky position does not decide.
    let down = 0;
    let up = 0;
    for (let d = Math.floor(distance * 0.9); d <= Math.ceil(distance * 1.1); d++) {
      down = Math.max(down, change(centre + d));
      up = Math.max(up, change(centre - d));
    }
    rows.push({ distance, downstream: down / atCentre, upstream: up / atCentre });
  }
  let downstream = 0;
  let upstream = 0;
  for (let d = 1; d < centre; d++) {
    if (change(centre + d) / atCentre > 1e-3) downstream = d;
    if (change(centre - d) / atCentre > 1e-3) upstream = d;
  }
  return { rows, reach: { downstream, upstream } };
}
