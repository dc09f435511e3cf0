/**
 * Shared types of the small-variant caller. The caller reads a coordinate-sorted, indexed BAM
 * against a reference and produces `CallRecord`s (one per VCF line), abstention intervals and
 * provenance; engine/export turns those into VCF 4.3 + .tbi, BED and a JSON-lines sidecar.
 */
import type { Platform } from '../../app/contract.js';

export type { Platform };

/**
 * Why the caller declined to call. A fixed vocabulary (docs/calling.md): the codes appear in
 * the VCF (INFO/ABSTAIN), the BED's name column, the sidecar and the UI, so never rename one;
 * add new ones at the end.
 */
export const ABSTAIN_REASONS = [
  /** Too few reads (or none) to tell a genotype. */
  'LOW_DEPTH',
  /** The reads here map ambiguously (low mean MAPQ or many MAPQ-0 reads). */
  'LOW_MAPQ',
  /** The alternate allele is seen (almost) only on one strand. */
  'STRAND_BIAS',
  /** The allele fraction fits neither a heterozygote nor a homozygote. */
  'ALLELE_BALANCE',
  /** An indel (or SNV next to one) in a homopolymer or tandem repeat, where the platform's errors look like variants. */
  'REPEAT_CONTEXT',
  /** More alleles are supported than a diploid genotype can hold, or overlapping candidates disagree. */
  'CONFLICTING_EVIDENCE',
  /** Evidence of several platforms disagrees (reserved for multi-platform runs). */
  'PLATFORM_CONFLICT',
  /** None of the above stands out, but the calibrated genotype quality (or QUAL) is under the threshold. */
  'MODEL_UNCERTAIN',
  /** The alternate allele sits near read ends / soft clips, or only on reads with many other mismatches (artefact or paralog signature). */
  'READ_POSITION_BIAS',
] as const;
export type AbstainReason = (typeof ABSTAIN_REASONS)[number];

export const ABSTAIN_REASON_TEXT: Record<AbstainReason, string> = {
  LOW_DEPTH: 'too few reads to tell the genotype',
  LOW_MAPQ: 'reads map ambiguously here (low mapping quality)',
  STRAND_BIAS: 'the alternate allele is supported by one strand only',
  ALLELE_BALANCE: 'allele fraction fits neither a heterozygote nor a homozygote',
  REPEAT_CONTEXT: 'homopolymer or tandem repeat where platform errors mimic variants',
  CONFLICTING_EVIDENCE: 'more alleles supported than a diploid genotype can hold',
  PLATFORM_CONFLICT: 'platforms disagree',
  MODEL_UNCERTAIN: 'calibrated genotype quality or variant quality below the abstention threshold',
  READ_POSITION_BIAS: 'alternate allele only near read ends or on reads with many other mismatches',
};

/** A half-open interval on a contig, 0-based. */
export interface GenomicInterval {
  contig: string;
  start: number;
  end: number;
}

/** One aligned read as the caller needs it (a view over a BAM record). */
export interface AlignedRead {
  name: string;
  /** 0-based leftmost reference position of the first aligned base. */
  start: number;
  /** 0-based exclusive end on the reference. */
  end: number;
  mapq: number;
  reverse: boolean;
  /** Read bases as ASCII codes, upper case. */
  bases: Uint8Array;
  /** Phred base qualities (255 when absent). */
  quals: Uint8Array;
  /** CIGAR as (length << 4 | op), BAM encoding. */
  cigar: Uint32Array | number[];
}

/** A candidate allele at a locus, left-aligned (VCF convention: indels keep the base before). */
export interface CandidateAllele {
  /** 0-based position of REF's first base. */
  pos: number;
  ref: string;
  alt: string;
  kind: 'snv' | 'insertion' | 'deletion' | 'complex';
  /** Reads (after quality filters) whose alignment shows this allele. */
  supportingReads: number;
}

/** Per-site summary of the pileup, kept for abstention rules and provenance. */
export interface SiteEvidence {
  depth: number;
  /** Reads on the forward/reverse strand supporting ref / each alt (after realignment). */
  refForward: number;
  refReverse: number;
  altForward: number[];
  altReverse: number[];
  /** Reads that support none of the alleles decisively. */
  uninformative: number;
  meanMapq: number;
  mapq0Fraction: number;
  /** Length of the longest homopolymer or tandem repeat tract touching the locus, in bp. */
  repeatLength: number;
  repeatUnit: string;
  /**
   * Phred of a one-sided rank-sum test that alt reads show the allele nearer their aligned
   * ends (soft clips count as ends) than ref reads show the reference (bcftools' RPB idea).
   */
  readPositionBias: number;
  /** Phred of a one-sided rank-sum test that alt reads carry more mismatches near the site than ref reads. */
  mismatchBias: number;
}

export interface ReadSupport {
  name: string;
  reverse: boolean;
  /** Allele index the read supports (0 = ref), or -1 when it supports none decisively. */
  allele: number;
  /** log10 likelihood margin of the supported allele over the next best. */
  margin: number;
}

/** One VCF record before formatting. */
export interface CallRecord {
  contig: string;
  /** 0-based. */
  pos: number;
  ref: string;
  alts: string[];
  /** Phred probability that no alternate allele is present; null when abstaining with no evidence. */
  qual: number | null;
  /** Allele indexes of the two haplotypes; null for a no-call (`./.`). */
  genotype: [number, number] | null;
  /** The model's most probable genotype, also for no-calls (shown in the UI, INFO/BGT). */
  bestGenotype: [number, number];
  /** Calibrated Phred probability that the genotype is wrong. */
  gq: number;
  /** Uncalibrated GQ, from the genotype posterior of the statistical model. */
  rawGq: number;
  /** Phred-scaled genotype likelihoods in VCF order, normalised to min 0. */
  pl: number[];
  depth: number;
  /** Allele depths: reads decisively supporting each allele (ref first). */
  alleleDepths: number[];
  evidence: SiteEvidence;
  filter: 'PASS' | 'Abstain';
  abstainReason: AbstainReason | null;
  /** Every abstention rule that fired, also for calls kept (they explain a low GQ). */
  diagnostics: AbstainReason[];
  /** Which model produced the genotype (e.g. "stat-diploid/1"). */
  modelId: string;
  /** Whether the haplotype realignment or the plain pileup likelihood was used. */
  method: 'realigned' | 'phased' | 'pileup';
  support: ReadSupport[];
  /** Present only when the learned genotyper (opt-in, docs/model.md) produced the genotype. */
  learned?: LearnedProvenance;
}

/** What the learned genotyper and its verifier said about one record (VCF INFO/VV, INFO/EXW, sidecar). */
export interface LearnedProvenance {
  /** Experts the router used, strongest first, with their weights. */
  experts: { name: string; weight: number }[];
  verdict: 'pass' | 'reroute' | 'abstain';
  /** The expert whose answer the call carries after a re-route (also set when that answer then abstained). */
  reroutedTo: string | null;
  /** The verifier's reason for an abstain verdict. */
  reason: AbstainReason | null;
  /** Checks that failed on the way (verifier findings). */
  findings: string[];
  /** Calibrated posterior over hom-ref, het, hom-alt that the genotype was taken from. */
  posterior: [number, number, number];
}

export interface AbstentionInterval extends GenomicInterval {
  reason: AbstainReason;
}
