/**
 * The aligner's native kernel (native/, C behind N-API): minimizer sketch, seed lookup,
 * chaining, banded affine-gap DP and chain extension, and the 2-bit reference unpacker. These
 * have no TypeScript twin; the rest of engine/align calls them through this module.
 *
 * The addon is built at install (`npm run build:native`, node-gyp) to
 * native/build/Release/genomaic_align.node, found from the package root so the same code runs
 * from source and from dist/. It is context-aware, so every worker thread loads its own copy
 * of the module state; the index arrays it reads are views of the shared index image.
 */
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { EngineError } from '../errors.js';
import { findPackageRoot } from '../version.js';

/** An opaque native object (the addon wraps its C workspace in it). */
export interface NativeHandle {
  readonly __native: unique symbol;
}

export interface AlignAddon {
  sketch(codes: Uint8Array, k: number, w: number, positionOffset: number): [Uint32Array, Uint32Array, Uint32Array];
  encodeBases(ascii: Uint8Array, out: Uint8Array): void;
  unpackReference(packed: Uint8Array, ambiguousRuns: Uint32Array, start: number, end: number, out: Uint8Array): void;
  createAligner(
    bucketStart: Uint32Array,
    entryCheck: Uint32Array,
    entryPosition: Uint32Array,
    bucketBits: number,
    k: number,
    w: number,
    packed: Uint8Array,
    ambiguousRuns: Uint32Array,
    contigOffsets: Float64Array,
    contigLengths: Float64Array,
    params: Float64Array,
  ): NativeHandle;
  seedAndChain(aligner: NativeHandle, read: Uint8Array, cutoff: number, rescueCutoff: number, out: Float64Array): number;
  copyChains(aligner: NativeHandle, out: Float64Array): number;
  /** Read bases covered by the minimizers the last seedAndChain cut as repetitive. */
  repetitiveLength(aligner: NativeHandle): number;
  extendChain(aligner: NativeHandle, chainIndex: number, out: Float64Array, cigar: Uint32Array): number;
  createDp(): NativeHandle;
  dpAlign(dp: NativeHandle, query: Uint8Array, target: Uint8Array, scoring: Int32Array, band: number, mode: number, out: Float64Array, cigar: Uint32Array, minScore: number, rowsOnly: number): number;
}

/** Fields of `seedAndChain`'s output: 3 statistics, then 7 numbers per chain. */
export const SEED_STATS_FIELDS = 3;
export const CHAIN_FIELDS = 7;

export const ADDON_RELATIVE_PATH = join('native', 'build', 'Release', 'genomaic_align.node');

let addon: AlignAddon | undefined;

/** The loaded addon; throws naming the file and the build command when it is missing. */
export function alignAddon(): AlignAddon {
  if (addon) return addon;
  const path = join(findPackageRoot(), ADDON_RELATIVE_PATH);
  if (!existsSync(path)) {
    throw EngineError.of(
      'internal',
      `The aligner's native kernel ${path} is missing: build it with \`npm run build:native\` (needs a C compiler; see scripts/build-native.mjs)`,
    );
  }
  try {
    addon = createRequire(import.meta.url)(path) as AlignAddon;
  } catch (err) {
    throw EngineError.of('internal', `The aligner's native kernel ${path} failed to load (${err instanceof Error ? err.message : String(err)}); rebuild it with \`npm run build:native\``);
  }
  return addon;
}
