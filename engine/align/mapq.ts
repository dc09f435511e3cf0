/**
 * Mapping quality: the Phred-scaled probability that the primary placement is wrong.
 *
 * The raw estimate is minimap2's model (Li 2018, mm_set_mapq): how much better the placement
 * scores than the best alternative, scaled by the alignment's identity and damped when the
 * read has few anchors, a short chain, or much of its length in repetitive minimizers the
 * seeding skipped (those hide alternative placements the chaining never saw), minus a term
 * for the number of near-equal competitors. Long reads also take the smaller of that and the
 * score gap read as a likelihood ratio, as minimap2 does outside its short-read mode.
 *
 * The raw value is a ranking, not a probability: ./mapq-calibration.ts maps it to the error
 * rate observed at that value on simulated reads with known origin (docs/align.md, "MAPQ").
 */
export interface MapqEvidence {
  /** DP score of the primary and of the best alternative placement (0 if none). */
  score: number;
  secondScore: number;
  /** Chain scores of the same. */
  chainScore: number;
  secondChainScore: number;
  anchorCount: number;
  /** Matching fraction of alignment columns. */
  identity: number;
  match: number;
  /** Other chains scoring close to the best (unresolved repeat copies). */
  nearCompetitors: number;
  minChainScore: number;
  /**
   * Fraction of the read's seeding evidence that is unique: the chain scores of its
   * alignments over those plus the read bases covered by repetitive minimizers (minimap2's
   * uniq_ratio). 1 when no minimizer was cut.
   */
  uniqueFraction: number;
  /** Long reads: cap by the score gap as a likelihood ratio (minimap2's mapq_alt). */
  longRead: boolean;
}

export const MAX_MAPQ = 60;

/** minimap2's q_coef. */
const MAPQ_SCALE = 40;

/** The unique fraction of a read's seeding evidence (see MapqEvidence.uniqueFraction). */
export function uniqueSeedFraction(sumChainScore: number, repetitiveLength: number): number {
  return sumChainScore + repetitiveLength > 0 ? sumChainScore / (sumChainScore + repetitiveLength) : 1;
}

export function estimateMapq(e: MapqEvidence): number {
  if (e.score <= 0) return 0;
  // a short chain or one resting on few anchors, or a read mostly in skipped repeats, is weak evidence
  const shortChainPenalty = Math.min(1, e.chainScore / 100) * e.uniqueFraction;
  const countPenalty = Math.min(e.anchorCount >= 10 ? 1 : 0.1 * e.anchorCount, shortChainPenalty);
  const chainSub = Math.max(e.secondChainScore, e.minChainScore);
  let mapq: number;
  if (e.secondScore > 0) {
    const ratio = Math.min(1, e.secondScore / e.score);
    mapq = e.identity * countPenalty * MAPQ_SCALE * (1 - ratio * ratio) * Math.log(e.score / e.match);
    if (e.longRead) {
      const likelihoodRatio = (6.02 * e.identity * e.identity * (e.score - e.secondScore)) / e.match;
      mapq = Math.min(mapq, likelihoodRatio);
    }
  } else {
    const x = Math.min(1, chainSub / Math.max(1, e.chainScore));
    mapq = e.identity * countPenalty * MAPQ_SCALE * (1 - x) * Math.log(e.score / e.match);
  }
  mapq -= 4.343 * Math.log(e.nearCompetitors + 1);
  mapq = Math.max(0, Math.min(MAX_MAPQ, Math.round(mapq)));
  if (mapq === 0 && e.score > e.secondScore && e.secondScore > 0) mapq = 1;
  return mapq;
}
