/**
 * The UCSC/htslib hierarchical binning scheme shared by BAM (BAI) and tabix (TBI) indexes.
 *
 * SAMv1 §5.3: six levels of bins; level 0 is one bin covering 512 Mbp (2^29), each lower
 * level splits its parent into eight, down to 16 kbp (2^14) bins at level 5. A feature is
 * stored in the smallest bin that contains it entirely, so a region query only needs to
 * look at the bins overlapping it at each level. BAI/TBI fix min_shift = 14 and depth 5;
 * positions at or beyond 2^29 need a CSI index instead.
 */

/** Bits of the smallest bin: 2^14 = 16 kbp. Also the width of a linear-index window. */
export const BAI_MIN_SHIFT = 14;
/** Number of levels below the root bin. */
export const BAI_DEPTH = 5;
/** One past the largest position a BAI/TBI index can hold (2^29 = 512 Mbp). */
export const BAI_MAX_POSITION = 2 ** (BAI_MIN_SHIFT + 3 * BAI_DEPTH);
/** Number of real bins, ((1 << 18) - 1) / 7; bin numbers below this are positional. */
export const BAI_BIN_COUNT = 37449;
/** The pseudo-bin that holds per-reference offsets and mapped/unmapped counts (htslib META_BIN). */
export const BAI_PSEUDO_BIN = 37450;
/** Width of one linear-index window (the level-5 bin size). */
export const LINEAR_WINDOW_SIZE = 2 ** BAI_MIN_SHIFT;

/**
 * The bin of a half-open interval [beg, end), 0-based, as SAMv1's `reg2bin`.
 *
 * An empty interval (end == beg) is treated as one base long, as htslib's `hts_reg2bin`
 * does after its `--end`; beg = -1, end = 0 (unplaced unmapped reads) gives bin 4680,
 * exactly as the spec prescribes. Arithmetic shift keeps -1 negative, as C does for int.
 */
export function reg2bin(beg: number, end: number): number {
  const last = end - 1;
  if (beg >> 14 === last >> 14) return 4681 + (beg >> 14);
  if (beg >> 17 === last >> 17) return 585 + (beg >> 17);
  if (beg >> 20 === last >> 20) return 73 + (beg >> 20);
  if (beg >> 23 === last >> 23) return 9 + (beg >> 23);
  if (beg >> 26 === last >> 26) return 1 + (beg >> 26);
  return 0;
}

/** Parent bin of a bin (htslib `hts_bin_parent`). Bin 0 has no parent. */
export function parentBin(bin: number): number {
  return (bin - 1) >> 3;
}

/** The level (0 = root, 5 = 16 kbp) of a positional bin. */
export function binLevel(bin: number): number {
  let level = 0;
  // First bin of each level: 0, 1, 9, 73, 585, 4681 (((1 << 3l) - 1) / 7).
  for (let first = 1; level < BAI_DEPTH && bin >= first; first = first * 8 + 1) level++;
  return level;
}

/** First bin number on a level (htslib `hts_bin_first`). */
export function firstBinOfLevel(level: number): number {
  return ((1 << (3 * level)) - 1) / 7;
}
