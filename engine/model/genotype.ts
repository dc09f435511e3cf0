/**
 * The model as the caller uses it: a tile of pileup columns in, one verified call per candidate
 * column out, with the provenance the VCF and the sidecar need (model id, experts and weights,
 * verifier verdict). The caller keeps its own locus logic (alleles, normalisation, records);
 * this replaces only its genotype posterior where a checkpoint is loaded.
 */
import * as tf from '@tensorflow/tfjs';
import { alternateAllele, columnDepth, encodeTile, FEATURE_COUNT, type PileupColumnEvidence, type StrandSupport } from './features.js';
import { readPredictions, type GenomeLtmMoe, type PositionPrediction } from './model.js';
import { contextSpeciality } from './moe.js';
import { inferenceScan } from './ssm.js';
import { DEFAULT_VERIFIER_CONFIG, genotypeOf, gqOf, verifyCall, type VerifierConfig, type VerifierEvidence, type VerifierOutcome } from './verifier.js';

export interface CandidateSite {
  /** Reference position of the column (as in PileupColumnEvidence.position). */
  position: number;
  isIndel: boolean;
  /** Longest homopolymer / tandem repeat touching the locus, bp (caller's repeats.ts). */
  repeatLength: number;
  /**
   * The statistical genotyper's realigned reads per strand for REF and this candidate, when it
   * genotyped the locus (features.ts `BaselineGenotypeEvidence.readSupport`). The verifier's
   * allele-balance and strand checks then read these, as the caller's own rules do, instead of
   * the column's counts.
   */
  readSupport?: StrandSupport;
}

export interface GenotypeTileOptions {
  /** Run the verifier (default true). Off (ablation): the routed posterior stands and the verdict is pass. */
  verify?: boolean;
}

export interface ModelCall {
  position: number;
  prediction: PositionPrediction;
  verifier: VerifierOutcome;
  /** Short provenance, for INFO keys and the sidecar. */
  provenance: {
    modelId: string;
    experts: { name: string; weight: number }[];
    verdict: 'pass' | 'reroute' | 'abstain';
    reroutedTo: string | null;
  };
}

/** Verifier evidence from a column (counts, qualities) plus the model's prediction. */
export function verifierEvidenceFor(column: PileupColumnEvidence, site: CandidateSite, prediction: PositionPrediction, expertNames: readonly string[], contextExpert: number): VerifierEvidence {
  const alt = alternateAllele(column);
  // A read with an insertion after this base also shows the base (features.ts counts it in
  // both): for an insertion the reference reads are those without it, else a hom-alt
  // insertion looks half reference and fails the allele-balance check.
  const carriesAltToo = alt === 'ins';
  const fromColumn: StrandSupport = {
    refForward: column.refBase === 'N' ? 0 : Math.max(0, column.forward[column.refBase] - (carriesAltToo ? column.forward.ins : 0)),
    refReverse: column.refBase === 'N' ? 0 : Math.max(0, column.reverse[column.refBase] - (carriesAltToo ? column.reverse.ins : 0)),
    altForward: column.forward[alt],
    altReverse: column.reverse[alt],
  };
  const { refForward, refReverse, altForward, altReverse } = site.readSupport ?? fromColumn;
  const supporting = refForward + refReverse + altForward + altReverse;
  // Mean MAPQ over the reads supporting ref or alt, weighted by how many support each.
  const meanMappingQuality = supporting > 0 ? (column.refMeanMappingQuality * (refForward + refReverse) + column.altMeanMappingQuality * (altForward + altReverse)) / supporting : 0;
  const evidence: VerifierEvidence = {
    posterior: prediction.posterior,
    usedExperts: prediction.experts.map((e) => e.index),
    expertPosteriors: prediction.expertPosteriors,
    depth: columnDepth(column),
    meanMappingQuality,
    // The column records the MAPQ < 10 fraction; the caller's MAPQ-0 rule is the stricter subset.
    mapq0Fraction: column.lowMappingQualityFraction,
    refForward,
    refReverse,
    altForward,
    altReverse,
    isIndel: site.isIndel,
    repeatLength: site.repeatLength,
  };
  if (contextExpert >= 0 && contextExpert < expertNames.length) evidence.contextExpert = contextExpert;
  return evidence;
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
  const origin = columns[0]!.position;
  const features = encodeTile(columns);
  const output = tf.tidy(() => model.forward(tf.tensor3d(features, [1, columns.length, FEATURE_COUNT]), inferenceScan()));
  let predictions: PositionPrediction[];
  try {
    predictions = await readPredictions(output, 0, model.architecture.experts, model.temperature);
  } finally {
    tf.dispose(Object.values(output));
  }
  const names = model.architecture.experts;
  return candidates.map((site) => {
    const index = site.position - origin;
    const column = columns[index];
    if (!column) throw new Error(`genotypeTile: candidate at ${site.position} is outside the tile ${origin}–${origin + columns.length - 1}`);
    const prediction = predictions[index]!;
    const contextExpert = names.indexOf(contextSpeciality(features, index * FEATURE_COUNT));
    const verifier = options.verify === false ? unverified(prediction) : verifyCall(verifierEvidenceFor(column, site, prediction, names, contextExpert), typeof config === 'function' ? config(site) : config);
    return {
      position: site.position,
      prediction,
      verifier,
      provenance: {
        modelId,
        experts: prediction.experts.map((e) => ({ name: e.name, weight: Math.round(e.weight * 1000) / 1000 })),
        verdict: verifier.verdict.kind,
        reroutedTo: verifier.reroutedTo === null ? null : names[verifier.reroutedTo]!,
      },
    };
  });
}

/** The routed answer as it stands, with no check (the verifier ablation). */
function unverified(prediction: PositionPrediction): VerifierOutcome {
  return { verdict: { kind: 'pass' }, genotype: genotypeOf(prediction.posterior), posterior: prediction.posterior, gq: gqOf(prediction.posterior), reroutedTo: null, findings: [] };
}
