/**
 * Repeat-length candidates (issue 5, ONT indels in tandem repeats): a change of whole repeat
 * units proposed from the length each read spanning the repeat shows for it, however its
 * alignment writes the difference.
 *
 * Fixture (tests/fixtures/call/README.md): `samtools view -b` of the kit's minimap2 ONT BAM at
 * chr20:2,744,946 (training region; HG00096 truth G>GGTGT 1|1, two extra GT units in a 30 bp
 * GT repeat), @SQ length cut to 3,000,000, the reference over the reads ± 1 kb, padded with N
 * at test time. The reads write the insertion as +1 to +7 bases spread over the repeat, so no
 * exact CIGAR allele had the support to become a candidate. Output checked with bcftools.
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
import { repeatLengthCandidates, repeatTracts } from '../../../engine/call/repeat-alleles.js';
import type { CandidateAllele } from '../../../engine/call/types.js';
import { runCall } from './fixture.js';
import { kitSlice } from './kit-slice.js';

const NAME = 'ont-gt-repeat-chr20_2744946';
const SITE = 2_744_946;
/** The truth allele, 0-based like CandidateAllele. */
const TRUTH = { pos: SITE - 1, ref: 'G', alt: 'GGTGT' };

let dir: string;
let reference: string;
let bam: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'genomaic-repeat-length-'));
  ({ reference, bam } = kitSlice(NAME, dir));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const isTruth = (c: CandidateAllele): boolean => c.pos === TRUTH.pos && c.ref === TRUTH.ref && c.alt === TRUTH.alt;

describe('repeat-length candidates', () => {
  it('finds the GT repeat as one tract of unit 2, not as shorter runs', async () => {
    const ref = await openCallReference(reference);
    const sequence = await ref.sequence('20');
    const tracts = repeatTracts(sequence, SITE - 50, SITE + 50).filter((t) => t.start <= SITE && t.end > SITE);
    expect(tracts).toHaveLength(1);
    expect(tracts[0]!.unit).toBe(2);
    // Left end: the base after the anchor G (0-based SITE); the tract is the reference's GT run.
    expect(tracts[0]!.start).toBe(SITE);
    expect(sequence.slice(tracts[0]!.start, tracts[0]!.end)).toMatch(/^(GT)+G?$/);
  });

  it('proposes the two-unit insertion the CIGAR alleles and their consensus do not', async () => {
    const ref = await openCallReference(reference);
    const sequence = await ref.sequence('20');
    const input = await openBamInput(bam, ref);
    const config = loadPlatformPreset('ont');
    const from = SITE - 2000;
    const to = SITE + 2000;
    const reads = (await input.fetch('20', from, to)).sort((a, b) => a.start - b.start);
    const pileup = buildPileup(reads, sequence, from, to, SITE - 500, SITE + 500, config);
    const existing = [...pileup.candidates, ...consensusIndelCandidates(pileup, reads, sequence, SITE - 500, SITE + 500, config)].sort(compareCandidates);
    expect(existing.some(isTruth)).toBe(false);
    const proposed = repeatLengthCandidates(reads, sequence, SITE - 500, SITE + 500, existing, config);
    expect(proposed.filter(isTruth)).toHaveLength(1);
    // Never a duplicate of an allele already proposed.
    const keys = new Set(existing.map((c) => `${c.pos}:${c.ref}:${c.alt}`));
    expect(proposed.every((c) => !keys.has(`${c.pos}:${c.ref}:${c.alt}`))).toBe(true);
  });

  it('calls it end to end with the truth genotype, left-aligned', async () => {
    const vcf = join(dir, 'calls.vcf.gz');
    const r = await runCall(['--ref', reference, bam, '-o', vcf, '--platform', 'ont', '--no-calibration', '--region', `20:${SITE - 500}-${SITE + 500}`]);
    expect(r.code, r.stderr).toBe(0);
    const norm = spawnSync('bcftools', ['norm', '--check-ref', 'e', '-f', reference, '-Ov', '-o', '/dev/null', vcf], { encoding: 'utf8' });
    expect(norm.status, norm.stderr).toBe(0);
    expect(norm.stderr).toMatch(/total\/split\/realigned\/skipped:\s+\d+\/0\/0\/0/);
    const record = execFileSync('bcftools', ['query', '-i', `POS=${SITE}`, '-f', '%REF\t%ALT\t%FILTER\t[%GT]\n', vcf], { encoding: 'utf8' }).trim();
    expect(record).toBe('G\tGGTGT\tPASS\t1/1');
  });
});
