/**
 * Alleles as edits of the reference, normalised the way vt and `bcftools norm` do
 * (trim shared bases, shift indels to their leftmost equivalent position), plus the span an
 * indel could slide over in a repeat (so that left- and right-shifted copies of one indel
 * land in the same comparison window) and the decomposition into atoms used for counting.
 */
import type { VariantClass } from './types.js';

/** Replace reference[start, end) (0-based, half-open) by `alt`. Empty `alt` = deletion; start = end = insertion. */
export interface Edit {
  start: number;
  end: number;
  alt: string;
}

export function editKey(edit: Edit): string {
  return `${edit.start}:${edit.end}:${edit.alt}`;
}

/**
 * Normalises one allele given as VCF REF/ALT at a 0-based start. Returns null when the
 * allele equals the reference (nothing to compare).
 */
export function normaliseAllele(reference: string, start: number, ref: string, alt: string): Edit | null {
  let s = start;
  let r = ref;
  let a = alt;
  // Shared suffix, then shared prefix: what remains is the change itself.
  while (r.length > 0 && a.length > 0 && r[r.length - 1] === a[a.length - 1]) {
    r = r.slice(0, -1);
    a = a.slice(0, -1);
  }
  while (r.length > 0 && a.length > 0 && r[0] === a[0]) {
    r = r.slice(1);
    a = a.slice(1);
    s++;
  }
  if (r.length === 0 && a.length === 0) return null;
  let edit: Edit = { start: s, end: s + r.length, alt: a };
  if (r.length === 0 || a.length === 0) edit = leftShift(reference, edit);
  return edit;
}

/** Slides a pure insertion or deletion to its leftmost equivalent position. */
export function leftShift(reference: string, edit: Edit): Edit {
  let { start, end, alt } = edit;
  if (end > start && alt.length === 0) {
    while (start > 0 && reference[start - 1] === reference[end - 1]) {
      start--;
      end--;
    }
  } else if (end === start && alt.length > 0) {
    while (start > 0 && reference[start - 1] === alt[alt.length - 1]) {
      alt = reference[start - 1]! + alt.slice(0, -1);
      start--;
    }
    end = start;
  }
  return { start, end, alt };
}

/**
 * The reference interval an edit could occupy after sliding right as far as it can
 * (for pure indels), closed at both ends so an insertion occupies one point.
 */
export function shiftableSpan(reference: string, edit: Edit): { start: number; end: number } {
  let { start, end, alt } = edit;
  if (end > start && alt.length === 0) {
    while (end < reference.length && reference[start] === reference[end]) {
      start++;
      end++;
    }
    return { start: edit.start, end };
  }
  if (end === start && alt.length > 0) {
    while (start < reference.length && reference[start] === alt[0]) {
      alt = alt.slice(1) + reference[start]!;
      start++;
    }
    return { start: edit.start, end: start };
  }
  return { start: edit.start, end: edit.end };
}

/** One countable unit: an SNV, an indel or a complex allele, in VCF style (1-based POS, anchored indels). */
export interface Atom {
  pos: number;
  ref: string;
  alt: string;
  variantClass: VariantClass;
  /** 0-based reference interval the atom touches, for context and depth lookups. */
  start: number;
  end: number;
}

export function atomKey(chrom: string, atom: Pick<Atom, 'pos' | 'ref' | 'alt'>): string {
  return `${chrom}:${atom.pos}:${atom.ref}:${atom.alt}`;
}

/**
 * Counting units, as `bcftools norm -a` (atomize) produces them: an MNP is its SNVs; an indel
 * is one record anchored on the base before it; a complex allele (a length change plus
 * substitutions) is the SNVs of its aligned prefix followed by one left-aligned indel for the
 * rest. Matching never uses atoms (it compares haplotypes); they only make counts comparable
 * across representations and with bcftools.
 */
export function atomsOf(reference: string, edit: Edit): Atom[] {
  const refLength = edit.end - edit.start;
  const altLength = edit.alt.length;
  const shared = Math.min(refLength, altLength);
  const atoms: Atom[] = [];
  for (let i = 0; i < shared; i++) {
    const r = reference[edit.start + i]!;
    const a = edit.alt[i]!;
    if (r !== a) atoms.push({ pos: edit.start + i + 1, ref: r, alt: a, variantClass: 'SNP', start: edit.start + i, end: edit.start + i + 1 });
  }
  if (refLength === altLength) return atoms;
  const rest = leftShift(reference, { start: edit.start + shared, end: edit.end, alt: edit.alt.slice(shared) });
  atoms.push(indelAtom(reference, rest));
  return atoms.sort((x, y) => x.pos - y.pos);
}

/** A pure insertion or deletion in VCF style, anchored on the preceding base (or the following one at the contig start). */
function indelAtom(reference: string, edit: Edit): Atom {
  if (edit.start > 0) {
    const anchor = reference[edit.start - 1]!;
    return {
      pos: edit.start,
      ref: anchor + reference.slice(edit.start, edit.end),
      alt: anchor + edit.alt,
      variantClass: 'INDEL',
      start: edit.start,
      end: Math.max(edit.end, edit.start + 1),
    };
  }
  const after = reference[edit.end] ?? 'N';
  return { pos: 1, ref: reference.slice(0, edit.end) + after, alt: edit.alt + after, variantClass: 'INDEL', start: 0, end: edit.end + 1 };
}
