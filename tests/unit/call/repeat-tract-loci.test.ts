/**
 * Lengths of one repeat compete as alleles of one locus, and the reads' own spelling of a
 * repeat changed by part of a unit is a candidate (issue 5: ONT indel precision).
 *
 * Fixtures (tests/fixtures/call/README.md): `samtools view -b -F 0x904` of the kit's minimap2
 * ONT BAM at two training-region sites (train-2m), @SQ length cut to 3,000,000, the reference
 * over the reads ± 1 kb, padded with N at test time. Outputs checked with bcftools.
 * - chr20:2,346,660, truth T>TAATA 0|1 in a 26 bp (AATA)n tract. The reads also propose +3
 *   (A>AAAT, left-aligned 4 bp further on): as separate loci the +3 took reads from the +4's
 *   REF and the +4 record's allele split and read-placement test changed with it.
 * - chr20:2,445,533, truth A>AC 1|1 inside an A20 run: no read's CIGAR writes it (they write
 *   +A at the run's start and an A>C nearby); the reads' consensus over the run does.
 * - chr20:2,633,378, truth A>AGAGCCTGGGCCT 0|1 and GGCCTGC>G 0|1 in a (GGGCCT)n tract: one
 *   unit more whose copy differs from the reference's by a base. The whole-unit candidate
 *   (+GGGCCT) was called at raw GQ 300+, a confident false positive on both BAMs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadPlatformPreset } from '../../../engine/call/config.js';
import { openCallReference } from '../../../engine/call/call-reference.js';
import { openBamInput } from '../../../engine/call/bam-input.js';
import { buildPileup, compareCandidates } from '../../../engine/call/pileup.js';
import { consensusIndelCandidates } from '../../../engine/call/indel-consensus.js';
import { repeatLengthCandidates } from '../../../engine/call/repeat-alleles.js';
import { buildWindows, emissionTable } from '../../../engine/call/realign.js';
import { genotypeWindow } from '../../../engine/call/genotyper.js';
import type { AlignedRead, CandidateAllele } from '../../../engine/call/types.js';
import { runCall } from './fixture.js';
import { kitSlice, type KitSlice } from './kit-slice.js';

const TRACT_SITE = 2_346_660;
const PARTIAL_SITE = 2_445_533;
const VARIANT_COPY_SITE = 2_633_378;

let dir: string;
let tractSlice: KitSlice;
let partialSlice: KitSlice;
let variantCopySlice: KitSlice;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'genomaic-repeat-tract-'));
  tractSlice = kitSlice(`ont-tract-chr20_${TRACT_SITE}`, dir);
  partialSlice = kitSlice(`ont-tract-chr20_${PARTIAL_SITE}`, dir);
  variantCopySlice = kitSlice(`ont-tract-chr20_${VARIANT_COPY_SITE}`, dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Every candidate source of the caller around `site` (1-based), as caller.ts runs them. */
async function candidatesAround(slice: KitSlice, site: number): Promise<{ sequence: string; reads: AlignedRead[]; existing: CandidateAllele[]; fromRepeats: CandidateAllele[] }> {
  const ref = await openCallReference(slice.reference);
  const sequence = await ref.sequence('20');
  const input = await openBamInput(slice.bam, ref);
  const config = loadPlatformPreset('ont');
  const reads = (await input.fetch('20', site - 2000, site + 2000)).sort((a, b) => a.start - b.start);
  const pileup = buildPileup(reads, sequence, site - 2000, site + 2000, site - 500, site + 500, config);
  const existing = [...pileup.candidates, ...consensusIndelCandidates(pileup, reads, sequence, site - 500, site + 500, config)].sort(compareCandidates);
  const fromRepeats = repeatLengthCandidates(reads, sequence, site - 500, site + 500, existing, config);
  return { sequence, reads, existing, fromRepeats };
}

async function callRegion(slice: KitSlice, site: number, name: string): Promise<string> {
  const vcf = join(dir, `${name}.vcf.gz`);
  const r = await runCall(['--ref', slice.reference, slice.bam, '-o', vcf, '--platform', 'ont', '--no-calibration', '--region', `20:${site - 500}-${site + 500}`]);
  expect(r.code, r.stderr).toBe(0);
  const norm = spawnSync('bcftools', ['norm', '--check-ref', 'e', '-f', slice.reference, '-Ov', '-o', '/dev/null', vcf], { encoding: 'utf8' });
  expect(norm.status, norm.stderr).toBe(0);
  return vcf;
}

describe('indels of one repeat tract are one locus', () => {
  it('genotypes the +4 and the +3 of the (AATA)n tract together, and the +4 wins', async () => {
    const { sequence, reads, existing, fromRepeats } = await candidatesAround(tractSlice, TRACT_SITE);
    const config = loadPlatformPreset('ont');
    const candidates = [...existing, ...fromRepeats].sort(compareCandidates);
    const window = buildWindows(candidates, sequence, config).find((w) => w.candidates.some((c) => c.pos === TRACT_SITE - 1 && c.alt === 'TAATA'));
    expect(window).toBeDefined();
    // The reads propose both lengths, at anchors 4 bp apart that do not overlap on the reference.
    const insertions = window!.candidates.filter((c) => c.kind === 'insertion');
    expect(insertions.map((c) => `${c.pos + 1}:${c.ref}>${c.alt}`)).toEqual(expect.arrayContaining([`${TRACT_SITE}:T>TAATA`, `${TRACT_SITE + 4}:A>AAAT`]));
    const loci = genotypeWindow(window!, reads, sequence, config, emissionTable(config.errorModel), new Set(candidates.map((c) => c.pos)));
    const holding = loci.filter((l) => l.candidates.some((c) => c.kind === 'insertion'));
    // One locus evaluates both insertions; its record is the truth allele, heterozygous.
    expect(holding).toHaveLength(1);
    expect(holding[0]!.candidates.filter((c) => c.kind === 'insertion')).toHaveLength(insertions.length);
    expect({ pos: holding[0]!.pos + 1, ref: holding[0]!.ref, alts: holding[0]!.alts, genotype: holding[0]!.genotype }).toEqual({ pos: TRACT_SITE, ref: 'T', alts: ['TAATA'], genotype: [0, 1] });
    // Each read counts for the allele of the tract it favours: the +4's reads are not REF reads.
    const [refReads, altReads] = holding[0]!.alleleDepths;
    expect(altReads!).toBeGreaterThan(refReads!);
  });

  it('calls only the truth allele in the tract end to end', async () => {
    const vcf = await callRegion(tractSlice, TRACT_SITE, 'tract');
    const records = execFileSync('bcftools', ['query', '-i', `POS>=${TRACT_SITE - 10} && POS<=${TRACT_SITE + 30}`, '-f', '%POS\t%REF\t%ALT\t%FILTER\t[%GT]\n', vcf], { encoding: 'utf8' }).trim().split('\n');
    expect(records).toEqual([`${TRACT_SITE}\tT\tTAATA\tPASS\t0/1`]);
  });
});

describe('the reads own spelling of a changed repeat is a candidate', () => {
  it('proposes the A>AC inside the A20 run that no CIGAR allele and no indel consensus has', async () => {
    const { existing, fromRepeats } = await candidatesAround(partialSlice, PARTIAL_SITE);
    const isTruth = (c: CandidateAllele): boolean => c.pos === PARTIAL_SITE - 1 && c.ref === 'A' && c.alt === 'AC';
    expect(existing.some(isTruth)).toBe(false);
    expect(fromRepeats.filter(isTruth)).toHaveLength(1);
    const keys = new Set(existing.map((c) => `${c.pos}:${c.ref}:${c.alt}`));
    expect(fromRepeats.every((c) => !keys.has(`${c.pos}:${c.ref}:${c.alt}`))).toBe(true);
  });

  it('calls it as the truth writes it, hom-alt', async () => {
    const vcf = await callRegion(partialSlice, PARTIAL_SITE, 'partial');
    const records = execFileSync('bcftools', ['query', '-i', `POS>=${PARTIAL_SITE - 15} && POS<=${PARTIAL_SITE + 10} && FILTER="PASS"`, '-f', '%POS\t%REF\t%ALT\t[%GT]\n', vcf], { encoding: 'utf8' }).trim().split('\n');
    expect(records).toEqual([`${PARTIAL_SITE}\tA\tAC\t1/1`]);
  });
});

/** The sequence of `reference` over [from, to) (0-based) with `variants` (1-based POS, non-overlapping) applied. */
function applyVariants(reference: string, from: number, to: number, variants: readonly { pos: number; ref: string; alt: string }[]): string {
  let out = '';
  let cursor = from;
  for (const v of [...variants].sort((a, b) => a.pos - b.pos)) {
    expect(reference.slice(v.pos - 1, v.pos - 1 + v.ref.length)).toBe(v.ref);
    out += reference.slice(cursor, v.pos - 1) + v.alt;
    cursor = v.pos - 1 + v.ref.length;
  }
  return out + reference.slice(cursor, to);
}

describe('an inserted unit that differs from the reference copy by a base', () => {
  it('is proposed as the reads spell it, next to the whole-unit copy', async () => {
    const { existing, fromRepeats } = await candidatesAround(variantCopySlice, VARIANT_COPY_SITE);
    const spelled = (c: CandidateAllele): string => `${c.pos + 1}:${c.ref}>${c.alt}`;
    expect(existing.map(spelled)).not.toContain(`${VARIANT_COPY_SITE}:A>AGAGCCT`);
    expect(fromRepeats.map(spelled)).toContain(`${VARIANT_COPY_SITE}:A>AGAGCCT`);
  });

  it('calls the truth haplotype (in another spelling), not the whole-unit copy', async () => {
    const vcf = await callRegion(variantCopySlice, VARIANT_COPY_SITE, 'variant-copy');
    const lines = execFileSync('bcftools', ['query', '-i', `POS>=${VARIANT_COPY_SITE - 10} && POS<=${VARIANT_COPY_SITE + 40} && FILTER="PASS"`, '-f', '%POS\t%REF\t%ALT\t[%GT]\n', vcf], { encoding: 'utf8' }).trim().split('\n');
    expect(lines).toEqual([`${VARIANT_COPY_SITE}\tA\tAGAGCCT\t0/1`, `${VARIANT_COPY_SITE + 26}\tC\tG\t0/1`]);
    // Both heterozygous on one haplotype, as in the truth: the same sequence as the truth's +12 and −6.
    const sequence = await (await openCallReference(variantCopySlice.reference)).sequence('20');
    const called = lines.map((l) => {
      const [pos, ref, alt] = l.split('\t');
      return { pos: Number(pos), ref: ref!, alt: alt! };
    });
    const truth = [{ pos: VARIANT_COPY_SITE, ref: 'A', alt: 'AGAGCCTGGGCCT' }, { pos: VARIANT_COPY_SITE + 20, ref: 'GGCCTGC', alt: 'G' }];
    const from = VARIANT_COPY_SITE - 50;
    const to = VARIANT_COPY_SITE + 80;
    expect(applyVariants(sequence, from, to, called)).toBe(applyVariants(sequence, from, to, truth));
  });
});
