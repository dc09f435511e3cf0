/**
 * The training loop: seeded init and data, Adam, weighted cross-entropy on genotype classes
 * plus the MoE load-balancing loss (and optionally the router's context hint), reverse-
 * complement augmentation, temperature calibration on one half of the held-out tiles, metrics
 * on the other half, and a checkpoint with its manifest.
 */
import * as tf from '@tensorflow/tfjs';
import { writeFileAtomically } from '../formats/atomic-file.js';
import { hashConfig } from '../util/canonical-json.js';
import { join } from 'node:path';
import type { BackendSelection } from './backend.js';
import { expectedCalibrationError, fitTemperature, meanNegativeLogLikelihood } from './calibration.js';
import { saveCheckpoint, type CheckpointManifest } from './checkpoint.js';
import type { ModelTrainingConfig } from './config.js';
import { CHANNEL_INDEX, FEATURE_COUNT, reverseComplementTile } from './features.js';
import { GenomeLtmMoe } from './model.js';
import { GENOTYPE_CLASS_COUNT, routerHintTargets } from './moe.js';
import { SeededRandom } from '../util/seeded-random.js';
import { SyntheticExampleSource } from './synthetic.js';
import type { TrainingBatch, TrainingExampleSource } from './train-data.js';

export interface TrainOptions {
  config: ModelTrainingConfig;
  /** Checkpoint folder. */
  outDir: string;
  /** Defaults to the config's data source. */
  source?: TrainingExampleSource;
  /** Progress and log lines (also written to the checkpoint's training.log). */
  log?: (line: string) => void;
  backend?: BackendSelection;
  /** Clock for the manifest (tests pin it). */
  now?: () => Date;
}

export interface TrainResult {
  manifest: CheckpointManifest;
  /** Total loss at every step. */
  lossHistory: number[];
  metrics: Record<string, number>;
  seconds: number;
}

/**
 * The config's data source. The kit source is imported only when asked for: it reads the
 * benchmark kit (bench/), which a packaged app does not ship.
 */
export async function sourceForConfig(config: ModelTrainingConfig, log?: (line: string) => void): Promise<TrainingExampleSource> {
  if (config.data.source === 'kit') {
    const { openKitTrainingSource } = await import('./kit-training-source.js');
    return openKitTrainingSource(config.data, { seed: config.seed, tileLength: config.training.tileLength, heldOutTiles: config.training.validationTiles, ...(log ? { log } : {}) });
  }
  return new SyntheticExampleSource(config.data, config.seed);
}

/** Replaces each tile by its reverse complement with probability p (labels reversed too). */
export function augmentReverseComplement(batch: TrainingBatch, probability: number, random: SeededRandom): TrainingBatch {
  if (probability <= 0) return batch;
  const features = batch.features.slice();
  const labels = batch.labels.slice();
  const weights = batch.weights.slice();
  const candidate = batch.candidate.slice();
  const T = batch.tileLength;
  for (let b = 0; b < batch.batchSize; b++) {
    if (random.next() >= probability) continue;
    const span = features.subarray(b * T * FEATURE_COUNT, (b + 1) * T * FEATURE_COUNT);
    span.set(reverseComplementTile(span, T));
    labels.subarray(b * T, (b + 1) * T).reverse();
    weights.subarray(b * T, (b + 1) * T).reverse();
    candidate.subarray(b * T, (b + 1) * T).reverse();
  }
  return { ...batch, features, labels, weights, candidate };
}

interface LossParts {
  total: tf.Scalar;
  crossEntropy: tf.Scalar;
  loadBalance: tf.Scalar;
}

function lossOf(model: GenomeLtmMoe, config: ModelTrainingConfig, batch: TrainingBatch, x: tf.Tensor3D): LossParts {
  const positions = batch.batchSize * batch.tileLength;
  const out = model.forward(x);
  const labels = tf.oneHot(tf.tensor1d(batch.labels, 'int32'), GENOTYPE_CLASS_COUNT);
  const weights = tf.tensor1d(batch.weights);
  const logProbabilities = tf.logSoftmax(out.logits.reshape([positions, GENOTYPE_CLASS_COUNT]));
  const perPosition = labels.mul(logProbabilities).sum(1).neg();
  const crossEntropy = perPosition.mul(weights).sum().div(weights.sum()) as tf.Scalar;
  let total = crossEntropy.add(out.loadBalanceLoss.mul(config.training.loadBalanceWeight)) as tf.Scalar;
  if (config.training.expertLossWeight > 0) {
    // Each expert's own cross-entropy, weighted by (route weight + 1/E) / 2: routed experts
    // learn most where they are used, every expert learns a little everywhere (re-route targets).
    const experts = config.model.experts.length;
    const expertLog = tf.logSoftmax(out.expertLogits.reshape([positions, experts, GENOTYPE_CLASS_COUNT]));
    const expertCrossEntropy = labels.expandDims(1).mul(expertLog).sum(2).neg(); // [positions, E]
    const share = out.routeWeights.reshape([positions, experts]).add(1 / experts).div(2);
    const perPositionExperts = expertCrossEntropy.mul(share).sum(1);
    const expertLoss = perPositionExperts.mul(weights).sum().div(weights.sum());
    total = total.add(expertLoss.mul(config.training.expertLossWeight)) as tf.Scalar;
  }
  if (config.training.routerHintWeight > 0) {
    const hint = routerHintTargets(batch.features, positions, config.model.experts);
    const experts = config.model.experts.length;
    const targets = tf.tensor2d(hint.targets, [positions, experts]);
    const hintWeights = tf.tensor1d(hint.weights);
    const routerLog = tf.log(out.routerProbabilities.reshape([positions, experts]).add(1e-7));
    const hintLoss = targets.mul(routerLog).sum(1).neg().mul(hintWeights).sum().div(hintWeights.sum().add(1e-7));
    total = total.add(hintLoss.mul(config.training.routerHintWeight)) as tf.Scalar;
  }
  return { total, crossEntropy, loadBalance: out.loadBalanceLoss };
}

interface HeldOutOutputs {
  logits: Float32Array;
  labels: Int32Array;
  /** Naive baseline: genotype from the alt-allele fraction alone. */
  baseline: Int32Array;
  routeWeightSums: Float64Array;
  count: number;
}

/** The alt fraction in the features (alt = most frequent non-ref allele channel pair). */
function naiveGenotype(features: Float32Array, offset: number): number {
  const c = CHANNEL_INDEX;
  let refIndex = -1;
  for (let k = 0; k < 4; k++) if (features[offset + c.ref_A + k]! > 0) refIndex = k;
  let ref = 0;
  let bestAlt = 0;
  for (let k = 0; k < 6; k++) {
    const count = features[offset + c.fwd_A + k]! + features[offset + c.rev_A + k]!;
    if (k === refIndex) ref = count;
    else if (k < 5) bestAlt = Math.max(bestAlt, count);
  }
  const fraction = bestAlt / Math.max(ref + bestAlt, 1e-9);
  return fraction < 0.2 ? 0 : fraction < 0.8 ? 1 : 2;
}

function collectHeldOut(model: GenomeLtmMoe, batches: readonly TrainingBatch[]): HeldOutOutputs {
  const logits: number[] = [];
  const labels: number[] = [];
  const baseline: number[] = [];
  const experts = model.architecture.experts.length;
  const routeWeightSums = new Float64Array(experts);
  for (const batch of batches) {
    const x = tf.tensor3d(batch.features, [batch.batchSize, batch.tileLength, FEATURE_COUNT]);
    const out = model.forward(x);
    const logitValues = out.logits.dataSync();
    const routeValues = out.routeWeights.dataSync();
    for (let i = 0; i < batch.labels.length; i++) {
      if (!batch.candidate[i]) continue;
      for (let k = 0; k < GENOTYPE_CLASS_COUNT; k++) logits.push(logitValues[i * GENOTYPE_CLASS_COUNT + k]!);
      labels.push(batch.labels[i]!);
      baseline.push(naiveGenotype(batch.features, i * FEATURE_COUNT));
      for (let e = 0; e < experts; e++) routeWeightSums[e]! += routeValues[i * experts + e]!;
    }
    tf.dispose([x, ...Object.values(out)]);
  }
  return { logits: Float32Array.from(logits), labels: Int32Array.from(labels), baseline: Int32Array.from(baseline), routeWeightSums, count: labels.length };
}

function accuracy(logits: Float32Array, labels: Int32Array): number {
  let right = 0;
  for (let i = 0; i < labels.length; i++) {
    let best = 0;
    for (let k = 1; k < GENOTYPE_CLASS_COUNT; k++) if (logits[i * GENOTYPE_CLASS_COUNT + k]! > logits[i * GENOTYPE_CLASS_COUNT + best]!) best = k;
    if (best === labels[i]) right++;
  }
  return labels.length ? right / labels.length : 0;
}

function majorityRate(labels: Int32Array): number {
  const counts = [0, 0, 0];
  for (const l of labels) counts[l]!++;
  return labels.length ? Math.max(...counts) / labels.length : 0;
}

function round(value: number, digits = 4): number {
  const f = 10 ** digits;
  return Math.round(value * f) / f;
}

/** Trains a model per `config`, writes its checkpoint to `outDir`, returns manifest and metrics. */
export async function trainModel(options: TrainOptions): Promise<TrainResult> {
  const { config } = options;
  const logLines: string[] = [];
  const log = (line: string): void => {
    logLines.push(line);
    options.log?.(line);
  };
  const started = performance.now();
  const cpuStart = process.cpuUsage();
  const source = options.source ?? (await sourceForConfig(config, log));
  const augmentRandom = new SeededRandom(config.seed ^ 0x5a5a5a5a);
  const model = GenomeLtmMoe.create(config.model, config.seed);
  const optimizer = tf.train.adam(config.training.learningRate);
  const variables = model.store.list();
  const lossHistory: number[] = [];
  try {
    log(`training ${config.modelId}: ${model.store.count().toLocaleString('en-US')} parameters, ${config.training.steps} steps of ${config.training.batchSize}×${config.training.tileLength} positions`);
    log(`data: ${source.description}; data hash ${source.dataHash.slice(0, 16)}…`);
    if (options.backend) log(`backend: ${options.backend.backend} (${options.backend.candidate})`);
    for (let step = 1; step <= config.training.steps; step++) {
      const batch = augmentReverseComplement(source.trainingBatch(config.training.batchSize, config.training.tileLength), config.training.rcAugmentProbability, augmentRandom);
      const x = tf.tensor3d(batch.features, [batch.batchSize, batch.tileLength, FEATURE_COUNT]);
      let parts: { crossEntropy: number; loadBalance: number } = { crossEntropy: 0, loadBalance: 0 };
      const cost = optimizer.minimize(
        () => {
          const loss = lossOf(model, config, batch, x);
          // Read the parts inside minimize: the tensors are disposed when it returns.
          parts = { crossEntropy: loss.crossEntropy.dataSync()[0]!, loadBalance: loss.loadBalance.dataSync()[0]! };
          return loss.total;
        },
        true,
        variables,
      );
      const total = cost ? cost.dataSync()[0]! : Number.NaN;
      cost?.dispose();
      x.dispose();
      if (!Number.isFinite(total)) throw new Error(`training diverged at step ${step} (loss ${total}); lower training.learningRate`);
      lossHistory.push(total);
      if (step === 1 || step % config.training.logEvery === 0 || step === config.training.steps) {
        const seconds = (performance.now() - started) / 1000;
        const cpu = process.cpuUsage(cpuStart);
        log(`step ${step}/${config.training.steps}  loss ${total.toFixed(4)}  ce ${parts.crossEntropy.toFixed(4)}  balance ${parts.loadBalance.toFixed(3)}  ${seconds.toFixed(1)} s (${((cpu.user + cpu.system) / 1e6).toFixed(1)} CPU s)`);
      }
    }

    // Held-out: first half fits the temperature, second half is reported (never used to fit).
    const heldOut = source.heldOutBatches(config.training.validationTiles, config.training.tileLength, config.training.batchSize);
    const half = Math.max(1, Math.floor(heldOut.length / 2));
    const calibrationSet = collectHeldOut(model, heldOut.slice(0, half));
    const evaluationSet = heldOut.length > 1 ? collectHeldOut(model, heldOut.slice(half)) : calibrationSet;
    const temperature = fitTemperature(calibrationSet.logits, calibrationSet.labels, GENOTYPE_CLASS_COUNT);
    const cpuUsed = process.cpuUsage(cpuStart);
    model.temperature = temperature;
    const metrics: Record<string, number> = {
      steps: config.training.steps,
      finalTrainLoss: round(lossHistory.slice(-Math.min(10, lossHistory.length)).reduce((a, b) => a + b, 0) / Math.min(10, lossHistory.length)),
      heldOutCandidates: evaluationSet.count,
      candidateAccuracy: round(accuracy(evaluationSet.logits, evaluationSet.labels)),
      majorityClassRate: round(majorityRate(evaluationSet.labels)),
      alleleFractionBaselineAccuracy: round(evaluationSet.count ? evaluationSet.baseline.reduce((n, g, i) => n + (g === evaluationSet.labels[i] ? 1 : 0), 0) / evaluationSet.count : 0),
      temperature: round(temperature),
      nllUncalibrated: round(meanNegativeLogLikelihood(evaluationSet.logits, evaluationSet.labels, GENOTYPE_CLASS_COUNT, 1)),
      nllCalibrated: round(meanNegativeLogLikelihood(evaluationSet.logits, evaluationSet.labels, GENOTYPE_CLASS_COUNT, temperature)),
      eceUncalibrated: round(expectedCalibrationError(evaluationSet.logits, evaluationSet.labels, GENOTYPE_CLASS_COUNT, 1)),
      eceCalibrated: round(expectedCalibrationError(evaluationSet.logits, evaluationSet.labels, GENOTYPE_CLASS_COUNT, temperature)),
      trainSeconds: round((performance.now() - started) / 1000, 1),
      // The machine may be shared: CPU time is this process's own cost.
      trainCpuSeconds: round((cpuUsed.user + cpuUsed.system) / 1e6, 1),
    };
    for (const [e, name] of config.model.experts.entries()) metrics[`expertShare.${name}`] = round(evaluationSet.count ? evaluationSet.routeWeightSums[e]! / evaluationSet.count : 0);
    log(`held-out candidates ${metrics.heldOutCandidates}: accuracy ${metrics.candidateAccuracy} (majority class ${metrics.majorityClassRate}, allele-fraction rule ${metrics.alleleFractionBaselineAccuracy}); temperature ${metrics.temperature}; ECE ${metrics.eceUncalibrated} → ${metrics.eceCalibrated}`);

    const manifest = await saveCheckpoint(
      options.outDir,
      model,
      { config, configHash: hashConfig(config), dataHash: source.dataHash, dataSplit: source.split, metrics },
      options.now?.() ?? new Date(),
    );
    log(`checkpoint written to ${options.outDir} (config ${manifest.configHash.slice(0, 12)}…, weights ${manifest.weights.sha256.slice(0, 12)}…)`);
    await writeFileAtomically(join(options.outDir, 'training.log'), `${logLines.join('\n')}\n`);
    return { manifest, lossHistory, metrics, seconds: (performance.now() - started) / 1000 };
  } finally {
    optimizer.dispose();
    model.dispose();
  }
}
