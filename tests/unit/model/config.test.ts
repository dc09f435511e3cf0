/**
 * A typo in a training config would silently train a different model, so every fault must stop
 * the load and name the file and the key. The shipped configs must themselves load.
 */
import { describe, expect, it } from 'vitest';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { stringify, parse } from 'yaml';
import { loadModelTrainingConfig, ModelConfigError } from '../../../engine/model/config.js';
import { findPackageRoot } from '../../../engine/version.js';

const CONFIGS = join(findPackageRoot(), 'configs', 'model');

function withEdit(edit: (doc: Record<string, Record<string, unknown>>) => void): string {
  const doc = parse(readFileSync(join(CONFIGS, 'tiny.yaml'), 'utf8')) as Record<string, Record<string, unknown>>;
  edit(doc);
  const dir = mkdtempSync(join(tmpdir(), 'genomaic-cfg-'));
  const file = join(dir, 'edited.yaml');
  writeFileSync(file, stringify(doc));
  return file;
}

function loadError(file: string): ModelConfigError {
  try {
    loadModelTrainingConfig(file);
  } catch (err) {
    expect(err).toBeInstanceOf(ModelConfigError);
    return err as ModelConfigError;
  } finally {
    rmSync(join(file, '..'), { recursive: true, force: true });
  }
  throw new Error(`${file} loaded`);
}

describe('model configs', () => {
  it('loads the shipped tiny and default configs', () => {
    const tiny = loadModelTrainingConfig(join(CONFIGS, 'tiny.yaml'));
    expect(tiny.modelId).toBe('genomeltm-moe-tiny');
    const standard = loadModelTrainingConfig(join(CONFIGS, 'default.yaml'));
    expect(standard.model.experts).toEqual(['repeats', 'gc-extremes', 'platform-errors', 'unique']);
  });

  it('loads every config in configs/model (shipped, ablation and experiment)', () => {
    const files = readdirSync(CONFIGS).filter((name) => name.endsWith('.yaml'));
    expect(files).toContain('kit-small.yaml');
    for (const name of files) expect(loadModelTrainingConfig(join(CONFIGS, name)).modelId, name).toMatch(/^genomeltm-/);
    expect(loadModelTrainingConfig(join(CONFIGS, 'kit-small-four-suites.yaml')).model.baselineScale).toEqual({ snv: 'fixed', indel: 'learned' });
  });

  it('names the file and the key of an unknown setting', () => {
    const file = withEdit((d) => (d.model!.dmodel = 8));
    const err = loadError(file);
    expect(err.message).toBe(`${file}: model.dmodel: is not a known setting`);
  });

  it('names the key of an out-of-range or mistyped value', () => {
    expect(loadError(withEdit((d) => (d.training!.learningRate = 5))).key).toBe('training.learningRate');
    expect(loadError(withEdit((d) => (d.model!.layers = 1.5))).key).toBe('model.layers');
    expect(loadError(withEdit((d) => (d.data!.platforms = ['illumina', 'sanger']))).key).toBe('data.platforms[1]');
    expect(loadError(withEdit((d) => (d.model!.topK = 5))).key).toBe('model.topK');
    expect(loadError(withEdit((d) => (d.model!.experts = ['a', 'a']))).key).toBe('model.experts');
  });

  it('names a missing required key and a missing section', () => {
    expect(loadError(withEdit((d) => delete d.training!.steps)).key).toBe('training.steps');
    expect(loadError(withEdit((d) => delete d.data)).key).toBe('data');
  });

  it('reports unreadable files and bad YAML with the file name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'genomaic-cfg-'));
    const bad = join(dir, 'bad.yaml');
    writeFileSync(bad, 'model: [unclosed');
    expect(() => loadModelTrainingConfig(bad)).toThrow(`${bad}: (file): is not valid YAML`);
    expect(() => loadModelTrainingConfig(join(dir, 'missing.yaml'))).toThrow(/missing\.yaml: \(file\): cannot be read/);
    rmSync(dir, { recursive: true, force: true });
  });
});
