/**
 * The model's own GQ calibration beside its checkpoint: it round-trips, a folder without one
 * says so (null), and a file fitted for other weights or with a non-monotone map is refused
 * with the file and field named, because a calibration of another model's GQ is silently wrong.
 * And in the caller: a locus the model genotyped takes the model's calibration and thresholds,
 * every other locus the statistical ones, and a user's explicit threshold is not overridden.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { CalibrationModel } from '../../../engine/call/calibration.js';
import { loadPlatformPreset } from '../../../engine/call/config.js';
import { recordCalibration, type LearnedGenotyper } from '../../../engine/call/learned.js';
import type { CheckpointManifest } from '../../../engine/model/checkpoint.js';
import type { ModelCall } from '../../../engine/model/genotype.js';
import { GQ_CALIBRATION_FILE, GQ_CALIBRATION_SCHEMA, loadModelGqCalibration, saveModelGqCalibration, type ModelGqCalibration } from '../../../engine/model/gq-calibration.js';

const WEIGHTS = 'a'.repeat(64);
const manifest = { modelId: 'm', weights: { sha256: WEIGHTS } } as unknown as CheckpointManifest;

function platt(platform: 'ont', minGq: { snv: number; indel: number }): CalibrationModel {
  return {
    schema: 'genomaic.call-calibration/2', platform, method: 'platt-log-rawgq',
    fittedOn: { description: 'test', date: '2026-11-22', codeVersion: '0', command: 'test', data: {} },
    classes: { snv: { intercept: 2, slope: -1.5, calls: 100, errors: 2 }, indel: { intercept: 4, slope: -1, calls: 50, errors: 10 } },
    minGqByClass: minGq,
    targetPrecision: 0.99,
  };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'genomaic-gqcal-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('model GQ calibration file', () => {
  const document: ModelGqCalibration = { schema: GQ_CALIBRATION_SCHEMA, modelId: 'm', weightsSha256: WEIGHTS, platforms: { ont: platt('ont', { snv: 7, indel: 12 }) } };

  it('round-trips, and a folder without one gives null', async () => {
    await saveModelGqCalibration(dir, document);
    expect(await loadModelGqCalibration(dir, manifest)).toEqual(document);
    expect(await loadModelGqCalibration(join(dir, 'absent'), manifest)).toBeNull();
  });

  it('refuses a file fitted for other weights, naming file and field', async () => {
    const other = { ...manifest, weights: { sha256: 'b'.repeat(64) } } as unknown as CheckpointManifest;
    await expect(loadModelGqCalibration(dir, other)).rejects.toThrow(`${join(dir, GQ_CALIBRATION_FILE)}: weightsSha256: fitted for weights aaaaaaaaaaaa…`);
  });

  it('refuses a map that does not fall with raw GQ, and a missing threshold', async () => {
    const flat = structuredClone(document);
    flat.platforms.ont!.classes.indel.slope = 0.2;
    writeFileSync(join(dir, GQ_CALIBRATION_FILE), JSON.stringify(flat));
    await expect(loadModelGqCalibration(dir, manifest)).rejects.toThrow('platforms.ont.classes.indel: needs a finite intercept and a negative slope');
    const noThreshold = structuredClone(document) as unknown as { platforms: { ont: { minGqByClass: Record<string, number> } } };
    delete noThreshold.platforms.ont.minGqByClass.snv;
    writeFileSync(join(dir, GQ_CALIBRATION_FILE), JSON.stringify(noThreshold));
    await expect(loadModelGqCalibration(dir, manifest)).rejects.toThrow('platforms.ont.minGqByClass.snv');
  });

  it('keeps fitted repeat thresholds (null: gate off) and refuses one out of range', async () => {
    const withRepeat = structuredClone(document);
    withRepeat.platforms.ont!.repeatMinGqByClass = { snv: null, indel: 18 };
    await saveModelGqCalibration(dir, withRepeat);
    expect(await loadModelGqCalibration(dir, manifest)).toEqual(withRepeat);
    const bad = structuredClone(withRepeat) as unknown as { platforms: { ont: { repeatMinGqByClass: Record<string, unknown> } } };
    bad.platforms.ont.repeatMinGqByClass.indel = 140;
    writeFileSync(join(dir, GQ_CALIBRATION_FILE), JSON.stringify(bad));
    await expect(loadModelGqCalibration(dir, manifest)).rejects.toThrow('platforms.ont.repeatMinGqByClass.indel: needs a GQ threshold in 0..99, or null (gate off)');
  });
});

describe('recordCalibration (which GQ map and thresholds a record takes)', () => {
  const own = platt('ont', { snv: 7, indel: 12 });
  const stat = { ...platt('ont', { snv: 4, indel: 4 }), fittedOn: { ...own.fittedOn, description: 'statistical' } };
  const learned = { gqCalibration: own } as unknown as LearnedGenotyper;
  const modelCall = {} as ModelCall;
  const preset = loadPlatformPreset('ont').abstention;
  const byClass = { snv: { ...preset, minGq: 4, strandBiasMinPhred: 40 }, indel: { ...preset, minGq: 5 } };

  it('model loci take the model map and GQ thresholds over the run\'s per-class rules', () => {
    const chosen = recordCalibration(learned, modelCall, stat, byClass);
    expect(chosen.calibration).toBe(own);
    expect(chosen.abstentionByClass).toEqual({ snv: { ...byClass.snv, minGq: 7 }, indel: { ...byClass.indel, minGq: 12 } });
  });

  it('fitted repeat thresholds replace the run\'s for model loci; null switches that gate off', () => {
    const withRepeat = { ...own, repeatMinGqByClass: { snv: null, indel: 18 } };
    const chosen = recordCalibration({ gqCalibration: withRepeat } as unknown as LearnedGenotyper, modelCall, stat, byClass);
    expect(chosen.abstentionByClass).toEqual({ snv: { ...byClass.snv, minGq: 7, repeatMinGq: 0 }, indel: { ...byClass.indel, minGq: 12, repeatMinGq: 18 } });
  });

  it('other loci, and a checkpoint without its own calibration, keep the statistical ones', () => {
    expect(recordCalibration(learned, null, stat, byClass)).toEqual({ calibration: stat, abstentionByClass: byClass });
    expect(recordCalibration({ gqCalibration: null } as unknown as LearnedGenotyper, modelCall, stat, byClass)).toEqual({ calibration: stat, abstentionByClass: byClass });
  });

  it('a run with one threshold for all (--min-gq, --config) keeps it', () => {
    expect(recordCalibration(learned, modelCall, stat, undefined)).toEqual({ calibration: own, abstentionByClass: undefined });
  });

  it("the user's --min-gq holds on model loci: the model's fitted thresholds do not replace it", () => {
    // runCallJob builds per-class settings with the user's threshold in both classes.
    const userByClass = { snv: { ...byClass.snv, minGq: 30 }, indel: { ...byClass.indel, minGq: 30 } };
    const chosen = recordCalibration(learned, modelCall, stat, userByClass, 30);
    expect(chosen.calibration).toBe(own);
    expect(chosen.abstentionByClass).toEqual(userByClass);
  });
});
