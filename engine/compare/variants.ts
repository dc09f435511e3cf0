/**
 * From VCF records to the comparator's variants: which records take part (PASS, QUAL,
 * a non-reference genotype, inside the regions, REF agreeing with the reference), and each
 * allele as a normalised edit.
 */
import type { Atom, Edit } from './normalize.js';
import { atomsOf, editKey, normaliseAllele, shiftableSpan } from './normalize.js';
import type { RegionSet } from './regions.js';
import type { SkipCounts } from './types.js';
import type { VcfRecord } from './vcf.js';

export interface MatchVariant {
  side: 'truth' | 'call';
  /** Index among this side's variants (stable identity). */
  index: number;
  chrom: string;
  /** Edit per allele index; null for the reference allele and for alleles that change nothing ('*', ALT = REF). */
  edits: (Edit | null)[];
  /** Allele indices of the genotype, missing alleles read as reference; haploid calls have one. */
  genotype: number[];
  phased: boolean;
  phaseSet: string | null;
  /** Closed reference interval covering every used edit and how far its indels can slide. */
  span: { start: number; end: number };
  /** Zygosity-aware identity of the call: the sorted edit keys of each allele in the genotype. */
  genotypeSignature: string;
  /** Zygosity-free identity: the sorted distinct edit keys used. */
  alleleSignature: string;
  atoms: Atom[];
  gq: number | null;
  depth: number | null;
  qual: number | null;
  line: number;
}

export interface VariantFilter {
  passOnly: boolean;
  minQual: number | null;
  regions: RegionSet | null;
}

export function emptySkipCounts(): SkipCounts {
  return { filtered: 0, belowMinQual: 0, noAltGenotype: 0, symbolic: 0, outsideRegions: 0, unknownContig: 0, refMismatch: 0 };
}

function isSymbolic(alt: string): boolean {
  return alt.startsWith('<') || alt.includes('[') || alt.includes(']') || alt === '.';
}

/** REF agrees with the reference, allowing N on either side (IUPAC-masked references). */
function refAgrees(reference: string, start: number, ref: string): boolean {
  if (start + ref.length > reference.length) return false;
  for (let i = 0; i < ref.length; i++) {
    const a = ref[i]!;
    const b = reference[start + i]!;
    if (a !== b && a !== 'N' && b !== 'N') return false;
  }
  return true;
}

/**
 * Builds the comparator's variants for one side and one contig.
 * @param records records of one contig, in file order
 */
export function buildVariants(
  side: 'truth' | 'call',
  chrom: string,
  reference: string,
  records: VcfRecord[],
  filter: VariantFilter,
  skipped: SkipCounts,
  firstIndex: number,
): MatchVariant[] {
  const variants: MatchVariant[] = [];
  for (const record of records) {
    if (filter.passOnly && record.filters.length > 0 && !(record.filters.length === 1 && record.filters[0] === 'PASS')) {
      skipped.filtered++;
      continue;
    }
    if (filter.minQual !== null && (record.qual === null || record.qual < filter.minQual)) {
      skipped.belowMinQual++;
      continue;
    }
    const alleles = record.genotype?.alleles ?? [];
    const genotype = alleles.map((a) => a ?? 0);
    if (genotype.length === 0 || genotype.every((a) => a === 0)) {
      skipped.noAltGenotype++;
      continue;
    }
    if (genotype.some((a) => a > record.alts.length)) {
      skipped.noAltGenotype++;
      continue;
    }
    if (genotype.some((a) => a > 0 && isSymbolic(record.alts[a - 1]!))) {
      skipped.symbolic++;
      continue;
    }
    const start = record.pos - 1;
    if (!refAgrees(reference, start, record.ref)) {
      skipped.refMismatch++;
      continue;
    }
    const edits: (Edit | null)[] = [null];
    for (const alt of record.alts) {
      edits.push(alt === '*' || isSymbolic(alt) ? null : normaliseAllele(reference, start, record.ref, alt));
    }
    const used = [...new Set(genotype.filter((a) => a > 0 && edits[a] !== null))];
    if (used.length === 0) {
      skipped.noAltGenotype++;
      continue;
    }
    const usedEdits = used.map((a) => edits[a]!);
    const firstStart = Math.min(...usedEdits.map((e) => e.start));
    if (filter.regions && !filter.regions.contains(chrom, firstStart)) {
      skipped.outsideRegions++;
      continue;
    }
    let spanStart = Infinity;
    let spanEnd = -Infinity;
    const atoms: Atom[] = [];
    const seenAtoms = new Set<string>();
    for (const edit of usedEdits) {
      const span = shiftableSpan(reference, edit);
      spanStart = Math.min(spanStart, span.start);
      spanEnd = Math.max(spanEnd, span.end, edit.end);
      for (const atom of atomsOf(reference, edit)) {
        const key = `${atom.pos}:${atom.ref}:${atom.alt}`;
        if (!seenAtoms.has(key)) {
          seenAtoms.add(key);
          atoms.push(atom);
        }
      }
    }
    const alleleKeys = genotype.map((a) => (edits[a] ? editKey(edits[a]) : 'REF'));
    if (alleleKeys.length === 1) alleleKeys.push(alleleKeys[0]!);
    variants.push({
      side,
      index: firstIndex + variants.length,
      chrom,
      edits,
      genotype,
      phased: record.genotype?.phased ?? false,
      phaseSet: record.phaseSet,
      span: { start: spanStart, end: spanEnd },
      genotypeSignature: alleleKeys.sort().join(','),
      alleleSignature: usedEdits.map(editKey).sort().join(','),
      atoms,
      gq: record.gq,
      depth: record.depth,
      qual: record.qual,
      line: record.line,
    });
  }
  variants.sort((a, b) => a.span.start - b.span.start || a.span.end - b.span.end);
  return variants;
}
