import type { AxisTick, PlotBox } from './geometry.js';

interface PlotAxesProps {
  box: PlotBox;
  xTicks: readonly AxisTick[];
  yTicks: readonly AxisTick[];
  formatX: (value: number) => string;
  formatY: (value: number) => string;
  xLabel: string;
  yLabel: string;
}

/** Grid, axis lines, tick labels and axis titles shared by every QC plot. */
export function PlotAxes({ box, xTicks, yTicks, formatX, formatY, xLabel, yLabel }: PlotAxesProps) {
  const midX = (box.left + box.right) / 2;
  const midY = (box.top + box.bottom) / 2;
  return (
    <g className="plot-axes" aria-hidden="true">
      {yTicks.map((tick) => (
        <g key={`y${tick.value}`}>
          <line className="plot-gridline" x1={box.left} x2={box.right} y1={tick.position} y2={tick.position} />
          <text className="plot-tick-label" x={box.left - 6} y={tick.position} textAnchor="end" dominantBaseline="middle">
            {formatY(tick.value)}
          </text>
        </g>
      ))}
      {xTicks.map((tick) => (
        <g key={`x${tick.value}`}>
          <line className="plot-tick" x1={tick.position} x2={tick.position} y1={box.bottom} y2={box.bottom + 4} />
          <text className="plot-tick-label" x={tick.position} y={box.bottom + 16} textAnchor="middle">
            {formatX(tick.value)}
          </text>
        </g>
      ))}
      <line className="plot-axis" x1={box.left} x2={box.right} y1={box.bottom} y2={box.bottom} />
      <line className="plot-axis" x1={box.left} x2={box.left} y1={box.top} y2={box.bottom} />
      <text className="plot-axis-label" x={midX} y={box.bottom + 36} textAnchor="middle">
        {xLabel}
      </text>
      <text
        className="plot-axis-label"
        x={0}
        y={0}
        textAnchor="middle"
        transform={`translate(${box.left - 44} ${midY}) rotate(-90)`}
      >
        {yLabel}
      </text>
    </g>
  );
}
