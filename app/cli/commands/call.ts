import { resolve } from 'node:path';
import type { CliCommand, CliIo } from '../command.js';
import { EXIT } from '../command.js';
import type { ParsedArgs } from '../args.js';
import { boolFlag, parseArgs, stringFlag, UsageError } from '../args.js';
import { formatGenomaicError, toGenomaicError } from '../../../engine/errors.js';
import type { CallResult } from '../../../engine/call/caller.js';
import { callVariants, parseRegion } from '../../../engine/call/caller.js';
import { loadCallerConfig, loadPlatformPreset } from '../../../engine/call/config.js';
import { loadCalibration } from '../../../engine/call/calibration.js';
import { openCallReference } from '../../../engine/call/reference-input.js';
import { openBamInput } from '../../../engine/call/bam-input.js';
import { platformFromReadGroup } from '../../../engine/call/platform.js';
import type { Platform } from '../../../engine/call/types.js';
import type { CallOutputPaths } from '../../../engine/export/write-calls.js';
import { writeCallOutputs } from '../../../engine/export/write-calls.js';

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
  --min-gq N         abstain below this calibrated GQ (default: the preset's abstention.minGq)
  --no-calibration   report the model's raw posterior GQ (no calibration map)
  --no-threshold     keep hard abstention rules but not the GQ thresholds
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
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

const PLATFORMS: readonly Platform[] = ['illumina', 'hifi', 'ont'];

export interface CallJobRequest {
  bamPath: string;
  referencePath: string;
  outputPath: string;
  platform: Platform | null;
  configPath: string | null;
  regions: string[];
  minGq: number | null;
  calibrate: boolean;
  thresholds: boolean;
  commandLine: string;
}

export interface CallJobOutcome {
  result: CallResult;
  paths: CallOutputPaths;
  platform: Platform;
  platformSource: 'flag' | 'read-group' | 'config';
  seconds: number;
}

/** The whole `call` job, shared by `call` and `analyze` (and the engine job the lead wires). */
export async function runCallJob(req: CallJobRequest, signal: AbortSignal, onProgress: (line: string) => void): Promise<CallJobOutcome> {
  const started = performance.now();
  const reference = await openCallReference(req.referencePath);
  let platform = req.platform;
  let platformSource: CallJobOutcome['platformSource'] = 'flag';
  let config = req.configPath ? loadCallerConfig(req.configPath) : null;
  if (!platform && config) {
    platform = config.platform;
    platformSource = 'config';
  }
  if (!platform) {
    const bam = await openBamInput(req.bamPath, reference);
    platform = platformFromReadGroup(bam.platformTag);
    platformSource = 'read-group';
    if (!platform) throw new UsageError(`the BAM's read group names no known platform (PL:${bam.platformTag ?? 'none'}); give --platform illumina|hifi|ont`);
  }
  config ??= loadPlatformPreset(platform);
  const calibration = req.calibrate ? loadCalibration(platform) : null;
  // The threshold fitted with the calibration (risk control on training regions) unless overridden.
  const minGq = req.minGq ?? (req.configPath === null ? calibration?.minGq : undefined) ?? null;
  if (minGq !== null) config = { ...config, abstention: { ...config.abstention, minGq } };
  const regions = req.regions.map((r) => parseRegion(r, reference));
  const result = await callVariants({
    bamPath: req.bamPath,
    referencePath: req.referencePath,
    config,
    calibration,
    regions: regions.length > 0 ? regions : undefined,
    thresholdsOff: !req.thresholds,
    signal,
    onProgress: (p) => onProgress(`call: ${p.contig} ${((100 * p.basesDone) / Math.max(1, p.basesTotal)).toFixed(1)}% (${p.basesDone.toLocaleString('en-US')} of ${p.basesTotal.toLocaleString('en-US')} bp), ${p.records} records`),
  });
  const paths = await writeCallOutputs({ result, vcfPath: req.outputPath, bamPath: req.bamPath, referencePath: req.referencePath, commandLine: req.commandLine, minGq: config.abstention.minGq });
  return { result, paths, platform, platformSource, seconds: (performance.now() - started) / 1000 };
}

export function summariseCalls(outcome: CallJobOutcome): Record<string, number> {
  const records = outcome.result.records;
  const passed = records.filter((r) => r.filter === 'PASS');
  return {
    records: records.length,
    pass: passed.length,
    snv: passed.filter((r) => r.alts.every((a) => a.length === r.ref.length)).length,
    indel: passed.filter((r) => r.alts.some((a) => a.length !== r.ref.length)).length,
    abstained: records.length - passed.length,
    abstentionIntervals: outcome.result.abstentions.length,
  };
}

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
  };
}

/** Maps an error to an exit code and prints it. */
export function reportFailure(command: string, err: unknown, io: CliIo, usage: string): number {
  if (err instanceof UsageError) {
    io.stderr.write(`genomaic ${command}: ${err.message}\n\n${usage}\n`);
    return EXIT.usage;
  }
  const e = toGenomaicError(err);
  io.stderr.write(`genomaic ${command}: ${formatGenomaicError(e)}\n`);
  if (e.code === 'cancelled') return EXIT.cancelled;
  if (e.code === 'internal') return EXIT.internal;
  if (e.code === 'invalid-request') return EXIT.usage;
  return EXIT.badInput;
}

export const callCommand: CliCommand = {
  name: 'call',
  summary: 'call SNVs and indels from a BAM: calibrated VCF 4.3 + abstention BED + provenance',
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
      if (parsed.positionals.length !== 1) throw new UsageError(parsed.positionals.length === 0 ? 'no BAM given' : 'give exactly one BAM');
      const outputPath = stringFlag(parsed, 'output');
      if (!outputPath) throw new UsageError('-o/--output is required');
      if (!/\.vcf\.gz$/i.test(outputPath)) throw new UsageError('the output must end in .vcf.gz (it is bgzipped and tabix-indexed)');
      const flags = parseCallFlags(parsed);
      let lastLine = 0;
      const outcome = await runCallJob(
        { ...flags, bamPath: parsed.positionals[0]!, outputPath: resolve(outputPath), commandLine: ['genomaic', 'call', ...argv].join(' ') },
        controller.signal,
        (line) => {
          const now = Date.now();
          if (io.stderrIsTty) io.stderr.write(`\r\x1b[2K${line}`);
          else if (now - lastLine > 3000) {
            io.stderr.write(`${line}\n`);
            lastLine = now;
          }
        },
      );
      if (io.stderrIsTty) io.stderr.write('\r\x1b[2K');
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
    } catch (err) {
      return reportFailure('call', err, io, USAGE);
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};
