/**
 * Mixture-of-experts genotype heads. A learned router scores every expert per position; the
 * top k are used with their softmax weights renormalised to sum to 1 (Switch/GShard style), and
 * a load-balancing loss keeps the router from collapsing onto one expert.
 *
 * Output classes per position: hom-ref, het, hom-alt for the column's alternate allele (the
 * candidate's allele, see features.ts `alternateAllele`). Multi-allelic sites are genotyped
 * one alt allele at a time by the caller; docs/model.md says why this is enough for now.
 *
 * All experts are evaluated densely (there are few and they are small), so re-routing a call
 * to another expert in the verifier costs nothing: its logits are already there.
 */
import * as tf from '@tensorflow/tfjs';
import { BASELINE_SCALE_CLASSES, type ModelArchitecture } from './config.js';
import type { ParameterStore } from './params.js';
import { constant, glorot } from './params.js';
import { CHANNEL_INDEX, contextSpeciality, FEATURE_COUNT } from './features.js';

export const GENOTYPE_CLASSES = ['hom-ref', 'het', 'hom-alt'] as const;
export type GenotypeClass = (typeof GENOTYPE_CLASSES)[number];
export const GENOTYPE_CLASS_COUNT = GENOTYPE_CLASSES.length;

/** A type alias (not an interface) so tf.tidy accepts it as a TensorContainer. */
export type MoeOutput = {
  /** [batch, length, 3]: Σ_e w_e · expert_e logits. */
  logits: tf.Tensor3D;
  /** [batch, length, experts, 3]: every expert's own logits (verifier, re-routing). */
  expertLogits: tf.Tensor4D;
  /** [batch, length, experts]: the router's softmax over all experts. */
  routerProbabilities: tf.Tensor3D;
  /** [batch, length, experts]: top-k weights renormalised to 1, zero for unused experts (provenance). */
  routeWeights: tf.Tensor3D;
  /** Switch-Transformer load-balancing loss: 1 at perfectly even load, up to E when collapsed. */
  loadBalanceLoss: tf.Scalar;
};

export function defineMoe(store: ParameterStore, arch: ModelArchitecture): void {
  const experts = arch.experts.length;
  const { dModel, expertHidden } = arch;
  // Small router init: near-uniform routing at the start, so every expert gets gradient.
  store.create('router.weight', [dModel, experts], (_i, r) => 0.01 * r.normal());
  store.create('router.bias', [experts], constant(0));
  store.create('experts.w1', [dModel, experts * expertHidden], glorot(dModel, expertHidden));
  store.create('experts.b1', [experts * expertHidden], constant(0));
  store.create('experts.w2', [experts, expertHidden, GENOTYPE_CLASS_COUNT], glorot(expertHidden, GENOTYPE_CLASS_COUNT));
  store.create('experts.b2', [experts, 1, GENOTYPE_CLASS_COUNT], constant(0));
  // Starts at 1: an untrained model's genotype follows the statistical likelihoods.
  if (!arch.baselineSkip) return;
  if (!arch.baselineScale) {
    store.create('baseline.scale', [1], constant(1));
    return;
  }
  for (const kind of BASELINE_SCALE_CLASSES) {
    if (arch.baselineScale[kind] === 'learned') store.create(`baseline.scale.${kind}`, [1], constant(1));
  }
}

/**
 * The skip's scale per position [batch·length, 1, 1]: one learned scalar, or (with
 * `baselineScale`) the SNV or indel scale by the column's `baseline_indel` channel, 1 where
 * that class's scale is fixed. Columns without a verdict add 0 whatever their scale.
 */
function baselineScaleOf(store: ParameterStore, arch: ModelArchitecture, features: tf.Tensor3D | undefined, positions: number): tf.Tensor {
  if (!arch.baselineScale) return store.get('baseline.scale');
  const scaleOf = (kind: (typeof BASELINE_SCALE_CLASSES)[number]): tf.Tensor => (arch.baselineScale![kind] === 'learned' ? store.get(`baseline.scale.${kind}`) : tf.scalar(1));
  if (!features) throw new Error('runMoe: a per-class baseline scale needs the features (their baseline_indel channel)');
  const isIndel = features.slice([0, 0, CHANNEL_INDEX.baseline_indel], [-1, -1, 1]).reshape([positions, 1, 1]);
  return scaleOf('indel').mul(isIndel).add(scaleOf('snv').mul(tf.scalar(1).sub(isIndel)));
}

/**
 * Floor of a baseline likelihood before its log when the architecture names none (float32
 * features hold 0 for PL in the hundreds); see ModelArchitecture.baselineFloor.
 */
const DEFAULT_BASELINE_FLOOR = 1e-6;

/**
 * The statistical genotyper's log-likelihoods per position [batch, length, 3] from the baseline
 * channels of `features` [batch, length, FEATURE_COUNT]; 0 where a column has no verdict.
 */
export function baselineLogLikelihoods(features: tf.Tensor3D, floor: number = DEFAULT_BASELINE_FLOOR): tf.Tensor3D {
  return tf.tidy(() => {
    const c = CHANNEL_INDEX;
    const present = features.slice([0, 0, c.baseline_present], [-1, -1, 1]);
    const likelihoods = features.slice([0, 0, c.baseline_hom_ref], [-1, -1, GENOTYPE_CLASS_COUNT]);
    return tf.log(likelihoods.maximum(floor)).mul(present) as tf.Tensor3D;
  });
}

/**
 * 1 for the k largest entries along the last axis, 0 elsewhere; ties go to the lower index.
 * Built from `step` (zero gradient) instead of tf.topk, which has no gradient in tfjs and would
 * break backpropagation through the router even though the mask itself needs none.
 */
export function topKMask(probabilities: tf.Tensor, k: number): tf.Tensor {
  return tf.tidy(() => {
    const rank = probabilities.shape.length;
    const e = probabilities.shape[rank - 1]!;
    // beats[…, i, j] = 1 when expert j ranks above expert i.
    const difference = probabilities.expandDims(rank - 1).sub(probabilities.expandDims(rank)); // [..., i, j] = p_j − p_i
    const tieBreak = new Float32Array(e * e);
    // 1e-9 is below float32 resolution of probabilities near 1 only for exact ties.
    for (let i = 0; i < e; i++) for (let j = 0; j < i; j++) tieBreak[i * e + j] = 1e-9;
    const beats = tf.step(difference.add(tf.tensor2d(tieBreak, [e, e])));
    const rankOf = beats.sum(rank); // how many experts rank above each
    return tf.step(tf.scalar(k - 0.5).sub(rankOf));
  });
}

/** Switch/GShard auxiliary loss: E · Σ_i f_i · P_i over all positions (f from the top-k mask). */
export function loadBalancingLoss(routerProbabilities: tf.Tensor, routeMask: tf.Tensor, k: number): tf.Scalar {
  return tf.tidy(() => {
    const e = routerProbabilities.shape[routerProbabilities.shape.length - 1]!;
    const flatProbabilities = routerProbabilities.reshape([-1, e]);
    const flatMask = routeMask.reshape([-1, e]);
    const dispatchFraction = flatMask.mean(0).div(k); // f_i, sums to 1
    const meanProbability = flatProbabilities.mean(0); // P_i, sums to 1
    return dispatchFraction.mul(meanProbability).sum().mul(e) as tf.Scalar;
  });
}

/**
 * Runs router and experts over `hidden` [batch, length, dModel]. With `baselineSkip`, `baseline`
 * ([batch, length, 3], `baselineLogLikelihoods`) is added to every expert's logits, scaled;
 * a per-class scale (`baselineScale`) reads the class from `features`.
 */
export function runMoe(store: ParameterStore, arch: ModelArchitecture, hidden: tf.Tensor3D, baseline?: tf.Tensor3D, features?: tf.Tensor3D): MoeOutput {
  return tf.tidy(() => {
    const [batch, length, dModel] = hidden.shape;
    const experts = arch.experts.length;
    const flat = hidden.reshape([batch * length, dModel]);
    const routerLogits = tf.matMul(flat, store.get('router.weight')).add(store.get('router.bias'));
    const routerProbabilities = tf.softmax(routerLogits);
    const mask = topKMask(routerProbabilities, arch.topK);
    const kept = routerProbabilities.mul(mask);
    const routeWeights = kept.div(kept.sum(1, true));

    const hiddenUnits = tf.matMul(flat, store.get('experts.w1')).add(store.get('experts.b1'));
    const activated = hiddenUnits.mul(tf.sigmoid(hiddenUnits)); // silu
    const perExpert = activated.reshape([batch * length, experts, arch.expertHidden]).transpose([1, 0, 2]); // [E, BT, Hd]
    let expertLogitsFlat = tf.matMul(perExpert, store.get('experts.w2')).add(store.get('experts.b2')).transpose([1, 0, 2]); // [BT, E, 3]
    if (arch.baselineSkip) {
      if (!baseline) throw new Error('runMoe: the architecture adds the baseline verdict, but none was given');
      const scale = baselineScaleOf(store, arch, features, batch * length);
      expertLogitsFlat = expertLogitsFlat.add(baseline.reshape([batch * length, 1, GENOTYPE_CLASS_COUNT]).mul(scale));
    }
    const logits = expertLogitsFlat.mul(routeWeights.expandDims(2)).sum(1);

    return {
      logits: logits.reshape([batch, length, GENOTYPE_CLASS_COUNT]) as tf.Tensor3D,
      expertLogits: expertLogitsFlat.reshape([batch, length, experts, GENOTYPE_CLASS_COUNT]) as tf.Tensor4D,
      routerProbabilities: routerProbabilities.reshape([batch, length, experts]) as tf.Tensor3D,
      routeWeights: routeWeights.reshape([batch, length, experts]) as tf.Tensor3D,
      loadBalanceLoss: loadBalancingLoss(routerProbabilities, mask, arch.topK),
    };
  });
}

// Kept with the feature channels they read (tf-free, for the caller's thread); re-exported here.
export { EXPERT_SPECIALITIES, contextSpeciality, type ExpertSpeciality } from './features.js';

/**
 * One-hot router targets [positions × experts] for the optional hint loss, and a per-position
 * weight that is 0 where the wanted expert does not exist in this model.
 */
export function routerHintTargets(features: Float32Array, positions: number, expertNames: readonly string[]): { targets: Float32Array; weights: Float32Array } {
  if (features.length !== positions * FEATURE_COUNT) throw new Error(`routerHintTargets: expected ${positions * FEATURE_COUNT} values`);
  const e = expertNames.length;
  const targets = new Float32Array(positions * e);
  const weights = new Float32Array(positions);
  for (let i = 0; i < positions; i++) {
    const index = expertNames.indexOf(contextSpeciality(features, i * FEATURE_COUNT));
    if (index >= 0) {
      targets[i * e + index] = 1;
      weights[i] = 1;
    }
  }
  return { targets, weights };
}
