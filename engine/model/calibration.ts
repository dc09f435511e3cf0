/**
 * Temperature scaling (Guo et al. 2017): one scalar T fitted on held-out positions so that
 * softmax(logits / T) is calibrated. One parameter cannot overfit the held-out set and leaves
 * the argmax (the called genotype) unchanged; the caller's isotonic GQ recalibration
 * (engine/call/calibration.ts) can still be applied on top of the model's GQ.
 */

/** Mean negative log-likelihood of `labels` under softmax(logits / temperature). */
export function meanNegativeLogLikelihood(logits: ArrayLike<number>, labels: ArrayLike<number>, classes: number, temperature: number): number {
  const n = labels.length;
  let total = 0;
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    for (let k = 0; k < classes; k++) max = Math.max(max, logits[i * classes + k]! / temperature);
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += Math.exp(logits[i * classes + k]! / temperature - max);
    total += max + Math.log(sum) - logits[i * classes + labels[i]!]! / temperature;
  }
  return n > 0 ? total / n : 0;
}

/**
 * The temperature minimising held-out NLL, by golden-section search over log T in
 * [ln 0.05, ln 20] (NLL is unimodal in T for fixed logits).
 */
export function fitTemperature(logits: ArrayLike<number>, labels: ArrayLike<number>, classes: number): number {
  if (labels.length === 0) return 1;
  const phi = (Math.sqrt(5) - 1) / 2;
  let lo = Math.log(0.05);
  let hi = Math.log(20);
  let a = hi - phi * (hi - lo);
  let b = lo + phi * (hi - lo);
  let fa = meanNegativeLogLikelihood(logits, labels, classes, Math.exp(a));
  let fb = meanNegativeLogLikelihood(logits, labels, classes, Math.exp(b));
  for (let iteration = 0; iteration < 60; iteration++) {
    if (fa < fb) {
      hi = b;
      b = a;
      fb = fa;
      a = hi - phi * (hi - lo);
      fa = meanNegativeLogLikelihood(logits, labels, classes, Math.exp(a));
    } else {
      lo = a;
      a = b;
      fa = fb;
      b = lo + phi * (hi - lo);
      fb = meanNegativeLogLikelihood(logits, labels, classes, Math.exp(b));
    }
  }
  return Math.exp((lo + hi) / 2);
}

/**
 * Expected calibration error of the top-class confidence, in `bins` equal-width bins: the gap
 * between how sure the model says it is and how often it is right.
 */
export function expectedCalibrationError(logits: ArrayLike<number>, labels: ArrayLike<number>, classes: number, temperature: number, bins = 10): number {
  const n = labels.length;
  const count = new Float64Array(bins);
  const confidenceSum = new Float64Array(bins);
  const correctSum = new Float64Array(bins);
  for (let i = 0; i < n; i++) {
    let max = -Infinity;
    let best = 0;
    for (let k = 0; k < classes; k++) {
      const v = logits[i * classes + k]! / temperature;
      if (v > max) {
        max = v;
        best = k;
      }
    }
    let sum = 0;
    for (let k = 0; k < classes; k++) sum += Math.exp(logits[i * classes + k]! / temperature - max);
    const confidence = 1 / sum;
    const bin = Math.min(bins - 1, Math.floor(confidence * bins));
    count[bin]!++;
    confidenceSum[bin]! += confidence;
    correctSum[bin]! += best === labels[i] ? 1 : 0;
  }
  let ece = 0;
  for (let b = 0; b < bins; b++) if (count[b]! > 0) ece += Math.abs(confidenceSum[b]! - correctSum[b]!) / Math.max(n, 1);
  return ece;
}
