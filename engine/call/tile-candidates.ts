/**
 * A tile's pileup with every candidate source the caller uses: the alleles reads' alignments
 * show (`buildPileup`), the consensus of longer indels that noisy reads scatter over many
 * spellings (`consensusIndelCandidates`), and whole-unit length changes of repeats
 * (`repeatLengthCandidates`). The caller's tile loop and the model's training tiles both take
 * their candidates from here, so the model trains on the loci it is asked about at run time.
 */
import type { CallerConfig } from './config.js';
import { consensusIndelCandidates } from './indel-consensus.js';
import { buildPileup, compareCandidates, type TilePileup } from './pileup.js';
import { repeatLengthCandidates } from './repeat-alleles.js';
import type { AlignedRead } from './types.js';

/**
 * Counts alleles over [origin, end) and reports, sorted, the candidates anchored in
 * [callStart, callEnd). `reads` must be sorted by start.
 */
export function tilePileupWithCandidates(reads: readonly AlignedRead[], reference: string, origin: number, end: number, callStart: number, callEnd: number, config: CallerConfig): TilePileup {
  const pileup = buildPileup(reads, reference, origin, end, callStart, callEnd, config);
  pileup.candidates = [...pileup.candidates, ...consensusIndelCandidates(pileup, reads, reference, callStart, callEnd, config)].sort(compareCandidates);
  // Given the candidates so far: a repeat's length change that one of them already spells is not proposed twice.
  pileup.candidates = [...pileup.candidates, ...repeatLengthCandidates(reads, reference, callStart, callEnd, pileup.candidates, config)].sort(compareCandidates);
  return pileup;
}
