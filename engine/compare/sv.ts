/**
 * Structural-variant matching, in the way truvari and `SURVIVOR eval` do it (breakpoints
 * within a distance, sizes similar, types compatible), because SV callers report
 * breakpoints with read-level imprecision and an exact-allele comparison would count
 * nothing. Duplications and insertions are one class: a tandem duplication in long reads is
 * often called as an insertion of the copy.
 */
import type { RegionSet } from './regions.js';
import { RegionSet as Regions } from './regions.js';
import { readLines } from './text-lines.js';

export type SvType = 'DEL' | 'INS' | 'DUP' | 'INV';
export type SvClass = 'DEL' | 'INS/DUP' | 'INV';
export const SV_CLASSES: readonly SvClass[] = ['DEL', 'INS/DUP', 'INV'];
export const SV_MIN_LENGTH = 50;

export interface SvCall {
  chrom: string;
  /** 1-based start (VCF POS). */
  pos: number;
  end: number;
  length: number;
  type: SvType;
  line: number;
}

export interface SvMatchOptions {
  /** Largest breakpoint distance (bp) for a match. */
  maxDistance: number;
  /** Smallest shorter/longer length ratio for a match. */
  minSizeRatio: number;
}

export const DEFAULT_SV_MATCH: SvMatchOptions = { maxDistance: 1000, minSizeRatio: 0.5 };

export interface SvClassMetrics {
  truth: number;
  calls: number;
  tp: number;
  fp: number;
  fn: number;
  precision: number | null;
  recall: number | null;
  f1: number | null;
}

export interface SvCompareReport {
  schema: 'genomaic.sv-compare/1';
  options: SvMatchOptions;
  metrics: Record<SvClass | 'ALL', SvClassMetrics>;
  /** Call records not evaluated: other types (BND), shorter than 50 bp, filtered, reference genotype. */
  callsSkipped: number;
}

export function svClass(type: SvType): SvClass {
  return type === 'DEL' ? 'DEL' : type === 'INV' ? 'INV' : 'INS/DUP';
}

function info(fields: string, key: string): string | undefined {
  for (const entry of fields.split(';')) {
    const eq = entry.indexOf('=');
    if (eq > 0 && entry.slice(0, eq) === key) return entry.slice(eq + 1);
  }
  return undefined;
}

/** Reads SV records (symbolic or sequence-resolved, ≥ 50 bp), PASS only, non-reference genotypes. */
export async function readSvVcf(path: string): Promise<{ calls: SvCall[]; skipped: number }> {
  const calls: SvCall[] = [];
  let skipped = 0;
  let lineNumber = 0;
  for await (const line of readLines(path)) {
    lineNumber++;
    if (line.startsWith('#') || line === '') continue;
    const f = line.split('\t');
    const [chrom, posText, , ref, alt, , filter, infoText] = f;
    if (!chrom || !posText || !ref || !alt || infoText === undefined) {
      skipped++;
      continue;
    }
    if (filter !== undefined && filter !== 'PASS' && filter !== '.') {
      skipped++;
      continue;
    }
    const gt = f[9]?.split(':')[0];
    if (gt !== undefined && /^0[/|]0$/.test(gt)) {
      skipped++;
      continue;
    }
    const pos = Number(posText);
    const declared = info(infoText, 'SVTYPE');
    let type: SvType | null = null;
    let length = Math.abs(Number(info(infoText, 'SVLEN') ?? 'NaN'));
    if (declared === 'DEL' || declared === 'INS' || declared === 'DUP' || declared === 'INV') type = declared;
    else if (declared?.startsWith('DUP')) type = 'DUP';
    else if (!alt.startsWith('<') && !alt.includes('[') && !alt.includes(']')) {
      // Sequence-resolved allele without SVTYPE: the length change says what it is.
      const change = alt.length - ref.length;
      if (Math.abs(change) >= SV_MIN_LENGTH) type = change > 0 ? 'INS' : 'DEL';
      length = Math.abs(change);
    }
    const endText = info(infoText, 'END');
    let end = endText !== undefined ? Number(endText) : pos + ref.length - 1;
    if (!Number.isFinite(length) || length === 0) length = type === 'INS' ? 0 : Math.abs(end - pos);
    if (type === null || !Number.isFinite(pos) || length < SV_MIN_LENGTH) {
      skipped++;
      continue;
    }
    if (!Number.isFinite(end) || end < pos) end = pos;
    calls.push({ chrom, pos, end, length, type, line: lineNumber });
  }
  return { calls, skipped };
}

function ratio(a: number, b: number): number | null {
  return b === 0 ? null : a / b;
}

function metrics(truth: number, calls: number, tp: number, tpCall: number): SvClassMetrics {
  const precision = ratio(tpCall, calls);
  const recall = ratio(tp, truth);
  const f1 = precision === null || recall === null ? null : precision + recall === 0 ? 0 : (2 * precision * recall) / (precision + recall);
  return { truth, calls, tp, fp: calls - tpCall, fn: truth - tp, precision, recall, f1 };
}

/**
 * Greedy one-to-one matching, closest breakpoint first: each truth SV takes the nearest
 * compatible unused call within the distance whose size is similar enough.
 */
export function compareSvCalls(truth: SvCall[], calls: SvCall[], options: SvMatchOptions = DEFAULT_SV_MATCH, callsSkipped = 0): SvCompareReport {
  const candidates: { t: number; c: number; distance: number }[] = [];
  truth.forEach((t, ti) => {
    calls.forEach((c, ci) => {
      if (t.chrom !== c.chrom || svClass(t.type) !== svClass(c.type)) return;
      const distance = Math.abs(t.pos - c.pos);
      if (distance > options.maxDistance) return;
      const sizeRatio = Math.min(t.length, c.length) / Math.max(t.length, c.length);
      if (!(sizeRatio >= options.minSizeRatio)) return;
      candidates.push({ t: ti, c: ci, distance });
    });
  });
  candidates.sort((a, b) => a.distance - b.distance);
  const truthMatched = new Set<number>();
  const callMatched = new Set<number>();
  for (const { t, c } of candidates) {
    if (truthMatched.has(t) || callMatched.has(c)) continue;
    truthMatched.add(t);
    callMatched.add(c);
  }
  const byClass = {} as SvCompareReport['metrics'];
  for (const cls of SV_CLASSES) {
    const ti = truth.map((t, i) => [t, i] as const).filter(([t]) => svClass(t.type) === cls);
    const ci = calls.map((c, i) => [c, i] as const).filter(([c]) => svClass(c.type) === cls);
    byClass[cls] = metrics(ti.length, ci.length, ti.filter(([, i]) => truthMatched.has(i)).length, ci.filter(([, i]) => callMatched.has(i)).length);
  }
  byClass.ALL = metrics(truth.length, calls.length, truthMatched.size, callMatched.size);
  return { schema: 'genomaic.sv-compare/1', options, metrics: byClass, callsSkipped };
}

export async function compareSvFiles(truthPath: string, callsPath: string, regions: RegionSet | string | null, options: SvMatchOptions = DEFAULT_SV_MATCH): Promise<SvCompareReport> {
  const regionSet = typeof regions === 'string' ? await Regions.fromBed(regions) : regions;
  const inside = (c: SvCall): boolean => regionSet === null || regionSet.contains(c.chrom, c.pos - 1);
  const truth = (await readSvVcf(truthPath)).calls.filter(inside);
  const read = await readSvVcf(callsPath);
  const calls = read.calls.filter(inside);
  return compareSvCalls(truth, calls, options, read.skipped + (read.calls.length - calls.length));
}
