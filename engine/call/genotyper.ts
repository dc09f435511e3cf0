/**
 * The statistical diploid genotyper: the baseline the learned model must beat and the
 * fallback when no model is loaded.
 *
 * For a window with candidate haplotypes H and reads R, with per-read likelihoods
 * L(r | h) from realign.ts (capped by the read's mapping quality, since a mismapped read
 * supports nothing), the likelihood of an unordered pair of haplotypes is
 *   P(R | h1, h2) = Π_r ( ½ L(r | h1) + ½ L(r | h2) )
 * and its prior is the product over candidates of the population prior of carrying it on 0,
 * 1 or 2 haplotypes (θ for heterozygous, θ/2 for homozygous; θ per platform-independent
 * variant class). The posterior over pairs is marginalised onto each locus (group of
 * overlapping candidates), giving the locus genotype posterior: GT is its mode, the raw GQ
 * is −10·log10(1 − P(GT)) (DeepVariant's definition: GQ from the genotype posterior), QUAL is
 * −10·log10 P(0/0), and PL is the Phred-scaled best pair likelihood of each genotype.
 * The record keeps only the alleles the genotype carries, and each read is assigned to the
 * record allele it favours decisively (AD), as GATK counts AD after subsetting to the called
 * alleles; the hard rules read those counts.
 */
import type { AlignedRead, CandidateAllele, ReadSupport, SiteEvidence } from './types.js';
import type { CallerConfig, LinkedPriorStep, RepeatIndelPriorConfig } from './config.js';
import type { CallWindow, EmissionTable, Haplotype, ReadSegment } from './realign.js';
import { alignReadToHaplotype, enumerateHaplotypes, readSegment } from './realign.js';
import { indelRepeatTract, repeatTractAt } from './repeats.js';
import type { ReadPhase, ReadPhaseMap } from './read-phasing.js';
import { CIGAR_D, CIGAR_EQ, CIGAR_I, CIGAR_M, CIGAR_N, CIGAR_S, CIGAR_X } from './pileup.js';
import { distanceToAlignedEnd, localMismatches, MISMATCH_COUNT_REACH, rankSumPhred } from './read-evidence.js';
import { allelesCarried, genotypeIndex, normaliseRecordAlleles, remapGenotype, subsetPhredLikelihoods } from '../export/normalize.js';

/** Largest GQ reported (Phred 99 = error 1.3e-10, the usual cap) and QUAL cap. */
export const MAX_GQ = 99;
/**
 * Cap of the uncalibrated GQ. It is not capped at 99: calibration maps it down, and how far
 * beyond 99 the posterior goes (deep, clean evidence) is what lets the calibrated GQ spread.
 */
export const MAX_RAW_GQ = 1000;
const MAX_QUAL = 3000;
/** A read supports an allele when it is this many log10 units likelier than any other allele of the record. */
const SUPPORT_MARGIN = 0.5;
/**
 * Indels whose repeat tracts overlap form one locus when the tract is at least this long
 * (bp): the REPEAT_CONTEXT length of every preset, where lengths are hard to tell apart.
 */
const LOCUS_TRACT_MIN_LENGTH = 6;

/**
 * One record's worth of a locus. Its alleles are those the most probable genotype carries
 * (every evaluated allele when that is hom-ref or when more alleles are strongly supported
 * than a diploid holds), normalised; genotype, PL, AD, support and the per-allele evidence are
 * in that allele numbering.
 */
export interface LocusGenotype {
  /** 0-based position of the record's first reference base. */
  pos: number;
  ref: string;
  alts: string[];
  /** Most probable genotype (allele indexes, ascending). */
  genotype: [number, number];
  /** Posterior of the most probable genotype. */
  posterior: number;
  /** Uncalibrated GQ, −10·log10(1 − P(GT)), capped at MAX_RAW_GQ (not 99). */
  rawGq: number;
  qual: number;
  pl: number[];
  alleleDepths: number[];
  support: ReadSupport[];
  evidence: SiteEvidence;
  /** Every candidate of the locus, also those of alleles the record does not list. */
  candidates: CandidateAllele[];
  /** How the likelihoods were computed: realigned, realigned with the reads' phases, or single-base pileup. */
  method: 'realigned' | 'phased' | 'pileup';
  /** Alleles whose support is strong but that the genotype cannot hold (more than two). */
  excessAlleles: number;
  /** Reads supporting (among every evaluated allele) an allele not in the called genotype. */
  readsAgainstGenotype: number;
}

/** Index of genotype (a, b), a ≤ b, in VCF's PL order. */
export const plIndex = genotypeIndex;

function log10SumExp(a: number, b: number): number {
  const hi = Math.max(a, b);
  return hi + Math.log10(10 ** (a - hi) + 10 ** (b - hi));
}

function phred(p: number, cap: number): number {
  if (p <= 0) return cap;
  return Math.min(cap, Math.max(0, -10 * Math.log10(p)));
}

/** Read index of the base aligned to `pos`, or −1 (deleted there, or not covering). */
export function readIndexAt(read: AlignedRead, pos: number): number {
  if (pos < read.start || pos >= read.end) return -1;
  let refPos = read.start;
  let readPos = 0;
  for (let k = 0; k < read.cigar.length; k++) {
    const packed = read.cigar[k]!;
    const op = packed & 0xf;
    const length = packed >>> 4;
    if (op === CIGAR_M || op === CIGAR_EQ || op === CIGAR_X) {
      if (pos < refPos + length) return pos >= refPos ? readPos + (pos - refPos) : -1;
      refPos += length;
      readPos += length;
    } else if (op === CIGAR_D || op === CIGAR_N) {
      if (pos < refPos + length) return -1;
      refPos += length;
    } else if (op === CIGAR_I || op === CIGAR_S) {
      readPos += length;
    }
  }
  return -1;
}

interface Locus {
  start: number;
  end: number;
  /** Candidate indexes (into the window) inside the locus. */
  members: number[];
}

/** Reference bases either side of a locus when its alleles are compared as homopolymer shadows. */
const HOMOPOLYMER_FLANK = 12;
const MIN_HOMOPOLYMER = 3;

/** Whether `shorter` is `longer` with one base of a homopolymer run (≥ MIN_HOMOPOLYMER long) removed. */
export function isHomopolymerDeletion(longer: string, shorter: string): boolean {
  if (longer.length !== shorter.length + 1) return false;
  let i = 0;
  while (i < shorter.length && longer[i] === shorter[i]) i++;
  if (longer.slice(i + 1) !== shorter.slice(i)) return false;
  const base = longer[i];
  let start = i;
  let end = i + 1;
  while (start > 0 && longer[start - 1] === base) start--;
  while (end < longer.length && longer[end] === base) end++;
  return end - start >= MIN_HOMOPOLYMER;
}

/**
 * Loci of a window: groups of candidates that overlap on the reference, and of indels whose
 * repeat tracts (≥ LOCUS_TRACT_MIN_LENGTH bp) overlap. Why the second: different lengths of
 * one repeat left-align to different anchors when they are not whole units (+3 and +4 in an
 * (AATA)n tract sit 4 bp apart), and as separate loci they do not compete: a read of the +4
 * that fits the +3 about as well counts for REF at the +4's locus, and each length gets its
 * own, overconfident GQ. As one multi-allelic locus the lengths are alleles of one genotype,
 * the best length wins and GQ falls when lengths are close (HipSTR/GATK STR genotyping does
 * the same per tract). SNVs still join a locus only by overlap.
 */
function lociOf(window: CallWindow, reference: string): Locus[] {
  const n = window.candidates.length;
  const spans = window.candidates.map((c) => {
    const start = c.pos;
    const end = c.pos + Math.max(c.ref.length, 1);
    if (c.kind === 'snv') return { start, end, tractStart: start, tractEnd: end, indel: false };
    const tract = repeatTractAt(reference, start, end);
    const inRepeat = tract.end - tract.start >= LOCUS_TRACT_MIN_LENGTH;
    return { start, end, tractStart: inRepeat ? Math.min(start, tract.start) : start, tractEnd: inRepeat ? Math.max(end, tract.end) : end, indel: true };
  });
  const parent = Array.from({ length: n }, (_, i) => i);
  const root = (i: number): number => (parent[i] === i ? i : (parent[i] = root(parent[i]!)));
  for (let i = 0; i < n; i++) {
    for (let j = i + 1; j < n; j++) {
      const a = spans[i]!;
      const b = spans[j]!;
      const overlap = a.start < b.end && b.start < a.end;
      const sameTract = a.indel && b.indel && a.tractStart < b.tractEnd && b.tractStart < a.tractEnd;
      if (overlap || sameTract) parent[root(i)] = root(j);
    }
  }
  const groups = new Map<number, number[]>();
  for (let i = 0; i < n; i++) {
    const members = groups.get(root(i)) ?? [];
    members.push(i);
    groups.set(root(i), members);
  }
  const loci: Locus[] = [...groups.values()].map((members) => {
    const sorted = members.sort((a, b) => window.candidates[a]!.pos - window.candidates[b]!.pos);
    return {
      start: Math.min(...sorted.map((i) => spans[i]!.start)),
      end: Math.max(...sorted.map((i) => spans[i]!.end)),
      members: sorted,
    };
  });
  return loci.sort((a, b) => a.start - b.start);
}

/** The sequence a haplotype has over a locus. */
function locusAllele(locus: Locus, hap: Haplotype, window: CallWindow, reference: string): string {
  let out = '';
  let cursor = locus.start;
  for (const v of hap.variants) {
    if (!locus.members.includes(v)) continue;
    const c = window.candidates[v]!;
    out += reference.slice(cursor, c.pos) + c.alt;
    cursor = c.pos + c.ref.length;
  }
  return out + reference.slice(cursor, locus.end);
}

interface ReadRow {
  read: AlignedRead;
  /** log10 likelihood per haplotype, after the MAPQ cap. */
  likelihoods: Float64Array;
  /** Substitutions against the reference near (not in) the window: the read's local dirt. */
  mismatchesNearby: number;
  /** The read's haplotype (read-phasing.ts), when the run phases reads and its markers say. */
  phase: ReadPhase | null;
}

/** Reads assigned to a record's alleles: AD, the strand split and each read's allele. */
interface ReadAssignment {
  support: ReadSupport[];
  /** Decisive reads per record allele (AD). */
  depths: number[];
  forward: number[];
  reverse: number[];
  uninformative: number;
}

/**
 * Each read's allele among `alleles` (locus allele indexes, REF first; the result numbers them
 * 0… in that order): the likeliest, when it beats the runner-up among the same alleles by
 * SUPPORT_MARGIN, else none. Alleles outside the set do not compete.
 */
function assignReads(rows: readonly ReadRow[], readAlleleLikelihoods: readonly Float64Array[], alleles: readonly number[]): ReadAssignment {
  const n = alleles.length;
  const out: ReadAssignment = { support: [], depths: new Array<number>(n).fill(0), forward: new Array<number>(n).fill(0), reverse: new Array<number>(n).fill(0), uninformative: 0 };
  for (let k = 0; k < rows.length; k++) {
    const read = rows[k]!.read;
    const likelihoods = readAlleleLikelihoods[k]!;
    let top = 0;
    for (let x = 1; x < n; x++) if (likelihoods[alleles[x]!]! > likelihoods[alleles[top]!]!) top = x;
    let second = -Infinity;
    for (let x = 0; x < n; x++) if (x !== top && likelihoods[alleles[x]!]! > second) second = likelihoods[alleles[x]!]!;
    const margin = likelihoods[alleles[top]!]! - second;
    const allele = margin >= SUPPORT_MARGIN ? top : -1;
    out.support.push({ name: read.name, reverse: read.reverse, allele, margin: Math.round(margin * 100) / 100 });
    if (allele < 0) {
      out.uninformative++;
      continue;
    }
    out.depths[allele]!++;
    if (read.reverse) out.reverse[allele]!++;
    else out.forward[allele]!++;
  }
  return out;
}

const LOG10_HALF = Math.log10(0.5);

/**
 * log10 P(reads | haplotypes a and b). An unphased read is from either with probability ½; a
 * phased read is from the block's haplotype 0 with probability p0, and each block's two
 * orientations (a on haplotype 0, or b) are equally likely a priori and summed.
 */
function pairLogLikelihood(rows: readonly ReadRow[], a: number, b: number): number {
  let logLik = 0;
  const blocks = new Map<number, [number, number]>();
  for (const row of rows) {
    const la = row.likelihoods[a]!;
    const lb = row.likelihoods[b]!;
    if (!row.phase || a === b) {
      logLik += log10SumExp(la, lb) + LOG10_HALF;
      continue;
    }
    const p = Math.log10(row.phase.p0);
    const q = Math.log10(1 - row.phase.p0);
    const sums = blocks.get(row.phase.block) ?? [0, 0];
    sums[0] += log10SumExp(la + p, lb + q);
    sums[1] += log10SumExp(la + q, lb + p);
    blocks.set(row.phase.block, sums);
  }
  for (const [first, second] of blocks.values()) logLik += log10SumExp(first, second) + LOG10_HALF;
  return logLik;
}

/**
 * Prior of a heterozygous indel candidate: `indelPrior`, or, for a change of a repeat tract's
 * unit count, the `repeatIndelPrior` row of the tract's unit and the longest `minLength` the
 * tract reaches (times `multiUnitFactor` for more than one unit), whichever is higher.
 */
export function indelCandidatePrior(candidate: CandidateAllele, reference: string, indelPrior: number, table: RepeatIndelPriorConfig | undefined): number {
  if (!table) return indelPrior;
  const tract = indelRepeatTract(reference, candidate);
  if (!tract) return indelPrior;
  const unit = tract.unit.length;
  const length = tract.end - tract.start;
  let row: RepeatIndelPriorConfig['tracts'][number] | undefined;
  for (const r of table.tracts) if (unit >= r.unit[0] && unit <= r.unit[1] && length >= r.minLength && (!row || r.minLength > row.minLength)) row = r;
  if (!row) return indelPrior;
  const units = Math.abs(candidate.alt.length - candidate.ref.length) / unit;
  return Math.max(indelPrior, units > 1 ? row.prior * table.multiUnitFactor : row.prior);
}

/**
 * The prior factor of each variant a haplotype carries (same order as `variants`, ascending by
 * position): that of the first step whose distance covers the gap from the previous variant on
 * the haplotype, 1 for the first variant and beyond the last step.
 */
function linkedPriorFactors(variants: readonly number[], candidates: readonly CandidateAllele[], steps: readonly LinkedPriorStep[] | undefined): number[] {
  return variants.map((v, i) => {
    if (i === 0 || !steps) return 1;
    const gap = candidates[v]!.pos - candidates[variants[i - 1]!]!.pos;
    return steps.find((s) => gap <= s.within)?.factor ?? 1;
  });
}

/** Genotypes one window from the reads overlapping it (any order). */
export function genotypeWindow(
  window: CallWindow,
  reads: readonly AlignedRead[],
  reference: string,
  config: CallerConfig,
  emissions: EmissionTable,
  candidatePositions: ReadonlySet<number> = new Set(),
  phases: ReadPhaseMap | null = null,
): LocusGenotype[] {
  const maxIndel = window.candidates.reduce((m, c) => Math.max(m, Math.abs(c.alt.length - c.ref.length)), 0);
  // Reads are compared over the window plus a flank at least as long as the longest indel: a
  // read that stops inside a duplicated stretch fits the haplotype with and without the
  // extra copy alike (the haplotype's ends are free), so it would tell nothing.
  const flank = config.flank + maxIndel;
  const from = Math.max(0, window.start - flank);
  const to = Math.min(reference.length, window.end + flank);
  const pad = 8 + maxIndel;
  const hapStart = Math.max(0, from - pad);
  const hapEnd = Math.min(reference.length, to + pad);
  const haplotypes = window.simple
    ? [0, 1].map((k) => ({ variants: k === 0 ? [] : [0], sequence: '', insertionOpen: new Float64Array(0), deletionOpen: new Float64Array(0), stay: new Float64Array(0), lengthChange: 0 }))
    : enumerateHaplotypes(window, reference, hapStart, hapEnd, config.errorModel);
  const H = haplotypes.length;

  const rows: ReadRow[] = [];
  const lowMapq: AlignedRead[] = [];
  let mapqSum = 0;
  let mapq0 = 0;
  let overlapping = 0;
  const snv = window.simple ? window.candidates[0]! : null;
  for (const read of reads) {
    if (read.end <= window.start || read.start >= window.end) continue;
    overlapping++;
    mapqSum += read.mapq;
    if (read.mapq === 0) mapq0++;
    if (read.mapq < config.minMappingQuality) {
      lowMapq.push(read);
      continue;
    }
    const likelihoods = new Float64Array(H);
    if (snv) {
      const idx = readIndexAt(read, snv.pos);
      if (idx < 0) continue;
      const base = read.bases[idx]!;
      const q = read.quals[idx]!;
      likelihoods[0] = base === snv.ref.charCodeAt(0) ? emissions.match[q]! : emissions.mismatch[q]!;
      likelihoods[1] = base === snv.alt.charCodeAt(0) ? emissions.match[q]! : emissions.mismatch[q]!;
    } else {
      const segment: ReadSegment | null = readSegment(read, from, to);
      if (!segment) continue;
      const offset = segment.refStart - hapStart;
      for (let h = 0; h < H; h++) {
        const hap = haplotypes[h]!;
        // The diagonal moves by the haplotype's and the read's own indels; the band covers both.
        const band = 8 + Math.abs(hap.lengthChange) + Math.abs(segment.netIndel) + maxIndel;
        likelihoods[h] = alignReadToHaplotype(segment, hap, offset, band, emissions, config.errorModel);
      }
    }
    let best = -Infinity;
    for (let h = 0; h < H; h++) best = Math.max(best, likelihoods[h]!);
    // A read mapped with error probability 10^(−MAPQ/10) cannot favour one haplotype by more than that.
    const floor = best - Math.max(read.mapq, 1) / 10;
    for (let h = 0; h < H; h++) if (likelihoods[h]! < floor) likelihoods[h] = floor;
    const mismatchesNearby = localMismatches(read, reference, window.start - MISMATCH_COUNT_REACH, window.end + MISMATCH_COUNT_REACH, from, to, candidatePositions, config.minBaseQuality);
    rows.push({ read, likelihoods, mismatchesNearby, phase: phases?.get(read.name) ?? null });
  }

  // Prior per haplotype pair: product over candidates of θ (het) or θ/2 (hom), θ raised by the
  // linked-variant factor for a candidate that follows another on the same haplotype.
  const priors = window.candidates.map((c) => (c.kind === 'snv' ? config.snvPrior : indelCandidatePrior(c, reference, config.indelPrior, config.repeatIndelPrior)));
  const linkFactors = haplotypes.map((h) => linkedPriorFactors(h.variants, window.candidates, config.linkedVariantPrior));
  const pairs: { a: number; b: number; logLik: number; logPost: number }[] = [];
  for (let a = 0; a < H; a++) {
    for (let b = a; b < H; b++) {
      const logLik = pairLogLikelihood(rows, a, b);
      let logPrior = 0;
      const carried = new Map<number, { count: number; factor: number }>();
      for (const h of [a, b]) {
        haplotypes[h]!.variants.forEach((v, i) => {
          const seen = carried.get(v);
          const factor = linkFactors[h]![i]!;
          carried.set(v, { count: (seen?.count ?? 0) + 1, factor: Math.max(seen?.factor ?? 1, factor) });
        });
      }
      for (const [v, { count, factor }] of carried) {
        const theta = Math.min(0.5, priors[v]! * factor);
        logPrior += Math.log10(count === 1 ? theta : theta / 2);
      }
      pairs.push({ a, b, logLik, logPost: logLik + logPrior });
    }
  }
  let norm = -Infinity;
  for (const p of pairs) norm = norm === -Infinity ? p.logPost : log10SumExp(norm, p.logPost);

  const results: LocusGenotype[] = [];
  for (const locus of lociOf(window, reference)) {
    const ref = reference.slice(locus.start, locus.end);
    const hapAlleleSeq = haplotypes.map((h) => (window.simple ? (h.variants.length ? window.candidates[0]!.alt : ref) : locusAllele(locus, h, window, reference)));
    const alleles: string[] = [ref];
    for (const s of hapAlleleSeq) if (!alleles.includes(s)) alleles.push(s);
    const hapAllele = hapAlleleSeq.map((s) => alleles.indexOf(s));
    const A = alleles.length;
    const G = (A * (A + 1)) / 2;
    const post = new Float64Array(G);
    const bestLik = new Float64Array(G).fill(-Infinity);
    for (const p of pairs) {
      const x = hapAllele[p.a]!;
      const y = hapAllele[p.b]!;
      const g = plIndex(Math.min(x, y), Math.max(x, y));
      post[g]! += 10 ** (p.logPost - norm);
      if (p.logLik > bestLik[g]!) bestLik[g] = p.logLik;
    }
    let gBest = 0;
    for (let g = 1; g < G; g++) if (post[g]! > post[gBest]!) gBest = g;
    let genotype: [number, number] = [0, 0];
    for (let b = 0; b < A; b++) for (let a = 0; a <= b; a++) if (plIndex(a, b) === gBest) genotype = [a, b];
    const maxLik = Math.max(...bestLik);
    const pl = [...bestLik].map((l) => (Number.isFinite(l) ? Math.min(9999, Math.round(-10 * (l - maxLik))) : 9999));

    // Each read's likelihood of each allele: its best over the haplotypes carrying the allele.
    const readAlleleLikelihoods = rows.map((row) => {
      const best = new Float64Array(A).fill(-Infinity);
      for (let h = 0; h < H; h++) {
        const x = hapAllele[h]!;
        if (row.likelihoods[h]! > best[x]!) best[x] = row.likelihoods[h]!;
      }
      return best;
    });
    // Over every evaluated allele: more strongly supported alleles than two haplotypes hold is
    // CONFLICTING_EVIDENCE, whatever the genotype says.
    const everyAllele = alleles.map((_, x) => x);
    const evaluated = assignReads(rows, readAlleleLikelihoods, everyAllele);
    // A third allele one homopolymer base short of an allele of the genotype is that allele's
    // commonest sequencing error (above all in long reads), not a third haplotype: it does not count.
    const flankOf = (allele: string): string => reference.slice(Math.max(0, locus.start - HOMOPOLYMER_FLANK), locus.start) + allele + reference.slice(locus.end, locus.end + HOMOPOLYMER_FLANK);
    const carriedContexts = [...new Set([genotype[0], genotype[1]])].map((x) => flankOf(alleles[x]!));
    const strongAlleles = evaluated.depths.filter((d, x) => d >= Math.max(config.minAltReads, 0.15 * rows.length) && (x === genotype[0] || x === genotype[1] || !carriedContexts.some((c) => isHomopolymerDeletion(c, flankOf(alleles[x]!))))).length;
    const excessAlleles = Math.max(0, strongAlleles - 2);
    const readsAgainstGenotype = evaluated.depths.reduce((s, d, x) => s + (x !== genotype[0] && x !== genotype[1] ? d : 0), 0);
    // The record lists the alleles its genotype carries (a no-call: those of its best genotype),
    // as `bcftools view --trim-alt-alleles` would leave it; every evaluated allele only when
    // those are what the record has to show: a hom-ref best genotype written because alt reads
    // exist, or more strong alleles than a diploid holds.
    const kept = genotype[1] > 0 && excessAlleles === 0 ? allelesCarried(genotype) : everyAllele;
    // Reads are assigned among the record's alleles only (GATK marginalises its read
    // likelihoods onto the called alleles before AD): a noisy read of a homopolymer deletion
    // that cannot choose between the −1 and −2 candidates is still a decisive alt read once
    // the −2 is not a record allele, so AD, the allele-balance and strand tests and the
    // read-placement tests count the split the genotype was called from.
    const assigned = kept.length === A ? evaluated : assignReads(rows, readAlleleLikelihoods, kept);
    const recordGenotype = remapGenotype(genotype, kept);
    const recordPl = kept.length === A ? pl : subsetPhredLikelihoods(pl, kept);
    const recordAlleles = normaliseRecordAlleles(reference, locus.start, ref, kept.slice(1).map((x) => alleles[x]!));
    // Read placement of the called alt against the reference reads (read-evidence.ts).
    let readPositionBias = 0;
    let mismatchBias = 0;
    const calledAlt = recordGenotype[1];
    if (calledAlt > 0) {
      const refEnds: number[] = [];
      const altEnds: number[] = [];
      const refDirt: number[] = [];
      const altDirt: number[] = [];
      for (let k = 0; k < rows.length; k++) {
        const allele = assigned.support[k]!.allele;
        if (allele !== 0 && allele !== calledAlt) continue;
        const row = rows[k]!;
        const end = distanceToAlignedEnd(row.read, locus.start);
        if (allele === 0) {
          refDirt.push(row.mismatchesNearby);
          if (end >= 0) refEnds.push(end);
        } else {
          altDirt.push(row.mismatchesNearby);
          if (end >= 0) altEnds.push(end);
        }
      }
      readPositionBias = rankSumPhred(refEnds, altEnds);
      mismatchBias = rankSumPhred(altDirt, refDirt);
    }
    const p00 = post[0]!;
    // 1 − P(GT) summed in log space from the other genotypes' pairs: exact even when P(GT)
    // rounds to 1, and not floored at 1e-300, so the raw GQ keeps growing with the evidence.
    let errorLog10 = -Infinity;
    for (const p of pairs) {
      const x = hapAllele[p.a]!;
      const y = hapAllele[p.b]!;
      if (plIndex(Math.min(x, y), Math.max(x, y)) === gBest) continue;
      errorLog10 = errorLog10 === -Infinity ? p.logPost - norm : log10SumExp(errorLog10, p.logPost - norm);
    }
    results.push({
      pos: recordAlleles.pos,
      ref: recordAlleles.ref,
      alts: recordAlleles.alts,
      genotype: recordGenotype,
      posterior: post[gBest]!,
      rawGq: errorLog10 === -Infinity ? MAX_RAW_GQ : Math.min(MAX_RAW_GQ, Math.max(0, -10 * errorLog10)),
      qual: phred(p00, MAX_QUAL),
      pl: recordPl,
      alleleDepths: assigned.depths,
      support: assigned.support,
      evidence: {
        depth: rows.length,
        refForward: assigned.forward[0]!,
        refReverse: assigned.reverse[0]!,
        altForward: assigned.forward.slice(1),
        altReverse: assigned.reverse.slice(1),
        uninformative: assigned.uninformative,
        meanMapq: overlapping > 0 ? mapqSum / overlapping : 0,
        mapq0Fraction: overlapping > 0 ? mapq0 / overlapping : 0,
        repeatLength: window.repeatLength,
        repeatUnit: window.repeatUnit,
        readPositionBias: Math.round(readPositionBias * 10) / 10,
        mismatchBias: Math.round(mismatchBias * 10) / 10,
      },
      candidates: locus.members.map((i) => window.candidates[i]!),
      method: window.simple ? 'pileup' : phases && rows.some((r) => r.phase) ? 'phased' : 'realigned',
      excessAlleles,
      readsAgainstGenotype,
    });
  }
  return results;
}
