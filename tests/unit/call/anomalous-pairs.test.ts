/**
 * Reads of improperly paired pairs stay out of Illumina calling, as `bcftools mpileup` leaves
 * them out by default (issue 5). Why: where a read's mate is placed uniquely but the read fits
 * a paralogue a couple of bases better than its true copy, neither bwa nor our aligner pairs
 * them, and the read's alleles show up at the paralogue as a low-fraction "het".
 *
 * Fixture (tests/fixtures/call/README.md): a real slice of the kit's bwa Illumina BAM at
 * chr20:2,230,047 (train-2m) holding the region's one improperly paired pair (two mates
 * overlapping by 140 bp, flags 161/81) among properly paired reads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { openBamInput } from '../../../engine/call/bam-input.js';
import { openCallReference } from '../../../engine/call/call-reference.js';
import { loadPlatformPreset } from '../../../engine/call/config.js';
import { kitSlice, type KitSlice } from './kit-slice.js';

const SITE = 2_230_047;
let dir: string;
let slice: KitSlice;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'genomaic-anomalous-'));
  slice = kitSlice(`illumina-anomalous-chr20_${SITE}`, dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('improperly paired reads', () => {
  it('are left out when the preset says so, and only they', async () => {
    const reference = await openCallReference(slice.reference);
    const names = async (skipAnomalousPairs: boolean): Promise<string[]> => (await (await openBamInput(slice.bam, reference, { skipAnomalousPairs })).fetch('20', SITE - 1, SITE)).map((r) => r.name);
    const all = await names(false);
    const kept = await names(true);
    // samtools names the improperly paired reads of the slice: paired (0x1) but not proper (0x2).
    const anomalous = execFileSync('samtools', ['view', '-f', '1', '-F', '2', slice.bam, `20:${SITE}-${SITE}`], { encoding: 'utf8' }).trim().split('\n').map((l) => l.split('\t')[0]!);
    expect(anomalous).toEqual(['hap1-188362', 'hap1-188362']);
    expect(all.filter((n) => n === 'hap1-188362')).toHaveLength(2);
    expect(kept).not.toContain('hap1-188362');
    expect(kept).toEqual(all.filter((n) => !anomalous.includes(n)));
    expect(kept.length).toBeGreaterThan(10);
  });

  it('the Illumina preset leaves them out, as bcftools mpileup does; long-read presets have no pairs to judge', () => {
    expect(loadPlatformPreset('illumina').skipAnomalousPairs).toBe(true);
    expect(loadPlatformPreset('hifi').skipAnomalousPairs ?? false).toBe(false);
    expect(loadPlatformPreset('ont').skipAnomalousPairs ?? false).toBe(false);
  });
});
