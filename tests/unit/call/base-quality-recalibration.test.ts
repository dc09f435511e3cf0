/**
 * Base-quality recalibration of the nanopore preset (issue 5, ONT SNV recall). The kit's
 * simulated ONT reads report qualities far below their real accuracy at low Q (a Q5 base errs
 * about 9 % of the time, not 32 %), so an SNV read by 7 of 19 reads looked barely likelier than
 * noise. The preset's `qualityScale`/`qualityOffset` (measured on train-2m) map each reported
 * quality to the error these reads actually make.
 *
 * Fixture (tests/fixtures/call/README.md): `samtools view -b` of the kit's minimap2 ONT BAM at
 * chr20:2,630,111 (training region; HG00096 truth A>G 0|1), @SQ length cut to 3,000,000, the
 * reference over the reads ± 1 kb, padded with N at test time. Output is checked with bcftools
 * (norm --check-ref e, query).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { defaultCallConfigPath, loadPlatformPreset } from '../../../engine/call/config.js';
import { emissionTable } from '../../../engine/call/realign.js';
import { openCallReference } from '../../../engine/call/call-reference.js';
import { openBamInput } from '../../../engine/call/bam-input.js';
import { CIGAR_D, CIGAR_EQ, CIGAR_I, CIGAR_M, CIGAR_N, CIGAR_S, CIGAR_X } from '../../../engine/call/pileup.js';
import { callSliceSite, kitSlice, type SliceSiteRecord } from './kit-slice.js';

const NAME = 'ont-lowq-snv-chr20_2630111';
const SITE = 2_630_111;

let dir: string;
let reference: string;
let bam: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'genomaic-bqsr-'));
  ({ reference, bam } = kitSlice(NAME, dir));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Aligned bases and mismatches per reported quality, over columns where fewer than 20 % of reads disagree with the reference (no variant there). */
async function mismatchesByQuality(): Promise<{ total: Float64Array; mismatched: Float64Array }> {
  const ref = await openCallReference(reference);
  const input = await openBamInput(bam, ref);
  const sequence = await ref.sequence('20');
  const reads = await input.fetch('20', SITE - 20_000, SITE + 20_000);
  const observations: { pos: number; q: number; mismatch: boolean }[] = [];
  const depth = new Map<number, number>();
  const disagree = new Map<number, number>();
  for (const read of reads) {
    let refPos = read.start;
    let readPos = 0;
    for (const packed of read.cigar) {
      const op = packed & 0xf;
      const length = packed >>> 4;
      if (op === CIGAR_M || op === CIGAR_EQ || op === CIGAR_X) {
        for (let i = 0; i < length; i++) {
          const p = refPos + i;
          const mismatch = read.bases[readPos + i] !== sequence.charCodeAt(p);
          observations.push({ pos: p, q: read.quals[readPos + i]!, mismatch });
          depth.set(p, (depth.get(p) ?? 0) + 1);
          if (mismatch) disagree.set(p, (disagree.get(p) ?? 0) + 1);
        }
        refPos += length;
        readPos += length;
      } else if (op === CIGAR_I || op === CIGAR_S) readPos += length;
      else if (op === CIGAR_D || op === CIGAR_N) refPos += length;
    }
  }
  const total = new Float64Array(94);
  const mismatched = new Float64Array(94);
  for (const o of observations) {
    if ((disagree.get(o.pos) ?? 0) >= 0.2 * depth.get(o.pos)!) continue;
    total[o.q]!++;
    if (o.mismatch) mismatched[o.q]!++;
  }
  return { total, mismatched };
}

function callSite(extra: string[], name: string): Promise<SliceSiteRecord | null> {
  return callSliceSite({ reference, bam }, 'ont', SITE, { ref: 'A', alt: 'G' }, join(dir, `site-${name}.vcf.gz`), extra);
}

describe('ONT base-quality recalibration', () => {
  it('maps low reported qualities to the error the fixture reads actually make', async () => {
    const { total, mismatched } = await mismatchesByQuality();
    const preset = loadPlatformPreset('ont');
    const emissions = emissionTable(preset.errorModel);
    // Pooled over Q3–8, the bulk of the reads' low-quality bases.
    let bases = 0;
    let errors = 0;
    let reported = 0;
    let modelled = 0;
    for (let q = 3; q <= 8; q++) {
      bases += total[q]!;
      errors += mismatched[q]!;
      reported += total[q]! * 10 ** (-q / 10);
      modelled += total[q]! * 3 * 10 ** emissions.mismatch[q]!;
    }
    expect(bases).toBeGreaterThan(5000);
    const empirical = errors / bases;
    // The reported qualities overstate the error more than twofold; the recalibrated ones are within 50 %.
    expect(reported / bases).toBeGreaterThan(2 * empirical);
    expect(modelled / bases).toBeGreaterThan(empirical / 1.5);
    expect(modelled / bases).toBeLessThan(empirical * 1.5);
  });

  it('calls the heterozygous SNV at chr20:2,630,111 that the reported qualities left below the preset gates', async () => {
    const preset = await callSite([], 'preset');
    expect(preset).not.toBeNull();
    expect(preset!.filter).toBe('PASS');
    expect(preset!.genotype).toBe('0/1');

    // Read-backed phasing also strengthens this het; without it, the recalibration alone must
    // carry the call, and the reported qualities must not.
    const doc = parse(readFileSync(defaultCallConfigPath('ont'), 'utf8')) as { errorModel: Record<string, number>; readPhasing?: unknown };
    delete doc.readPhasing;
    const unphasedPath = join(dir, 'ont-unphased.yaml');
    writeFileSync(unphasedPath, stringify(doc));
    const recalibrated = await callSite(['--config', unphasedPath], 'unphased');
    expect(recalibrated).not.toBeNull();
    expect(recalibrated!.filter).toBe('PASS');
    expect(recalibrated!.genotype).toBe('0/1');

    // The same (unphased) preset trusting the reported qualities.
    delete doc.errorModel.qualityScale;
    delete doc.errorModel.qualityOffset;
    const reportedPath = join(dir, 'ont-reported-qualities.yaml');
    writeFileSync(reportedPath, stringify(doc));
    const reported = await callSite(['--config', reportedPath], 'reported');
    expect(reported).not.toBeNull();
    expect(reported!.filter).toBe('Abstain');
    expect(reported!.qual).toBeLessThan(recalibrated!.qual);
  });
});
