/**
 * Model checkpoints: a folder with `weights.bin` (every parameter as little-endian float32,
 * concatenated in definition order) and `manifest.json` (what the weights are and where they
 * came from: model id, code and feature-schema versions, channel names, architecture, config
 * and data hashes, seed, metrics, calibration, and the weights' SHA-256).
 *
 * Loading checks the manifest against this code and refuses any mismatch with a message naming
 * the file and the field: a model fed channels in a different order would return confident
 * nonsense, which is worse than no model.
 *
 * Writes are atomic per file (temp name, fsync, rename) and the manifest is written last, so a
 * folder whose manifest exists has complete weights; a crash while overwriting leaves the old
 * manifest next to new weights, which the SHA-256 check then refuses.
 */
import { mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { writeFileAtomically } from '../formats/atomic-file.js';
import { sha256Hex } from '../util/canonical-json.js';
import { appVersion } from '../version.js';
import { validateModelTrainingConfig, type ModelArchitecture, type ModelTrainingConfig } from './config.js';
import { FEATURE_CHANNELS, FEATURE_SCHEMA_VERSION } from './features.js';
import { GenomeLtmMoe, MODEL_CODE_VERSION } from './model.js';
import type { ParameterSpec } from './params.js';

export const CHECKPOINT_FORMAT = 'genomaic-model-checkpoint';
export const CHECKPOINT_FORMAT_VERSION = 1;
export const MANIFEST_FILE = 'manifest.json';
export const WEIGHTS_FILE = 'weights.bin';

export interface TensorEntry extends ParameterSpec {
  /** Offset into weights.bin, in float32 elements. */
  offset: number;
}

export interface CheckpointManifest {
  format: typeof CHECKPOINT_FORMAT;
  formatVersion: number;
  modelId: string;
  /** Weight layout version of the model code (model.ts MODEL_CODE_VERSION). */
  modelCodeVersion: number;
  /** package.json version of the code that wrote it (provenance; not a load condition). */
  appVersion: string;
  featureSchema: { version: number; channels: string[] };
  architecture: ModelArchitecture;
  /** The resolved training config and its canonical-JSON SHA-256. */
  config: ModelTrainingConfig;
  configHash: string;
  /** SHA-256 identifying the training data (see train.ts TrainingExampleSource.dataHash). */
  dataHash: string;
  /** Which regions trained and which evaluated (disjoint), as the data source describes them. */
  dataSplit: unknown;
  seed: number;
  createdAt: string;
  metrics: Record<string, number>;
  calibration: { method: 'temperature'; temperature: number };
  weights: { file: string; sha256: string; byteLength: number; tensors: TensorEntry[] };
}

export class CheckpointError extends Error {
  readonly file: string;
  readonly field: string;
  constructor(file: string, field: string, message: string) {
    super(`${file}: ${field}: ${message}`);
    this.name = 'CheckpointError';
    this.file = file;
    this.field = field;
  }
}

export interface CheckpointMetadata {
  config: ModelTrainingConfig;
  configHash: string;
  dataHash: string;
  dataSplit: unknown;
  metrics: Record<string, number>;
}

/** Writes `model` to `directory` (created if missing); returns the manifest written. */
export async function saveCheckpoint(directory: string, model: GenomeLtmMoe, metadata: CheckpointMetadata, now: Date = new Date()): Promise<CheckpointManifest> {
  await mkdir(directory, { recursive: true });
  const values = await model.store.read();
  const tensors: TensorEntry[] = [];
  let offset = 0;
  for (const spec of model.store.specs()) {
    tensors.push({ ...spec, offset });
    offset += values.get(spec.name)!.length;
  }
  const all = new Float32Array(offset);
  for (const entry of tensors) all.set(values.get(entry.name)!, entry.offset);
  // Float32Array uses the platform's byte order; checkpoints are little-endian everywhere.
  const bytes = new Uint8Array(all.length * 4);
  const view = new DataView(bytes.buffer);
  for (let i = 0; i < all.length; i++) view.setFloat32(i * 4, all[i]!, true);
  const manifest: CheckpointManifest = {
    format: CHECKPOINT_FORMAT,
    formatVersion: CHECKPOINT_FORMAT_VERSION,
    modelId: metadata.config.modelId,
    modelCodeVersion: MODEL_CODE_VERSION,
    appVersion: appVersion(),
    featureSchema: { version: FEATURE_SCHEMA_VERSION, channels: [...FEATURE_CHANNELS] },
    architecture: model.architecture,
    config: metadata.config,
    configHash: metadata.configHash,
    dataHash: metadata.dataHash,
    dataSplit: metadata.dataSplit,
    seed: metadata.config.seed,
    createdAt: now.toISOString(),
    metrics: metadata.metrics,
    calibration: { method: 'temperature', temperature: model.temperature },
    weights: { file: WEIGHTS_FILE, sha256: sha256Hex(bytes), byteLength: bytes.length, tensors },
  };
  await writeFileAtomically(join(directory, WEIGHTS_FILE), bytes);
  await writeFileAtomically(join(directory, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks a parsed manifest against this code; throws CheckpointError naming file and field. */
export function validateManifest(document: unknown, file: string): CheckpointManifest {
  const fail = (field: string, message: string): never => {
    throw new CheckpointError(file, field, message);
  };
  if (!isRecord(document)) return fail('(top level)', 'not a JSON object');
  if (document.format !== CHECKPOINT_FORMAT) fail('format', `expected "${CHECKPOINT_FORMAT}", found ${JSON.stringify(document.format)}`);
  if (document.formatVersion !== CHECKPOINT_FORMAT_VERSION) fail('formatVersion', `checkpoint format ${JSON.stringify(document.formatVersion)}, this code reads ${CHECKPOINT_FORMAT_VERSION}`);
  if (typeof document.modelId !== 'string') fail('modelId', 'missing');
  if (document.modelCodeVersion !== MODEL_CODE_VERSION) {
    fail('modelCodeVersion', `written by model code version ${JSON.stringify(document.modelCodeVersion)}, this code is version ${MODEL_CODE_VERSION}; retrain with \`genomaic train\` or use a matching release`);
  }
  const schema = document.featureSchema;
  if (!isRecord(schema)) return fail('featureSchema', 'missing');
  if (schema.version !== FEATURE_SCHEMA_VERSION) fail('featureSchema.version', `checkpoint expects input feature schema ${JSON.stringify(schema.version)}, this code produces schema ${FEATURE_SCHEMA_VERSION}`);
  if (!Array.isArray(schema.channels)) return fail('featureSchema.channels', 'missing');
  if (schema.channels.length !== FEATURE_CHANNELS.length) {
    fail('featureSchema.channels', `checkpoint has ${schema.channels.length} input channels, this code produces ${FEATURE_CHANNELS.length}`);
  }
  for (const [i, name] of FEATURE_CHANNELS.entries()) {
    if (schema.channels[i] !== name) fail(`featureSchema.channels[${i}]`, `checkpoint expects ${JSON.stringify(schema.channels[i])}, this code produces "${name}"`);
  }
  // The embedded config must itself be valid (it carries the architecture).
  let config: ModelTrainingConfig;
  try {
    config = validateModelTrainingConfig(document.config, `${file} (config)`);
  } catch (err) {
    return fail('config', (err as Error).message);
  }
  if (JSON.stringify(document.architecture) !== JSON.stringify(config.model)) fail('architecture', 'differs from config.model');
  const calibration = document.calibration;
  if (!isRecord(calibration) || calibration.method !== 'temperature' || typeof calibration.temperature !== 'number' || !(calibration.temperature > 0)) {
    fail('calibration', 'expected { method: "temperature", temperature > 0 }');
  }
  const weights = document.weights;
  if (!isRecord(weights) || typeof weights.file !== 'string' || typeof weights.sha256 !== 'string' || typeof weights.byteLength !== 'number' || !Array.isArray(weights.tensors)) {
    return fail('weights', 'expected { file, sha256, byteLength, tensors }');
  }
  for (const key of ['configHash', 'dataHash', 'createdAt'] as const) if (typeof document[key] !== 'string') fail(key, 'missing');
  if (typeof document.seed !== 'number') fail('seed', 'missing');
  if (!isRecord(document.metrics)) fail('metrics', 'missing');
  return document as unknown as CheckpointManifest;
}

/** Reads, validates and loads a checkpoint folder into a ready model. */
export async function loadCheckpoint(directory: string): Promise<{ model: GenomeLtmMoe; manifest: CheckpointManifest }> {
  const manifestPath = join(directory, MANIFEST_FILE);
  let text: string;
  try {
    text = await readFile(manifestPath, 'utf8');
  } catch (err) {
    throw new CheckpointError(manifestPath, '(file)', `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message}); is ${directory} a model checkpoint?`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    throw new CheckpointError(manifestPath, '(file)', `not valid JSON (${(err as Error).message})`);
  }
  const manifest = validateManifest(document, manifestPath);

  const weightsPath = join(directory, manifest.weights.file);
  let bytes: Buffer;
  try {
    bytes = await readFile(weightsPath);
  } catch (err) {
    throw new CheckpointError(weightsPath, '(file)', `cannot be read (${(err as NodeJS.ErrnoException).code ?? (err as Error).message})`);
  }
  if (bytes.length !== manifest.weights.byteLength) throw new CheckpointError(manifestPath, 'weights.byteLength', `manifest says ${manifest.weights.byteLength} bytes, ${weightsPath} has ${bytes.length}`);
  const digest = sha256Hex(bytes);
  if (digest !== manifest.weights.sha256) throw new CheckpointError(manifestPath, 'weights.sha256', `${weightsPath} does not match the manifest (incomplete write or a different checkpoint's weights)`);

  const model = GenomeLtmMoe.create(manifest.architecture, manifest.seed);
  try {
    const expected = model.store.specs();
    const byName = new Map(manifest.weights.tensors.map((t) => [t.name, t]));
    if (manifest.weights.tensors.length !== expected.length) {
      throw new CheckpointError(manifestPath, 'weights.tensors', `has ${manifest.weights.tensors.length} tensors, the architecture defines ${expected.length}`);
    }
    const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    const values = new Map<string, Float32Array>();
    for (const spec of expected) {
      const entry = byName.get(spec.name);
      if (!entry) throw new CheckpointError(manifestPath, 'weights.tensors', `no tensor named ${spec.name}`);
      if (JSON.stringify(entry.shape) !== JSON.stringify(spec.shape)) {
        throw new CheckpointError(manifestPath, `weights.tensors[${spec.name}].shape`, `is [${entry.shape.join(', ')}], the architecture needs [${spec.shape.join(', ')}]`);
      }
      const size = spec.shape.reduce((a, b) => a * b, 1);
      if (!Number.isInteger(entry.offset) || entry.offset < 0 || (entry.offset + size) * 4 > bytes.length) {
        throw new CheckpointError(manifestPath, `weights.tensors[${spec.name}].offset`, 'points outside the weights file');
      }
      const data = new Float32Array(size);
      for (let i = 0; i < size; i++) data[i] = view.getFloat32((entry.offset + i) * 4, true);
      values.set(spec.name, data);
    }
    model.store.assign(values);
    model.temperature = manifest.calibration.temperature;
    return { model, manifest };
  } catch (err) {
    model.dispose();
    throw err;
  }
}
