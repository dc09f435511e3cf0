import { useId, useMemo } from 'react';
import type { PerCycleQuality } from '../../../../app/contract.ts';
import { perCycleGeometry } from './geometry.js';
import { PlotAxes } from './PlotAxes.js';
import { QC_PLOT_FRAME } from './frame.js';
import { formatDecimal } from '../../format/numbers.js';

/** Quartiles are usually whole Phred values; show a decimal only when there is one. */
const phred = (value: number): string => (Number.isInteger(value) ? String(value) : formatDecimal(value, 1));

interface PerCycleQualityPlotProps {
  title: string;
  points: readonly PerCycleQuality[];
  /** Shared top of the y axis when several files are shown side by side. */
  yTop?: number;
}

/**
 * Base quality along the read: the interquartile band, the mean (solid) and the median
 * (dashed), with Q20 and Q30 guides, the thresholds people judge short-read runs by.
 */
export function PerCycleQualityPlot({ title, points, yTop }: PerCycleQualityPlotProps) {
  const titleId = useId();
  const descId = useId();
  const geometry = useMemo(
    () => perCycleGeometry(points, { frame: QC_PLOT_FRAME, ...(yTop !== undefined ? { yTop } : {}) }),
    [points, yTop],
  );
  const { box } = geometry;
  const first = points[0];
  const last = points[points.length - 1];
  const description = first && last
    ? `Mean and interquartile base quality for cycles ${first.cycle} to ${last.cycle}; mean Q${formatDecimal(first.mean)} at the first cycle and Q${formatDecimal(last.mean)} at the last.`
    : 'No per-cycle quality was recorded.';

  return (
    <figure className="plot">
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
          formatX={(v) => String(v)}
          formatY={(v) => String(v)}
          xLabel="Cycle (position in read)"
          yLabel="Phred quality"
        />
        {geometry.guides.map((guide) => (
          <g key={guide.quality} className="plot-guide" aria-hidden="true">
            <line x1={box.left} x2={box.right} y1={guide.position} y2={guide.position} />
            <text x={box.right - 4} y={guide.position - 4} textAnchor="end">{`Q${guide.quality}`}</text>
          </g>
        ))}
        <g className="plot-series series-0">
          {geometry.bandPath ? <path className="plot-band" d={geometry.bandPath} /> : null}
          {geometry.medianPath ? <path className="plot-line plot-line-median" d={geometry.medianPath} /> : null}
          {geometry.meanPath ? <path className="plot-line" d={geometry.meanPath} /> : null}
        </g>
        {geometry.columns.map(({ x, width, point }) => (
          <rect key={point.cycle} className="plot-hit" x={x} y={box.top} width={width} height={box.bottom - box.top}>
            <title>
              {`Cycle ${point.cycle}: mean Q${formatDecimal(point.mean)} · median Q${phred(point.median)} · IQR Q${phred(point.q25)}–Q${phred(point.q75)}`}
            </title>
          </rect>
        ))}
        {geometry.empty ? (
          <text className="plot-empty" x={(box.left + box.right) / 2} y={(box.top + box.bottom) / 2} textAnchor="middle">
            No cycles to plot
          </text>
        ) : null}
      </svg>
      <ul className="plot-legend" aria-hidden="true">
        <li className="series-0"><span className="plot-legend-swatch plot-legend-line" />Mean</li>
        <li className="series-0"><span className="plot-legend-swatch plot-legend-dashed" />Median</li>
        <li className="series-0"><span className="plot-legend-swatch plot-legend-band" />Interquartile range</li>
      </ul>
    </figure>
  );
}
