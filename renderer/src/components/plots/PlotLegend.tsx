import { seriesClass } from './frame.js';

/** Names of overlaid series with their colour swatches (HTML, so it wraps and is selectable). */
export function PlotLegend({ labels }: { labels: readonly string[] }) {
  return (
    <ul className="plot-legend">
      {labels.map((label, index) => (
        <li key={`${index}-${label}`} className={seriesClass(index)}>
          <span className="plot-legend-swatch" aria-hidden="true" />
          {label}
        </li>
      ))}
    </ul>
  );
}
