import { useMemo } from 'react';
import type { InputFileReport } from '../../../../app/contract.ts';
import { HistogramPlot } from '../../components/plots/HistogramPlot.js';
import { PerCycleQualityPlot } from '../../components/plots/PerCycleQualityPlot.js';
import type { Bin, HistogramSeriesInput } from '../../components/plots/geometry.js';
import { perCycleMaxQuality, perCycleQualityTop } from '../../components/plots/geometry.js';
import { formatCompact, formatInteger } from '../../format/numbers.js';

/** Bins hold integers [start, end): a unit bin is one value, a wider one an inclusive range. */
function binRange(bin: Bin, format: (value: number) => string): string {
  const last = bin.end - 1;
  return last <= bin.start ? format(bin.start) : `${format(bin.start)}–${format(last)}`;
}

const lengthBin = (bin: Bin): string => `${binRange(bin, formatInteger)} bp`;
const qualityBin = (bin: Bin): string => binRange(bin, (v) => `Q${v}`);
const gcBin = (bin: Bin): string => `${binRange(bin, String)}% GC`;

/** Phred 0..41 always shown, so an all-Q40 run is not drawn as one full-width bar. */
const QUALITY_DOMAIN = [0, 42] as const;
const GC_DOMAIN = [0, 101] as const;

export function QcPlots({ files }: { files: readonly InputFileReport[] }) {
  const { lengths, qualities, gc } = useMemo(() => {
    const series = (pick: (file: InputFileReport) => HistogramSeriesInput['histogram']): HistogramSeriesInput[] =>
      files.map((file) => ({ key: file.path, label: file.name, histogram: pick(file) }));
    return {
      lengths: series((f) => f.qc.lengthHistogram),
      qualities: series((f) => f.qc.qualityHistogram),
      gc: series((f) => f.qc.gcHistogram),
    };
  }, [files]);

  const shortReadFiles = files.filter((file) => file.qc.perCycleQuality !== null);
  // One y axis for all per-cycle plots so mates compare at a glance.
  const perCycleTop = perCycleQualityTop(Math.max(0, ...shortReadFiles.map((f) => perCycleMaxQuality(f.qc.perCycleQuality))));

  return (
    <section className="qc-plots" aria-labelledby="qc-plots-title">
      <h2 id="qc-plots-title" className="section-title">Distributions</h2>
      <div className="plot-grid">
        <HistogramPlot
          testId="qc-plot-length"
          title="Read length"
          description="Distribution of read lengths, as percent of reads."
          xLabel="Read length (bp)"
          countNoun="reads"
          series={lengths}
          binLabel={lengthBin}
          formatX={formatCompact}
        />
        <HistogramPlot
          testId="qc-plot-quality"
          title="Base quality"
          description="Distribution of Phred base qualities, as percent of bases."
          xLabel="Phred quality"
          countNoun="bases"
          series={qualities}
          binLabel={qualityBin}
          formatX={String}
          minXDomain={QUALITY_DOMAIN}
        />
        <HistogramPlot
          testId="qc-plot-gc"
          title="GC content per read"
          description="Distribution of per-read GC content, as percent of reads."
          xLabel="GC content of read (%)"
          countNoun="reads"
          series={gc}
          binLabel={gcBin}
          formatX={String}
          minXDomain={GC_DOMAIN}
        />
        {shortReadFiles.length > 0 ? (
          <div className={`plot-group${shortReadFiles.length > 1 ? ' is-multi' : ''}`} data-testid="qc-plot-per-cycle">
            {shortReadFiles.map((file) => (
              <PerCycleQualityPlot
                key={file.path}
                title={shortReadFiles.length > 1 ? `Quality by cycle: ${file.name}` : 'Quality by cycle'}
                points={file.qc.perCycleQuality ?? []}
                yTop={perCycleTop}
              />
            ))}
          </div>
        ) : (
          <p className="muted plot-note">
            Quality by cycle is shown for short reads only; long reads have no fixed cycles.
          </p>
        )}
      </div>
    </section>
  );
}
