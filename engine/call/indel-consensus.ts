/**
 * Consensus indel candidates from noisy reads. An insertion of 10–20 bp read by nanopore
 * reads (~10 % errors) is written by almost every read with a different sequence, length or
 * anchor (a duplication can be written as any rotation of its copy), so counting identical
 * alleles finds none with enough support, however deep the coverage. Here the longer indels
 * reads show close together are pooled; for a pool with enough reads, the reads' own bases
 * over a window around it are combined into a consensus haplotype (center-star multiple
 * alignment and column-wise majority voting, the first step of a read polisher), and the
 * consensus is compared with the reference to give the indel. The candidate is then one more
 * hypothesis for the haplotype realignment, which scores every read against it: a wrong
 * consensus simply loses there.
 */
import type { AlignedRead, CandidateAllele } from './types.js';
import type { CallerConfig } from './config.js';
import type { IndelObservation, TilePileup } from './pileup.js';
import { leftAlignedIndelCandidate } from './pileup.js';
import { readSegment } from './realign.js';

/** Reference bases on each side of a pool that the consensus haplotype spans. */
const CONSENSUS_FLANK = 20;
/** Voting rounds at most (each realigns the copies to the previous consensus). */
const POLISH_ROUNDS = 3;
/** Observations whose anchors are this close (bp) are pooled (one event, placed differently by different reads). */
const POOL_REACH = 8;

interface Pool {
  members: IndelObservation[];
  lastPos: number;
}

/** Unit-cost edit distance with the alignment as a list of column operations against `center`. */
function alignToCenter(center: string, seq: string): { columns: string[]; between: string[] } {
  const n = center.length;
  const m = seq.length;
  const cost = new Int32Array((n + 1) * (m + 1));
  const at = (i: number, j: number): number => i * (m + 1) + j;
  for (let i = 0; i <= n; i++) cost[at(i, 0)] = i;
  for (let j = 0; j <= m; j++) cost[at(0, j)] = j;
  for (let i = 1; i <= n; i++) {
    for (let j = 1; j <= m; j++) {
      const diag = cost[at(i - 1, j - 1)]! + (center[i - 1] === seq[j - 1] ? 0 : 1);
      cost[at(i, j)] = Math.min(diag, cost[at(i - 1, j)]! + 1, cost[at(i, j - 1)]! + 1);
    }
  }
  // columns[i]: the base `seq` puts against center[i] ('' when it skips it); between[i]: bases it adds before center[i] (index n: after the last).
  const columns = new Array<string>(n).fill('');
  const between = new Array<string>(n + 1).fill('');
  let i = n;
  let j = m;
  while (i > 0 || j > 0) {
    if (i > 0 && j > 0 && cost[at(i, j)] === cost[at(i - 1, j - 1)]! + (center[i - 1] === seq[j - 1] ? 0 : 1)) {
      columns[i - 1] = seq[j - 1]!;
      i--;
      j--;
    } else if (i > 0 && cost[at(i, j)] === cost[at(i - 1, j)]! + 1) {
      i--;
    } else {
      between[i] = seq[j - 1]! + between[i]!;
      j--;
    }
  }
  return { columns, between };
}

function editDistance(a: string, b: string): number {
  let prev = new Int32Array(b.length + 1).map((_, j) => j);
  let cur = new Int32Array(b.length + 1);
  for (let i = 1; i <= a.length; i++) {
    cur[0] = i;
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1), prev[j]! + 1, cur[j - 1]! + 1);
    [prev, cur] = [cur, prev];
  }
  return prev[b.length]!;
}

/** The most frequent value (the first to reach the top count); `values` must not be empty. */
function mostCommon<T extends string | number>(values: readonly T[]): T {
  const counts = new Map<T, number>();
  let best: T = values[0]!;
  for (const v of values) {
    const c = (counts.get(v) ?? 0) + 1;
    counts.set(v, c);
    if (c > (counts.get(best) ?? 0)) best = v;
  }
  return best;
}

/** One round of column-wise majority voting over `sequences` aligned to `center`. */
function polish(center: string, sequences: readonly string[]): string {
  const alignments = sequences.map((s) => alignToCenter(center, s));
  let out = '';
  const half = sequences.length / 2;
  for (let i = 0; i <= center.length; i++) {
    // Bases most reads add before this column (a base the center itself lacks).
    const added = alignments.map((a) => a.between[i]!).filter((b) => b.length > 0);
    if (added.length > half) out += mostCommon(added);
    if (i === center.length) break;
    const kept = alignments.map((a) => a.columns[i]!).filter((b) => b !== '');
    if (kept.length > half) out += mostCommon(kept);
  }
  return out;
}

/**
 * Consensus of noisy copies of one sequence, started from the medoid (least total edit
 * distance) of the copies of length `length`: then rounds of column-wise majority voting
 * until it stops changing. The start matters because a base missing from (or added to) the
 * center is the error voting recovers least reliably: the copies that disagree with it place
 * the difference anywhere along a homopolymer, and no one place gets a majority.
 */
export function consensusSequence(sequences: readonly string[], length = mostCommon(sequences.map((s) => s.length))): string {
  const starts = sequences.filter((s) => s.length === length);
  if (starts.length === 0) return '';
  let center = starts[0]!;
  let bestTotal = Infinity;
  for (const s of starts) {
    let total = 0;
    for (const t of sequences) total += editDistance(s, t);
    if (total < bestTotal) {
      bestTotal = total;
      center = s;
    }
  }
  for (let round = 0; round < POLISH_ROUNDS; round++) {
    const next = polish(center, sequences);
    if (next === center) break;
    center = next;
  }
  return center;
}

/**
 * The two most common lengths among the copies (one when all agree). Noisy reads lose bases
 * more often than they gain them, so the true length is often the runner-up; both
 * consensuses go to the realignment, which scores every read against each.
 */
function candidateLengths(sequences: readonly string[]): number[] {
  const counts = new Map<number, number>();
  for (const s of sequences) counts.set(s.length, (counts.get(s.length) ?? 0) + 1);
  return [...counts.entries()].sort((a, b) => b[1] - a[1] || b[0] - a[0]).slice(0, 2).map(([length]) => length);
}

function eventLength(o: IndelObservation): number {
  return o.inserted.length > 0 ? o.inserted.length : o.deleted;
}

/** The indel that turns `refText` into `hapText` after trimming their shared ends, or null if it is not one pure indel. */
function indelBetween(refText: string, hapText: string): { offset: number; refPart: string; hapPart: string } | null {
  let prefix = 0;
  while (prefix < refText.length && prefix < hapText.length && refText[prefix] === hapText[prefix]) prefix++;
  let suffix = 0;
  while (suffix < refText.length - prefix && suffix < hapText.length - prefix && refText[refText.length - 1 - suffix] === hapText[hapText.length - 1 - suffix]) suffix++;
  const refPart = refText.slice(prefix, refText.length - suffix);
  const hapPart = hapText.slice(prefix, hapText.length - suffix);
  if ((refPart.length === 0) === (hapPart.length === 0)) return null;
  return { offset: prefix, refPart, hapPart };
}

/** The left-aligned indel between the reference window (starting at `from`) and a consensus haplotype over it, or null. */
function alleleFromConsensus(refText: string, haplotype: string, from: number, reference: string, reads: number, config: CallerConfig): CandidateAllele | null {
  const event = indelBetween(refText, haplotype);
  if (!event || event.hapPart.includes('N') || Math.max(event.refPart.length, event.hapPart.length) > config.maxIndelLength) return null;
  return leftAlignedIndelCandidate(reference, from + event.offset, event.refPart, event.hapPart, reads);
}

/**
 * Candidates from pooled indel observations (pileup.ts collects them): per pool (same
 * direction, anchors within POOL_REACH bp of each other) the reads of its main length class
 * (within ±max(2, 30 %) of the median length), when they pass the caller's indel support
 * thresholds, give a consensus haplotype over the pool ± CONSENSUS_FLANK bp; the indel that
 * separates it from the reference, left-aligned, is the candidate. Candidates already in
 * `known` (keys pos:ref:alt) are not repeated.
 */
export function consensusIndelCandidates(pileup: TilePileup, reads: readonly AlignedRead[], reference: string, callStart: number, callEnd: number, config: CallerConfig): CandidateAllele[] {
  const known = new Set(pileup.candidates.map((c) => `${c.pos}:${c.ref}:${c.alt}`));
  const depthAt = (p: number): number => pileup.depth[p - pileup.origin] ?? 0;
  const out: CandidateAllele[] = [];
  for (const insertion of [true, false]) {
    const events = pileup.longIndels.filter((o) => (o.inserted.length > 0) === insertion).sort((a, b) => a.pos - b.pos);
    const pools: Pool[] = [];
    for (const o of events) {
      const last = pools[pools.length - 1];
      if (last && o.pos - last.lastPos <= POOL_REACH) {
        last.members.push(o);
        last.lastPos = o.pos;
      } else {
        pools.push({ members: [o], lastPos: o.pos });
      }
    }
    for (const pool of pools) {
      const lengths = pool.members.map(eventLength).sort((a, b) => a - b);
      const median = lengths[Math.floor(lengths.length / 2)]!;
      const tolerance = Math.max(2, Math.round(0.3 * median));
      const members = pool.members.filter((o) => Math.abs(eventLength(o) - median) <= tolerance);
      const first = members.reduce((m, o) => Math.min(m, o.pos), Infinity);
      const last = members.reduce((m, o) => Math.max(m, o.pos + o.deleted), -Infinity);
      const at = Math.max(depthAt(first), depthAt(first + 1));
      const readsShowing = new Set(members.map((o) => o.read)).size;
      if (first < callStart || first >= callEnd || readsShowing < config.minAltReads || at === 0 || readsShowing / at < config.minIndelFraction) continue;
      const from = Math.max(0, first - CONSENSUS_FLANK);
      const to = Math.min(reference.length, last + 1 + CONSENSUS_FLANK);
      const copies: string[] = [];
      for (const index of new Set(members.map((o) => o.read))) {
        const read = reads[index]!;
        // Only reads spanning the whole window: a copy cut short would look like a deletion.
        if (read.start > from || read.end < to) continue;
        const segment = readSegment(read, from, to);
        if (segment && segment.refStart === from) copies.push(Buffer.from(segment.bases).toString('latin1'));
      }
      if (copies.length < config.minAltReads) continue;
      const refText = reference.slice(from, to);
      for (const haplotype of new Set(candidateLengths(copies).map((length) => consensusSequence(copies, length)))) {
        const allele = alleleFromConsensus(refText, haplotype, from, reference, copies.length, config);
        if (!allele) continue;
        const key = `${allele.pos}:${allele.ref}:${allele.alt}`;
        if (known.has(key) || allele.pos < callStart || allele.pos >= callEnd) continue;
        known.add(key);
        out.push(allele);
      }
    }
  }
  return out;
}
