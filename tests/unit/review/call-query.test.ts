/**
 * The variant table's filtering, sorting and paging (engine/review/call-query.ts), on a
 * generated 100,000-call run: the semantics the filter controls promise, and the speed that
 * keeps scrolling smooth (a page after the first query is a slice, not a re-sort).
 */
import { describe, expect, it } from 'vitest';
import type { CallSummary } from '../../../app/contract.js';
import { CallIndex, callComparator, callMatcher, variantType } from '../../../engine/review/call-query.js';

function call(id: number, overrides: Partial<CallSummary> = {}): CallSummary {
  return {
    id,
    key: `q:${id + 1}:A:C`,
    contig: 'q',
    pos: id + 1,
    ref: 'A',
    alts: ['C'],
    type: 'snv',
    gt: '0/1',
    gq: 30,
    qual: 100,
    depth: 30,
    filter: 'PASS',
    abstainReason: null,
    modelId: 'stat-diploid/1',
    experts: null,
    verifier: null,
    reviewStatus: 'unreviewed',
    ...overrides,
  };
}

function generated(count: number): CallSummary[] {
  const out: CallSummary[] = [];
  for (let i = 0; i < count; i += 1) {
    const abstain = i % 10 === 0;
    out.push(
      call(i, {
        type: i % 7 === 0 ? 'deletion' : 'snv',
        gq: abstain ? null : i % 99,
        filter: abstain ? 'Abstain' : 'PASS',
        abstainReason: abstain ? (i % 20 === 0 ? 'LOW_DEPTH' : 'REPEAT_CONTEXT') : null,
        experts: i % 3 === 0 ? [{ expert: 'homopolymer', weight: 0.7 }, { expert: 'unique', weight: 0.3 }] : null,
        verifier: i % 3 === 0 ? { kind: i % 6 === 0 ? 'pass' : 'reroute', expert: 'unique' } as CallSummary['verifier'] : null,
      }),
    );
  }
  return out;
}

describe('variant classification', () => {
  it('names SNV, MNV, insertion, deletion and complex as VCF writes them', () => {
    expect(variantType('A', ['G'])).toBe('snv');
    expect(variantType('AC', ['GT'])).toBe('mnv');
    expect(variantType('A', ['AT'])).toBe('insertion');
    expect(variantType('AT', ['A'])).toBe('deletion');
    expect(variantType('CA', ['AA', 'C'])).toBe('complex');
  });
});

describe('filters', () => {
  const calls = generated(1000);
  it('FILTER=Abstain and a reason select the abstentions with that reason', () => {
    const matches = calls.filter(callMatcher({ filters: ['Abstain'], abstainReasons: ['LOW_DEPTH'] }));
    expect(matches.length).toBe(50);
    expect(matches.every((c) => c.filter === 'Abstain' && c.abstainReason === 'LOW_DEPTH')).toBe(true);
  });

  it('a GQ bound excludes no-calls, which have no GQ', () => {
    const matches = calls.filter(callMatcher({ minGq: 90 }));
    expect(matches.every((c) => c.gq !== null && c.gq >= 90)).toBe(true);
    expect(matches.some((c) => c.filter === 'Abstain')).toBe(false);
  });

  it("'none' as expert selects the statistical caller's calls", () => {
    expect(calls.filter(callMatcher({ experts: ['none'] })).every((c) => c.experts === null)).toBe(true);
    expect(calls.filter(callMatcher({ experts: ['homopolymer'] })).length).toBe(334);
  });

  it('verifier and review status filter by kind; empty lists do not filter', () => {
    expect(calls.filter(callMatcher({ verifier: ['none'] })).every((c) => c.verifier === null)).toBe(true);
    expect(calls.filter(callMatcher({ verifier: ['reroute'] })).every((c) => c.verifier?.kind === 'reroute')).toBe(true);
    expect(calls.filter(callMatcher({ types: [], review: [] })).length).toBe(1000);
  });
});

describe('sorting', () => {
  it('sorts GQ with no-calls first ascending and keeps VCF order among ties', () => {
    const sorted = generated(200).sort(callComparator({ key: 'gq', direction: 'asc' }));
    expect(sorted[0]!.gq).toBeNull();
    const thirties = sorted.filter((c) => c.gq === 30).map((c) => c.id);
    expect(thirties).toEqual([...thirties].sort((a, b) => a - b));
    const desc = generated(200).sort(callComparator({ key: 'gq', direction: 'desc' }));
    expect(desc[0]!.gq).toBe(Math.max(...generated(200).map((c) => c.gq ?? -1)));
  });
});

describe('CallIndex at 100,000 calls', () => {
  const index = new CallIndex(generated(100_000));

  it('pages through a filtered, sorted query quickly, and pages after the first are slices', () => {
    let started = performance.now();
    const first = index.query(0, 200, { key: 'gq', direction: 'desc' }, { filters: ['PASS'], types: ['snv'] });
    const firstMs = performance.now() - started;
    expect(first.total).toBe(generated(100_000).filter((c) => c.filter === 'PASS' && c.type === 'snv').length);
    expect(first.rows).toHaveLength(200);
    started = performance.now();
    const deep = index.query(50_000, 200, { key: 'gq', direction: 'desc' }, { filters: ['PASS'], types: ['snv'] });
    const pageMs = performance.now() - started;
    expect(deep.offset).toBe(50_000);
    expect(first.rows[0]!.gq!).toBeGreaterThanOrEqual(deep.rows[0]!.gq!);
    // Generous bounds for a shared CI machine; typical: ~60 ms and ~0.1 ms.
    expect(firstMs).toBeLessThan(1500);
    expect(pageMs).toBeLessThan(20);
  });

  it('caps a page at 1000 rows and counts facets over the whole run', () => {
    const page = index.query(0, 5000);
    expect(page.rows).toHaveLength(1000);
    expect(page.runTotal).toBe(100_000);
    expect(page.facets.filters.find((f) => f.value === 'Abstain')?.count).toBe(10_000);
  });

  it('a review updates the row, the review facet, and orderings that depend on review', () => {
    const before = index.query(0, 10, undefined, { review: ['accepted'] });
    expect(before.total).toBe(0);
    index.setReviewStatus(5, 'accepted');
    const after = index.query(0, 10, undefined, { review: ['accepted'] });
    expect(after.rows.map((r) => r.id)).toEqual([5]);
    expect(after.facets.review.find((f) => f.value === 'accepted')?.count).toBe(1);
  });
});
