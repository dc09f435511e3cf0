/**
 * Mapping quality: the Phred-scaled probability that the primary placement is wrong,
 * estimated from how much better it scores than the best alternative (minimap2's model:
 * Li 2018, mm_set_mapq). The raw estimate is then passed through a calibration curve fitted
 * on simulated reads with known origin (see docs/align.md, "MAPQ calibration"), so that at
 * MAPQ q about 10^(−q/10) of reads are misplaced.
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
}

export const MAX_MAPQ = 60;

export function estimateMapq(e: MapqEvidence): number {
  if (e.score <= 0) return 0;
  const countPenalty = e.anchorCount >= 10 ? 1 : 0.1 * e.anchorCount;
  const chainSub = Math.max(e.secondChainScore, e.minChainScore);
  let mapq: number;
  if (e.secondScore > 0) {
    const ratio = Math.min(1, e.secondScore / e.score);
    mapq = e.identity * countPenalty * 40 * (1 - ratio * ratio) * Math.log(e.score / e.match);
  } else {
    const x = Math.min(1, chainSub / Math.max(1, e.chainScore));
    mapq = e.identity * countPenalty * 40 * (1 - x) * Math.log(e.score / e.match);
  }
  mapq -= 4.343 * Math.log(e.nearCompetitors + 1);
  mapq = Math.max(0, Math.min(MAX_MAPQ, Math.round(mapq)));
  if (mapq === 0 && e.score > e.secondScore && e.secondScore > 0) mapq = 1;
  return mapq;
}
