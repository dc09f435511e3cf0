/** Counting: precision/recall tables, strata, GQ calibration and risk–coverage. */
import type {
  Calibration,
  ClassMetrics,
  ClassTable,
  DepthBin,
  DepthStratum,
  MatchKind,
  ReliabilityBin,
  RepeatContext,
  RiskCoveragePoint,
  VariantClass,
} from './types.js';
import { REPEAT_CONTEXTS, VARIANT_CLASSES } from './types.js';
import { SeededRandom } from '../util/seeded-random.js';

/** One counted atom with its verdict. For truth atoms `gq` is the lowest GQ of the calls that matched it. */
export interface ScoredAtom {
  side: 'truth' | 'call';
  variantClass: VariantClass;
  context: RepeatContext;
  match: MatchKind;
  depth: number | null;
  gq: number | null;
}

/** One call record, for calibration: a call is right when its genotype matches. */
export interface ScoredCall {
  gq: number | null;
  match: MatchKind;
}

export const DEPTH_BINS: DepthBin[] = [
  { label: '0–9', min: 0, max: 10 },
  { label: '10–19', min: 10, max: 20 },
  { label: '20–29', min: 20, max: 30 },
  { label: '30–49', min: 30, max: 50 },
  { label: '≥50', min: 50, max: null },
];

export const GQ_BIN_EDGES = [0, 10, 20, 30, 40, 50, 60, 80] as const;
export const RISK_COVERAGE_THRESHOLDS = [0, 5, 10, 15, 20, 25, 30, 40, 50, 60, 70, 80, 90, 99] as const;

function ratio(numerator: number, denominator: number): number | null {
  return denominator === 0 ? null : numerator / denominator;
}

export function classMetrics(atoms: ScoredAtom[]): ClassMetrics {
  let truthTotal = 0;
  let tp = 0;
  let genotypeMatches = 0;
  let callTotal = 0;
  let tpCall = 0;
  for (const a of atoms) {
    if (a.side === 'truth') {
      truthTotal++;
      if (a.match !== 'none') tp++;
      if (a.match === 'genotype') genotypeMatches++;
    } else {
      callTotal++;
      if (a.match !== 'none') tpCall++;
    }
  }
  const precision = ratio(tpCall, callTotal);
  const recall = ratio(tp, truthTotal);
  const f1 = precision === null || recall === null ? null : precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return {
    truthTotal,
    callTotal,
    tp,
    tpCall,
    fp: callTotal - tpCall,
    fn: truthTotal - tp,
    precision,
    recall,
    f1,
    genotypeMatches,
    genotypeConcordance: ratio(genotypeMatches, tp),
  };
}

export function classTable(atoms: ScoredAtom[]): ClassTable {
  const table = {} as ClassTable;
  for (const c of VARIANT_CLASSES) table[c] = classMetrics(atoms.filter((a) => a.variantClass === c));
  return table;
}

export function contextStrata(atoms: ScoredAtom[]): Record<RepeatContext, ClassTable> {
  const strata = {} as Record<RepeatContext, ClassTable>;
  for (const context of REPEAT_CONTEXTS) strata[context] = classTable(atoms.filter((a) => a.context === context));
  return strata;
}

export function depthStrata(atoms: ScoredAtom[]): DepthStratum[] {
  const strata: DepthStratum[] = DEPTH_BINS.map((bin) => ({
    bin,
    label: bin.label,
    metrics: classTable(atoms.filter((a) => a.depth !== null && a.depth >= bin.min && (bin.max === null || a.depth < bin.max))),
  }));
  const unknown = atoms.filter((a) => a.depth === null);
  if (unknown.length > 0) strata.push({ bin: null, label: 'unknown', metrics: classTable(unknown) });
  return strata;
}

export function errorProbability(gq: number): number {
  return 10 ** (-gq / 10);
}

export function calibration(calls: ScoredCall[]): Calibration {
  const withGq = calls.filter((c): c is ScoredCall & { gq: number } => c.gq !== null);
  const bins: ReliabilityBin[] = GQ_BIN_EDGES.map((gqMin, i) => {
    const gqMax = GQ_BIN_EDGES[i + 1] ?? null;
    const members = withGq.filter((c) => c.gq >= gqMin && (gqMax === null || c.gq < gqMax));
    const predicted = members.reduce((s, c) => s + errorProbability(c.gq), 0);
    const wrong = members.filter((c) => c.match !== 'genotype').length;
    return {
      gqMin,
      gqMax,
      calls: members.length,
      predictedError: ratio(predicted, members.length),
      observedError: ratio(wrong, members.length),
    };
  });
  let ece: number | null = null;
  if (withGq.length > 0) {
    ece = 0;
    for (const b of bins) {
      if (b.calls === 0) continue;
      ece += (b.calls / withGq.length) * Math.abs(b.predictedError! - b.observedError!);
    }
  }
  return { callsWithGq: withGq.length, callsWithoutGq: calls.length - withGq.length, bins, expectedCalibrationError: ece };
}

/** A call keyed by its site, so two callsets' calls at one site can be resampled together. */
export interface SitedCall extends ScoredCall {
  /** e.g. "chr:pos:ref:alt" of the call atom. */
  site: string;
}

export interface EceDifference {
  /** ECE(b) − ECE(a) on the calls as they are. */
  difference: number;
  /** Percentile interval of the difference over the bootstrap replicates. */
  low: number;
  high: number;
  replicates: number;
  level: number;
}

/**
 * Paired bootstrap of ECE(b) − ECE(a): sites (the union of both callsets' call sites) are
 * resampled with replacement, each drawn site bringing both callsets' calls there, so what the
 * two share cancels and only their difference varies. Why: on a class with one or two wrong
 * calls in 1,500 the ECE of either callset moves by more than their difference when one wrong
 * call lands in another GQ bin; the interval says whether a difference is measurable at all.
 * Deterministic for a seed.
 */
export function eceDifferenceInterval(a: readonly SitedCall[], b: readonly SitedCall[], options: { replicates?: number; level?: number; seed?: number } = {}): EceDifference | null {
  const replicates = options.replicates ?? 2000;
  const level = options.level ?? 0.95;
  const sites = [...new Set([...a, ...b].map((c) => c.site))];
  if (sites.length === 0) return null;
  const index = new Map(sites.map((site, i) => [site, i]));
  const bySite = (calls: readonly SitedCall[]): ScoredCall[][] => {
    const out: ScoredCall[][] = sites.map(() => []);
    for (const c of calls) out[index.get(c.site)!]!.push({ gq: c.gq, match: c.match });
    return out;
  };
  const [aSites, bSites] = [bySite(a), bySite(b)];
  const ece = (calls: ScoredCall[]): number => calibration(calls).expectedCalibrationError ?? 0;
  const difference = ece(bSites.flat()) - ece(aSites.flat());
  const random = new SeededRandom(options.seed ?? 20261122);
  const draws: number[] = [];
  for (let r = 0; r < replicates; r++) {
    const sampleA: ScoredCall[] = [];
    const sampleB: ScoredCall[] = [];
    for (let k = 0; k < sites.length; k++) {
      const i = random.int(sites.length);
      sampleA.push(...aSites[i]!);
      sampleB.push(...bSites[i]!);
    }
    draws.push(ece(sampleB) - ece(sampleA));
  }
  draws.sort((x, y) => x - y);
  const tail = (1 - level) / 2;
  const at = (q: number): number => draws[Math.min(draws.length - 1, Math.max(0, Math.floor(q * draws.length)))]!;
  return { difference, low: at(tail), high: at(1 - tail), replicates, level };
}

/**
 * Precision against the fraction of truth still called as a GQ threshold rises (what an
 * abstention threshold trades). Calls without GQ cannot be thresholded and are always kept.
 */
export function riskCoverage(atoms: ScoredAtom[], calls: ScoredCall[]): RiskCoveragePoint[] {
  const callAtoms = atoms.filter((a) => a.side === 'call');
  const truthAtoms = atoms.filter((a) => a.side === 'truth');
  const kept = (gq: number | null, t: number): boolean => gq === null || gq >= t;
  return RISK_COVERAGE_THRESHOLDS.map((minGq) => {
    const keptAtoms = callAtoms.filter((a) => kept(a.gq, minGq));
    const keptCalls = calls.filter((c) => kept(c.gq, minGq));
    const truthStill = truthAtoms.filter((a) => a.match !== 'none' && kept(a.gq, minGq)).length;
    return {
      minGq,
      callsKept: keptCalls.length,
      callFraction: ratio(keptAtoms.length, callAtoms.length) ?? 0,
      precision: ratio(keptAtoms.filter((a) => a.match !== 'none').length, keptAtoms.length),
      genotypePrecision: ratio(keptCalls.filter((c) => c.match === 'genotype').length, keptCalls.length),
      recall: ratio(truthStill, truthAtoms.length),
    };
  });
}
