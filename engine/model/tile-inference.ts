/**
 * The model's forward pass over one encoded tile in the calling thread, and `genotypeTile`, the
 * whole step (encode, predict, verify) for one tile of columns. The caller hands the forward
 * pass to an inference worker instead (inference-pool.ts); both read the same predictions.
 */
import * as tf from '@tensorflow/tfjs';
import { encodeTile, FEATURE_COUNT, type PileupColumnEvidence } from './features.js';
import { candidateRows, siteEvidence, verifySites, type CandidateSite, type GenotypeTileOptions, type ModelCall, type TilePredict } from './genotype.js';
import { readPredictions, type GenomeLtmMoe } from './model.js';
import { inferenceScan } from './ssm.js';
import { DEFAULT_VERIFIER_CONFIG, type VerifierConfig } from './verifier.js';

/**
 * Predictions from `model` in this thread. The forward pass runs when called (synchronously);
 * only reading the outputs waits.
 */
export function inProcessPredict(model: GenomeLtmMoe): TilePredict {
  return async (features, length, positions) => {
    if (positions.length === 0) return [];
    for (const p of positions) if (!(Number.isInteger(p) && p >= 0 && p < length)) throw new RangeError(`predict: row ${p} is outside the tile's ${length} rows`);
    const output = tf.tidy(() => model.forwardAt(tf.tensor3d(features, [1, length, FEATURE_COUNT]), positions, inferenceScan()));
    try {
      return await readPredictions(output, 0, model.architecture.experts, model.temperature);
    } finally {
      tf.dispose(Object.values(output));
    }
  };
}

/**
 * Runs the model over one tile of consecutive columns and verifies each candidate. The tile
 * should extend beyond the candidates on both sides (the caller's fetch margin) so that both
 * scan directions see context; for whole contigs use streaming.ts instead and the same
 * per-candidate steps.
 */
export async function genotypeTile(
  model: GenomeLtmMoe,
  modelId: string,
  columns: readonly PileupColumnEvidence[],
  candidates: readonly CandidateSite[],
  config: VerifierConfig | ((site: CandidateSite) => VerifierConfig) = DEFAULT_VERIFIER_CONFIG,
  options: GenotypeTileOptions = {},
): Promise<ModelCall[]> {
  if (columns.length === 0 || candidates.length === 0) return [];
  const rows = candidateRows(candidates, columns[0]!.position, columns.length);
  const features = encodeTile(columns);
  const predictions = await inProcessPredict(model)(features, columns.length, rows);
  return verifySites(siteEvidence(columns, features, candidates), predictions, model.architecture.experts, modelId, config, options);
}

