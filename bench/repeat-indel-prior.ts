/**
 * How much likelier an indel is inside a homopolymer or short tandem repeat than elsewhere:
 * the measurement behind the callers' `repeatIndelPrior` (configs/call/<platform>.yaml).
 *
 *   npx tsx bench/repeat-indel-prior.ts
 *
 * Data: the phased 1000 Genomes panel of shapeit4-example (300 samples, GRCh37 20:1–4 Mb),
 * without the kit's evaluation regions (bench/regions.yaml), and the kit's reference. Every
 * indel allele is put in the repeat tract it changes (`indelRepeatTract`, the genotyper's own
 * rule); per tract class (unit length, tract length) the alt alleles the haplotypes carry over
 * the tracts of that class the region holds is the per-haplotype, per-tract rate. Replication
 * slippage makes long tracts mutable (DRAGEN's and GATK DragSTR's STR priors rise with the
 * repeat length): a 14-base run changes hundreds of times more often than the background
 * `indelPrior` says, and with that prior a heterozygous deletion that 6 of 24 Illumina reads
 * show stayed below the QUAL gate (docs/calling.md, step 5).
 *
 * Prints the table and the rows of `repeatIndelPrior.tracts` for configs/call/<platform>.yaml;
 * `multiUnitFactor` is the printed ratio of a multi-unit allele to a one-unit one (rounded).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { openCallReference } from '../engine/call/call-reference.js';
import { indelRepeatTract, repeatTractsIn } from '../engine/call/repeats.js';
import { loadSuite } from './config.js';
import { kitPaths } from './data.js';
import { REPO_ROOT } from './report.js';

const PANEL = '/usr/share/doc/shapeit4/examples/test/reference.vcf.gz';

/** Tract classes: unit length (1, 2, 3–6 bp) and tract length bins (bp). */
const LENGTH_BINS: Record<string, [number, number][]> = {
  '1': [[4, 5], [6, 7], [8, 9], [10, 11], [12, 14], [15, 19], [20, 80]],
  '2': [[4, 5], [6, 9], [10, 13], [14, 19], [20, 80]],
  '3-6': [[6, 11], [12, 17], [18, 29], [30, 80]],
};
const unitClass = (unit: number): string => (unit === 1 ? '1' : unit === 2 ? '2' : '3-6');

const suite = loadSuite('large');
const evaluation = suite.allRegions.filter((r) => r.role === 'evaluation');
const panelStart = 1_000_226;
const panelEnd = 3_999_849;
const inEvaluation = (pos1: number): boolean => evaluation.some((r) => pos1 >= r.start && pos1 <= r.end);
const REFERENCE = kitPaths(join(REPO_ROOT, '.cache', 'bench'), suite).reference;
for (const path of [PANEL, REFERENCE]) if (!existsSync(path)) throw new Error(`${path}: missing (the panel is Debian's shapeit4-example; the reference comes from npm run bench)`);
const reference = await openCallReference(REFERENCE);
const sequence = await reference.sequence(suite.contig);

// Denominator: the region's tracts per class, outside the evaluation regions.
const tractCount = new Map<string, number>();
const binOf = (cls: string, length: number): string | null => {
  const bin = LENGTH_BINS[cls]!.find(([lo, hi]) => length >= lo && length <= hi);
  return bin ? `${cls}:${bin[0]}-${bin[1]}` : null;
};
for (const tract of repeatTractsIn(sequence, panelStart - 1, panelEnd)) {
  if (inEvaluation(tract.start + 1) || inEvaluation(tract.end)) continue;
  const key = binOf(unitClass(tract.unit.length), tract.end - tract.start);
  if (key) tractCount.set(key, (tractCount.get(key) ?? 0) + 1);
}

const excluded = evaluation.map((r) => `${suite.contig}:${r.start}-${r.end}`).join(',');
const query = execFileSync('bcftools', ['query', '-t', `^${excluded}`, '-i', 'TYPE="indel"', '-f', '%POS\t%REF\t%ALT[\t%GT]\n', PANEL], { maxBuffer: 1 << 30 }).toString();
const carried = new Map<string, number>();
const bySize = new Map<string, number>();
let haplotypes = 0;
let outside = 0;
let outsideSites = 0;
for (const line of query.split('\n')) {
  if (!line) continue;
  const [posText, ref, altList, ...genotypes] = line.split('\t');
  haplotypes = 2 * genotypes.length;
  const alts = altList!.split(',');
  for (let a = 0; a < alts.length; a++) {
    const alt = alts[a]!;
    const copies = genotypes.reduce((n, gt) => n + gt.split(/[|/]/).filter((x) => x === String(a + 1)).length, 0);
    if (copies === 0) continue;
    const pos = Number(posText) - 1;
    const tract = indelRepeatTract(sequence, { pos, ref: ref!, alt });
    const key = tract ? binOf(unitClass(tract.unit.length), tract.end - tract.start) : null;
    if (key) {
      carried.set(key, (carried.get(key) ?? 0) + copies);
      const units = Math.round((alt.length - ref!.length) / tract!.unit.length);
      const size = `${unitClass(tract!.unit.length)}:${units > 0 ? '+' : ''}${Math.abs(units) > 2 ? (units > 0 ? '3+' : '-3+') : units}`;
      bySize.set(size, (bySize.get(size) ?? 0) + copies);
    } else {
      outside += copies;
      outsideSites++;
    }
  }
}
const evaluatedBases = evaluation.reduce((sum, r) => sum + Math.max(0, Math.min(r.end, panelEnd) - Math.max(r.start, panelStart) + 1), 0);
const span = panelEnd - panelStart + 1 - evaluatedBases;
console.log(`panel ${PANEL}: ${haplotypes} haplotypes, ${span} bp outside ${excluded}`);
console.log('share of the alt copies by units changed:', [...bySize].sort().map(([k, n]) => `${k} ${n}`).join(', '));
console.log(`indels in none of the tract classes below: ${outsideSites} alleles, ${outside} copies, ${(outside / haplotypes / span).toExponential(2)} per base per haplotype`);
console.log('unit\ttract length (bp)\ttracts\talt copies\tper tract per haplotype\tprior of a one-unit change');
// A one-unit change is one of two alleles (a unit more or less); a diploid carries either with
// about twice the per-haplotype rate, so the prior of each is rate × one-unit share. Changes by
// more units spread their share over four size classes (−2, +2, −3 or more, +3 or more).
const yaml: string[] = [];
const multiFactors: string[] = [];
for (const [cls, bins] of Object.entries(LENGTH_BINS)) {
  let one = 0;
  let all = 0;
  for (const [size, n] of bySize) {
    if (!size.startsWith(`${cls}:`)) continue;
    all += n;
    if (/:[+-]?1$/.test(size)) one += n;
  }
  const oneShare = one / all;
  multiFactors.push(`${cls}: ${((1 - oneShare) / 4 / oneShare).toFixed(3)}`);
  const [lo, hi] = cls === '3-6' ? [3, 6] : [Number(cls), Number(cls)];
  for (const [min, max] of bins) {
    const key = `${cls}:${min}-${max}`;
    const tracts = tractCount.get(key) ?? 0;
    const copies = carried.get(key) ?? 0;
    const rate = tracts ? copies / tracts / haplotypes : 0;
    console.log(`${cls}\t${min}-${max}\t${tracts}\t${copies}\t${tracts ? rate.toExponential(2) : '-'}\t${(rate * oneShare).toExponential(2)}`);
    yaml.push(`    - { unit: [${lo}, ${hi}], minLength: ${min}, prior: ${Number((rate * oneShare).toPrecision(2))} }`);
  }
}
console.log(`multi-unit change against a one-unit change, per allele: ${multiFactors.join(', ')}`);
console.log(['repeatIndelPrior:', '  tracts:', ...yaml].join('\n'));
