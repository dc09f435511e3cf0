/**
 * The learned genotyper's own GQ calibration, kept next to its checkpoint in
 * `gq-calibration.json`: per platform, the caller's calibration model (a logistic map on
 * ln(1 + raw GQ) per variant class, engine/call/calibration.ts) and the per-class abstention
 * thresholds chosen by risk control, fitted on the model's raw GQ on held-out data
 * (`npx tsx bench/model-ablations.ts --fit-calibration`, calibration regions only).
 *
 * Why a separate file and not the manifest: it is fitted after training, by running the caller
 * with the finished checkpoint, and the manifest's weights hash must not change for that. The
 * file names the weights it was fitted for; loading refuses a file fitted for other weights
 * (a calibration of another model's GQ is silently wrong, which is worse than none).
 *
 * Why not the statistical genotyper's calibration: it maps *that* genotyper's raw GQ, whose
 * scale (realigned read likelihoods, up to 1000) has nothing to do with the model's (a softmax
 * posterior of 0.999 is raw GQ 30); applied to the model it threw away most true calls
 * (docs/model-training.md, "Ablation", first checkpoint).
 */
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { CalibrationClass, CalibrationModel } from '../call/calibration.js';
import type { Platform } from '../call/types.js';
import { writeFileAtomically } from '../formats/atomic-file.js';
import type { CheckpointManifest } from './checkpoint.js';
import { CheckpointError } from './checkpoint.js';
import { PLATFORMS } from './features.js';

export const GQ_CALIBRATION_FILE = 'gq-calibration.json';
export const GQ_CALIBRATION_SCHEMA = 'genomaic.model-gq-calibration/1';

export interface ModelGqCalibration {
  schema: typeof GQ_CALIBRATION_SCHEMA;
  modelId: string;
  /** SHA-256 of the weights the model's raw GQs came from (manifest.weights.sha256). */
  weightsSha256: string;
  /** Per platform, in the caller's format; `minGqByClass` holds the model's own thresholds. */
  platforms: Partial<Record<Platform, CalibrationModel>>;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks a parsed file against the checkpoint it sits beside; throws CheckpointError naming the field. */
export function validateModelGqCalibration(document: unknown, file: string, manifest: CheckpointManifest): ModelGqCalibration {
  const fail = (field: string, message: string): never => {
    throw new CheckpointError(file, field, message);
  };
  if (!isRecord(document)) return fail('(top level)', 'not a JSON object');
  if (document.schema !== GQ_CALIBRATION_SCHEMA) fail('schema', `expected "${GQ_CALIBRATION_SCHEMA}", found ${JSON.stringify(document.schema)}`);
  if (document.weightsSha256 !== manifest.weights.sha256) {
    fail('weightsSha256', `fitted for weights ${String(document.weightsSha256).slice(0, 12)}…, the checkpoint's are ${manifest.weights.sha256.slice(0, 12)}…; refit with npx tsx bench/model-ablations.ts --fit-calibration`);
  }
  const platforms = document.platforms;
  if (!isRecord(platforms)) return fail('platforms', 'missing');
  for (const [platform, model] of Object.entries(platforms)) {
    if (!(PLATFORMS as readonly string[]).includes(platform)) fail(`platforms.${platform}`, `not a platform (${PLATFORMS.join(', ')})`);
    if (!isRecord(model) || model.platform !== platform) return fail(`platforms.${platform}.platform`, `expected ${platform}`);
    for (const cls of ['snv', 'indel'] as const satisfies readonly CalibrationClass[]) {
      const parameters = isRecord(model.classes) ? model.classes[cls] : undefined;
      if (!isRecord(parameters) || typeof parameters.intercept !== 'number' || !Number.isFinite(parameters.intercept) || typeof parameters.slope !== 'number' || !(parameters.slope < 0)) {
        fail(`platforms.${platform}.classes.${cls}`, 'needs a finite intercept and a negative slope');
      }
      const threshold = isRecord(model.minGqByClass) ? model.minGqByClass[cls] : undefined;
      if (typeof threshold !== 'number' || !(threshold >= 0 && threshold <= 99)) fail(`platforms.${platform}.minGqByClass.${cls}`, 'needs a GQ threshold in 0..99');
      if (model.repeatMinGqByClass !== undefined) {
        const repeat = isRecord(model.repeatMinGqByClass) ? model.repeatMinGqByClass[cls] : undefined;
        if (repeat !== null && (typeof repeat !== 'number' || !(repeat >= 0 && repeat <= 99))) fail(`platforms.${platform}.repeatMinGqByClass.${cls}`, 'needs a GQ threshold in 0..99, or null (gate off)');
      }
    }
  }
  return document as unknown as ModelGqCalibration;
}

/** The calibration beside a checkpoint, or null when the folder has none. */
export async function loadModelGqCalibration(directory: string, manifest: CheckpointManifest): Promise<ModelGqCalibration | null> {
  const file = join(directory, GQ_CALIBRATION_FILE);
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new CheckpointError(file, '(file)', `cannot be read (${(err as Error).message})`);
  }
  let document: unknown;
  try {
    document = JSON.parse(text);
  } catch (err) {
    throw new CheckpointError(file, '(file)', `not valid JSON (${(err as Error).message})`);
  }
  return validateModelGqCalibration(document, file, manifest);
}

export async function saveModelGqCalibration(directory: string, calibration: ModelGqCalibration): Promise<void> {
  await writeFileAtomically(join(directory, GQ_CALIBRATION_FILE), `${JSON.stringify(calibration, null, 2)}\n`);
}
