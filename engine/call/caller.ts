/**
 * `callVariants`: BAM + reference → call records, abstention intervals and run metadata.
 *
 * The contig is processed in tiles. For each tile: fetch the reads overlapping it (plus a
 * margin so windows at the edge see their flanks), build the pileup and candidates, group
 * candidates into windows (realign.ts), genotype each window (genotyper.ts), calibrate the
 * GQ (calibration.ts) and apply abstention (abstention.ts). A window that starts in a tile is
 * finished in that tile even when it reaches into the next, and the next tile starts after
 * it, so no candidate gets two records. The windows just past a tile's end are genotyped with
 * it too, only so that the phased pass has markers on both sides of the tile's last loci; their
 * records come from the next tile.
 */
import type { AbstainReason, AbstentionInterval, CallRecord, GenomicInterval, Platform } from './types.js';
import type { AbstentionConfig, CallerConfig } from './config.js';
import { configHash } from './config.js';
import type { CalibrationModel } from './calibration.js';
import { calibrateGq } from './calibration.js';
import { decideAbstention } from './abstention.js';
import type { LocusGenotype } from './genotyper.js';
import { tilePileupWithCandidates } from './tile-candidates.js';
import type { GenotypedWindow } from './phased-genotyping.js';
import { genotypeCandidateWindows } from './phased-genotyping.js';
import type { BamInput } from './bam-input.js';
import { openBamInput } from './bam-input.js';
import type { CallReference } from './call-reference.js';
import { openCallReference } from './call-reference.js';
import { CallInputError } from './errors.js';
import { EngineError } from '../errors.js';
import { normaliseAlleles } from '../export/normalize.js';
import type { LearnedGenotyper, LearnedGenotyperOptions, TileModelCalls } from './learned.js';
import { loadLearnedGenotyper, modelCallForLocus, modelCallsForTile, recordCalibration } from './learned.js';
import type { ModelCall } from '../model/genotype.js';

export const STAT_MODEL_ID = 'stat-diploid/1';

export interface CallProgress {
  stage: 'call';
  contig: string;
  /** Bases of the requested regions done / total. */
  basesDone: number;
  basesTotal: number;
  records: number;
}

export interface CallOptions {
  bamPath: string;
  referencePath: string;
  config: CallerConfig;
  calibration: CalibrationModel | null;
  /** Regions to call; default every reference contig the BAM also has. */
  regions?: GenomicInterval[];
  /**
   * Abstention settings per class (the calibration's fitted thresholds over the preset,
   * calibration.ts `abstentionByClass`); `config.abstention` for a class without one.
   */
  abstentionByClass?: Partial<Record<'snv' | 'indel', AbstentionConfig>>;
  /** Keep the hard abstention rules but not the GQ thresholds (for fitting calibration). */
  thresholdsOff?: boolean;
  /** The GQ threshold the user set (`--min-gq`): it holds on model-genotyped loci too. */
  userMinGq?: number;
  /**
   * Checkpoint folder of the learned genotyper (opt-in). Bi-allelic loci it genotypes take its
   * genotype and verifier verdict; everything else, and every locus when the checkpoint cannot
   * be used (a warning says why), keeps the statistical genotype.
   */
  modelDir?: string;
  /** How the learned genotyper runs (ablations; the defaults are the product). */
  learnedOptions?: LearnedGenotyperOptions;
  signal?: AbortSignal;
  onProgress?: (p: CallProgress) => void;
}

export interface ContigInfo {
  name: string;
  length: number;
  md5: string;
}

export interface CallRunInfo {
  platform: Platform;
  sample: string;
  contigs: ContigInfo[];
  regions: GenomicInterval[];
  configHash: string;
  calibration: string;
  modelId: string;
  readsSeen: number;
  /** Present only when a learned checkpoint was loaded for the run. */
  learnedModel?: { modelId: string; directory: string; backend: string; weightsSha256: string; fallback: string; /** The GQ calibration of the loci the model genotyped. */ calibration: string };
}

export interface CallResult {
  info: CallRunInfo;
  records: CallRecord[];
  abstentions: AbstentionInterval[];
  /** Things the user must hear about (e.g. no reads at all): printed by the CLI, stored with the run. */
  warnings: string[];
}

/** Parses `contig`, `contig:start-end` (1-based, inclusive, commas allowed) against the reference. */
export function parseRegion(text: string, reference: CallReference): GenomicInterval {
  const match = /^(.+?)(?::([\d,]+)(?:-([\d,]+))?)?$/.exec(text.trim());
  if (!match) throw new CallInputError('region-out-of-range', `region '${text}' is not contig or contig:start-end`);
  const contig = match[1]!;
  const ref = reference.contigs.find((c) => c.name === contig);
  if (!ref) {
    throw new CallInputError('contig-mismatch', `region '${text}': contig '${contig}' is not in the reference (it has ${reference.contigs.slice(0, 5).map((c) => c.name).join(', ')}${reference.contigs.length > 5 ? ', …' : ''})`);
  }
  const start = match[2] ? Number(match[2].replace(/,/g, '')) : 1;
  const end = match[3] ? Number(match[3].replace(/,/g, '')) : match[2] ? start : ref.length;
  if (start < 1 || end < start || end > ref.length) {
    throw new CallInputError('region-out-of-range', `region '${text}' is outside contig ${contig} (1-${ref.length})`);
  }
  return { contig, start: start - 1, end };
}

function variantClass(ref: string, alts: string[]): 'snv' | 'indel' {
  return alts.every((a) => a.length === ref.length) ? 'snv' : 'indel';
}

/** Merges per-position low-evidence runs into BED intervals. */
function lowCoverageIntervals(contig: string, origin: number, from: number, to: number, depth: Int32Array, rawDepth: Int32Array, minDepth: number): AbstentionInterval[] {
  const out: AbstentionInterval[] = [];
  let open: AbstentionInterval | null = null;
  for (let p = from; p < to; p++) {
    const raw = rawDepth[p - origin] ?? 0;
    const used = depth[p - origin] ?? 0;
    const reason: AbstainReason | null = raw < minDepth ? 'LOW_DEPTH' : used < minDepth ? 'LOW_MAPQ' : null;
    if (open && (reason !== open.reason || open.end !== p)) {
      out.push(open);
      open = null;
    }
    if (reason) {
      if (open) open.end = p + 1;
      else open = { contig, start: p, end: p + 1, reason };
    }
  }
  if (open) out.push(open);
  return out;
}

function checkCancelled(signal: AbortSignal | undefined): void {
  if (signal?.aborted) throw EngineError.of('cancelled', 'calling cancelled');
}

/** Raw GQ cap of the learned genotyper, as the statistical one's (genotyper.ts MAX_RAW_GQ). */
const MODEL_MAX_RAW_GQ = 1000;

/** QUAL cap of the learned genotyper, as the statistical one's (genotyper.ts MAX_QUAL). */
const MODEL_MAX_QUAL = 3000;

function phredOf(p: number, cap: number): number {
  return p <= 0 ? cap : Math.min(cap, Math.max(0, -10 * Math.log10(p)));
}

/**
 * The locus as the learned genotyper sees it: its genotype (class 0/1/2 of the single alt), raw
 * GQ and PL (its posterior, Phred-scaled and normalised, as DeepVariant writes them) from the
 * verified posterior, which after a re-route is the re-routed expert's. QUAL, the Phred
 * probability of no variant that the caller's QUAL gate reads, is the larger of the model's
 * (its hom-ref probability) and the statistical genotyper's: the model may be sure of a variant
 * the realignment doubts (a homopolymer indel whose reads scatter over −1 and −2), while its
 * temperature-softened tail must not pull down the QUAL of a variant the realignment is sure of.
 * With `statisticalPresence` (ablation) QUAL and PL stay the statistical genotyper's. The
 * evidence stays statistical: the hard rules read it.
 */
function withModelGenotype(locus: LocusGenotype, call: ModelCall, statisticalPresence: boolean): LocusGenotype {
  const posterior = call.verifier.posterior;
  const best = Math.max(...posterior);
  // 1 − P(GT) as the sum of the other genotypes' probabilities: exact where P(GT) rounds to 1
  // in single precision, so a confident call's raw GQ is not capped near 70 (as genotyper.ts).
  const called = call.verifier.genotype;
  const rawGq = phredOf(posterior.reduce((sum, p, g) => (g === called ? sum : sum + p), 0), MODEL_MAX_RAW_GQ);
  const genotype: [number, number] = call.verifier.genotype === 0 ? [0, 0] : call.verifier.genotype === 1 ? [0, 1] : [1, 1];
  if (statisticalPresence) return { ...locus, genotype, posterior: best, rawGq };
  const phreds = posterior.map((p) => phredOf(p, MODEL_MAX_QUAL));
  const floor = Math.min(...phreds);
  return { ...locus, genotype, posterior: best, rawGq, qual: Math.max(locus.qual, phreds[0]!), pl: phreds.map((x) => Math.round(x - floor)) };
}

function learnedProvenance(call: ModelCall): NonNullable<CallRecord['learned']> {
  const v = call.verifier;
  return {
    experts: call.provenance.experts,
    verdict: call.provenance.verdict,
    reroutedTo: call.provenance.reroutedTo,
    reason: v.verdict.kind === 'abstain' ? v.verdict.reason : null,
    findings: v.findings,
    posterior: [v.posterior[0], v.posterior[1], v.posterior[2]].map((p) => Math.round(p * 1e4) / 1e4) as [number, number, number],
  };
}

function toRecord(contig: string, statLocus: LocusGenotype, baseConfig: CallerConfig, calibration: CalibrationModel | null, thresholdsOff: boolean, abstentionByClass: CallOptions['abstentionByClass'], modelCall: ModelCall | null = null, statisticalPresence = false): CallRecord | null {
  const locus = modelCall ? withModelGenotype(statLocus, modelCall, statisticalPresence) : statLocus;
  const cls = variantClass(locus.ref, locus.alts);
  const classAbstention = abstentionByClass?.[cls];
  const config = classAbstention === undefined ? baseConfig : { ...baseConfig, abstention: classAbstention };
  const gq = calibrateGq(calibration, cls, locus.rawGq);
  const statDecision = decideAbstention(locus, gq, config.abstention, thresholdsOff);
  // The verifier's abstention stands next to the caller's rules; a caller rule that fired comes first.
  const verifierReason = modelCall && modelCall.verifier.verdict.kind === 'abstain' ? modelCall.verifier.verdict.reason : null;
  const decision = verifierReason === null ? statDecision : {
    reason: statDecision.reason ?? verifierReason,
    diagnostics: statDecision.diagnostics.includes(verifierReason) ? statDecision.diagnostics : [...statDecision.diagnostics, verifierReason],
  };
  const isVariant = locus.genotype[1] > 0;
  // A confident reference genotype needs no record; an uncertain one with alt evidence is an abstention.
  if (!isVariant) {
    const altEvidence = locus.alleleDepths.slice(1).some((d) => d >= config.minAltReads);
    if (thresholdsOff || gq >= config.abstention.minGq || !altEvidence || locus.qual < 3) return null;
  }
  const normalised = normaliseAlleles(locus.pos, locus.ref, locus.alts);
  const abstain = decision.reason !== null || !isVariant;
  const reason: AbstainReason | null = decision.reason ?? (!isVariant ? 'MODEL_UNCERTAIN' : null);
  return {
    contig,
    pos: normalised.pos,
    ref: normalised.ref,
    alts: normalised.alts,
    qual: Math.round(locus.qual * 100) / 100,
    genotype: abstain ? null : locus.genotype,
    bestGenotype: locus.genotype,
    gq,
    rawGq: Math.round(locus.rawGq * 100) / 100,
    pl: locus.pl,
    depth: locus.evidence.depth,
    alleleDepths: locus.alleleDepths,
    evidence: locus.evidence,
    filter: abstain ? 'Abstain' : 'PASS',
    abstainReason: abstain ? reason : null,
    diagnostics: decision.diagnostics,
    modelId: modelCall ? modelCall.provenance.modelId : STAT_MODEL_ID,
    method: locus.method,
    support: locus.support,
    ...(modelCall ? { learned: learnedProvenance(modelCall) } : {}),
  };
}

export async function callVariants(options: CallOptions): Promise<CallResult> {
  const { config } = options;
  const reference = await openCallReference(options.referencePath);
  const bam = await openBamInput(options.bamPath, reference, { skipAnomalousPairs: config.skipAnomalousPairs ?? false });
  const bamContigs = new Set(bam.contigs.map((c) => c.name));
  const regions = options.regions ?? reference.contigs.filter((c) => bamContigs.has(c.name)).map((c) => ({ contig: c.name, start: 0, end: c.length }));
  for (const r of regions) {
    if (!bamContigs.has(r.contig)) {
      throw new CallInputError('contig-mismatch', `contig '${r.contig}' is in the reference but not in ${options.bamPath} (BAM contigs: ${[...bamContigs].slice(0, 5).join(', ')}${bamContigs.size > 5 ? ', …' : ''})`, options.bamPath);
    }
    const ref = reference.contigs.find((c) => c.name === r.contig);
    if (!ref) throw new CallInputError('contig-mismatch', `contig '${r.contig}' is not in the reference ${reference.path}`, reference.path);
    if (r.start < 0 || r.end > ref.length || r.end <= r.start) {
      throw new CallInputError('region-out-of-range', `region ${r.contig}:${r.start + 1}-${r.end} is outside contig ${r.contig} (1-${ref.length})`);
    }
  }
  const calledContigs = [...new Set(regions.map((r) => r.contig))];
  const contigs: ContigInfo[] = [];
  for (const c of reference.contigs) contigs.push({ name: c.name, length: c.length, md5: calledContigs.includes(c.name) || reference.contigs.length <= 100 ? await reference.md5(c.name) : '' });

  const records: CallRecord[] = [];
  const abstentions: AbstentionInterval[] = [];
  const warnings: string[] = [];
  const basesTotal = regions.reduce((s, r) => s + (r.end - r.start), 0);
  let basesDone = 0;
  let readsSeen = 0;
  const margin = config.flank + config.maxIndelLength + 50;
  // Once per run; null (statistical only) when not asked for or not usable, with a warning for the latter.
  const learned: LearnedGenotyper | null = await loadLearnedGenotyper(options.modelDir, config.platform, warnings, options.learnedOptions);
  // The preset says which classes the model genotypes (ONT indels stay statistical: configs/call/ont.yaml).
  const learnedClasses = new Set(config.learnedClasses ?? ['snv', 'indel']);

  try {
    for (const region of regions) {
      const sequence = await reference.sequence(region.contig);
      let cursor = region.start;
      let regionReads = 0;
      let unfinishedTile: (() => Promise<void>) | null = null;
      while (cursor < region.end) {
        checkCancelled(options.signal);
        const tileEnd = Math.min(region.end, cursor + config.tileSize);
        const fetchStart = Math.max(0, cursor - margin);
        const fetchEnd = Math.min(sequence.length, tileEnd + margin + 1000);
        const reads = await bam.fetch(region.contig, fetchStart, fetchEnd);
        reads.sort((a, b) => a.start - b.start);
        regionReads += reads.filter((r) => r.end > cursor && r.start < tileEnd).length;
        const pileup = tilePileupWithCandidates(reads, sequence, fetchStart, fetchEnd, cursor, Math.min(region.end, tileEnd + 1000), config);
        // Every window of the fetched span is genotyped and phased together: the windows past
        // the tile's end give the phased pass their markers (the next tile genotypes them again
        // for its own records), and the model's statistical verdict is read from the same pass
        // (baseline-evidence.ts, as in training) instead of a second genotyping of the tile.
        const allWindows = genotypeCandidateWindows(pileup.candidates, reads, sequence, config);
        // Handed to the inference worker now; awaited when the next tile's statistical pass is done.
        const pendingModelCalls: Promise<TileModelCalls> | null = learned ? modelCallsForTile(learned, reads, sequence, fetchStart, fetchEnd, pileup.candidates, config, options.abstentionByClass, allWindows) : null;
        // Awaited below; until then a failure must not count as an unhandled rejection (it is rethrown there).
        pendingModelCalls?.catch(() => undefined);
        let nextCursor = tileEnd;
        const genotyped: GenotypedWindow[] = [];
        for (const entry of allWindows) {
          const { window } = entry;
          const firstPos = Math.min(...window.candidates.map((c) => c.pos), ...window.dropped.map((c) => c.pos));
          if (firstPos >= tileEnd && tileEnd < region.end) break;
          const lastPos = Math.max(...window.candidates.map((c) => c.pos), ...window.dropped.map((c) => c.pos));
          nextCursor = Math.max(nextCursor, lastPos + 1);
          genotyped.push(entry);
        }
        nextCursor = Math.min(region.end, nextCursor);
        const tileStart = cursor;
        const tileNext = nextCursor;
        const finishTile = async (): Promise<void> => {
          const modelCalls: TileModelCalls | null = pendingModelCalls ? await pendingModelCalls : null;
          const tileRecords: CallRecord[] = [];
          for (const { window, loci } of genotyped) {
            for (const locus of loci) {
              const modelCall = learnedClasses.has(variantClass(locus.ref, locus.alts)) ? modelCallForLocus(modelCalls, locus, sequence) : null;
              // A model-genotyped locus takes the model's own GQ calibration and GQ thresholds when the checkpoint has them.
              const gqMap = recordCalibration(learned, modelCall, options.calibration, options.abstentionByClass, options.userMinGq);
              const record = toRecord(region.contig, locus, config, gqMap.calibration, options.thresholdsOff ?? false, gqMap.abstentionByClass, modelCall, learned?.options.statisticalPresence ?? false);
              if (record) tileRecords.push(record);
            }
            for (const d of window.dropped) {
              abstentions.push({ contig: region.contig, start: d.pos, end: d.pos + d.ref.length, reason: 'CONFLICTING_EVIDENCE' });
            }
          }
          tileRecords.sort((a, b) => a.pos - b.pos || a.ref.length - b.ref.length);
          records.push(...tileRecords);
          abstentions.push(...lowCoverageIntervals(region.contig, pileup.origin, tileStart, tileNext, pileup.depth, pileup.rawDepth, config.abstention.minDepth));
          for (const r of tileRecords) {
            if (r.filter === 'Abstain' && r.abstainReason) abstentions.push({ contig: r.contig, start: r.pos, end: r.pos + r.ref.length, reason: r.abstainReason });
          }
          basesDone += tileNext - tileStart;
          options.onProgress?.({ stage: 'call', contig: region.contig, basesDone, basesTotal, records: records.length });
        };
        if (pendingModelCalls) {
          // One tile behind: the previous tile's forward pass ran in the inference worker during
          // this tile's statistical pass, and this tile's runs during the next one's.
          await unfinishedTile?.();
          unfinishedTile = finishTile;
        } else {
          await finishTile();
        }
        cursor = nextCursor;
        // Let cancellation and progress events through between tiles.
        await new Promise<void>((resolve) => setImmediate(resolve));
      }
      await unfinishedTile?.();
      readsSeen += regionReads;
      if (regionReads === 0) {
        warnings.push(`no reads in ${region.contig}:${region.start + 1}-${region.end}: nothing can be called there (the whole region is in the abstention BED as LOW_DEPTH)`);
      }
    }
  } finally {
    // The inference worker and the weights in tfjs memory; also when the run fails or is cancelled.
    await learned?.close();
  }
  abstentions.sort((a, b) => contigs.findIndex((c) => c.name === a.contig) - contigs.findIndex((c) => c.name === b.contig) || a.start - b.start || a.end - b.end);
  return {
    info: {
      platform: config.platform,
      sample: bam.sample ?? 'SAMPLE',
      contigs,
      regions,
      configHash: configHash(config),
      calibration: options.calibration ? `${options.calibration.method} (${options.calibration.fittedOn.description}, ${options.calibration.fittedOn.date})` : 'none (raw posterior GQ)',
      modelId: learned ? `${learned.manifest.modelId}+${STAT_MODEL_ID}` : STAT_MODEL_ID,
      readsSeen,
      ...(learned
        ? {
            learnedModel: {
              modelId: learned.manifest.modelId,
              directory: learned.directory,
              backend: learned.backend,
              weightsSha256: learned.manifest.weights.sha256,
              fallback: `${STAT_MODEL_ID} for multi-allelic loci and loci without a model call`,
              calibration: learned.gqCalibration ? `${learned.gqCalibration.method} (${learned.gqCalibration.fittedOn.description}, ${learned.gqCalibration.fittedOn.date})` : 'the statistical calibration (the checkpoint has none for this platform)',
            },
          }
        : {}),
    },
    records,
    abstentions: mergeIntervals(abstentions),
    warnings,
  };
}

/** Merges touching intervals with the same reason (BED stays small). */
function mergeIntervals(intervals: AbstentionInterval[]): AbstentionInterval[] {
  const out: AbstentionInterval[] = [];
  for (const iv of intervals) {
    const last = out[out.length - 1];
    if (last && last.contig === iv.contig && last.reason === iv.reason && iv.start <= last.end) last.end = Math.max(last.end, iv.end);
    else out.push({ ...iv });
  }
  return out;
}

export type { BamInput };
