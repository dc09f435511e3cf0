/**
 * Calibration of GQ. The statistical model's genotype posterior treats reads as independent
 * and the error model as exact; neither holds (PCR duplicates, systematic errors, mapping),
 * so its raw GQ overstates confidence by an amount that depends on platform and variant
 * class. We fit, per platform and class (SNV / indel), on training regions with known truth,
 * Platt scaling on the log-odds of the raw error:
 *
 *   P(call is wrong) = σ(a + b·x),   x = ln(e / (1 − e)),   e = 10^(−rawGq/10)
 *
 * with its own intercept a and slope b per class. A slope below 1 says how much the raw
 * posterior overstates its confidence; because the map is smooth in x, GQ keeps growing with
 * the evidence (deeper, cleaner sites get higher GQ) instead of collapsing every call above
 * the data's last error into one block, as an isotonic fit of a few hundred error-free calls
 * does. The raw GQ is therefore not capped at 99 (genotyper.ts MAX_RAW_GQ).
 *
 * The fit is maximum a posteriori: Gaussian priors centred on the identity map (a ~ N(0, 3²),
 * b ~ N(1, 1²)) keep a class with few or no errors close to the raw posterior rather than
 * letting the likelihood drive its error to zero; b ≥ 0.01 keeps the map monotone.
 *
 * "Wrong" is what the comparator counts as wrong for a call: a false positive or a
 * genotype mismatch. The reliability table / expected calibration error that judge the fit
 * are computed by the comparator on evaluation regions only (engine/compare).
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Platform } from './types.js';
import { findPackageRoot } from '../version.js';
import { CallInputError } from './errors.js';
import { MAX_GQ } from './genotyper.js';

export type CalibrationClass = 'snv' | 'indel';

export interface PlattParameters {
  /** a in σ(a + b·x). */
  intercept: number;
  /** b in σ(a + b·x). */
  slope: number;
  /** Training calls and how many were wrong (for reading the file; not used to map). */
  calls: number;
  errors: number;
}

export interface CalibrationModel {
  schema: 'genomaic.call-calibration/2';
  platform: Platform;
  method: 'platt-logodds';
  /** What it was fitted on (regions, truth, BAMs, simulation seed) and when. */
  fittedOn: { description: string; date: string; codeVersion: string; command: string; data: Record<string, string | number | string[]> };
  classes: Record<CalibrationClass, PlattParameters>;
  /**
   * Abstention threshold on the calibrated GQ chosen on the same training regions for
   * `targetPrecision` (risk control); used when the user gives no --min-gq.
   */
  minGq?: number;
  targetPrecision?: number;
}

export interface CalibrationSample {
  rawGq: number;
  wrong: boolean;
}

/** ln(e / (1 − e)) for e = 10^(−rawGq/10), computed without cancellation at either end. */
export function rawLogOdds(rawGq: number): number {
  const lnError = (-Math.max(rawGq, 1e-6) * Math.LN10) / 10;
  return lnError - Math.log1p(-Math.exp(lnError));
}

const PRIOR = { intercept: { mean: 0, sd: 3 }, slope: { mean: 1, sd: 1 } } as const;
const MIN_SLOPE = 0.01;

function sigmoid(z: number): number {
  return z >= 0 ? 1 / (1 + Math.exp(-z)) : Math.exp(z) / (1 + Math.exp(z));
}

/** log P(outcomes | a, b) + log prior (up to a constant). */
function logPosterior(xs: Float64Array, ys: Uint8Array, a: number, b: number): number {
  let s = -((a - PRIOR.intercept.mean) ** 2) / (2 * PRIOR.intercept.sd ** 2) - ((b - PRIOR.slope.mean) ** 2) / (2 * PRIOR.slope.sd ** 2);
  for (let i = 0; i < xs.length; i++) {
    const z = a + b * xs[i]!;
    // log σ(z) and log σ(−z), stable for large |z|.
    const logP = z >= 0 ? -Math.log1p(Math.exp(-z)) : z - Math.log1p(Math.exp(z));
    const logQ = z >= 0 ? -z - Math.log1p(Math.exp(-z)) : -Math.log1p(Math.exp(z));
    s += ys[i] ? logP : logQ;
  }
  return s;
}

/** MAP Platt fit on the raw log-odds (Newton steps with backtracking); see the module comment. */
export function fitPlatt(samples: readonly CalibrationSample[]): PlattParameters {
  const xs = Float64Array.from(samples, (s) => rawLogOdds(s.rawGq));
  const ys = Uint8Array.from(samples, (s) => (s.wrong ? 1 : 0));
  let a: number = PRIOR.intercept.mean;
  let b: number = PRIOR.slope.mean;
  let current = logPosterior(xs, ys, a, b);
  for (let iteration = 0; iteration < 100; iteration++) {
    let ga = -(a - PRIOR.intercept.mean) / PRIOR.intercept.sd ** 2;
    let gb = -(b - PRIOR.slope.mean) / PRIOR.slope.sd ** 2;
    let haa = -1 / PRIOR.intercept.sd ** 2;
    let hbb = -1 / PRIOR.slope.sd ** 2;
    let hab = 0;
    for (let i = 0; i < xs.length; i++) {
      const x = xs[i]!;
      const p = sigmoid(a + b * x);
      const r = ys[i]! - p;
      ga += r;
      gb += r * x;
      const w = p * (1 - p);
      haa -= w;
      hab -= w * x;
      hbb -= w * x * x;
    }
    const det = haa * hbb - hab * hab;
    if (!(Math.abs(det) > 1e-300)) break;
    // Newton direction −H⁻¹g (H is negative definite: the posterior is log-concave).
    const da = -(hbb * ga - hab * gb) / det;
    const db = -(-hab * ga + haa * gb) / det;
    let step = 1;
    let improved = false;
    while (step > 1e-6) {
      const na = a + step * da;
      const nb = Math.max(MIN_SLOPE, b + step * db);
      const next = logPosterior(xs, ys, na, nb);
      if (next >= current - 1e-12) {
        improved = Math.abs(next - current) > 1e-10 || Math.abs(na - a) + Math.abs(nb - b) > 1e-9;
        a = na;
        b = nb;
        current = next;
        break;
      }
      step /= 2;
    }
    if (!improved) break;
  }
  return { intercept: a, slope: b, calls: samples.length, errors: samples.filter((s) => s.wrong).length };
}

/** Calibrated error probability for a raw GQ. */
export function calibratedError(parameters: PlattParameters, rawGq: number): number {
  return sigmoid(parameters.intercept + parameters.slope * rawLogOdds(rawGq));
}

/** Calibrated GQ (integer Phred, 0..99). Without a model the raw GQ stands (capped at 99). */
export function calibrateGq(model: CalibrationModel | null, variantClass: CalibrationClass, rawGq: number): number {
  if (!model) return Math.min(MAX_GQ, Math.round(rawGq));
  const error = calibratedError(model.classes[variantClass], rawGq);
  return Math.max(0, Math.min(MAX_GQ, Math.round(-10 * Math.log10(Math.max(error, 1e-300)))));
}

export interface ThresholdChoice {
  minGq: number;
  /** Precision of the calls kept at that threshold (on the data it was chosen on). */
  precision: number;
  /** Fraction of calls kept. */
  coverage: number;
}

/**
 * Risk control: the smallest GQ threshold whose kept calls reach the target precision
 * (1 − fraction wrong), so that abstention removes as little as the target allows. If no
 * threshold reaches it, the one with the best precision is returned.
 */
export function chooseThreshold(samples: readonly { gq: number; wrong: boolean }[], targetPrecision: number): ThresholdChoice {
  let best: ThresholdChoice = { minGq: 0, precision: 0, coverage: 0 };
  for (let t = 0; t <= MAX_GQ; t++) {
    const kept = samples.filter((s) => s.gq >= t);
    if (kept.length === 0) break;
    const precision = 1 - kept.filter((s) => s.wrong).length / kept.length;
    const choice = { minGq: t, precision, coverage: kept.length / samples.length };
    if (precision >= targetPrecision) return choice;
    if (precision > best.precision) best = choice;
  }
  return best;
}

export function calibrationPath(platform: Platform): string {
  return join(findPackageRoot(), 'configs', 'call', `calibration.${platform}.json`);
}

/** The shipped calibration of a platform, or null when none has been fitted yet. */
export function loadCalibration(platform: Platform, path = calibrationPath(platform)): CalibrationModel | null {
  if (!existsSync(path)) return null;
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CallInputError('bad-config', `${path}: not valid JSON (${(err as Error).message})`, path);
  }
  const model = doc as Partial<CalibrationModel>;
  if (model.schema !== 'genomaic.call-calibration/2') throw new CallInputError('bad-config', `${path}: schema: expected genomaic.call-calibration/2 (refit with npx tsx bench/call.ts --fit-calibration)`, path);
  if (model.platform !== platform) throw new CallInputError('bad-config', `${path}: platform: expected ${platform}, got ${String(model.platform)}`, path);
  for (const cls of ['snv', 'indel'] as const) {
    const p = model.classes?.[cls];
    if (!p || typeof p.intercept !== 'number' || !Number.isFinite(p.intercept) || typeof p.slope !== 'number' || !(p.slope > 0)) {
      throw new CallInputError('bad-config', `${path}: classes.${cls}: needs a finite intercept and a positive slope`, path);
    }
  }
  return model as CalibrationModel;
}
