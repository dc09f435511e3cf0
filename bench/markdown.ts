/** docs/benchmarks.md section of a kit run: every table from the results JSON, nothing else. */
import type { ClassMetrics, CompareReport } from '../engine/compare/types.js';
import { REPEAT_CONTEXTS } from '../engine/compare/types.js';
import type { KitResults, SmallVariantRow } from './results.js';
import { combined } from './results.js';

const PLATFORM_LABEL = { illumina: 'Illumina 2×150 (ART HS25)', hifi: 'HiFi-like (pbsim)', ont: 'ONT R9-like (pbsim)' } as const;

function f(value: number | null | undefined, digits = 3): string {
  return value === null || value === undefined ? 'n/a' : value.toFixed(digits);
}

function n(value: number): string {
  return value.toLocaleString('en-US');
}

function seconds(s: number): string {
  return s >= 120 ? `${(s / 60).toFixed(1)} min` : `${s.toFixed(1)} s`;
}

function table(header: string[], rows: string[][], align?: ('l' | 'r')[]): string {
  const sep = header.map((_, i) => ((align?.[i] ?? (i === 0 ? 'l' : 'r')) === 'r' ? '---:' : '---'));
  return [`| ${header.join(' | ')} |`, `| ${sep.join(' | ')} |`, ...rows.map((r) => `| ${r.join(' | ')} |`)].join('\n');
}

function recallPrecision(m: ClassMetrics): string {
  return `${f(m.recall)} / ${f(m.precision)}`;
}

function contextCell(report: CompareReport, context: (typeof REPEAT_CONTEXTS)[number]): string {
  const t = report.strata.context[context];
  const all = combinedOf(t.SNP, t.INDEL);
  return `${f(all.recall)} / ${f(all.precision)} (${all.truthTotal})`;
}

function combinedOf(a: ClassMetrics, b: ClassMetrics): { recall: number | null; precision: number | null; truthTotal: number } {
  const truthTotal = a.truthTotal + b.truthTotal;
  const callTotal = a.callTotal + b.callTotal;
  return { truthTotal, recall: truthTotal ? (a.tp + b.tp) / truthTotal : null, precision: callTotal ? (a.tpCall + b.tpCall) / callTotal : null };
}

function smallVariantRows(rows: SmallVariantRow[]): string[][] {
  return rows.map((r) => {
    const all = combined(r.report);
    return [
      PLATFORM_LABEL[r.platform],
      r.label,
      n(all.truthTotal),
      n(all.tp),
      n(all.fp),
      n(all.fn),
      f(all.recall),
      f(all.precision),
      f(all.f1),
      recallPrecision(r.report.metrics.SNP),
      recallPrecision(r.report.metrics.INDEL),
      f(all.genotypeConcordance),
      f(r.report.calibration.expectedCalibrationError, 4),
      r.callSeconds === null ? `${seconds(r.alignSeconds)} (FASTQ → VCF)` : seconds(r.alignSeconds),
      r.callSeconds === null ? '—' : seconds(r.callSeconds),
    ];
  });
}

export function renderKitMarkdown(results: KitResults): string {
  const out: string[] = [];
  const evalRegions = results.regions.all.filter((r) => results.regions.evaluated.includes(r.name));
  out.push(`## Benchmark kit: ${results.suite} suite`);
  out.push('');
  out.push(
    `\`${results.command}\`, ${results.finishedAt.slice(0, 10)}, on ${results.machine}, ${results.threads} threads ` +
      `(1-minute load average ${results.loadAverage.start.toFixed(1)} at start, ${results.loadAverage.end.toFixed(1)} at end: the machine is shared, and wall times include that). ` +
      `Wall time **${seconds(results.wallSeconds)}**, CPU time (all processes, user + system) ${results.cpuSeconds === null ? 'n/a' : seconds(results.cpuSeconds)}${results.steps.some((s) => s.cached) ? ` (${results.steps.filter((s) => s.cached).length} steps reused from the cache; their times below are from the run that made them)` : ' (fresh: nothing reused from the cache)'}. ` +
      `${results.description}.`,
  );
  out.push('');
  out.push(
    `**Truth.** ${results.truth.source}, sample ${results.truth.sample}, over ${evalRegions.map((r) => `${r.name} (20:${n(r.start)}–${n(r.end)})`).join(', ')}: ` +
      `${n(results.truth.snp)} SNVs and ${n(results.truth.indel)} indels (atoms after splitting and atomising). ` +
      `Reads were simulated from both haplotypes over ${results.regions.simulatedSpan} (regions plus flanks), ${results.coveragePerPlatform}× per platform (${results.coveragePerPlatform / 2}× per haplotype), seed ${results.seed}. ` +
      `${results.truth.sanitise.droppedAlleles} phased allele(s) overlapping another allele on the same haplotype were set to reference so the truth describes exactly the simulated sequences. ` +
      'These are simulated reads over real sequence and real genotypes, not real reads: the real-read rows below are the only real-data figures.',
  );
  out.push('');
  out.push('Regions (bench/regions.yaml; training and evaluation never overlap):');
  out.push('');
  out.push(table(['region', 'span (1-based)', 'role', 'in this suite'], results.regions.all.map((r) => [r.name, `20:${n(r.start)}–${n(r.end)}`, r.role, results.regions.evaluated.includes(r.name) ? 'evaluated' : results.regions.simulated.includes(r.name) ? 'simulated' : '—']), ['l', 'l', 'l', 'l']));
  out.push('');

  out.push('### Small variants, simulated reads');
  out.push('');
  out.push(
    'Calls with QUAL ≥ 20, FILTER PASS and a non-reference genotype, matched to the truth haplotype-aware by the comparator (`engine/compare`, as vcfeval: different representations of the same haplotype count as the same). ' +
      'TP counts truth variants found, precision counts call records right; "SNP" and "INDEL" columns are recall / precision. ECE: expected calibration error of GQ as the probability the genotype is wrong (n/a: the caller writes no GQ). ' +
      'GenomAIc rows are the product (`genomaic analyze`), in brackets the aligner it used.',
  );
  out.push('');
  out.push(
    table(
      ['reads', 'pipeline', 'truth', 'TP', 'FP', 'FN', 'recall', 'precision', 'F1', 'SNP', 'INDEL', 'GT conc.', 'GQ ECE', 'align', 'call'],
      smallVariantRows(results.smallVariants),
      ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
    ),
  );
  out.push('');

  if ([...results.smallVariants, ...results.realReads].some((r) => r.label.includes('‡'))) {
    out.push('‡ The product says its GQ calibration was fitted on a stretch that overlaps this suite\'s evaluation regions (see "Product stages"): its GQ-dependent figures (ECE, risk–coverage, abstentions) are not held-out measurements.');
    out.push('');
  }
  out.push('#### Cross-check: `bcftools norm -m -any -a` + `bcftools isec` on the same filtered files');
  out.push('');
  out.push('isec matches records by exact allele after splitting and atomising; the comparator matches haplotypes. Where they differ, the reason for every differing atom:');
  out.push('');
  out.push(
    table(
      ['pipeline', 'comparator TP / FP / FN', 'isec TP / FP / FN', 'agree', 'differences'],
      results.smallVariants.map((r) => {
        const c = r.crossCheck;
        const ours = `${c.comparator.SNP.tp + c.comparator.INDEL.tp} / ${c.comparator.SNP.fp + c.comparator.INDEL.fp} / ${c.comparator.SNP.fn + c.comparator.INDEL.fn}`;
        const theirs = `${c.bcftools.SNP.tp + c.bcftools.INDEL.tp} / ${c.bcftools.SNP.fp + c.bcftools.INDEL.fp} / ${c.bcftools.SNP.fn + c.bcftools.INDEL.fn}`;
        const why = c.differences.length === 0 ? '—' : c.differences.map((d) => `${d.reason}: ${d.truthAtoms} truth, ${d.callAtoms} call atoms (e.g. ${d.examples.slice(0, 2).join(', ')})`).join('; ');
        return [`${r.platform} ${r.label}`, ours, theirs, c.countsAgree ? 'yes' : 'no', why];
      }),
      ['l', 'r', 'r', 'l', 'l'],
    ),
  );
  out.push('');

  out.push('#### By repeat context (recall / precision (truth variants))');
  out.push('');
  out.push(
    table(
      ['pipeline', 'homopolymer ≥ 6', 'tandem repeat (2–6 bp, ≥ 12)', 'other'],
      results.smallVariants.map((r) => [`${r.platform} ${r.label}`, ...REPEAT_CONTEXTS.map((c) => contextCell(r.report, c))]),
      ['l', 'r', 'r', 'r'],
    ),
  );
  out.push('');
  out.push('#### Risk–coverage as the GQ threshold rises (precision / recall)');
  out.push('');
  const thresholds = [0, 10, 20, 30, 50, 99];
  out.push(
    table(
      ['pipeline', ...thresholds.map((t) => `GQ ≥ ${t}`)],
      results.smallVariants.map((r) => [
        `${r.platform} ${r.label}`,
        ...thresholds.map((t) => {
          const p = r.report.riskCoverage.find((x) => x.minGq === t);
          return p ? `${f(p.precision)} / ${f(p.recall)}` : 'n/a';
        }),
      ]),
    ),
  );
  out.push('');

  if (results.structuralVariants.length > 0) {
    out.push('### Structural variants (SURVIVOR simSV on haplotype 1, long reads)');
    out.push('');
    out.push(
      `Truth: ${Object.entries(results.truth.svCounts)
        .map(([t, c]) => `${c} ${t}`)
        .join(', ')} placed by \`SURVIVOR simSV\` on haplotype 1 (which carries the small variants), lifted to GRCh37; heterozygous; evaluated inside the evaluation regions. ` +
        'Separate reads from haplotype 1 + SVs and haplotype 2, same simulators and depth. A call matches within 1 kb with sizes within 2× and compatible type (DUP may be called INS).',
    );
    out.push('');
    out.push(
      table(
        ['reads', 'caller', 'truth', 'TP', 'FP', 'FN', 'recall', 'precision', 'F1', 'DEL recall', 'INS/DUP recall', 'INV recall', 'time'],
        results.structuralVariants.map((r) => {
          const m = r.report.metrics;
          return [PLATFORM_LABEL[r.platform], `minimap2 + ${r.caller}`, n(m.ALL.truth), n(m.ALL.tp), n(m.ALL.fp), n(m.ALL.fn), f(m.ALL.recall), f(m.ALL.precision), f(m.ALL.f1), f(m.DEL.recall), f(m['INS/DUP'].recall), f(m.INV.recall), seconds(r.seconds)];
        }),
        ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
      ),
    );
    out.push('');
  }

  if (results.realReads.length > 0) {
    out.push('### Real reads: NA12878 HiSeq X (freebayes examples/tiny), 14 GIAB SNVs');
    out.push('');
    out.push(
      '3,327 real 2×151 reads over a 12,356 bp chr22 segment, turned back into FASTQ (`samtools collate | samtools fastq`), aligned with bwa mem to the segment (q.fa), calls with QUAL ≥ 20. ' +
        "The GIAB file lists SNVs only and comes without a confident-region BED, so the whole segment is evaluated: SNV rows are scored; indel calls have no truth to be scored against (their 'FP' are unjudged, not errors).",
    );
    out.push('');
    out.push(
      table(
        ['pipeline', 'type', 'truth', 'calls', 'TP', 'FP', 'FN', 'recall', 'precision', 'GT conc.'],
        results.realReads.flatMap((r) =>
          (['SNP', 'INDEL'] as const).map((c) => {
            const m = r.report.metrics[c];
            return [r.label, c, n(m.truthTotal), n(m.callTotal), n(m.tp), n(m.fp), n(m.fn), f(m.recall), f(m.precision), f(m.genotypeConcordance)];
          }),
        ),
        ['l', 'l', 'r', 'r', 'r', 'r', 'r', 'r', 'r', 'r'],
      ),
    );
    out.push('');
  }

  if (results.product.length > 0) {
    out.push('### Product stages on the same inputs');
    out.push('');
    out.push(
      'Ingest: `engine/ingest` `ingestFastqFiles` with platform auto-detection on each platform\'s simulated FASTQ ("right": the detected platform is the simulated one). ' +
        'Analyze: `genomaic analyze` (FASTQ → BAM → VCF, run through bench/product-child.ts with a time limit) over the evaluation regions; its calls are scored in the tables above exactly as the peers\' are. Its time includes alignment (and the reference index it builds).',
    );
    out.push('');
    out.push(
      table(
        ['stage', 'input', 'outcome', 'time'],
        results.product.map((p) => {
          let outcome: string;
          if (p.error) outcome = `failed: ${p.error}`;
          else if (p.stage === 'ingest') {
            const d = p.detail;
            outcome = `detected ${String(d.detected)} (${p.ok ? 'right' : 'wrong'}), ${typeof d.reads === 'number' ? n(d.reads) : '?'} reads, mean Q ${typeof d.meanQuality === 'number' ? d.meanQuality.toFixed(1) : '?'}, ${typeof d.megabasesPerSecond === 'number' ? d.megabasesPerSecond.toFixed(1) : '?'} Mbp/s`;
          } else {
            outcome = `VCF written; aligner: ${String(p.detail.aligner)}${p.detail.caller ? `; caller: ${String(p.detail.caller)}` : ''}`;
            if (p.detail.calibrationOverlapsEvaluation) outcome += ` **— its calibration was fitted on ${String(p.detail.calibrationOverlapsEvaluation)}, which overlaps this suite's evaluation regions: its GQ, ECE and abstention figures here are not held out**`;
          }
          return [p.stage, p.platform === 'real' ? 'NA12878 real reads' : PLATFORM_LABEL[p.platform], outcome, seconds(p.seconds)];
        }),
        ['l', 'l', 'l', 'r'],
      ),
    );
    out.push('');
  }

  out.push('### Reads');
  out.push('');
  out.push(
    table(
      ['platform', 'set', 'simulator', 'reads', 'bases', 'mean length', 'N50', 'mean accuracy'],
      results.reads.map((r) => [r.platform, r.set === 'sv' ? 'SV haplotypes' : 'small variants', r.simulator, n(r.reads), n(r.bases), n(Math.round(r.meanLength)), r.n50 === null ? 'n/a' : n(r.n50), f(r.meanAccuracy)]),
      ['l', 'l', 'l', 'r', 'r', 'r', 'r', 'r'],
    ),
  );
  out.push('');

  out.push('### Wall times per step');
  out.push('');
  out.push('Steps run one after another, except the bwa index, which is built in the background from the start until the first bwa alignment; callers run one process per thread over chunks of the regions.');
  out.push('');
  out.push(table(['step', 'wall time', 'cached'], results.steps.map((s) => [s.name, seconds(s.seconds), s.cached ? 'yes' : ''])));
  out.push('');
  out.push('### Tools');
  out.push('');
  out.push(table(['tool', 'Debian package', 'version', 'used for'], results.tools.map((t) => [t.tool, t.debianPackage, t.version, t.role]), ['l', 'l', 'l', 'l']));
  out.push('');
  out.push('<details><summary>Exact commands, in order</summary>');
  out.push('');
  out.push('```sh');
  for (const s of results.steps) {
    out.push(`# ${s.name}${s.cached ? ' (cached)' : ''}`);
    for (const c of s.commands) out.push(c);
  }
  out.push('```');
  out.push('');
  out.push('</details>');
  return out.join('\n');
}
