import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import type { Platform, RunConfig } from '../../app/contract.js';
import { EngineError } from '../errors.js';
import { findPackageRoot } from '../version.js';

const PLATFORM_CHOICES: readonly (Platform | 'auto')[] = ['auto', 'illumina', 'hifi', 'ont'];
const KEYS = ['platform', 'detectionReads'] as const;

export function defaultQcConfigPath(): string {
  return join(findPackageRoot(), 'configs', 'qc.yaml');
}

/** Reads and validates a QC preset; a fault names the file and the key. */
export function loadQcConfig(path = defaultQcConfigPath()): RunConfig {
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw EngineError.of('invalid-request', `${path}: not readable YAML (${(err as Error).message})`, { file: path });
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) {
    throw EngineError.of('invalid-request', `${path}: expected a mapping of settings`, { file: path });
  }
  const values = doc as Record<string, unknown>;
  for (const key of Object.keys(values)) {
    if (!(KEYS as readonly string[]).includes(key)) {
      throw EngineError.of('invalid-request', `${path}: unknown setting '${key}' (known: ${KEYS.join(', ')})`, { file: path });
    }
  }
  const platform = values.platform ?? 'auto';
  if (typeof platform !== 'string' || !(PLATFORM_CHOICES as readonly string[]).includes(platform)) {
    throw EngineError.of('invalid-request', `${path}: platform must be one of ${PLATFORM_CHOICES.join(', ')}`, { file: path });
  }
  const detectionReads = values.detectionReads ?? 10000;
  if (typeof detectionReads !== 'number' || !Number.isInteger(detectionReads) || detectionReads < 1 || detectionReads > 10_000_000) {
    throw EngineError.of('invalid-request', `${path}: detectionReads must be a whole number from 1 to 10,000,000`, { file: path });
  }
  return { platform: platform as Platform | 'auto', detectionReads };
}
