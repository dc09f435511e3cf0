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
