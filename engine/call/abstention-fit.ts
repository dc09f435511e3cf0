/**
 * Fitting the abstention thresholds on data with known truth (the benchmark kit's training and
 * calibration regions; bench/call.ts --fit-calibration), instead of setting them by hand.
 *
 * Input: every call of a run with all rules and gates off (`RULE_OFF`, thresholds off), each
 * with the statistics its rules read (`ruleStatistics`), its calibrated GQ, and whether the
 * comparator found it wrong (false positive or wrong genotype). Output, per class: one
 * threshold per rule and gate (`FITTED_THRESHOLD_KEYS`), `null` where the rule is off.
 *
 * Criterion: the loosest thresholds whose kept calls reach the target precision on the fitting
 * data (risk control, as for the GQ threshold alone before), i.e. the most recall at that
 * precision, with one guard: a loosening must not lower F1. Without it, "most recall at
 * precision ≥ target" spends whatever error budget the target leaves (1 % of the calls) on
 * batches of calls that are mostly wrong, since any batch with one more true call has more
 * recall; F1 rises with a batch only when more than about half of it is right (iff the batch's
 * precision exceeds F1/2). Thresholds are never made stricter than the target needs: with a
 * handful of wrong calls in the fitting data (Illumina: 5 SNVs of 2,905), "stricter where it
 * removes more wrong calls than right ones" chases single sites (it put the Illumina SNV GQ
 * threshold at 17 for one site seen on both BAMs).
 *
 * Search: the rules are conjunctive and each is monotone in its threshold (a call kept at a
 * strict setting is kept at every looser one), so a call's fate under a setting is decided by
 * one number per threshold: the strictest grid value it still passes. Start with everything
 * off (GQ at MIN_CREDIBLE_GQ); while the target is missed, take the tightening that reaches it
 * with the most F1, or else removes the most wrong calls per true call lost; then loosen each
 * threshold in turn as far as the target and F1 allow, until none moves. The result is
 * replayed through `decideFromStatistics`, the caller's own decision, and must agree.
 */
import type { AbstentionConfig } from './config.js';
import type { RuleStatistics } from './abstention.js';
import { decideFromStatistics } from './abstention.js';
import type { CalibrationClass, FittedClassSummary, FittedThresholdKey, FittedThresholds, PlattParameters } from './calibration.js';
import { applyFittedThresholds, calibratedGq, FITTED_THRESHOLD_KEYS, fitPlatt, MIN_CREDIBLE_GQ } from './calibration.js';
import { MAX_GQ } from './genotyper.js';

export interface ThresholdFitSample {
  stats: RuleStatistics;
  /** Calibrated GQ of the call. */
  gq: number;
  wrong: boolean;
}

/**
 * The values each threshold may take, loosest first (`null`: off). Round values rather than the
 * data's own: a threshold between two observed statistics lands on a number a person can read
 * and compare with other tools (GATK's FS 60, a p-value of 0.001 at Phred 30).
 */
const PHRED_GRID: (number | null)[] = [null, 200, 150, 100, 80, 60, 50, 40, 35, 30, 25, 20, 15, 10];
const range = (from: number, to: number, step = 1): number[] => Array.from({ length: Math.floor((to - from) / step) + 1 }, (_, i) => from + i * step);
export const THRESHOLD_GRIDS: Record<FittedThresholdKey, (number | null)[]> = {
  minDepth: [null, ...range(1, 15)],
  minMeanMapq: [null, ...range(5, 60, 5)],
  maxMapq0Fraction: [null, 0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05],
  strandBiasMinPhred: PHRED_GRID,
  hetBalanceMinPhred: PHRED_GRID,
  homAltMaxRefFraction: [null, 0.5, 0.45, 0.4, 0.35, 0.3, 0.25, 0.2, 0.15, 0.1, 0.05],
  readBiasMinPhred: PHRED_GRID,
  repeatMinGq: [null, ...range(1, 60)],
  minQual: [null, ...range(1, 50)],
  minGq: range(MIN_CREDIBLE_GQ, MAX_GQ),
};

export interface ThresholdFit {
  thresholds: FittedThresholds;
  summary: FittedClassSummary;
  /** Whether the kept calls reach the target; when no setting does, the best-precision setting found. */
  reachedTarget: boolean;
}

export interface ThresholdFitOptions {
  targetPrecision: number;
  /** Truth variants of the class in the fitting regions (recall and F1 denominator). */
  truth: number;
  /** Thresholds to fit; the others stay at the preset's value (default: all of them). */
  keys?: readonly FittedThresholdKey[];
  /** Rules kept armed where the fit would turn them off (default `ARMED_RULES`; see there). */
  armed?: readonly ArmedRule[];
}

export type ArmedRule = 'strandBiasMinPhred' | 'readBiasMinPhred' | 'hetBalanceMinPhred';
const ARMED_STATISTIC: Record<ArmedRule, 'strandBiasPhred' | 'readBiasPhred' | 'hetBalancePhred'> = {
  strandBiasMinPhred: 'strandBiasPhred',
  readBiasMinPhred: 'readBiasPhred',
  hetBalanceMinPhred: 'hetBalancePhred',
};

/**
 * Rules for artefacts the kit's simulated reads cannot show: strand-specific chemistry errors
 * (STRAND_BIAS), read-end and dirty-read artefacts (READ_POSITION_BIAS), allele splits skewed
 * by copy number or collapsed paralogs (the het test of ALLELE_BALANCE). The fitting data can
 * measure what these rules cost (true calls removed) but not what they are for, so where the
 * fit would turn one off it is instead armed just beyond every true call: at the strictest grid
 * value at least `ARMED_MARGIN_PHRED` above the largest statistic any true call of the fitting
 * data showed. On those data it removes no true call (what "off" means there), and on real reads
 * it still catches the artefact: the bundled NA12878 demo's one false positive on minimap2's
 * BAM (A>C at 5,080 of the demo segment: strand split 22/5 ref, 0/9 alt; MMB 48) passes with
 * both rules off.
 */
export const ARMED_RULES: readonly ArmedRule[] = ['strandBiasMinPhred', 'readBiasMinPhred', 'hetBalanceMinPhred'];
/** One order of magnitude in p-value beyond the most extreme true call, for sampling: more calls, more extreme maxima. */
export const ARMED_MARGIN_PHRED = 10;

function thresholdsAt(keys: readonly FittedThresholdKey[], index: Int32Array, preset: AbstentionConfig): FittedThresholds {
  const out = {} as FittedThresholds;
  for (const key of FITTED_THRESHOLD_KEYS) out[key] = preset[key];
  keys.forEach((key, k) => {
    out[key] = THRESHOLD_GRIDS[key][index[k]!]!;
  });
  return out;
}

/** Fits one class's thresholds (see the module comment); `preset` supplies every other setting. */
export function fitAbstentionThresholds(samples: readonly ThresholdFitSample[], preset: AbstentionConfig, options: ThresholdFitOptions): ThresholdFit {
  const keys = options.keys ?? FITTED_THRESHOLD_KEYS;
  const { targetPrecision, truth } = options;
  // With every fitted threshold at its loosest, whatever still abstains (a rule that is not
  // fitted, e.g. CONFLICTING_EVIDENCE) is out of reach of the search.
  const loosest = new Int32Array(keys.length);
  const loosestConfig = applyFittedThresholds(preset, thresholdsAt(keys, loosest, preset));
  const reachable = samples.filter((s) => decideFromStatistics(s.stats, s.gq, loosestConfig).reason === null);
  // passUpTo[k][i]: the strictest grid index of threshold k that call i still passes (−1: none).
  const passUpTo = keys.map((key, k) => {
    // The settings with threshold k at each grid value and every other one at its loosest.
    const configs = THRESHOLD_GRIDS[key].map((_, g) => {
      const index = Int32Array.from(loosest);
      index[k] = g;
      return applyFittedThresholds(preset, thresholdsAt(keys, index, preset));
    });
    const out = new Int32Array(reachable.length);
    reachable.forEach((s, i) => {
      let last = -1;
      for (let g = 0; g < configs.length; g++) {
        if (decideFromStatistics(s.stats, s.gq, configs[g]!).reason !== null) break;
        last = g;
      }
      out[i] = last;
    });
    return out;
  });
  const wrong = Uint8Array.from(reachable, (s) => (s.wrong ? 1 : 0));
  const f1 = (correct: number, kept: number): number => (kept + truth > 0 ? (2 * correct) / (kept + truth) : 0);

  /** Kept / kept-wrong at each grid value of threshold k, the others held at `index`. */
  const sweep = (index: Int32Array, k: number): { kept: number[]; wrong: number[] } => {
    const size = THRESHOLD_GRIDS[keys[k]!]!.length;
    // Calls kept by every other threshold, counted by the strictest value of k they pass.
    const keptAtLeast = new Array<number>(size + 1).fill(0);
    const wrongAtLeast = new Array<number>(size + 1).fill(0);
    for (let i = 0; i < reachable.length; i++) {
      let passesOthers = true;
      for (let j = 0; j < keys.length && passesOthers; j++) if (j !== k && passUpTo[j]![i]! < index[j]!) passesOthers = false;
      if (!passesOthers) continue;
      const upTo = passUpTo[k]![i]!;
      if (upTo < 0) continue;
      keptAtLeast[upTo]!++;
      wrongAtLeast[upTo]! += wrong[i]!;
    }
    const kept = new Array<number>(size).fill(0);
    const keptWrong = new Array<number>(size).fill(0);
    let runningKept = 0;
    let runningWrong = 0;
    for (let g = size - 1; g >= 0; g--) {
      runningKept += keptAtLeast[g]!;
      runningWrong += wrongAtLeast[g]!;
      kept[g] = runningKept;
      keptWrong[g] = runningWrong;
    }
    return { kept, wrong: keptWrong };
  };
  const precisionOf = (kept: number, keptWrong: number): number => (kept > 0 ? 1 - keptWrong / kept : 0);
  const index = Int32Array.from(loosest);
  // minGq's loosest value is MIN_CREDIBLE_GQ, not off: its grid starts there.
  let state = sweep(index, 0);
  let kept = state.kept[index[0]!]!;
  let keptWrong = state.wrong[index[0]!]!;

  // Phase 1: tighten until the target is reached.
  while (precisionOf(kept, keptWrong) < targetPrecision) {
    let best: { k: number; g: number; reaches: boolean; score: number; kept: number; wrong: number } | null = null;
    for (let k = 0; k < keys.length; k++) {
      state = sweep(index, k);
      for (let g = index[k]! + 1; g < state.kept.length; g++) {
        const removedWrong = keptWrong - state.wrong[g]!;
        if (removedWrong <= 0) continue;
        const removedCorrect = kept - state.kept[g]! - removedWrong;
        const reaches = precisionOf(state.kept[g]!, state.wrong[g]!) >= targetPrecision;
        const score = reaches ? f1(state.kept[g]! - state.wrong[g]!, state.kept[g]!) : removedWrong / (removedCorrect + 1);
        if (!best || (reaches && !best.reaches) || (reaches === best.reaches && score > best.score + 1e-12)) best = { k, g, reaches, score, kept: state.kept[g]!, wrong: state.wrong[g]! };
      }
    }
    if (!best) break;
    index[best.k] = best.g;
    kept = best.kept;
    keptWrong = best.wrong;
  }
  const reachedTarget = precisionOf(kept, keptWrong) >= targetPrecision;

  // Phase 2: loosen. Each threshold in turn goes to its loosest value that keeps the target and
  // does not lower F1 (or, when the target is out of reach, does not lower precision), until
  // none moves. Never tighter: beyond what the target needs, a threshold would be chasing the
  // handful of wrong calls of the fitting data (see the module comment).
  const score = (k: number, w: number): number => (reachedTarget ? f1(k - w, k) : precisionOf(k, w));
  const allowed = (k: number, w: number): boolean => !reachedTarget || precisionOf(k, w) >= targetPrecision;
  for (let pass = 0; pass < 20; pass++) {
    let changed = false;
    for (let k = 0; k < keys.length; k++) {
      state = sweep(index, k);
      const current = score(kept, keptWrong);
      for (let g = 0; g < index[k]!; g++) {
        if (!allowed(state.kept[g]!, state.wrong[g]!) || score(state.kept[g]!, state.wrong[g]!) < current - 1e-12) continue;
        index[k] = g;
        kept = state.kept[g]!;
        keptWrong = state.wrong[g]!;
        changed = true;
        break;
      }
    }
    if (!changed) break;
  }

  for (const key of options.armed ?? ARMED_RULES) {
    const k = keys.indexOf(key);
    if (k < 0) continue;
    let largestTrue = 0;
    for (const s of reachable) {
      const v = s.stats[ARMED_STATISTIC[key]];
      if (!s.wrong && v !== null) largestTrue = Math.max(largestTrue, v);
    }
    const grid = THRESHOLD_GRIDS[key];
    let armedAt = 0;
    for (let g = 1; g < grid.length; g++) if (grid[g]! >= largestTrue + ARMED_MARGIN_PHRED) armedAt = g;
    if (armedAt > index[k]!) {
      state = sweep(index, k);
      index[k] = armedAt;
      kept = state.kept[armedAt]!;
      keptWrong = state.wrong[armedAt]!;
    }
  }

  const thresholds = thresholdsAt(keys, index, preset);
  // Replay through the caller's decision: the fit is only worth what the caller will do with it.
  const resolved = applyFittedThresholds(preset, thresholds);
  const replay = samples.filter((s) => decideFromStatistics(s.stats, s.gq, resolved).reason === null);
  const replayWrong = replay.filter((s) => s.wrong).length;
  if (replay.length !== kept || replayWrong !== keptWrong) {
    throw new Error(`abstention fit: the search kept ${kept} calls (${keptWrong} wrong) but the caller's decision keeps ${replay.length} (${replayWrong} wrong); a rule is not monotone or not conjunctive`);
  }
  const removesAlone: FittedClassSummary['removesAlone'] = {};
  keys.forEach((key, k) => {
    let calls = 0;
    let alone = 0;
    for (let i = 0; i < reachable.length; i++) {
      if (passUpTo[k]![i]! >= index[k]!) continue;
      let othersPass = true;
      for (let j = 0; j < keys.length && othersPass; j++) if (j !== k && passUpTo[j]![i]! < index[j]!) othersPass = false;
      if (!othersPass) continue;
      calls++;
      alone += wrong[i]!;
    }
    if (calls > 0) removesAlone[key] = { calls, wrong: alone };
  });
  const correct = kept - keptWrong;
  return {
    thresholds,
    reachedTarget,
    summary: {
      candidates: samples.length,
      wrong: samples.filter((s) => s.wrong).length,
      truth,
      kept,
      keptWrong,
      precision: round4(precisionOf(kept, keptWrong)),
      recall: round4(truth > 0 ? correct / truth : 0),
      f1: round4(f1(correct, kept)),
      removesAlone,
    },
  };
}

function round4(x: number): number {
  return Math.round(x * 1e4) / 1e4;
}

/** One call of a no-rules fitting run with its outcome: a row of the fit table. */
export interface FitRow {
  /** Which run it came from (e.g. the aligner of the BAM). */
  source: string;
  contig: string;
  /** 1-based position of the record. */
  pos: number;
  variantClass: CalibrationClass;
  rawGq: number;
  wrong: boolean;
  stats: RuleStatistics;
}

export interface FitTable {
  rows: FitRow[];
  /** Truth variants per class in the fitting regions, summed over the runs (recall denominators). */
  truth: Record<CalibrationClass, number>;
}

const TABLE_COLUMNS = ['source', 'contig', 'pos', 'class', 'rawGq', 'wrong', 'depth', 'meanMapq', 'mapq0Fraction', 'strandBiasPhred', 'hetBalancePhred', 'homAltRefFraction', 'readBiasPhred', 'excessAlleles', 'isIndel', 'repeatLength', 'netQual'] as const;

/** The fit table as TSV (`#truth` line first), so a fit can be rerun and tested without the runs. */
export function formatFitTable(table: FitTable): string {
  const text = (x: number | null): string => (x === null ? '.' : String(Math.round(x * 1000) / 1000));
  const lines = [`#truth\tsnv=${table.truth.snv}\tindel=${table.truth.indel}`, TABLE_COLUMNS.join('\t')];
  for (const r of table.rows) {
    const s = r.stats;
    lines.push([r.source, r.contig, r.pos, r.variantClass, text(r.rawGq), r.wrong ? 1 : 0, s.depth, text(s.meanMapq), text(s.mapq0Fraction), text(s.strandBiasPhred), text(s.hetBalancePhred), text(s.homAltRefFraction), text(s.readBiasPhred), s.excessAlleles, s.isIndel ? 1 : 0, s.repeatLength, text(s.netQual)].join('\t'));
  }
  return `${lines.join('\n')}\n`;
}

export function parseFitTable(text: string, name = 'fit table'): FitTable {
  const lines = text.split('\n').filter((l) => l.length > 0);
  const truthMatch = /^#truth\tsnv=(\d+)\tindel=(\d+)$/.exec(lines[0] ?? '');
  if (!truthMatch) throw new Error(`${name}: line 1: expected '#truth<TAB>snv=N<TAB>indel=N'`);
  if (lines[1] !== TABLE_COLUMNS.join('\t')) throw new Error(`${name}: line 2: expected the header ${TABLE_COLUMNS.join(' ')}`);
  const rows = lines.slice(2).map((line, i) => {
    const f = line.split('\t');
    if (f.length !== TABLE_COLUMNS.length) throw new Error(`${name}: line ${i + 3}: ${f.length} fields, expected ${TABLE_COLUMNS.length}`);
    const num = (k: number): number => {
      const v = Number(f[k]);
      if (!Number.isFinite(v)) throw new Error(`${name}: line ${i + 3}: ${TABLE_COLUMNS[k]}: not a number: ${f[k]}`);
      return v;
    };
    const opt = (k: number): number | null => (f[k] === '.' ? null : num(k));
    const variantClass = f[3];
    if (variantClass !== 'snv' && variantClass !== 'indel') throw new Error(`${name}: line ${i + 3}: class: expected snv or indel`);
    return {
      source: f[0]!,
      contig: f[1]!,
      pos: num(2),
      variantClass,
      rawGq: num(4),
      wrong: f[5] === '1',
      stats: { depth: num(6), meanMapq: num(7), mapq0Fraction: num(8), strandBiasPhred: opt(9), hetBalancePhred: opt(10), homAltRefFraction: opt(11), readBiasPhred: opt(12), excessAlleles: num(13), isIndel: f[14] === '1', repeatLength: num(15), netQual: opt(16) },
    } satisfies FitRow;
  });
  return { rows, truth: { snv: Number(truthMatch[1]), indel: Number(truthMatch[2]) } };
}

/**
 * The QUAL gate is not searched but derived from the target: QUAL is the Phred probability that
 * there is no variant at all, so a call below −10·log10(1 − target) carries more than the risk
 * the target allows on its own (20 for 0.99). Searching it would turn it off: the simulated
 * reads make almost no weak candidates (one true Illumina SNV of 2,905 has QUAL below 30), so
 * the fitting data cannot say what it removes on real reads, where it removes read-artefact
 * calls (three on the NA12878 demo's bwa BAM, QUAL 20–26).
 */
export function minQualForTarget(targetPrecision: number): number {
  return Math.round(-10 * Math.log10(1 - targetPrecision) * 100) / 100;
}

/** What `fitCalibrationAndThresholds` searches: every fitted threshold but the QUAL gate (`minQualForTarget`). */
export const SEARCHED_KEYS: readonly FittedThresholdKey[] = FITTED_THRESHOLD_KEYS.filter((k) => k !== 'minQual');

export interface CalibrationAndThresholds {
  classes: Record<CalibrationClass, PlattParameters>;
  fits: Record<CalibrationClass, ThresholdFit>;
  /** Rounds of (calibrate → fit thresholds) until the thresholds stopped changing. */
  rounds: number;
}

/**
 * GQ calibration and thresholds together. The calibration describes the calls the hard rules
 * keep (that is where GQ is reported and its reliability measured), and the GQ threshold is a
 * threshold on calibrated GQ, so each depends on the other: start from the preset's hard
 * rules, calibrate on the calls they keep, fit every threshold, recalibrate on the calls the
 * fitted hard rules keep, and repeat until the thresholds do not change (a few rounds).
 */
export function fitCalibrationAndThresholds(table: FitTable, presetConfig: AbstentionConfig, targetPrecision: number, maxRounds = 5): CalibrationAndThresholds {
  const preset: AbstentionConfig = { ...presetConfig, minQual: minQualForTarget(targetPrecision), targetPrecision };
  const byClass = (cls: CalibrationClass): FitRow[] => table.rows.filter((r) => r.variantClass === cls);
  let rules: Record<CalibrationClass, AbstentionConfig> = { snv: preset, indel: preset };
  let previous = '';
  let result: CalibrationAndThresholds | null = null;
  for (let round = 1; round <= maxRounds; round++) {
    const classes = {} as Record<CalibrationClass, PlattParameters>;
    const fits = {} as Record<CalibrationClass, ThresholdFit>;
    for (const cls of ['snv', 'indel'] as const) {
      const rows = byClass(cls);
      const keptByRules = rows.filter((r) => decideFromStatistics(r.stats, 0, rules[cls], true).reason === null);
      classes[cls] = fitPlatt(keptByRules.map((r) => ({ rawGq: r.rawGq, wrong: r.wrong })));
      const samples = rows.map((r) => ({ stats: r.stats, gq: calibratedGq(classes[cls], r.rawGq), wrong: r.wrong }));
      fits[cls] = fitAbstentionThresholds(samples, preset, { targetPrecision, truth: table.truth[cls], keys: SEARCHED_KEYS });
    }
    result = { classes, fits, rounds: round };
    const key = JSON.stringify([fits.snv.thresholds, fits.indel.thresholds]);
    if (key === previous) break;
    previous = key;
    rules = { snv: applyFittedThresholds(preset, fits.snv.thresholds), indel: applyFittedThresholds(preset, fits.indel.thresholds) };
  }
  return result!;
}
