/**
 * The verifier's verdict goes into the VCF and the provenance, and each rule stands for an
 * abstention reason a user reads, so every decision is pinned: a clean call passes, each hard
 * evidence rule abstains with its own reason, consistency failures re-route once when another
 * expert passes and abstain otherwise, and the re-route prefers the context's expert.
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_VERIFIER_CONFIG, gqOf, jensenShannon, verifyCall, type VerifierEvidence, type Posterior } from '../../../engine/model/verifier.js';

const HET: Posterior = [0.01, 0.98, 0.01];
const HOM_REF: Posterior = [0.98, 0.01, 0.01];
const HOM_ALT: Posterior = [0.01, 0.01, 0.98];
const UNSURE: Posterior = [0.4, 0.45, 0.15];

/** A clean heterozygous SNV at 30×: 15 ref, 15 alt, both strands, good MAPQ. */
function evidence(overrides: Partial<VerifierEvidence> = {}): VerifierEvidence {
  return {
    posterior: HET,
    usedExperts: [0, 3],
    expertPosteriors: [HET, HOM_REF, HOM_ALT, HET],
    depth: 30,
    meanMappingQuality: 60,
    mapq0Fraction: 0,
    refForward: 8,
    refReverse: 7,
    altForward: 7,
    altReverse: 8,
    isIndel: false,
    repeatLength: 1,
    ...overrides,
  };
}

describe('verifier', () => {
  it('passes a clean, confident, consistent call', () => {
    const out = verifyCall(evidence());
    expect(out.verdict).toEqual({ kind: 'pass' });
    expect(out.genotype).toBe(1);
    expect(out.reroutedTo).toBeNull();
    expect(out.gq).toBeCloseTo(gqOf(HET), 6);
  });

  it('abstains on low depth, whatever the model says', () => {
    const out = verifyCall(evidence({ depth: 2, refForward: 1, refReverse: 0, altForward: 1, altReverse: 0 }));
    expect(out.verdict).toMatchObject({ kind: 'abstain', reason: 'LOW_DEPTH' });
    expect(out.reroutedTo).toBeNull();
  });

  it('abstains on low mapping quality (mean or MAPQ-0 fraction)', () => {
    expect(verifyCall(evidence({ meanMappingQuality: 8 })).verdict).toMatchObject({ kind: 'abstain', reason: 'LOW_MAPQ' });
    expect(verifyCall(evidence({ mapq0Fraction: 0.7 })).verdict).toMatchObject({ kind: 'abstain', reason: 'LOW_MAPQ' });
  });

  it('abstains on strand bias of a variant call, not of a reference call', () => {
    const oneStrand = { refForward: 15, refReverse: 15, altForward: 15, altReverse: 0 };
    expect(verifyCall(evidence(oneStrand)).verdict).toMatchObject({ kind: 'abstain', reason: 'STRAND_BIAS' });
    // A hom-ref call with the same reads is not a strand-bias problem (allele balance is checked separately).
    const refCall = verifyCall(evidence({ ...oneStrand, refForward: 30, refReverse: 30, posterior: HOM_REF, expertPosteriors: [HOM_REF, HOM_REF, HOM_REF, HOM_REF] }));
    expect(refCall.verdict).toEqual({ kind: 'pass' });
  });

  it('abstains when confident platforms disagree', () => {
    const out = verifyCall(evidence({ platformGenotypes: [{ platform: 'illumina', genotype: 1, gq: 40 }, { platform: 'ont', genotype: 0, gq: 30 }] }));
    expect(out.verdict).toMatchObject({ kind: 'abstain', reason: 'PLATFORM_CONFLICT' });
    // An unconfident platform does not count as disagreeing.
    const weak = verifyCall(evidence({ platformGenotypes: [{ platform: 'illumina', genotype: 1, gq: 40 }, { platform: 'ont', genotype: 0, gq: 3 }] }));
    expect(weak.verdict).toEqual({ kind: 'pass' });
  });

  it('re-routes an allele-balance conflict to an expert whose genotype fits the reads', () => {
    // 28 alt, 2 ref reads: a het call does not fit; expert 2 says hom-alt and fits.
    const out = verifyCall(evidence({ refForward: 1, refReverse: 1, altForward: 14, altReverse: 14 }));
    expect(out.verdict).toMatchObject({ kind: 'reroute', expert: 2 });
    expect(out.genotype).toBe(2);
    expect(out.posterior).toEqual(HOM_ALT);
    expect(out.reroutedTo).toBe(2);
    expect(out.findings[0]).toMatch(/^ALLELE_BALANCE/);
  });

  it('abstains on allele balance when no other expert fits either', () => {
    const out = verifyCall(evidence({ refForward: 1, refReverse: 1, altForward: 14, altReverse: 14, expertPosteriors: [HET, HOM_REF, HET, HET] }));
    expect(out.verdict).toMatchObject({ kind: 'abstain', reason: 'ALLELE_BALANCE' });
    expect(out.reroutedTo).toBeNull();
  });

  it('re-routes when the used experts disagree, preferring the context expert', () => {
    // Experts 0 and 3 were used and disagree (het vs hom-ref); experts 1 and 2 are unused.
    const disagreeing = { usedExperts: [0, 3], expertPosteriors: [HET, HET, [0.02, 0.97, 0.01], HOM_REF] as Posterior[] };
    const byConfidence = verifyCall(evidence(disagreeing));
    expect(byConfidence.verdict).toMatchObject({ kind: 'reroute', expert: 1 });
    const byContext = verifyCall(evidence({ ...disagreeing, contextExpert: 2 }));
    expect(byContext.verdict).toMatchObject({ kind: 'reroute', expert: 2 });
    expect(byContext.findings[0]).toMatch(/experts disagree/);
  });

  it('does not count two unsure experts either side of a boundary as disagreeing', () => {
    const leansHet: Posterior = [0.45, 0.5, 0.05];
    const leansRef: Posterior = [0.5, 0.45, 0.05];
    const out = verifyCall(evidence({ posterior: [0.47, 0.48, 0.05], usedExperts: [0, 1], expertPosteriors: [leansHet, leansRef, UNSURE, UNSURE] }));
    expect(out.findings.some((f) => f.includes('disagree'))).toBe(false);
    expect(out.verdict).toMatchObject({ kind: 'abstain', reason: 'MODEL_UNCERTAIN' });
  });

  it('abstains as model-uncertain when confidence is low and no expert is confident', () => {
    const out = verifyCall(evidence({ posterior: UNSURE, usedExperts: [0], expertPosteriors: [UNSURE, UNSURE, UNSURE, UNSURE] }));
    expect(out.verdict).toMatchObject({ kind: 'abstain', reason: 'MODEL_UNCERTAIN' });
    expect(out.gq).toBeLessThan(DEFAULT_VERIFIER_CONFIG.minGq);
  });

  it('holds indels in repeats to the stricter repeat GQ', () => {
    const moderate: Posterior = [0.03, 0.95, 0.02]; // GQ 13: enough elsewhere, not in a repeat
    const repeatIndel = evidence({ posterior: moderate, usedExperts: [0], expertPosteriors: [moderate, moderate, moderate, moderate], isIndel: true, repeatLength: 9 });
    expect(verifyCall(repeatIndel).verdict).toMatchObject({ kind: 'abstain', reason: 'REPEAT_CONTEXT' });
    expect(verifyCall({ ...repeatIndel, repeatLength: 2 }).verdict).toEqual({ kind: 'pass' });
    expect(verifyCall({ ...repeatIndel, isIndel: false }).verdict).toEqual({ kind: 'pass' });
  });

  it('never re-routes more than once and never to an expert already used', () => {
    for (let seed = 0; seed < 200; seed++) {
      const posteriors: Posterior[] = [0, 1, 2, 3].map((k) => {
        const a = ((seed * 7 + k * 13) % 10) + 1;
        const b = ((seed * 3 + k * 5) % 10) + 1;
        const c = ((seed * 11 + k * 2) % 10) + 1;
        return [a / (a + b + c), b / (a + b + c), c / (a + b + c)];
      });
      const used = [seed % 4, (seed + 1) % 4];
      const out = verifyCall(evidence({ posterior: posteriors[used[0]!]!, usedExperts: used, expertPosteriors: posteriors, altForward: seed % 16, altReverse: (seed * 5) % 16 }));
      if (out.reroutedTo !== null) expect(used).not.toContain(out.reroutedTo);
      expect(out.findings.filter((f) => f.startsWith('after re-route')).length).toBeLessThanOrEqual(3);
      expect(['pass', 'reroute', 'abstain']).toContain(out.verdict.kind);
    }
  });

  it('measures disagreement as Jensen–Shannon divergence in bits', () => {
    expect(jensenShannon(HET, HET)).toBeCloseTo(0, 9);
    expect(jensenShannon([1, 0, 0], [0, 1, 0])).toBeCloseTo(1, 9);
  });
});
