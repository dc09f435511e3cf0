import { useEffect, useLayoutEffect, useRef, useState } from 'react';
import type { CallSortKey, CallSummary } from '../../../../app/contract.ts';
import { useReview } from '../../store/ReviewStoreContext.js';
import { rowAt } from '../../store/reviewStore.js';
import { formatDecimal, formatInteger } from '../../format/numbers.js';
import { ROW_HEIGHT, scrollToReveal, visibleWindow } from './virtualWindow.js';
import { changeText, expertsText, locusText, REVIEW_STATUS_LABEL, VARIANT_TYPE_LABEL, VERIFIER_LABEL } from './reviewLabels.js';

interface Column {
  label: string;
  sort?: CallSortKey;
  className?: string;
  render(call: CallSummary): string;
  title?(call: CallSummary): string;
}

const COLUMNS: readonly Column[] = [
  { label: 'Locus', sort: 'position', className: 'mono', render: locusText },
  { label: 'Change', className: 'mono', render: changeText, title: (c) => `${c.ref}>${c.alts.join(',')}` },
  { label: 'Type', sort: 'type', render: (c) => VARIANT_TYPE_LABEL[c.type] },
  { label: 'GT', className: 'mono', render: (c) => c.gt },
  { label: 'GQ', sort: 'gq', className: 'num', render: (c) => (c.gq === null ? '—' : formatInteger(c.gq)) },
  { label: 'QUAL', sort: 'qual', className: 'num', render: (c) => (c.qual === null ? '—' : formatDecimal(c.qual, 1)) },
  { label: 'DP', sort: 'depth', className: 'num', render: (c) => formatInteger(c.depth) },
  { label: 'FILTER', sort: 'filter', render: (c) => (c.abstainReason ? `${c.filter} · ${c.abstainReason}` : c.filter) },
  { label: 'Experts', render: expertsText },
  { label: 'Verifier', sort: 'verifier', render: (c) => (c.verifier ? VERIFIER_LABEL[c.verifier.kind] : VERIFIER_LABEL.none) },
  { label: 'Review', sort: 'review', render: (c) => REVIEW_STATUS_LABEL[c.reviewStatus] },
];

/**
 * The variant table: virtualised (fixed row height, only the rows on screen are rendered and
 * fetched), sortable by clicking a header, keyboard-driven through the review shortcuts.
 * Clicking a row selects it, which moves the genome view to the call.
 */
export function CallTable() {
  const total = useReview((s) => s.total);
  const pages = useReview((s) => s.pages);
  const sort = useReview((s) => s.sort);
  const selectedIndex = useReview((s) => s.selectedIndex);
  const queryVersion = useReview((s) => s.queryVersion);
  const ensureRows = useReview((s) => s.ensureRows);
  const select = useReview((s) => s.select);
  const setSort = useReview((s) => s.setSort);
  const viewport = useRef<HTMLDivElement>(null);
  const [scrollTop, setScrollTop] = useState(0);
  const [height, setHeight] = useState(400);

  useLayoutEffect(() => {
    const element = viewport.current;
    if (!element) return;
    setHeight(element.clientHeight);
    const observer = new window.ResizeObserver(() => setHeight(element.clientHeight));
    observer.observe(element);
    return () => observer.disconnect();
  }, []);

  // A new query starts at the top.
  useEffect(() => {
    if (viewport.current) viewport.current.scrollTop = 0;
    setScrollTop(0);
  }, [queryVersion]);

  const count = total ?? 0;
  const { first, end } = visibleWindow(scrollTop, height, count);

  useEffect(() => {
    if (count > 0) void ensureRows(first, end);
  }, [first, end, count, queryVersion, ensureRows]);

  // Keyboard selection keeps the selected row in view.
  useEffect(() => {
    const element = viewport.current;
    if (!element || selectedIndex === null) return;
    const target = scrollToReveal(selectedIndex, element.scrollTop, element.clientHeight);
    if (target !== null) element.scrollTop = target;
  }, [selectedIndex]);

  const rows = [];
  for (let index = first; index < end; index += 1) {
    const call = rowAt(pages, index);
    const selected = index === selectedIndex;
    rows.push(
      <div
        key={index}
        role="row"
        aria-rowindex={index + 2}
        aria-selected={selected}
        className={`call-row${selected ? ' is-selected' : ''}${call ? ` review-${call.reviewStatus}` : ' is-loading'}`}
        data-testid="call-row"
        data-index={index}
        data-call-id={call?.id}
        data-filter={call?.filter}
        data-review={call?.reviewStatus}
        style={{ transform: `translateY(${index * ROW_HEIGHT}px)` }}
        onClick={() => void select(index)}
      >
        <span role="gridcell" className="num muted">
          {formatInteger(index + 1)}
        </span>
        {COLUMNS.map((column) => (
          <span key={column.label} role="gridcell" className={column.className} title={call && column.title ? column.title(call) : undefined}>
            {call ? column.render(call) : ''}
          </span>
        ))}
      </div>,
    );
  }

  return (
    <div className="call-table" role="grid" aria-label="Variant calls" aria-rowcount={count + 1} aria-busy={total === null} data-testid="call-table" data-total={total ?? ''}>
      <div role="row" aria-rowindex={1} className="call-row call-head">
        <span role="columnheader" className="num">
          #
        </span>
        {COLUMNS.map((column) => (
          <span key={column.label} role="columnheader" aria-sort={column.sort && sort.key === column.sort ? (sort.direction === 'asc' ? 'ascending' : 'descending') : undefined}>
            {column.sort ? (
              <button type="button" className="sort-button" data-testid={`sort-${column.sort}`} onClick={() => setSort(column.sort!)}>
                {column.label}
                {sort.key === column.sort ? (sort.direction === 'asc' ? ' ▲' : ' ▼') : ''}
              </button>
            ) : (
              column.label
            )}
          </span>
        ))}
      </div>
      <div ref={viewport} className="call-viewport" onScroll={(event) => setScrollTop(event.currentTarget.scrollTop)}>
        <div className="call-spacer" style={{ height: count * ROW_HEIGHT }}>
          {rows}
        </div>
        {total === 0 ? <p className="muted call-empty">No call matches the filters.</p> : null}
      </div>
    </div>
  );
}
