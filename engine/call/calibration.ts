/**
 * Calibration of GQ. The statistical model's genotype posterior treats reads as independent
 * and the error model as exact; neither holds (PCR duplicates, systematic errors, mapping),
 * so its raw GQ overstates confidence by an amount that depends on platform and variant
 * class. We fit, per platform and class (SNV / indel), on training regions with known truth,
 * a logistic (Platt) map with its own intercept a and slope b per class:
 *
 *   P(call is wrong) = σ(a + b·x),   x = ln(1 + rawGq)
 *
 * Why ln(raw GQ) and not the raw log-odds (classic Platt, x = −rawGq·ln10/10): on the
 * training regions the observed error falls roughly as a power of the raw GQ (≈ 15 % of
 * calls wrong at raw GQ 10–60, ≈ 0.1 % at 500), not exponentially as the raw posterior
 * claims: reads are not independent evidence (shared errors, mapping), so confidence grows
 * with the logarithm of the raw Phred. A fit on the raw log-odds compromises between the
 * wrong low-GQ calls and the rare systematic errors at raw GQ 500 with an almost flat line,
 * giving a raw-GQ-8 call the calibrated GQ 22 and every call about the same GQ; on ln(raw GQ)
 * the same data give a smooth, monotone map that keeps spreading with evidence (raw GQ is
 * not capped at 99 for that reason, genotyper.ts MAX_RAW_GQ) while weak calls stay weak.
 *
 * The fit is maximum a posteriori with weak Gaussian priors (a ~ N(0, 5²), b ~ N(−1, 1²),
 * "error inversely proportional to raw GQ"), so a class with few errors is not driven to an
 * error of zero; b ≤ −0.01 keeps the map monotone (more evidence, never less confidence).
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
import type { AbstentionConfig } from './config.js';
import { checkAbstentionSetting } from './config.js';
import { RULE_OFF } from './abstention.js';

export type CalibrationClass = 'snv' | 'indel';

export interface PlattParameters {
  /** a in σ(a + b·x), x = ln(1 + raw GQ). */
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
  method: 'platt-log-rawgq';
  /** What it was fitted on (regions, truth, BAMs, simulation seed) and when. */
  fittedOn: { description: string; date: string; codeVersion: string; command: string; data: Record<string, string | number | string[]> };
  classes: Record<CalibrationClass, PlattParameters>;
  /**
   * Abstention threshold on the calibrated GQ chosen on the same training regions for
   * `targetPrecision` (risk control); used when the user gives no --min-gq.
   */
  minGq?: number;
  /**
   * The same risk control per class (SNV, indel): each class's kept calls reach the target
   * on their own, so a class with many errors (ONT indels) does not drag the threshold of a
   * clean one (ONT SNVs) up, nor hide behind it. Preferred over `minGq` when present.
   */
  minGqByClass?: Record<CalibrationClass, number>;
  /**
   * The learned genotyper's calibration (gq-calibration.json) only: the GQ threshold of indels in
   * repeats per class, fitted with `minGqByClass` on the calls the model genotypes (null: that
   * gate off). Absent: the run's own setting applies.
   */
  repeatMinGqByClass?: Record<CalibrationClass, number | null>;
  targetPrecision?: number;
  /**
   * The abstention thresholds fitted per class on the same regions (abstention-fit.ts): every
   * hard rule's threshold and the GQ / QUAL / repeat gates. Preferred over `minGqByClass` and
   * over the preset's values for the keys it holds; keys it does not hold come from the preset.
   */
  abstention?: FittedAbstention;
}

/**
 * The abstention settings the fit chooses. `null` means the rule is off for that class (it
 * never earned its cost in true calls on the fitting data; its reason code stays in the
 * vocabulary, and a preset given with --config can switch it on again). `minGq` is never null.
 */
export const FITTED_THRESHOLD_KEYS = ['minDepth', 'minMeanMapq', 'maxMapq0Fraction', 'strandBiasMinPhred', 'hetBalanceMinPhred', 'homAltMaxRefFraction', 'readBiasMinPhred', 'repeatMinGq', 'minQual', 'minGq'] as const;
export type FittedThresholdKey = (typeof FITTED_THRESHOLD_KEYS)[number];
export type FittedThresholds = Record<FittedThresholdKey, number | null>;

/** What one class's fitted thresholds do on the data they were fitted on (for reading the file). */
export interface FittedClassSummary {
  /** Calls of the no-rules run (rules and gates off) that the comparator could judge. */
  candidates: number;
  wrong: number;
  /** Truth variants of the class in the fitting regions (the recall denominator). */
  truth: number;
  kept: number;
  keptWrong: number;
  precision: number;
  recall: number;
  f1: number;
  /** Per threshold: calls it removes that no other fitted threshold removes, and how many of those were wrong. */
  removesAlone: Partial<Record<FittedThresholdKey, { calls: number; wrong: number }>>;
}

export interface FittedAbstention {
  method: 'coordinate-f1-at-precision/1';
  targetPrecision: number;
  byClass: Record<CalibrationClass, { thresholds: FittedThresholds; fit: FittedClassSummary }>;
}

export interface CalibrationSample {
  rawGq: number;
  wrong: boolean;
}

/** The calibration's input: ln(1 + raw GQ) (see the module comment for why not the raw log-odds). */
export function calibrationFeature(rawGq: number): number {
  return Math.log1p(Math.max(0, rawGq));
}

const PRIOR = { intercept: { mean: 0, sd: 5 }, slope: { mean: -1, sd: 1 } } as const;
/** The slope must stay negative: more raw evidence never means a likelier error. */
const MAX_SLOPE = -0.01;

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
  const xs = Float64Array.from(samples, (s) => calibrationFeature(s.rawGq));
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
      const nb = Math.min(MAX_SLOPE, b + step * db);
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
  return sigmoid(parameters.intercept + parameters.slope * calibrationFeature(rawGq));
}

/** Calibrated GQ (integer Phred, 0..99). Without a model the raw GQ stands (capped at 99). */
export function calibrateGq(model: CalibrationModel | null, variantClass: CalibrationClass, rawGq: number): number {
  if (!model) return Math.min(MAX_GQ, Math.round(rawGq));
  return calibratedGq(model.classes[variantClass], rawGq);
}

/** Calibrated GQ of one class's fitted parameters. */
export function calibratedGq(parameters: PlattParameters, rawGq: number): number {
  const error = calibratedError(parameters, rawGq);
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
 * A call whose calibrated genotype is more likely wrong than right (GQ < 3, error > 50 %) is
 * never emitted as PASS, whatever the marginal precision allows: risk control over the whole
 * set may otherwise keep a tail of near-coin-flip genotypes hidden behind many easy calls.
 */
export const MIN_CREDIBLE_GQ = 3;

/**
 * Risk control: the smallest GQ threshold (at least MIN_CREDIBLE_GQ) whose kept calls reach
 * the target precision (1 − fraction wrong), so that abstention removes as little as the
 * target allows. If no threshold reaches it, the one with the best precision is returned.
 */
export function chooseThreshold(samples: readonly { gq: number; wrong: boolean }[], targetPrecision: number): ThresholdChoice {
  let best: ThresholdChoice = { minGq: MIN_CREDIBLE_GQ, precision: 0, coverage: 0 };
  for (let t = MIN_CREDIBLE_GQ; t <= MAX_GQ; t++) {
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
    if (!p || typeof p.intercept !== 'number' || !Number.isFinite(p.intercept) || typeof p.slope !== 'number' || !(p.slope < 0)) {
      throw new CallInputError('bad-config', `${path}: classes.${cls}: needs a finite intercept and a negative slope`, path);
    }
  }
  if (model.minGq !== undefined) checkAbstentionSetting(path, 'minGq', 'minGq', model.minGq);
  if (model.minGqByClass !== undefined) {
    if (!isMapping(model.minGqByClass)) badCalibration(path, 'minGqByClass', 'expected a mapping of snv and indel');
    for (const cls of ['snv', 'indel'] as const) checkAbstentionSetting(path, `minGqByClass.${cls}`, 'minGq', model.minGqByClass[cls]);
  }
  if (model.abstention !== undefined) validateFittedAbstention(model.abstention, path);
  return model as CalibrationModel;
}

function isMapping(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function badCalibration(path: string, key: string, message: string): never {
  throw new CallInputError('bad-config', `${path}: ${key}: ${message} (refit with npx tsx bench/call.ts --fit-calibration)`, path);
}

/** The `abstention` block of a calibration file: every threshold known, in its preset range, or null (off). */
function validateFittedAbstention(value: unknown, path: string): void {
  if (!isMapping(value)) badCalibration(path, 'abstention', 'expected a mapping');
  if (value.method !== 'coordinate-f1-at-precision/1') badCalibration(path, 'abstention.method', `expected coordinate-f1-at-precision/1, got ${JSON.stringify(value.method)}`);
  checkAbstentionSetting(path, 'abstention.targetPrecision', 'targetPrecision', value.targetPrecision);
  if (!isMapping(value.byClass)) badCalibration(path, 'abstention.byClass', 'expected a mapping of snv and indel');
  for (const cls of ['snv', 'indel'] as const) {
    const entry = value.byClass[cls];
    const prefix = `abstention.byClass.${cls}`;
    if (!isMapping(entry)) badCalibration(path, prefix, 'missing');
    const thresholds = entry.thresholds;
    if (!isMapping(thresholds)) badCalibration(path, `${prefix}.thresholds`, 'expected a mapping');
    for (const key of Object.keys(thresholds)) {
      if (!(FITTED_THRESHOLD_KEYS as readonly string[]).includes(key)) badCalibration(path, `${prefix}.thresholds.${key}`, `unknown threshold (known: ${FITTED_THRESHOLD_KEYS.join(', ')})`);
    }
    for (const key of FITTED_THRESHOLD_KEYS) {
      const v = thresholds[key];
      if (v === null && key !== 'minGq') continue;
      checkAbstentionSetting(path, `${prefix}.thresholds.${key}`, key, v);
    }
  }
}

/**
 * The abstention settings in force for each class: the preset's, overlaid with what the
 * calibration fitted (all its thresholds, or only its per-class GQ thresholds for files written
 * before the rule thresholds were fitted); `minGqOverride` (the user's --min-gq) replaces the
 * GQ threshold of both classes.
 */
export function abstentionByClass(preset: AbstentionConfig, calibration: CalibrationModel | null, minGqOverride: number | null = null): Record<CalibrationClass, AbstentionConfig> {
  const forClass = (cls: CalibrationClass): AbstentionConfig => {
    const fitted = calibration?.abstention?.byClass[cls].thresholds;
    let out: AbstentionConfig = { ...preset };
    if (fitted) out = applyFittedThresholds(out, fitted);
    else if (calibration?.minGqByClass) out.minGq = calibration.minGqByClass[cls];
    else if (calibration?.minGq !== undefined) out.minGq = calibration.minGq;
    if (minGqOverride !== null) out.minGq = minGqOverride;
    return out;
  };
  return { snv: forClass('snv'), indel: forClass('indel') };
}

/** The preset with fitted thresholds in place; `null` becomes the value at which that rule never fires. */
export function applyFittedThresholds(preset: AbstentionConfig, fitted: FittedThresholds): AbstentionConfig {
  const out: AbstentionConfig = { ...preset };
  for (const key of FITTED_THRESHOLD_KEYS) {
    const v = fitted[key];
    if (v !== null) out[key] = v;
    else if (key !== 'minGq') out[key] = RULE_OFF[key];
  }
  return out;
}
