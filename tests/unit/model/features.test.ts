/**
 * The channel layout is the contract between the caller's pileup and every trained checkpoint,
 * so its encoding is pinned value by value, and the reverse-complement transform used for
 * augmentation is checked against encoding the reverse-complemented evidence directly.
 */
import { describe, expect, it } from 'vitest';
import {
  alternateAllele, CHANNEL_INDEX, emptyAlleleCounts, encodeTile, FEATURE_CHANNELS, FEATURE_COUNT, homopolymerRuns,
  reverseComplementTile, type Base, type PileupColumnEvidence, type ReferenceBase,
} from '../../../engine/model/features.js';
import { SeededRandom } from '../../../engine/util/seeded-random.js';

function column(position: number, refBase: ReferenceBase, overrides: Partial<PileupColumnEvidence> = {}): PileupColumnEvidence {
  return {
    position, refBase, forward: emptyAlleleCounts(), reverse: emptyAlleleCounts(),
    refMeanBaseQuality: 30, altMeanBaseQuality: 20, refMeanMappingQuality: 60, altMeanMappingQuality: 30,
    refNearReadEndFraction: 0.1, altNearReadEndFraction: 0.5, lowMappingQualityFraction: 0.05, platform: 'illumina',
    ...overrides,
  };
}

describe('feature encoding', () => {
  it('has unique channel names and a fixed count', () => {
    expect(new Set(FEATURE_CHANNELS).size).toBe(FEATURE_COUNT);
    expect(FEATURE_COUNT).toBe(41);
  });

  it('encodes one column channel by channel', () => {
    const c = column(100, 'C', {
      forward: { A: 0, C: 6, G: 0, T: 2, del: 0, ins: 1 },
      reverse: { A: 0, C: 4, G: 0, T: 3, del: 1, ins: 0 },
      platform: 'ont',
    });
    const f = encodeTile([c]);
    const at = (name: (typeof FEATURE_CHANNELS)[number]): number => f[CHANNEL_INDEX[name]]!;
    expect(at('ref_C')).toBe(1);
    expect(at('ref_A') + at('ref_G') + at('ref_T') + at('ref_N')).toBe(0);
    // depth = 8 forward + 8 reverse (insertions are between bases, not extra reads)
    expect(at('fwd_C')).toBeCloseTo(6 / 16, 6);
    expect(at('rev_T')).toBeCloseTo(3 / 16, 6);
    expect(at('rev_del')).toBeCloseTo(1 / 16, 6);
    expect(at('fwd_ins')).toBeCloseTo(1 / 16, 6);
    expect(at('ref_base_quality')).toBeCloseTo(30 / 40, 6);
    expect(at('alt_mapping_quality')).toBeCloseTo(0.5, 6);
    expect(at('log_depth')).toBeCloseTo(Math.log1p(16) / Math.log1p(1000), 6);
    expect(at('forward_strand_fraction')).toBeCloseTo(0.5, 6);
    expect(at('alt_near_read_end')).toBeCloseTo(0.5, 6);
    expect(at('platform_ont')).toBe(1);
    expect(at('platform_illumina')).toBe(0);
    expect(alternateAllele(c)).toBe('T');
    expect(alternateAllele({ ...c, altAllele: 'del' })).toBe('del');
  });

  it('computes homopolymer runs and local GC from the tile reference', () => {
    const bases: ReferenceBase[] = ['A', 'A', 'A', 'A', 'C', 'G', 'N', 'N', 'T'];
    expect([...homopolymerRuns(bases)]).toEqual([4, 4, 4, 4, 1, 1, 1, 1, 1]);
    const f = encodeTile(bases.map((b, i) => column(i, b)));
    expect(f[CHANNEL_INDEX.homopolymer_run]).toBeCloseTo(0.5, 6); // log2(4)/4
    expect(f[4 * FEATURE_COUNT + CHANNEL_INDEX.homopolymer_run]).toBe(0);
    // GC over the 7 called bases of the ±10 window: C and G.
    expect(f[CHANNEL_INDEX.local_gc]).toBeCloseTo(2 / 7, 6);
  });

  it('refuses columns that are not consecutive', () => {
    expect(() => encodeTile([column(5, 'A'), column(7, 'C')])).toThrow(/consecutive positions; 5 is followed by 7/);
  });

  it('reverse complement of the encoding equals the encoding of the reverse-complemented evidence', () => {
    const random = new SeededRandom(9);
    const complement: Record<Base, Base> = { A: 'T', C: 'G', G: 'C', T: 'A' };
    const bases: Base[] = ['A', 'C', 'G', 'T'];
    const columns: PileupColumnEvidence[] = [];
    for (let i = 0; i < 40; i++) {
      const counts = () => ({ A: random.int(5), C: random.int(5), G: random.int(5), T: random.int(5), del: random.int(2), ins: 0 });
      columns.push(column(i, bases[random.int(4)]!, { forward: counts(), reverse: counts(), refMeanBaseQuality: random.uniform(10, 40) }));
    }
    const rc = columns
      .map((c, i): PileupColumnEvidence => {
        const flip = (x: PileupColumnEvidence['forward']) => ({ A: x.T, C: x.G, G: x.C, T: x.A, del: x.del, ins: x.ins });
        return { ...c, position: columns.length - 1 - i, refBase: complement[c.refBase as Base], forward: flip(c.reverse), reverse: flip(c.forward) };
      })
      .reverse();
    const direct = encodeTile(rc);
    const transformed = reverseComplementTile(encodeTile(columns), columns.length);
    for (let i = 0; i < direct.length; i++) expect(transformed[i]).toBeCloseTo(direct[i]!, 5);
    // And it is an involution.
    const twice = reverseComplementTile(transformed, columns.length);
    const encoded = encodeTile(columns);
    for (let i = 0; i < encoded.length; i++) expect(twice[i]).toBeCloseTo(encoded[i]!, 6);
  });
});
