/** GQ calibration and risk–coverage: the numbers that tell whether GQ means what it says. */
import { describe, expect, it } from 'vitest';
import { calibration, classMetrics, eceDifferenceInterval, riskCoverage } from '../../../engine/compare/metrics.js';
import type { ScoredAtom, ScoredCall, SitedCall } from '../../../engine/compare/metrics.js';
import { bases, otherBase, runCompare, UNIQUE } from './helpers.js';

describe('classMetrics', () => {
  it('computes precision from calls and recall from truth, as vcfeval does', () => {
    const atom = (side: 'truth' | 'call', matched: boolean): ScoredAtom => ({ side, variantClass: 'SNP', context: 'other', match: matched ? 'genotype' : 'none', depth: null, gq: null });
    const m = classMetrics([atom('truth', true), atom('truth', false), atom('call', true), atom('call', true), atom('call', false)]);
    expect(m).toMatchObject({ truthTotal: 2, tp: 1, fn: 1, callTotal: 3, tpCall: 2, fp: 1 });
    expect(m.precision).toBeCloseTo(2 / 3);
    expect(m.recall).toBeCloseTo(0.5);
    expect(m.f1).toBeCloseTo((2 * (2 / 3) * 0.5) / (2 / 3 + 0.5));
  });
});

describe('calibration', () => {
  it('is perfectly calibrated when one call in ten at GQ 10 is wrong (ECE 0)', () => {
    const calls: ScoredCall[] = Array.from({ length: 10 }, (_, i) => ({ gq: 10, match: i === 0 ? 'none' : 'genotype' }));
    const c = calibration(calls);
    const bin = c.bins.find((b) => b.gqMin === 10)!;
    expect(bin).toMatchObject({ calls: 10 });
    expect(bin.predictedError).toBeCloseTo(0.1);
    expect(bin.observedError).toBeCloseTo(0.1);
    expect(c.expectedCalibrationError).toBeCloseTo(0);
  });

  it('measures over-confidence: GQ 30 calls that are all wrong', () => {
    const c = calibration([
      { gq: 30, match: 'none' },
      { gq: 30, match: 'allele' },
      { gq: null, match: 'genotype' },
    ]);
    expect(c.callsWithGq).toBe(2);
    expect(c.callsWithoutGq).toBe(1);
    expect(c.expectedCalibrationError).toBeCloseTo(1 - 0.001);
  });
});

describe('risk–coverage', () => {
  it('trades recall for precision as the GQ threshold rises', () => {
    const atoms: ScoredAtom[] = [
      { side: 'truth', variantClass: 'SNP', context: 'other', match: 'genotype', depth: null, gq: 50 },
      { side: 'truth', variantClass: 'SNP', context: 'other', match: 'genotype', depth: null, gq: 8 },
      { side: 'call', variantClass: 'SNP', context: 'other', match: 'genotype', depth: null, gq: 50 },
      { side: 'call', variantClass: 'SNP', context: 'other', match: 'genotype', depth: null, gq: 8 },
      { side: 'call', variantClass: 'SNP', context: 'other', match: 'none', depth: null, gq: 3 },
    ];
    const calls: ScoredCall[] = [
      { gq: 50, match: 'genotype' },
      { gq: 8, match: 'genotype' },
      { gq: 3, match: 'none' },
    ];
    const curve = riskCoverage(atoms, calls);
    expect(curve.find((p) => p.minGq === 0)).toMatchObject({ callsKept: 3, recall: 1 });
    expect(curve.find((p) => p.minGq === 0)!.precision).toBeCloseTo(2 / 3);
    expect(curve.find((p) => p.minGq === 5)).toMatchObject({ callsKept: 2, precision: 1, recall: 1 });
    expect(curve.find((p) => p.minGq === 10)).toMatchObject({ callsKept: 1, precision: 1, recall: 0.5 });
  });

  it('carries the GQ of the matching call to the truth variant in a full comparison', async () => {
    const report = await runCompare([[UNIQUE, bases(UNIQUE), otherBase(UNIQUE), '0/1']], [[UNIQUE, bases(UNIQUE), otherBase(UNIQUE), '0/1', { GQ: '25' }]]);
    expect(report.riskCoverage.find((p) => p.minGq === 25)!.recall).toBe(1);
    expect(report.riskCoverage.find((p) => p.minGq === 30)!.recall).toBe(0);
    expect(report.calibration.callsWithGq).toBe(1);
  });
});

describe('eceDifferenceInterval (paired bootstrap over sites)', () => {
  const sited = (n: number, gq: number, wrongAt: ReadonlySet<number>): SitedCall[] =>
    Array.from({ length: n }, (_, i) => ({ site: `20:${i + 1}:A:G`, gq, match: wrongAt.has(i) ? 'none' : 'genotype' }));

  it('identical callsets differ by exactly 0 in every replicate', () => {
    const calls = sited(500, 40, new Set([3]));
    const d = eceDifferenceInterval(calls, calls.map((c) => ({ ...c })))!;
    expect(d).toMatchObject({ difference: 0, low: 0, high: 0, replicates: 2000, level: 0.95 });
  });

  it('one wrong call in 1,000 is not a measurable difference; thirty are', () => {
    const right = sited(1000, 40, new Set());
    const one = eceDifferenceInterval(right, sited(1000, 40, new Set([17])))!;
    // One bin: |1e-4 − 1/1000| against |1e-4 − 0| (GQ 40 predicts 1e-4).
    expect(one.difference).toBeCloseTo(0.001 - 2e-4, 6);
    expect(one.low).toBeLessThanOrEqual(0);
    expect(one.high).toBeGreaterThan(one.difference);
    const many = eceDifferenceInterval(right, sited(1000, 40, new Set(Array.from({ length: 30 }, (_, k) => k * 31))))!;
    expect(many.difference).toBeCloseTo(0.03 - 2e-4, 6);
    expect(many.low).toBeGreaterThan(0.015);
    expect(many.high).toBeLessThan(0.05);
    // Deterministic for a seed.
    expect(eceDifferenceInterval(right, sited(1000, 40, new Set([17])))).toEqual(one);
  });

  it('calls at sites only one callset has are resampled with the shared ones', () => {
    const a = sited(200, 30, new Set());
    const b = [...sited(200, 30, new Set()), { site: '20:9999:C:T', gq: 30, match: 'none' as const }];
    const d = eceDifferenceInterval(a, b)!;
    expect(d.difference).toBeGreaterThan(0);
    expect(eceDifferenceInterval([], [])).toBeNull();
  });
});
