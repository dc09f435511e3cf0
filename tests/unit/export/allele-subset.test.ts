/**
 * Dropping the ALT alleles a genotype does not carry, checked against htslib: `bcftools view
 * --trim-alt-alleles` on the same record must keep the same alleles, and the same PL values
 * (ours are re-normalised to 0 for the best kept genotype; htslib leaves the offset).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { allelesCarried, normaliseRecordAlleles, remapGenotype, subsetPhredLikelihoods } from '../../../engine/export/normalize.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'genomaic-subset-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** What bcftools keeps of one record: REF, ALTs, GT, AD and PL after --trim-alt-alleles. */
function bcftoolsTrim(ref: string, alts: string[], gt: string, ad: number[], pl: number[]): { ref: string; alts: string[]; gt: string; ad: number[]; pl: number[] } {
  const vcf = join(dir, 'one.vcf');
  writeFileSync(
    vcf,
    [
      '##fileformat=VCFv4.3',
      '##contig=<ID=20,length=100>',
      '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
      '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Allele depths">',
      '##FORMAT=<ID=PL,Number=G,Type=Integer,Description="Phred-scaled genotype likelihoods">',
      '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS',
      `20\t10\t.\t${ref}\t${alts.join(',')}\t50\tPASS\t.\tGT:AD:PL\t${gt}:${ad.join(',')}:${pl.join(',')}`,
      '',
    ].join('\n'),
  );
  const out = execFileSync('bcftools', ['view', '--trim-alt-alleles', vcf], { encoding: 'utf8' });
  const line = out.split('\n').find((l) => l && !l.startsWith('#'))!;
  const f = line.split('\t');
  const [g, a, p] = f[9]!.split(':') as [string, string, string];
  return { ref: f[3]!, alts: f[4]!.split(','), gt: g, ad: a.split(',').map(Number), pl: p.split(',').map(Number) };
}

describe('subsetting a record to the alleles its genotype carries', () => {
  // The shape of the kit's HiFi record at chr20:2,654,796 before the fix: GAA>GA,G called 0/1.
  it('keeps REF and the called ALT, with AD and PL subset as htslib does', () => {
    const ad = [11, 14, 4];
    const pl = [93, 0, 152, 94, 200, 642];
    const kept = allelesCarried([0, 1]);
    expect(kept).toEqual([0, 1]);
    const trimmed = bcftoolsTrim('GAA', ['GA', 'G'], '0/1', ad, pl);
    expect(trimmed.alts).toEqual(['GA']);
    expect(trimmed.gt).toBe('0/1');
    expect(kept.map((x) => ad[x])).toEqual(trimmed.ad);
    const ours = subsetPhredLikelihoods(pl, kept);
    const theirs = trimmed.pl.map((x) => x - Math.min(...trimmed.pl));
    expect(ours).toEqual(theirs);
    // Then trimmed as bcftools norm would: GAA>GA is GA>G.
    expect(normaliseRecordAlleles('TTTTTTTTTGAACC', 9, 'GAA', ['GA'])).toEqual({ pos: 9, ref: 'GA', alts: ['G'] });
  });

  it('renumbers a genotype of the second and third ALT of four (1/2 in the subset), PL in VCF order', () => {
    const alts = ['T', 'TA', 'TAA', 'TAAA'];
    const pl = Array.from({ length: 15 }, (_, g) => 3 * g + (g % 4));
    const kept = allelesCarried([3, 2]);
    expect(kept).toEqual([0, 2, 3]);
    expect(remapGenotype([2, 3], kept)).toEqual([1, 2]);
    const trimmed = bcftoolsTrim('TAA', alts, '2/3', [1, 2, 3, 4, 5], pl);
    expect(trimmed.alts).toEqual(['TA', 'TAA']);
    expect(trimmed.gt).toBe('1/2');
    expect(trimmed.ad).toEqual([1, 3, 4]);
    expect(subsetPhredLikelihoods(pl, kept)).toEqual(trimmed.pl.map((x) => x - Math.min(...trimmed.pl)));
  });

  it('left-aligns what remains of a multi-allelic record when one ALT is left', () => {
    //            0123456789
    const ref = 'GCAAAAAAAT';
    // REF AAA at 6 with ALTs A (−2) and AA (−1): keeping only AA leaves a 1 bp deletion that slides to the run's anchor C.
    expect(normaliseRecordAlleles(ref, 6, 'AAA', ['AA'])).toEqual({ pos: 1, ref: 'CA', alts: ['C'] });
    // With both ALTs the record is only trimmed (bcftools norm does not move a multi-allelic record).
    expect(normaliseRecordAlleles(ref, 6, 'AAA', ['A', 'AA'])).toEqual({ pos: 6, ref: 'AAA', alts: ['A', 'AA'] });
  });

  it('refuses a genotype that carries an allele outside the kept set', () => {
    expect(() => remapGenotype([0, 2], [0, 1])).toThrow(/outside the kept set/);
  });
});
