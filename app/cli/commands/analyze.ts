import { mkdirSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import type { CliCommand } from '../command.js';
import { EXIT } from '../command.js';
import { boolFlag, parseArgs, stringFlag, UsageError } from '../args.js';
import { parseCallFlags, reportFailure, runCallJob, summariseCalls } from './call.js';
import { resolveAligner } from '../../../engine/call/aligner-bridge.js';
import { ABSTAIN_REASON_TEXT } from '../../../engine/call/types.js';

const USAGE = `Usage: genomaic analyze --ref REF.fa READS.fq[.gz]... -o OUTDIR/ [options]

FASTQ → BAM → VCF + abstention BED + provenance + report, in OUTDIR:
  sample.bam(.bai)  sample.vcf.gz(.tbi)  sample.abstain.bed  sample.provenance.jsonl  report.md

Options:
  --ref FILE         reference FASTA                                           (required)
  -o, --output DIR   output folder (created)                                   (required)
  --platform P       illumina, hifi or ont                                     (required)
  --sample NAME      sample name for the read group and VCF (default: first FASTQ's name)
  --config FILE, --region R, --min-gq N, --no-calibration, --no-threshold: as for genomaic call
  --json             print a JSON summary on stdout
  -h, --help         this text

Exit codes as genomaic call.`;

const FLAGS = {
  ref: { type: 'string' },
  output: { type: 'string', short: 'o' },
  platform: { type: 'string' },
  sample: { type: 'string' },
  config: { type: 'string' },
  region: { type: 'string', multiple: true },
  'min-gq': { type: 'string' },
  'no-calibration': { type: 'boolean' },
  'no-threshold': { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const analyzeCommand: CliCommand = {
  name: 'analyze',
  summary: 'FASTQ → aligned BAM → calibrated VCF + abstention BED + report',
  usage: USAGE,
  async run(argv, io) {
    const controller = new AbortController();
    const onSigint = (): void => controller.abort();
    process.on('SIGINT', onSigint);
    try {
      const parsed = parseArgs(argv, FLAGS);
      if (boolFlag(parsed, 'help')) {
        io.stdout.write(`${USAGE}\n`);
        return EXIT.ok;
      }
      if (parsed.positionals.length === 0) throw new UsageError('no FASTQ given');
      const outDir = stringFlag(parsed, 'output');
      if (!outDir) throw new UsageError('-o/--output DIR is required');
      const flags = parseCallFlags(parsed);
      if (!flags.platform) throw new UsageError('--platform is required (illumina, hifi or ont)');
      const sample = stringFlag(parsed, 'sample') ?? basename(parsed.positionals[0]!).replace(/(_R?[12])?\.(fastq|fq)(\.gz)?$/i, '');
      mkdirSync(outDir, { recursive: true });
      const bamPath = resolve(join(outDir, `${sample}.bam`));
      const progress = (line: string): void => {
        io.stderr.write(io.stderrIsTty ? `\r\x1b[2K${line}` : `${line}\n`);
      };
      const aligner = await resolveAligner();
      io.stderr.write(`genomaic analyze: aligner ${aligner.name}\n`);
      await aligner.align({ referencePath: flags.referencePath, reads: parsed.positionals, platform: flags.platform, outputBam: bamPath, sample, signal: controller.signal, onProgress: progress });
      const outcome = await runCallJob(
        { ...flags, bamPath, outputPath: resolve(join(outDir, `${sample}.vcf.gz`)), commandLine: ['genomaic', 'analyze', ...argv].join(' ') },
        controller.signal,
        progress,
      );
      if (io.stderrIsTty) io.stderr.write('\r\x1b[2K');
      const summary = summariseCalls(outcome);
      const reasons = new Map<string, number>();
      for (const r of outcome.result.records) if (r.abstainReason) reasons.set(r.abstainReason, (reasons.get(r.abstainReason) ?? 0) + 1);
      const report = [
        `# GenomAIc analysis: ${sample}`,
        '',
        `Reads: ${parsed.positionals.join(', ')}  `,
        `Reference: ${flags.referencePath}  `,
        `Aligner: ${aligner.name}  `,
        `Caller: ${outcome.result.info.modelId}, platform ${outcome.platform}, config sha256 ${outcome.result.info.configHash.slice(0, 12)}…, calibration ${outcome.result.info.calibration}`,
        '',
        `| calls | SNV | indel | abstained sites | abstention intervals |`,
        `| --- | --- | --- | --- | --- |`,
        `| ${summary.pass} | ${summary.snv} | ${summary.indel} | ${summary.abstained} | ${summary.abstentionIntervals} |`,
        '',
        '## Abstentions by reason',
        '',
        ...(reasons.size === 0 ? ['None.'] : [...reasons].map(([k, n]) => `- ${k} (${ABSTAIN_REASON_TEXT[k as keyof typeof ABSTAIN_REASON_TEXT]}): ${n}`)),
        '',
        ...outcome.result.warnings.map((w) => `**Warning:** ${w}`),
        '',
        'Research use only: no medical decision may rest on these calls.',
      ].join('\n');
      writeFileSync(join(outDir, 'report.md'), `${report}\n`);
      for (const w of outcome.result.warnings) io.stderr.write(`genomaic analyze: warning: ${w}\n`);
      if (boolFlag(parsed, 'json')) io.stdout.write(`${JSON.stringify({ bam: bamPath, ...outcome.paths, report: join(outDir, 'report.md'), aligner: aligner.name, ...summary }, null, 2)}\n`);
      else io.stderr.write(`genomaic analyze: ${summary.pass} calls, ${summary.abstained} abstained; outputs in ${outDir}\n`);
      return EXIT.ok;
    } catch (err) {
      return reportFailure('analyze', err, io, USAGE);
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};
