/**
 * The model as the caller uses it: a tile of pileup columns in, one verified call per candidate
 * column out, with the provenance the VCF and the sidecar need (model id, experts and weights,
 * verifier verdict). The caller keeps its own locus logic (alleles, normalisation, records);
 * this replaces only its genotype posterior where a checkpoint is loaded.
 *
 * No TensorFlow.js here: the caller's thread encodes and verifies while the forward pass runs
 * in an inference worker (inference-pool.ts) or, in this thread, through tile-inference.ts.
 */
import { alternateAllele, columnDepth, contextSpeciality, FEATURE_COUNT, type ExpertSpeciality, type PileupColumnEvidence, type StrandSupport } from './features.js';
import type { PositionPrediction } from './model.js';
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
 * The model's predictions at `positions` (rows) of one encoded tile ([length × FEATURE_COUNT]):
 * in this thread (`inProcessPredict`) or in an inference worker (inference-pool.ts), which
 * answer the same.
 */
export type TilePredict = (features: Float32Array, length: number, positions: readonly number[]) => Promise<PositionPrediction[]>;

/** Each candidate's row in a tile that starts at `origin` with `length` columns; throws for a candidate outside it. */
export function candidateRows(candidates: readonly CandidateSite[], origin: number, length: number): number[] {
  return candidates.map((site) => {
    const row = site.position - origin;
    if (!(row >= 0 && row < length)) throw new Error(`genotypeTile: candidate at ${site.position} is outside the tile ${origin}–${origin + length - 1}`);
    return row;
  });
}

/** What the verifier needs of one candidate besides the model's prediction. */
export interface SiteEvidence {
  site: CandidateSite;
  /** The candidate's pileup column. */
  column: PileupColumnEvidence;
  /** The expert named for its context (moe.ts `contextSpeciality` of its encoded row). */
  speciality: ExpertSpeciality;
}

/**
 * Each candidate's column and context speciality, from the tile's columns and their encoding;
 * kept instead of the tile so that a caller holding calls in flight holds a few hundred
 * columns, not 200,000.
 */
export function siteEvidence(columns: readonly PileupColumnEvidence[], features: Float32Array, candidates: readonly CandidateSite[]): SiteEvidence[] {
  if (candidates.length === 0) return [];
  const rows = candidateRows(candidates, columns[0]!.position, columns.length);
  return candidates.map((site, i) => ({ site, column: columns[rows[i]!]!, speciality: contextSpeciality(features, rows[i]! * FEATURE_COUNT) }));
}

/** The verifier's pass over the model's predictions (`predictions[i]` for `sites[i]`). */
export function verifySites(
  sites: readonly SiteEvidence[],
  predictions: readonly PositionPrediction[],
  expertNames: readonly string[],
  modelId: string,
  config: VerifierConfig | ((site: CandidateSite) => VerifierConfig) = DEFAULT_VERIFIER_CONFIG,
  options: GenotypeTileOptions = {},
): ModelCall[] {
  return sites.map(({ site, column, speciality }, i) => {
    const prediction = predictions[i]!;
    const contextExpert = expertNames.indexOf(speciality);
    const verifier = options.verify === false ? unverified(prediction) : verifyCall(verifierEvidenceFor(column, site, prediction, expertNames, contextExpert), typeof config === 'function' ? config(site) : config);
    return {
      position: site.position,
      prediction,
      verifier,
      provenance: {
        modelId,
        experts: prediction.experts.map((e) => ({ name: e.name, weight: Math.round(e.weight * 1000) / 1000 })),
        verdict: verifier.verdict.kind,
        reroutedTo: verifier.reroutedTo === null ? null : expertNames[verifier.reroutedTo]!,
      },
    };
  });
}

/** The routed answer as it stands, with no check (the verifier ablation). */
function unverified(prediction: PositionPrediction): VerifierOutcome {
  return { verdict: { kind: 'pass' }, genotype: genotypeOf(prediction.posterior), posterior: prediction.posterior, gq: gqOf(prediction.posterior), reroutedTo: null, findings: [] };
}
