/**
 * Local haplotype realignment. Candidates that sit close together, or in the same repeat
 * tract, are genotyped jointly: every compatible combination of them forms a candidate
 * haplotype over a short window of reference, each read's bases over the window are aligned
 * to each haplotype with a pair-HMM (forward algorithm, affine gaps, homopolymer-aware
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
import { homopolymerLengths, repeatSpanAround, repeatTractAt } from './repeats.js';

/** Repeat tracts at least this long (bp) around a substitution are covered by its window's read comparison. */
const SNV_REPEAT_MIN_LENGTH = 6;
/** How far (bp) beyond a substitution that coverage reaches, so a read can still span it. */
const SNV_REPEAT_MAX_REACH = 48;

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
    const simple = onlySnv && current.repeat < config.pileupSnvMaxRepeat;
    // Grouping stays by the candidates' own reach; only the stretch reads are compared over grows.
    let start = current.start;
    let end = current.end;
    if (!simple) {
      for (const m of members) {
        if (m.kind !== 'snv') continue;
        const span = repeatSpanAround(reference, m.pos, m.pos + 1, SNV_REPEAT_MIN_LENGTH, SNV_REPEAT_MAX_REACH);
        start = Math.min(start, span.start);
        end = Math.max(end, span.end);
      }
    }
    windows.push({
      start,
      end,
      candidates: members,
      dropped,
      repeatLength: current.repeat,
      repeatUnit: current.unit,
      simple,
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
  /** Probability that an insertion error opens after each haplotype position (homopolymer-aware). */
  insertionOpen: Float64Array;
  /** Probability that a deletion error opens at each haplotype position (homopolymer-aware). */
  deletionOpen: Float64Array;
  /** 1 − insertionOpen − deletionOpen at each position: staying in the match state. */
  stay: Float64Array;
  /** Net length change relative to the reference (alt − ref lengths). */
  lengthChange: number;
}

/** The haplotype a sequence forms under the platform's gap model. */
export function makeHaplotype(variants: number[], sequence: string, lengthChange: number, model: ErrorModelConfig): Haplotype {
  // gapOpen is the mean of the two error kinds; deletionShare splits their sum between them.
  const gapOpen = gapOpenProbabilities(sequence, model);
  const deletionOpen = gapOpen.map((open) => 2 * open * model.deletionShare);
  const insertionOpen = gapOpen.map((open) => 2 * open * (1 - model.deletionShare));
  const stay = gapOpen.map((open) => 1 - 2 * open);
  return { variants, sequence, insertionOpen, deletionOpen, stay, lengthChange };
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
    haplotypes.push(makeHaplotype(chosen, sequence, lengthChange, model));
  }
  return haplotypes;
}

function gapOpenProbabilities(sequence: string, model: ErrorModelConfig): Float64Array {
  const hp = homopolymerLengths(sequence);
  const out = new Float64Array(sequence.length + 1);
  for (let j = 0; j < sequence.length; j++) {
    out[j] = Math.min(model.gapOpenMax, model.gapOpen + model.gapOpenPerHomopolymerBase * (hp[j]! - 1));
  }
  out[sequence.length] = model.gapOpen;
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
  const scale = model.qualityScale ?? 1;
  const offset = model.qualityOffset ?? 0;
  for (let q = 0; q < 256; q++) {
    // Q255 means "no quality": take the platform's floor. Otherwise the reported quality,
    // recalibrated where the preset measured that the platform misreports it.
    const raw = q === 255 ? model.mismatchFloor : 10 ** (-(offset + scale * q) / 10);
    const e = Math.min(model.mismatchCeiling, Math.max(model.mismatchFloor, raw));
    match[q] = Math.log10(1 - e);
    mismatch[q] = Math.log10(e / 3);
  }
  return { match, mismatch };
}

/**
 * Scratch rows for the banded forward pass, reused across calls (one caller at a time per thread).
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
/** log10 likelihood of a read that cannot align in the band (finite, so sums over haplotypes stay defined). */
const IMPOSSIBLE = -1e300;
/** Emission probability of an inserted base: uniform over A, C, G, T. */
const INSERTED_BASE = 0.25;

/** Emission tables in linear probability (the forward pass sums probabilities, not logs). */
const linearCache = new WeakMap<EmissionTable, { match: Float64Array; mismatch: Float64Array }>();
function linearEmissions(emissions: EmissionTable): { match: Float64Array; mismatch: Float64Array } {
  let table = linearCache.get(emissions);
  if (!table) {
    table = { match: emissions.match.map((l) => 10 ** l), mismatch: emissions.mismatch.map((l) => 10 ** l) };
    linearCache.set(emissions, table);
  }
  return table;
}

/**
 * log10 P(read segment | haplotype) by the pair-HMM forward algorithm (GATK's PairHMM):
 * match / insertion / deletion states, summed over every alignment, the read aligned end to
 * end and the haplotype free at both ends (the segment is a part of it). Summing, not taking
 * the best path, is what makes a length error in a homopolymer as likely as the error
 * process says: one base of an 8-base run deleted can be any of the 8 (Viterbi counts one),
 * so noise in long runs no longer looks like a variant and a real length change is not
 * mistaken for noise. Rows are rescaled to their maximum (the log of the scale accumulates)
 * so long, noisy segments do not underflow. Only cells within `band` of the expected
 * diagonal `j = i + offset` are evaluated.
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
  const linear = linearEmissions(emissions);
  rows.ensure(n + 2);
  let { m: curM, i: curI, d: curD, pm: prevM, pi: prevI, pd: prevD } = rows;
  // The rows are shared between calls: start from zeros so no earlier read's cells leak in.
  for (const row of [curM, curI, curD, prevM, prevI, prevD]) row.fill(0, 0, n + 2);
  const extend = model.gapExtend;
  const close = 1 - model.gapExtend;
  const insertionOpen = hap.insertionOpen;
  const deletionOpen = hap.deletionOpen;
  const stay = hap.stay;
  let logScale = 0;
  let prevLo = 0;
  let prevHi = n;
  for (let i = 1; i <= m; i++) {
    const lo = Math.max(1, i + offset - band);
    const hi = Math.min(n, i + offset + band);
    const from = Math.max(0, lo - 1);
    if (hi < from) return IMPOSSIBLE;
    // Cells outside this row's band read as 0; clear the span the previous row may have left.
    const clearLo = Math.min(from, prevLo);
    const clearHi = Math.max(hi, prevHi);
    curM.fill(0, clearLo, clearHi + 1);
    curI.fill(0, clearLo, clearHi + 1);
    curD.fill(0, clearLo, clearHi + 1);
    const base = segment.bases[i - 1]!;
    const q = segment.quals[i - 1]!;
    const matchP = linear.match[q]!;
    const mismatchP = linear.mismatch[q]!;
    let rowMax = 0;
    for (let j = from; j <= hi; j++) {
      if (j >= lo) {
        const emit = seq.charCodeAt(j - 1) === base ? matchP : mismatchP;
        // The first read base may be aligned to any haplotype base (free start).
        const fromPrev = i === 1 ? 1 : prevM[j - 1]! * stay[j - 1]! + (prevI[j - 1]! + prevD[j - 1]!) * close;
        curM[j] = emit * fromPrev;
      }
      // Insertion: read base i not in the haplotype, any base alike (GATK's pair-HMM takes 1,
      // which makes an inserted base 4× likelier than the error rate says and read-length
      // noise in homopolymers look like insertions). The first read base may itself be
      // inserted (the alignment starts in the I state).
      curI[j] = INSERTED_BASE * (i === 1 ? insertionOpen[j]! : prevM[j]! * insertionOpen[j]! + prevI[j]! * extend);
      curD[j] = j > from ? curM[j - 1]! * deletionOpen[j - 1]! + curD[j - 1]! * extend : 0;
      const cell = curM[j]! + curI[j]! + curD[j]!;
      if (cell > rowMax) rowMax = cell;
    }
    if (rowMax === 0) return IMPOSSIBLE;
    const inv = 1 / rowMax;
    for (let j = from; j <= hi; j++) {
      curM[j]! *= inv;
      curI[j]! *= inv;
      curD[j]! *= inv;
    }
    logScale += Math.log10(rowMax);
    prevLo = from;
    prevHi = hi;
    [prevM, curM] = [curM, prevM];
    [prevI, curI] = [curI, prevI];
    [prevD, curD] = [curD, prevD];
  }
  let total = 0;
  for (let j = prevLo; j <= prevHi; j++) total += prevM[j]! + prevI[j]!;
  return total > 0 ? logScale + Math.log10(total) : IMPOSSIBLE;
}
