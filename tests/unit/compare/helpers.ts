/**
 * A tiny hand-made reference with one homopolymer, one dinucleotide repeat and unique
 * sequence around them, and helpers to write VCF text against it. Positions are found in
 * the sequence rather than typed in, so the cases read as what they are.
 */
import { compareParsed } from '../../../engine/compare/compare.js';
import type { WindowLimits } from '../../../engine/compare/haplotypes.js';
import { referenceFromSequences } from '../../../engine/compare/reference.js';
import { RegionSet } from '../../../engine/compare/regions.js';
import type { CompareReport } from '../../../engine/compare/types.js';
import { parseVcfText } from '../../../engine/compare/vcf.js';

export const CONTIG = 't';
const UNIQUE_HEAD = 'GATCCTGACGTTAGCATCGA';
const HOMOPOLYMER = 'CAAAAAAAG'; // C, seven A, G
const UNIQUE_MID = 'TCGATGCAGT';
const DINUCLEOTIDE = `G${'CA'.repeat(6)}TG`; // G, (CA)x6, T, G
const UNIQUE_TAIL = 'ACTTGACCGTAGGCTAACGTCGATTCAGGCATGCAATCGTTGACAGCTAGTCCATGAGTCTGACCTAGTACGGATCTTGCAGTCAATGCGTACTGATCGCATCTG';
export const REF = UNIQUE_HEAD + HOMOPOLYMER + UNIQUE_MID + DINUCLEOTIDE + UNIQUE_TAIL;

/** 1-based position of the C before the A run. */
export const HOMOPOLYMER_ANCHOR = REF.indexOf(HOMOPOLYMER) + 1;
/** 1-based position of the G before the (CA)n repeat. */
export const DINUCLEOTIDE_ANCHOR = REF.indexOf(DINUCLEOTIDE) + 1;
/** 1-based start of unique sequence well away from both repeats. */
export const UNIQUE = REF.indexOf(UNIQUE_TAIL) + 10;

/** Reference base(s) at 1-based position, length n. */
export function bases(pos: number, n = 1): string {
  return REF.slice(pos - 1, pos - 1 + n);
}

/** A base that differs from the reference at pos (deterministic). */
export function otherBase(pos: number, offset = 1): string {
  const order = 'ACGT';
  return order[(order.indexOf(bases(pos)) + offset) % 4]!;
}

/**
 * VCF text for one sample. Each record is `POS REF ALT GT [extra FORMAT pairs]`, e.g.
 * `[100, 'A', 'G', '0/1']` or `[100, 'A', 'G', '0/1', { GQ: '30', DP: '12' }, { qual: '50', filter: 'PASS' }]`.
 */
export type RecordSpec = [pos: number, ref: string, alt: string, gt: string, format?: Record<string, string>, columns?: { qual?: string; filter?: string }];

export function vcfText(records: RecordSpec[]): string {
  const header = [
    '##fileformat=VCFv4.2',
    `##contig=<ID=${CONTIG},length=${REF.length}>`,
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Genotype quality">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Read depth">',
    '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS'];
  const lines = records.map(([pos, ref, alt, gt, format = {}, columns = {}]) => {
    const keys = ['GT', ...Object.keys(format)];
    const values = [gt, ...Object.values(format)];
    return [CONTIG, pos, '.', ref, alt, columns.qual ?? '50', columns.filter ?? 'PASS', '.', keys.join(':'), values.join(':')].join('\t');
  });
  return [...header, ...lines].join('\n') + '\n';
}

export interface RunOptions {
  minQual?: number | null;
  regions?: { start: number; end: number }[];
  limits?: WindowLimits;
}

export async function runCompare(truth: RecordSpec[], calls: RecordSpec[], options: RunOptions = {}): Promise<CompareReport> {
  return compareParsed(
    {
      reference: referenceFromSequences({ [CONTIG]: REF }),
      truth: parseVcfText(vcfText(truth), 'truth.vcf'),
      calls: parseVcfText(vcfText(calls), 'calls.vcf'),
      regions: options.regions ? RegionSet.fromIntervals(options.regions.map((r) => ({ chrom: CONTIG, ...r }))) : null,
      depthTrack: null,
    },
    { includeVariants: true, minQual: options.minQual ?? null, ...(options.limits ? { limits: options.limits } : {}) },
  );
}

/**
 * One contig rebuilt from `samtools faidx` slices (headers `NAME:start-end`, in any order) at
 * their real coordinates, N elsewhere, so that real-data fixtures keep their VCF positions.
 */
export function contigFromSlices(fastaText: string): string {
  const slices = fastaText
    .split('>')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const [header, ...lines] = block.split('\n');
      const match = /^\S+:(\d+)-(\d+)$/.exec(header!.trim());
      if (!match) throw new Error(`not a samtools faidx region header: ${header}`);
      return { start: Number(match[1]), sequence: lines.join('').trim() };
    })
    .sort((a, b) => a.start - b.start);
  let contig = '';
  for (const slice of slices) contig += 'N'.repeat(slice.start - 1 - contig.length) + slice.sequence;
  return contig;
}
