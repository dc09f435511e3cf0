/**
 * How substitutions are genotyped where the sequence around them repeats, and when two sit on
 * one haplotype (issue 5: the Illumina SNVs bcftools called and we did not).
 *
 * Fixtures (tests/fixtures/call/README.md): real slices of the kit's bwa Illumina BAM at two
 * training-region sites (train-2m), @SQ length cut to 3,000,000, the reference over the reads
 * ± 1 kb, padded with N at test time.
 * - chr20:2,572,402, truth A>G 1|0 inside a 23 bp (AAGAA)n-like tract. Over a window of the
 *   site ± flank, a REF read fits the alt haplotype shifted by one unit as well as the
 *   reference in place: every REF read was uninformative and the het was called 1/1 (AD 0,10).
 * - chr20:2,187,943, truth G>T and C>T 1|0 on adjacent bases: one haplotype carries both, the
 *   pair's prior is where the linked-variant factor applies.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { CallInputError } from '../../../engine/call/errors.js';
import { loadCallerConfig, loadPlatformPreset, type CallerConfig } from '../../../engine/call/config.js';
import { openCallReference } from '../../../engine/call/call-reference.js';
import { openBamInput } from '../../../engine/call/bam-input.js';
import { buildPileup } from '../../../engine/call/pileup.js';
import { buildWindows, emissionTable } from '../../../engine/call/realign.js';
import { genotypeWindow, type LocusGenotype } from '../../../engine/call/genotyper.js';
import { repeatSpanAround } from '../../../engine/call/repeats.js';
import { runCall } from './fixture.js';
import { kitSlice, type KitSlice } from './kit-slice.js';

const TRACT_SNV = 2_572_402;
const PAIR_SITE = 2_187_943;

let dir: string;
let tractSlice: KitSlice;
let pairSlice: KitSlice;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'genomaic-snv-windows-'));
  tractSlice = kitSlice(`illumina-chr20_${TRACT_SNV}`, dir);
  pairSlice = kitSlice(`illumina-chr20_${PAIR_SITE}`, dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The loci the caller genotypes around `site` (1-based), as caller.ts builds them. */
async function lociAround(slice: KitSlice, site: number, config: CallerConfig): Promise<{ loci: LocusGenotype[]; sequence: string; windowStart: number; windowEnd: number }> {
  const ref = await openCallReference(slice.reference);
  const sequence = await ref.sequence('20');
  const input = await openBamInput(slice.bam, ref);
  const reads = (await input.fetch('20', site - 2000, site + 2000)).sort((a, b) => a.start - b.start);
  const pileup = buildPileup(reads, sequence, site - 2000, site + 2000, site - 500, site + 500, config);
  const window = buildWindows(pileup.candidates, sequence, config).find((w) => w.candidates.some((c) => c.pos === site - 1));
  expect(window).toBeDefined();
  const loci = genotypeWindow(window!, reads, sequence, config, emissionTable(config.errorModel), new Set(pileup.candidates.map((c) => c.pos)));
  return { loci, sequence, windowStart: window!.start, windowEnd: window!.end };
}

describe('a substitution inside a repeat is compared over the whole repeat', () => {
  it('covers the tract and its neighbours, no further than the reach', () => {
    //                 0         1         2         3
    //                 0123456789012345678901234567890123456
    const sequence = 'GCGTCCAAATAAATAAATACATACATACATAGGCTTC';
    // The C at 19 follows an (AAAT)n run and starts an (ATAC)n one: the span takes both.
    expect(repeatSpanAround(sequence, 19, 20, 6, 48)).toEqual({ start: 6, end: 31 });
    expect(repeatSpanAround(sequence, 19, 20, 6, 5)).toEqual({ start: 14, end: 25 });
    // Unique sequence: nothing to cover.
    expect(repeatSpanAround('ACGTTGCAGTCCGATG', 7, 8, 6, 48)).toEqual({ start: 7, end: 8 });
  });

  it('counts the REF reads of a het SNV in an (AAGAA)n tract and calls it 0/1', async () => {
    const config = loadPlatformPreset('illumina');
    const { loci, windowStart, windowEnd } = await lociAround(tractSlice, TRACT_SNV, config);
    expect(windowEnd - windowStart).toBeGreaterThan(20);
    const locus = loci.find((l) => l.pos === TRACT_SNV - 1)!;
    expect({ ref: locus.ref, alts: locus.alts, genotype: locus.genotype }).toEqual({ ref: 'A', alts: ['G'], genotype: [0, 1] });
    const [refReads, altReads] = locus.alleleDepths;
    // Both alleles decisive, in proportions a het gives (formerly 0 REF reads of 21).
    expect(refReads!).toBeGreaterThanOrEqual(8);
    expect(altReads!).toBeGreaterThanOrEqual(8);
    expect(locus.evidence.uninformative).toBeLessThan(refReads! + altReads!);
  });

  it('writes it 0/1 end to end, and bcftools accepts the VCF', async () => {
    const vcf = join(dir, 'tract.vcf.gz');
    const r = await runCall(['--ref', tractSlice.reference, tractSlice.bam, '-o', vcf, '--platform', 'illumina', '--no-calibration', '--region', `20:${TRACT_SNV - 300}-${TRACT_SNV + 300}`]);
    expect(r.code, r.stderr).toBe(0);
    const norm = spawnSync('bcftools', ['norm', '--check-ref', 'e', '-f', tractSlice.reference, '-Ov', '-o', '/dev/null', vcf], { encoding: 'utf8' });
    expect(norm.status, norm.stderr).toBe(0);
    const record = execFileSync('bcftools', ['query', '-i', `POS=${TRACT_SNV}`, '-f', '%REF\t%ALT\t%FILTER\t[%GT]\n', vcf], { encoding: 'utf8' }).trim();
    expect(record).toBe('A\tG\tPASS\t0/1');
  });
});

describe('the linked-variant prior', () => {
  it('raises the posterior of the second of two SNVs on one haplotype by the configured factor', async () => {
    const preset = loadPlatformPreset('illumina');
    const independent: CallerConfig = { ...preset };
    delete independent.linkedVariantPrior;
    const linked = await lociAround(pairSlice, PAIR_SITE, preset);
    const alone = await lociAround(pairSlice, PAIR_SITE, independent);
    const pair = (loci: LocusGenotype[]): LocusGenotype[] => loci.filter((l) => l.pos === PAIR_SITE - 1 || l.pos === PAIR_SITE);
    // Truth: both 1|0 on one haplotype; called so either way.
    expect(pair(linked.loci).map((l) => `${l.pos + 1}:${l.ref}>${l.alts.join(',')}:${l.genotype.join('/')}`)).toEqual([`${PAIR_SITE}:G>T:0/1`, `${PAIR_SITE + 1}:C>T:0/1`]);
    expect(pair(alone.loci).map((l) => l.genotype.join('/'))).toEqual(['0/1', '0/1']);
    // The likeliest explanation is one haplotype with both: its prior θ² becomes θ²·8.8 (1 bp apart).
    const factor = preset.linkedVariantPrior!.find((s) => s.within >= 1)!.factor;
    for (const [i, l] of pair(linked.loci).entries()) {
      expect(l.qual - pair(alone.loci)[i]!.qual).toBeCloseTo(10 * Math.log10(factor), 0);
    }
  });

  it('is validated at load: steps in ascending distance, factors of at least 1', () => {
    const base = `platform: illumina\n` + execFileSync('sed', ['-n', '/^minBaseQuality/,$p', join(import.meta.dirname, '..', '..', '..', 'configs', 'call', 'illumina.yaml')], { encoding: 'utf8' });
    const write = (linked: string): string => {
      const path = join(dir, `linked-${Math.random().toString(36).slice(2)}.yaml`);
      writeFileSync(path, base.replace(/linkedVariantPrior:[^\n]*\n(?: {2}- [^\n]*\n)+/, linked));
      return path;
    };
    expect(loadCallerConfig(write('linkedVariantPrior:\n  - { within: 5, factor: 3 }\n')).linkedVariantPrior).toEqual([{ within: 5, factor: 3 }]);
    expect(() => loadCallerConfig(write('linkedVariantPrior:\n  - { within: 10, factor: 3 }\n  - { within: 2, factor: 8 }\n'))).toThrow(/linkedVariantPrior\[1\]\.within: steps must be in ascending order/);
    expect(() => loadCallerConfig(write('linkedVariantPrior:\n  - { within: 2, factor: 0.5 }\n'))).toThrow(CallInputError);
    expect(() => loadCallerConfig(write('linkedVariantPrior: 3\n'))).toThrow(/expected a list/);
  });
});
