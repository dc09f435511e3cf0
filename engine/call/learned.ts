/**
 * The opt-in learned genotyper (GenomeLTM-MoE, engine/model) as the caller uses it: load a
 * checkpoint once per run, genotype each tile's candidate columns, and say which model call
 * belongs to which locus. The statistical genotyper stays the default and the fallback: any
 * reason not to trust the checkpoint (it does not load, no backend, not trained for this
 * platform) becomes a warning and the run continues without it (docs/model.md, "Wiring into
 * the caller").
 *
 * engine/model (and with it TensorFlow.js) is imported lazily so that a run without
 * `modelDir` neither pays for loading tfjs nor depends on its backends.
 */
import type { AlignedRead, CandidateAllele, Platform } from './types.js';
import type { CallerConfig } from './config.js';
import { repeatTractAt } from './repeats.js';
// Plain functions over the caller's reads (no tfjs): safe to import eagerly.
import { candidateColumnAllele, pileupColumnsFromReads } from '../model/pileup-columns.js';
import type { GenomeLtmMoe } from '../model/model.js';
import type { CheckpointManifest } from '../model/checkpoint.js';
import type { CandidateSite, ModelCall } from '../model/genotype.js';
import type { Allele } from '../model/features.js';

/** Jensen–Shannon bound (bits) above which two used experts disagree; docs/model.md's value for the hook. */
export const MAX_EXPERT_DIVERGENCE = 0.25;

export interface LearnedGenotyper {
  model: GenomeLtmMoe;
  manifest: CheckpointManifest;
  directory: string;
  /** tfjs backend the model runs on (provenance). */
  backend: string;
}

/** A model call together with the column allele it genotyped (the key of its locus). */
export interface PlacedModelCall {
  allele: Allele;
  call: ModelCall;
}

/** Model calls of one tile by column position. */
export type TileModelCalls = Map<number, PlacedModelCall>;

/**
 * Loads the checkpoint in `modelDir`, or returns null (with a warning in `warnings`) when it
 * cannot be used for this run; null without a warning when no directory was given.
 */
export async function loadLearnedGenotyper(modelDir: string | undefined, platform: Platform, warnings: string[]): Promise<LearnedGenotyper | null> {
  if (!modelDir) return null;
  const prefix = 'learned genotyper not used (statistical genotyper instead)';
  // The backend first: the weights become tensors on whichever backend is active when they load.
  const { selectBackend } = await import('../model/backend.js');
  const selection = await selectBackend();
  if (!selection.tried.some((t) => t.ok)) {
    warnings.push(`${prefix}: no usable TensorFlow.js backend (${selection.tried.map((t) => `${t.name}: ${t.reason}`).join('; ')})`);
    return null;
  }
  let loaded: { model: GenomeLtmMoe; manifest: CheckpointManifest };
  try {
    const { loadCheckpoint } = await import('../model/checkpoint.js');
    loaded = await loadCheckpoint(modelDir);
  } catch (err) {
    // loadCheckpoint's messages name the file and the field (a missing folder: manifest.json's path).
    warnings.push(`${prefix}: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
  const trainedOn = loaded.manifest.config.data.platforms;
  if (!trainedOn.includes(platform)) {
    warnings.push(`${prefix}: ${modelDir}/manifest.json: config.data.platforms: the checkpoint '${loaded.manifest.modelId}' was trained on ${trainedOn.join(', ')}, not ${platform}`);
    loaded.model.dispose();
    return null;
  }
  return { ...loaded, directory: modelDir, backend: selection.backend };
}

/**
 * Runs the model over the fetched span of one tile and returns its calls keyed by column. One
 * column per position: when two candidates land on the same column (an SNV and a deletion
 * starting there), the first keeps the model call and the other stays statistical.
 */
export async function modelCallsForTile(
  learned: LearnedGenotyper,
  reads: readonly AlignedRead[],
  sequence: string,
  fetchStart: number,
  fetchEnd: number,
  candidates: readonly CandidateAllele[],
  config: CallerConfig,
): Promise<TileModelCalls> {
  const { genotypeTile } = await import('../model/genotype.js');
  const candidateAlleles = new Map<number, Allele>();
  const sites: CandidateSite[] = [];
  for (const c of candidates) {
    const placed = candidateColumnAllele(c);
    if (!placed || candidateAlleles.has(placed.position)) continue;
    // A column outside the fetched span has no evidence (cannot happen for pileup candidates, guarded anyway).
    if (placed.position < fetchStart || placed.position >= fetchEnd) continue;
    candidateAlleles.set(placed.position, placed.allele);
    const tract = repeatTractAt(sequence, c.pos, c.pos + c.ref.length);
    sites.push({ position: placed.position, isIndel: c.kind !== 'snv', repeatLength: tract.end - tract.start });
  }
  const out: TileModelCalls = new Map();
  if (sites.length === 0) return out;
  const columns = pileupColumnsFromReads(reads, sequence, fetchStart, fetchEnd, {
    platform: config.platform,
    minMappingQuality: config.minMappingQuality,
    minBaseQuality: config.minBaseQuality,
    candidateAlleles,
  });
  const calls = await genotypeTile(learned.model, learned.manifest.modelId, columns, sites, { ...config.abstention, maxExpertDivergence: MAX_EXPERT_DIVERGENCE });
  for (const call of calls) out.set(call.position, { allele: candidateAlleles.get(call.position)!, call });
  return out;
}

/**
 * The model call for a locus, if any: only bi-allelic loci whose single candidate is the one
 * the model genotyped at that column (multi-allelic loci keep the statistical genotype; the
 * model's classes are per alt allele).
 */
export function modelCallForLocus(calls: TileModelCalls | null, alts: readonly string[], locusCandidates: readonly CandidateAllele[]): ModelCall | null {
  if (!calls || alts.length !== 1 || locusCandidates.length !== 1) return null;
  const placed = candidateColumnAllele(locusCandidates[0]!);
  if (!placed) return null;
  const entry = calls.get(placed.position);
  return entry && entry.allele === placed.allele ? entry.call : null;
}
