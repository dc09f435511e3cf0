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
 *
 * The forward pass runs in an inference worker (engine/model/inference-pool.ts) while this
 * thread runs the statistical pass of the same tile: `modelCallsForTile` encodes the tile and
 * posts it before it returns, and the caller awaits the calls only when it builds the records.
 * Where no worker can start (or one fails mid-run) the model runs in this thread, with a warning.
 */
import type { AlignedRead, CandidateAllele, Platform } from './types.js';
import type { AbstentionConfig, CallerConfig } from './config.js';
import type { CalibrationClass, CalibrationModel, FittedThresholdKey } from './calibration.js';
import { repeatTractAt } from './repeats.js';
import { RULE_OFF } from './abstention.js';
// Plain functions over the caller's reads (no tfjs): safe to import eagerly.
import { candidateColumnAllele, pileupColumnsFromReads } from '../model/pileup-columns.js';
import { baselineEvidenceByColumn, baselineEvidenceFromWindows, modelCandidateOfLocus, placeCandidateColumns } from '../model/baseline-evidence.js';
import type { GenotypedWindow } from './phased-genotyping.js';
import type { LocusGenotype } from './genotyper.js';
import type { GenomeLtmMoe } from '../model/model.js';
import type { InferencePool } from '../model/inference-pool.js';
import type { CheckpointManifest } from '../model/checkpoint.js';
// No tfjs in these either (the forward pass is in tile-inference.ts or an inference worker).
import { siteEvidence, verifySites, type CandidateSite, type GenotypeTileOptions, type ModelCall, type TilePredict } from '../model/genotype.js';
import type { VerifierConfig } from '../model/verifier.js';
import { encodeTile, type Allele, type PileupColumnEvidence } from '../model/features.js';
import { cpus } from 'node:os';

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
  /**
   * Inference worker threads (default 1 on a machine with more than one CPU, else 0). One is
   * enough: the caller has one tile's forward pass in flight at a time, and this thread runs
   * the statistical pass meanwhile. 0: the forward pass runs in the calling thread.
   */
  inferenceWorkers?: number;
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
  /** The model's predictions for one encoded tile, in the inference worker or in this thread. */
  predict: TilePredict;
  /** The model's experts by index (as its predictions name them). */
  expertNames: readonly string[];
  /** Where the forward pass runs: the number of inference workers, 0 for the calling thread. */
  inferenceWorkers: number;
  /** Stops the inference worker and frees the weights; the run is over. */
  close: () => Promise<void>;
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
 * The caller's inference workers: one where there is a second CPU (this thread runs the
 * statistical pass meanwhile), none on a single CPU, where a worker would only add start-up.
 */
export function defaultInferenceWorkers(): number {
  return cpus().length > 1 ? 1 : 0;
}

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
  const { inProcessPredict } = await import('../model/tile-inference.js');
  const inThread = inProcessPredict(loaded.model);
  const workers = Math.max(0, Math.floor(options.inferenceWorkers ?? defaultInferenceWorkers()));
  let pool: InferencePool | null = null;
  if (workers > 0) {
    try {
      const { InferencePool } = await import('../model/inference-pool.js');
      pool = await InferencePool.start({ checkpointDir: modelDir, workers, backend: selection.candidate });
    } catch (err) {
      warnings.push(`learned genotyper: no inference worker could start (${err instanceof Error ? err.message : String(err)}); the model runs in the calling thread`);
    }
  }
  const model = loaded.model;
  let closing = false;
  return {
    ...loaded,
    directory: modelDir,
    backend: selection.backend,
    gqCalibration,
    options,
    predict: pool ? pooledPredict(pool, inThread, warnings, () => closing) : inThread,
    expertNames: model.architecture.experts,
    inferenceWorkers: pool?.size ?? 0,
    close: async () => {
      closing = true;
      await pool?.close();
      model.dispose();
    },
  };
}

/**
 * Predictions from the pool; after a worker failure (its message in `warnings`, once) the rest
 * of the run predicts in this thread, so a crashed worker costs time, never calls. A request the
 * closing of the run cut short (a failed or cancelled run) is not redone.
 */
function pooledPredict(pool: InferencePool, inThread: TilePredict, warnings: string[], closing: () => boolean): TilePredict {
  let failed = false;
  return (features, length, positions) => {
    if (failed) return inThread(features, length, positions);
    return pool.predictWindow(features, [...positions]).catch((err: unknown) => {
      if (closing()) throw err;
      if (!failed) {
        failed = true;
        warnings.push(`learned genotyper: the inference worker failed (${err instanceof Error ? err.message : String(err)}); the rest of the run predicts in the calling thread`);
      }
      return inThread(features, length, positions);
    });
  };
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
 *
 * `genotyped`: the tile's windows as `genotypeCandidateWindows` genotyped them, when the caller
 * has them already (its statistical records come from the same pass); without it they are
 * genotyped here.
 *
 * Not async on purpose: the columns are encoded and the forward pass handed to the inference
 * worker before this returns, so the caller's next tile overlaps it.
 */
export function modelCallsForTile(
  learned: LearnedGenotyper,
  reads: readonly AlignedRead[],
  sequence: string,
  fetchStart: number,
  fetchEnd: number,
  candidates: readonly CandidateAllele[],
  config: CallerConfig,
  abstentionByClass?: Partial<Record<CalibrationClass, AbstentionConfig>>,
  genotyped?: readonly GenotypedWindow[],
): Promise<TileModelCalls> {
  const placed = placeCandidateColumns(candidates, fetchStart, fetchEnd);
  if (placed.size === 0) return Promise.resolve(new Map());
  const baselines = genotyped ? baselineEvidenceFromWindows(placed, genotyped, sequence) : baselineEvidenceByColumn(placed, candidates, reads, sequence, config);
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
  const pending = contextGroups(sites, columns, learned.options.contextLimit)
    .filter((group) => group.columns.length > 0 && group.sites.length > 0)
    .map((group) => {
      const origin = group.columns[0]!.position;
      const features = encodeTile(group.columns);
      const predictions = learned.predict(features, group.columns.length, group.sites.map((site) => site.position - origin));
      // Only the candidates' columns stay referenced while the forward pass runs.
      return { evidence: siteEvidence(group.columns, features, group.sites), predictions };
    });
  return Promise.all(pending.map((p) => p.predictions)).then((predictions) => {
    const out: TileModelCalls = new Map();
    for (const [i, { evidence }] of pending.entries()) {
      for (const call of verifySites(evidence, predictions[i]!, learned.expertNames, learned.manifest.modelId, verifierConfig, tileOptions)) {
        const entry = placed.get(call.position)!;
        out.set(call.position, { allele: entry.allele, candidate: entry.candidate, call });
      }
    }
    return out;
  });
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
