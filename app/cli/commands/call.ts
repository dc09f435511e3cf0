import { resolve } from 'node:path';
import type { CliCommand } from '../command.js';
import { EXIT } from '../command.js';
import type { ParsedArgs } from '../args.js';
import { boolFlag, stringFlag, UsageError } from '../args.js';
import { lineReporter } from '../progress.js';
import { runCancellableCommand } from '../run-command.js';
import type { CallJobRequest } from '../../../engine/call/call-job.js';
import { describeCallProgress, runCallJob, summariseCalls } from '../../../engine/call/call-job.js';
import type { Platform } from '../../../engine/call/types.js';

const USAGE = `Usage: genomaic call --ref REF.fa IN.bam -o OUT.vcf.gz [options]

Calls SNVs and indels (up to 50 bp) from a coordinate-sorted, indexed BAM with the
statistical diploid genotyper, calibrated GQ and explicit abstention. Writes
  OUT.vcf.gz + OUT.vcf.gz.tbi   VCF 4.3 (FORMAT GT:GQ:DP:AD:PL), no-calls as ./. FILTER=Abstain
  OUT.abstain.bed               regions and sites where the caller declined, with the reason
  OUT.provenance.jsonl          per record: supporting/opposing reads, strand counts, checksums

Options:
  --ref FILE         reference FASTA (.fai beside it is used when present)     (required)
  -o, --output FILE  output VCF (.vcf.gz)                                       (required)
  --platform P       illumina, hifi or ont (default: from the BAM's @RG PL)
  --config FILE      caller preset YAML (default configs/call/<platform>.yaml)
  --region R         contig or contig:start-end (1-based); repeatable; default all contigs
  --min-gq N         abstain below this calibrated GQ, both classes (default: the per-class
                     thresholds fitted with the calibration, configs/call/calibration.<platform>.json)
  --no-calibration   report the model's raw posterior GQ (no calibration map, and the preset's
                     own abstention thresholds instead of the fitted ones)
  --no-threshold     keep hard abstention rules but not the GQ and QUAL thresholds
  --model DIR        learned genotyper checkpoint folder (default: the shipped one,
                     assets/models/genomeltm-moe-small); the loci it genotypes carry INFO/MID,
                     VV (verifier verdict), EXW (expert weights). If the checkpoint cannot be
                     used, a warning says why and the statistical genotyper is used
  --statistical      the statistical genotyper only, no learned model
  --json             print a JSON summary on stdout
  -h, --help         this text

Exit codes: 0 done, 1 bad input (unindexed/unsorted BAM, BAM from another reference,
unknown contig), 2 usage (e.g. a region outside its contig), 3 internal error, 130 cancelled.`;

const FLAGS = {
  ref: { type: 'string' },
  output: { type: 'string', short: 'o' },
  platform: { type: 'string' },
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

const PLATFORMS: readonly Platform[] = ['illumina', 'hifi', 'ont'];

export function parseCallFlags(parsed: ParsedArgs): Omit<CallJobRequest, 'bamPath' | 'outputPath' | 'commandLine'> {
  const referencePath = stringFlag(parsed, 'ref');
  if (!referencePath) throw new UsageError('--ref is required');
  const platformText = stringFlag(parsed, 'platform');
  if (platformText !== undefined && !(PLATFORMS as readonly string[]).includes(platformText)) throw new UsageError(`--platform must be one of ${PLATFORMS.join(', ')}`);
  const minGqText = stringFlag(parsed, 'min-gq');
  const minGq = minGqText === undefined ? null : Number(minGqText);
  if (minGq !== null && (!Number.isFinite(minGq) || minGq < 0 || minGq > 99)) throw new UsageError('--min-gq must be a number from 0 to 99');
  const regionFlag = parsed.flags.region;
  return {
    referencePath,
    platform: (platformText as Platform | undefined) ?? null,
    configPath: stringFlag(parsed, 'config') ?? null,
    regions: Array.isArray(regionFlag) ? regionFlag : [],
    minGq,
    calibrate: !boolFlag(parsed, 'no-calibration'),
    thresholds: !boolFlag(parsed, 'no-threshold'),
    modelDir: modelDirFlag(parsed),
    statisticalOnly: boolFlag(parsed, 'statistical'),
  };
}

function modelDirFlag(parsed: ParsedArgs): string | null {
  const dir = stringFlag(parsed, 'model');
  if (dir === undefined) return null;
  if (boolFlag(parsed, 'statistical')) throw new UsageError('--model and --statistical exclude each other');
  if (dir.trim() === '') throw new UsageError('--model needs a checkpoint folder');
  // Absolute, so the warning, the VCF header and the sidecar name the folder unambiguously.
  return resolve(dir);
}

export const callCommand: CliCommand = {
  name: 'call',
  summary: 'call SNVs and indels from a BAM: calibrated VCF 4.3 + abstention BED + provenance',
  usage: USAGE,
  run(argv, io) {
    return runCancellableCommand('call', USAGE, FLAGS, argv, io, async (parsed, signal) => {
      if (parsed.positionals.length !== 1) throw new UsageError(parsed.positionals.length === 0 ? 'no BAM given' : 'give exactly one BAM');
      const outputPath = stringFlag(parsed, 'output');
      if (!outputPath) throw new UsageError('-o/--output is required');
      if (!/\.vcf\.gz$/i.test(outputPath)) throw new UsageError('the output must end in .vcf.gz (it is bgzipped and tabix-indexed)');
      const flags = parseCallFlags(parsed);
      const lines = lineReporter(io);
      const outcome = await runCallJob(
        { ...flags, bamPath: parsed.positionals[0]!, outputPath: resolve(outputPath), commandLine: ['genomaic', 'call', ...argv].join(' ') },
        signal,
        (progress) => lines.update(describeCallProgress(progress)),
      );
      lines.done();
      for (const w of outcome.result.warnings) io.stderr.write(`genomaic call: warning: ${w}\n`);
      const summary = summariseCalls(outcome);
      if (boolFlag(parsed, 'json')) {
        io.stdout.write(`${JSON.stringify({ ...outcome.paths, platform: outcome.platform, platformSource: outcome.platformSource, seconds: outcome.seconds, ...summary, warnings: outcome.result.warnings }, null, 2)}\n`);
      } else {
        io.stderr.write(
          `genomaic call: ${summary.pass} calls (${summary.snv} SNV, ${summary.indel} indel), ${summary.abstained} abstained, platform ${outcome.platform} (${outcome.platformSource}), ${outcome.seconds.toFixed(1)} s\n` +
            `  ${outcome.paths.vcf}\n  ${outcome.paths.tbi}\n  ${outcome.paths.bed}\n  ${outcome.paths.sidecar}\n`,
        );
      }
      return EXIT.ok;
    });
  },
};
