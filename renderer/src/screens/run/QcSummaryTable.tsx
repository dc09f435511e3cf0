import type { InputFileReport, QcReport } from '../../../../app/contract.ts';
import { formatDecimal, formatInteger, formatPercent, formatPhred, formatSmallPercent } from '../../format/numbers.js';

interface Metric {
  label: string;
  /** Plain-language definition, shown on hover. */
  help: string;
  value: (qc: QcReport) => string;
}

const METRICS: readonly Metric[] = [
  { label: 'Reads', help: 'Records read', value: (qc) => formatInteger(qc.reads) },
  { label: 'Bases', help: 'Total bases over all reads', value: (qc) => formatInteger(qc.bases) },
  { label: 'Mean length', help: 'Mean read length (bp)', value: (qc) => `${formatDecimal(qc.meanLength, 1)} bp` },
  { label: 'Min length', help: 'Shortest read (bp)', value: (qc) => `${formatInteger(qc.minLength)} bp` },
  { label: 'Max length', help: 'Longest read (bp)', value: (qc) => `${formatInteger(qc.maxLength)} bp` },
  { label: 'N50', help: 'Half of all bases are in reads at least this long', value: (qc) => `${formatInteger(qc.n50)} bp` },
  { label: 'Mean quality', help: 'Mean Phred base quality over all bases', value: (qc) => formatPhred(qc.meanQuality) },
  { label: '≥ Q20', help: 'Share of bases with Phred quality 20 or more (error ≤ 1%)', value: (qc) => formatPercent(qc.q20Fraction) },
  { label: '≥ Q30', help: 'Share of bases with Phred quality 30 or more (error ≤ 0.1%)', value: (qc) => formatPercent(qc.q30Fraction) },
  { label: 'GC', help: 'Share of G or C among non-N bases', value: (qc) => formatPercent(qc.gcFraction) },
  { label: 'N rate', help: 'Share of bases called N', value: (qc) => formatSmallPercent(qc.nRate) },
];

/** Metrics as rows and files as columns, so mates sit side by side for comparison. */
export function QcSummaryTable({ files }: { files: readonly InputFileReport[] }) {
  return (
    <section className="card qc-summary-card" aria-labelledby="qc-summary-title">
      <h2 id="qc-summary-title" className="section-title">QC summary</h2>
      <div className="table-scroll">
        <table className="data-table qc-summary" data-testid="qc-summary">
          <thead>
            <tr>
              <th scope="col">Metric</th>
              {files.map((file) => (
                <th key={file.path} scope="col" className="num mono" title={file.path}>
                  {file.name}
                </th>
              ))}
            </tr>
          </thead>
          <tbody>
            {METRICS.map((metric) => (
              <tr key={metric.label}>
                <th scope="row" title={metric.help}>
                  {metric.label}
                </th>
                {files.map((file) => (
                  <td key={file.path} className="num">
                    {file.qc.reads > 0 || metric.label === 'Reads' || metric.label === 'Bases' ? metric.value(file.qc) : '—'}
                  </td>
                ))}
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
