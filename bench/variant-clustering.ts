/**
 * How much more likely a variant is next to another one on the same haplotype than anywhere:
 * the measurement behind the callers' `linkedVariantPrior` (configs/call/<platform>.yaml).
 *
 *   npx tsx bench/variant-clustering.ts
 *
 * Data: the phased 1000 Genomes panel of shapeit4-example (300 samples, GRCh37 20:1–4 Mb),
 * without the kit's evaluation regions (bench/regions.yaml). For each haplotype and each alt
 * allele it carries, the alt alleles the same haplotype carries 1…100 bp further on are counted
 * per distance bin; the per-site rate in a bin over the haplotype's background per-site rate is
 * the factor. Variants cluster (mutation hot spots, multi-nucleotide events, old divergent
 * haplotypes), so a window's second candidate deserves a higher prior than its first: a
 * diploid genotyper that multiplies independent site priors calls two SNVs 2 bp apart with
 * θ² and drops them at the QUAL gate where callers that genotype sites one by one keep both.
 */
import { execFileSync } from 'node:child_process';
import { loadSuite } from './config.js';

const PANEL = '/usr/share/doc/shapeit4/examples/test/reference.vcf.gz';
const BINS: [number, number][] = [[1, 2], [3, 5], [6, 10], [11, 20], [21, 50], [51, 100]];

const suite = loadSuite('large');
const evaluation = suite.allRegions.filter((r) => r.role === 'evaluation');
const panelStart = 1_000_226;
const panelEnd = 3_999_849;
const excluded = evaluation.map((r) => `${suite.contig}:${r.start}-${r.end}`).join(',');
const text = execFileSync('bcftools', ['view', '-t', `^${excluded}`, '-v', 'snps,indels', PANEL, '-Ou'], { maxBuffer: 1 << 30 });
const query = execFileSync('bcftools', ['query', '-f', '%POS[\t%GT]\n', '-'], { input: text, maxBuffer: 1 << 30 }).toString();
const carried: number[][] = [];
for (const line of query.split('\n')) {
  if (!line) continue;
  const fields = line.split('\t');
  const pos = Number(fields[0]);
  for (let s = 1; s < fields.length; s++) {
    const alleles = fields[s]!.split(/[|/]/);
    for (let h = 0; h < 2; h++) {
      const k = 2 * (s - 1) + h;
      (carried[k] ??= []);
      if (alleles[h] === '1') carried[k]!.push(pos);
    }
  }
}
const evaluatedBases = evaluation.reduce((sum, r) => sum + Math.max(0, Math.min(r.end, panelEnd) - Math.max(r.start, panelStart) + 1), 0);
const span = panelEnd - panelStart + 1 - evaluatedBases;
const total = carried.reduce((s, c) => s + c.length, 0);
const background = total / carried.length / span;
console.log(`panel ${PANEL}: ${carried.length} haplotypes, ${span} bp outside ${excluded}; background ${background.toExponential(3)} alt alleles per site per haplotype`);
console.log('distance (bp)\tpairs\tfactor');
for (const [lo, hi] of BINS) {
  let pairs = 0;
  for (const positions of carried) {
    for (let i = 0; i < positions.length; i++) {
      for (let k = i + 1; k < positions.length && positions[k]! - positions[i]! <= hi; k++) if (positions[k]! - positions[i]! >= lo) pairs++;
    }
  }
  console.log(`${lo}-${hi}\t${pairs}\t${(pairs / total / (hi - lo + 1) / background).toFixed(2)}`);
}
