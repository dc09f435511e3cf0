/** Plain-text and Markdown renderings of a comparison report. */
import type { ClassMetrics, ClassTable, CompareReport } from './types.js';
import { REPEAT_CONTEXTS, VARIANT_CLASSES } from './types.js';

export function formatFraction(value: number | null, digits = 4): string {
  return value === null ? 'n/a' : value.toFixed(digits);
}

function alignColumns(rows: string[][]): string {
  const widths = rows[0]!.map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ')).join('\n');
}

const METRIC_HEADER = ['type', 'truth', 'TP', 'FP', 'FN', 'recall', 'precision', 'F1', 'GT conc.'];

function metricCells(label: string, m: ClassMetrics): string[] {
  return [label, String(m.truthTotal), String(m.tp), String(m.fp), String(m.fn), formatFraction(m.recall), formatFraction(m.precision), formatFraction(m.f1), formatFraction(m.genotypeConcordance)];
}

function classRows(prefix: string, table: ClassTable): string[][] {
  return VARIANT_CLASSES.map((c) => metricCells(prefix ? `${prefix} ${c}` : c, table[c]));
}

export function formatReportText(report: CompareReport): string {
  const out: string[] = [];
  out.push(`truth ${report.inputs.truth} (${report.inputs.truthSample || 'no sample'})`);
  out.push(`calls ${report.inputs.calls} (${report.inputs.callSample || 'no sample'})${report.inputs.minQual !== null ? `, QUAL ≥ ${report.inputs.minQual}` : ''}${report.inputs.passOnly ? ', PASS only' : ''}`);
  if (report.inputs.regions) out.push(`regions ${report.inputs.regions} (${report.evaluatedBases?.toLocaleString('en-US')} bp)`);
  out.push('');
  out.push(alignColumns([METRIC_HEADER, ...classRows('', report.metrics)]));
  out.push('');
  out.push('By repeat context:');
  out.push(alignColumns([METRIC_HEADER, ...REPEAT_CONTEXTS.flatMap((ctx) => classRows(ctx, report.strata.context[ctx]))]));
  out.push('');
  out.push('By depth:');
  out.push(alignColumns([METRIC_HEADER, ...report.strata.depth.flatMap((s) => classRows(`DP ${s.label}`, s.metrics))]));
  out.push('');
  const cal = report.calibration;
  out.push(`GQ calibration: ${cal.callsWithGq} calls with GQ, ${cal.callsWithoutGq} without; ECE ${formatFraction(cal.expectedCalibrationError)}`);
  if (cal.callsWithGq > 0) {
    out.push(
      alignColumns([
        ['GQ', 'calls', 'predicted err', 'observed err'],
        ...cal.bins.map((b) => [`${b.gqMin}–${b.gqMax === null ? '' : b.gqMax - 1}`, String(b.calls), formatFraction(b.predictedError, 5), formatFraction(b.observedError, 5)]),
      ]),
    );
    out.push('');
    out.push('Risk–coverage (calls kept at GQ ≥ t):');
    out.push(
      alignColumns([
        ['min GQ', 'calls kept', 'precision', 'GT precision', 'recall'],
        ...report.riskCoverage.map((p) => [String(p.minGq), String(p.callsKept), formatFraction(p.precision), formatFraction(p.genotypePrecision), formatFraction(p.recall)]),
      ]),
    );
  }
  out.push('');
  const m = report.matching;
  out.push(
    `Matching: ${m.windows} windows, ${m.windowsFallback} resolved by per-record fallback (${m.truthVariantsInFallback} truth / ${m.callVariantsInFallback} call records), ` +
      `${m.truthMatchedAcrossRepresentations} truth atoms matched across different representations.`,
  );
  const skipped = (label: string, s: CompareReport['skipped']['truth']): string =>
    `${label} skipped: ${Object.entries(s)
      .filter(([, n]) => n > 0)
      .map(([k, n]) => `${k} ${n}`)
      .join(', ') || 'none'}`;
  out.push(skipped('Truth records', report.skipped.truth));
  out.push(skipped('Call records', report.skipped.calls));
  return `${out.join('\n')}\n`;
}

/** One Markdown table row per class, for docs/benchmarks.md. */
export function markdownMetricRows(label: string, table: ClassTable): string[] {
  return VARIANT_CLASSES.map((c) => {
    const m = table[c];
    return `| ${label} | ${c} | ${m.truthTotal} | ${m.tp} | ${m.fp} | ${m.fn} | ${formatFraction(m.recall)} | ${formatFraction(m.precision)} | ${formatFraction(m.f1)} | ${formatFraction(m.genotypeConcordance)} |`;
  });
}

export const MARKDOWN_METRIC_HEADER = ['| run | type | truth | TP | FP | FN | recall | precision | F1 | GT conc. |', '| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |'];
