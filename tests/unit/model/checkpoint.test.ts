/**
 * A checkpoint loaded into code that reads its inputs differently would return confident
 * nonsense, so loading must refuse every kind of mismatch, naming the file and the field.
 * Each refusal below is one way a checkpoint and the code can drift apart in practice.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CheckpointError, loadCheckpoint, saveCheckpoint, MANIFEST_FILE, WEIGHTS_FILE } from '../../../engine/model/checkpoint.js';
import { loadModelTrainingConfig } from '../../../engine/model/config.js';
import { GenomeLtmMoe, MODEL_CODE_VERSION } from '../../../engine/model/model.js';
import { FEATURE_COUNT, FEATURE_SCHEMA_VERSION } from '../../../engine/model/features.js';
import { hashConfig } from '../../../engine/util/canonical-json.js';
import { SeededRandom } from '../../../engine/util/seeded-random.js';
import { findPackageRoot } from '../../../engine/version.js';
import { maxAbsDifference, randomArray, tf, useProductBackend } from './helpers.js';

const config = loadModelTrainingConfig(join(findPackageRoot(), 'configs', 'model', 'tiny.yaml'));
let root: string;
let original: string;

type Json = Record<string, unknown>;

/** A copy of the good checkpoint with its manifest edited by `edit`. */
function variant(name: string, edit: (manifest: Json) => void, weights?: (bytes: Buffer) => Buffer): string {
  const dir = join(root, name);
  rmSync(dir, { recursive: true, force: true });
  const manifest = JSON.parse(readFileSync(join(original, MANIFEST_FILE), 'utf8')) as Json;
  edit(manifest);
  const bytes = readFileSync(join(original, WEIGHTS_FILE));
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify(manifest));
  writeFileSync(join(dir, WEIGHTS_FILE), weights ? weights(bytes) : bytes);
  return dir;
}

async function refusal(dir: string): Promise<CheckpointError> {
  try {
    const { model } = await loadCheckpoint(dir);
    model.dispose();
  } catch (err) {
    expect(err).toBeInstanceOf(CheckpointError);
    return err as CheckpointError;
  }
  throw new Error(`${dir} was accepted`);
}

describe('checkpoints', () => {
  let model: GenomeLtmMoe;

  beforeAll(async () => {
    await useProductBackend();
    root = mkdtempSync(join(tmpdir(), 'genomaic-ckpt-'));
    original = join(root, 'good');
    model = GenomeLtmMoe.create(config.model, config.seed);
    model.temperature = 1.7;
    await saveCheckpoint(original, model, { config, configHash: hashConfig(config), dataHash: 'd'.repeat(64), dataSplit: { train: 'a', heldOut: 'b' }, metrics: { candidateAccuracy: 0.5 } });
  });

  afterAll(() => {
    model.dispose();
    rmSync(root, { recursive: true, force: true });
  });

  it('round-trips weights, temperature and provenance exactly, leaving no temp files', async () => {
    expect(readdirSync(original).sort()).toEqual([MANIFEST_FILE, WEIGHTS_FILE]);
    const { model: loaded, manifest } = await loadCheckpoint(original);
    expect(manifest.modelId).toBe(config.modelId);
    expect(manifest.modelCodeVersion).toBe(MODEL_CODE_VERSION);
    expect(manifest.featureSchema.version).toBe(FEATURE_SCHEMA_VERSION);
    expect(manifest.featureSchema.channels).toHaveLength(FEATURE_COUNT);
    expect(manifest.configHash).toBe(hashConfig(config));
    expect(manifest.seed).toBe(config.seed);
    expect(loaded.temperature).toBe(1.7);
    const x = tf.tensor3d(randomArray(new SeededRandom(1), 50 * FEATURE_COUNT), [1, 50, FEATURE_COUNT]);
    const a = model.forward(x);
    const b = loaded.forward(x);
    expect(maxAbsDifference(a.logits.dataSync(), b.logits.dataSync())).toBe(0);
    tf.dispose([x, ...Object.values(a), ...Object.values(b)]);
    loaded.dispose();
  });

  it('refuses a missing checkpoint, naming the manifest path', async () => {
    const err = await refusal(join(root, 'nowhere'));
    expect(err.message).toContain(join(root, 'nowhere', MANIFEST_FILE));
  });

  it('refuses another model code version', async () => {
    const err = await refusal(variant('code', (m) => (m.modelCodeVersion = MODEL_CODE_VERSION + 1)));
    expect(err.field).toBe('modelCodeVersion');
    expect(err.message).toMatch(/manifest\.json: modelCodeVersion: written by model code version 2, this code is version 1/);
  });

  it('refuses another feature schema version', async () => {
    const err = await refusal(variant('schema', (m) => ((m.featureSchema as Json).version = FEATURE_SCHEMA_VERSION + 1)));
    expect(err.field).toBe('featureSchema.version');
  });

  it('refuses a different number of input channels', async () => {
    const err = await refusal(variant('channels', (m) => ((m.featureSchema as Json).channels as string[]).pop()));
    expect(err.field).toBe('featureSchema.channels');
    expect(err.message).toContain(`this code produces ${FEATURE_COUNT}`);
  });

  it('refuses reordered input channels, naming the first that differs', async () => {
    const err = await refusal(
      variant('order', (m) => {
        const channels = (m.featureSchema as Json).channels as string[];
        [channels[5], channels[6]] = [channels[6]!, channels[5]!];
      }),
    );
    expect(err.field).toBe('featureSchema.channels[5]');
    expect(err.message).toContain('"fwd_C"');
  });

  it('refuses weights that do not match the manifest hash', async () => {
    const err = await refusal(variant('hash', () => undefined, (bytes) => { const copy = Buffer.from(bytes); copy[10] = copy[10]! ^ 0xff; return copy; }));
    expect(err.field).toBe('weights.sha256');
  });

  it('refuses a truncated weights file', async () => {
    const err = await refusal(variant('short', () => undefined, (bytes) => bytes.subarray(0, bytes.length - 4)));
    expect(err.field).toBe('weights.byteLength');
  });

  it('refuses tensors whose shapes do not fit the architecture', async () => {
    const err = await refusal(
      variant('shape', (m) => {
        (m.architecture as Json).dModel = 20;
        ((m.config as Json).model as Json).dModel = 20;
      }),
    );
    expect(err.field).toMatch(/^weights\.tensors\[input\.weight\]\.shape$/);
  });

  it('refuses an architecture that contradicts its own config', async () => {
    const err = await refusal(variant('arch', (m) => ((m.architecture as Json).layers = 3)));
    expect(err.field).toBe('architecture');
  });

  it('refuses an invalid embedded config, naming its key', async () => {
    const err = await refusal(variant('config', (m) => (((m.config as Json).model as Json).topK = 9)));
    expect(err.field).toBe('config');
    expect(err.message).toContain('model.topK');
  });

  it('refuses a file that is not a checkpoint manifest', async () => {
    const err = await refusal(variant('format', (m) => (m.format = 'tfjs-layers-model')));
    expect(err.field).toBe('format');
  });
});
