/**
 * The HTML report of a reviewed run: one self-contained file (inline SVG plots, one <style>
 * element allowed by its hash in the file's own CSP, no script, no external reference) that
 * opens anywhere, offline, and can be archived with the VCF.
 */
import { createHash } from 'node:crypto';
import type {
  AbstentionRegion,
  CallProvenance,
  CallSummary,
  Histogram,
  InputFileReport,
  ReviewAuditEntry,
  ReviewRecord,
  RunOutputs,
  RunSummary,
} from '../../app/contract.js';
import { verifierKind } from './call-query.js';

export interface ReportInput {
  run: RunSummary;
  outputs: RunOutputs;
  provenance: CallProvenance;
  calls: readonly CallSummary[];
  reviews: ReadonlyMap<number, ReviewRecord>;
  abstentions: readonly AbstentionRegion[];
  abstainReasonText: Readonly<Record<string, string>>;
  audit: readonly ReviewAuditEntry[];
  /** QC of the run's FASTQ inputs, when the run has it. */
  qcFiles: readonly InputFileReport[];
  generatedAt: string;
  software: string;
  notice: string;
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const STYLE = `
:root{color-scheme:light dark;--fg:#1b1f24;--muted:#56606b;--bg:#fff;--line:#d6dae0;--accent:#0b5cad;--accent2:#c2410c}
@media (prefers-color-scheme:dark){:root{--fg:#e6e9ed;--muted:#9ea8b3;--bg:#111418;--line:#2e353d;--accent:#6cb0ff;--accent2:#ff9d5c}}
body{font:14px/1.45 system-ui,sans-serif;color:var(--fg);background:var(--bg);margin:2rem auto;max-width:1100px;padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid var(--line);padding-bottom:.25rem}
table{border-collapse:collapse;margin:.5rem 0;font-variant-numeric:tabular-nums}th,td{border:1px solid var(--line);padding:.25rem .5rem;text-align:left;vertical-align:top}
th{background:color-mix(in srgb,var(--line) 40%,transparent)}.num{text-align:right}.mono{font-family:ui-monospace,monospace;word-break:break-all}
.notice{border-left:4px solid var(--accent2);padding:.25rem .75rem}.muted{color:var(--muted)}
.plots{display:flex;flex-wrap:wrap;gap:1rem}figure{margin:0}figcaption{font-size:.85rem;color:var(--muted);max-width:460px}
svg text{fill:var(--fg);font-size:11px}svg .grid{stroke:var(--line)}svg .axis{stroke:var(--muted)}svg .bar{fill:var(--accent)}
svg .s0{stroke:var(--accent);fill:none;stroke-width:2}svg .s1{stroke:var(--accent2);fill:none;stroke-width:2}svg .d0{fill:var(--accent)}svg .d1{fill:var(--accent2)}svg .diag{stroke:var(--muted);stroke-dasharray:4 3}
`;

const W = 460;
const H = 260;
const M = { left: 56, right: 16, top: 24, bottom: 44 };

function fmt(n: number, digits = 0): string {
  return n.toLocaleString('en-US', { maximumFractionDigits: digits, minimumFractionDigits: digits });
}

function axes(title: string, xLabel: string, yLabel: string, xTicks: { at: number; label: string }[], yTicks: { at: number; label: string }[]): string {
  const x0 = M.left;
  const y0 = H - M.bottom;
  const parts = [`<text x="${W / 2}" y="14" text-anchor="middle">${escapeHtml(title)}</text>`];
  for (const t of yTicks) parts.push(`<line class="grid" x1="${x0}" x2="${W - M.right}" y1="${t.at}" y2="${t.at}"/><text x="${x0 - 6}" y="${t.at + 4}" text-anchor="end">${t.label}</text>`);
  for (const t of xTicks) parts.push(`<text x="${t.at}" y="${y0 + 16}" text-anchor="middle">${t.label}</text>`);
  parts.push(`<line class="axis" x1="${x0}" x2="${W - M.right}" y1="${y0}" y2="${y0}"/><line class="axis" x1="${x0}" x2="${x0}" y1="${M.top}" y2="${y0}"/>`);
  parts.push(`<text x="${(x0 + W - M.right) / 2}" y="${H - 8}" text-anchor="middle">${escapeHtml(xLabel)}</text>`);
  parts.push(`<text transform="translate(14 ${(M.top + y0) / 2}) rotate(-90)" text-anchor="middle">${escapeHtml(yLabel)}</text>`);
  return parts.join('');
}

function niceMax(value: number): number {
  if (value <= 0) return 1;
  const magnitude = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (step * magnitude >= value) return step * magnitude;
  return 10 * magnitude;
}

/** Bars over a histogram (bin i covers [start + i·width, start + (i+1)·width)). */
export function histogramSvg(title: string, xLabel: string, histogram: Histogram, yLabel = 'count'): string {
  const counts = histogram.counts;
  const maxY = niceMax(Math.max(0, ...counts));
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const barW = counts.length > 0 ? plotW / counts.length : plotW;
  const bars = counts
    .map((c, i) => {
      const h = (c / maxY) * plotH;
      return c > 0 ? `<rect class="bar" x="${(M.left + i * barW).toFixed(1)}" y="${(H - M.bottom - h).toFixed(1)}" width="${Math.max(0.5, barW - 0.5).toFixed(1)}" height="${h.toFixed(1)}"/>` : '';
    })
    .join('');
  const xTicks = [0, 0.5, 1].map((f) => ({ at: M.left + f * plotW, label: fmt(histogram.start + f * counts.length * histogram.width) }));
  const yTicks = [0, 0.5, 1].map((f) => ({ at: H - M.bottom - f * plotH, label: fmt(f * maxY) }));
  return `<svg role="img" aria-label="${escapeHtml(title)}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${axes(title, xLabel, yLabel, xTicks, yTicks)}${bars}</svg>`;
}

interface Series {
  name: string;
  points: { x: number; y: number; n?: number }[];
}

/** Lines (and dots) on [0, xMax] × [0, yMax]; an optional y = x diagonal for reliability plots. */
export function lineSvg(title: string, xLabel: string, yLabel: string, series: Series[], xMax: number, yMax: number, diagonal = false): string {
  const plotW = W - M.left - M.right;
  const plotH = H - M.top - M.bottom;
  const sx = (x: number): number => M.left + (Math.min(x, xMax) / xMax) * plotW;
  const sy = (y: number): number => H - M.bottom - (Math.min(y, yMax) / yMax) * plotH;
  const lines = series
    .map((s, i) => {
      if (s.points.length === 0) return '';
      const d = s.points.map((p, j) => `${j === 0 ? 'M' : 'L'}${sx(p.x).toFixed(1)},${sy(p.y).toFixed(1)}`).join('');
      const dots = s.points.map((p) => `<circle class="d${i % 2}" cx="${sx(p.x).toFixed(1)}" cy="${sy(p.y).toFixed(1)}" r="2.5"/>`).join('');
      return `<path class="s${i % 2}" d="${d}"/>${dots}`;
    })
    .join('');
  const legend = series.map((s, i) => `<text x="${M.left + 8}" y="${M.top + 14 + i * 14}" class="d${i % 2}">■ ${escapeHtml(s.name)}</text>`).join('');
  const diag = diagonal ? `<line class="diag" x1="${sx(0)}" y1="${sy(0)}" x2="${sx(Math.min(xMax, yMax))}" y2="${sy(Math.min(xMax, yMax))}"/>` : '';
  const xTicks = [0, 0.5, 1].map((f) => ({ at: M.left + f * plotW, label: fmt(f * xMax, xMax < 2 ? 2 : 0) }));
  const yTicks = [0, 0.5, 1].map((f) => ({ at: H - M.bottom - f * plotH, label: fmt(f * yMax, yMax < 2 ? 3 : 0) }));
  return `<svg role="img" aria-label="${escapeHtml(title)}" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}">${axes(title, xLabel, yLabel, xTicks, yTicks)}${diag}${lines}${legend}</svg>`;
}

const errorOf = (gq: number): number => 10 ** (-gq / 10);

/**
 * Risk–coverage as the GQ threshold moves: coverage is the share of called sites (not
 * abstained) kept at GQ ≥ t; risk is the error rate the calibrated GQ implies for them and,
 * where reviewers judged kept calls, the share they rejected.
 */
export function riskCoverage(calls: readonly CallSummary[], reviews: ReadonlyMap<number, ReviewRecord>): { implied: Series; reviewed: Series } {
  const called = calls.filter((c) => c.gq !== null && c.filter !== 'Abstain');
  const implied: Series = { name: 'implied by calibrated GQ', points: [] };
  const reviewed: Series = { name: 'rejected by reviewers', points: [] };
  if (called.length === 0) return { implied, reviewed };
  for (let t = 0; t <= 99; t += 3) {
    const kept = called.filter((c) => (c.gq ?? 0) >= t);
    if (kept.length === 0) break;
    const coverage = kept.length / called.length;
    implied.points.push({ x: coverage, y: kept.reduce((s, c) => s + errorOf(c.gq ?? 0), 0) / kept.length });
    const judged = kept.filter((c) => reviews.get(c.id)?.status === 'accepted' || reviews.get(c.id)?.status === 'rejected');
    if (judged.length > 0) reviewed.points.push({ x: coverage, y: judged.filter((c) => reviews.get(c.id)?.status === 'rejected').length / judged.length, n: judged.length });
  }
  return { implied, reviewed };
}

/** Reliability: per GQ bin, the error the GQ promises against the share reviewers rejected. */
export function calibrationBins(calls: readonly CallSummary[], reviews: ReadonlyMap<number, ReviewRecord>): { expected: Series; observed: Series } {
  const edges = [0, 10, 20, 30, 40, 60, 100];
  const expected: Series = { name: 'promised by GQ', points: [] };
  const observed: Series = { name: 'rejected by reviewers', points: [] };
  for (let i = 0; i + 1 < edges.length; i += 1) {
    const inBin = calls.filter((c) => c.gq !== null && c.gq >= edges[i]! && c.gq < edges[i + 1]!);
    if (inBin.length === 0) continue;
    const promised = inBin.reduce((s, c) => s + errorOf(c.gq ?? 0), 0) / inBin.length;
    expected.points.push({ x: promised, y: promised, n: inBin.length });
    const judged = inBin.filter((c) => reviews.get(c.id)?.status === 'accepted' || reviews.get(c.id)?.status === 'rejected');
    if (judged.length > 0) observed.points.push({ x: promised, y: judged.filter((c) => reviews.get(c.id)?.status === 'rejected').length / judged.length, n: judged.length });
  }
  return { expected, observed };
}

function table(headers: string[], rows: string[][], numericFrom = 1): string {
  const head = headers.map((h) => `<th>${escapeHtml(h)}</th>`).join('');
  const body = rows.map((r) => `<tr>${r.map((cell, i) => `<td${i >= numericFrom ? ' class="num"' : ''}>${cell}</td>`).join('')}</tr>`).join('');
  return `<table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function countMap<T>(items: readonly T[], key: (item: T) => string): [string, number][] {
  const m = new Map<string, number>();
  for (const item of items) m.set(key(item), (m.get(key(item)) ?? 0) + 1);
  return [...m].sort((a, b) => b[1] - a[1]);
}

function histogramOf(values: readonly number[], width: number, bins: number): Histogram {
  const counts = new Array<number>(bins).fill(0);
  for (const v of values) counts[Math.min(bins - 1, Math.max(0, Math.floor(v / width)))]! += 1;
  return { start: 0, width, counts };
}

export function renderReport(input: ReportInput): string {
  const { calls, reviews } = input;
  const e = escapeHtml;
  const pass = calls.filter((c) => c.filter === 'PASS').length;
  const abstained = calls.filter((c) => c.filter === 'Abstain').length;
  const byType = countMap(calls, (c) => c.type).map(([type, n]) => [
    e(type),
    fmt(n),
    fmt(calls.filter((c) => c.type === type && c.filter === 'PASS').length),
    fmt(calls.filter((c) => c.type === type && c.filter === 'Abstain').length),
  ]);
  const reasonRows = countMap(
    [...calls.filter((c) => c.abstainReason).map((c) => ({ reason: c.abstainReason!, bp: 0, site: true })), ...input.abstentions.map((a) => ({ reason: a.reason, bp: a.end - a.start, site: false }))],
    (x) => x.reason,
  ).map(([reason]) => [
    `${e(reason)} <span class="muted">${e(input.abstainReasonText[reason] ?? '')}</span>`,
    fmt(calls.filter((c) => c.abstainReason === reason).length),
    fmt(input.abstentions.filter((a) => a.reason === reason).length),
    fmt(input.abstentions.filter((a) => a.reason === reason).reduce((s, a) => s + a.end - a.start, 0)),
  ]);
  const reviewRows = (['accepted', 'rejected', 'uncertain', 'unreviewed'] as const).map((s) => [e(s), fmt(calls.filter((c) => (reviews.get(c.id)?.status ?? 'unreviewed') === s).length)]);
  const verifierRows = countMap(calls, (c) => verifierKind(c)).map(([k, n]) => [e(k === 'none' ? 'none (no verifier ran)' : k), fmt(n)]);
  const expertRows = countMap(
    calls.flatMap((c) => (c.experts && c.experts.length > 0 ? c.experts.map((x) => x.expert) : ['statistical caller, no experts'])),
    (x) => x,
  ).map(([k, n]) => [e(k), fmt(n)]);

  const gqValues = calls.filter((c) => c.gq !== null).map((c) => c.gq!);
  const rc = riskCoverage(calls, reviews);
  const cal = calibrationBins(calls, reviews);
  const maxRisk = niceMax(Math.max(0.001, ...rc.implied.points.map((p) => p.y), ...rc.reviewed.points.map((p) => p.y)));
  const maxCal = niceMax(Math.max(0.001, ...cal.expected.points.map((p) => p.y), ...cal.observed.points.map((p) => p.y)));
  const plots = [
    figure(histogramSvg('Calibrated GQ', 'GQ', histogramOf(gqValues, 5, 20)), 'Genotype quality of called and abstained sites with a GQ.'),
    figure(histogramSvg('Read depth', 'DP', histogramOf(calls.map((c) => c.depth), 5, 30)), 'Reads used for genotyping at each site.'),
    figure(
      lineSvg('Calibration', 'error promised by GQ', 'error observed', [cal.expected, cal.observed], maxCal, maxCal, true),
      'Per GQ bin: the error rate the calibrated GQ promises (on the diagonal) and the share of accepted-or-rejected calls that reviewers rejected. Calibration was fitted on held-out truth: ' + e(input.provenance.calibration),
    ),
    figure(
      lineSvg('Risk–coverage', 'coverage (share of called sites kept)', 'risk (error rate)', [rc.implied, rc.reviewed], 1, maxRisk),
      'As the GQ threshold rises, fewer sites are kept (coverage) and the expected error among them (risk) falls. The reviewed line uses only calls a reviewer accepted or rejected.',
    ),
  ];
  for (const file of input.qcFiles) {
    plots.push(figure(histogramSvg(`Read length: ${file.name}`, 'bp', file.qc.lengthHistogram, 'reads'), `QC of ${e(file.path)}`));
    plots.push(figure(histogramSvg(`Base quality: ${file.name}`, 'Phred', file.qc.qualityHistogram, 'bases'), `QC of ${e(file.path)}`));
  }

  const p = input.provenance;
  const provenanceRows = [
    ['Software', e(p.software)],
    ['Command line', `<span class="mono">${e(p.commandLine)}</span>`],
    ['Model', `${e(p.modelId)}${p.modelVersion ? ` (${e(p.modelVersion)})` : ''}`],
    ['Config hash (SHA-256)', `<span class="mono">${e(p.configHash)}</span>`],
    ['Calibration', e(p.calibration)],
    ['Platform', e(p.platform)],
    ['Reference', `<span class="mono">${e(input.outputs.referencePath)}</span>`],
    ['Output folder', `<span class="mono">${e(input.outputs.outputDir)}</span>`],
    ['Run', `<span class="mono">${e(input.run.id)}</span>, created ${e(input.run.createdAt)}, GenomAIc ${e(input.run.appVersion)}`],
  ];
  const checksumRows = p.inputs.map((i) => [e(i.role), `<span class="mono">${e(i.path)}</span>`, e(i.algorithm), `<span class="mono">${e(i.value)}</span>`]);
  const reviewed = calls.filter((c) => reviews.has(c.id));
  const reviewedRows = reviewed.map((c) => {
    const r = reviews.get(c.id)!;
    return [e(`${c.contig}:${fmt(c.pos)}`), e(`${c.ref}>${c.alts.join(',')}`), e(c.gt), c.gq === null ? '.' : fmt(c.gq), e(r.status), e(r.reviewer), e(r.at), e(r.note)];
  });
  const auditRows = input.audit.map((a) => [fmt(a.seq), e(a.at), e(a.action), e(a.callKey ?? ''), e(a.previousStatus ?? ''), e(a.status ?? ''), e(a.reviewer ?? ''), e(a.note ?? '')]);

  const styleHash = createHash('sha256').update(STYLE).digest('base64');
  const csp = `default-src 'none'; style-src 'sha256-${styleHash}'; img-src data:; base-uri 'none'; form-action 'none'`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${csp}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="referrer" content="no-referrer">
<title>GenomAIc report: ${e(input.outputs.sample)}</title>
<style>${STYLE}</style>
</head>
<body>
<h1>GenomAIc report: ${e(input.outputs.sample)}</h1>
<p class="notice">${e(input.notice)}</p>
<p class="muted">Generated ${e(input.generatedAt)} by ${e(input.software)}. ${fmt(calls.length)} records: ${fmt(pass)} PASS, ${fmt(abstained)} abstained; ${fmt(reviewed.length)} reviewed.</p>
<h2>Calls</h2>
${table(['Type', 'Records', 'PASS', 'Abstain'], byType)}
<h2>Abstentions</h2>
${reasonRows.length > 0 ? table(['Reason', 'Sites (FILTER=Abstain)', 'BED regions', 'BED bp'], reasonRows) : '<p>None.</p>'}
<h2>Review</h2>
${table(['Status', 'Calls'], reviewRows)}
${table(['Verifier verdict', 'Calls'], verifierRows)}
${table(['Expert', 'Calls'], expertRows)}
<h2>Plots</h2>
<div class="plots">${plots.join('\n')}</div>
<h2>Reviewed calls</h2>
${reviewedRows.length > 0 ? table(['Locus', 'Change', 'GT', 'GQ', 'Status', 'Reviewer', 'When', 'Note'], reviewedRows, 3) : '<p>No call has been reviewed.</p>'}
<h2>Provenance</h2>
${table(['', ''], provenanceRows, 9)}
${checksumRows.length > 0 ? table(['Input', 'Path', 'Algorithm', 'Checksum'], checksumRows, 9) : ''}
<h2>Audit log</h2>
${auditRows.length > 0 ? table(['#', 'When', 'Action', 'Call', 'From', 'To', 'Reviewer', 'Note'], auditRows, 9) : '<p>Empty.</p>'}
</body>
</html>
`;
}

function figure(svg: string, caption: string): string {
  return `<figure>${svg}<figcaption>${caption}</figcaption></figure>`;
}
