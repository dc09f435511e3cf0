/**
 * Windowed rendering for the variant table: rows have one fixed height, so which rows are on
 * screen follows from the scroll position alone, and only those (plus a few either side) are
 * in the DOM, whether the run has 20 calls or 100,000.
 */
export const ROW_HEIGHT = 28;
export const OVERSCAN = 8;

export interface RowWindow {
  /** First row rendered (inclusive). */
  first: number;
  /** Row after the last rendered (exclusive). */
  end: number;
}

export function visibleWindow(scrollTop: number, viewportHeight: number, total: number, rowHeight = ROW_HEIGHT, overscan = OVERSCAN): RowWindow {
  if (total <= 0 || viewportHeight <= 0) return { first: 0, end: Math.min(total, overscan) };
  const firstVisible = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const visibleCount = Math.ceil(viewportHeight / rowHeight) + 1;
  return {
    first: Math.max(0, Math.min(firstVisible - overscan, total - 1)),
    end: Math.min(total, firstVisible + visibleCount + overscan),
  };
}

/** The scroll position that brings row `index` fully into view with the least movement (null: already visible). */
export function scrollToReveal(index: number, scrollTop: number, viewportHeight: number, rowHeight = ROW_HEIGHT): number | null {
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  if (top < scrollTop) return top;
  if (bottom > scrollTop + viewportHeight) return Math.max(0, bottom - viewportHeight);
  return null;
}
