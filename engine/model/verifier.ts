/**
 * The verifier: a bounded second look at each model call. It checks the call against the
 * evidence (depth, mapping quality, strand balance, allele fraction against the genotype,
 * platform agreement) and against the model itself (do the experts the router used agree? is
 * the calibrated confidence enough?), and returns one verdict:
 *
 *   pass                 the call stands;
 *   reroute(expert)      the router's mixture failed a consistency check, and one other expert
 *                        gives a confident answer that passes every check: its answer is used;
 *   abstain(reason)      no call, with a reason from the caller's fixed vocabulary.
 *
 * At most one re-route: the re-routed answer is checked once more with re-routing disabled, so
 * the verifier always terminates after two passes. Pure functions over plain numbers: the same
 * inputs always give the same verdict, and every rule is unit-tested. Rules: docs/model.md,
 * "Verifier".
 */
import type { AbstentionConfig } from '../call/config.js';
import { binomialTailPhred, strandBiasPhred } from '../call/abstention.js';
import type { AbstainReason } from '../call/types.js';

/**
 * Thresholds. The evidence rules use the same names, meanings and statistics as the caller's
 * abstention config (engine/call/config.ts AbstentionConfig), so `{ ...callerConfig.abstention,
 * maxExpertDivergence }` is a valid VerifierConfig and the verifier never contradicts the
 * caller's own hard rules.
 */
export type VerifierConfig = Pick<
  AbstentionConfig,
  | 'minDepth'
  | 'minMeanMapq'
  | 'maxMapq0Fraction'
  | 'strandBiasMinPhred'
  | 'hetBalanceMinPhred'
  | 'homAltMaxRefFraction'
  | 'repeatMinLength'
  | 'repeatMinGq'
  | 'minGq'
> & {
  /** Jensen–Shannon divergence (bits) between two used experts above which they "disagree". */
  maxExpertDivergence: number;
};

/** The caller's Illumina preset values (configs/call/illumina.yaml) plus the verifier's own. */
export const DEFAULT_VERIFIER_CONFIG: VerifierConfig = {
  minDepth: 4,
  minMeanMapq: 20,
  maxMapq0Fraction: 0.5,
  strandBiasMinPhred: 30,
  hetBalanceMinPhred: 30,
  homAltMaxRefFraction: 0.35,
  repeatMinLength: 6,
  repeatMinGq: 20,
  minGq: 10,
  maxExpertDivergence: 0.25,
};

export type Posterior = readonly [number, number, number];

/** Genotype index: 0 hom-ref, 1 het, 2 hom-alt (for the column's alt allele). */
export type GenotypeIndex = 0 | 1 | 2;

export interface VerifierEvidence {
  /** Calibrated posterior of the routed mixture. */
  posterior: Posterior;
  /** Experts the router used (indexes), strongest first. */
  usedExperts: readonly number[];
  /** Every expert's calibrated posterior, by index. */
  expertPosteriors: readonly Posterior[];
  /** The expert named for this position's context (moe.ts `contextSpeciality`), if the model has it. */
  contextExpert?: number;
  depth: number;
  meanMappingQuality: number;
  mapq0Fraction: number;
  refForward: number;
  refReverse: number;
  altForward: number;
  altReverse: number;
  isIndel: boolean;
  /** Longest homopolymer / tandem-repeat tract touching the locus, bp. */
  repeatLength: number;
  /** Per-platform genotypes when several platforms cover the locus. */
  platformGenotypes?: readonly { platform: string; genotype: GenotypeIndex; gq: number }[];
}

export type VerifierVerdict =
  | { kind: 'pass' }
  | { kind: 'reroute'; expert: number; because: string }
  | { kind: 'abstain'; reason: AbstainReason; because: string };

export interface VerifierOutcome {
  /** Final verdict: `reroute` means the call stands on the re-routed expert's answer. */
  verdict: VerifierVerdict;
  /** The genotype and posterior the call carries (after any re-route). */
  genotype: GenotypeIndex;
  posterior: Posterior;
  /** Calibrated GQ of `posterior` (Phred, capped at 99). */
  gq: number;
  /** The expert re-routed to, when one was tried (also when the re-routed answer then abstained). */
  reroutedTo: number | null;
  /** Checks that failed on the way, in order (provenance). */
  findings: string[];
}

const MAX_GQ = 99;

export function genotypeOf(posterior: Posterior): GenotypeIndex {
  const [a, b, c] = posterior;
  return a >= b && a >= c ? 0 : b >= c ? 1 : 2;
}

export function gqOf(posterior: Posterior): number {
  const error = 1 - Math.max(...posterior);
  return error <= 0 ? MAX_GQ : Math.min(MAX_GQ, -10 * Math.log10(error));
}

/** Jensen–Shannon divergence in bits (0 … 1). */
export function jensenShannon(p: Posterior, q: Posterior): number {
  let divergence = 0;
  for (let i = 0; i < 3; i++) {
    const m = (p[i]! + q[i]!) / 2;
    if (p[i]! > 0) divergence += 0.5 * p[i]! * Math.log2(p[i]! / m);
    if (q[i]! > 0) divergence += 0.5 * q[i]! * Math.log2(q[i]! / m);
  }
  return Math.max(0, divergence);
}

/**
 * Whether `genotype` is consistent with the allele split (the caller's ALLELE_BALANCE rule: a
 * het's split judged by the binomial tail under 50:50, a hom-alt by its reference fraction; a
 * hom-ref against a split that a het explains far better is the mirror case).
 */
export function alleleBalanceFits(genotype: GenotypeIndex, e: VerifierEvidence, config: VerifierConfig): boolean {
  const ref = e.refForward + e.refReverse;
  const alt = e.altForward + e.altReverse;
  const informative = ref + alt;
  if (informative < 10) return true; // too few reads to contradict anything
  if (genotype === 1) return binomialTailPhred(Math.min(alt, ref), informative) < config.hetBalanceMinPhred;
  if (genotype === 2) return ref / informative <= config.homAltMaxRefFraction;
  return alt / informative <= 1 - config.homAltMaxRefFraction;
}

/** The caller's strand-bias rule (Fisher exact, GATK FS), for a non-reference genotype. */
export function strandBiased(genotype: GenotypeIndex, e: VerifierEvidence, config: VerifierConfig): boolean {
  if (genotype === 0) return false;
  return strandBiasPhred(e.refForward, e.refReverse, e.altForward, e.altReverse) >= config.strandBiasMinPhred;
}

/**
 * Largest divergence between any two used experts, and whether two of them confidently
 * (each with GQ ≥ minGq) name different genotypes; two unsure experts on either side of a
 * decision boundary are the low-confidence case, not a disagreement.
 */
function expertDisagreement(e: VerifierEvidence, used: readonly number[], minGq: number): { divergence: number; genotypesDiffer: boolean } {
  let divergence = 0;
  let genotypesDiffer = false;
  for (let i = 0; i < used.length; i++) {
    for (let j = i + 1; j < used.length; j++) {
      const p = e.expertPosteriors[used[i]!]!;
      const q = e.expertPosteriors[used[j]!]!;
      divergence = Math.max(divergence, jensenShannon(p, q));
      if (genotypeOf(p) !== genotypeOf(q) && gqOf(p) >= minGq && gqOf(q) >= minGq) genotypesDiffer = true;
    }
  }
  return { divergence, genotypesDiffer };
}

type Finding = { reason: AbstainReason; because: string; rerouteCanFix: boolean };

/** Every check on one answer; the first finding decides. */
function check(posterior: Posterior, used: readonly number[], e: VerifierEvidence, config: VerifierConfig): Finding[] {
  const findings: Finding[] = [];
  const genotype = genotypeOf(posterior);
  const gq = gqOf(posterior);
  // Evidence the model cannot overrule: no expert can fix these.
  if (e.depth < config.minDepth) findings.push({ reason: 'LOW_DEPTH', because: `depth ${e.depth} < ${config.minDepth}`, rerouteCanFix: false });
  if (e.meanMappingQuality < config.minMeanMapq || e.mapq0Fraction > config.maxMapq0Fraction) {
    findings.push({ reason: 'LOW_MAPQ', because: `mean MAPQ ${e.meanMappingQuality.toFixed(1)}, MAPQ-0 fraction ${e.mapq0Fraction.toFixed(2)}`, rerouteCanFix: false });
  }
  if (e.platformGenotypes && new Set(e.platformGenotypes.filter((p) => p.gq >= config.minGq).map((p) => p.genotype)).size > 1) {
    findings.push({ reason: 'PLATFORM_CONFLICT', because: e.platformGenotypes.map((p) => `${p.platform}=${p.genotype}`).join(', '), rerouteCanFix: false });
  }
  if (strandBiased(genotype, e, config)) findings.push({ reason: 'STRAND_BIAS', because: `alt ${e.altForward}+/${e.altReverse}−`, rerouteCanFix: false });
  // Consistency of the answer itself: another expert may do better.
  if (!alleleBalanceFits(genotype, e, config)) {
    findings.push({ reason: 'ALLELE_BALANCE', because: `genotype ${genotype} against ${e.altForward + e.altReverse} alt / ${e.refForward + e.refReverse} ref reads`, rerouteCanFix: true });
  }
  const disagreement = expertDisagreement(e, used, config.minGq);
  if (disagreement.genotypesDiffer || disagreement.divergence > config.maxExpertDivergence) {
    findings.push({ reason: 'MODEL_UNCERTAIN', because: `used experts disagree (JS ${disagreement.divergence.toFixed(3)} bits)`, rerouteCanFix: true });
  }
  const inRepeat = e.isIndel && e.repeatLength >= config.repeatMinLength;
  if (inRepeat && gq < Math.max(config.repeatMinGq, config.minGq)) {
    findings.push({ reason: 'REPEAT_CONTEXT', because: `indel in a ${e.repeatLength} bp repeat with GQ ${gq.toFixed(1)}`, rerouteCanFix: true });
  } else if (gq < config.minGq) {
    findings.push({ reason: 'MODEL_UNCERTAIN', because: `GQ ${gq.toFixed(1)} < ${config.minGq}`, rerouteCanFix: true });
  }
  return findings;
}

/**
 * The expert to re-route to: one not already used whose own answer passes every check,
 * preferring the context's named expert, then the most confident.
 */
function rerouteTarget(e: VerifierEvidence, config: VerifierConfig): number | null {
  const candidates: { expert: number; gq: number }[] = [];
  for (const [expert, posterior] of e.expertPosteriors.entries()) {
    if (e.usedExperts.includes(expert)) continue;
    if (check(posterior, [expert], e, config).length === 0) candidates.push({ expert, gq: gqOf(posterior) });
  }
  if (candidates.length === 0) return null;
  const preferred = candidates.find((c) => c.expert === e.contextExpert);
  if (preferred) return preferred.expert;
  candidates.sort((a, b) => b.gq - a.gq || a.expert - b.expert);
  return candidates[0]!.expert;
}

/** Runs the verifier on one call: at most two passes, at most one re-route. */
export function verifyCall(e: VerifierEvidence, config: VerifierConfig = DEFAULT_VERIFIER_CONFIG): VerifierOutcome {
  const first = check(e.posterior, e.usedExperts, e, config);
  const base = { genotype: genotypeOf(e.posterior), posterior: e.posterior, gq: gqOf(e.posterior) };
  if (first.length === 0) return { verdict: { kind: 'pass' }, ...base, reroutedTo: null, findings: [] };
  const findings = first.map((f) => `${f.reason}: ${f.because}`);
  const decisive = first[0]!;
  if (!first.every((f) => f.rerouteCanFix)) {
    const hard = first.find((f) => !f.rerouteCanFix)!;
    return { verdict: { kind: 'abstain', reason: hard.reason, because: hard.because }, ...base, reroutedTo: null, findings };
  }
  const target = rerouteTarget(e, config);
  if (target === null) {
    return { verdict: { kind: 'abstain', reason: decisive.reason, because: `${decisive.because}; no other expert passes` }, ...base, reroutedTo: null, findings };
  }
  // Second and last pass, on the re-routed answer, with re-routing disabled.
  const posterior = e.expertPosteriors[target]!;
  const second = check(posterior, [target], e, config);
  const rerouted = { genotype: genotypeOf(posterior), posterior, gq: gqOf(posterior), reroutedTo: target };
  if (second.length > 0) {
    findings.push(...second.map((f) => `after re-route to expert ${target}: ${f.reason}: ${f.because}`));
    return { verdict: { kind: 'abstain', reason: second[0]!.reason, because: second[0]!.because }, ...rerouted, findings };
  }
  return { verdict: { kind: 'reroute', expert: target, because: decisive.because }, ...rerouted, findings };
}
