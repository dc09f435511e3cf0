/**
 * Read-placement evidence (engine/call/read-evidence.ts) on hand-built reads: the rank-sum
 * test must flag an alt seen only at read ends or only on dirty reads and stay quiet when alt
 * and ref reads look alike; mismatch counting must skip the window under test and candidate
 * positions (a real variant in phase with another must not look like dirt).
 */
import { describe, expect, it } from 'vitest';
import { distanceToAlignedEnd, localMismatches, rankSumPhred } from '../../../engine/call/read-evidence.js';
import type { AlignedRead } from '../../../engine/call/types.js';

const REFERENCE = 'ACGTACGTACGTACGTACGTACGTACGTACGTACGTACGT';

function read(start: number, bases: string, cigar: [number, number][]): AlignedRead {
  const packed = cigar.map(([length, op]) => (length << 4) | op);
  const refLength = cigar.reduce((s, [l, op]) => s + (op === 0 || op === 2 ? l : 0), 0);
  return { name: 'r', start, end: start + refLength, mapq: 60, reverse: false, bases: Buffer.from(bases, 'latin1'), quals: new Uint8Array(bases.length).fill(30), cigar: packed };
}

describe('read evidence', () => {
  it('measures the distance to the aligned end, soft clips counting as ends', () => {
    const r = read(4, 'TTTT' + REFERENCE.slice(4, 24), [[4, 4], [20, 0]]);
    expect(distanceToAlignedEnd(r, 4)).toBe(0);
    expect(distanceToAlignedEnd(r, 10)).toBe(6);
    expect(distanceToAlignedEnd(r, 23)).toBe(0);
    expect(distanceToAlignedEnd(r, 30)).toBe(-1);
  });

  it('counts mismatches outside the window and off candidate positions only', () => {
    const bases = REFERENCE.slice(0, 30).split('');
    for (const p of [2, 12, 20, 25]) bases[p] = bases[p] === 'A' ? 'C' : 'A';
    const r = read(0, bases.join(''), [[30, 0]]);
    expect(localMismatches(r, REFERENCE, 0, 30, -1, -1, new Set(), 0)).toBe(4);
    // Window [10, 15) skipped, candidate at 25 skipped.
    expect(localMismatches(r, REFERENCE, 0, 30, 10, 15, new Set([25]), 0)).toBe(2);
  });

  it('flags one-sided shifts and stays quiet on exchangeable groups', () => {
    expect(rankSumPhred([5, 5, 5, 4], [0, 0, 0, 0, 0, 1, 1, 0, 2, 3, 0, 0, 0, 1, 0])).toBeGreaterThan(20);
    expect(rankSumPhred([0, 1, 2, 3], [0, 1, 2, 3, 0, 1, 2, 3])).toBeLessThan(3);
    // Only the artefact direction counts.
    expect(rankSumPhred([0, 0, 0, 0], [5, 5, 5, 5, 5, 5])).toBeLessThan(1);
    expect(rankSumPhred([], [1, 2])).toBe(0);
  });
});
