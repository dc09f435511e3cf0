/**
 * Calibration of GQ. The statistical model's genotype posterior treats reads as independent
 * and the error model as exact; neither holds (PCR duplicates, systematic errors, mapping),
 * so its raw GQ overstates confidence by an amount that depends on platform and variant
 * class. We fit, per platform and class (SNV / indel), a monotone map from raw GQ to the
 * probability that the call is wrong, on training regions with known truth:
 *
 *   1. isotonic regression (pool-adjacent-violators) of the 0/1 "call is wrong" outcome on
 *      raw GQ, error non-increasing in raw GQ;
 *   2. each pooled block's error is shrunk with a Jeffreys-style pseudo-count,
 *      (errors + ½) / (calls + 1), so that a block with no errors does not claim an error
 *      of exactly 0 (an infinite GQ) on evidence of a few hundred calls;
 *   3. at run time, raw GQ maps to error by linear interpolation of log10(error) between
 *      the blocks' mean raw GQs (flat beyond the ends), and GQ = −10·log10(error).
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

export interface CalibrationPoint {
  /** Mean raw GQ of the pooled block. */
  rawGq: number;
  /** Shrunk observed error of the block. */
  errorProbability: number;
  /** Calls in the block (for reading the table; not used to map). */
  calls: number;
}

export interface CalibrationModel {
  schema: 'genomaic.call-calibration/1';
  platform: Platform;
  method: 'isotonic-jeffreys';
  /** What it was fitted on (regions, truth, BAM) and when. */
  fittedOn: { description: string; date: string; codeVersion: string };
  classes: Record<CalibrationClass, CalibrationPoint[]>;
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

/** Pool-adjacent-violators fit of error (non-increasing in raw GQ) with Jeffreys shrinkage. */
export function fitIsotonic(samples: readonly CalibrationSample[]): CalibrationPoint[] {
  const sorted = [...samples].sort((a, b) => a.rawGq - b.rawGq);
  // Blocks: [sum of raw GQ, count, errors].
  const blocks: { sumGq: number; n: number; errors: number }[] = [];
  for (const s of sorted) {
    const last = blocks[blocks.length - 1];
    // Equal raw GQs must share a block (the map is a function of raw GQ).
    if (last && last.sumGq / last.n === s.rawGq) {
      last.sumGq += s.rawGq;
      last.n++;
      last.errors += s.wrong ? 1 : 0;
    } else {
      blocks.push({ sumGq: s.rawGq, n: 1, errors: s.wrong ? 1 : 0 });
    }
    // Error must not increase with raw GQ: merge while the later block is more wrong.
    while (blocks.length >= 2) {
      const b = blocks[blocks.length - 1]!;
      const a = blocks[blocks.length - 2]!;
      if (b.errors / b.n < a.errors / a.n) break;
      a.sumGq += b.sumGq;
      a.n += b.n;
      a.errors += b.errors;
      blocks.pop();
    }
  }
  const points = blocks.map((b) => ({ rawGq: b.sumGq / b.n, errorProbability: (b.errors + 0.5) / (b.n + 1), calls: b.n }));
  // Shrinkage can break monotonicity between small blocks; enforce it (running minimum).
  for (let i = 1; i < points.length; i++) {
    if (points[i]!.errorProbability > points[i - 1]!.errorProbability) points[i]!.errorProbability = points[i - 1]!.errorProbability;
  }
  return points;
}

/** Calibrated error probability for a raw GQ (see the module comment). */
export function calibratedError(points: readonly CalibrationPoint[], rawGq: number): number {
  if (points.length === 0) return 10 ** (-rawGq / 10);
  const first = points[0]!;
  const last = points[points.length - 1]!;
  if (rawGq <= first.rawGq) return first.errorProbability;
  if (rawGq >= last.rawGq) return last.errorProbability;
  for (let i = 1; i < points.length; i++) {
    const b = points[i]!;
    if (rawGq <= b.rawGq) {
      const a = points[i - 1]!;
      const t = (rawGq - a.rawGq) / (b.rawGq - a.rawGq);
      return 10 ** ((1 - t) * Math.log10(a.errorProbability) + t * Math.log10(b.errorProbability));
    }
  }
  return last.errorProbability;
}

/** Calibrated GQ (integer Phred, 0..99). Without a model the raw GQ stands. */
export function calibrateGq(model: CalibrationModel | null, variantClass: CalibrationClass, rawGq: number): number {
  if (!model) return Math.round(rawGq);
  const points = model.classes[variantClass];
  if (points.length === 0) return Math.round(rawGq);
  const error = calibratedError(points, rawGq);
  return Math.max(0, Math.min(MAX_GQ, Math.round(-10 * Math.log10(error))));
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
  if (model.schema !== 'genomaic.call-calibration/1') throw new CallInputError('bad-config', `${path}: schema: expected genomaic.call-calibration/1`, path);
  if (model.platform !== platform) throw new CallInputError('bad-config', `${path}: platform: expected ${platform}, got ${String(model.platform)}`, path);
  for (const cls of ['snv', 'indel'] as const) {
    const points = model.classes?.[cls];
    if (!Array.isArray(points)) throw new CallInputError('bad-config', `${path}: classes.${cls}: expected a list of points`, path);
    for (const [i, p] of points.entries()) {
      if (typeof p.rawGq !== 'number' || typeof p.errorProbability !== 'number' || !(p.errorProbability > 0 && p.errorProbability < 1)) {
        throw new CallInputError('bad-config', `${path}: classes.${cls}[${i}]: needs rawGq and errorProbability in (0, 1)`, path);
      }
    }
  }
  return model as CalibrationModel;
}
