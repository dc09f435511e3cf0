/**
 * The benchmark kit's pure pieces, tested here so CI checks them without running the kit:
 * the region split that keeps training and evaluation apart, the truth clean-up that keeps
 * the truth equal to the simulated haplotypes, and the lift-over of SVs to the reference.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadRegions, loadSuite, simulatedSpan } from '../../../bench/config.js';
import { sanitisePhasedTruth, survivorClock } from '../../../bench/data.js';
import { haplotypeToReference, parseChain } from '../../../bench/liftover.js';
import { chunkRegions } from '../../../bench/peers.js';
import { renderPipeline, shellQuote } from '../../../bench/exec.js';
import { overlappingRegions } from '../../../bench/product.js';

const dir = mkdtempSync(join(tmpdir(), 'genomaic-kit-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('regions', () => {
  it('refuses overlapping regions, so a model can never be trained on its evaluation region', () => {
    expect(() =>
      loadRegions({
        regions: [
          { name: 'a', start: 1, end: 100, role: 'evaluation' },
          { name: 'b', start: 100, end: 200, role: 'training' },
        ],
      }),
    ).toThrow(/overlap/);
  });

  it('loads the shipped suites: the small suite evaluates chr20:1,000,001–2,000,000 and nothing it evaluates is training', () => {
    const small = loadSuite('small');
    expect(small.evaluate.map((r) => [r.name, r.start, r.end])).toEqual([['eval-1m', 1_000_001, 2_000_000]]);
    expect(simulatedSpan(small)).toEqual({ start: 980_001, end: 2_020_000 });
    const large = loadSuite('large');
    expect(large.evaluate.every((r) => r.role === 'evaluation')).toBe(true);
    expect(large.allRegions.filter((r) => r.role === 'training').length).toBeGreaterThan(0);
  });

  it('builds data-only suites (evaluate: []) such as train2, but never by omission, and still checks evaluate', () => {
    const train2 = loadSuite('train2');
    expect(train2.evaluate).toEqual([]);
    expect(train2.simulate.map((r) => r.role)).toEqual(['training', 'calibration']);
    expect(train2.seed).not.toBe(loadSuite('large').seed);
    expect(train2.sv.platforms).toEqual([]);
    const file = join(dir, 'data-only.yaml');
    const regions = `regions:\n  - { name: e, start: 1, end: 100, role: evaluation }\n  - { name: t, start: 101, end: 200, role: training }\n`;
    const suite = (evaluate: string): string => `reference: { contig: "20" }\ntruth: { sample: S }\n${regions}suites:\n  s:\n    simulate: [t]\n${evaluate}    flank: 0\n    coverage: 2\n    platforms: [ont]\n    seed: 5\n`;
    writeFileSync(file, suite('    evaluate: []\n'));
    expect(loadSuite('s', file).evaluate).toEqual([]);
    writeFileSync(file, suite(''));
    expect(() => loadSuite('s', file)).toThrow(/suite s\.evaluate must list region names \(write evaluate: \[\] for a data-only suite\)/);
    writeFileSync(file, suite('    evaluate: [t]\n'));
    expect(() => loadSuite('s', file)).toThrow(/evaluates on t, whose role is training/);
    // A suite may name its own sample of the panel; the file's truth.sample is the default.
    writeFileSync(file, suite('    evaluate: []\n'));
    expect(loadSuite('s', file).sample).toBe('S');
    writeFileSync(file, suite('    evaluate: []\n    sample: HG00097\n'));
    expect(loadSuite('s', file).sample).toBe('HG00097');
    writeFileSync(file, suite('    evaluate: []\n    sample: 7\n'));
    expect(() => loadSuite('s', file)).toThrow(/suite s\.sample must be a string/);
  });

  it('simulates other samples of the panel in the training suites train3 and train4, and only there', () => {
    expect(loadSuite('train3').sample).toBe('HG00097');
    expect(loadSuite('train4').sample).toBe('HG00099');
    for (const name of ['small', 'large', 'train2', 'calib3', 'calib4', 'calib5']) expect(loadSuite(name).sample).toBe('HG00096');
    for (const name of ['train3', 'train4']) expect(loadSuite(name).evaluate).toEqual([]);
  });

  it('splits evaluation regions into one chunk per thread for parallel calling', () => {
    expect(chunkRegions('20', [{ name: 'r', start: 1, end: 10, role: 'evaluation' }], 2)).toEqual([
      { contig: '20', start: 1, end: 5 },
      { contig: '20', start: 6, end: 10 },
    ]);
  });
});

describe('sanitisePhasedTruth', () => {
  it('sets to reference an allele that overlaps an earlier allele on the same haplotype (as bcftools consensus would skip it)', async () => {
    // The real case from the panel: a 13 bp deletion and an SNV inside it, both on haplotype 2.
    const input = join(dir, 'truth.vcf');
    writeFileSync(
      input,
      [
        '##fileformat=VCFv4.2',
        '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tHG00096',
        '20\t1903655\trs6147267\tCATCTCCCTGGCTG\tC\t.\t.\t.\tGT\t0|1',
        '20\t1903668\trs7266627\tG\tC\t.\t.\t.\tGT\t1|1',
        '20\t1903680\t.\tA\tG\t.\t.\t.\tGT\t0|1',
        '',
      ].join('\n'),
    );
    const output = join(dir, 'clean.vcf');
    const result = await sanitisePhasedTruth(input, output);
    expect(result).toEqual({ records: 3, droppedAlleles: 1, droppedRecords: 0 });
    const genotypes = readFileSync(output, 'utf8')
      .split('\n')
      .filter((l) => l.startsWith('20\t'))
      .map((l) => l.split('\t')[9]);
    expect(genotypes).toEqual(['0|1', '1|0', '0|1']);
  });
});

describe('lift-over of haplotype coordinates', () => {
  it('maps through the chain bcftools consensus writes, across insertions and deletions', () => {
    // Reference span starts at 0-based 990000; the haplotype has a 1 bp deletion after 100 bases
    // and a 2 bp insertion 50 bases later.
    const chain = parseChain('chain 1 20 2010000 + 990000 2010000 20 2009999 + 990000 2009999 1\n100 1 0\n50 0 2\n1000\n');
    expect(haplotypeToReference(chain, 0)).toBe(990_000);
    expect(haplotypeToReference(chain, 99)).toBe(990_099);
    expect(haplotypeToReference(chain, 100)).toBe(990_101); // after the deleted base
    expect(haplotypeToReference(chain, 150)).toBe(990_150); // inside the insertion: the base before it
    expect(haplotypeToReference(chain, 152)).toBe(990_151);
  });

  it('freezes SURVIVOR\u2019s clock at a time derived from the seed', () => {
    expect(survivorClock(1)).toBe('2020-01-01 00:00:01');
    expect(survivorClock(2)).not.toBe(survivorClock(1));
  });
});

describe('logged commands', () => {
  it('are written so that pasting them into a shell runs the same thing', () => {
    expect(shellQuote('QUAL>=20 && GT="alt"')).toBe(`'QUAL>=20 && GT="alt"'`);
    expect(shellQuote("it's")).toBe(`'it'\\''s'`);
    expect(shellQuote('20:1000001-2000000')).toBe('20:1000001-2000000');
    const line = renderPipeline(
      [
        { cmd: 'bwa', args: ['mem', '-R', '@RG\\tID:x', 'ref.fa', 'r1.fq'] },
        { cmd: 'samtools', args: ['sort', '-o', 'out.bam', '-'] },
      ],
      { stdoutFile: undefined },
    );
    expect(line).toBe(`bwa mem -R '@RG\\tID:x' ref.fa r1.fq | samtools sort -o out.bam -`);
  });
});

describe('guard against tuning on the evaluation region', () => {
  it('finds the regions a product says it was calibrated on that overlap an evaluation region', () => {
    const evaluation = [{ contig: '20', start: 1_000_001, end: 2_000_000 }];
    const caller = 'calibration isotonic-jeffreys (HG00096 simulated illumina, 20:1000001-2000000, 838 SNV + 61 indel calls)';
    expect(overlappingRegions(caller, evaluation)).toEqual(['20:1000001-2000000']);
    expect(overlappingRegions('calibration (HG00096, 20:3,000,001-3,500,000)', evaluation)).toEqual([]);
  });
});
