import { useId } from 'react';
import type { CallFilter, FacetCount, ReviewStatus, VariantType, VerifierVerdictKind } from '../../../../app/contract.ts';
import { useReview } from '../../store/ReviewStoreContext.js';
import { filterIsActive } from '../../store/reviewStore.js';
import { formatInteger } from '../../format/numbers.js';
import { REVIEW_STATUS_LABEL, VARIANT_TYPE_LABEL, VERIFIER_LABEL } from './reviewLabels.js';

type ListKey = 'types' | 'filters' | 'abstainReasons' | 'experts' | 'verifier' | 'review';

function labelFor(key: ListKey, value: string): string {
  if (key === 'types') return VARIANT_TYPE_LABEL[value as VariantType] ?? value;
  if (key === 'review') return REVIEW_STATUS_LABEL[value as ReviewStatus] ?? value;
  if (key === 'verifier') return VERIFIER_LABEL[value as VerifierVerdictKind] ?? value;
  if (key === 'experts' && value === 'none') return 'No experts (statistical)';
  return value;
}

function toggled(list: readonly string[] | undefined, value: string): string[] {
  const current = list ?? [];
  return current.includes(value) ? current.filter((v) => v !== value) : [...current, value];
}

function FacetGroup({ title, listKey, facets, filter }: { title: string; listKey: ListKey; facets: FacetCount[]; filter: CallFilter }) {
  const setFilter = useReview((s) => s.setFilter);
  const chosen = (filter[listKey] as readonly string[] | undefined) ?? [];
  if (facets.length === 0) return null;
  return (
    <fieldset className="facet-group" data-testid={`facet-${listKey}`}>
      <legend>{title}</legend>
      {facets.map((facet) => (
        <label key={facet.value} className="facet-option">
          <input
            type="checkbox"
            checked={chosen.includes(facet.value)}
            data-testid={`facet-${listKey}-${facet.value}`}
            onChange={() => setFilter({ [listKey]: toggled(chosen, facet.value) } as Partial<CallFilter>)}
          />
          <span>{labelFor(listKey, facet.value)}</span>
          <span className="muted num">{formatInteger(facet.count)}</span>
        </label>
      ))}
    </fieldset>
  );
}

/** Filters over the whole run (counts are the run's, not the current page's). */
export function CallFilters() {
  const facets = useReview((s) => s.facets);
  const filter = useReview((s) => s.filter);
  const total = useReview((s) => s.total);
  const runTotal = useReview((s) => s.runTotal);
  const setFilter = useReview((s) => s.setFilter);
  const clearFilter = useReview((s) => s.clearFilter);
  const minGqId = useId();
  const active = filterIsActive(filter);

  return (
    <section className="call-filters" aria-label="Filters" data-testid="call-filters">
      <div className="call-filters-head">
        <span className="num" data-testid="call-count">
          {total === null ? 'Loading…' : `${formatInteger(total)}${runTotal !== null && active ? ` of ${formatInteger(runTotal)}` : ''} calls`}
        </span>
        <label htmlFor={minGqId} className="field-label inline-label">
          GQ ≥
        </label>
        <input
          id={minGqId}
          type="number"
          min={0}
          max={99}
          step={1}
          className="gq-input num"
          data-testid="filter-min-gq"
          data-shortcut-target="filters"
          value={filter.minGq ?? ''}
          onChange={(event) => {
            const value = event.target.value === '' ? null : Number(event.target.value);
            setFilter({ minGq: value !== null && Number.isFinite(value) ? value : null });
          }}
        />
        {active ? (
          <button type="button" className="button button-small" data-testid="clear-filters" onClick={clearFilter}>
            Clear filters
          </button>
        ) : null}
      </div>
      {facets ? (
        <div className="facet-groups">
          <FacetGroup title="Type" listKey="types" facets={facets.types} filter={filter} />
          <FacetGroup title="FILTER" listKey="filters" facets={facets.filters} filter={filter} />
          <FacetGroup title="Abstention reason" listKey="abstainReasons" facets={facets.abstainReasons} filter={filter} />
          <FacetGroup title="Expert" listKey="experts" facets={facets.experts} filter={filter} />
          <FacetGroup title="Verifier" listKey="verifier" facets={facets.verifier} filter={filter} />
          <FacetGroup title="Review" listKey="review" facets={facets.review} filter={filter} />
        </div>
      ) : null}
    </section>
  );
}
