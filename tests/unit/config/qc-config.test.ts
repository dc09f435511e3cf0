import { describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadQcConfig } from '../../../engine/config/qc-config.js';

function withConfig(text: string, check: (path: string) => void): void {
  const dir = mkdtempSync(join(tmpdir(), 'genomaic-config-'));
  const path = join(dir, 'qc.yaml');
  writeFileSync(path, text);
  try {
    check(path);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

describe('loadQcConfig', () => {
  it('loads the shipped preset', () => {
    expect(loadQcConfig()).toEqual({ platform: 'auto', detectionReads: 10000 });
  });

  it('names the file and the unknown key', () => {
    withConfig('platform: auto\ndetectonReads: 5\n', (path) => {
      expect(() => loadQcConfig(path)).toThrow(`${path}: unknown setting 'detectonReads'`);
    });
  });

  it('rejects a platform outside the vocabulary and a non-integer read count', () => {
    withConfig('platform: nanopore\n', (path) => expect(() => loadQcConfig(path)).toThrow(/platform must be one of auto, illumina, hifi, ont/));
    withConfig('detectionReads: 2.5\n', (path) => expect(() => loadQcConfig(path)).toThrow(/detectionReads must be a whole number/));
    withConfig('- a\n- b\n', (path) => expect(() => loadQcConfig(path)).toThrow(/expected a mapping/));
    withConfig('platform: [\n', (path) => expect(() => loadQcConfig(path)).toThrow(/not readable YAML/));
  });
});
