/**
 * Cross-check of the comparator against `bcftools norm -m -any -a` + `bcftools isec`, the
 * record-matching baseline: isec calls a truth atom found when a call atom has the same
 * CHROM, POS, REF and ALT after both files are split and atomised. Where the comparator
 * and isec agree the counts are equal; where they differ, every differing atom is given a
 * reason, so a report can say why (usually: the same haplotype written differently).
 *
 * This module only compares; running bcftools is the caller's business (the benchmark kit
 * and the integration test do it).
 */
import { atomKey } from './normalize.js';
import type { VariantClass, VariantVerdict } from './types.js';
import { VARIANT_CLASSES } from './types.js';

export interface IsecSite {
  chrom: string;
  pos: number;
  ref: string;
  alt: string;
  inTruth: boolean;
  inCalls: boolean;
}

/** Parses `bcftools isec -p DIR` DIR/sites.txt (CHROM POS REF ALT flags, flags like "10", "01", "11"). */
export function parseIsecSites(text: string): IsecSite[] {
  const sites: IsecSite[] = [];
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const [chrom, pos, ref, alt, flags] = line.split('\t');
    if (!chrom || !pos || !ref || !alt || !flags || flags.length < 2) throw new Error(`not a bcftools isec sites.txt line: ${line}`);
    // isec writes one site per ALT allele after -m -any; a comma would mean the files were not split.
    sites.push({ chrom, pos: Number(pos), ref, alt, inTruth: flags[0] === '1', inCalls: flags[1] === '1' });
  }
  return sites;
}

export interface CountTriple {
  tp: number;
  fp: number;
  fn: number;
}

export type CrossCheckReason =
  /** The comparator matched the atom as part of a haplotype that the other side writes with different records. */
  | 'same haplotype, different representation'
  /** isec found an identical record, but the comparator's haplotypes disagree in that window (phase, or a neighbouring allele that conflicts). */
  | 'identical record, haplotypes disagree in window'
  /** The comparator's atom is not among bcftools' atoms, or the reverse: the two decompose this record differently. */
  | 'decomposed differently'
  /** Verdicts differ for another reason (listed with examples for a person to look at). */
  | 'other';

export interface CrossCheckDifference {
  reason: CrossCheckReason;
  truthAtoms: number;
  callAtoms: number;
  /** Up to five atoms, as CHROM:POS:REF:ALT (side). */
  examples: string[];
}

export interface CrossCheckReport {
  bcftools: Record<VariantClass, CountTriple>;
  comparator: Record<VariantClass, CountTriple & { tpCall: number }>;
  /** True when TP, FP and FN are equal for both classes. */
  countsAgree: boolean;
  /** Atoms on which the two verdicts differ, grouped by reason. */
  differences: CrossCheckDifference[];
}

function classOf(ref: string, alt: string): VariantClass {
  return ref.length === 1 && alt.length === 1 ? 'SNP' : 'INDEL';
}

function emptyTriples(): Record<VariantClass, CountTriple> {
  return { SNP: { tp: 0, fp: 0, fn: 0 }, INDEL: { tp: 0, fp: 0, fn: 0 } };
}

export function crossCheck(verdicts: VariantVerdict[], sites: IsecSite[]): CrossCheckReport {
  const bcftools = emptyTriples();
  const truthSites = new Map<string, IsecSite>();
  const callSites = new Map<string, IsecSite>();
  for (const s of sites) {
    const c = classOf(s.ref, s.alt);
    if (s.inTruth && s.inCalls) bcftools[c].tp++;
    else if (s.inTruth) bcftools[c].fn++;
    else if (s.inCalls) bcftools[c].fp++;
    const key = atomKey(s.chrom, s);
    if (s.inTruth) truthSites.set(key, s);
    if (s.inCalls) callSites.set(key, s);
  }

  const comparator: CrossCheckReport['comparator'] = { SNP: { tp: 0, fp: 0, fn: 0, tpCall: 0 }, INDEL: { tp: 0, fp: 0, fn: 0, tpCall: 0 } };
  const differences = new Map<CrossCheckReason, CrossCheckDifference>();
  const note = (reason: CrossCheckReason, side: 'truth' | 'call', label: string): void => {
    let d = differences.get(reason);
    if (!d) {
      d = { reason, truthAtoms: 0, callAtoms: 0, examples: [] };
      differences.set(reason, d);
    }
    if (side === 'truth') d.truthAtoms++;
    else d.callAtoms++;
    if (d.examples.length < 5) d.examples.push(`${label} (${side})`);
  };

  const seenTruth = new Set<string>();
  const seenCalls = new Set<string>();
  for (const v of verdicts) {
    const key = atomKey(v.chrom, v);
    const matched = v.verdict === 'TP';
    if (v.side === 'truth') {
      seenTruth.add(key);
      if (matched) comparator[v.variantClass].tp++;
      else comparator[v.variantClass].fn++;
      const site = truthSites.get(key);
      if (!site) {
        note('decomposed differently', 'truth', key);
        continue;
      }
      if (matched === site.inCalls) continue;
      if (matched && v.representationDiffers) note('same haplotype, different representation', 'truth', key);
      else if (!matched) note('identical record, haplotypes disagree in window', 'truth', key);
      else note('other', 'truth', key);
    } else {
      seenCalls.add(key);
      if (matched) comparator[v.variantClass].tpCall++;
      else comparator[v.variantClass].fp++;
      const site = callSites.get(key);
      if (!site) {
        note('decomposed differently', 'call', key);
        continue;
      }
      if (matched === site.inTruth) continue;
      if (matched && v.representationDiffers) note('same haplotype, different representation', 'call', key);
      else if (!matched) note('identical record, haplotypes disagree in window', 'call', key);
      else note('other', 'call', key);
    }
  }
  // Atoms bcftools produced that the comparator never saw.
  for (const [key] of truthSites) if (!seenTruth.has(key)) note('decomposed differently', 'truth', key);
  for (const [key] of callSites) if (!seenCalls.has(key)) note('decomposed differently', 'call', key);

  const countsAgree = VARIANT_CLASSES.every((c) => bcftools[c].tp === comparator[c].tp && bcftools[c].fp === comparator[c].fp && bcftools[c].fn === comparator[c].fn);
  return { bcftools, comparator, countsAgree, differences: [...differences.values()] };
}
