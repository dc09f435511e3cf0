import type { CliCommand } from '../command.js';
import { EXIT } from '../command.js';
import { boolFlag, parseArgs, stringFlag, UsageError } from '../args.js';
import { parseCallFlags, reportFailure } from './call.js';
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
  --config FILE, --region R, --min-gq N, --no-calibration, --no-threshold, --model DIR: as for genomaic call
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
      let lastLine = 0;
      const progress = (p: AnalyzeProgress): void => {
        const line = p.stage === 'call' ? describeCallProgress(p.call) : describeAlignProgress(p.align);
        const now = Date.now();
        if (io.stderrIsTty) io.stderr.write(`\r\x1b[2K${line}`);
        else if (now - lastLine > 3000) {
          io.stderr.write(`${line}\n`);
          lastLine = now;
        }
      };
      const sample = stringFlag(parsed, 'sample');
      const outcome = await analyzeSample(
        {
          readPaths: parsed.positionals,
          referencePath: flags.referencePath,
          outputDir: outDir,
          platform: flags.platform,
          ...(sample ? { sample } : {}),
          call: { configPath: flags.configPath, regions: flags.regions, minGq: flags.minGq, calibrate: flags.calibrate, thresholds: flags.thresholds, modelDir: flags.modelDir },
          commandLine: ['genomaic', 'analyze', ...argv].join(' '),
        },
        { signal: controller.signal, onProgress: progress },
      );
      if (io.stderrIsTty) io.stderr.write('\r\x1b[2K');
      for (const w of outcome.warnings) io.stderr.write(`genomaic analyze: warning: ${w}\n`);
      if (boolFlag(parsed, 'json')) {
        io.stdout.write(`${JSON.stringify({ sample: outcome.sample, bam: outcome.bamPath, ...outcome.call.paths, report: outcome.reportPath, ...outcome.summary }, null, 2)}\n`);
      } else {
        io.stderr.write(`genomaic analyze: ${outcome.summary.pass} calls, ${outcome.summary.abstained} abstained; outputs in ${outDir}\n`);
      }
      return EXIT.ok;
    } catch (err) {
      return reportFailure('analyze', err, io, USAGE);
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};
