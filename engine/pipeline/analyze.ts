/**
 * One sample from FASTQ to calls: align (built-in aligner → sorted BAM + BAI), call (VCF 4.3 +
 * .tbi, abstention BED, provenance sidecar), and a short report. The CLI's `analyze` and the
 * engine's analyze runs both go through here, so they write the same files the same way.
 */
import { mkdirSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { alignReads, type AlignProgress } from '../align/align-reads.js';
import { importBam } from '../align/bam-import.js';
import type { CallProgress } from '../call/caller.js';
import { runCallJob, summariseCalls, type CallJobOutcome, type CallJobRequest } from '../call/call-job.js';
import { ABSTAIN_REASON_TEXT, type AbstainReason, type Platform } from '../call/types.js';
import { writeFileAtomically } from '../formats/atomic-file.js';

export interface AnalyzeRequest {
  readPaths: string[];
  referencePath: string;
  outputDir: string;
  /** null: the aligner detects it from the reads and the caller reads it from the BAM's read group. */
  platform: Platform | null;
  sample?: string;
  /** Caller settings (preset file, regions, thresholds); defaults as `genomaic call`. */
  call?: Partial<Pick<CallJobRequest, 'configPath' | 'regions' | 'minGq' | 'calibrate' | 'thresholds' | 'modelDir' | 'statisticalOnly'>>;
  commandLine: string;
  /** Alignment worker threads; default every core. */
  threads?: number;
}

export type AnalyzeProgress = { stage: 'align' | 'import'; align: AlignProgress } | { stage: 'call'; call: CallProgress };

export interface AnalyzeOutcome {
  sample: string;
  bamPath: string;
  reportPath: string;
  /** One line on where the alignments came from, for the report. */
  alignment: string;
  call: CallJobOutcome;
  summary: Record<string, number>;
  warnings: string[];
}

const PRESET_FOR_PLATFORM: Record<Platform, 'sr' | 'hifi' | 'ont'> = { illumina: 'sr', hifi: 'hifi', ont: 'ont' };

/** A sample name from the first FASTQ's name, without mate and extension suffixes. */
export function sampleNameFromReads(path: string): string {
  return basename(path).replace(/(_R?[12](_\d{3})?)?\.(fastq|fq)(\.b?gz)?$/i, '') || 'sample';
}

export async function analyzeSample(
  request: AnalyzeRequest,
  options: { signal: AbortSignal; onProgress?: (progress: AnalyzeProgress) => void },
): Promise<AnalyzeOutcome> {
  const sample = request.sample ?? sampleNameFromReads(request.readPaths[0] ?? 'sample');
  const outDir = resolve(request.outputDir);
  mkdirSync(outDir, { recursive: true });
  const bamPath = join(outDir, `${sample}.bam`);

  const align = await alignReads({
    referencePath: request.referencePath,
    readPaths: request.readPaths,
    outputPath: bamPath,
    ...(request.platform ? { preset: PRESET_FOR_PLATFORM[request.platform] } : {}),
    ...(request.threads !== undefined ? { threads: request.threads } : {}),
    readGroup: { id: sample, sample },
    signal: options.signal,
    onProgress: (p) => options.onProgress?.({ stage: 'align', align: p }),
    commandLine: request.commandLine,
  });

  const alignment = `GenomAIc built-in, preset ${align.preset}, ${align.reads.toLocaleString('en-US')} reads, ${(100 * align.mappedFraction).toFixed(2)}% mapped`;
  return callAndReport(request, options, { sample, outDir, bamPath, alignment, warnings: align.warnings });
}

/** An existing alignment (another aligner's BAM): imported against the reference, then called. */
export async function analyzeBam(
  request: Omit<AnalyzeRequest, 'readPaths' | 'threads'> & { bamPath: string },
  options: { signal: AbortSignal; onProgress?: (progress: AnalyzeProgress) => void },
): Promise<AnalyzeOutcome> {
  const sample = request.sample ?? basename(request.bamPath).replace(/\.bam$/i, '');
  const outDir = resolve(request.outputDir);
  mkdirSync(outDir, { recursive: true });
  const bamPath = join(outDir, `${sample}.bam`);
  const imported = await importBam({
    referencePath: request.referencePath,
    inputPath: request.bamPath,
    outputPath: bamPath,
    signal: options.signal,
    onProgress: (p) => options.onProgress?.({ stage: 'import', align: p }),
  });
  const alignment = `imported from ${request.bamPath}: ${imported.records.toLocaleString('en-US')} records, ${imported.mapped.toLocaleString('en-US')} mapped`;
  return callAndReport({ ...request, readPaths: [request.bamPath] }, options, { sample, outDir, bamPath, alignment, warnings: imported.warnings });
}

async function callAndReport(
  request: AnalyzeRequest,
  options: { signal: AbortSignal; onProgress?: (progress: AnalyzeProgress) => void },
  aligned: { sample: string; outDir: string; bamPath: string; alignment: string; warnings: string[] },
): Promise<AnalyzeOutcome> {
  const { sample, outDir, bamPath, alignment } = aligned;
  const call = await runCallJob(
    {
      bamPath,
      referencePath: request.referencePath,
      outputPath: join(outDir, `${sample}.vcf.gz`),
      platform: request.platform,
      configPath: request.call?.configPath ?? null,
      regions: request.call?.regions ?? [],
      minGq: request.call?.minGq ?? null,
      calibrate: request.call?.calibrate ?? true,
      thresholds: request.call?.thresholds ?? true,
      modelDir: request.call?.modelDir ?? null,
      statisticalOnly: request.call?.statisticalOnly ?? false,
      commandLine: request.commandLine,
    },
    options.signal,
    (p) => options.onProgress?.({ stage: 'call', call: p }),
  );

  const summary = summariseCalls(call);
  const warnings = [...aligned.warnings, ...call.result.warnings];
  const reportPath = join(outDir, 'report.md');
  await writeFileAtomically(reportPath, renderReport(request, sample, alignment, call, summary, warnings));
  return { sample, bamPath, reportPath, alignment, call, summary, warnings };
}

function renderReport(
  request: AnalyzeRequest,
  sample: string,
  alignment: string,
  call: CallJobOutcome,
  summary: Record<string, number>,
  warnings: string[],
): string {
  const reasons = new Map<AbstainReason, number>();
  for (const r of call.result.records) if (r.abstainReason) reasons.set(r.abstainReason, (reasons.get(r.abstainReason) ?? 0) + 1);
  return [
    `# GenomAIc analysis: ${sample}`,
    '',
    `Input: ${request.readPaths.join(', ')}  `,
    `Reference: ${request.referencePath}  `,
    `Alignments: ${alignment}  `,
    `Caller: ${call.result.info.modelId}, platform ${call.platform}, config sha256 ${call.result.info.configHash.slice(0, 12)}…, calibration ${call.result.info.calibration}`,
    '',
    '| calls | SNV | indel | abstained sites | abstention intervals |',
    '| --- | --- | --- | --- | --- |',
    `| ${summary.pass} | ${summary.snv} | ${summary.indel} | ${summary.abstained} | ${summary.abstentionIntervals} |`,
    '',
    '## Abstentions by reason',
    '',
    ...(reasons.size === 0 ? ['None.'] : [...reasons].map(([k, n]) => `- ${k} (${ABSTAIN_REASON_TEXT[k]}): ${n}`)),
    '',
    ...warnings.map((w) => `**Warning:** ${w}`),
    '',
    'Research use only: no medical decision may rest on these calls.',
    '',
  ].join('\n');
}
