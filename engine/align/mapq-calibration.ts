/**
 * MAPQ recalibration (configs/align/mapq.<preset>.json): a monotone curve from the raw MAPQ
 * of ./mapq.ts (and, for pairs, the pairing's) to the Phred-scaled error rate observed at
 * that raw value on simulated reads with known origin, so that at MAPQ q about 10^(−q/10)
 * of reads are misplaced. One curve per class of read, because the same raw value means a
 * different error rate for a read placed with its mate's support than for one placed alone.
 *
 * The curves are fitted by `npx tsx bench/align.ts --mapq fit` on a training simulation and
 * reported by `--mapq validate` on another seed (docs/align.md, "MAPQ"). Raw 0 stays 0: SAM's
 * "equally good placements elsewhere", which downstream tools filter on.
 *
 * A file is validated when loaded: a wrong key, a curve of the wrong length, a value outside
 * 0–60 or a decreasing curve names the file and the key, because a broken curve silently
 * changes every read's MAPQ.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { EngineError } from '../errors.js';
import { findPackageRoot } from '../version.js';
import { MAX_MAPQ } from './mapq.js';
import type { PresetName } from './presets.js';

export const MAPQ_CALIBRATION_SCHEMA = 'genomaic.mapq-calibration/1';

/** `paired`: placed as half of a proper pair (the mate's placement supports it); `single`: every other read. */
export const MAPQ_CLASSES = ['single', 'paired'] as const;
export type MapqClass = (typeof MAPQ_CLASSES)[number];

/** The classes a preset's file must define: only short reads are paired. */
export function mapqClassesOf(preset: PresetName): readonly MapqClass[] {
  return preset === 'sr' ? MAPQ_CLASSES : ['single'];
}

/** Training counts behind one class's curve, per raw MAPQ 0–60 (kept in the file as evidence). */
export interface MapqCurveEvidence {
  reads: number[];
  wrong: number[];
}

export interface MapqCalibration {
  preset: PresetName;
  path: string;
  /** Per class: calibrated MAPQ indexed by raw MAPQ (0–60). */
  curves: Record<MapqClass, Uint8Array>;
}

export function mapqCalibrationPath(preset: PresetName, configDir = join(findPackageRoot(), 'configs', 'align')): string {
  return join(configDir, `mapq.${preset}.json`);
}

/** The calibrated MAPQ of a raw value. */
export function calibrateMapq(calibration: MapqCalibration, raw: number, mapqClass: MapqClass): number {
  const curve = calibration.curves[mapqClass];
  return curve[Math.max(0, Math.min(MAX_MAPQ, Math.round(raw)))]!;
}

/** Loads and validates a preset's calibration file. */
export function loadMapqCalibration(preset: PresetName, path = mapqCalibrationPath(preset)): MapqCalibration {
  const fail = (message: string): EngineError => EngineError.of('invalid-request', `${path}: ${message}`, { file: path });
  let doc: unknown;
  try {
    doc = JSON.parse(readFileSync(path, 'utf8'));
  } catch (err) {
    throw fail(`not readable JSON (${(err as Error).message})`);
  }
  if (typeof doc !== 'object' || doc === null || Array.isArray(doc)) throw fail('expected an object');
  const values = doc as Record<string, unknown>;
  const known = new Set(['schema', 'preset', 'method', 'fittedOn', 'classes']);
  for (const key of Object.keys(values)) if (!known.has(key)) throw fail(`unknown key '${key}'`);
  if (values.schema !== MAPQ_CALIBRATION_SCHEMA) throw fail(`'schema' must be "${MAPQ_CALIBRATION_SCHEMA}", got ${JSON.stringify(values.schema)}`);
  if (values.preset !== preset) throw fail(`'preset' must be "${preset}" (the file's preset), got ${JSON.stringify(values.preset)}`);
  const classes = values.classes;
  if (typeof classes !== 'object' || classes === null || Array.isArray(classes)) throw fail(`'classes' must be an object of curves by class`);
  const byClass = classes as Record<string, unknown>;
  const required = mapqClassesOf(preset);
  for (const key of Object.keys(byClass)) {
    if (!(required as readonly string[]).includes(key)) throw fail(`unknown class 'classes.${key}' (the '${preset}' preset has ${required.join(', ')})`);
  }
  const curves = {} as Record<MapqClass, Uint8Array>;
  for (const mapqClass of MAPQ_CLASSES) {
    const entry = byClass[mapqClass];
    if (entry === undefined) {
      if (required.includes(mapqClass)) throw fail(`missing 'classes.${mapqClass}'`);
      continue;
    }
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) throw fail(`'classes.${mapqClass}' must be an object with a 'curve'`);
    const curve = (entry as Record<string, unknown>).curve;
    const key = `classes.${mapqClass}.curve`;
    if (!Array.isArray(curve) || curve.length !== MAX_MAPQ + 1) throw fail(`'${key}' must list ${MAX_MAPQ + 1} values (one per raw MAPQ 0–${MAX_MAPQ})`);
    const values = new Uint8Array(MAX_MAPQ + 1);
    for (let raw = 0; raw <= MAX_MAPQ; raw++) {
      const q: unknown = curve[raw];
      if (typeof q !== 'number' || !Number.isInteger(q) || q < 0 || q > MAX_MAPQ) throw fail(`'${key}[${raw}]' must be a whole number from 0 to ${MAX_MAPQ}, got ${JSON.stringify(q)}`);
      if (raw > 0 && q < values[raw - 1]!) throw fail(`'${key}' must not decrease: raw MAPQ ${raw} maps to ${q}, below raw ${raw - 1}'s ${values[raw - 1]}`);
      values[raw] = q;
    }
    if (values[0] !== 0) throw fail(`'${key}[0]' must be 0 (raw MAPQ 0 means equally good placements elsewhere)`);
    curves[mapqClass] = values;
  }
  // a preset without pairs still answers for the paired class, with its single-read curve
  curves.paired ??= curves.single;
  return { preset, path, curves };
}

/**
 * Fits one class's curve: the error rate as a non-increasing function of the raw MAPQ by
 * pool-adjacent-violators over the training counts, each pooled block's rate taken as
 * (wrong + ½) / (reads + 1) so an error-free block is bounded by its size rather than read as
 * certainty, then Phred-scaled, rounded down (the curve never claims more than the data),
 * capped at 60. Raw values no training read had take their lower neighbour's value.
 */
export function fitMapqCurve(evidence: MapqCurveEvidence): number[] {
  interface Block {
    first: number;
    last: number;
    reads: number;
    wrong: number;
  }
  const rate = (b: Block): number => (b.wrong + 0.5) / (b.reads + 1);
  const blocks: Block[] = [];
  for (let raw = 1; raw <= MAX_MAPQ; raw++) {
    const reads = evidence.reads[raw] ?? 0;
    if (reads === 0) continue;
    blocks.push({ first: raw, last: raw, reads, wrong: evidence.wrong[raw] ?? 0 });
    // the error rate must not rise with the raw MAPQ: pool a block with its predecessor while it does
    while (blocks.length > 1 && rate(blocks[blocks.length - 1]!) >= rate(blocks[blocks.length - 2]!)) {
      const last = blocks.pop()!;
      const previous = blocks[blocks.length - 1]!;
      previous.last = last.last;
      previous.reads += last.reads;
      previous.wrong += last.wrong;
    }
  }
  const curve = new Array<number>(MAX_MAPQ + 1).fill(0);
  for (const block of blocks) {
    const q = Math.min(MAX_MAPQ, Math.floor(-10 * Math.log10(rate(block))));
    for (let raw = block.first; raw <= block.last; raw++) curve[raw] = q;
  }
  // raw values without training reads: the value below them (the first block's for those before it)
  let carried = blocks.length > 0 ? curve[blocks[0]!.first]! : 0;
  for (let raw = 1; raw <= MAX_MAPQ; raw++) {
    if ((evidence.reads[raw] ?? 0) === 0 && !blocks.some((b) => raw >= b.first && raw <= b.last)) curve[raw] = carried;
    carried = curve[raw]!;
  }
  return curve;
}
