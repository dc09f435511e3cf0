/**
 * The prior of indels that change a repeat's unit count (`repeatIndelPrior`, genotyper.ts
 * `indelCandidatePrior`; bench/repeat-indel-prior.ts measures the table in the presets).
 *
 * Fixture (tests/fixtures/call/README.md): a real slice of the kit's bwa Illumina BAM of suite
 * train4 (HG00099, seed 7) at chr20:3,427,658 in calib-3m, truth GA>G 0|1: one A fewer in an
 * A14 run. 6 of the 24 reads spanning the run show the deletion; with the background indel prior
 * the het was called at QUAL 3.5 and abstained at the QUAL gate. The site is called with
 * `--statistical`: the prior is the statistical genotyper's (the learned model reads its verdict).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { CallInputError } from '../../../engine/call/errors.js';
import { defaultCallConfigPath, loadCallerConfig, loadPlatformPreset, type RepeatIndelPriorConfig } from '../../../engine/call/config.js';
import { indelCandidatePrior } from '../../../engine/call/genotyper.js';
import { indelRepeatTract, repeatTractsIn } from '../../../engine/call/repeats.js';
import { callSliceSite, kitSlice, type KitSlice, type SliceSiteRecord } from './kit-slice.js';

const SITE = 3_427_658;

let dir: string;
let slice: KitSlice;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'genomaic-repeat-prior-'));
  slice = kitSlice(`illumina-hp-deletion-chr20_${SITE}`, dir);
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the repeat tract an indel changes', () => {
  //                 0         1         2
  //                 012345678901234567890123456
  const sequence = 'GCGTAAAAAAAAAACGCACACACATGG';
  it('is the run of the indel\'s period that holds the deleted or copied bases', () => {
    // One A fewer or more in the A10 run at 4-13 (anchor: the T before it).
    expect(indelRepeatTract(sequence, { pos: 3, ref: 'TA', alt: 'T' })).toEqual({ start: 4, end: 14, unit: 'A' });
    expect(indelRepeatTract(sequence, { pos: 3, ref: 'T', alt: 'TAA' })).toEqual({ start: 4, end: 14, unit: 'A' });
    // A CA unit fewer in the (CA)4 tract at 16-23.
    expect(indelRepeatTract(sequence, { pos: 15, ref: 'GCA', alt: 'G' })).toEqual({ start: 16, end: 24, unit: 'CA' });
    // A single copy is still a tract (of one unit): the table decides from what length a tract counts.
    expect(indelRepeatTract(sequence, { pos: 1, ref: 'C', alt: 'CG' })).toEqual({ start: 2, end: 3, unit: 'G' });
  });

  it('is none for substitutions, complex changes and insertions that copy nothing after them', () => {
    expect(indelRepeatTract(sequence, { pos: 5, ref: 'A', alt: 'C' })).toBeNull();
    expect(indelRepeatTract(sequence, { pos: 3, ref: 'TAA', alt: 'TC' })).toBeNull();
    expect(indelRepeatTract(sequence, { pos: 3, ref: 'T', alt: 'TC' })).toBeNull();
  });

  it('lists every tract of at least two copies once, under its shortest unit', () => {
    const tracts = repeatTractsIn(sequence, 0, sequence.length).map((t) => `${t.start}-${t.end}:${t.unit}`);
    expect(tracts).toContain('4-14:A');
    expect(tracts).toContain('16-24:CA');
    expect(tracts).toContain('25-27:G');
    expect(tracts).not.toContain('4-14:AA');
  });
});

describe('the prior of an indel candidate', () => {
  const table: RepeatIndelPriorConfig = {
    multiUnitFactor: 0.05,
    tracts: [
      { unit: [1, 1], minLength: 6, prior: 0.001 },
      { unit: [1, 1], minLength: 10, prior: 0.03 },
      { unit: [2, 6], minLength: 8, prior: 0.004 },
    ],
  };
  const sequence = 'GCGTAAAAAAAAAACGCACACACATGG';
  it('takes the row of the tract\'s unit and longest reached length, never below the background', () => {
    expect(indelCandidatePrior({ pos: 3, ref: 'TA', alt: 'T', kind: 'deletion', supportingReads: 5 }, sequence, 1e-4, table)).toBe(0.03);
    expect(indelCandidatePrior({ pos: 3, ref: 'TAA', alt: 'T', kind: 'deletion', supportingReads: 5 }, sequence, 1e-4, table)).toBeCloseTo(0.0015, 12);
    expect(indelCandidatePrior({ pos: 15, ref: 'GCA', alt: 'G', kind: 'deletion', supportingReads: 5 }, sequence, 1e-4, table)).toBe(0.004);
    // A G2 run is in no row; a table below the background does not lower it.
    expect(indelCandidatePrior({ pos: 24, ref: 'T', alt: 'TG', kind: 'insertion', supportingReads: 5 }, sequence, 1e-4, table)).toBe(1e-4);
    expect(indelCandidatePrior({ pos: 3, ref: 'TA', alt: 'T', kind: 'deletion', supportingReads: 5 }, sequence, 0.05, table)).toBe(0.05);
    expect(indelCandidatePrior({ pos: 3, ref: 'TA', alt: 'T', kind: 'deletion', supportingReads: 5 }, sequence, 1e-4, undefined)).toBe(1e-4);
  });
});

/** The statistical genotyper's record of the site's GA>G. */
function callSite(extra: string[], name: string): Promise<SliceSiteRecord | null> {
  return callSliceSite(slice, 'illumina', SITE, { ref: 'GA', alt: 'G' }, join(dir, `${name}.vcf.gz`), ['--statistical', ...extra]);
}

describe('a heterozygous one-base deletion in an A14 run (real Illumina reads)', () => {
  it('passes the QUAL gate with the preset\'s repeat prior and not with the background prior', async () => {
    const preset = loadPlatformPreset('illumina');
    expect(preset.repeatIndelPrior).toBeDefined();
    const withPrior = await callSite([], 'preset');
    expect(withPrior).not.toBeNull();
    expect(withPrior!.filter).toBe('PASS');
    expect(withPrior!.genotype).toBe('0/1');
    expect(withPrior!.qual).toBeGreaterThanOrEqual(preset.abstention.minQual);

    const doc = parse(readFileSync(defaultCallConfigPath('illumina'), 'utf8')) as Record<string, unknown>;
    delete doc.repeatIndelPrior;
    const backgroundPath = join(dir, 'illumina-background-prior.yaml');
    writeFileSync(backgroundPath, stringify(doc));
    const background = await callSite(['--config', backgroundPath], 'background');
    expect(background).not.toBeNull();
    expect(background!.filter).toBe('Abstain');
    expect(background!.qual).toBeLessThan(preset.abstention.minQual);
  });

  it('is validated at load: unit ranges, lengths, priors and known keys', () => {
    const doc = parse(readFileSync(defaultCallConfigPath('illumina'), 'utf8')) as Record<string, unknown>;
    const write = (value: unknown): string => {
      const path = join(dir, `repeat-prior-${Math.random().toString(36).slice(2)}.yaml`);
      writeFileSync(path, stringify({ ...doc, repeatIndelPrior: value }));
      return path;
    };
    const row = { unit: [1, 1], minLength: 8, prior: 0.01 };
    expect(loadCallerConfig(write({ multiUnitFactor: 0.1, tracts: [row] })).repeatIndelPrior).toEqual({ multiUnitFactor: 0.1, tracts: [row] });
    expect(() => loadCallerConfig(write({ multiUnitFactor: 0.1, tracts: [{ ...row, unit: [3, 2] }] }))).toThrow(/repeatIndelPrior\.tracts\[0\]\.unit: min 3 exceeds max 2/);
    expect(() => loadCallerConfig(write({ multiUnitFactor: 0.1, tracts: [{ ...row, unit: [1, 7] }] }))).toThrow(CallInputError);
    expect(() => loadCallerConfig(write({ multiUnitFactor: 0.1, tracts: [{ ...row, prior: 0.9 }] }))).toThrow(/prior: 0\.9 is outside/);
    expect(() => loadCallerConfig(write({ multiUnitFactor: 0.1, tracts: [] }))).toThrow(/non-empty list/);
    expect(() => loadCallerConfig(write({ tracts: [row] }))).toThrow(/multiUnitFactor: missing/);
    expect(() => loadCallerConfig(write({ multiUnitFactor: 0.1, tracts: [{ ...row, period: 2 }] }))).toThrow(/tracts\[0\]\.period: unknown setting/);
  });
});
