/**
 * `compareVcfFiles`: truth VCF + call VCF + reference (+ regions, + depth track) → report.
 * Variants of both sides are clustered into windows by proximity (after normalisation, with
 * each indel's slide range in repeats), each window is resolved by haplotype comparison
 * (haplotypes.ts), and the verdicts are counted per atom (metrics.ts).
 */
import { classifyContext } from './context.js';
import type { DepthTrack } from './depth.js';
import { readDepthTrack } from './depth.js';
import type { WindowLimits, WindowResult } from './haplotypes.js';
import { DEFAULT_WINDOW_LIMITS, resolveWindow } from './haplotypes.js';
import type { ScoredAtom, ScoredCall } from './metrics.js';
import { calibration, classTable, contextStrata, depthStrata, riskCoverage } from './metrics.js';
import type { ReferenceGenome } from './reference.js';
import { openReference } from './reference.js';
import { RegionSet } from './regions.js';
import type { CompareReport, MatchingStats, MatchMethod, VariantVerdict } from './types.js';
import { COMPARE_SCHEMA } from './types.js';
import type { MatchVariant, VariantFilter } from './variants.js';
import { buildVariants, emptySkipCounts } from './variants.js';
import type { VcfFile, VcfRecord } from './vcf.js';
import { readVcf } from './vcf.js';

export interface CompareOptions {
  truthPath: string;
  callsPath: string;
  referencePath: string;
  regionsPath?: string | null;
  truthSample?: string;
  callSample?: string;
  /** Ignore records whose FILTER is not PASS or '.' (both sides). Default true. */
  passOnly?: boolean;
  /** Ignore calls with QUAL below this (truth is never QUAL-filtered). Default none. */
  minQual?: number | null;
  depthTrackPath?: string | null;
  /** Include per-atom verdicts in the report. */
  includeVariants?: boolean;
  /** Variants whose slide spans come within this many bases share a window. */
  clusterGap?: number;
  limits?: WindowLimits;
}

export const DEFAULT_CLUSTER_GAP = 10;

export interface ParsedComparison {
  reference: ReferenceGenome;
  truth: VcfFile;
  calls: VcfFile;
  regions: RegionSet | null;
  depthTrack: DepthTrack | null;
}

export async function compareVcfFiles(options: CompareOptions): Promise<CompareReport> {
  const [reference, truth, calls, regions] = await Promise.all([
    openReference(options.referencePath),
    readVcf(options.truthPath, options.truthSample),
    readVcf(options.callsPath, options.callSample),
    options.regionsPath ? RegionSet.fromBed(options.regionsPath) : Promise.resolve(null),
  ]);
  const contigs = new Set([...truth.records, ...calls.records].map((r) => r.chrom));
  const depthTrack = options.depthTrackPath ? await readDepthTrack(options.depthTrackPath, contigs) : null;
  return compareParsed({ reference, truth, calls, regions, depthTrack }, options);
}

function groupByContig(records: VcfRecord[]): Map<string, VcfRecord[]> {
  const groups = new Map<string, VcfRecord[]>();
  for (const r of records) {
    const list = groups.get(r.chrom) ?? [];
    list.push(r);
    groups.set(r.chrom, list);
  }
  return groups;
}

interface Window {
  truths: MatchVariant[];
  calls: MatchVariant[];
}

/**
 * Longest stretch of reference an indel's alleles can be re-spelled over. A repeat-expanding
 * insertion of L bases can equally be written as a shorter insertion plus substitutions or a
 * deletion up to about L bases away (chr20:2,633,378: a 12 bp insertion and a 6 bp deletion 20
 * bases apart spell the same haplotype as a 6 bp insertion and an SNV), so a fixed gap alone
 * would put the two representations in different windows. Capped so that one large deletion
 * does not swallow its neighbourhood into a window too big to enumerate.
 */
export const MAX_INDEL_REACH = 100;

function indelReach(v: MatchVariant): number {
  let reach = 0;
  for (const e of v.edits) {
    if (e && e.end - e.start !== e.alt.length) reach = Math.max(reach, e.end - e.start, e.alt.length);
  }
  return Math.min(reach, MAX_INDEL_REACH);
}

/**
 * Groups both sides' variants into windows, transitively: a variant joins the current window
 * when its span, widened on each side by its indel reach, comes within `gap` bases of the
 * window's widened end; truth and call variants widen the window alike.
 */
export function clusterWindows(truths: MatchVariant[], calls: MatchVariant[], gap: number): Window[] {
  const all = [...truths, ...calls]
    .map((variant) => {
      const reach = indelReach(variant);
      return { variant, start: variant.span.start - reach, end: variant.span.end + reach };
    })
    .sort((a, b) => a.start - b.start || a.end - b.end);
  const windows: Window[] = [];
  let current: Window | null = null;
  let currentEnd = -Infinity;
  for (const { variant, start, end } of all) {
    if (current === null || start > currentEnd + gap) {
      current = { truths: [], calls: [] };
      windows.push(current);
      currentEnd = end;
    } else {
      currentEnd = Math.max(currentEnd, end);
    }
    (variant.side === 'truth' ? current.truths : current.calls).push(variant);
  }
  for (const w of windows) {
    w.truths.sort(bySpan);
    w.calls.sort(bySpan);
  }
  return windows;
}

function bySpan(a: MatchVariant, b: MatchVariant): number {
  return a.span.start - b.span.start || a.span.end - b.span.end;
}

export async function compareParsed(parsed: ParsedComparison, options: Omit<CompareOptions, 'truthPath' | 'callsPath' | 'referencePath'> & Partial<CompareOptions>): Promise<CompareReport> {
  const passOnly = options.passOnly ?? true;
  const minQual = options.minQual ?? null;
  const gap = options.clusterGap ?? DEFAULT_CLUSTER_GAP;
  const limits = options.limits ?? DEFAULT_WINDOW_LIMITS;
  const truthFilter: VariantFilter = { passOnly, minQual: null, regions: parsed.regions };
  const callFilter: VariantFilter = { passOnly, minQual, regions: parsed.regions };
  const skippedTruth = emptySkipCounts();
  const skippedCalls = emptySkipCounts();
  const truthByContig = groupByContig(parsed.truth.records);
  const callsByContig = groupByContig(parsed.calls.records);
  const contigs = [...new Set([...truthByContig.keys(), ...callsByContig.keys()])];

  const atoms: ScoredAtom[] = [];
  const scoredCalls: ScoredCall[] = [];
  const verdicts: VariantVerdict[] = [];
  const matching: MatchingStats = {
    windows: 0,
    windowsFullyMatched: 0,
    windowsFallback: 0,
    truthVariantsInFallback: 0,
    callVariantsInFallback: 0,
    truthMatchedAcrossRepresentations: 0,
    haplotypePairsBuilt: 0,
  };

  let truthIndex = 0;
  let callIndex = 0;
  for (const chrom of contigs) {
    const sequence = await parsed.reference.contig(chrom);
    const truthRecords = truthByContig.get(chrom) ?? [];
    const callRecords = callsByContig.get(chrom) ?? [];
    if (sequence === null) {
      skippedTruth.unknownContig += truthRecords.length;
      skippedCalls.unknownContig += callRecords.length;
      continue;
    }
    const truths = buildVariants('truth', chrom, sequence, truthRecords, truthFilter, skippedTruth, truthIndex);
    const calls = buildVariants('call', chrom, sequence, callRecords, callFilter, skippedCalls, callIndex);
    truthIndex += truths.length;
    callIndex += calls.length;

    for (const window of clusterWindows(truths, calls, gap)) {
      const result = resolveWindow(sequence, window.truths, window.calls, limits);
      matching.windows++;
      matching.haplotypePairsBuilt += result.haplotypePairsBuilt;
      if (result.method === 'fallback') {
        matching.windowsFallback++;
        matching.truthVariantsInFallback += window.truths.length;
        matching.callVariantsInFallback += window.calls.length;
      }
      const allMatched = [...result.truth.values(), ...result.call.values()].every((m) => m !== 'none');
      if (allMatched) matching.windowsFullyMatched++;
      scoreWindow(chrom, sequence, window, result, parsed.depthTrack, atoms, scoredCalls, verdicts, matching);
    }
  }

  const report: CompareReport = {
    schema: COMPARE_SCHEMA,
    inputs: {
      truth: parsed.truth.path,
      calls: parsed.calls.path,
      reference: parsed.reference.path,
      regions: options.regionsPath ?? null,
      truthSample: parsed.truth.sample,
      callSample: parsed.calls.sample,
      passOnly,
      minQual,
      depthTrack: parsed.depthTrack?.path ?? null,
    },
    evaluatedBases: parsed.regions?.totalBases() ?? null,
    metrics: classTable(atoms),
    strata: { context: contextStrata(atoms), depth: depthStrata(atoms) },
    calibration: calibration(scoredCalls),
    riskCoverage: riskCoverage(atoms, scoredCalls),
    matching,
    skipped: { truth: skippedTruth, calls: skippedCalls },
  };
  if (options.includeVariants) report.variants = verdicts;
  return report;
}

function scoreWindow(
  chrom: string,
  sequence: string,
  window: Window,
  result: WindowResult,
  depthTrack: DepthTrack | null,
  atoms: ScoredAtom[],
  scoredCalls: ScoredCall[],
  verdicts: VariantVerdict[],
  matching: MatchingStats,
): void {
  const method: MatchMethod = result.method;
  for (const v of window.truths) {
    const match = result.truth.get(v.index) ?? 'none';
    const gq = result.supportingGq.get(v.index) ?? null;
    for (const atom of v.atoms) {
      const depth = depthTrack?.depthAt(chrom, atom.start) ?? result.supportingDepth.get(v.index) ?? null;
      const context = classifyContext(sequence, atom.start, atom.end);
      atoms.push({ side: 'truth', variantClass: atom.variantClass, context, match, depth, gq });
      const across = result.truthAcrossRepresentations.has(v.index);
      if (across) matching.truthMatchedAcrossRepresentations++;
      verdicts.push({
        side: 'truth',
        chrom,
        pos: atom.pos,
        ref: atom.ref,
        alt: atom.alt,
        variantClass: atom.variantClass,
        context,
        verdict: match === 'none' ? 'FN' : 'TP',
        match,
        method,
        representationDiffers: across,
        line: v.line,
        gq,
        depth,
      });
    }
  }
  for (const v of window.calls) {
    const match = result.call.get(v.index) ?? 'none';
    scoredCalls.push({ gq: v.gq, match });
    for (const atom of v.atoms) {
      const depth = v.depth ?? depthTrack?.depthAt(chrom, atom.start) ?? null;
      const context = classifyContext(sequence, atom.start, atom.end);
      atoms.push({ side: 'call', variantClass: atom.variantClass, context, match, depth, gq: v.gq });
      verdicts.push({
        side: 'call',
        chrom,
        pos: atom.pos,
        ref: atom.ref,
        alt: atom.alt,
        variantClass: atom.variantClass,
        context,
        verdict: match === 'none' ? 'FP' : 'TP',
        match,
        method,
        representationDiffers: result.callAcrossRepresentations.has(v.index),
        line: v.line,
        gq: v.gq,
        depth,
      });
    }
  }
}
