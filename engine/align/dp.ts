/**
 * Banded affine-gap alignment with traceback (Gotoh), in the native kernel
 * (native/src/dp.c, modes as ksw2's extz):
 *
 * - `global`: both sequences end to end (the gaps between chained anchors);
 * - `extend`: anchored at the start of both, free at the end, stopped by Z-drop (the read
 *   ends beyond the first and last anchors); ends at the read's end when that scores within
 *   `endBonus` of the best cell;
 * - `local`: Smith-Waterman over the whole matrix (mate rescue: a read searched for in the
 *   window where its mate says it should be). The alignment ends at the best-scoring cell.
 *
 * A gap of length L costs gapOpen + L·gapExtend (minimap2's convention). Matches against an
 * ambiguous base (code 4) score -1, as minimap2's default.
 */
import type { NativeHandle } from './native.js';
import { alignAddon } from './native.js';

export const CIGAR_MATCH = 0;
export const CIGAR_INS = 1;
export const CIGAR_DEL = 2;
export const CIGAR_SOFT_CLIP = 4;

export interface DpScoring {
  match: number;
  mismatch: number;
  gapOpen: number;
  gapExtend: number;
  zDrop: number;
  endBonus: number;
}

export interface DpResult {
  score: number;
  /** Where the alignment starts (0 except in local mode). */
  queryStart: number;
  targetStart: number;
  /** Query and target ends (exclusive). */
  queryEnd: number;
  targetEnd: number;
  /** Packed CIGAR (length << 4 | op), M/I/D only. */
  cigar: number[];
  /** Extension stopped by Z-drop before the query's end. */
  zDropped: boolean;
}

const MODE_CODE = { global: 0, extend: 1, local: 2 } as const;

/**
 * One thread's DP buffers (held by the native workspace and reused across calls). The kernel
 * is the AVX2 anti-diagonal one where the CPU has AVX2 (with an SSE2 score-only pass for
 * local mode), else the scalar row-wise one; `rows` forces the scalar one (tests compare).
 */
export class DpWorkspace {
  private readonly handle: NativeHandle = alignAddon().createDp();
  private readonly rowsOnly: number;

  constructor(kernel: 'auto' | 'rows' = 'auto') {
    this.rowsOnly = kernel === 'rows' ? 1 : 0;
  }

  private readonly scoringCodes = new Int32Array(6);
  private readonly out = new Float64Array(6);
  private cigar = new Uint32Array(1024);

  /**
   * Aligns query[0..qlen) to target[0..tlen). `band` is the extra diagonal slack; in global
   * mode the band also covers the length difference. In local mode, a best score below
   * `minScore` is returned alone (empty CIGAR, zero coordinates): a SIMD score-only pass
   * finds it without the traceback DP, which is what makes mate rescue cheap.
   */
  align(query: Uint8Array, target: Uint8Array, scoring: DpScoring, band: number, mode: 'global' | 'extend' | 'local', minScore = -Infinity): DpResult {
    const codes = this.scoringCodes;
    codes[0] = scoring.match;
    codes[1] = scoring.mismatch;
    codes[2] = scoring.gapOpen;
    codes[3] = scoring.gapExtend;
    codes[4] = scoring.zDrop;
    codes[5] = scoring.endBonus;
    const addon = alignAddon();
    let length = addon.dpAlign(this.handle, query, target, codes, band, MODE_CODE[mode], this.out, this.cigar, minScore, this.rowsOnly);
    if (length > this.cigar.length) {
      this.cigar = new Uint32Array(length * 2);
      length = addon.dpAlign(this.handle, query, target, codes, band, MODE_CODE[mode], this.out, this.cigar, minScore, this.rowsOnly);
    }
    const out = this.out;
    return {
      score: out[0]!,
      queryStart: out[1]!,
      targetStart: out[2]!,
      queryEnd: out[3]!,
      targetEnd: out[4]!,
      cigar: Array.from(this.cigar.subarray(0, length)),
      zDropped: out[5] === 1,
    };
  }
}
