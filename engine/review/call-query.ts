/**
 * Filtering, sorting, paging and facet counts over one run's calls, in memory.
 *
 * Why in memory rather than in SQL: the table asks for a new page on every scroll stop and a
 * new ordering on every filter change; a run's summaries (100,000 rows ≈ tens of MB) sorted
 * once per query and then sliced answer each page in microseconds, where ORDER BY … OFFSET
 * re-sorts the whole run per page. Pure functions, so the table's filtering is unit-tested
 * without a database.
 */
import type {
  CallFilter,
  CallPage,
  CallSort,
  CallSummary,
  FacetCount,
  ReviewStatus,
  VariantType,
  VerifierVerdictKind,
} from '../../app/contract.js';

export const MAX_PAGE_ROWS = 1000;

const TYPE_ORDER: readonly VariantType[] = ['snv', 'mnv', 'insertion', 'deletion', 'complex'];
const VERIFIER_ORDER: readonly VerifierVerdictKind[] = ['none', 'pass', 'reroute', 'abstain'];
const REVIEW_ORDER: readonly ReviewStatus[] = ['unreviewed', 'uncertain', 'accepted', 'rejected'];

export function verifierKind(call: Pick<CallSummary, 'verifier'>): VerifierVerdictKind {
  return call.verifier ? call.verifier.kind : 'none';
}

/** Classifies REF/ALT as VCF writes them (indels keep the padding base). */
export function variantType(ref: string, alts: readonly string[]): VariantType {
  const kinds = new Set<VariantType>();
  for (const alt of alts) {
    if (alt === '*' || alt === '.' || alt.startsWith('<')) continue;
    if (alt.length === ref.length) kinds.add(ref.length === 1 ? 'snv' : 'mnv');
    else if (ref.length === 1 && alt.length > 1 && alt[0] === ref[0]) kinds.add('insertion');
    else if (alt.length === 1 && ref.length > 1 && alt[0] === ref[0]) kinds.add('deletion');
    else kinds.add('complex');
  }
  if (kinds.size === 1) return [...kinds][0]!;
  return kinds.size === 0 ? (ref.length === 1 ? 'snv' : 'complex') : 'complex';
}

function nonEmpty<T>(list: readonly T[] | undefined): list is readonly T[] {
  return list !== undefined && list.length > 0;
}

/** A predicate for the filter; fields that are absent or empty do not filter. */
export function callMatcher(filter: CallFilter | undefined): (call: CallSummary) => boolean {
  if (!filter) return () => true;
  const types = nonEmpty(filter.types) ? new Set(filter.types) : null;
  const filters = nonEmpty(filter.filters) ? new Set(filter.filters) : null;
  const reasons = nonEmpty(filter.abstainReasons) ? new Set(filter.abstainReasons) : null;
  const experts = nonEmpty(filter.experts) ? new Set(filter.experts) : null;
  const verifier = nonEmpty(filter.verifier) ? new Set(filter.verifier) : null;
  const review = nonEmpty(filter.review) ? new Set(filter.review) : null;
  const minGq = typeof filter.minGq === 'number' && Number.isFinite(filter.minGq) ? filter.minGq : null;
  const maxGq = typeof filter.maxGq === 'number' && Number.isFinite(filter.maxGq) ? filter.maxGq : null;
  const contig = filter.contig && filter.contig.length > 0 ? filter.contig : null;
  return (call) => {
    if (types && !types.has(call.type)) return false;
    if (filters && !filters.has(call.filter)) return false;
    if (reasons && (call.abstainReason === null || !reasons.has(call.abstainReason))) return false;
    if (experts) {
      const ids = call.experts && call.experts.length > 0 ? call.experts.map((e) => e.expert) : ['none'];
      if (!ids.some((id) => experts.has(id))) return false;
    }
    if (verifier && !verifier.has(verifierKind(call))) return false;
    if (review && !review.has(call.reviewStatus)) return false;
    // A no-call has no GQ: a GQ bound excludes it, as "GQ ≥ 20" cannot be true of it.
    if (minGq !== null && (call.gq === null || call.gq < minGq)) return false;
    if (maxGq !== null && (call.gq === null || call.gq > maxGq)) return false;
    if (contig !== null && call.contig !== contig) return false;
    return true;
  };
}

function nullableNumber(a: number | null, b: number | null): number {
  // Missing values sort first ascending (they are the least), last descending.
  if (a === b) return 0;
  if (a === null) return -1;
  if (b === null) return 1;
  return a - b;
}

/** Compares by the sort key; ties keep VCF order (the id), so paging is deterministic. */
export function callComparator(sort: CallSort | undefined): (a: CallSummary, b: CallSummary) => number {
  const key = sort?.key ?? 'position';
  const sign = sort?.direction === 'desc' ? -1 : 1;
  const primary = (a: CallSummary, b: CallSummary): number => {
    switch (key) {
      case 'position':
        return a.id - b.id;
      case 'type':
        return TYPE_ORDER.indexOf(a.type) - TYPE_ORDER.indexOf(b.type);
      case 'gq':
        return nullableNumber(a.gq, b.gq);
      case 'qual':
        return nullableNumber(a.qual, b.qual);
      case 'depth':
        return a.depth - b.depth;
      case 'filter':
        return a.filter < b.filter ? -1 : a.filter > b.filter ? 1 : 0;
      case 'verifier':
        return VERIFIER_ORDER.indexOf(verifierKind(a)) - VERIFIER_ORDER.indexOf(verifierKind(b));
      case 'review':
        return REVIEW_ORDER.indexOf(a.reviewStatus) - REVIEW_ORDER.indexOf(b.reviewStatus);
    }
  };
  return (a, b) => primary(a, b) * sign || a.id - b.id;
}

function countBy(calls: readonly CallSummary[], valuesOf: (call: CallSummary) => readonly string[]): FacetCount[] {
  const counts = new Map<string, number>();
  for (const call of calls) for (const value of valuesOf(call)) counts.set(value, (counts.get(value) ?? 0) + 1);
  return [...counts].map(([value, count]) => ({ value, count })).sort((a, b) => b.count - a.count || (a.value < b.value ? -1 : 1));
}

export function callFacets(calls: readonly CallSummary[]): CallPage['facets'] {
  return {
    types: countBy(calls, (c) => [c.type]),
    filters: countBy(calls, (c) => [c.filter]),
    abstainReasons: countBy(calls, (c) => (c.abstainReason ? [c.abstainReason] : [])),
    experts: countBy(calls, (c) => (c.experts && c.experts.length > 0 ? c.experts.map((e) => e.expert) : ['none'])),
    verifier: countBy(calls, (c) => [verifierKind(c)]),
    review: countBy(calls, (c) => [c.reviewStatus]),
  };
}

/**
 * One run's calls with the ordering of the last query kept, so that scrolling (same filter
 * and sort, another offset) costs a slice. Reviews change a row in place; when the active
 * filter or sort depends on review status, the ordering is recomputed at the next query.
 */
export class CallIndex {
  private readonly calls: CallSummary[];
  private readonly byId = new Map<number, CallSummary>();
  private orderingKey: string | null = null;
  private ordering: CallSummary[] = [];
  private facets: CallPage['facets'] | null = null;

  constructor(calls: CallSummary[]) {
    this.calls = calls;
    for (const call of calls) this.byId.set(call.id, call);
  }

  get size(): number {
    return this.calls.length;
  }

  get(id: number): CallSummary | undefined {
    return this.byId.get(id);
  }

  setReviewStatus(id: number, status: ReviewStatus): CallSummary | undefined {
    const call = this.byId.get(id);
    if (!call) return undefined;
    call.reviewStatus = status;
    this.facets = null;
    // Orderings that look at review status are stale now; others are not.
    if (this.orderingKey !== null && this.orderingKey.includes('"review"')) this.orderingKey = null;
    return call;
  }

  query(offset: number, limit: number, sort?: CallSort, filter?: CallFilter): CallPage {
    const key = JSON.stringify({ sort: sort ?? null, filter: filter ?? null });
    if (key !== this.orderingKey) {
      const matches = callMatcher(filter);
      this.ordering = this.calls.filter(matches).sort(callComparator(sort));
      this.orderingKey = key;
    }
    this.facets ??= callFacets(this.calls);
    const start = Math.max(0, Math.min(Math.floor(offset), this.ordering.length));
    const count = Math.max(0, Math.min(Math.floor(limit), MAX_PAGE_ROWS));
    return {
      total: this.ordering.length,
      runTotal: this.calls.length,
      offset: start,
      // Copies, so a later review does not change a page already handed out.
      rows: this.ordering.slice(start, start + count).map((c) => ({ ...c })),
      facets: this.facets,
    };
  }
}
