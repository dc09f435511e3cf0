import { useId, useMemo } from 'react';
import type { Bin, HistogramSeriesInput } from './geometry.js';
import { histogramGeometry } from './geometry.js';
import { PlotAxes } from './PlotAxes.js';
import { QC_PLOT_FRAME, seriesClass } from './frame.js';
import { formatCompact, formatInteger, formatPercent } from '../../format/numbers.js';
import { PlotLegend } from './PlotLegend.js';

export interface HistogramPlotProps {
  testId: string;
  title: string;
  /** One sentence for screen readers on what the plot shows. */
  description: string;
  xLabel: string;
  /** What is counted: 'reads' or 'bases'. */
  countNoun: string;
  series: readonly HistogramSeriesInput[];
  /** How a bin is named in tooltips, e.g. 'Q30' or '150–199 bp'. */
  binLabel: (bin: Bin) => string;
  formatX?: (value: number) => string;
  minXDomain?: readonly [number, number];
}

/**
 * A histogram as percent of each series' total, so mates or files of different sizes compare
 * directly. One series is drawn as bars; several as overlaid translucent step areas.
 */
export function HistogramPlot(props: HistogramPlotProps) {
  const { testId, title, description, xLabel, countNoun, series, binLabel, formatX = formatCompact, minXDomain } = props;
  const titleId = useId();
  const descId = useId();
  const geometry = useMemo(
    () => histogramGeometry(series, { frame: QC_PLOT_FRAME, ...(minXDomain ? { minXDomain } : {}) }),
    [series, minXDomain],
  );
  const overlaid = geometry.series.length > 1;
  const { box } = geometry;

  return (
    <figure className="plot" data-testid={testId}>
      <figcaption className="plot-title">{title}</figcaption>
      <svg
        className="plot-svg"
        viewBox={`0 0 ${QC_PLOT_FRAME.width} ${QC_PLOT_FRAME.height}`}
        role="img"
        aria-labelledby={`${titleId} ${descId}`}
      >
        <title id={titleId}>{title}</title>
        <desc id={descId}>{description}</desc>
        <PlotAxes
          box={box}
          xTicks={geometry.xTicks}
          yTicks={geometry.yTicks}
          formatX={formatX}
          formatY={(v) => `${formatCompact(v)}%`}
          xLabel={xLabel}
          yLabel={`% of ${countNoun}`}
        />
        {geometry.series.map((s, index) => (
          <g key={s.key} className={`plot-series ${seriesClass(index)}`}>
            {overlaid && s.outline ? <path className="plot-step" d={s.outline} /> : null}
            {s.bars.map((bar) => (
              <rect
                key={bar.bin.start}
                className={overlaid ? 'plot-hit' : 'plot-bar'}
                x={bar.x}
                y={overlaid ? box.top : bar.y}
                width={bar.width}
                height={overlaid ? box.bottom - box.top : bar.height}
              >
                <title>
                  {`${binLabel(bar.bin)}${overlaid ? ` · ${s.label}` : ''}: ${formatInteger(bar.bin.count)} ${countNoun} (${formatPercent(bar.fraction)})`}
                </title>
              </rect>
            ))}
          </g>
        ))}
        {geometry.empty ? (
          <text className="plot-empty" x={(box.left + box.right) / 2} y={(box.top + box.bottom) / 2} textAnchor="middle">
            {`No ${countNoun} to plot`}
          </text>
        ) : null}
      </svg>
      {overlaid ? <PlotLegend labels={series.map((s) => s.label)} /> : null}
    </figure>
  );
}
