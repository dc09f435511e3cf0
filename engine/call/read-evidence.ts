/**
 * Read-placement evidence: where in the reads an allele is seen, and how clean those reads
 * are elsewhere. Real variants are seen at any position of the reads that carry them, on
 * reads that otherwise agree with the reference as well as the reads without them do.
 * Artefacts are not: sequencing errors and adapter / chimera remnants pile up near read ends
 * and soft clips, and reads mismapped from a paralog carry their paralog's differences as a
 * burden of extra mismatches around the site. bcftools reports the first as RPB (a
 * Mann-Whitney test of read positions of alt against ref reads) and GATK as ReadPosRankSum;
 * the second is GATK's idea of testing the alt reads' mismatch load (as MQRankSum does for
 * mapping quality) applied to a local mismatch count.
 *
 * Both tests are one-sided (only the artefact direction counts: alt closer to the ends, alt
 * reads dirtier) and reported as Phred-scaled p-values.
 */
import type { AlignedRead } from './types.js';
import { CIGAR_D, CIGAR_EQ, CIGAR_I, CIGAR_M, CIGAR_N, CIGAR_S, CIGAR_X } from './pileup.js';

/** Bases on each side of a window over which a read's other mismatches are counted. */
export const MISMATCH_COUNT_REACH = 100;

/**
 * Substitutions of the read against the reference over [from, to), counting only bases of
 * quality ≥ `minBaseQuality`, and skipping [skipFrom, skipTo) (the window being genotyped:
 * its differences are the hypotheses under test) and every candidate position (real nearby
 * variants must not count as dirt, or a variant in phase with another would look like an
 * artefact).
 */
export function localMismatches(
  read: AlignedRead,
  reference: string,
  from: number,
  to: number,
  skipFrom: number,
  skipTo: number,
  candidatePositions: ReadonlySet<number>,
  minBaseQuality: number,
): number {
  let refPos = read.start;
  let readPos = 0;
  let count = 0;
  for (let k = 0; k < read.cigar.length && refPos < to; k++) {
    const packed = read.cigar[k]!;
    const op = packed & 0xf;
    const length = packed >>> 4;
    if (op === CIGAR_M || op === CIGAR_EQ || op === CIGAR_X) {
      const a = Math.max(refPos, from);
      const b = Math.min(refPos + length, to);
      for (let p = a; p < b; p++) {
        if (p >= skipFrom && p < skipTo) continue;
        const i = readPos + (p - refPos);
        const base = read.bases[i]!;
        if (base !== reference.charCodeAt(p) && base !== 78 /* N */ && read.quals[i]! >= minBaseQuality && !candidatePositions.has(p)) count++;
      }
      refPos += length;
      readPos += length;
    } else if (op === CIGAR_D || op === CIGAR_N) {
      refPos += length;
    } else if (op === CIGAR_I || op === CIGAR_S) {
      readPos += length;
    }
  }
  return count;
}

/**
 * Distance (bases) from the read base aligned at reference `pos` to the nearer end of the
 * read's aligned part (a soft clip counts as an end: the aligner stopped trusting the read
 * there); −1 when the read has no base aligned at `pos`.
 */
export function distanceToAlignedEnd(read: AlignedRead, pos: number): number {
  if (pos < read.start || pos >= read.end) return -1;
  let refPos = read.start;
  let readPos = 0;
  let firstAligned = -1;
  let lastAligned = -1;
  let at = -1;
  for (let k = 0; k < read.cigar.length; k++) {
    const packed = read.cigar[k]!;
    const op = packed & 0xf;
    const length = packed >>> 4;
    if (op === CIGAR_M || op === CIGAR_EQ || op === CIGAR_X) {
      if (firstAligned < 0) firstAligned = readPos;
      lastAligned = readPos + length - 1;
      if (pos >= refPos && pos < refPos + length) at = readPos + (pos - refPos);
      refPos += length;
      readPos += length;
    } else if (op === CIGAR_I) {
      readPos += length;
    } else if (op === CIGAR_D || op === CIGAR_N) {
      refPos += length;
    } else if (op === CIGAR_S) {
      readPos += length;
    }
  }
  if (at < 0) return -1;
  return Math.min(at - firstAligned, lastAligned - at);
}

function normalUpperTail(z: number): number {
  // Abramowitz–Stegun 7.1.26 on erfc; |error| < 1.5e-7, ample for a Phred-scaled test.
  const x = Math.abs(z) / Math.SQRT2;
  const t = 1 / (1 + 0.3275911 * x);
  const erfc = t * (0.254829592 + t * (-0.284496736 + t * (1.421413741 + t * (-1.453152027 + t * 1.061405429)))) * Math.exp(-x * x);
  return z >= 0 ? erfc / 2 : 1 - erfc / 2;
}

/**
 * Phred-scaled one-sided Mann-Whitney p-value that values in `higher` tend to exceed values
 * in `lower` (normal approximation with tie and continuity corrections). 0 when either group
 * is empty or nothing varies.
 */
export function rankSumPhred(higher: readonly number[], lower: readonly number[]): number {
  const n1 = higher.length;
  const n2 = lower.length;
  if (n1 === 0 || n2 === 0) return 0;
  const all = [...higher.map((v) => ({ v, g: 1 })), ...lower.map((v) => ({ v, g: 2 }))].sort((a, b) => a.v - b.v);
  const n = n1 + n2;
  let rankSum1 = 0;
  let tieTerm = 0;
  for (let i = 0; i < n; ) {
    let j = i;
    while (j + 1 < n && all[j + 1]!.v === all[i]!.v) j++;
    const rank = (i + j + 2) / 2;
    const t = j - i + 1;
    tieTerm += t * t * t - t;
    for (let k = i; k <= j; k++) if (all[k]!.g === 1) rankSum1 += rank;
    i = j + 1;
  }
  const u = rankSum1 - (n1 * (n1 + 1)) / 2;
  const mean = (n1 * n2) / 2;
  const variance = ((n1 * n2) / 12) * (n + 1 - tieTerm / (n * (n - 1)));
  if (variance <= 0) return 0;
  const z = (u - mean - 0.5) / Math.sqrt(variance);
  const p = normalUpperTail(z);
  return Math.min(1000, Math.max(0, -10 * Math.log10(Math.max(p, 1e-100))));
}
