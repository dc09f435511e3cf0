/**
 * Banded affine-gap alignment with traceback (Gotoh), in two modes, as ksw2's extz:
 *
 * - `global`: both sequences end to end (the gaps between chained anchors);
 * - `extend`: anchored at the start of both, free at the end, stopped by Z-drop (the read
 *   ends beyond the first and last anchors);
 * - `local`: Smith-Waterman over the whole matrix (mate rescue: a read searched for in the
 *   window where its mate says it should be). The alignment ends at the best-scoring cell, or
 *   at the read's end when that scores within `endBonus` of the best, so a read is clipped
 *   only where clipping really scores better.
 *
 * A gap of length L costs gapOpen + L·gapExtend (minimap2's convention). Matches against an
 * ambiguous base (code 4) score -1, as minimap2's default.
 *
 * Rows run over the query, columns over the target; the band keeps, for row i, the
 * columns j with lo ≤ j − i ≤ hi. H is updated in place in one array indexed by j + 1
 * (index 0 is column −1), U holds the insertion (vertical) state per column, and the
 * deletion (horizontal) state is carried along the row. Each cell's traceback is one byte:
 * bits 0-1 the source of H (0 diagonal, 1 insertion, 2 deletion), bit 2 "insertion
 * extended", bit 3 "deletion extended".
 */
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

const NEG = -0x3fffffff;

/** Reusable buffers for one thread. */
export class DpWorkspace {
  private h = new Int32Array(1024);
  private u = new Int32Array(1024);
  private trace = new Uint8Array(1 << 16);

  private ensure(targetLength: number, traceCells: number): void {
    if (this.h.length < targetLength + 2) {
      this.h = new Int32Array(targetLength + 2 + 1024);
      this.u = new Int32Array(targetLength + 2 + 1024);
    }
    if (this.trace.length < traceCells) this.trace = new Uint8Array(Math.max(traceCells, this.trace.length * 2));
  }

  /**
   * Aligns query[0..qlen) to target[0..tlen). `band` is the extra diagonal slack; in global
   * mode the band also covers the length difference.
   */
  align(query: Uint8Array, target: Uint8Array, scoring: DpScoring, band: number, mode: 'global' | 'extend' | 'local'): DpResult {
    const qlen = query.length;
    const tlen = target.length;
    if (qlen === 0 || tlen === 0) {
      const cigar: number[] = [];
      if (mode === 'global') {
        if (qlen > 0) cigar.push((qlen << 4) | CIGAR_INS);
        if (tlen > 0) cigar.push((tlen << 4) | CIGAR_DEL);
        const gap = (length: number): number => (length > 0 ? scoring.gapOpen + length * scoring.gapExtend : 0);
        return { score: -gap(qlen) - gap(tlen), queryStart: 0, targetStart: 0, queryEnd: qlen, targetEnd: tlen, cigar, zDropped: false };
      }
      return { score: 0, queryStart: 0, targetStart: 0, queryEnd: 0, targetEnd: 0, cigar, zDropped: false };
    }
    const local = mode === 'local';
    const lo = mode === 'global' ? Math.min(0, tlen - qlen) - band : local ? -qlen : -band;
    const hi = mode === 'global' ? Math.max(0, tlen - qlen) + band : local ? tlen : band;
    const width = hi - lo + 1;
    this.ensure(tlen, qlen * width);
    const H = this.h;
    const U = this.u;
    const trace = this.trace;
    const match = scoring.match;
    const mismatch = -scoring.mismatch;
    const openExtend = scoring.gapOpen + scoring.gapExtend;
    const extend = scoring.gapExtend;

    // row −1: H[−1][−1] = 0, leading deletions inside the band of row −1
    H.fill(NEG, 0, tlen + 2);
    U.fill(NEG, 0, tlen + 2);
    H[0] = 0;
    for (let j = 0; j <= Math.min(tlen - 1, hi - 1); j++) H[j + 1] = local ? 0 : -(scoring.gapOpen + (j + 1) * extend);

    let best = 0;
    let bestI = -1;
    let bestJ = -1;
    let endScore = NEG; // best H in the last row (read end reached)
    let endJ = -1;
    let lastRow = qlen - 1;
    let zDropped = false;

    for (let i = 0; i < qlen; i++) {
      const jStart = Math.max(0, i + lo);
      const jEnd = Math.min(tlen - 1, i + hi);
      if (jStart > jEnd) {
        lastRow = i - 1;
        break;
      }
      const qi = query[i]!;
      // H[i][−1]: a leading insertion, inside the band only while −1 ≥ i + lo
      const boundary = local ? 0 : -1 >= i + lo ? -(scoring.gapOpen + (i + 1) * extend) : NEG;
      let diag = H[jStart]!; // H[i−1][jStart−1]
      let left = NEG; // deletion state D[i][j−1]
      let hLeft = jStart === 0 ? boundary : NEG; // H[i][j−1]
      let rowMax = NEG;
      let rowMaxJ = jStart;
      const rowBase = i * width - (i + lo);
      for (let j = jStart; j <= jEnd; j++) {
        const tj = target[j]!;
        const hUp = H[j + 1]!; // H[i−1][j]
        // insertion (consumes query): from H above (open) or U above (extend)
        const insOpen = hUp - openExtend;
        const insExt = U[j + 1]! - extend;
        let tb = 0;
        let ins: number;
        if (insExt > insOpen) {
          ins = insExt;
          tb |= 4;
        } else ins = insOpen;
        // deletion (consumes target): from H left (open) or D left (extend)
        const delOpen = hLeft - openExtend;
        const delExt = left - extend;
        let del: number;
        if (delExt > delOpen) {
          del = delExt;
          tb |= 8;
        } else del = delOpen;
        let h = diag + (qi > 3 || tj > 3 ? -1 : qi === tj ? match : mismatch);
        if (ins > h) {
          h = ins;
          tb |= 1;
        }
        if (del > h) {
          h = del;
          tb = (tb & ~3) | 2;
        }
        if (local && h <= 0) {
          // local mode: the alignment may start here (source 3 stops the traceback)
          h = 0;
          tb |= 3;
        }
        trace[rowBase + j] = tb;
        diag = hUp;
        H[j + 1] = h;
        U[j + 1] = ins;
        left = del;
        hLeft = h;
        if (h > rowMax) {
          rowMax = h;
          rowMaxJ = j;
        }
      }
      H[0] = boundary;
      if (jStart > 0) H[jStart] = NEG; // column jStart−1 leaves the band for the rows below
      if (local) {
        if (rowMax > best) {
          best = rowMax;
          bestI = i;
          bestJ = rowMaxJ;
        }
      } else if (mode === 'extend') {
        if (rowMax > best) {
          best = rowMax;
          bestI = i;
          bestJ = rowMaxJ;
        } else if (best - rowMax > scoring.zDrop + extend * Math.abs(i - bestI - (rowMaxJ - bestJ))) {
          lastRow = i;
          zDropped = true;
          break;
        }
        if (i === qlen - 1) {
          endScore = rowMax;
          endJ = rowMaxJ;
        }
      }
    }

    let endI: number;
    let endJTarget: number;
    let score: number;
    if (mode === 'global') {
      endI = qlen - 1;
      endJTarget = tlen - 1;
      score = H[tlen]!;
      if (lastRow < qlen - 1) throw new Error('global alignment left the band');
    } else if (mode === 'extend' && !zDropped && lastRow === qlen - 1 && endScore !== NEG && endScore + scoring.endBonus >= best) {
      endI = qlen - 1;
      endJTarget = endJ;
      score = endScore;
    } else {
      endI = bestI;
      endJTarget = bestJ;
      score = best;
    }
    const path = endI >= 0 ? traceBack(trace, width, lo, endI, endJTarget, local) : { cigar: [], startI: 0, startJ: 0 };
    return { score, queryStart: path.startI, targetStart: path.startJ, queryEnd: endI + 1, targetEnd: endJTarget + 1, cigar: path.cigar, zDropped };
  }
}

function traceBack(trace: Uint8Array, width: number, lo: number, endI: number, endJ: number, local: boolean): { cigar: number[]; startI: number; startJ: number } {
  const reversed: number[] = [];
  let lastOp = -1;
  let run = 0;
  const emit = (op: number): void => {
    if (op === lastOp) run++;
    else {
      if (run > 0) reversed.push((run << 4) | lastOp);
      lastOp = op;
      run = 1;
    }
  };
  let i = endI;
  let j = endJ;
  let state = 0; // 0 H, 1 insertion, 2 deletion
  while (i >= 0 && j >= 0) {
    const tb = trace[i * width - (i + lo) + j]!;
    if (state === 0) {
      const source = tb & 3;
      if (source === 3) break; // local start
      if (source === 0) {
        emit(CIGAR_MATCH);
        i--;
        j--;
        continue;
      }
      state = source;
    }
    if (state === 1) {
      emit(CIGAR_INS);
      if (!(tb & 4)) state = 0;
      i--;
    } else {
      emit(CIGAR_DEL);
      if (!(tb & 8)) state = 0;
      j--;
    }
  }
  // local alignments start where the traceback stops; the others start at (0, 0)
  const stoppedLocally = local || (i >= 0 && j >= 0);
  const startI = stoppedLocally ? i + 1 : 0;
  const startJ = stoppedLocally ? j + 1 : 0;
  if (!stoppedLocally) {
    while (i >= 0) {
      emit(CIGAR_INS);
      i--;
    }
    while (j >= 0) {
      emit(CIGAR_DEL);
      j--;
    }
  }
  if (run > 0) reversed.push((run << 4) | lastOp);
  return { cigar: reversed.reverse(), startI, startJ };
}
