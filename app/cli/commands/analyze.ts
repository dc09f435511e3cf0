import type { CliCommand } from '../command.js';
import { EXIT } from '../command.js';
import { boolFlag, stringFlag, UsageError } from '../args.js';
import { lineReporter } from '../progress.js';
import { runCancellableCommand } from '../run-command.js';
import { parseCallFlags } from './call.js';
import { describeCallProgress } from '../../../engine/call/call-job.js';
import { analyzeSample, type AnalyzeProgress } from '../../../engine/pipeline/analyze.js';
import { describeAlignProgress } from './align.js';

const USAGE = `Usage: genomaic analyze --ref REF.fa READS.fq[.gz]... -o OUTDIR/ [options]

FASTQ → BAM → VCF + abstention BED + provenance + report, in OUTDIR:
  sample.bam(.bai)  sample.vcf.gz(.tbi)  sample.abstain.bed  sample.provenance.jsonl  report.md

Options:
  --ref FILE         reference FASTA                                           (required)
  -o, --output DIR   output folder (created)                                   (required)
  --platform P       illumina, hifi or ont (default: detected from the reads)
  --sample NAME      sample name for the read group and VCF (default: first FASTQ's name)
  --config FILE, --region R, --min-gq N, --no-calibration, --no-threshold, --model DIR,
  --statistical      as for genomaic call
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
  model: { type: 'string' },
  statistical: { type: 'boolean' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export const analyzeCommand: CliCommand = {
  name: 'analyze',
  summary: 'FASTQ → aligned BAM → calibrated VCF + abstention BED + report',
  usage: USAGE,
  run(argv, io) {
    return runCancellableCommand('analyze', USAGE, FLAGS, argv, io, async (parsed, signal) => {
      if (parsed.positionals.length === 0) throw new UsageError('no FASTQ given');
      const outDir = stringFlag(parsed, 'output');
      if (!outDir) throw new UsageError('-o/--output DIR is required');
      const flags = parseCallFlags(parsed);
      const lines = lineReporter(io);
      const progress = (p: AnalyzeProgress): void => lines.update(p.stage === 'call' ? describeCallProgress(p.call) : describeAlignProgress(p.align));
      const sample = stringFlag(parsed, 'sample');
      const outcome = await analyzeSample(
        {
          readPaths: parsed.positionals,
          referencePath: flags.referencePath,
          outputDir: outDir,
          platform: flags.platform,
          ...(sample ? { sample } : {}),
          call: { configPath: flags.configPath, regions: flags.regions, minGq: flags.minGq, calibrate: flags.calibrate, thresholds: flags.thresholds, modelDir: flags.modelDir, statisticalOnly: flags.statisticalOnly ?? false },
          commandLine: ['genomaic', 'analyze', ...argv].join(' '),
        },
        { signal: signal, onProgress: progress },
      );
      lines.done();
      for (const w of outcome.warnings) io.stderr.write(`genomaic analyze: warning: ${w}\n`);
      if (boolFlag(parsed, 'json')) {
        io.stdout.write(`${JSON.stringify({ sample: outcome.sample, bam: outcome.bamPath, ...outcome.call.paths, report: outcome.reportPath, ...outcome.summary }, null, 2)}\n`);
      } else {
        io.stderr.write(`genomaic analyze: ${outcome.summary.pass} calls, ${outcome.summary.abstained} abstained; outputs in ${outDir}\n`);
      }
      return EXIT.ok;
    });
  },
};
