/**
 * Builds the model's per-position evidence (`PileupColumnEvidence`) from aligned reads, using
 * the caller's read type (engine/call/types.ts `AlignedRead`) and CIGAR conventions, so the
 * caller's tile loop can hand the same reads to the model that it hands to its own pileup.
 *
 * Per position and strand it counts the allele each read shows (bases below the minimum base
 * quality and reads below the minimum MAPQ are left out, as in the caller's pileup), and keeps
 * per-allele sums of base quality, mapping quality and read-end proximity, from which the
 * reference and alternate summaries are taken once the alternate allele is known.
 */
import { CIGAR_D, CIGAR_EQ, CIGAR_I, CIGAR_M, CIGAR_N, CIGAR_S, CIGAR_X } from '../call/pileup.js';
import type { AlignedRead, CandidateAllele, Platform } from '../call/types.js';
import { ALLELES, alternateAllele, emptyAlleleCounts, READ_END_WINDOW, type Allele, type BaselineGenotypeEvidence, type PileupColumnEvidence, type ReferenceBase } from './features.js';

export interface ColumnBuildOptions {
  platform: Platform;
  minMappingQuality: number;
  minBaseQuality: number;
  /** Candidate alleles by position (see `candidateColumnAllele`); others use the commonest alt. */
  candidateAlleles?: ReadonlyMap<number, Allele>;
  /** The statistical genotyper's evidence by position (baseline-evidence.ts), copied onto the columns. */
  baselines?: ReadonlyMap<number, BaselineGenotypeEvidence>;
}

/** MAPQ below which a read counts as "low mapping quality" for that channel. */
export const LOW_MAPQ = 10;

const ALLELE_INDEX: Readonly<Record<string, number>> = { A: 0, C: 1, G: 2, T: 3, del: 4, ins: 5 };
const A = ALLELES.length;

/**
 * Where a caller candidate shows up in the columns: an SNV at its position; an insertion after
 * its anchor base (VCF position); a deletion on the first deleted base (anchor + 1).
 */
export function candidateColumnAllele(candidate: CandidateAllele): { position: number; allele: Allele } | null {
  if (candidate.kind === 'snv' && candidate.alt.length === 1 && 'ACGT'.includes(candidate.alt)) return { position: candidate.pos, allele: candidate.alt as Allele };
  if (candidate.kind === 'insertion') return { position: candidate.pos, allele: 'ins' };
  if (candidate.kind === 'deletion') return { position: candidate.pos + 1, allele: 'del' };
  return null;
}

/** Columns for reference positions [start, end) of `sequence` (the whole contig, 0-based). */
export function pileupColumnsFromReads(reads: readonly AlignedRead[], sequence: string, start: number, end: number, options: ColumnBuildOptions): PileupColumnEvidence[] {
  const span = Math.max(0, end - start);
  // Per position × allele: [forward count, reverse count, BQ sum, MQ sum, near-end count].
  const forward = new Float64Array(span * A);
  const reverse = new Float64Array(span * A);
  const baseQualitySum = new Float64Array(span * A);
  const mappingQualitySum = new Float64Array(span * A);
  const nearEnd = new Float64Array(span * A);
  const covering = new Float64Array(span);
  const lowMapq = new Float64Array(span);

  const add = (position: number, allele: number, read: AlignedRead, baseQuality: number, readPosition: number): void => {
    const k = (position - start) * A + allele;
    (read.reverse ? reverse : forward)[k]!++;
    baseQualitySum[k]! += baseQuality;
    mappingQualitySum[k]! += read.mapq;
    if (readPosition < READ_END_WINDOW || read.bases.length - 1 - readPosition < READ_END_WINDOW) nearEnd[k]!++;
  };

  for (const read of reads) {
    if (read.end <= start || read.start >= end) continue;
    const counted = read.mapq >= options.minMappingQuality;
    let refPos = read.start;
    let readPos = 0;
    for (let c = 0; c < read.cigar.length; c++) {
      const op = read.cigar[c]! & 0xf;
      const length = read.cigar[c]! >>> 4;
      if (op === CIGAR_M || op === CIGAR_EQ || op === CIGAR_X || op === CIGAR_D) {
        for (let i = 0; i < length; i++) {
          const p = refPos + i;
          if (p < start || p >= end) continue;
          covering[p - start]!++;
          if (read.mapq < LOW_MAPQ) lowMapq[p - start]!++;
          if (!counted) continue;
          if (op === CIGAR_D) {
            // No base quality at a deleted base: the quality of the base before stands in.
            add(p, ALLELE_INDEX.del!, read, read.quals[Math.max(0, readPos - 1)] ?? 0, readPos);
          } else {
            const quality = read.quals[readPos + i]!;
            const allele = ALLELE_INDEX[String.fromCharCode(read.bases[readPos + i]!)];
            if (allele !== undefined && quality >= options.minBaseQuality) add(p, allele, read, quality === 255 ? 30 : quality, readPos + i);
          }
        }
        refPos += length;
        if (op !== CIGAR_D) readPos += length;
      } else if (op === CIGAR_I) {
        // Between refPos − 1 and refPos: counted on the base before.
        const p = refPos - 1;
        if (counted && p >= start && p < end) {
          let sum = 0;
          for (let i = 0; i < length; i++) sum += read.quals[readPos + i] ?? 0;
          add(p, ALLELE_INDEX.ins!, read, sum / Math.max(1, length), readPos);
        }
        readPos += length;
      } else if (op === CIGAR_N) {
        refPos += length;
      } else if (op === CIGAR_S) {
        readPos += length;
      }
    }
  }

  const columns: PileupColumnEvidence[] = [];
  for (let p = start; p < end; p++) {
    const i = p - start;
    const upper = (sequence[p] ?? 'N').toUpperCase();
    const refBase: ReferenceBase = upper === 'A' || upper === 'C' || upper === 'G' || upper === 'T' ? upper : 'N';
    const fwd = emptyAlleleCounts();
    const rev = emptyAlleleCounts();
    for (const [k, allele] of ALLELES.entries()) {
      fwd[allele] = forward[i * A + k]!;
      rev[allele] = reverse[i * A + k]!;
    }
    const column: PileupColumnEvidence = {
      position: p,
      refBase,
      forward: fwd,
      reverse: rev,
      refMeanBaseQuality: 0,
      altMeanBaseQuality: 0,
      refMeanMappingQuality: 0,
      altMeanMappingQuality: 0,
      refNearReadEndFraction: 0,
      altNearReadEndFraction: 0,
      lowMappingQualityFraction: covering[i]! > 0 ? lowMapq[i]! / covering[i]! : 0,
      platform: options.platform,
    };
    const candidate = options.candidateAlleles?.get(p);
    if (candidate) column.altAllele = candidate;
    const baseline = options.baselines?.get(p);
    if (baseline) column.baseline = baseline;
    const summarise = (allele: Allele | ReferenceBase): { bq: number; mq: number; end: number } => {
      if (allele === 'N') return { bq: 0, mq: 0, end: 0 };
      const k = i * A + ALLELE_INDEX[allele]!;
      const n = forward[k]! + reverse[k]!;
      return n > 0 ? { bq: baseQualitySum[k]! / n, mq: mappingQualitySum[k]! / n, end: nearEnd[k]! / n } : { bq: 0, mq: 0, end: 0 };
    };
    const ref = summarise(refBase);
    const alt = summarise(alternateAllele(column));
    column.refMeanBaseQuality = ref.bq;
    column.refMeanMappingQuality = ref.mq;
    column.refNearReadEndFraction = ref.end;
    column.altMeanBaseQuality = alt.bq;
    column.altMeanMappingQuality = alt.mq;
    column.altNearReadEndFraction = alt.end;
    columns.push(column);
  }
  return columns;
}
