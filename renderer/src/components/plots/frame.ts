import type { PlotFrame } from './geometry.js';

/**
 * One frame for all QC plots: drawn in these user units and scaled to the card width by CSS
 * (viewBox), so text stays proportionate and the plots line up in a grid.
 */
export const QC_PLOT_FRAME: PlotFrame = {
  width: 480,
  height: 240,
  margin: { top: 12, right: 16, bottom: 46, left: 58 },
};

/** Colour slots styled in plots.css (`.series-N`), distinct in both themes. */
export const SERIES_SLOTS = 4;

export function seriesClass(index: number): string {
  return `series-${index % SERIES_SLOTS}`;
}
