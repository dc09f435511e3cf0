/**
 * The align kernels (native/, through their TypeScript interfaces) on small inputs where the
 * right answer is known independently: minimizers are strand-symmetric, the DP matches a
 * brute-force Gotoh, the SIMD rescue filter matches the DP, and the index finds every k-mer
 * it holds.
 */
import { describe, expect, it } from 'vitest';
import { DpWorkspace } from '../../../engine/align/dp.js';
import { cigarToString, computeAlignmentTags } from '../../../engine/align/cigar.js';
import { buildMinimizerIndex, MinimizerIndex } from '../../../engine/align/minimizer-index.js';
import { MinimizerList, sketchMinimizers } from '../../../engine/align/minimizer.js';
import { encodeBases, reverseComplementCodes } from '../../../engine/align/nucleotide.js';
import { seededRandom } from './helpers.js';
import { join } from 'node:path';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';

function randomBases(length: number, seed: number): string {
  const random = seededRandom(seed);
  let s = '';
  for (let i = 0; i < length; i++) s += 'ACGT'[Math.floor(random() * 4)];
  return s;
}

function keys(list: MinimizerList): string[] {
  const out: string[] = [];
  for (let i = 0; i < list.length; i++) out.push(`${list.order[i]}:${list.check[i]! >>> 1}`);
  return out.sort();
}

describe('minimizer sketch', () => {
  it.each([
    [15, 10],
    [19, 19],
    [21, 11],
    [28, 5],
  ])('k=%i w=%i: a sequence and its reverse complement give the same minimizer keys', (k, w) => {
    const codes = encodeBases(randomBases(5000, k * 31 + w));
    const forward = new MinimizerList();
    const reverse = new MinimizerList();
    sketchMinimizers(codes, k, w, forward);
    sketchMinimizers(reverseComplementCodes(codes), k, w, reverse);
    expect(keys(forward)).toEqual(keys(reverse));
    // density about 2/(w+1), as for random minimizers
    expect(forward.length / codes.length).toBeGreaterThan(1.4 / (w + 1));
    expect(forward.length / codes.length).toBeLessThan(2.8 / (w + 1));
  });

  it('never makes a k-mer across an N, and lowercase sketches like uppercase', () => {
    const text = randomBases(400, 7);
    const withN = `${text.slice(0, 200)}N${text.slice(201)}`;
    const list = new MinimizerList();
    sketchMinimizers(encodeBases(withN), 15, 5, list);
    for (let i = 0; i < list.length; i++) {
      const end = list.position[i]!;
      expect(end - 14 > 200 || end < 200).toBe(true);
    }
    const lower = new MinimizerList();
    sketchMinimizers(encodeBases(withN.toLowerCase()), 15, 5, lower);
    expect(keys(lower)).toEqual(keys(list));
  });
});

/** Brute-force Gotoh score (global, extension with free ends, or local Smith-Waterman). */
function bruteForceScore(q: string, t: string, match: number, mismatch: number, open: number, extend: number, mode: 'global' | 'extend' | 'local'): number {
  const NEG = -1e9;
  const n = q.length;
  const m = t.length;
  const H = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(NEG));
  const E = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(NEG));
  const F = Array.from({ length: n + 1 }, () => new Array<number>(m + 1).fill(NEG));
  H[0]![0] = 0;
  for (let i = 0; i <= n; i++) {
    for (let j = 0; j <= m; j++) {
      if (i === 0 && j === 0) continue;
      if (j > 0) E[i]![j] = Math.max(H[i]![j - 1]! - open - extend, E[i]![j - 1]! - extend);
      if (i > 0) F[i]![j] = Math.max(H[i - 1]![j]! - open - extend, F[i - 1]![j]! - extend);
      const score = q[i - 1] === 'N' || t[j - 1] === 'N' ? -1 : q[i - 1] === t[j - 1] ? match : -mismatch;
      const diag = i > 0 && j > 0 ? H[i - 1]![j - 1]! + score : NEG;
      H[i]![j] = Math.max(diag, E[i]![j]!, F[i]![j]!, mode === 'local' ? 0 : NEG);
    }
  }
  if (mode === 'global') return H[n]![m]!;
  let best = 0;
  for (let i = 1; i <= n; i++) for (let j = 1; j <= m; j++) best = Math.max(best, H[i]![j]!);
  return best;
}

function scoreCigarOf(cigar: number[], query: Uint8Array, target: Uint8Array, sc: { match: number; mismatch: number; gapOpen: number; gapExtend: number }): number {
  let score = 0;
  let q = 0;
  let t = 0;
  for (const op of cigar) {
    const length = op >>> 4;
    if ((op & 15) === 0) {
      for (let i = 0; i < length; i++) score += query[q + i]! > 3 || target[t + i]! > 3 ? -1 : query[q + i] === target[t + i] ? sc.match : -sc.mismatch;
      q += length;
      t += length;
    } else {
      score -= sc.gapOpen + length * sc.gapExtend;
      if ((op & 15) === 1) q += length;
      else t += length;
    }
  }
  return score;
}

describe('affine-gap DP', () => {
  const scoring = { match: 2, mismatch: 4, gapOpen: 4, gapExtend: 2, zDrop: 10_000, endBonus: 0 };
  const dp = new DpWorkspace();
  const random = seededRandom(99);
  const mutateLocal = (s: string): string => {
    let out = '';
    for (const c of s) {
      const x = random();
      if (x < 0.05) out += 'ACGT'[Math.floor(random() * 4)];
      else if (x < 0.1) continue;
      else if (x < 0.15) out += c + 'A';
      else out += c;
    }
    return out;
  };

  it('global mode equals brute force, and its CIGAR re-scores to the same value', () => {
    for (let trial = 0; trial < 40; trial++) {
      const t = randomBases(20 + Math.floor(random() * 60), 1000 + trial);
      const q = mutateLocal(t);
      const result = dp.align(encodeBases(q), encodeBases(t), scoring, 200, 'global');
      expect(result.score).toBe(bruteForceScore(q, t, 2, 4, 4, 2, 'global'));
      const tags = computeAlignmentTags(result.cigar, encodeBases(q), encodeBases(t));
      expect(tags.columns).toBeGreaterThanOrEqual(Math.max(q.length, t.length));
    }
  });

  it('extension mode finds the best-scoring prefix alignment', () => {
    for (let trial = 0; trial < 40; trial++) {
      const t = randomBases(30 + Math.floor(random() * 50), 2000 + trial);
      const q = mutateLocal(t.slice(0, 25 + Math.floor(random() * 20))) + randomBases(10, 3000 + trial);
      const result = dp.align(encodeBases(q), encodeBases(t), scoring, 200, 'extend');
      expect(result.score).toBe(bruteForceScore(q, t, 2, 4, 4, 2, 'extend'));
    }
  });

  it('local mode finds a read inside a window', () => {
    const window = randomBases(500, 5);
    const read = window.slice(200, 300);
    const result = dp.align(encodeBases(read), encodeBases(window), scoring, 0, 'local');
    expect(result.targetStart).toBe(200);
    expect(result.score).toBe(200);
    expect(cigarToString(result.cigar)).toBe('100M');
  });

  // Mate rescue runs a SIMD score-only pass first and the traceback DP only over the columns
  // an optimal alignment can span: both must give exactly Smith-Waterman's answer, or rescued
  // mates are silently lost or misplaced.
  it('local mode equals brute-force Smith-Waterman, with or without a score threshold, N and gaps included', () => {
    const srScoring = { match: 2, mismatch: 8, gapOpen: 12, gapExtend: 2, zDrop: 100, endBonus: 10 };
    for (let trial = 0; trial < 40; trial++) {
      const window = randomBases(100 + Math.floor(random() * 300), 4000 + trial);
      const start = Math.floor(random() * (window.length - 90));
      let read = mutateLocal(window.slice(start, start + 20 + Math.floor(random() * 70)));
      if (trial % 3 === 0) read = randomBases(80, 5000 + trial); // unrelated: the common rejected case
      if (trial % 7 === 0) read = `${read.slice(0, 10)}NN${read.slice(12)}`;
      for (const sc of [scoring, srScoring]) {
        const expected = bruteForceScore(read, window, sc.match, sc.mismatch, sc.gapOpen, sc.gapExtend, 'local');
        const full = dp.align(encodeBases(read), encodeBases(window), sc, 0, 'local');
        expect(full.score).toBe(expected);
        if (expected > 0) {
          // the CIGAR re-scores to the score over the bases it covers
          const q = encodeBases(read).subarray(full.queryStart, full.queryEnd);
          const t = encodeBases(window).subarray(full.targetStart, full.targetEnd);
          expect(scoreCigarOf(full.cigar, q, t, sc)).toBe(expected);
        }
        const scoreOnly = dp.align(encodeBases(read), encodeBases(window), sc, 0, 'local', Number.MAX_SAFE_INTEGER);
        expect(scoreOnly.score).toBe(expected);
        expect(scoreOnly.cigar).toEqual([]);
      }
    }
  });

  // The AVX2 anti-diagonal kernel must reproduce the row-wise kernel exactly (score, ends,
  // CIGAR, Z-drop), or alignments would depend on the CPU they ran on.
  it('the vector kernel gives exactly the row-wise kernel results in every mode', () => {
    const rows = new DpWorkspace('rows');
    const modes = ['global', 'extend', 'local'] as const;
    const scorings = [scoring, { match: 2, mismatch: 8, gapOpen: 12, gapExtend: 2, zDrop: 100, endBonus: 10 }, { match: 1, mismatch: 4, gapOpen: 6, gapExtend: 2, zDrop: 40, endBonus: 0 }];
    for (let trial = 0; trial < 150; trial++) {
      const t = randomBases(16 + Math.floor(random() * 300), 7000 + trial);
      let q = mutateLocal(t.slice(0, Math.max(16, Math.floor(t.length * (0.5 + random())))));
      if (trial % 5 === 0) q = q.slice(0, 60) + randomBases(80, 9000 + trial); // a divergent tail: Z-drop
      if (trial % 11 === 0) q = `${q.slice(0, 20)}NNN${q.slice(23)}`;
      const mode = modes[trial % 3]!;
      const band = mode === 'local' ? 0 : [3, 20, 64, 200][trial % 4]!;
      const sc = scorings[trial % scorings.length]!;
      const expected = rows.align(encodeBases(q), encodeBases(t), sc, band, mode);
      expect(dp.align(encodeBases(q), encodeBases(t), sc, band, mode)).toEqual(expected);
    }
  });

  it('NM and MD follow the SAM specification', () => {
    const ref = encodeBases('ACGTACGTTTGCA');
    const read = encodeBases('ACGAACGTGCA');
    // 4M (one mismatch) 4M 2D 3M
    const cigar = [(4 << 4) | 0, (4 << 4) | 0, (2 << 4) | 2, (3 << 4) | 0];
    const tags = computeAlignmentTags(cigar, read, ref);
    expect(tags.md).toBe('3T4^TT3');
    expect(tags.nm).toBe(3);
  });
});

describe('minimizer index', () => {
  it('finds every minimizer of the reference at its position, after a save/load round trip', async () => {
    const text = randomBases(20_000, 42);
    const index = await buildMinimizerIndex(
      [{ name: 'chrT', md5: '0'.repeat(32), codes: encodeBases(text) }],
      { k: 15, w: 10, occurrenceFraction: 0, minOccurrenceCutoff: 10, maxOccurrenceCutoff: 100 },
      'checksum',
    );
    const path = join(mkdtempSync(join(tmpdir(), 'genomaic-index-')), 'x.gmi');
    index.save(path);
    const loaded = MinimizerIndex.load(path);
    expect(loaded.header.contigs[0]!.name).toBe('chrT');
    const list = new MinimizerList();
    sketchMinimizers(encodeBases(text), 15, 10, list);
    const range = new Uint32Array(2);
    for (let i = 0; i < list.length; i += 7) {
      expect(loaded.lookup(list.order[i]!, list.check[i]!, range)).toBeGreaterThan(0);
      const positions = Array.from(loaded.entryPosition.subarray(range[0], range[1]));
      expect(positions).toContain(list.position[i]);
    }
    // the packed reference comes back base for base
    const fetched = loaded.reference.fetch(1000, 1100);
    expect(Array.from(fetched)).toEqual(Array.from(encodeBases(text.slice(1000, 1100))));
  });
});
