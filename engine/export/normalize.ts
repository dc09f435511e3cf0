/**
 * VCF allele normalisation (Tan, Abecasis & Kang 2015, as `bcftools norm` / `vt normalize`):
 * a variant is normalised when its alleles share no trailing base, share no leading base
 * beyond the one anchor an indel needs, and cannot be moved left. The caller creates
 * candidates left-aligned; merging overlapping candidates into one multi-allelic locus can
 * leave shared bases at the ends, which `normaliseAlleles` trims.
 */

export interface NormalisedAlleles {
  /** 0-based position of REF's first base. */
  pos: number;
  ref: string;
  alts: string[];
}

/** Trims shared suffix, then shared prefix, keeping at least one base in every allele. */
export function normaliseAlleles(pos: number, ref: string, alts: readonly string[]): NormalisedAlleles {
  const alleles = [ref, ...alts];
  let suffix = 0;
  for (;;) {
    const minLength = Math.min(...alleles.map((a) => a.length)) - suffix;
    if (minLength <= 1) break;
    const c = ref[ref.length - 1 - suffix];
    if (!alleles.every((a) => a[a.length - 1 - suffix] === c)) break;
    suffix++;
  }
  const trimmed = alleles.map((a) => a.slice(0, a.length - suffix));
  let prefix = 0;
  for (;;) {
    const minLength = Math.min(...trimmed.map((a) => a.length)) - prefix;
    if (minLength <= 1) break;
    const c = trimmed[0]![prefix];
    if (!trimmed.every((a) => a[prefix] === c)) break;
    prefix++;
  }
  const out = trimmed.map((a) => a.slice(prefix));
  return { pos: pos + prefix, ref: out[0]!, alts: out.slice(1) };
}

/**
 * Left-aligns and trims a biallelic variant against the reference (bcftools norm's algorithm:
 * while the alleles end in the same base, drop it and prepend the reference base before).
 * `reference` is the whole contig; `pos` is 0-based.
 */
export function leftAlign(reference: string, pos: number, ref: string, alt: string): NormalisedAlleles {
  let p = pos;
  let r = ref;
  let a = alt;
  for (;;) {
    let changed = false;
    if (r.length > 0 && a.length > 0 && r[r.length - 1] === a[a.length - 1] && (r.length > 1 || a.length > 1)) {
      r = r.slice(0, -1);
      a = a.slice(0, -1);
      changed = true;
    }
    if ((r.length === 0 || a.length === 0) && p > 0) {
      p--;
      const base = reference[p]!;
      r = base + r;
      a = base + a;
      changed = true;
    }
    if (!changed) break;
  }
  const trimmed = normaliseAlleles(p, r, [a]);
  return trimmed;
}

/**
 * Normalises a record's alleles against the contig: trims what they share, and left-aligns a
 * bi-allelic record (bcftools norm moves a record only when it has one ALT). Used after
 * dropping alleles, which can leave the remaining ones sharing bases or, when the dropped
 * allele pinned the record's span, no longer leftmost.
 */
export function normaliseRecordAlleles(reference: string, pos: number, ref: string, alts: readonly string[]): NormalisedAlleles {
  if (alts.length === 1) return leftAlign(reference, pos, ref, alts[0]!);
  return normaliseAlleles(pos, ref, alts);
}

/**
 * Which alleles a genotype carries: REF (always first, as VCF needs it) and its distinct
 * ALTs ascending, as old allele indexes. `bcftools view --trim-alt-alleles` keeps the same set.
 */
export function allelesCarried(genotype: readonly number[]): number[] {
  return [0, ...[...new Set(genotype.filter((a) => a > 0))].sort((a, b) => a - b)];
}

/** Index of genotype (a, b), a ≤ b, in VCF's Number=G order. */
export function genotypeIndex(a: number, b: number): number {
  const lo = Math.min(a, b);
  const hi = Math.max(a, b);
  return (hi * (hi + 1)) / 2 + lo;
}

/**
 * A Number=G field (diploid) restricted to the `kept` alleles (old indexes, REF first), in
 * the new VCF order — htslib's subsetting of PL. Re-normalised so the best kept genotype is 0
 * (htslib leaves the offset; our PL is defined as normalised to 0).
 */
export function subsetPhredLikelihoods(pl: readonly number[], kept: readonly number[]): number[] {
  const out: number[] = [];
  for (let b = 0; b < kept.length; b++) for (let a = 0; a <= b; a++) out.push(pl[genotypeIndex(kept[a]!, kept[b]!)]!);
  const best = Math.min(...out);
  return out.map((x) => x - best);
}

/** A genotype's allele indexes in a subset's numbering (each allele must be kept). */
export function remapGenotype(genotype: readonly [number, number], kept: readonly number[]): [number, number] {
  const a = kept.indexOf(genotype[0]);
  const b = kept.indexOf(genotype[1]);
  if (a < 0 || b < 0) throw new Error(`genotype ${genotype.join('/')} carries an allele outside the kept set ${kept.join(',')}`);
  return a <= b ? [a, b] : [b, a];
}
