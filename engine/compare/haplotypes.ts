/**
 * Haplotype-aware matching inside one window (vcfeval's idea): apply each side's variants
 * to the reference, for every phase assignment their genotypes allow, and compare the
 * resulting diploid sequences rather than the records. An MNP and its SNPs, an indel written
 * at either end of a repeat, one multi-allelic record and two split ones all produce the
 * same sequences and so match.
 *
 * Not every variant of a window need be right: the search looks for the largest subsets
 * of truth and calls (by count) whose haplotypes agree, first at genotype level (the
 * unordered pair of haplotypes is equal), then at allele level (the same non-reference
 * haplotypes, different zygosity). What is left is matched record to record by identical
 * normalised alleles. Windows whose enumeration would exceed a budget fall back to that
 * record-to-record matching alone, and are counted so a report can say how often.
 */
import type { Edit } from './normalize.js';
import type { MatchKind, MatchMethod } from './types.js';
import type { MatchVariant } from './variants.js';

export interface WindowLimits {
  /** Most variants per side that subset enumeration is attempted for. */
  maxVariantsPerSide: number;
  /** Most haplotype pairs built per window before falling back. */
  maxHaplotypePairs: number;
}

export const DEFAULT_WINDOW_LIMITS: WindowLimits = { maxVariantsPerSide: 10, maxHaplotypePairs: 200_000 };

export interface WindowResult {
  /** Match kind per variant index (truth and call indices are separate spaces). */
  truth: Map<number, MatchKind>;
  call: Map<number, MatchKind>;
  method: MatchMethod;
  /** Variants (truth and call indices) matched as haplotypes whose records differ from the other side's. */
  truthAcrossRepresentations: Set<number>;
  callAcrossRepresentations: Set<number>;
  /** For each matched truth variant: the lowest GQ among the calls it was matched with (null: none carried GQ). */
  supportingGq: Map<number, number | null>;
  /** For each matched truth variant: a depth from the calls it was matched with. */
  supportingDepth: Map<number, number | null>;
  haplotypePairsBuilt: number;
}

interface SideSearch {
  /** Best (largest) subset mask per genotype-level key (unordered haplotype pair). */
  byGenotypeKey: Map<string, number>;
  /** Best subset mask per allele-level key (set of distinct non-reference haplotypes). */
  byAlleleKey: Map<string, number>;
  pairsBuilt: number;
}

function popcount(mask: number): number {
  let n = 0;
  for (let m = mask; m !== 0; m &= m - 1) n++;
  return n;
}

/** Diploid allele pair of a genotype: haploid calls count as homozygous. */
function diploid(genotype: number[]): [number, number] {
  return [genotype[0]!, genotype[1] ?? genotype[0]!];
}

/**
 * Haplotype pairs a side's subset enumeration builds: every subset costs one pair per
 * orientation of its free bits (unphased hets one each, a phase set one), halved for symmetry.
 */
export function estimateWork(variants: MatchVariant[]): number {
  let product = 1;
  const phaseSetSizes = new Map<string, number>();
  for (const v of variants) {
    const [a, b] = diploid(v.genotype);
    if (a === b) product *= 2;
    else if (v.phased) phaseSetSizes.set(v.phaseSet ?? '', (phaseSetSizes.get(v.phaseSet ?? '') ?? 0) + 1);
    else product *= 3;
  }
  for (const size of phaseSetSizes.values()) product *= 1 + 2 * (2 ** size - 1);
  return Math.ceil(product / 2);
}

/** Applies edits (sorted, non-overlapping) to reference[windowStart, windowEnd); null if two collide. */
export function applyEdits(reference: string, windowStart: number, windowEnd: number, edits: Edit[]): string | null {
  const sorted = [...edits].sort((x, y) => x.start - y.start || x.end - x.start - (y.end - y.start));
  let out = '';
  let cursor = windowStart;
  let lastInsertionAt = -1;
  for (const e of sorted) {
    if (e.start < cursor) return null;
    // Two insertions at one point have no defined order on one haplotype.
    if (e.start === e.end && e.start === lastInsertionAt) return null;
    out += reference.slice(cursor, e.start) + e.alt;
    cursor = e.end;
    if (e.start === e.end) lastInsertionAt = e.start;
  }
  return out + reference.slice(cursor, windowEnd);
}

function searchSide(reference: string, windowStart: number, windowEnd: number, variants: MatchVariant[]): SideSearch {
  const byGenotypeKey = new Map<string, number>();
  const byAlleleKey = new Map<string, number>();
  const refSequence = reference.slice(windowStart, windowEnd);
  let pairsBuilt = 0;
  const n = variants.length;
  for (let mask = 0; mask < 1 << n; mask++) {
    const subset = variants.filter((_, i) => (mask & (1 << i)) !== 0);
    const size = popcount(mask);
    // Free orientation bits: unphased hets individually, phased hets per phase set.
    const hets = subset.filter((v) => {
      const [a, b] = diploid(v.genotype);
      return a !== b;
    });
    const groupOf = new Map<MatchVariant, number>();
    const groupIds = new Map<string, number>();
    let groups = 0;
    for (const v of hets) {
      if (v.phased) {
        const key = v.phaseSet ?? '';
        let id = groupIds.get(key);
        if (id === undefined) {
          id = groups++;
          groupIds.set(key, id);
        }
        groupOf.set(v, id);
      } else {
        groupOf.set(v, groups++);
      }
    }
    // Fixing group 0's orientation removes the mirror image (pairs are unordered).
    const assignments = groups === 0 ? 1 : 1 << (groups - 1);
    for (let flip = 0; flip < assignments; flip++) {
      const hap1: Edit[] = [];
      const hap2: Edit[] = [];
      for (const v of subset) {
        let [a, b] = diploid(v.genotype);
        const group = groupOf.get(v);
        if (group !== undefined && group > 0 && (flip & (1 << (group - 1))) !== 0) [a, b] = [b, a];
        const e1 = v.edits[a] ?? null;
        const e2 = v.edits[b] ?? null;
        if (e1) hap1.push(e1);
        if (e2) hap2.push(e2);
      }
      pairsBuilt++;
      const h1 = applyEdits(reference, windowStart, windowEnd, hap1);
      const h2 = applyEdits(reference, windowStart, windowEnd, hap2);
      if (h1 === null || h2 === null) continue;
      const genotypeKey = h1 < h2 ? `${h1}|${h2}` : `${h2}|${h1}`;
      const alleleKey = [...new Set([h1, h2].filter((h) => h !== refSequence))].sort().join('|');
      const g = byGenotypeKey.get(genotypeKey);
      if (g === undefined || popcount(g) < size) byGenotypeKey.set(genotypeKey, mask);
      const a = byAlleleKey.get(alleleKey);
      if (a === undefined || popcount(a) < size) byAlleleKey.set(alleleKey, mask);
    }
  }
  return { byGenotypeKey, byAlleleKey, pairsBuilt };
}

interface BestPair {
  truthMask: number;
  callMask: number;
  score: number;
}

function bestPair(truthKeys: Map<string, number>, callKeys: Map<string, number>): BestPair {
  let best: BestPair = { truthMask: 0, callMask: 0, score: 0 };
  for (const [key, truthMask] of truthKeys) {
    const callMask = callKeys.get(key);
    if (callMask === undefined) continue;
    const score = popcount(truthMask) + popcount(callMask);
    // Ties: prefer more truth matched (recall), then the lower masks, for determinism.
    if (score > best.score || (score === best.score && popcount(truthMask) > popcount(best.truthMask))) best = { truthMask, callMask, score };
  }
  return best;
}

function signatureOf(variants: MatchVariant[], level: 'genotype' | 'allele' = 'genotype'): string {
  return variants
    .map((v) => (level === 'genotype' ? v.genotypeSignature : v.alleleSignature))
    .sort()
    .join(';');
}

function minGq(calls: MatchVariant[]): number | null {
  let m: number | null = null;
  for (const c of calls) if (c.gq !== null) m = m === null ? c.gq : Math.min(m, c.gq);
  return m;
}

function firstDepth(calls: MatchVariant[]): number | null {
  for (const c of calls) if (c.depth !== null) return c.depth;
  return null;
}

/**
 * Pairs leftover variants record to record when their normalised alleles are identical:
 * genotype match if the zygosity agrees too, allele match otherwise.
 */
function matchIdentical(truths: MatchVariant[], calls: MatchVariant[], result: WindowResult): void {
  const callsBySignature = new Map<string, MatchVariant[]>();
  for (const c of calls) {
    if (result.call.get(c.index) !== 'none') continue;
    const list = callsBySignature.get(c.alleleSignature) ?? [];
    list.push(c);
    callsBySignature.set(c.alleleSignature, list);
  }
  for (const t of truths) {
    if (result.truth.get(t.index) !== 'none') continue;
    const candidates = callsBySignature.get(t.alleleSignature);
    if (!candidates || candidates.length === 0) continue;
    const sameGenotype = candidates.findIndex((c) => c.genotypeSignature === t.genotypeSignature);
    const [c] = candidates.splice(sameGenotype >= 0 ? sameGenotype : 0, 1);
    const kind: MatchKind = c!.genotypeSignature === t.genotypeSignature ? 'genotype' : 'allele';
    result.truth.set(t.index, kind);
    result.call.set(c!.index, kind);
    result.supportingGq.set(t.index, c!.gq);
    result.supportingDepth.set(t.index, c!.depth);
  }
}

export function resolveWindow(reference: string, truths: MatchVariant[], calls: MatchVariant[], limits: WindowLimits = DEFAULT_WINDOW_LIMITS): WindowResult {
  const result: WindowResult = {
    truth: new Map(truths.map((t) => [t.index, 'none' as MatchKind])),
    call: new Map(calls.map((c) => [c.index, 'none' as MatchKind])),
    method: 'haplotype',
    truthAcrossRepresentations: new Set(),
    callAcrossRepresentations: new Set(),
    supportingGq: new Map(),
    supportingDepth: new Map(),
    haplotypePairsBuilt: 0,
  };
  if (truths.length === 0 || calls.length === 0) return result;

  // Fast path: the same records with the same genotypes (most windows).
  if (truths.length === calls.length && signatureOf(truths) === signatureOf(calls)) {
    matchIdentical(truths, calls, result);
    return result;
  }

  const tooMany = truths.length > limits.maxVariantsPerSide || calls.length > limits.maxVariantsPerSide;
  if (tooMany || estimateWork(truths) + estimateWork(calls) > limits.maxHaplotypePairs) {
    result.method = 'fallback';
    matchIdentical(truths, calls, result);
    return result;
  }

  let windowStart = Infinity;
  let windowEnd = -Infinity;
  for (const v of [...truths, ...calls]) {
    windowStart = Math.min(windowStart, v.span.start);
    windowEnd = Math.max(windowEnd, v.span.end);
    for (const e of v.edits) if (e) windowEnd = Math.max(windowEnd, e.end);
  }
  windowStart = Math.max(0, windowStart - 1);
  windowEnd = Math.min(reference.length, windowEnd + 1);

  const truthSearch = searchSide(reference, windowStart, windowEnd, truths);
  const callSearch = searchSide(reference, windowStart, windowEnd, calls);
  result.haplotypePairsBuilt = truthSearch.pairsBuilt + callSearch.pairsBuilt;

  const genotypeBest = bestPair(truthSearch.byGenotypeKey, callSearch.byGenotypeKey);
  const alleleBest = bestPair(truthSearch.byAlleleKey, callSearch.byAlleleKey);
  const useAllele = alleleBest.score > genotypeBest.score;
  const best = useAllele ? alleleBest : genotypeBest;
  if (best.score > 0) {
    const matchedTruths = truths.filter((_, i) => (best.truthMask & (1 << i)) !== 0);
    const matchedCalls = calls.filter((_, i) => (best.callMask & (1 << i)) !== 0);
    // Representation is about records, not zygosity: compare the alleles only.
    if (signatureOf(matchedTruths, 'allele') !== signatureOf(matchedCalls, 'allele')) {
      for (const t of matchedTruths) result.truthAcrossRepresentations.add(t.index);
      for (const c of matchedCalls) result.callAcrossRepresentations.add(c.index);
    }
    const gq = minGq(matchedCalls);
    const depth = firstDepth(matchedCalls);
    // At allele level, a variant whose own record agrees on zygosity is still a genotype match.
    const callGenotypes = new Set(matchedCalls.map((c) => c.genotypeSignature));
    const truthGenotypes = new Set(matchedTruths.map((t) => t.genotypeSignature));
    for (const t of matchedTruths) {
      result.truth.set(t.index, !useAllele || callGenotypes.has(t.genotypeSignature) ? 'genotype' : 'allele');
      result.supportingGq.set(t.index, gq);
      result.supportingDepth.set(t.index, depth);
    }
    for (const c of matchedCalls) result.call.set(c.index, !useAllele || truthGenotypes.has(c.genotypeSignature) ? 'genotype' : 'allele');
  }
  matchIdentical(truths, calls, result);
  return result;
}
