/**
 * Alignment presets (configs/align/<name>.yaml), one per platform. Each is validated when
 * loaded: an unknown key, a missing key or a value out of range names the file and the key,
 * because a silently ignored typo in a scoring file changes every alignment.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { EngineError } from '../errors.js';
import { findPackageRoot } from '../version.js';

export const PRESET_NAMES = ['sr', 'hifi', 'ont'] as const;
export type PresetName = (typeof PRESET_NAMES)[number];

export type ReadGroupPlatform = 'ILLUMINA' | 'PACBIO' | 'ONT';

export interface AlignPreset {
  name: PresetName;
  platform: ReadGroupPlatform;
  k: number;
  w: number;
  occurrenceFraction: number;
  minOccurrenceCutoff: number;
  maxOccurrenceCutoff: number;
  rescueOccurrenceCutoff: number;
  maxGap: number;
  bandwidth: number;
  /**
   * Chaining stops looking back after this many predecessors that neither improved the score nor
   * were new (already the predecessor of a nearer anchor): minimap2's --max-chain-skip. The
   * look-back itself covers up to 5,000 anchors within maxGap (--max-chain-iter, in the kernel).
   */
  maxChainSkip: number;
  minChainAnchors: number;
  minChainScore: number;
  match: number;
  mismatch: number;
  gapOpen: number;
  gapExtend: number;
  zDrop: number;
  endBonus: number;
  extensionBand: number;
  maxSecondary: number;
  secondaryRatio: number;
  maskLevel: number;
  maxInsert: number;
  rescueWindowSigmas: number;
}

type NumericKey = Exclude<keyof AlignPreset, 'name' | 'platform'>;

/** [min, max, integer?] for every numeric key. */
const NUMERIC_RANGES: Record<NumericKey, [number, number, boolean]> = {
  k: [8, 28, true],
  w: [1, 255, true],
  occurrenceFraction: [0, 0.1, false],
  minOccurrenceCutoff: [1, 1e7, true],
  maxOccurrenceCutoff: [1, 1e7, true],
  rescueOccurrenceCutoff: [1, 1e7, true],
  maxGap: [10, 60_000, true],
  bandwidth: [1, 60_000, true],
  maxChainSkip: [1, 5000, true],
  minChainAnchors: [1, 1000, true],
  minChainScore: [1, 1e6, true],
  match: [1, 100, true],
  mismatch: [1, 100, true],
  gapOpen: [0, 100, true],
  gapExtend: [1, 100, true],
  zDrop: [1, 1e6, true],
  endBonus: [0, 1000, true],
  extensionBand: [4, 10_000, true],
  maxSecondary: [0, 1000, true],
  secondaryRatio: [0, 1, false],
  maskLevel: [0, 1, false],
  maxInsert: [0, 1e6, true],
  rescueWindowSigmas: [0, 100, false],
};
const PLATFORMS: readonly ReadGroupPlatform[] = ['ILLUMINA', 'PACBIO', 'ONT'];

export function presetPath(name: PresetName, configDir = join(findPackageRoot(), 'configs', 'align')): string {
  return join(configDir, `${name}.yaml`);
}

export function parsePresetName(value: string): PresetName {
  if ((PRESET_NAMES as readonly string[]).includes(value)) return value as PresetName;
  throw EngineError.of('invalid-request', `unknown preset "${value}" (known: ${PRESET_NAMES.join(', ')})`);
}

/** Loads and validates a preset file. */
export function loadAlignPreset(name: PresetName, path = presetPath(name)): AlignPreset {
  const fail = (message: string): EngineError => EngineError.of('invalid-request', `${path}: ${message}`, { file: path });
  let doc: unknown;
  try {
    doc = parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw fail(`not readable YAML (${(err as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw fail('expected a mapping of settings');
  const values = doc as Record<string, unknown>;
  const known = new Set<string>(['platform', ...Object.keys(NUMERIC_RANGES)]);
  for (const key of Object.keys(values)) {
    if (!known.has(key)) throw fail(`unknown setting '${key}'`);
  }
  const platform = values.platform;
  if (typeof platform !== 'string' || !(PLATFORMS as readonly string[]).includes(platform)) {
    throw fail(`'platform' must be one of ${PLATFORMS.join(', ')}`);
  }
  const preset = { name, platform } as AlignPreset;
  for (const [key, [min, max, integer]] of Object.entries(NUMERIC_RANGES) as [NumericKey, [number, number, boolean]][]) {
    const value = values[key];
    if (value === undefined) throw fail(`missing setting '${key}'`);
    if (typeof value !== 'number' || !Number.isFinite(value) || value < min || value > max || (integer && !Number.isInteger(value))) {
      throw fail(`'${key}' must be ${integer ? 'a whole number' : 'a number'} from ${min} to ${max}, got ${JSON.stringify(value)}`);
    }
    preset[key] = value;
  }
  if (preset.minOccurrenceCutoff > preset.maxOccurrenceCutoff) throw fail(`'minOccurrenceCutoff' exceeds 'maxOccurrenceCutoff'`);
  if (preset.maxGap >= 65_536) throw fail(`'maxGap' must stay below the 65,536 bp gap between contigs`);
  return preset;
}

/** The preset for a platform detected by ingest. */
export function presetForPlatform(platform: 'illumina' | 'hifi' | 'ont'): PresetName {
  return platform === 'illumina' ? 'sr' : platform;
}
