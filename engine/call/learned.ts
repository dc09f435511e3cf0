/**
 * The opt-in learned genotyper (GenomeLTM-MoE, engine/model) as the caller uses it: load a
 * checkpoint once per run, genotype each tile's candidate columns, and say which model call
 * belongs to which locus. The statistical genotyper stays the default and the fallback: any
 * reason not to trust the checkpoint (it does not load, no backend, not trained for this
 * platform) becomes a warning and the run continues without it (docs/model.md, "Wiring into
 * the caller").
 *
 * engine/model (and with it TensorFlow.js) is imported lazily so that a run without
 * `modelDir` neither pays for loading tfjs nor depends on its backends.
 */
import type { AlignedRead, CandidateAllele, Platform } from './types.js';
import type { AbstentionConfig, CallerConfig } from './config.js';
import type { CalibrationClass, CalibrationModel, FittedThresholdKey } from './calibration.js';
import { repeatTractAt } from './repeats.js';
import { RULE_OFF } from './abstention.js';
// Plain functions over the caller's reads (no tfjs): safe to import eagerly.
import { candidateColumnAllele, pileupColumnsFromReads } from '../model/pileup-columns.js';
import { baselineEvidenceByColumn, modelCandidateOfLocus, placeCandidateColumns } from '../model/baseline-evidence.js';
import type { LocusGenotype } from './genotyper.js';
import type { GenomeLtmMoe } from '../model/model.js';
import type { CheckpointManifest } from '../model/checkpoint.js';
import type { CandidateSite, GenotypeTileOptions, ModelCall } from '../model/genotype.js';
import type { VerifierConfig } from '../model/verifier.js';
import type { Allele, PileupColumnEvidence } from '../model/features.js';

/**
 * The abstention gates the learned genotyper's own calibration fits (bench/model-ablations.ts
 * --fit-calibration) and `recordCalibration` applies to the loci it genotypes; every other rule
 * stays the run's.
 */
export const MODEL_GATE_KEYS = ['minGq', 'repeatMinGq'] as const satisfies readonly FittedThresholdKey[];

/** Jensen–Shannon bound (bits) above which two used experts disagree; docs/model.md's value for the hook. */
export const MAX_EXPERT_DIVERGENCE = 0.25;

/** How the model runs; the defaults are the product, the rest exist for ablations (bench/model-ablations.ts). */
export interface LearnedGenotyperOptions {
  /** Run the verifier (default true); false: the routed posterior stands, verdict pass. */
  verifier?: boolean;
  /** Positions either side of a candidate the model reads (default: the caller's whole fetched span). */
  contextLimit?: number;
  /** Use the model's own GQ calibration when the checkpoint has one (default true); false: the statistical one. */
  modelCalibration?: boolean;
  /** Keep the statistical QUAL and PL on model-genotyped loci (default false: the model's posterior gives them). */
  statisticalPresence?: boolean;
}

export interface LearnedGenotyper {
  model: GenomeLtmMoe;
  manifest: CheckpointManifest;
  directory: string;
  /** tfjs backend the model runs on (provenance). */
  backend: string;
  /** The model's GQ calibration and thresholds for the run's platform (gq-calibration.json); null: the statistical one applies. */
  gqCalibration: CalibrationModel | null;
  options: LearnedGenotyperOptions;
}

/** A model call together with the candidate it genotyped (the key of its locus). */
export interface PlacedModelCall {
  allele: Allele;
  candidate: CandidateAllele;
  call: ModelCall;
}

/** Model calls of one tile by column position. */
export type TileModelCalls = Map<number, PlacedModelCall>;

/**
 * Loads the checkpoint in `modelDir`, or returns null (with a warning in `warnings`) when it
 * cannot be used for this run; null without a warning when no directory was given.
 */
export async function loadLearnedGenotyper(modelDir: string | undefined, platform: Platform, warnings: string[], options: LearnedGenotyperOptions = {}): Promise<LearnedGenotyper | null> {
  if (!modelDir) return null;
  const prefix = 'learned genotyper not used (statistical genotyper instead)';
  // The backend first: the weights become tensors on whichever backend is active when they load.
  const { selectBackend } = await import('../model/backend.js');
  const selection = await selectBackend();
  if (!selection.tried.some((t) => t.ok)) {
    warnings.push(`${prefix}: no usable TensorFlow.js backend (${selection.tried.map((t) => `${t.name}: ${t.reason}`).join('; ')})`);
    return null;
  }
  let loaded: { model: GenomeLtmMoe; manifest: CheckpointManifest };
  try {
    const { loadCheckpoint } = await import('../model/checkpoint.js');
    loaded = await loadCheckpoint(modelDir);
  } catch (err) {
    // loadCheckpoint's messages name the file and the field (a missing folder: manifest.json's path).
    warnings.push(`${prefix}: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
  const trainedOn = loaded.manifest.config.data.platforms;
  if (!trainedOn.includes(platform)) {
    warnings.push(`${prefix}: ${modelDir}/manifest.json: config.data.platforms: the checkpoint '${loaded.manifest.modelId}' was trained on ${trainedOn.join(', ')}, not ${platform}`);
    loaded.model.dispose();
    return null;
  }
  let gqCalibration: CalibrationModel | null = null;
  if (options.modelCalibration !== false) {
    try {
      const { loadModelGqCalibration } = await import('../model/gq-calibration.js');
      gqCalibration = (await loadModelGqCalibration(modelDir, loaded.manifest))?.platforms[platform] ?? null;
    } catch (err) {
      warnings.push(`${prefix}: ${err instanceof Error ? err.message : String(err)}`);
      loaded.model.dispose();
      return null;
    }
    // Without its own calibration the model's raw GQ goes through the statistical genotyper's map, which was not fitted for it.
    if (!gqCalibration) warnings.push(`learned genotyper '${loaded.manifest.modelId}' has no GQ calibration for ${platform} in ${modelDir}: the statistical genotyper's calibration is applied to its GQ`);
  }
  return { ...loaded, directory: modelDir, backend: selection.backend, gqCalibration, options };
}

/**
 * The GQ calibration and per-class abstention settings for one record: for a locus the model
 * genotyped (when the checkpoint has its own calibration), the model's calibration and its GQ
 * gates (`minGqByClass`, and `repeatMinGqByClass` when fitted) over the run's per-class settings
 * (the hard rules and the QUAL gate stay the caller's); for every other locus the statistical
 * ones. A run without per-class settings (the user's --config or --min-gq) keeps its single
 * threshold.
 */
export function recordCalibration(
  learned: LearnedGenotyper | null,
  modelCall: ModelCall | null,
  calibration: CalibrationModel | null,
  abstentionByClass: Partial<Record<CalibrationClass, AbstentionConfig>> | undefined,
  userMinGq: number | undefined = undefined,
): { calibration: CalibrationModel | null; abstentionByClass: Partial<Record<CalibrationClass, AbstentionConfig>> | undefined } {
  const own = modelCall && learned?.gqCalibration ? learned.gqCalibration : null;
  if (!own) return { calibration, abstentionByClass };
  const thresholds = own.minGqByClass;
  // A threshold the user set holds on every locus: the model's fitted ones replace only fitted ones.
  if (!abstentionByClass || !thresholds || userMinGq !== undefined) return { calibration: own, abstentionByClass };
  const withModelGq: Partial<Record<CalibrationClass, AbstentionConfig>> = {};
  for (const cls of ['snv', 'indel'] as const) {
    const settings = abstentionByClass[cls];
    if (!settings) continue;
    const repeat = own.repeatMinGqByClass?.[cls];
    withModelGq[cls] = { ...settings, minGq: thresholds[cls], ...(repeat === undefined ? {} : { repeatMinGq: repeat ?? RULE_OFF.repeatMinGq }) };
  }
  return { calibration: own, abstentionByClass: withModelGq };
}

/**
 * Runs the model over the fetched span of one tile and returns its calls keyed by column. One
 * candidate per column (`placeCandidateColumns`: the best-supported); another candidate on the
 * same column stays statistical. `abstentionByClass` is the run's per-class settings, which the
 * verifier's evidence checks use as the caller's rules do.
 */
export async function modelCallsForTile(
  learned: LearnedGenotyper,
  reads: readonly AlignedRead[],
  sequence: string,
  fetchStart: number,
  fetchEnd: number,
  candidates: readonly CandidateAllele[],
  config: CallerConfig,
  abstentionByClass?: Partial<Record<CalibrationClass, AbstentionConfig>>,
): Promise<TileModelCalls> {
  const { genotypeTile } = await import('../model/genotype.js');
  const placed = placeCandidateColumns(candidates, fetchStart, fetchEnd);
  if (placed.size === 0) return new Map();
  const baselines = baselineEvidenceByColumn(placed, candidates, reads, sequence, config);
  const candidateAlleles = new Map<number, Allele>();
  const sites: CandidateSite[] = [];
  for (const [position, entry] of placed) {
    candidateAlleles.set(position, entry.allele);
    const c = entry.candidate;
    const tract = repeatTractAt(sequence, c.pos, c.pos + c.ref.length);
    const readSupport = baselines.get(position)?.readSupport;
    sites.push({ position, isIndel: c.kind !== 'snv', repeatLength: tract.end - tract.start, ...(readSupport ? { readSupport } : {}) });
  }
  sites.sort((a, b) => a.position - b.position);
  const out: TileModelCalls = new Map();
  const columns = pileupColumnsFromReads(reads, sequence, fetchStart, fetchEnd, {
    platform: config.platform,
    minMappingQuality: config.minMappingQuality,
    minBaseQuality: config.minBaseQuality,
    candidateAlleles,
    baselines,
  });
  const tileOptions: GenotypeTileOptions = { verify: learned.options.verifier !== false };
  // GQ thresholds apply once, by the caller, on the calibrated GQ (recordCalibration); the
  // verifier's own GQ gates would read the uncalibrated posterior. It keeps its evidence and
  // expert-agreement checks.
  // Per class, the run's own settings (the calibration's fitted thresholds), so the verifier's
  // evidence checks never apply a rule the caller has switched off or set differently.
  const verifierConfig = (site: CandidateSite): VerifierConfig => ({
    ...(abstentionByClass?.[site.isIndel ? 'indel' : 'snv'] ?? config.abstention),
    maxExpertDivergence: MAX_EXPERT_DIVERGENCE,
    minGq: 0,
    repeatMinGq: 0,
  });
  const calls: ModelCall[] = [];
  for (const group of contextGroups(sites, columns, learned.options.contextLimit)) {
    calls.push(...(await genotypeTile(learned.model, learned.manifest.modelId, group.columns, group.sites, verifierConfig, tileOptions)));
  }
  for (const call of calls) {
    const entry = placed.get(call.position)!;
    out.set(call.position, { allele: entry.allele, candidate: entry.candidate, call });
  }
  return out;
}

/**
 * The spans the model reads: the whole fetched span, or (short-context ablation) each
 * candidate's own ±limit columns, so no candidate sees further than the limit.
 */
function contextGroups(sites: readonly CandidateSite[], columns: readonly PileupColumnEvidence[], limit: number | undefined): { sites: CandidateSite[]; columns: readonly PileupColumnEvidence[] }[] {
  if (limit === undefined || columns.length === 0) return [{ sites: [...sites], columns }];
  const origin = columns[0]!.position;
  return sites.map((site) => ({
    sites: [site],
    columns: columns.slice(Math.max(0, site.position - limit - origin), Math.min(columns.length, site.position + limit + 1 - origin)),
  }));
}

/**
 * The model call for a locus, if any: the locus's candidate (`modelCandidateOfLocus`: a record
 * with one ALT, which is one of the locus's candidates) must be the one the model genotyped at
 * its column (placeCandidateColumns: the best-supported there). Multi-allelic records keep the
 * statistical genotype; the model's classes are per alt allele.
 */
export function modelCallForLocus(calls: TileModelCalls | null, locus: Pick<LocusGenotype, 'pos' | 'ref' | 'alts' | 'candidates'>, sequence: string): ModelCall | null {
  if (!calls) return null;
  const candidate = modelCandidateOfLocus(locus, sequence);
  if (!candidate) return null;
  const placed = candidateColumnAllele(candidate);
  if (!placed) return null;
  const entry = calls.get(placed.position);
  // The same candidate, not only the same column allele: two deletions starting at one column differ.
  return entry && entry.candidate.pos === candidate.pos && entry.candidate.ref === candidate.ref && entry.candidate.alt === candidate.alt ? entry.call : null;
}
