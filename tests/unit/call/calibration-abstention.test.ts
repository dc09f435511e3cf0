/**
 * The calibration and abstention logic on fixtures with known answers: a Platt fit must
 * turn an overconfident score into GQs whose error rate matches what they claim, the
 * threshold must be the smallest reaching the target precision, and each abstention rule
 * must fire on the evidence it describes (and not on clean evidence).
 */
import { describe, expect, it } from 'vitest';
import { calibratedError, calibrateGq, chooseThreshold, fitPlatt, type CalibrationModel } from '../../../engine/call/calibration.js';
import { binomialTailPhred, decideAbstention, readBiasPenaltyPhred, strandBiasPhred } from '../../../engine/call/abstention.js';
import { loadPlatformPreset, validateCallerConfig, loadCallerConfig } from '../../../engine/call/config.js';
import type { LocusGenotype } from '../../../engine/call/genotyper.js';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { readFileSync } from 'node:fs';
import { seededRandom } from '../../../engine/util/seeded-random.js';

/**
 * Calls from a model whose raw GQ claims far more than it has: the true error falls as a
 * power of the raw GQ, σ(1 − 1.5·ln(1 + raw)), as on the benchmark's training regions.
 */
function overconfidentSamples(n: number, seed: number): { rawGq: number; wrong: boolean }[] {
  const random = seededRandom(seed);
  return Array.from({ length: n }, () => {
    const rawGq = Math.round(random() * 200);
    return { rawGq, wrong: random() < 1 / (1 + Math.exp(-(1 - 1.5 * Math.log1p(rawGq)))) };
  });
}

/** Expected calibration error over GQ bins of width 5, as the comparator computes it. */
function ece(samples: { gq: number; wrong: boolean }[]): number {
  const bins = new Map<number, { n: number; predicted: number; wrong: number }>();
  for (const s of samples) {
    const b = Math.floor(s.gq / 5);
    const bin = bins.get(b) ?? { n: 0, predicted: 0, wrong: 0 };
    bin.n++;
    bin.predicted += 10 ** (-s.gq / 10);
    bin.wrong += s.wrong ? 1 : 0;
    bins.set(b, bin);
  }
  let total = 0;
  for (const bin of bins.values()) total += (bin.n / samples.length) * Math.abs(bin.predicted / bin.n - bin.wrong / bin.n);
  return total;
}

describe('GQ calibration', () => {
  it('recovers intercept and slope of an overconfident model', () => {
    const fit = fitPlatt(overconfidentSamples(20000, 1));
    expect(fit.slope).toBeGreaterThan(-1.7);
    expect(fit.slope).toBeLessThan(-1.3);
    expect(Math.abs(fit.intercept - 1)).toBeLessThan(0.5);
  });

  it('makes an overconfident model honest on held-out data (ECE falls several-fold)', () => {
    const train = overconfidentSamples(20000, 2);
    const test = overconfidentSamples(20000, 3);
    const model: CalibrationModel = {
      schema: 'genomaic.call-calibration/2',
      platform: 'illumina',
      method: 'platt-log-rawgq',
      fittedOn: { description: 'test', date: '2025-01-01', codeVersion: 'test', command: 'test', data: {} },
      classes: { snv: fitPlatt(train), indel: { intercept: 0, slope: -1, calls: 0, errors: 0 } },
    };
    const raw = test.map((s) => ({ gq: s.rawGq, wrong: s.wrong }));
    const calibrated = test.map((s) => ({ gq: calibrateGq(model, 'snv', s.rawGq), wrong: s.wrong }));
    expect(ece(raw)).toBeGreaterThan(0.01);
    expect(ece(calibrated)).toBeLessThan(ece(raw) / 3);
    // Without a model the raw GQ stands, capped at 99.
    expect(calibrateGq(null, 'snv', 37.4)).toBe(37);
    expect(calibrateGq(null, 'snv', 412)).toBe(99);
  });

  it('is smooth and monotone, so GQ keeps spreading with evidence beyond raw GQ 99', () => {
    const params = { intercept: 1, slope: -1.5, calls: 0, errors: 0 };
    let previous = 1;
    for (let raw = 0; raw <= 1000; raw += 5) {
      const e = calibratedError(params, raw);
      expect(e).toBeLessThanOrEqual(previous);
      previous = e;
    }
    const model: CalibrationModel = {
      schema: 'genomaic.call-calibration/2',
      platform: 'illumina',
      method: 'platt-log-rawgq',
      fittedOn: { description: 'test', date: '2025-01-01', codeVersion: 'test', command: 'test', data: {} },
      classes: { snv: params, indel: params },
    };
    // Raw GQ 150 and 300 (both "99" before) now differ; a raw GQ 8 call stays a low-GQ call.
    expect(calibrateGq(model, 'snv', 300)).toBeGreaterThan(calibrateGq(model, 'snv', 150));
    expect(calibrateGq(model, 'snv', 8)).toBeLessThanOrEqual(10);
  });

  it('chooses the smallest GQ threshold whose kept calls reach the target precision', () => {
    const samples = [
      ...Array.from({ length: 10 }, () => ({ gq: 5, wrong: true })),
      ...Array.from({ length: 90 }, () => ({ gq: 5, wrong: false })),
      ...Array.from({ length: 2 }, () => ({ gq: 15, wrong: true })),
      ...Array.from({ length: 398 }, () => ({ gq: 15, wrong: false })),
      ...Array.from({ length: 500 }, () => ({ gq: 40, wrong: false })),
    ];
    // All: 12/1000 wrong (0.988); GQ ≥ 6: 2/900 (0.9978).
    expect(chooseThreshold(samples, 0.99)).toEqual({ minGq: 6, precision: 1 - 2 / 900, coverage: 0.9 });
    // Never below MIN_CREDIBLE_GQ (3): a coin-flip genotype is not a call.
    expect(chooseThreshold(samples, 0.98).minGq).toBe(3);
    expect(chooseThreshold(samples, 1).minGq).toBe(16);
  });
});

function locus(overrides: Omit<Partial<LocusGenotype>, 'evidence'> & { evidence?: Partial<LocusGenotype['evidence']> }): LocusGenotype {
  const base: LocusGenotype = {
    pos: 100,
    ref: 'A',
    alts: ['G'],
    genotype: [0, 1],
    posterior: 0.999,
    rawGq: 30,
    qual: 100,
    pl: [100, 0, 100],
    alleleDepths: [15, 15],
    support: [],
    evidence: { depth: 30, refForward: 8, refReverse: 7, altForward: [7], altReverse: [8], uninformative: 0, meanMapq: 60, mapq0Fraction: 0, repeatLength: 1, repeatUnit: 'A', readPositionBias: 0, mismatchBias: 0 },
    candidates: [],
    method: 'pileup',
    excessAlleles: 0,
    readsAgainstGenotype: 0,
  };
  return { ...base, ...overrides, evidence: { ...base.evidence, ...overrides.evidence } };
}

describe('abstention rules', () => {
  const config = loadPlatformPreset('illumina').abstention;

  it('calls clean evidence and abstains below the GQ threshold as MODEL_UNCERTAIN', () => {
    expect(decideAbstention(locus({}), 30, config).reason).toBeNull();
    expect(decideAbstention(locus({}), config.minGq - 1, config).reason).toBe('MODEL_UNCERTAIN');
    // With thresholds off (calibration fitting), only hard rules abstain.
    expect(decideAbstention(locus({}), 0, config, true).reason).toBeNull();
  });

  it('LOW_DEPTH and LOW_MAPQ hold whatever the GQ', () => {
    expect(decideAbstention(locus({ evidence: { depth: 2 } }), 99, config).reason).toBe('LOW_DEPTH');
    expect(decideAbstention(locus({ evidence: { meanMapq: 8 } }), 99, config).reason).toBe('LOW_MAPQ');
    expect(decideAbstention(locus({ evidence: { mapq0Fraction: 0.8 } }), 99, config).reason).toBe('LOW_MAPQ');
  });

  it('STRAND_BIAS: alt on one strand while ref is on both (Fisher exact, as GATK FS)', () => {
    // Fisher two-sided p for [[3,1],[1,3]] is 0.486 → Phred 3.1.
    expect(strandBiasPhred(3, 1, 1, 3)).toBeCloseTo(-10 * Math.log10(0.4857), 1);
    expect(strandBiasPhred(10, 10, 0, 0)).toBe(0);
    const biased = locus({ evidence: { refForward: 22, refReverse: 5, altForward: [0], altReverse: [9] }, alleleDepths: [27, 9] });
    expect(decideAbstention(biased, 60, config).reason).toBe('STRAND_BIAS');
  });

  it('ALLELE_BALANCE: a het split too lopsided for 50:50, or ref reads under a hom-alt', () => {
    // P(X ≤ 7 | n = 34, ½) ≈ 8e-4 → Phred ≈ 31.
    expect(binomialTailPhred(7, 34)).toBeGreaterThan(30);
    expect(binomialTailPhred(12, 30)).toBeLessThan(10);
    expect(decideAbstention(locus({ alleleDepths: [27, 7] }), 60, config).reason).toBe('ALLELE_BALANCE');
    expect(decideAbstention(locus({ genotype: [1, 1], alleleDepths: [12, 18] }), 60, config).reason).toBe('ALLELE_BALANCE');
  });

  it('CONFLICTING_EVIDENCE when more alleles are strongly supported than a diploid holds', () => {
    expect(decideAbstention(locus({ alts: ['G', 'T'], alleleDepths: [10, 10, 10], excessAlleles: 1, pl: [1, 1, 1, 1, 1, 1] }), 60, config).reason).toBe('CONFLICTING_EVIDENCE');
  });

  it('QUAL gates PASS too: a doubtful variant does not pass on a high GQ (the demo\'s q:2,348 case)', () => {
    // QUAL 7.7 = 17 % chance there is no variant at all, whatever the genotype's GQ says.
    expect(decideAbstention(locus({ qual: 7.7 }), 32, config).reason).toBe('MODEL_UNCERTAIN');
    expect(decideAbstention(locus({ qual: config.minQual }), 32, config).reason).toBeNull();
    // A hom-ref locus has no variant to gate.
    expect(decideAbstention(locus({ genotype: [0, 0], qual: 0 }), 32, config).reason).toBeNull();
  });

  it('READ_POSITION_BIAS: alt only near read ends, or only on reads dirty elsewhere', () => {
    expect(decideAbstention(locus({ evidence: { readPositionBias: 35 } }), 60, config).reason).toBe('READ_POSITION_BIAS');
    expect(decideAbstention(locus({ evidence: { mismatchBias: 35 } }), 60, config).reason).toBe('READ_POSITION_BIAS');
    expect(decideAbstention(locus({ evidence: { readPositionBias: 10, mismatchBias: 10 } }), 60, config).reason).toBeNull();
  });

  it('read-placement evidence lowers QUAL by its largest Bayes factor before the QUAL gate', () => {
    // p ≥ 1/e carries no evidence; the demo's q:2,348 on bwa's BAM (QUAL 23, MMB 21) falls below 20.
    expect(readBiasPenaltyPhred({ readPositionBias: 3, mismatchBias: 0 })).toBe(0);
    expect(readBiasPenaltyPhred({ readPositionBias: 0, mismatchBias: 20.7 })).toBeGreaterThan(6);
    expect(decideAbstention(locus({ qual: 23.25, evidence: { mismatchBias: 20.7 } }), 15, config).reason).toBe('MODEL_UNCERTAIN');
    // A strong variant barely notices the same evidence.
    expect(decideAbstention(locus({ qual: 300, evidence: { mismatchBias: 20.7 } }), 40, config).reason).toBeNull();
  });

  it('REPEAT_CONTEXT: an indel in a long repeat needs the stricter repeat threshold', () => {
    const indel = locus({ ref: 'GA', alts: ['G'], evidence: { repeatLength: 14, repeatUnit: 'A' } });
    const strict = { ...config, repeatMinGq: 40, minGq: 10 };
    expect(decideAbstention(indel, 30, strict).reason).toBe('REPEAT_CONTEXT');
    expect(decideAbstention(indel, 45, strict).reason).toBeNull();
    // An SNV in the same repeat is not held to it.
    expect(decideAbstention(locus({ evidence: { repeatLength: 14 } }), 30, strict).reason).toBeNull();
  });
});

describe('caller presets', () => {
  it('load and validate for every platform', () => {
    for (const p of ['illumina', 'hifi', 'ont'] as const) expect(loadPlatformPreset(p).platform).toBe(p);
  });

  it('name the file and the key of a bad setting', () => {
    const dir = mkdtempSync(join(tmpdir(), 'genomaic-config-'));
    const good = parse(readFileSync(join(process.cwd(), 'configs/call/illumina.yaml'), 'utf8')) as Record<string, unknown>;
    const path = join(dir, 'bad.yaml');
    writeFileSync(path, 'platform: illumina\nminBaseQuality: high\n');
    expect(() => loadCallerConfig(path)).toThrow(`${path}: minBaseQuality: expected a number`);
    expect(() => validateCallerConfig({ ...good, flank: 0 }, 'p.yaml')).toThrow('p.yaml: flank: 0 is outside 1..500');
    expect(() => validateCallerConfig({ ...good, abstention: { ...(good.abstention as object), minGQ: 3 } }, 'p.yaml')).toThrow('p.yaml: abstention.minGQ: unknown setting');
    expect(() => validateCallerConfig({ ...good, platform: 'sanger' }, 'p.yaml')).toThrow('p.yaml: platform: must be one of illumina, hifi, ont');
    expect(() => validateCallerConfig({ ...good, learnedClasses: ['snv', 'mnv'] }, 'p.yaml')).toThrow('p.yaml: learnedClasses: expected a list of distinct classes from snv, indel');
    expect(() => validateCallerConfig({ ...good, learnedClasses: 'snv' }, 'p.yaml')).toThrow('p.yaml: learnedClasses');
  });

  it('say which classes the learned genotyper takes: ONT indels stay statistical', () => {
    expect(loadPlatformPreset('illumina').learnedClasses).toEqual(['snv', 'indel']);
    expect(loadPlatformPreset('hifi').learnedClasses).toEqual(['snv', 'indel']);
    expect(loadPlatformPreset('ont').learnedClasses).toEqual(['snv']);
  });
});
