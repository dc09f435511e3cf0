/**
 * The abstention-threshold fit (engine/call/abstention-fit.ts) on real fitting data: the
 * fixtures are the fit tables `npx tsx bench/call.ts --fit-calibration` wrote for Illumina and
 * ONT (every call of the no-rules runs on the kit's train-2m + calib-3m regions, both aligners'
 * BAMs, with its rule statistics and the comparator's verdict). Every claim is checked by
 * replaying the caller's own decision (`decideFromStatistics`) on those calls, not by reading the
 * fit's bookkeeping: the fitted thresholds reach the target, are the loosest that do, cost no
 * true call where the target does not ask for it, and hold on a region they were not fitted on.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FitRow, FitTable } from '../../../engine/call/abstention-fit.js';
import { ARMED_MARGIN_PHRED, ARMED_RULES, fitCalibrationAndThresholds, formatFitTable, minQualForTarget, parseFitTable, SEARCHED_KEYS, THRESHOLD_GRIDS } from '../../../engine/call/abstention-fit.js';
import { decideFromStatistics } from '../../../engine/call/abstention.js';
import type { CalibrationClass, FittedThresholds, PlattParameters } from '../../../engine/call/calibration.js';
import { applyFittedThresholds, calibratedGq, MIN_CREDIBLE_GQ } from '../../../engine/call/calibration.js';
import type { AbstentionConfig } from '../../../engine/call/config.js';
import { loadPlatformPreset } from '../../../engine/call/config.js';

const TARGET = 0.99;
const FIXTURES = join(process.cwd(), 'tests', 'fixtures', 'call');
/** train-2m ends here (bench/regions.yaml); calib-3m follows. */
const TRAIN_END = 3_000_000;

function table(platform: 'illumina' | 'ont'): FitTable {
  const path = join(FIXTURES, `fit-table.${platform}.tsv`);
  return parseFitTable(readFileSync(path, 'utf8'), path);
}

interface Outcome {
  kept: number;
  wrong: number;
  correct: number;
}

/** What the caller would keep of `rows` with these settings: its own decision, replayed. */
function replay(rows: readonly FitRow[], platt: PlattParameters, config: AbstentionConfig): Outcome {
  let kept = 0;
  let wrong = 0;
  for (const r of rows) {
    if (decideFromStatistics(r.stats, calibratedGq(platt, r.rawGq), config).reason !== null) continue;
    kept++;
    if (r.wrong) wrong++;
  }
  return { kept, wrong, correct: kept - wrong };
}

const precision = (o: Outcome): number => (o.kept > 0 ? o.correct / o.kept : 0);
const f1 = (o: Outcome, truth: number): number => (2 * o.correct) / (o.kept + truth);

function fit(platform: 'illumina' | 'ont', data = table(platform)): { data: FitTable; preset: AbstentionConfig; result: ReturnType<typeof fitCalibrationAndThresholds> } {
  const preset = loadPlatformPreset(platform).abstention;
  return { data, preset, result: fitCalibrationAndThresholds(data, preset, TARGET) };
}

describe('abstention threshold fit on the kit\'s fitting regions', () => {
  const fits = { illumina: fit('illumina'), ont: fit('ont') };

  it('reads and writes the fit table without loss (the bench writes it, tests and refits read it)', () => {
    const text = readFileSync(join(FIXTURES, 'fit-table.illumina.tsv'), 'utf8');
    expect(formatFitTable(parseFitTable(text))).toBe(text);
    expect(() => parseFitTable('#truth\tsnv=1\tindel=1\nwrong header\n', 'x.tsv')).toThrow('x.tsv: line 2');
  });

  it('keeps calls at the target precision on the data it was fitted on, as the caller decides', () => {
    for (const platform of ['illumina', 'ont'] as const) {
      const { data, preset, result } = fits[platform];
      for (const cls of ['snv', 'indel'] as const) {
        const fitted = result.fits[cls];
        const outcome = replay(data.rows.filter((r) => r.variantClass === cls), result.classes[cls], applyFittedThresholds({ ...preset, minQual: minQualForTarget(TARGET) }, fitted.thresholds));
        // The fit's own summary is what the caller does with its thresholds …
        expect({ kept: outcome.kept, wrong: outcome.wrong }).toEqual({ kept: fitted.summary.kept, wrong: fitted.summary.keptWrong });
        // … and it reaches the target wherever it says it does (ONT indels: 48 of 158 calls wrong, no setting reaches 0.99).
        if (fitted.reachedTarget) expect(precision(outcome)).toBeGreaterThanOrEqual(TARGET);
      }
      expect(result.fits.snv.reachedTarget).toBe(true);
    }
    expect(fits.ont.result.fits.indel.reachedTarget).toBe(false);
  });

  it('is the loosest: no searched threshold can go one grid step looser and keep both the target and F1', () => {
    // At 0.99 most classes meet the target with every rule off; a stricter target makes the search tighten and then loosen.
    let tightened = 0;
    for (const [platform, target] of [['illumina', TARGET], ['ont', TARGET], ['illumina', 0.999], ['ont', 0.998]] as const) {
      const data = table(platform);
      const preset = loadPlatformPreset(platform).abstention;
      const result = fitCalibrationAndThresholds(data, preset, target);
      const base = { ...preset, minQual: minQualForTarget(target), targetPrecision: target };
      for (const cls of ['snv', 'indel'] as const) {
        const fitted = result.fits[cls];
        if (!fitted.reachedTarget) continue;
        if (SEARCHED_KEYS.some((k) => !(ARMED_RULES as readonly string[]).includes(k) && fitted.thresholds[k] !== THRESHOLD_GRIDS[k][0])) tightened++;
        const rows = data.rows.filter((r) => r.variantClass === cls);
        const at = replay(rows, result.classes[cls], applyFittedThresholds(base, fitted.thresholds));
        for (const key of SEARCHED_KEYS) {
          const grid = THRESHOLD_GRIDS[key];
          const g = grid.indexOf(fitted.thresholds[key]);
          expect(g, `${platform} ${cls} ${key} on its grid`).toBeGreaterThanOrEqual(0);
          if (g === 0) continue;
          const looser: FittedThresholds = { ...fitted.thresholds, [key]: grid[g - 1]! };
          const moved = replay(rows, result.classes[cls], applyFittedThresholds(base, looser));
          const stillFine = precision(moved) >= target && f1(moved, data.truth[cls]) >= f1(at, data.truth[cls]) - 1e-12;
          // Armed rules sit beyond every true call on purpose: looser there changes nothing on these data.
          if ((ARMED_RULES as readonly string[]).includes(key)) expect(moved).toEqual(at);
          else expect(stillFine, `${platform} ${cls} ${key} could be ${String(grid[g - 1])} at target ${target}`).toBe(false);
        }
      }
    }
    expect(tightened).toBeGreaterThan(0);
  });

  it('turns off what costs true calls without buying precision: Illumina SNVs keep every call the QUAL gate keeps', () => {
    const { data, preset, result } = fits.illumina;
    const snvs = data.rows.filter((r) => r.variantClass === 'snv');
    const fitted = replay(snvs, result.classes.snv, applyFittedThresholds({ ...preset, minQual: minQualForTarget(TARGET) }, result.fits.snv.thresholds));
    // Everything off but the QUAL gate and the GQ floor (a genotype more likely wrong than right is never a call): the most a fit can keep.
    const everythingOff = Object.fromEntries(SEARCHED_KEYS.map((k) => [k, null])) as FittedThresholds;
    const most = replay(snvs, result.classes.snv, applyFittedThresholds({ ...preset, minQual: minQualForTarget(TARGET) }, { ...everythingOff, minQual: minQualForTarget(TARGET), minGq: MIN_CREDIBLE_GQ }));
    expect(fitted.correct).toBe(most.correct);
    // The hand-set preset cost true calls here (rules at Phred 30, GQ 10).
    const handSet = replay(snvs, result.classes.snv, preset);
    expect(handSet.correct).toBeLessThan(fitted.correct);
    // LOW_DEPTH and LOW_MAPQ never removed a wrong SNV here: off.
    for (const key of ['minDepth', 'minMeanMapq', 'maxMapq0Fraction'] as const) expect(result.fits.snv.thresholds[key]).toBeNull();
  });

  it('arms the artefact rules just beyond every true call instead of turning them off', () => {
    for (const platform of ['illumina', 'ont'] as const) {
      const { data, result } = fits[platform];
      for (const cls of ['snv', 'indel'] as const) {
        const rows = data.rows.filter((r) => r.variantClass === cls && !r.wrong);
        const largest = (pick: (r: FitRow) => number | null): number => Math.max(0, ...rows.map(pick).filter((v): v is number => v !== null));
        const t = result.fits[cls].thresholds;
        const armed: [number | null, number][] = [
          [t.strandBiasMinPhred, largest((r) => r.stats.strandBiasPhred)],
          [t.readBiasMinPhred, largest((r) => r.stats.readBiasPhred)],
        ];
        for (const [threshold, largestTrue] of armed) {
          // Armed (not null) wherever a true call stays clear of the grid's loosest value, and never at a true call's value.
          if (largestTrue + ARMED_MARGIN_PHRED <= 200) expect(threshold).not.toBeNull();
          if (threshold !== null) expect(threshold).toBeGreaterThan(largestTrue);
        }
      }
    }
  });

  it('holds on a region it was not fitted on: fitted on train-2m, SNVs on calib-3m keep the target and lose no true call against the hand-set preset', () => {
    for (const platform of ['illumina', 'ont'] as const) {
      const all = table(platform);
      const training = all.rows.filter((r) => r.pos <= TRAIN_END);
      const heldOut = all.rows.filter((r) => r.pos > TRAIN_END && r.variantClass === 'snv');
      // Truth per part in proportion to the calls (only the F1 guard reads it).
      const share = training.length / all.rows.length;
      const { preset, result } = fit(platform, { rows: training, truth: { snv: Math.round(all.truth.snv * share), indel: Math.round(all.truth.indel * share) } });
      const fitted = replay(heldOut, result.classes.snv, applyFittedThresholds({ ...preset, minQual: minQualForTarget(TARGET) }, result.fits.snv.thresholds));
      const handSet = replay(heldOut, result.classes.snv, preset);
      expect(heldOut.length).toBeGreaterThan(800);
      expect(precision(fitted)).toBeGreaterThanOrEqual(TARGET);
      expect(fitted.correct).toBeGreaterThanOrEqual(handSet.correct);
    }
  });

  it('derives the QUAL gate from the target instead of searching it', () => {
    expect(minQualForTarget(0.99)).toBe(20);
    expect(minQualForTarget(0.999)).toBe(30);
    for (const cls of ['snv', 'indel'] as CalibrationClass[]) expect(fits.illumina.result.fits[cls].thresholds.minQual).toBe(20);
  });
});
