/**
 * The product's own stages, run on the same inputs as the peers. Each stage is one entry of
 * PRODUCT_STAGES. A stage that produces calls returns their VCF, and run.ts scores it exactly
 * as it scores the peers (same filter, comparator, cross-check).
 *
 * `analyze` runs as `genomaic analyze` would, in a child process (bench/product-child.ts)
 * with a time limit, so a slow or failing product stage is reported, not fatal, and the kit
 * does not depend on the command at compile time.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Platform } from './config.js';
import type { StepRunner } from './exec.js';
import { CommandError } from './exec.js';
import { REPO_ROOT } from './report.js';
import type { ReadSet } from './simulate.js';
import { ingestFastqFiles } from '../engine/ingest/index.js';

export interface ProductInputs {
  reads: ReadSet[];
  reference: string;
  /** samtools-style regions (1-based) to call in. */
  regions: string[];
  /** The same, parsed: for the check that the product was not tuned on them. */
  evaluationRegions: { contig: string; start: number; end: number }[];
  sample: string;
  workDir: string;
  runner: StepRunner;
  timeoutSeconds: number;
  /** The real-read set, when the suite runs it. */
  realReads: { r1: string; r2: string; reference: string } | null;
}

export interface ProductStageResult {
  stage: string;
  /** 'real' = the NA12878 real-read set. */
  platform: Platform | 'real';
  seconds: number;
  ok: boolean;
  /** What a table shows: detected platform, reads, aligner used, etc. */
  detail: Record<string, string | number | boolean | null>;
  /** A VCF of calls to score like a peer's (calling stages). */
  callsVcf?: string;
  error?: string;
}

export interface ProductStage {
  name: string;
  run(inputs: ProductInputs): Promise<ProductStageResult[]>;
}

/** Ingest: stream, validate, QC and detect the platform of each platform's FASTQ files. */
const ingestStage: ProductStage = {
  name: 'ingest',
  async run(inputs) {
    const results: ProductStageResult[] = [];
    for (const set of inputs.reads) {
      const started = performance.now();
      try {
        const result = await ingestFastqFiles(set.fastq, { platform: 'auto' });
        const seconds = (performance.now() - started) / 1000;
        const files = result.files;
        const reads = files.reduce((n, f) => n + f.qc.reads, 0);
        const bases = files.reduce((n, f) => n + f.qc.bases, 0);
        const detected = [...new Set(files.map((f) => f.detected.platform))].join('+');
        results.push({
          stage: 'ingest',
          platform: set.platform,
          seconds,
          ok: files.every((f) => f.detected.platform === set.platform),
          detail: {
            files: files.length,
            reads,
            bases,
            detected,
            confidence: Math.min(...files.map((f) => f.detected.confidence)),
            meanQuality: files.reduce((s, f) => s + f.qc.meanQuality * f.qc.reads, 0) / Math.max(1, reads),
            pairsChecked: result.pairs.length,
            pairsOk: result.pairs.every((p) => p.ok),
            megabasesPerSecond: bases / 1e6 / seconds,
          },
        });
      } catch (err) {
        results.push({ stage: 'ingest', platform: set.platform, seconds: (performance.now() - started) / 1000, ok: false, detail: {}, error: err instanceof Error ? err.message : String(err) });
      }
    }
    return results;
  },
};

/**
 * Regions named in the product's description of its calibration (e.g. "calibration … (HG00096
 * simulated illumina, 20:1000001-2000000, …)") that overlap an evaluation region: the kit's
 * guard against a model tuned on the data it is measured on.
 */
export function overlappingRegions(text: string, evaluation: { contig: string; start: number; end: number }[]): string[] {
  const found: string[] = [];
  for (const m of text.matchAll(/\b([\w.]+):(\d[\d,]*)-(\d[\d,]*)\b/g)) {
    const [contig, start, end] = [m[1]!, Number(m[2]!.replaceAll(',', '')), Number(m[3]!.replaceAll(',', ''))];
    if (evaluation.some((r) => r.contig === contig && start <= r.end && end >= r.start)) found.push(m[0]);
  }
  return found;
}

/** The product's own last error line ("genomaic analyze: …") from a step log, if it wrote one. */
export function productError(logFile: string): string | null {
  if (!existsSync(logFile)) return null;
  const lines = readFileSync(logFile, 'utf8')
    .split('\n')
    .filter((l) => /^genomaic analyze: (?!aligner )/.test(l) || /timed out after/.test(l));
  return lines.at(-1)?.trim().replaceAll(`${REPO_ROOT}/`, '') ?? null;
}

/** Exit code of bench/product-child.ts when the command has not landed. */
const NOT_AVAILABLE_EXIT = 127;

async function runAnalyze(
  inputs: ProductInputs,
  platform: Platform | 'real',
  reads: string[],
  reference: string,
  regions: string[],
  sample: string,
): Promise<ProductStageResult> {
  const outDir = join(inputs.workDir, `analyze-${platform}`);
  const vcf = join(outDir, `${sample}.vcf.gz`);
  const tsx = join(REPO_ROOT, 'node_modules', '.bin', 'tsx');
  const args = [
    join(REPO_ROOT, 'bench', 'product-child.ts'),
    'analyze',
    '--ref',
    reference,
    '--platform',
    platform === 'real' ? 'illumina' : platform,
    '--sample',
    sample,
    ...regions.flatMap((r) => ['--region', r]),
    '-o',
    outDir,
    ...reads,
  ];
  const stepName = `product-analyze-${platform}`;
  const started = performance.now();
  try {
    // The product changes between runs: never reuse an earlier result (the nonce defeats the cache).
    await inputs.runner.step(stepName, { nonce: `${Date.now()}-${Math.random()}` }, [vcf], async (exec) => {
      await exec([{ cmd: 'rm', args: ['-rf', outDir] }]);
      await exec([{ cmd: tsx, args }], { timeoutSeconds: inputs.timeoutSeconds });
    });
    const log = readFileSync(inputs.runner.logFileFor(stepName), 'utf8');
    const reportPath = join(outDir, 'report.md');
    const report = existsSync(reportPath) ? readFileSync(reportPath, 'utf8') : '';
    // report.md names the alignment source first on its "Alignments:" line (built-in aligner or imported BAM).
    const aligner = /^Alignments: ([^,]*?)\s*(?:,|$)/m.exec(report)?.[1] ?? /genomaic analyze: aligner (.*)/.exec(log)?.[1]?.trim() ?? 'unknown';
    const caller = /^Caller: (.*?)\s*$/m.exec(report)?.[1] ?? null;
    const ok = existsSync(vcf);
    return {
      stage: 'analyze',
      platform,
      seconds: (performance.now() - started) / 1000,
      ok,
      detail: { aligner, caller, region: regions.join(', ') || 'all', calibrationOverlapsEvaluation: caller ? overlappingRegions(caller, inputs.evaluationRegions).join(', ') || null : null },
      ...(ok ? { callsVcf: vcf } : { error: 'no VCF written' }),
    };
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    const notAvailable = err instanceof CommandError && message.includes(`exited with ${NOT_AVAILABLE_EXIT}`);
    return {
      stage: 'analyze',
      platform,
      seconds: (performance.now() - started) / 1000,
      ok: false,
      detail: {},
      error: notAvailable ? 'genomaic analyze is not available yet' : productError(inputs.runner.logFileFor(stepName)) ?? message.split('\n')[0]!,
    };
  }
}

/** `genomaic analyze` (FASTQ → BAM → VCF) per platform over the evaluation regions, and on the real reads. */
const analyzeStage: ProductStage = {
  name: 'analyze',
  async run(inputs) {
    const results: ProductStageResult[] = [];
    for (const set of inputs.reads) {
      process.stderr.write(`[bench] product: analyze ${set.platform} …\n`);
      results.push(await runAnalyze(inputs, set.platform, set.fastq, inputs.reference, inputs.regions, inputs.sample));
    }
    if (inputs.realReads) {
      // analyze takes one FASTQ or an R1/R2 pair: the 61 reads whose mate is outside the tiny BAM are not given to it.
      process.stderr.write('[bench] product: analyze real reads …\n');
      results.push(await runAnalyze(inputs, 'real', [inputs.realReads.r1, inputs.realReads.r2], inputs.realReads.reference, [], 'NA12878'));
    }
    return results;
  },
};

/** In run order. Alignment-only or calling-only stages can be added the same way. */
export const PRODUCT_STAGES: readonly ProductStage[] = [ingestStage, analyzeStage];
