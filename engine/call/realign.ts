/**
 * Local haplotype realignment. Candidates that sit close together, or in the same repeat
 * tract, are genotyped jointly: every compatible combination of them forms a candidate
 * haplotype over a short window of reference, each read's bases over the window are aligned
 * to each haplotype with a pair-HMM-like model (Viterbi, affine gaps, homopolymer-aware
 * gap opening, base qualities), and the read-vs-haplotype likelihoods feed the diploid
 * genotyper. This is where a read's own (often arbitrary) placement of an indel in a repeat
 * stops mattering: the read is scored against the whole haplotype, as in GATK's
 * HaplotypeCaller and freebayes's haplotype windows.
 *
 * Isolated SNVs outside repeats skip the alignment: the read's base at the site is all the
 * evidence there is, so their likelihood is computed directly from the base quality
 * (the classic pileup model of bcftools).
 */
import type { AlignedRead, CandidateAllele } from './types.js';
import type { CallerConfig, ErrorModelConfig } from './config.js';
import { CIGAR_D, CIGAR_EQ, CIGAR_I, CIGAR_M, CIGAR_N, CIGAR_S, CIGAR_X } from './pileup.js';
import { homopolymerLengths, repeatTractAt } from './repeats.js';

export interface CallWindow {
  /** Span of the candidates (0-based, half-open), before flanks. */
  start: number;
  end: number;
  candidates: CandidateAllele[];
  /** Candidates dropped because the window held too many. */
  dropped: CandidateAllele[];
  /** Longest repeat tract touching any candidate. */
  repeatLength: number;
  repeatUnit: string;
  /** Whether plain pileup likelihoods suffice (one SNV, no repeat ≥ pileupSnvMaxRepeat, no indel). */
  simple: boolean;
}

function candidateSpan(c: CandidateAllele): [number, number] {
  return [c.pos, c.pos + Math.max(c.ref.length, 1)];
}

/** Groups sorted candidates into windows; see the module comment. */
export function buildWindows(candidates: readonly CandidateAllele[], reference: string, config: CallerConfig): CallWindow[] {
  const windows: CallWindow[] = [];
  let current: { start: number; end: number; reachEnd: number; members: CandidateAllele[]; repeat: number; unit: string } | null = null;
  const close = (): void => {
    if (!current) return;
    let members = current.members;
    let dropped: CandidateAllele[] = [];
    if (members.length > config.maxCandidatesPerWindow) {
      const ranked = [...members].sort((a, b) => b.supportingReads - a.supportingReads || a.pos - b.pos);
      const kept = new Set(ranked.slice(0, config.maxCandidatesPerWindow));
      dropped = members.filter((m) => !kept.has(m));
      members = members.filter((m) => kept.has(m));
    }
    const onlySnv = members.length === 1 && members[0]!.kind === 'snv';
    windows.push({
      start: current.start,
      end: current.end,
      candidates: members,
      dropped,
      repeatLength: current.repeat,
      repeatUnit: current.unit,
      simple: onlySnv && current.repeat < config.pileupSnvMaxRepeat,
    });
    current = null;
  };
  for (const c of candidates) {
    const [s, e] = candidateSpan(c);
    const tract = repeatTractAt(reference, s, e);
    const tractLength = tract.end - tract.start;
    // Indels may slide along their repeat: the window must cover the whole tract.
    const reachStart = c.kind === 'snv' ? s : Math.min(s, tract.start);
    const reachEnd = c.kind === 'snv' ? e : Math.max(e, tract.end);
    if (current && reachStart < current.reachEnd + config.flank) {
      current.members.push(c);
      current.start = Math.min(current.start, reachStart);
      current.end = Math.max(current.end, reachEnd);
      current.reachEnd = Math.max(current.reachEnd, reachEnd);
      if (tractLength > current.repeat) {
        current.repeat = tractLength;
        current.unit = tract.unit;
      }
    } else {
      close();
      current = { start: reachStart, end: reachEnd, reachEnd, members: [c], repeat: tractLength, unit: tract.unit };
    }
  }
  close();
  return windows;
}

/** Whether two candidates can sit on the same haplotype (their reference spans do not overlap). */
export function compatible(a: CandidateAllele, b: CandidateAllele): boolean {
  const [as, ae] = candidateSpan(a);
  const [bs, be] = candidateSpan(b);
  return ae <= bs || be <= as;
}

export interface Haplotype {
  /** Indexes into the window's candidates carried by this haplotype, ascending by position. */
  variants: number[];
  sequence: string;
  /** Gap-open log10 probability at each haplotype position (homopolymer-aware). */
  gapOpenLog: Float64Array;
  /** log10(1 − 2·gapOpen) at each position: staying in the match state. */
  stayLog: Float64Array;
  /** Net length change relative to the reference (alt − ref lengths). */
  lengthChange: number;
}

/** All subsets of mutually compatible candidates (at most 2^maxCandidatesPerWindow). */
export function enumerateHaplotypes(window: CallWindow, reference: string, hapStart: number, hapEnd: number, model: ErrorModelConfig): Haplotype[] {
  const n = window.candidates.length;
  const haplotypes: Haplotype[] = [];
  for (let mask = 0; mask < 1 << n; mask++) {
    const chosen: number[] = [];
    let ok = true;
    for (let i = 0; i < n && ok; i++) {
      if (!(mask & (1 << i))) continue;
      for (const j of chosen) if (!compatible(window.candidates[i]!, window.candidates[j]!)) ok = false;
      chosen.push(i);
    }
    if (!ok) continue;
    chosen.sort((a, b) => window.candidates[a]!.pos - window.candidates[b]!.pos);
    let sequence = '';
    let cursor = hapStart;
    let lengthChange = 0;
    for (const i of chosen) {
      const c = window.candidates[i]!;
      sequence += reference.slice(cursor, c.pos) + c.alt;
      cursor = c.pos + c.ref.length;
      lengthChange += c.alt.length - c.ref.length;
    }
    sequence += reference.slice(cursor, hapEnd);
    const gapOpenLog = gapOpenLogs(sequence, model);
    const stayLog = gapOpenLog.map((open) => Math.log10(1 - 2 * 10 ** open));
    haplotypes.push({ variants: chosen, sequence, gapOpenLog, stayLog, lengthChange });
  }
  return haplotypes;
}

function gapOpenLogs(sequence: string, model: ErrorModelConfig): Float64Array {
  const hp = homopolymerLengths(sequence);
  const out = new Float64Array(sequence.length + 1);
  for (let j = 0; j < sequence.length; j++) {
    const p = Math.min(model.gapOpenMax, model.gapOpen + model.gapOpenPerHomopolymerBase * (hp[j]! - 1));
    out[j] = Math.log10(p);
  }
  out[sequence.length] = Math.log10(model.gapOpen);
  return out;
}

export interface ReadSegment {
  bases: Uint8Array;
  quals: Uint8Array;
  /** Reference position of the segment's first base (its aligned position). */
  refStart: number;
  /** Net indel length of the read's own alignment inside the segment. */
  netIndel: number;
}

/** The read's bases aligned to [from, to) (insertions inside included, clips excluded), or null. */
export function readSegment(read: AlignedRead, from: number, to: number): ReadSegment | null {
  let refPos = read.start;
  let readPos = 0;
  let qStart = -1;
  let qEnd = -1;
  let refStart = -1;
  let netIndel = 0;
  for (let k = 0; k < read.cigar.length; k++) {
    const packed = read.cigar[k]!;
    const op = packed & 0xf;
    const length = packed >>> 4;
    if (op === CIGAR_M || op === CIGAR_EQ || op === CIGAR_X) {
      const a = Math.max(refPos, from);
      const b = Math.min(refPos + length, to);
      if (a < b) {
        if (qStart < 0) {
          qStart = readPos + (a - refPos);
          refStart = a;
        }
        qEnd = readPos + (b - refPos);
      }
      refPos += length;
      readPos += length;
    } else if (op === CIGAR_I) {
      if (refPos > from && refPos < to && qStart >= 0) {
        qEnd = readPos + length;
        netIndel += length;
      }
      readPos += length;
    } else if (op === CIGAR_D || op === CIGAR_N) {
      if (refPos >= from && refPos < to && qStart >= 0) netIndel -= Math.min(length, to - refPos);
      refPos += length;
    } else if (op === CIGAR_S) {
      readPos += length;
    }
    if (refPos >= to && qEnd >= 0 && op !== CIGAR_I) {
      // Insertions right at the window end are not part of it.
      break;
    }
  }
  if (qStart < 0 || qEnd <= qStart) return null;
  return { bases: read.bases.subarray(qStart, qEnd), quals: read.quals.subarray(qStart, qEnd), refStart, netIndel };
}

/** log10 emission tables by base quality for a platform's substitution model. */
export interface EmissionTable {
  match: Float64Array;
  mismatch: Float64Array;
}

export function emissionTable(model: ErrorModelConfig): EmissionTable {
  const match = new Float64Array(256);
  const mismatch = new Float64Array(256);
  for (let q = 0; q < 256; q++) {
    // Q255 means "no quality": take the platform's floor.
    const raw = q === 255 ? model.mismatchFloor : 10 ** (-q / 10);
    const e = Math.min(model.mismatchCeiling, Math.max(model.mismatchFloor, raw));
    match[q] = Math.log10(1 - e);
    mismatch[q] = Math.log10(e / 3);
  }
  return { match, mismatch };
}

const NEG = -1e300;

/**
 * Scratch rows for the banded Viterbi, reused across calls (one caller at a time per thread).
 */
class DpRows {
  m = new Float64Array(0);
  i = new Float64Array(0);
  d = new Float64Array(0);
  pm = new Float64Array(0);
  pi = new Float64Array(0);
  pd = new Float64Array(0);
  ensure(n: number): void {
    if (this.m.length >= n) return;
    const size = Math.max(n, this.m.length * 2, 256);
    this.m = new Float64Array(size);
    this.i = new Float64Array(size);
    this.d = new Float64Array(size);
    this.pm = new Float64Array(size);
    this.pi = new Float64Array(size);
    this.pd = new Float64Array(size);
  }
}
const rows = new DpRows();

/**
 * log10 P(read segment | haplotype): Viterbi over match / insertion / deletion states; the
 * read is aligned end to end, the haplotype is free at both ends (the segment is a part of
 * it). Only cells within `band` of the expected diagonal `j = i + offset` are evaluated.
 */
export function alignReadToHaplotype(
  segment: ReadSegment,
  hap: Haplotype,
  offset: number,
  band: number,
  emissions: EmissionTable,
  model: ErrorModelConfig,
): number {
  const m = segment.bases.length;
  const seq = hap.sequence;
  const n = seq.length;
  rows.ensure(n + 1);
  let { m: curM, i: curI, d: curD, pm: prevM, pi: prevI, pd: prevD } = rows;
  const extendLog = Math.log10(model.gapExtend);
  const closeLog = Math.log10(1 - model.gapExtend);
  // Row 0: nothing of the read consumed; the alignment may start anywhere in the haplotype.
  prevM.fill(0, 0, n + 1);
  prevI.fill(NEG, 0, n + 1);
  prevD.fill(NEG, 0, n + 1);
  for (let i = 1; i <= m; i++) {
    const lo = Math.max(1, i + offset - band);
    const hi = Math.min(n, i + offset + band);
    curM.fill(NEG, 0, n + 1);
    curI.fill(NEG, 0, n + 1);
    curD.fill(NEG, 0, n + 1);
    const base = segment.bases[i - 1]!;
    const q = segment.quals[i - 1]!;
    const matchLog = emissions.match[q]!;
    const mismatchLog = emissions.mismatch[q]!;
    for (let j = Math.max(0, lo - 1); j <= hi; j++) {
      const open = hap.gapOpenLog[j]!;
      const stay = hap.stayLog[j]!;
      if (j >= lo) {
        const emit = seq.charCodeAt(j - 1) === base ? matchLog : mismatchLog;
        const fromPrev = i === 1 ? 0 : Math.max(prevM[j - 1]! + stay, prevI[j - 1]! + closeLog, prevD[j - 1]! + closeLog);
        curM[j] = emit + fromPrev;
      }
      // Insertion: read base i not in the haplotype (emission taken as 1, as GATK's pair-HMM).
      // The first read base may itself be inserted (the alignment starts in the I state).
      curI[j] = i === 1 ? open : Math.max(prevM[j]! + open, prevI[j]! + extendLog);
      if (j >= 1) curD[j] = Math.max(curM[j - 1]! + open, curD[j - 1]! + extendLog);
    }
    [prevM, curM] = [curM, prevM];
    [prevI, curI] = [curI, prevI];
    [prevD, curD] = [curD, prevD];
  }
  let best = NEG;
  for (let j = 0; j <= n; j++) {
    if (prevM[j]! > best) best = prevM[j]!;
    if (prevI[j]! > best) best = prevI[j]!;
  }
  return best;
}
