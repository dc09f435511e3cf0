// Plot geometry must stay finite for every input the engine can send: zero reads, one bin,
// one cycle, malformed histograms. A NaN in an SVG attribute renders nothing and logs errors,
// so every test here also checks that no coordinate is NaN.
import { describe, expect, it } from 'vitest';
import type { Histogram, PerCycleQuality } from '../../../app/contract.ts';
import {
  coarsenBins,
  histogramBins,
  histogramGeometry,
  linearScale,
  niceTicks,
  niceUpperBound,
  perCycleGeometry,
  trimEmptyEdges,
  type PlotFrame,
} from '../../../renderer/src/components/plots/geometry.js';

const FRAME: PlotFrame = { width: 500, height: 250, margin: { top: 10, right: 10, bottom: 40, left: 50 } };

function allFinite(value: unknown): boolean {
  if (typeof value === 'number') return Number.isFinite(value);
  if (typeof value === 'string') return !value.includes('NaN') && !value.includes('Infinity');
  if (Array.isArray(value)) return value.every(allFinite);
  if (value && typeof value === 'object') return Object.values(value).every(allFinite);
  return true;
}

describe('scales and ticks', () => {
  it('maps a zero-width domain to the middle instead of NaN', () => {
    const scale = linearScale([5, 5], [0, 100]);
    expect(scale(5)).toBe(50);
    expect(scale(7)).toBe(50);
  });

  it('picks round ticks', () => {
    expect(niceTicks(0, 100, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(0, 0.3, 3)).toEqual([0, 0.1, 0.2, 0.3]);
    expect(niceTicks(150, 150)).toEqual([150]);
    expect(niceTicks(Number.NaN, 1)).toEqual([]);
  });

  it('rounds axis tops up to a round number', () => {
    expect(niceUpperBound(37.2, 4)).toBe(40);
    expect(niceUpperBound(0)).toBe(1);
    expect(niceUpperBound(Number.NaN)).toBe(1);
  });
});

describe('histogram bins', () => {
  it('treats malformed histograms as empty', () => {
    expect(histogramBins({ start: 0, width: 0, counts: [1, 2] })).toEqual([]);
    expect(histogramBins({ start: Number.NaN, width: 1, counts: [1] })).toEqual([]);
    expect(histogramBins({ start: 0, width: 1, counts: [Number.NaN, -3, 2] }).map((b) => b.count)).toEqual([0, 0, 2]);
  });

  it('trims empty edges and coarsens to a bar budget', () => {
    const bins = histogramBins({ start: 0, width: 10, counts: [0, 0, 1, 2, 3, 0, 4, 0, 0] });
    const trimmed = trimEmptyEdges(bins);
    expect(trimmed.map((b) => b.start)).toEqual([20, 30, 40, 50, 60]);
    const coarse = coarsenBins(trimmed, 2);
    expect(coarse).toEqual([
      { start: 20, end: 50, count: 6 },
      { start: 50, end: 70, count: 4 },
    ]);
    expect(trimEmptyEdges(histogramBins({ start: 0, width: 1, counts: [0, 0] }))).toEqual([]);
  });
});

describe('histogramGeometry', () => {
  const lengths = (counts: number[], start = 0, width = 1): Histogram => ({ start, width, counts });

  it('draws nothing but a frame for zero reads', () => {
    const g = histogramGeometry([{ key: 'a', label: 'a', histogram: lengths([0, 0, 0]) }], { frame: FRAME });
    expect(g.empty).toBe(true);
    expect(g.series[0]!.bars).toEqual([]);
    expect(g.series[0]!.outline).toBe('');
    expect(g.yTicks.length).toBeGreaterThan(0);
    expect(allFinite(g)).toBe(true);
  });

  it('draws a single-length run as one bar in a widened, centred domain', () => {
    const counts = new Array<number>(152).fill(0);
    counts[151] = 1000;
    const g = histogramGeometry([{ key: 'a', label: 'a', histogram: lengths(counts) }], { frame: FRAME });
    expect(g.empty).toBe(false);
    const [bar] = g.series[0]!.bars;
    expect(bar!.fraction).toBe(1);
    // Not the whole frame: the domain spans at least 11 bins around the data.
    expect(g.xDomain[1] - g.xDomain[0]).toBeGreaterThanOrEqual(11);
    expect(bar!.width).toBeLessThan(FRAME.width / 5);
    expect(g.yMaxPercent).toBe(100);
    expect(g.unitBins).toBe(true);
    // Unit bins put the tick under the bar centre.
    const tick = g.xTicks.find((t) => t.value === 151);
    if (tick) expect(Math.abs(tick.position - (bar!.x + bar!.width / 2))).toBeLessThan(1);
    expect(allFinite(g)).toBe(true);
  });

  it('never widens below the lower limit', () => {
    const g = histogramGeometry([{ key: 'a', label: 'a', histogram: lengths([5]) }], { frame: FRAME });
    expect(g.xDomain[0]).toBe(0);
    expect(g.xDomain[1]).toBeGreaterThanOrEqual(11);
  });

  it('keeps a minimum domain such as 0..101 % GC', () => {
    const gc = new Array<number>(101).fill(0);
    gc[40] = 3;
    gc[60] = 1;
    const g = histogramGeometry([{ key: 'a', label: 'a', histogram: lengths(gc) }], { frame: FRAME, minXDomain: [0, 101] });
    expect(g.xDomain).toEqual([0, 101]);
    expect(g.series[0]!.bars.reduce((sum, b) => sum + b.fraction, 0)).toBeCloseTo(1);
  });

  it('overlays series on a shared scale in percent of each series', () => {
    const g = histogramGeometry(
      [
        { key: 'r1', label: 'R1', histogram: lengths([0, 10, 30], 100, 50) },
        { key: 'r2', label: 'R2', histogram: lengths([0, 1, 3], 100, 50) },
      ],
      { frame: FRAME },
    );
    expect(g.series[0]!.bars.map((b) => b.fraction)).toEqual(g.series[1]!.bars.map((b) => b.fraction));
    expect(g.series[0]!.outline).toMatch(/^M[\d.]+,[\d.]+(L[\d.]+,[\d.]+)+$/);
    expect(allFinite(g)).toBe(true);
  });

  it('caps the number of bars for long-read length histograms', () => {
    const counts = Array.from({ length: 5000 }, (_, i) => (i % 7) + 1);
    const g = histogramGeometry([{ key: 'a', label: 'a', histogram: lengths(counts, 0, 100) }], { frame: FRAME, maxBins: 120 });
    expect(g.series[0]!.bars.length).toBeLessThanOrEqual(120);
    expect(allFinite(g)).toBe(true);
  });
});

describe('perCycleGeometry', () => {
  const point = (cycle: number, mean: number, q25 = mean - 2, q75 = mean + 2): PerCycleQuality => ({
    cycle,
    mean,
    q25,
    median: mean,
    q75,
  });

  it('draws mean, band and Q20/Q30 guides for a normal run', () => {
    const points = Array.from({ length: 150 }, (_, i) => point(i + 1, 36 - i / 20));
    const g = perCycleGeometry(points, { frame: FRAME });
    expect(g.empty).toBe(false);
    expect(g.yTop).toBeGreaterThanOrEqual(40);
    expect(g.guides.map((guide) => guide.quality)).toEqual([20, 30]);
    expect(g.meanPath.startsWith('M')).toBe(true);
    expect(g.bandPath.endsWith('Z')).toBe(true);
    expect(g.columns).toHaveLength(150);
    expect(allFinite(g)).toBe(true);
  });

  it('handles a single cycle without a zero-width domain', () => {
    const g = perCycleGeometry([point(1, 30)], { frame: FRAME });
    expect(g.xDomain).toEqual([0.5, 1.5]);
    expect(g.meanPath.split('L')).toHaveLength(2);
    expect(g.columns[0]!.width).toBeGreaterThan(0);
    expect(allFinite(g)).toBe(true);
  });

  it('handles no cycles, invalid points and swapped quartiles', () => {
    const empty = perCycleGeometry([], { frame: FRAME });
    expect(empty.empty).toBe(true);
    expect(empty.meanPath).toBe('');
    expect(allFinite(empty)).toBe(true);
    const messy = perCycleGeometry([point(2, 30, 35, 25), point(1, Number.NaN)], { frame: FRAME });
    expect(messy.columns).toHaveLength(1);
    expect(messy.columns[0]!.point.q25).toBe(25);
    expect(allFinite(messy)).toBe(true);
    expect(allFinite(perCycleGeometry(null, { frame: FRAME }))).toBe(true);
  });

  it('clamps to a shared y top', () => {
    const g = perCycleGeometry([point(1, 45), point(2, 45)], { frame: FRAME, yTop: 40 });
    expect(g.yTop).toBe(40);
    expect(allFinite(g)).toBe(true);
  });
});
