/**
 * The fitted abstention thresholds as the caller uses them: the shipped calibration files load
 * and carry them; a bad file is refused with a message naming the file and the key (a typo must
 * stop the run, not quietly switch a rule off); and the caller applies each class's settings to
 * that class only, on a real BAM (the calling fixture: minimap2 alignments of reads simulated
 * from a known diploid sample).
 */
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { CalibrationModel } from '../../../engine/call/calibration.js';
import { abstentionByClass, calibrationPath, loadCalibration } from '../../../engine/call/calibration.js';
import { loadPlatformPreset } from '../../../engine/call/config.js';
import { RULE_OFF } from '../../../engine/call/abstention.js';
import { callVariants } from '../../../engine/call/caller.js';
import type { CallFixture } from './fixture.js';
import { buildCallFixture } from './fixture.js';

const dir = mkdtempSync(join(tmpdir(), 'genomaic-fitted-'));

/** The shipped Illumina calibration with one value replaced, written to a temp file. */
function withChange(change: (doc: Record<string, unknown> & { abstention: { byClass: { snv: { thresholds: Record<string, unknown> } } } }) => void, name: string): string {
  const doc = JSON.parse(readFileSync(calibrationPath('illumina'), 'utf8')) as Parameters<typeof change>[0];
  change(doc);
  const path = join(dir, `${name}.json`);
  writeFileSync(path, JSON.stringify(doc));
  return path;
}

describe('fitted thresholds in the calibration file', () => {
  it('are shipped for every platform, with the fit provenance', () => {
    for (const platform of ['illumina', 'hifi', 'ont'] as const) {
      const model = loadCalibration(platform);
      expect(model?.abstention?.method).toBe('coordinate-f1-at-precision/1');
      expect(model?.fittedOn.command).toContain('bench/call.ts --fit-calibration');
      expect(model?.fittedOn.data.regions).toEqual(['train-2m:20:2000001-3000000:training', 'calib-3m:20:3000001-3500000:calibration']);
      expect(model?.abstention?.byClass.snv.fit.candidates).toBeGreaterThan(1000);
    }
  });

  it('refuse a bad value, an unknown key and a missing GQ threshold, naming the file and the key', () => {
    const negative = withChange((d) => (d.abstention.byClass.snv.thresholds.strandBiasMinPhred = -3), 'negative');
    expect(() => loadCalibration('illumina', negative)).toThrow(`${negative}: abstention.byClass.snv.thresholds.strandBiasMinPhred: -3 is outside 0..1000`);
    const typo = withChange((d) => (d.abstention.byClass.snv.thresholds.strandBiasMinPhered = 40), 'typo');
    expect(() => loadCalibration('illumina', typo)).toThrow(`${typo}: abstention.byClass.snv.thresholds.strandBiasMinPhered: unknown threshold`);
    const noGq = withChange((d) => (d.abstention.byClass.snv.thresholds.minGq = null), 'no-gq');
    expect(() => loadCalibration('illumina', noGq)).toThrow(`${noGq}: abstention.byClass.snv.thresholds.minGq: expected a number, got null`);
    const text = withChange((d) => (d.abstention.byClass.snv.thresholds.minDepth = '4'), 'text');
    expect(() => loadCalibration('illumina', text)).toThrow(`${text}: abstention.byClass.snv.thresholds.minDepth: expected a number, got "4"`);
    const missing = withChange((d) => delete d.abstention.byClass.snv.thresholds.readBiasMinPhred, 'missing');
    expect(() => loadCalibration('illumina', missing)).toThrow(`${missing}: abstention.byClass.snv.thresholds.readBiasMinPhred: missing`);
    const badClassGq = withChange((d) => (d.minGqByClass = { snv: 3, indel: 120 }), 'class-gq');
    expect(() => loadCalibration('illumina', badClassGq)).toThrow(`${badClassGq}: minGqByClass.indel: 120 is outside 0..99`);
  });

  it('overlay the preset per class: null switches a rule off, --min-gq replaces both GQ thresholds', () => {
    const preset = loadPlatformPreset('illumina').abstention;
    const model = loadCalibration('illumina')!;
    const byClass = abstentionByClass(preset, model);
    for (const cls of ['snv', 'indel'] as const) {
      const t = model.abstention!.byClass[cls].thresholds;
      expect(byClass[cls].minGq).toBe(t.minGq);
      expect(byClass[cls].minDepth).toBe(t.minDepth ?? RULE_OFF.minDepth);
      expect(byClass[cls].strandBiasMinPhred).toBe(t.strandBiasMinPhred ?? RULE_OFF.strandBiasMinPhred);
      // Settings the fit does not choose stay the preset's.
      expect(byClass[cls].repeatMinLength).toBe(preset.repeatMinLength);
    }
    const overridden = abstentionByClass(preset, model, 25);
    expect([overridden.snv.minGq, overridden.indel.minGq]).toEqual([25, 25]);
    expect(abstentionByClass(preset, null)).toEqual({ snv: preset, indel: preset });
  });
});

describe('the caller applies each class its own fitted settings', () => {
  let fixture: CallFixture;
  beforeAll(() => {
    fixture = buildCallFixture(mkdtempSync(join(tmpdir(), 'genomaic-fitted-bam-')));
  });

  it('a depth threshold fitted for SNVs abstains SNVs only, as LOW_DEPTH', async () => {
    const config = loadPlatformPreset('illumina');
    const calibration: CalibrationModel | null = null;
    const run = (snvMinDepth: number) =>
      callVariants({ bamPath: fixture.bam, referencePath: fixture.reference, config, calibration, abstentionByClass: { snv: { ...config.abstention, minDepth: snvMinDepth }, indel: config.abstention } });
    const normal = await run(config.abstention.minDepth);
    const strict = await run(10_000);
    const isSnv = (r: { ref: string; alts: string[] }): boolean => r.alts.every((a) => a.length === r.ref.length);
    const passed = (records: typeof normal.records, snv: boolean) => records.filter((r) => r.filter === 'PASS' && isSnv(r) === snv).map((r) => r.pos);
    // The fixture's four SNVs pass with the preset and abstain with the strict SNV depth …
    expect(passed(normal.records, true)).toHaveLength(4);
    expect(passed(strict.records, true)).toEqual([]);
    for (const r of strict.records.filter(isSnv)) expect(r.abstainReason).toBe('LOW_DEPTH');
    // … while the indels, held to their own settings, are untouched.
    expect(passed(strict.records, false)).toEqual(passed(normal.records, false));
    expect(passed(normal.records, false).length).toBeGreaterThan(0);
  });
});
