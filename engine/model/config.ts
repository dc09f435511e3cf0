/**
 * Model and training configuration (configs/model/*.yaml). Every key is declared with its type
 * and range; unknown keys and bad values are refused with the file and the key path, because a
 * typo in a training config would otherwise silently train a different model than intended.
 * The resolved config (defaults filled in) is what gets hashed into the checkpoint manifest.
 */
import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import type { Platform } from '../../app/contract.js';
import { PLATFORMS } from './features.js';

export interface ModelArchitecture {
  /** Width of the residual stream. */
  dModel: number;
  /** Bidirectional SSM blocks. */
  layers: number;
  /** SSD heads per direction; each has its own decay A (diagonal across heads). */
  heads: number;
  /** Channels per head (P in the SSD derivation). */
  headDim: number;
  /** State size per head (N). */
  stateDim: number;
  /** Chunk length of the SSD scan (Q); a speed knob, results do not depend on it. */
  chunkSize: number;
  /** Expert names, in router order; the names say what each is meant to specialise in. */
  experts: string[];
  /** Experts used per position. */
  topK: number;
  /** Hidden width of each expert's MLP. */
  expertHidden: number;
  /**
   * Positions after which the backward direction's memory has decayed below 1e-3: sets a floor
   * on its per-step decay so streaming with this much look-ahead is provably close to the
   * whole-sequence result (docs/model.md, "Streaming").
   */
  backwardHorizon: number;
  /**
   * Add the statistical genotyper's log-likelihoods (the column's baseline channels), times a
   * learned scale, to every expert's logits: the heads learn a correction to the statistical
   * verdict instead of re-deriving it (docs/model.md, "Baseline skip"). Absent: off.
   */
  baselineSkip?: boolean;
  /**
   * Floor of a baseline likelihood before its log, so the skip adds at most −ln(floor) nats
   * against a genotype. Absent: 1e-6 (the first checkpoints), which capped the evidence the
   * skip carries at 13.8 nats: the model could not be surer than about 1e-6 however deep the
   * reads, so its GQ stayed below the statistical genotyper's where every call is right.
   */
  baselineFloor?: number;
  /**
   * The skip's scale per candidate class (the column's `baseline_indel` channel): `learned`
   * trains it (from 1), `fixed` holds it at 1. Absent: one learned scale for both classes (the
   * first checkpoints). A shared scale is pulled by every class's loss: on four simulations it
   * shrank to 0.53, and the platform-errors expert then overruled ~12 nats of statistical het
   * evidence at ONT SNVs in repeats; with the SNV scale fixed those SNVs stayed, with two seeds
   * (docs/model.md, "Baseline skip").
   */
  baselineScale?: BaselineScaleSettings;
}

export type BaselineScaleMode = 'learned' | 'fixed';
export const BASELINE_SCALE_CLASSES = ['snv', 'indel'] as const;
export type BaselineScaleSettings = Record<(typeof BASELINE_SCALE_CLASSES)[number], BaselineScaleMode>;

export interface TrainingSettings {
  steps: number;
  batchSize: number;
  tileLength: number;
  learningRate: number;
  /** Weight of the Switch-style load-balancing loss. */
  loadBalanceWeight: number;
  /** Weight of the router's context hint (nudges experts towards their named specialities). */
  routerHintWeight: number;
  /**
   * Weight of each expert's own genotype loss (weighted by its route weight, plus a share for
   * every expert), so that each expert is a standalone genotyper: the verifier compares experts
   * and may re-route to one, which means nothing if only their mixture is trained.
   */
  expertLossWeight: number;
  /** Probability that a training tile is replaced by its reverse complement. */
  rcAugmentProbability: number;
  /** Held-out tiles for calibration and the reported metrics. */
  validationTiles: number;
  /** Log every this many steps. */
  logEvery: number;
}

export interface SyntheticDataSettings {
  source: 'synthetic';
  meanDepth: number;
  /** Fraction of positions carrying a true variant. */
  variantRate: number;
  platforms: Platform[];
}

/**
 * Training on the benchmark kit's simulated reads (engine/model/kit-training-source.ts): the
 * suite's BAMs per platform, run through the caller's pileup, labelled from its truth VCF.
 * Region names are checked against bench/regions.yaml when the source opens (this file is also
 * read by the checkpoint loader in the app, which must not depend on the kit).
 */
interface KitDataCommon {
  source: 'kit';
  /** Regions (bench/regions.yaml names) whose role is training: the training tiles. */
  trainingRegions: string[];
  /** Regions held out from training (role calibration or training, never evaluation): temperature fit and reported metrics. */
  heldOutRegions: string[];
  platforms: Platform[];
  /** Upper bound of the training pool per platform and suite (tiles are kept in memory, encoded). */
  tilesPerPlatform: number;
  /**
   * Share of tiles with neither a truth variant nor a caller candidate that is kept in the pool:
   * such tiles teach only "reference stays reference" and are most of the genome.
   */
  backgroundTileFraction: number;
}

/**
 * The suite(s) of bench/regions.yaml whose data in .cache/bench/ is read; each must simulate
 * every region named in the settings. Either one (`dataset: large`, as written before lists
 * existed, so such configs keep their hash) or several independent simulations (`datasets:
 * [large, train2]`), each contributing training and held-out tiles from the same regions.
 */
export type KitDataSettings = KitDataCommon & ({ dataset: string; datasets?: never } | { datasets: string[]; dataset?: never });

/** The suites a kit config reads, in order. */
export function kitDatasets(settings: KitDataSettings): string[] {
  return settings.datasets ?? [settings.dataset];
}

export type DataSettings = SyntheticDataSettings | KitDataSettings;

export interface ModelTrainingConfig {
  modelId: string;
  seed: number;
  model: ModelArchitecture;
  training: TrainingSettings;
  data: DataSettings;
}

export class ModelConfigError extends Error {
  readonly file: string;
  readonly key: string;
  constructor(file: string, key: string, message: string) {
    super(`${file}: ${key}: ${message}`);
    this.name = 'ModelConfigError';
    this.file = file;
    this.key = key;
  }
}

type Mapping = Record<string, unknown>;

function isMapping(value: unknown): value is Mapping {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads typed values out of one YAML mapping, naming the file and key path in every fault. */
class Section {
  private readonly used = new Set<string>();
  constructor(
    private readonly file: string,
    private readonly path: string,
    private readonly values: Mapping,
  ) {}

  private keyPath(key: string): string {
    return this.path ? `${this.path}.${key}` : key;
  }

  private fail(key: string, message: string): never {
    throw new ModelConfigError(this.file, this.keyPath(key), message);
  }

  private take(key: string): unknown {
    this.used.add(key);
    return this.values[key];
  }

  has(key: string): boolean {
    return this.values[key] !== undefined;
  }

  integer(key: string, min: number, max: number, fallback?: number): number {
    const value = this.take(key) ?? fallback;
    if (value === undefined) this.fail(key, 'is required');
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min || value > max) this.fail(key, `must be a whole number from ${min} to ${max} (got ${JSON.stringify(value)})`);
    return value;
  }

  number(key: string, min: number, max: number, fallback?: number): number {
    const value = this.take(key) ?? fallback;
    if (value === undefined) this.fail(key, 'is required');
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max) this.fail(key, `must be a number from ${min} to ${max} (got ${JSON.stringify(value)})`);
    return value;
  }

  string(key: string, pattern: RegExp, description: string): string {
    const value = this.take(key);
    if (value === undefined) this.fail(key, 'is required');
    if (typeof value !== 'string' || !pattern.test(value)) this.fail(key, `must be ${description} (got ${JSON.stringify(value)})`);
    return value;
  }

  choice<T extends string>(key: string, choices: readonly T[], fallback?: T): T {
    const value = this.take(key) ?? fallback;
    if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) this.fail(key, `must be one of ${choices.join(', ')} (got ${JSON.stringify(value)})`);
    return value as T;
  }

  stringList(key: string, pattern: RegExp, minLength: number, maxLength: number): string[] {
    const value = this.take(key);
    if (!Array.isArray(value) || value.length < minLength || value.length > maxLength) this.fail(key, `must be a list of ${minLength} to ${maxLength} names`);
    for (const [i, item] of value.entries()) {
      if (typeof item !== 'string' || !pattern.test(item)) this.fail(`${key}[${i}]`, `must match ${pattern} (got ${JSON.stringify(item)})`);
    }
    const names = value as string[];
    if (new Set(names).size !== names.length) this.fail(key, 'has duplicate names');
    return names;
  }

  boolean(key: string, fallback?: boolean): boolean {
    const value = this.take(key) ?? fallback;
    if (typeof value !== 'boolean') this.fail(key, `must be true or false (got ${JSON.stringify(value)})`);
    return value;
  }

  section(key: string): Section {
    const value = this.take(key);
    if (!isMapping(value)) this.fail(key, 'must be a mapping of settings');
    return new Section(this.file, this.keyPath(key), value);
  }

  /** Call after reading every key: anything left over is a typo or an unsupported setting. */
  finish(): void {
    for (const key of Object.keys(this.values)) {
      if (!this.used.has(key)) this.fail(key, 'is not a known setting');
    }
  }
}

function baselineScaleSettings(section: Section): BaselineScaleSettings {
  const modes = ['learned', 'fixed'] as const;
  const settings: BaselineScaleSettings = { snv: section.choice('snv', modes), indel: section.choice('indel', modes) };
  section.finish();
  return settings;
}

const NAME = /^[a-z0-9][a-z0-9._-]{0,63}$/;

/** Validates a parsed config document; `file` names it in errors. */
export function validateModelTrainingConfig(document: unknown, file: string): ModelTrainingConfig {
  if (!isMapping(document)) throw new ModelConfigError(file, '(top level)', 'expected a mapping of settings');
  const root = new Section(file, '', document);
  const modelId = root.string('modelId', NAME, 'a lower-case name of letters, digits, . _ -');
  const seed = root.integer('seed', 0, 2 ** 31 - 1);

  const m = root.section('model');
  const model: ModelArchitecture = {
    dModel: m.integer('dModel', 4, 1024),
    layers: m.integer('layers', 1, 32),
    heads: m.integer('heads', 1, 64),
    headDim: m.integer('headDim', 1, 256),
    stateDim: m.integer('stateDim', 1, 256),
    chunkSize: m.integer('chunkSize', 1, 1024),
    experts: m.stringList('experts', NAME, 1, 64),
    topK: m.integer('topK', 1, 64),
    expertHidden: m.integer('expertHidden', 1, 4096),
    backwardHorizon: m.integer('backwardHorizon', 8, 1_000_000),
    ...(m.has('baselineSkip') ? { baselineSkip: m.boolean('baselineSkip') } : {}),
    ...(m.has('baselineFloor') ? { baselineFloor: m.number('baselineFloor', 1e-37, 0.1) } : {}),
    ...(m.has('baselineScale') ? { baselineScale: baselineScaleSettings(m.section('baselineScale')) } : {}),
  };
  m.finish();
  if (model.baselineScale && !model.baselineSkip) throw new ModelConfigError(file, 'model.baselineScale', 'scales the baseline skip, so it needs model.baselineSkip: true');
  if (model.topK > model.experts.length) throw new ModelConfigError(file, 'model.topK', `must not exceed the number of experts (${model.experts.length})`);

  const t = root.section('training');
  const training: TrainingSettings = {
    steps: t.integer('steps', 1, 10_000_000),
    batchSize: t.integer('batchSize', 1, 4096),
    tileLength: t.integer('tileLength', 8, 1_000_000),
    learningRate: t.number('learningRate', 1e-7, 1),
    loadBalanceWeight: t.number('loadBalanceWeight', 0, 10, 0.01),
    routerHintWeight: t.number('routerHintWeight', 0, 10, 0),
    expertLossWeight: t.number('expertLossWeight', 0, 10, 0.5),
    rcAugmentProbability: t.number('rcAugmentProbability', 0, 1, 0.5),
    validationTiles: t.integer('validationTiles', 1, 1_000_000),
    logEvery: t.integer('logEvery', 1, 1_000_000, 10),
  };
  t.finish();

  const d = root.section('data');
  const source = d.choice('source', ['synthetic', 'kit'] as const);
  let data: DataSettings;
  if (source === 'kit') {
    // One of `dataset` (a name) or `datasets` (a list); the key written is the key kept.
    if (d.has('dataset') && d.has('datasets')) throw new ModelConfigError(file, 'data.datasets', 'give either data.dataset (one suite) or data.datasets (a list), not both');
    const datasets: { dataset: string } | { datasets: string[] } = d.has('datasets')
      ? { datasets: d.stringList('datasets', NAME, 1, 16) }
      : { dataset: d.string('dataset', NAME, 'a suite name of bench/regions.yaml (or give data.datasets, a list of them)') };
    const kit: KitDataSettings = {
      source,
      ...datasets,
      trainingRegions: d.stringList('trainingRegions', NAME, 1, 64),
      heldOutRegions: d.stringList('heldOutRegions', NAME, 1, 64),
      platforms: d.stringList('platforms', /^(illumina|hifi|ont)$/, 1, PLATFORMS.length) as Platform[],
      tilesPerPlatform: d.integer('tilesPerPlatform', 1, 10_000_000),
      backgroundTileFraction: d.number('backgroundTileFraction', 0, 1, 0.1),
    };
    // The split is the point of the kit: a region both trained on and held out would report
    // metrics on training data.
    const shared = kit.heldOutRegions.find((name) => kit.trainingRegions.includes(name));
    if (shared !== undefined) throw new ModelConfigError(file, 'data.heldOutRegions', `names ${shared}, which is also in data.trainingRegions (the lists must be disjoint)`);
    data = kit;
  } else {
    data = {
      source,
      meanDepth: d.number('meanDepth', 1, 10_000),
      variantRate: d.number('variantRate', 0, 0.5),
      platforms: d.stringList('platforms', /^(illumina|hifi|ont)$/, 1, PLATFORMS.length) as Platform[],
    };
  }
  d.finish();
  root.finish();
  return { modelId, seed, model, training, data };
}

/** Reads and validates a config file; faults name the file and the key. */
export function loadModelTrainingConfig(path: string): ModelTrainingConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ModelConfigError(path, '(file)', `cannot be read (${(err as Error).message})`);
  }
  let document: unknown;
  try {
    document = parse(text);
  } catch (err) {
    throw new ModelConfigError(path, '(file)', `is not valid YAML (${(err as Error).message.split('\n')[0]})`);
  }
  return validateModelTrainingConfig(document, path);
}
