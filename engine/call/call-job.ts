import type { CallProgress, CallResult } from './caller.js';
import { callVariants, parseRegion } from './caller.js';
import { loadCallerConfig, loadPlatformPreset } from './config.js';
import { abstentionByClass, loadCalibration } from './calibration.js';
import { openCallReference } from './call-reference.js';
import { openBamInput } from './bam-input.js';
import { platformFromReadGroup } from './platform.js';
import type { Platform } from './types.js';
import type { CallOutputPaths } from '../export/write-calls.js';
import { writeCallOutputs } from '../export/write-calls.js';
import { EngineError } from '../errors.js';
import { shippedModelDir } from '../model/shipped.js';

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
  /** Learned genotyper checkpoint folder; null: the shipped one (engine/model/shipped.ts). */
  modelDir: string | null;
  /** Statistical genotyper only, no learned model (CLI --statistical); default false. */
  statisticalOnly?: boolean;
  commandLine: string;
}

export interface CallJobOutcome {
  result: CallResult;
  paths: CallOutputPaths;
  platform: Platform;
  platformSource: 'flag' | 'read-group' | 'config';
  seconds: number;
}

/** The whole `call` job: reference, BAM, preset, calibration → VCF + BED + sidecar. Shared by the CLI and the engine's analyze runs. */
export async function runCallJob(req: CallJobRequest, signal: AbortSignal, onProgress: (progress: CallProgress) => void): Promise<CallJobOutcome> {
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
    if (!platform) throw EngineError.of('invalid-request', `the BAM's read group names no known platform (PL:${bam.platformTag ?? 'none'}); give the platform (illumina, hifi or ont)`);
  }
  config ??= loadPlatformPreset(platform);
  const calibration = req.calibrate ? loadCalibration(platform) : null;
  // The threshold fitted with the calibration (risk control on training regions) unless overridden.
  const minGq = req.minGq ?? (req.configPath === null ? calibration?.minGq : undefined) ?? null;
  if (minGq !== null) config = { ...config, abstention: { ...config.abstention, minGq } };
  // Per-class thresholds (rules and GQ) come with the calibration; --min-gq replaces the GQ
  // threshold of both classes, and a preset given with --config is used as it is.
  const byClass = req.configPath === null ? abstentionByClass(config.abstention, calibration, req.minGq) : undefined;
  const regions = req.regions.map((r) => parseRegion(r, reference));
  const result = await callVariants({
    bamPath: req.bamPath,
    referencePath: req.referencePath,
    config,
    calibration,
    regions: regions.length > 0 ? regions : undefined,
    thresholdsOff: !req.thresholds,
    ...(byClass ? { abstentionByClass: byClass } : {}),
    ...(req.minGq !== null ? { userMinGq: req.minGq } : {}),
    ...(req.statisticalOnly ? {} : { modelDir: req.modelDir ?? shippedModelDir() }),
    signal,
    onProgress,
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

/** One line for a terminal or a log. */
export function describeCallProgress(p: CallProgress): string {
  return `call: ${p.contig} ${((100 * p.basesDone) / Math.max(1, p.basesTotal)).toFixed(1)}% (${p.basesDone.toLocaleString('en-US')} of ${p.basesTotal.toLocaleString('en-US')} bp), ${p.records} records`;
}
