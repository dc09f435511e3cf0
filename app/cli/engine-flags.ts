import type { HostKind } from '../contract.js';
import { Engine } from '../../engine/engine.js';
import { defaultDataDir } from '../../engine/data-dir.js';
import type { FlagSpec, ParsedArgs } from './args.js';
import { stringFlag } from './args.js';

/** Flags every engine-backed command accepts. */
export const ENGINE_FLAGS: Record<string, FlagSpec> = {
  'data-dir': { type: 'string' },
};

export const ENGINE_FLAGS_USAGE = `  --data-dir DIR   project folder (database, uploads); default $GENOMAIC_HOME or the user data folder`;

export function openEngineFromFlags(parsed: ParsedArgs, host: HostKind): Engine {
  return Engine.open({ dataDir: stringFlag(parsed, 'data-dir') ?? defaultDataDir(), host });
}
