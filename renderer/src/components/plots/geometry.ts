/**
 * Data → SVG coordinates for the QC plots, kept apart from React so it can be unit-tested in
 * node. Every function here returns finite numbers for any input, including zero reads, a
 * single bin, a single cycle and malformed histograms (NaN counts, zero bin width): a plot of
 * nothing is an empty frame with a note, never `NaN` in an attribute.
 */
import type { Histogram, PerCycleQuality } from '../../../../app/contract.ts';

export interface Margins {
  top: number;
  right: number;
  bottom: number;
  left: number;
}

export interface PlotFrame {
  width: number;
  height: number;
  margin: Margins;
}

/** The drawing area inside the axes, in SVG user units (y grows downwards). */
export interface PlotBox {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

export interface AxisTick {
  value: number;
  /** x for the x axis, y for the y axis. */
  position: number;
}

export type Scale = (value: number) => number;

export function plotBox(frame: PlotFrame): PlotBox {
  const left = frame.margin.left;
  const top = frame.margin.top;
  return {
    left,
    top,
    right: Math.max(left + 1, frame.width - frame.margin.right),
    bottom: Math.max(top + 1, frame.height - frame.margin.bottom),
  };
}

/** Linear map; a zero-width domain maps everything to the middle of the range. */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): Scale {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  if (!Number.isFinite(span) || span === 0) {
    const middle = (r0 + r1) / 2;
    return () => middle;
  }
  const k = (r1 - r0) / span;
  return (value) => r0 + (value - d0) * k;
}

/** 1, 2 or 5 times a power of ten, at least `rough`. */
export function niceStep(rough: number): number {
  if (!Number.isFinite(rough) || rough <= 0) return 1;
  const power = 10 ** Math.floor(Math.log10(rough));
  const fraction = rough / power;
  const nice = fraction <= 1 ? 1 : fraction <= 2 ? 2 : fraction <= 5 ? 5 : 10;
  return nice * power;
}

/** Removes binary floating-point noise (0.30000000000000004 → 0.3) from tick values. */
function clean(value: number): number {
  return Number.parseFloat(value.toPrecision(12));
}

/** Round-numbered ticks within [min, max], at most about `maxTicks` of them. */
export function niceTicks(min: number, max: number, maxTicks = 6): number[] {
  if (!Number.isFinite(min) || !Number.isFinite(max)) return [];
  if (max < min) [min, max] = [max, min];
  if (max === min) return [clean(min)];
  const step = niceStep((max - min) / Math.max(1, maxTicks));
  const first = Math.ceil(min / step - 1e-9) * step;
  const ticks: number[] = [];
  for (let value = first; value <= max + step * 1e-9; value += step) {
    ticks.push(clean(value));
    if (ticks.length > 1000) break;
  }
  return ticks;
}

/** The smallest round number ≥ max, for the top of an axis that starts at 0. */
export function niceUpperBound(max: number, maxTicks = 5): number {
  if (!Number.isFinite(max) || max <= 0) return 1;
  const step = niceStep(max / Math.max(1, maxTicks));
  return clean(Math.ceil(max / step - 1e-9) * step);
}

// ---------------------------------------------------------------------------
// Histograms

export interface Bin {
  start: number;
  end: number;
  count: number;
}

/** The histogram's bins; none when it is malformed (non-finite start or non-positive width). */
export function histogramBins(histogram: Histogram): Bin[] {
  const { start, width, counts } = histogram;
  if (!Number.isFinite(start) || !Number.isFinite(width) || width <= 0 || !Array.isArray(counts)) return [];
  return counts.map((raw, i) => ({
    start: start + i * width,
    end: start + (i + 1) * width,
    count: Number.isFinite(raw) && raw > 0 ? raw : 0,
  }));
}

export function totalCount(bins: readonly Bin[]): number {
  return bins.reduce((sum, bin) => sum + bin.count, 0);
}

/** Drops empty bins before the first and after the last non-empty one; [] if all are empty. */
export function trimEmptyEdges(bins: readonly Bin[]): Bin[] {
  const first = bins.findIndex((bin) => bin.count > 0);
  if (first === -1) return [];
  let last = bins.length - 1;
  while (last > first && bins[last]!.count === 0) last -= 1;
  return bins.slice(first, last + 1);
}

/** Merges runs of adjacent bins so that at most `maxBins` remain (a bar under a pixel helps no one). */
export function coarsenBins(bins: readonly Bin[], maxBins: number): Bin[] {
  const limit = Math.max(1, Math.floor(maxBins));
  if (bins.length <= limit) return [...bins];
  const group = Math.ceil(bins.length / limit);
  const merged: Bin[] = [];
  for (let i = 0; i < bins.length; i += group) {
    const slice = bins.slice(i, i + group);
    merged.push({ start: slice[0]!.start, end: slice[slice.length - 1]!.end, count: totalCount(slice) });
  }
  return merged;
}

export interface HistogramSeriesInput {
  key: string;
  label: string;
  histogram: Histogram;
}

export interface HistogramBar {
  x: number;
  y: number;
  width: number;
  height: number;
  bin: Bin;
  /** Share of the series total in this bin, 0..1. */
  fraction: number;
}

export interface HistogramSeriesGeometry {
  key: string;
  label: string;
  total: number;
  bars: HistogramBar[];
  /** Step outline of the series (for overlaying several series); '' when empty. */
  outline: string;
}

export interface HistogramGeometry {
  box: PlotBox;
  /** No series has any count. */
  empty: boolean;
  xDomain: [number, number];
  /** y axis in percent of each series' total. */
  yMaxPercent: number;
  xTicks: AxisTick[];
  yTicks: AxisTick[];
  /** Bins one unit wide (quality, % GC, exact lengths): ticks sit under bar centres. */
  unitBins: boolean;
  series: HistogramSeriesGeometry[];
}

export interface HistogramGeometryOptions {
  frame: PlotFrame;
  /** Upper limit of bars per series. */
  maxBins?: number;
  /** The x axis always covers at least this range (e.g. [0, 101] for % GC). */
  minXDomain?: readonly [number, number];
  /** Widen narrow data to at least this many bin widths so one bar does not fill the frame. */
  minBinsShown?: number;
  /** Values below this cannot exist (lengths, qualities): widening never crosses it. */
  lowerLimit?: number;
  maxXTicks?: number;
}

const round2 = (value: number): number => Math.round(value * 100) / 100;

export function histogramGeometry(inputs: readonly HistogramSeriesInput[], options: HistogramGeometryOptions): HistogramGeometry {
  const { frame, maxBins = 120, minXDomain, minBinsShown = 11, lowerLimit = 0, maxXTicks = 7 } = options;
  const box = plotBox(frame);

  const prepared = inputs.map((input) => {
    const all = histogramBins(input.histogram);
    return { input, total: totalCount(all), bins: coarsenBins(trimEmptyEdges(all), maxBins) };
  });
  const withData = prepared.filter((p) => p.bins.length > 0);
  const empty = withData.length === 0;

  let x0 = Infinity;
  let x1 = -Infinity;
  let narrowestWidth = Infinity;
  for (const p of withData) {
    x0 = Math.min(x0, p.bins[0]!.start);
    x1 = Math.max(x1, p.bins[p.bins.length - 1]!.end);
    for (const bin of p.bins) narrowestWidth = Math.min(narrowestWidth, bin.end - bin.start);
  }
  if (empty) {
    [x0, x1] = minXDomain ? [minXDomain[0], minXDomain[1]] : [0, 1];
  } else {
    const shown = (x1 - x0) / narrowestWidth;
    if (shown < minBinsShown) {
      // Pad symmetrically by whole bins so unit bins stay aligned with integer ticks.
      const padBins = Math.ceil((minBinsShown - shown) / 2);
      const pad = padBins * narrowestWidth;
      const low = Math.max(lowerLimit, x0 - pad);
      x1 += pad + (low - (x0 - pad));
      x0 = low;
    }
    if (minXDomain) {
      x0 = Math.min(x0, minXDomain[0]);
      x1 = Math.max(x1, minXDomain[1]);
    }
  }
  const xDomain: [number, number] = [x0, x1];

  let maxFraction = 0;
  for (const p of withData) {
    for (const bin of p.bins) maxFraction = Math.max(maxFraction, bin.count / p.total);
  }
  const yMaxPercent = niceUpperBound(maxFraction * 100, 4);

  const sx = linearScale(xDomain, [box.left, box.right]);
  const sy = linearScale([0, yMaxPercent], [box.bottom, box.top]);

  const unitBins = !empty && withData.every((p) => p.bins.every((bin) => bin.end - bin.start === 1));
  const tickValues = unitBins ? niceTicks(x0, x1 - 1, maxXTicks).filter(Number.isInteger) : niceTicks(x0, x1, maxXTicks);
  const xTicks = tickValues.map((value) => ({ value, position: round2(sx(unitBins ? value + 0.5 : value)) }));
  const yTicks = niceTicks(0, yMaxPercent, 4).map((value) => ({ value, position: round2(sy(value)) }));

  const series = prepared.map(({ input, total, bins }): HistogramSeriesGeometry => {
    const bars = bins.map((bin): HistogramBar => {
      const fraction = total > 0 ? bin.count / total : 0;
      const left = sx(bin.start);
      const fullWidth = sx(bin.end) - left;
      // A hairline gap separates wide bars; narrow ones would vanish into it.
      const gap = fullWidth > 4 ? 1 : 0;
      const top = sy(fraction * 100);
      return {
        x: round2(left + gap / 2),
        y: round2(top),
        width: round2(Math.max(0.5, fullWidth - gap)),
        height: round2(Math.max(0, box.bottom - top)),
        bin,
        fraction,
      };
    });
    return { key: input.key, label: input.label, total, bars, outline: stepOutline(bins, total, sx, sy, box.bottom) };
  });

  return { box, empty, xDomain, yMaxPercent, xTicks, yTicks, unitBins, series };
}

function stepOutline(bins: readonly Bin[], total: number, sx: Scale, sy: Scale, baseline: number): string {
  if (bins.length === 0 || total <= 0) return '';
  const parts = [`M${round2(sx(bins[0]!.start))},${round2(baseline)}`];
  for (const bin of bins) {
    const y = round2(sy((bin.count / total) * 100));
    parts.push(`L${round2(sx(bin.start))},${y}`, `L${round2(sx(bin.end))},${y}`);
  }
  parts.push(`L${round2(sx(bins[bins.length - 1]!.end))},${round2(baseline)}`);
  return parts.join('');
}

// ---------------------------------------------------------------------------
// Per-cycle quality

export interface CycleColumn {
  /** Hover target spanning halfway to the neighbouring cycles. */
  x: number;
  width: number;
  point: PerCycleQuality;
}

export interface PerCycleGeometry {
  box: PlotBox;
  empty: boolean;
  xDomain: [number, number];
  yTop: number;
  xTicks: AxisTick[];
  yTicks: AxisTick[];
  /** Interquartile band (q25..q75) as a closed path. */
  bandPath: string;
  meanPath: string;
  medianPath: string;
  guides: Array<{ quality: number; position: number }>;
  columns: CycleColumn[];
}

/** Points that can be drawn, by cycle, with quartiles in order. */
export function cleanCyclePoints(points: readonly PerCycleQuality[] | null): PerCycleQuality[] {
  if (!points) return [];
  return points
    .filter((p) => [p.cycle, p.mean, p.q25, p.median, p.q75].every(Number.isFinite))
    .map((p) => (p.q25 <= p.q75 ? p : { ...p, q25: p.q75, q75: p.q25 }))
    .sort((a, b) => a.cycle - b.cycle);
}

/** Highest quality any series reaches, so several plots can share one y axis. */
export function perCycleMaxQuality(points: readonly PerCycleQuality[] | null): number {
  return cleanCyclePoints(points).reduce((max, p) => Math.max(max, p.q75, p.mean, p.median), 0);
}

export interface PerCycleOptions {
  frame: PlotFrame;
  /** Top of the y axis; defaults to a round number above the data, at least Q40. */
  yTop?: number;
  /** Horizontal guides, Phred. */
  guideQualities?: readonly number[];
}

export function perCycleQualityTop(maxQuality: number): number {
  return niceUpperBound(Math.max(40, maxQuality), 5);
}

export function perCycleGeometry(raw: readonly PerCycleQuality[] | null, options: PerCycleOptions): PerCycleGeometry {
  const { frame, guideQualities = [20, 30] } = options;
  const box = plotBox(frame);
  const points = cleanCyclePoints(raw);
  const empty = points.length === 0;
  const first = points[0]?.cycle ?? 1;
  const last = points[points.length - 1]?.cycle ?? 1;
  // One cycle (or none) gets a unit-wide domain around it instead of a zero-width one.
  const xDomain: [number, number] = first === last ? [first - 0.5, first + 0.5] : [first, last];
  const yTop = options.yTop !== undefined && Number.isFinite(options.yTop) && options.yTop > 0
    ? options.yTop
    : perCycleQualityTop(perCycleMaxQuality(points));

  const sx = linearScale(xDomain, [box.left, box.right]);
  const sy = linearScale([0, yTop], [box.bottom, box.top]);
  const clampY = (q: number): number => round2(sy(Math.min(Math.max(q, 0), yTop)));

  const xTicks = niceTicks(Math.max(1, Math.ceil(xDomain[0])), Math.floor(xDomain[1]), 7)
    .filter(Number.isInteger)
    .map((value) => ({ value, position: round2(sx(value)) }));
  const yTicks = niceTicks(0, yTop, 5).map((value) => ({ value, position: round2(sy(value)) }));
  const guides = guideQualities.filter((q) => q > 0 && q < yTop).map((quality) => ({ quality, position: round2(sy(quality)) }));

  // A lone cycle is drawn across its unit-wide domain so the band and lines stay visible.
  const xs = (p: PerCycleQuality): number[] => (points.length === 1 ? [sx(p.cycle - 0.5), sx(p.cycle + 0.5)] : [sx(p.cycle)]);
  const line = (pick: (p: PerCycleQuality) => number): string => {
    const coords: string[] = [];
    for (const p of points) for (const x of xs(p)) coords.push(`${round2(x)},${clampY(pick(p))}`);
    return coords.length > 0 ? `M${coords.join('L')}` : '';
  };
  let bandPath = '';
  if (!empty) {
    const upper: string[] = [];
    const lower: string[] = [];
    for (const p of points) {
      for (const x of xs(p)) {
        upper.push(`${round2(x)},${clampY(p.q75)}`);
        lower.push(`${round2(x)},${clampY(p.q25)}`);
      }
    }
    bandPath = `M${upper.join('L')}L${lower.reverse().join('L')}Z`;
  }

  const columns = points.map((point, i): CycleColumn => {
    const previous = points[i - 1];
    const next = points[i + 1];
    const left = previous ? (sx(previous.cycle) + sx(point.cycle)) / 2 : box.left;
    const right = next ? (sx(point.cycle) + sx(next.cycle)) / 2 : box.right;
    return { x: round2(left), width: round2(Math.max(0, right - left)), point };
  });

  return {
    box,
    empty,
    xDomain,
    yTop,
    xTicks,
    yTicks,
    bandPath,
    meanPath: line((p) => p.mean),
    medianPath: line((p) => p.median),
    guides,
    columns,
  };
}
