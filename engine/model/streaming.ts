/**
 * Streaming inference over a whole contig in constant memory. Tiles are read in order; each is
 * run with a look-ahead window after it. The forward direction's state after the tile is
 * carried to the next tile (exact); the backward direction starts from zero at the end of the
 * look-ahead (an approximation whose error the backward decay floor bounds: docs/model.md,
 * "Streaming"). Memory depends on tile + look-ahead, not on the contig length.
 */
import * as tf from '@tensorflow/tfjs';
import { FEATURE_COUNT } from './features.js';
import type { GenomeLtmMoe } from './model.js';
import type { MoeOutput } from './moe.js';
import { backboneWindow, inferenceScan, type ScanImplementation } from './ssm.js';

/** Encoded features of a long sequence, read a window at a time. */
export interface FeatureSource {
  /** Positions in the sequence. */
  readonly length: number;
  /** Row-major [count × FEATURE_COUNT] features of positions start … start+count−1. */
  read(start: number, count: number): Float32Array;
}

export interface StreamingOptions {
  /** Positions whose outputs each step produces. */
  tileLength: number;
  /**
   * Positions after the tile that the backward direction reads. Default: twice the model's
   * backward horizon (one horizon per residual path is not enough once layers stack; measured
   * in tests/unit/model/streaming.test.ts).
   */
  lookahead?: number;
  /** Scan form; default: the faster one for the backend in use (ssm.ts `inferenceScan`). */
  scan?: ScanImplementation;
}

export interface StreamedTile {
  start: number;
  length: number;
  /** Outputs for the tile's positions; disposed after the consumer returns. */
  output: MoeOutput;
}

export function defaultLookahead(model: GenomeLtmMoe): number {
  return 2 * model.architecture.backwardHorizon;
}

/** A FeatureSource over features already in memory (tests, short regions). */
export function arrayFeatureSource(features: Float32Array): FeatureSource {
  if (features.length % FEATURE_COUNT !== 0) throw new Error(`arrayFeatureSource: ${features.length} values is not a whole number of ${FEATURE_COUNT}-channel rows`);
  return {
    length: features.length / FEATURE_COUNT,
    read: (start, count) => features.subarray(start * FEATURE_COUNT, (start + count) * FEATURE_COUNT),
  };
}

/**
 * Runs the model tile by tile over `source`, calling `consume` with each tile's outputs in
 * order. Tensors are disposed as soon as the consumer returns, and only the per-layer forward
 * states survive between tiles.
 */
export async function streamPredict(model: GenomeLtmMoe, source: FeatureSource, options: StreamingOptions, consume: (tile: StreamedTile) => void | Promise<void>): Promise<void> {
  const lookahead = options.lookahead ?? defaultLookahead(model);
  if (!Number.isInteger(options.tileLength) || options.tileLength < 1) throw new Error(`streamPredict: tileLength must be a positive whole number (got ${options.tileLength})`);
  const scan = options.scan ?? inferenceScan();
  let states: tf.Tensor4D[] | undefined;
  try {
    for (let start = 0; start < source.length; start += options.tileLength) {
      const tileLength = Math.min(options.tileLength, source.length - start);
      const ahead = Math.min(lookahead, source.length - start - tileLength);
      const windowFeatures = source.read(start, tileLength + ahead);
      const { output, nextStates } = tf.tidy(() => {
        const x = tf.tensor3d(windowFeatures, [1, tileLength + ahead, FEATURE_COUNT]);
        const { hidden, forwardStates } = backboneWindow(model.store, model.architecture, x, tileLength, states, scan);
        const tileHidden = ahead > 0 ? hidden.slice([0, 0, 0], [1, tileLength, model.architecture.dModel]) : hidden;
        const tileFeatures = ahead > 0 ? x.slice([0, 0, 0], [1, tileLength, FEATURE_COUNT]) : x;
        return { output: model.heads(tileHidden, tileFeatures), nextStates: forwardStates };
      });
      if (states) tf.dispose(states);
      states = nextStates;
      try {
        await consume({ start, length: tileLength, output });
      } finally {
        tf.dispose(Object.values(output));
      }
    }
  } finally {
    if (states) tf.dispose(states);
  }
}
