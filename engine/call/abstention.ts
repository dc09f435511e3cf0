/**
 * Abstention: where the evidence cannot support a genotype, the caller says so, with a
 * reason from the fixed vocabulary in types.ts, instead of guessing.
 *
 * Two kinds of rule:
 *  - hard rules, which hold whatever the model says, because they describe evidence the
 *    model's assumptions do not cover: too few reads (LOW_DEPTH), ambiguous mapping
 *    (LOW_MAPQ), more strongly supported alleles than a diploid can carry
 *    (CONFLICTING_EVIDENCE), an alternate allele seen on one strand only (STRAND_BIAS), an
 *    allele fraction that fits no diploid genotype (ALLELE_BALANCE), an alt allele seen only
 *    near read ends or only on reads dirty elsewhere (READ_POSITION_BIAS, read-evidence.ts);
 *  - the risk-control threshold on the calibrated GQ (chosen on training regions for a
 *    target precision, see calibration.ts `chooseThreshold`): below it the call becomes a
 *    no-call, labelled REPEAT_CONTEXT when it is an indel in a repeat (its own, stricter
 *    threshold) and MODEL_UNCERTAIN otherwise; and the same for QUAL (variant presence)
 *    against `minQual`, so that GQ and QUAL both gate a PASS.
 */
import type { AbstainReason, SiteEvidence } from './types.js';
import type { AbstentionConfig } from './config.js';

export interface AbstentionDecision {
  reason: AbstainReason | null;
  /** Every rule that fired, in vocabulary order (the first is the reported reason). */
  diagnostics: AbstainReason[];
}

function logFactorial(n: number): number {
  let s = 0;
  for (let i = 2; i <= n; i++) s += Math.log(i);
  return s;
}

/**
 * −10·log10 of the two-sided Fisher exact p-value of the 2×2 table [[refF, refR], [altF, altR]]
 * (GATK's FisherStrand, FS). 0 when there is no evidence of bias.
 */
export function strandBiasPhred(refF: number, refR: number, altF: number, altR: number): number {
  const n = refF + refR + altF + altR;
  const row1 = refF + refR;
  const col1 = refF + altF;
  if (row1 === 0 || row1 === n || col1 === 0 || col1 === n) return 0;
  const lf = (k: number): number => logFactorial(k);
  const base = lf(row1) + lf(n - row1) + lf(col1) + lf(n - col1) - lf(n);
  const logP = (a: number): number => base - lf(a) - lf(row1 - a) - lf(col1 - a) - lf(n - row1 - col1 + a);
  const observed = logP(refF);
  let p = 0;
  for (let a = Math.max(0, row1 + col1 - n); a <= Math.min(row1, col1); a++) {
    const lp = logP(a);
    if (lp <= observed + 1e-9) p += Math.exp(lp);
  }
  return Math.min(1000, -10 * Math.log10(Math.min(1, p)));
}

/** −10·log10 P(X ≤ k) for X ~ Binomial(n, ½): how unlikely so lopsided a het split is. */
export function binomialTailPhred(k: number, n: number): number {
  let logTerm = -n * Math.log(2); // P(X = 0)
  let sum = Math.exp(logTerm);
  for (let i = 1; i <= k; i++) {
    logTerm += Math.log((n - i + 1) / i);
    sum += Math.exp(logTerm);
  }
  return Math.min(1000, -10 * Math.log10(Math.min(1, sum)));
}

/**
 * How far the read-placement tests lower the confidence that a variant is present, in Phred.
 * A p-value is not a probability of the null, but it bounds the Bayes factor against it:
 * at most 1/(−e·p·ln p) for p < 1/e (Sellke, Bayarri & Berger 2001). The null of both tests
 * is "the alt reads are placed like the ref reads", i.e. a real variant; so evidence of an
 * artefact signature with p-value p can shift the odds of "no real variant" by at most that
 * factor, and QUAL is lowered by its Phred before the QUAL gate. The smaller of the two
 * p-values is doubled first (Bonferroni: two tests were looked at). Real variants with strong
 * evidence lose a few Phred; a weak site whose alt reads look like artefacts falls below the
 * gate (the demo's q:2,348 on bwa's BAM: QUAL 23, MMB 21 → 16).
 */
export function readBiasPenaltyPhred(evidence: { readPositionBias: number; mismatchBias: number }): number {
  const p = Math.min(1, 2 * 10 ** (-Math.max(evidence.readPositionBias, evidence.mismatchBias) / 10));
  if (p >= 1 / Math.E || p <= 0) return 0;
  return Math.max(0, -10 * Math.log10(-Math.E * p * Math.log(p)));
}

/**
 * What the hard rules and the gates read from a locus, computed once so that the caller's
 * decision and the threshold fit (abstention-fit.ts, on the training regions) compare the very
 * same numbers against the thresholds.
 */
export interface RuleStatistics {
  depth: number;
  meanMapq: number;
  mapq0Fraction: number;
  /** Largest strand-bias Phred (Fisher, GATK FS) over the called alt alleles; null when none is called (not tested). */
  strandBiasPhred: number | null;
  /** A 0/x het with ≥ 10 informative reads: binomial tail Phred of its split; otherwise null (not tested). */
  hetBalancePhred: number | null;
  /** A hom-alt with ≥ 10 informative reads: the fraction of reference reads; otherwise null (not tested). */
  homAltRefFraction: number | null;
  /** max(RPB, MMB) when a variant is called; null otherwise (not tested). */
  readBiasPhred: number | null;
  excessAlleles: number;
  isIndel: boolean;
  repeatLength: number;
  /** A variant genotype: QUAL net of the read-placement penalty (readBiasPenaltyPhred); null for hom-ref. */
  netQual: number | null;
}

/** The parts of a genotyped locus (LocusGenotype, or a CallRecord's fields) the rules read. */
export interface RuleInput {
  ref: string;
  alts: readonly string[];
  genotype: readonly [number, number];
  alleleDepths: readonly number[];
  evidence: SiteEvidence;
  excessAlleles: number;
  qual: number;
}

/** The allele-balance tests need this many informative reads; below it a split says little. */
const MIN_INFORMATIVE_FOR_BALANCE = 10;

export function ruleStatistics(locus: RuleInput): RuleStatistics {
  const ev = locus.evidence;
  const [a, b] = locus.genotype;
  const called = [...new Set([a, b].filter((x) => x > 0))];
  let strandBias: number | null = null;
  for (const alt of called) strandBias = Math.max(strandBias ?? 0, strandBiasPhred(ev.refForward, ev.refReverse, ev.altForward[alt - 1] ?? 0, ev.altReverse[alt - 1] ?? 0));
  const informative = locus.alleleDepths.reduce((s, d) => s + d, 0);
  let hetBalancePhred: number | null = null;
  let homAltRefFraction: number | null = null;
  if (informative >= MIN_INFORMATIVE_FOR_BALANCE) {
    if (a !== b && a === 0) {
      const alt = locus.alleleDepths[b]!;
      const n = locus.alleleDepths[0]! + alt;
      hetBalancePhred = binomialTailPhred(Math.min(alt, n - alt), n);
    } else if (a === b && a > 0) {
      homAltRefFraction = locus.alleleDepths[0]! / informative;
    }
  }
  return {
    depth: ev.depth,
    meanMapq: ev.meanMapq,
    mapq0Fraction: ev.mapq0Fraction,
    strandBiasPhred: strandBias,
    hetBalancePhred,
    homAltRefFraction,
    readBiasPhred: called.length > 0 ? Math.max(ev.readPositionBias, ev.mismatchBias) : null,
    excessAlleles: locus.excessAlleles,
    isIndel: locus.alts.some((alt) => alt.length !== locus.ref.length),
    repeatLength: ev.repeatLength,
    netQual: b > 0 ? locus.qual - readBiasPenaltyPhred(ev) : null,
  };
}

/**
 * Thresholds at which a rule never fires: what the threshold fit writes as `null` ("this rule
 * did not earn its recall cost on the training regions"). The reason code stays in the
 * vocabulary; a user's preset can still switch the rule on.
 */
export const RULE_OFF = {
  minDepth: 0,
  minMeanMapq: 0,
  maxMapq0Fraction: 1,
  strandBiasMinPhred: Number.POSITIVE_INFINITY,
  hetBalanceMinPhred: Number.POSITIVE_INFINITY,
  homAltMaxRefFraction: 1,
  readBiasMinPhred: Number.POSITIVE_INFINITY,
  repeatMinGq: 0,
  minQual: 0,
} as const satisfies Partial<Record<keyof AbstentionConfig, number>>;

/** Diagnostics from precomputed statistics (see `diagnose`). */
export function diagnoseStatistics(stats: RuleStatistics, config: AbstentionConfig): AbstainReason[] {
  const out: AbstainReason[] = [];
  if (stats.depth < config.minDepth) out.push('LOW_DEPTH');
  if (stats.meanMapq < config.minMeanMapq || stats.mapq0Fraction > config.maxMapq0Fraction) out.push('LOW_MAPQ');
  // Alt reads on one strand while the reference reads come from both is the signature of a
  // strand-specific artefact (oxidation, read-end errors), not of a variant.
  if (stats.strandBiasPhred !== null && stats.strandBiasPhred >= config.strandBiasMinPhred) out.push('STRAND_BIAS');
  if ((stats.hetBalancePhred !== null && stats.hetBalancePhred >= config.hetBalanceMinPhred) || (stats.homAltRefFraction !== null && stats.homAltRefFraction > config.homAltMaxRefFraction)) out.push('ALLELE_BALANCE');
  if (stats.readBiasPhred !== null && stats.readBiasPhred >= config.readBiasMinPhred) out.push('READ_POSITION_BIAS');
  if (stats.excessAlleles > 0) out.push('CONFLICTING_EVIDENCE');
  if (stats.isIndel && stats.repeatLength >= config.repeatMinLength) out.push('REPEAT_CONTEXT');
  return out;
}

/** Diagnostics for a locus, whatever its genotype. */
export function diagnose(locus: RuleInput, config: AbstentionConfig): AbstainReason[] {
  return diagnoseStatistics(ruleStatistics(locus), config);
}

const HARD: ReadonlySet<AbstainReason> = new Set(['LOW_DEPTH', 'LOW_MAPQ', 'STRAND_BIAS', 'ALLELE_BALANCE', 'CONFLICTING_EVIDENCE', 'READ_POSITION_BIAS']);

/**
 * Whether a locus with calibrated GQ `gq` is called or abstained, and why. `thresholdsOff`
 * disables the GQ and QUAL thresholds (used to fit calibration and draw the risk–coverage curve).
 */
export function decideAbstention(locus: RuleInput, gq: number, config: AbstentionConfig, thresholdsOff = false): AbstentionDecision {
  return decideFromStatistics(ruleStatistics(locus), gq, config, thresholdsOff);
}

/** `decideAbstention` on precomputed statistics: the threshold fit replays it per candidate threshold. */
export function decideFromStatistics(stats: RuleStatistics, gq: number, config: AbstentionConfig, thresholdsOff = false): AbstentionDecision {
  const diagnostics = diagnoseStatistics(stats, config);
  const hard = diagnostics.find((d) => HARD.has(d));
  if (hard) return { reason: hard, diagnostics };
  if (thresholdsOff) return { reason: null, diagnostics };
  if (diagnostics.includes('REPEAT_CONTEXT') && gq < Math.max(config.repeatMinGq, config.minGq)) return { reason: 'REPEAT_CONTEXT', diagnostics };
  if (gq < config.minGq) return { reason: 'MODEL_UNCERTAIN', diagnostics: [...diagnostics, 'MODEL_UNCERTAIN'] };
  // GQ says which genotype, given a variant; QUAL says whether there is one. A call needs
  // both: a site whose variant is itself doubtful (QUAL 8 = 16 % chance of no variant) must
  // not pass on the strength of a calibrated GQ. QUAL is taken net of the read-placement
  // evidence against a real variant (readBiasPenaltyPhred).
  if (stats.netQual !== null && stats.netQual < config.minQual) return { reason: 'MODEL_UNCERTAIN', diagnostics: [...diagnostics, 'MODEL_UNCERTAIN'] };
  return { reason: null, diagnostics };
}
