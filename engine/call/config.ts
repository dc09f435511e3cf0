/**
 * Caller presets, one YAML per platform in configs/call/. Every key is declared with its type
 * and range; a fault names the file and the key, so a typo in a preset stops the run instead
 * of silently falling back to a default.
 */
import type { ReadPhasingConfig } from './read-phasing.js';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Platform } from './types.js';
import { findPackageRoot } from '../version.js';
import { canonicalJson } from '../util/canonical-json.js';
import { CallInputError } from './errors.js';

export interface ErrorModelConfig {
  /** Smallest substitution error per base, whatever the base quality says (platform floor). */
  mismatchFloor: number;
  /** Largest substitution error per base (qualities below this are not trusted to be worse). */
  mismatchCeiling: number;
  /** Probability of an indel error starting at a base outside repeats. */
  gapOpen: number;
  /** Added to gapOpen per base of homopolymer length beyond 1 at that position. */
  gapOpenPerHomopolymerBase: number;
  /** Upper bound of the gap-open probability in long homopolymers. */
  gapOpenMax: number;
  /** Probability that an indel error extends by one more base. */
  gapExtend: number;
  /**
   * Share of indel errors that are deletions (0.5: as many insertions as deletions). Insertion
   * and deletion opening are 2·gapOpen·(1 − share) and 2·gapOpen·share; nanopore reads drop
   * bases more often than they add them.
   */
  deletionShare: number;
  /**
   * Base-quality recalibration (BQSR-like, affine in Phred): a base reported at Q is taken to
   * err with probability 10^(−(qualityOffset + qualityScale·Q)/10) before the floor and
   * ceiling apply. Optional; absent means the reported qualities are trusted (scale 1, offset 0).
   */
  qualityScale?: number;
  qualityOffset?: number;
}

export interface AbstentionConfig {
  /** Fewer reads than this over a candidate: abstain (LOW_DEPTH). */
  minDepth: number;
  /** Mean MAPQ of the reads over a candidate below this: abstain (LOW_MAPQ). */
  minMeanMapq: number;
  /** Fraction of MAPQ-0 reads above this: abstain (LOW_MAPQ). */
  maxMapq0Fraction: number;
  /**
   * Phred-scaled two-sided Fisher exact p-value of the strand split of alt against ref reads
   * (GATK's FS) at or above which a call is abstained (STRAND_BIAS).
   */
  strandBiasMinPhred: number;
  /**
   * A heterozygous call whose allele split is this unlikely under a 50:50 het (Phred of the
   * binomial tail probability, either side): abstain (ALLELE_BALANCE).
   */
  hetBalanceMinPhred: number;
  /** A homozygous-alternate call with more than this fraction of reference reads: abstain (ALLELE_BALANCE). */
  homAltMaxRefFraction: number;
  /** Repeat tracts at least this long (bp) make an indel "in a repeat". */
  repeatMinLength: number;
  /** Indels in repeats need at least this calibrated GQ (REPEAT_CONTEXT). */
  repeatMinGq: number;
  /** Calls with a calibrated GQ below this become no-calls (MODEL_UNCERTAIN or the leading diagnostic). */
  minGq: number;
  /**
   * Variant calls with QUAL (Phred probability that no variant is present) below this become
   * no-calls (MODEL_UNCERTAIN): GQ and QUAL both gate PASS.
   */
  minQual: number;
  /**
   * Phred of the one-sided rank-sum tests of read placement (alt nearer read ends; alt reads
   * with more mismatches nearby) at or above which a call is abstained (READ_POSITION_BIAS).
   */
  readBiasMinPhred: number;
  /** The precision the threshold was chosen for on training regions (recorded, not used at run time). */
  targetPrecision: number;
}

export interface CallerConfig {
  platform: Platform;
  /** Bases below this quality are not counted as candidate evidence (they still enter likelihoods). */
  minBaseQuality: number;
  /** Reads below this MAPQ are left out of the likelihoods (they still count for LOW_MAPQ). */
  minMappingQuality: number;
  /** A candidate allele needs this many reads … */
  minAltReads: number;
  /** … and this fraction of the depth. */
  minAltFraction: number;
  /** Indel candidates need this fraction (platforms with many indel errors set it higher). */
  minIndelFraction: number;
  /** Longest indel considered, bp. */
  maxIndelLength: number;
  /** Prior probability of a heterozygous SNV at a site (homozygous: half). */
  snvPrior: number;
  /** Prior probability of a heterozygous indel at a site. */
  indelPrior: number;
  /** Bases of flanking sequence on each side of a realignment window. */
  flank: number;
  /** Candidates that share a window; beyond this the weakest are dropped (CONFLICTING_EVIDENCE). */
  maxCandidatesPerWindow: number;
  /** Size of the tiles the contig is processed in (bp). */
  tileSize: number;
  /**
   * A lone SNV whose repeat context is shorter than this uses the read's base at the site
   * (pileup model) instead of haplotype realignment; 0 realigns every SNV (for reads whose
   * indel errors shift bases next to the site, as ONT's do).
   */
  pileupSnvMaxRepeat: number;
  /**
   * Prior factors for a candidate that follows another on the same haplotype within `within`
   * bp (first matching step, ascending): variants cluster, so the second of a pair is not as
   * unlikely as the first (bench/variant-clustering.ts measures them). Absent: sites independent.
   */
  linkedVariantPrior?: LinkedPriorStep[];
  /**
   * Prior of an indel that changes a homopolymer's or short tandem repeat's unit count, by the
   * tract's unit and length (genotyper.ts `indelCandidatePrior`; bench/repeat-indel-prior.ts
   * measures it): slippage makes long tracts far more mutable than `indelPrior` says. Absent:
   * `indelPrior` everywhere.
   */
  repeatIndelPrior?: RepeatIndelPriorConfig;
  /** Leave out reads of improperly paired pairs, as `bcftools mpileup` does by default (bam-input.ts). Absent: false. */
  skipAnomalousPairs?: boolean;
  /** Phase reads by the tile's confident het SNVs and genotype uncertain loci with the phases (read-phasing.ts). Absent: off. */
  readPhasing?: ReadPhasingConfig;
  /**
   * Variant classes whose loci the learned genotyper genotypes when a checkpoint is in use; the
   * others keep the statistical genotype (docs/model.md, "Wiring into the caller"). Absent: both.
   */
  learnedClasses?: ('snv' | 'indel')[];
  errorModel: ErrorModelConfig;
  abstention: AbstentionConfig;
}

export interface LinkedPriorStep {
  within: number;
  factor: number;
}

/** One row of `repeatIndelPrior.tracts`: tracts of unit length in [unit[0], unit[1]] and at least `minLength` bp. */
export interface RepeatIndelPriorStep {
  unit: [number, number];
  minLength: number;
  /** Prior of a heterozygous change by one unit (each of a unit more and a unit less). */
  prior: number;
}

export interface RepeatIndelPriorConfig {
  tracts: RepeatIndelPriorStep[];
  /** A change by more than one unit: the row's prior times this. */
  multiUnitFactor: number;
}

type NumberRule = { min: number; max: number; integer?: boolean };

const TOP_RULES: Record<Exclude<keyof CallerConfig, 'platform' | 'errorModel' | 'abstention' | 'linkedVariantPrior' | 'repeatIndelPrior' | 'skipAnomalousPairs' | 'readPhasing' | 'learnedClasses'>, NumberRule> = {
  minBaseQuality: { min: 0, max: 93, integer: true },
  minMappingQuality: { min: 0, max: 255, integer: true },
  minAltReads: { min: 1, max: 1000, integer: true },
  minAltFraction: { min: 0, max: 1 },
  minIndelFraction: { min: 0, max: 1 },
  maxIndelLength: { min: 1, max: 1000, integer: true },
  snvPrior: { min: 1e-9, max: 0.5 },
  indelPrior: { min: 1e-9, max: 0.5 },
  flank: { min: 1, max: 500, integer: true },
  maxCandidatesPerWindow: { min: 1, max: 10, integer: true },
  tileSize: { min: 1000, max: 100_000_000, integer: true },
  pileupSnvMaxRepeat: { min: 0, max: 1000, integer: true },
};

/** Optional error-model keys (a preset without them keeps the reported base qualities). */
const ERROR_OPTIONAL_RULES: Record<'qualityScale' | 'qualityOffset', NumberRule> = {
  qualityScale: { min: 0.1, max: 3 },
  qualityOffset: { min: -30, max: 30 },
};

const ERROR_RULES: Record<Exclude<keyof ErrorModelConfig, keyof typeof ERROR_OPTIONAL_RULES>, NumberRule> = {
  mismatchFloor: { min: 1e-9, max: 0.5 },
  mismatchCeiling: { min: 1e-9, max: 0.75 },
  gapOpen: { min: 1e-9, max: 0.5 },
  gapOpenPerHomopolymerBase: { min: 0, max: 0.5 },
  gapOpenMax: { min: 1e-9, max: 0.5 },
  gapExtend: { min: 0, max: 0.99 },
  deletionShare: { min: 0.01, max: 0.99 },
};

const ABSTAIN_RULES: Record<keyof AbstentionConfig, NumberRule> = {
  minDepth: { min: 0, max: 10000, integer: true },
  minMeanMapq: { min: 0, max: 255 },
  maxMapq0Fraction: { min: 0, max: 1 },
  strandBiasMinPhred: { min: 0, max: 1000 },
  hetBalanceMinPhred: { min: 0, max: 1000 },
  homAltMaxRefFraction: { min: 0, max: 1 },
  repeatMinLength: { min: 1, max: 1000, integer: true },
  repeatMinGq: { min: 0, max: 99 },
  minGq: { min: 0, max: 99 },
  minQual: { min: 0, max: 3000 },
  readBiasMinPhred: { min: 0, max: 1000 },
  targetPrecision: { min: 0, max: 1 },
};

const PHASING_RULES: Record<keyof ReadPhasingConfig, NumberRule> = {
  markerMinGq: { min: 0, max: 1000 },
  alleleError: { min: 1e-6, max: 0.49 },
  minLinkReads: { min: 1, max: 1000, integer: true },
  maxLinkDiscordance: { min: 0, max: 0.5 },
  maxReadConfidence: { min: 0.5, max: 1 - 1e-9 },
};

const PLATFORMS: readonly Platform[] = ['illumina', 'hifi', 'ont'];

function fail(path: string, key: string, message: string): never {
  throw new CallInputError('bad-config', `${path}: ${key}: ${message}`, path);
}

function checkNumber(path: string, name: string, v: unknown, rule: NumberRule): number {
  if (v === undefined) fail(path, name, 'missing');
  if (typeof v !== 'number' || !Number.isFinite(v)) fail(path, name, `expected a number, got ${JSON.stringify(v)}`);
  if (rule.integer && !Number.isInteger(v)) fail(path, name, `expected a whole number, got ${v}`);
  if (v < rule.min || v > rule.max) fail(path, name, `${v} is outside ${rule.min}..${rule.max}`);
  return v;
}

/**
 * One abstention threshold checked against the range a preset allows for it; the fitted
 * thresholds in configs/call/calibration.<platform>.json are held to the same ranges.
 * `name` is the key as the message should show it (its path inside the file).
 */
export function checkAbstentionSetting(path: string, name: string, key: keyof AbstentionConfig, value: unknown): number {
  return checkNumber(path, name, value, ABSTAIN_RULES[key]);
}

export function isAbstentionSetting(key: string): key is keyof AbstentionConfig {
  return Object.prototype.hasOwnProperty.call(ABSTAIN_RULES, key);
}

function readNumbers<K extends string>(path: string, prefix: string, value: unknown, rules: Record<K, NumberRule>): Record<K, number> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, prefix || '(top)', 'expected a mapping');
  const section = value as Record<string, unknown>;
  const out = {} as Record<K, number>;
  for (const key of Object.keys(rules) as K[]) {
    const name = prefix ? `${prefix}.${key}` : key;
    out[key] = checkNumber(path, name, section[key], rules[key]);
  }
  return out;
}

export function defaultCallConfigPath(platform: Platform): string {
  return join(findPackageRoot(), 'configs', 'call', `${platform}.yaml`);
}

/** Validates a parsed preset; `path` names the source in messages. */
export function validateCallerConfig(doc: unknown, path: string): CallerConfig {
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) fail(path, '(top)', 'expected a mapping of settings');
  const values = doc as Record<string, unknown>;
  const known = new Set<string>(['platform', 'errorModel', 'abstention', 'linkedVariantPrior', 'repeatIndelPrior', 'skipAnomalousPairs', 'readPhasing', 'learnedClasses', ...Object.keys(TOP_RULES)]);
  for (const key of Object.keys(values)) if (!known.has(key)) fail(path, key, `unknown setting (known: ${[...known].join(', ')})`);
  const sectionKeys: [string, Record<string, NumberRule>][] = [['errorModel', { ...ERROR_RULES, ...ERROR_OPTIONAL_RULES }], ['abstention', ABSTAIN_RULES], ['readPhasing', PHASING_RULES]];
  for (const [section, rules] of sectionKeys) {
    const v = values[section];
    if (typeof v === 'object' && v !== null && !Array.isArray(v)) {
      for (const key of Object.keys(v)) if (!(key in rules)) fail(path, `${section}.${key}`, `unknown setting (known: ${Object.keys(rules).join(', ')})`);
    }
  }
  const platform = values.platform;
  if (typeof platform !== 'string' || !(PLATFORMS as readonly string[]).includes(platform)) fail(path, 'platform', `must be one of ${PLATFORMS.join(', ')}`);
  const top = readNumbers(path, '', values, TOP_RULES);
  const errorModel: ErrorModelConfig = readNumbers(path, 'errorModel', values.errorModel, ERROR_RULES);
  const errorSection = values.errorModel as Record<string, unknown>;
  for (const key of Object.keys(ERROR_OPTIONAL_RULES) as (keyof typeof ERROR_OPTIONAL_RULES)[]) {
    if (errorSection[key] !== undefined) errorModel[key] = checkNumber(path, `errorModel.${key}`, errorSection[key], ERROR_OPTIONAL_RULES[key]);
  }
  const abstention = readNumbers(path, 'abstention', values.abstention, ABSTAIN_RULES);
  if (errorModel.mismatchFloor > errorModel.mismatchCeiling) fail(path, 'errorModel.mismatchFloor', 'must not exceed mismatchCeiling');
  const linked = values.linkedVariantPrior === undefined ? undefined : readLinkedPrior(path, values.linkedVariantPrior);
  const repeatPrior = values.repeatIndelPrior === undefined ? undefined : readRepeatIndelPrior(path, values.repeatIndelPrior);
  const skip = values.skipAnomalousPairs;
  if (skip !== undefined && typeof skip !== 'boolean') fail(path, 'skipAnomalousPairs', `expected true or false, got ${JSON.stringify(skip)}`);
  const phasing = values.readPhasing === undefined ? undefined : readNumbers(path, 'readPhasing', values.readPhasing, PHASING_RULES);
  const learnedClasses = values.learnedClasses;
  if (learnedClasses !== undefined && (!Array.isArray(learnedClasses) || !learnedClasses.every((c) => c === 'snv' || c === 'indel') || new Set(learnedClasses).size !== learnedClasses.length)) {
    fail(path, 'learnedClasses', `expected a list of distinct classes from snv, indel (e.g. [snv, indel]), got ${JSON.stringify(learnedClasses)}`);
  }
  return {
    platform: platform as Platform,
    ...top,
    ...(linked ? { linkedVariantPrior: linked } : {}),
    ...(repeatPrior ? { repeatIndelPrior: repeatPrior } : {}),
    ...(skip !== undefined ? { skipAnomalousPairs: skip } : {}),
    ...(phasing ? { readPhasing: phasing } : {}),
    ...(learnedClasses !== undefined ? { learnedClasses: learnedClasses as ('snv' | 'indel')[] } : {}),
    errorModel,
    abstention,
  };
}

function readLinkedPrior(path: string, value: unknown): LinkedPriorStep[] {
  if (!Array.isArray(value)) fail(path, 'linkedVariantPrior', 'expected a list of {within, factor}');
  const steps = value.map((step: unknown, i): LinkedPriorStep => {
    const name = `linkedVariantPrior[${i}]`;
    if (typeof step !== 'object' || step === null || Array.isArray(step)) fail(path, name, 'expected a mapping {within, factor}');
    const entry = step as Record<string, unknown>;
    for (const key of Object.keys(entry)) if (key !== 'within' && key !== 'factor') fail(path, `${name}.${key}`, 'unknown setting (known: within, factor)');
    return { within: checkNumber(path, `${name}.within`, entry.within, { min: 1, max: 10_000, integer: true }), factor: checkNumber(path, `${name}.factor`, entry.factor, { min: 1, max: 1000 }) };
  });
  for (let i = 1; i < steps.length; i++) if (steps[i]!.within <= steps[i - 1]!.within) fail(path, `linkedVariantPrior[${i}].within`, 'steps must be in ascending order of distance');
  return steps;
}

function readRepeatIndelPrior(path: string, value: unknown): RepeatIndelPriorConfig {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) fail(path, 'repeatIndelPrior', 'expected a mapping {tracts, multiUnitFactor}');
  const section = value as Record<string, unknown>;
  for (const key of Object.keys(section)) if (key !== 'tracts' && key !== 'multiUnitFactor') fail(path, `repeatIndelPrior.${key}`, 'unknown setting (known: tracts, multiUnitFactor)');
  const multiUnitFactor = checkNumber(path, 'repeatIndelPrior.multiUnitFactor', section.multiUnitFactor, { min: 0, max: 1 });
  if (!Array.isArray(section.tracts) || section.tracts.length === 0) fail(path, 'repeatIndelPrior.tracts', 'expected a non-empty list of {unit: [min, max], minLength, prior}');
  const tracts = section.tracts.map((row: unknown, i): RepeatIndelPriorStep => {
    const name = `repeatIndelPrior.tracts[${i}]`;
    if (typeof row !== 'object' || row === null || Array.isArray(row)) fail(path, name, 'expected a mapping {unit: [min, max], minLength, prior}');
    const entry = row as Record<string, unknown>;
    for (const key of Object.keys(entry)) if (!['unit', 'minLength', 'prior'].includes(key)) fail(path, `${name}.${key}`, 'unknown setting (known: unit, minLength, prior)');
    const unit = entry.unit;
    if (!Array.isArray(unit) || unit.length !== 2) fail(path, `${name}.unit`, `expected [min, max] unit lengths, got ${JSON.stringify(unit)}`);
    const lo = checkNumber(path, `${name}.unit[0]`, unit[0], { min: 1, max: 6, integer: true });
    const hi = checkNumber(path, `${name}.unit[1]`, unit[1], { min: 1, max: 6, integer: true });
    if (lo > hi) fail(path, `${name}.unit`, `min ${lo} exceeds max ${hi}`);
    return { unit: [lo, hi], minLength: checkNumber(path, `${name}.minLength`, entry.minLength, { min: 2, max: 10_000, integer: true }), prior: checkNumber(path, `${name}.prior`, entry.prior, { min: 1e-9, max: 0.5 }) };
  });
  return { tracts, multiUnitFactor };
}

export function loadCallerConfig(path: string): CallerConfig {
  if (!existsSync(path)) throw new CallInputError('bad-config', `${path}: caller preset not found`, path);
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw new CallInputError('bad-config', `${path}: not readable YAML (${(err as Error).message})`, path);
  }
  return validateCallerConfig(doc, path);
}

export function loadPlatformPreset(platform: Platform): CallerConfig {
  return loadCallerConfig(defaultCallConfigPath(platform));
}

/** SHA-256 of the resolved config (canonical JSON): recorded in the VCF header and the sidecar. */
export function configHash(config: CallerConfig): string {
  return createHash('sha256').update(canonicalJson(config)).digest('hex');
}
