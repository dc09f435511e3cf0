/**
 * The learned genotyper against the statistical one, and its ablations, on the benchmark kit
 * (suite large, the kit's peer BAMs: bwa mem for Illumina, minimap2 for HiFi and ONT).
 *
 *   npx tsx bench/model-ablations.ts --fit-calibration [--checkpoint DIR] [--platforms=illumina,hifi,ont]
 *     fits the model's own GQ calibration and per-class thresholds on calib-3m (role calibration
 *     in bench/regions.yaml; never an evaluation region) of the four simulations that cover it
 *     (CALIBRATION_SUITES) on their peer BAMs and of suite large on the GenomAIc aligner's BAM,
 *     each compared with its own truth, the calls pooled; writes DIR/gq-calibration.json;
 *   npx tsx bench/model-ablations.ts --ablations [--checkpoint DIR] [--dense DIR] [--region eval-1m,eval-3m5] [--platforms=…] [--only NAMES]
 *     runs, per platform, the statistical genotyper, the model, the model with the statistical
 *     GQ calibration, the model without MoE (a separately trained one-expert checkpoint), the
 *     model with a short context, the model before the verifier, the model on every class and
 *     the model with the statistical QUAL and PL; compares each with the
 *     truth (SNP and INDEL separately: F1 and expected calibration error of GQ) and saves the
 *     rows per platform (platforms may run as parallel processes);
 *   npx tsx bench/model-ablations.ts --render [--region eval-1m,eval-3m5] [--no-write]
 *     writes the `model-ablations` section of docs/benchmarks.md from the saved rows (evaluation
 *     regions only), with the trained model's effective context on real pileup features.
 *
 * Every run is `callVariants` exactly as `genomaic call` runs it (platform preset, the shipped
 * statistical calibration and its per-class thresholds), with `modelDir` for the model rows.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseArgs } from 'node:util';
import { callVariants, type CallResult } from '../engine/call/caller.js';
import { abstentionByClass, calibrateGq, fitPlatt, MIN_CREDIBLE_GQ, loadCalibration, type CalibrationClass, type CalibrationModel, type CalibrationSample } from '../engine/call/calibration.js';
import { loadPlatformPreset } from '../engine/call/config.js';
import { ruleStatistics, type RuleInput } from '../engine/call/abstention.js';
import { fitAbstentionThresholds, type ThresholdFit } from '../engine/call/abstention-fit.js';
import { MODEL_GATE_KEYS, type LearnedGenotyperOptions } from '../engine/call/learned.js';
import { openBamInput } from '../engine/call/bam-input.js';
import { openCallReference } from '../engine/call/call-reference.js';
import { tilePileupWithCandidates } from '../engine/call/tile-candidates.js';
import type { GenomicInterval, Platform } from '../engine/call/types.js';
import { compareVcfFiles } from '../engine/compare/compare.js';
import { calibration as reliability, eceDifferenceInterval, type SitedCall } from '../engine/compare/metrics.js';
import type { ClassMetrics, CompareReport, VariantClass } from '../engine/compare/types.js';
import { writeCallOutputs } from '../engine/export/write-calls.js';
import { selectBackend } from '../engine/model/backend.js';
import { baselineEvidenceByColumn, placeCandidateColumns } from '../engine/model/baseline-evidence.js';
import { loadCheckpoint } from '../engine/model/checkpoint.js';
import { kitDatasets, type ModelTrainingConfig } from '../engine/model/config.js';
import { measureEffectiveContext } from '../engine/model/effective-context.js';
import { encodeTile } from '../engine/model/features.js';
import { saveModelGqCalibration, GQ_CALIBRATION_SCHEMA, type ModelGqCalibration } from '../engine/model/gq-calibration.js';
import { pileupColumnsFromReads } from '../engine/model/pileup-columns.js';
import { appVersion } from '../engine/version.js';
import { loadSuite, type NamedRegion, type RegionRole, type SuiteConfig } from './config.js';
import { kitPaths, type KitPaths } from './data.js';
import { describeMachine, REPO_ROOT, writeBenchmarkSection } from './report.js';

/** One simulation of the kit: its suite, its files (peer BAMs) and its truth. */
interface Kit {
  suite: SuiteConfig;
  paths: KitPaths;
  truth: string;
}

function kitFor(suite: SuiteConfig): Kit {
  const paths = kitPaths(join(REPO_ROOT, '.cache', 'bench'), suite);
  return { suite, paths, truth: join(paths.truthDir, 'truth.vcf.gz') };
}

/** The suite the ablations are measured on (the only one that simulates the evaluation regions as well). */
const SUITE = loadSuite('large');
const KIT = kitFor(SUITE);
const REF = KIT.paths.reference;
/**
 * The suites whose calib-3m the model's GQ calibration pools: independent simulations (seeds 1
 * to 4) of the same region, so the risk control sees enough ONT indel calls (about 35 in each)
 * to choose a threshold at 99 % precision without one wrong call deciding it.
 */
const CALIBRATION_SUITES = ['large', 'train2', 'calib3', 'calib4'] as const;
const WORK = join(REPO_ROOT, '.cache', 'bench', 'model-work', 'runs');
const PEER_ALIGNER: Record<Platform, string> = { illumina: 'bwa', hifi: 'minimap2', ont: 'minimap2' };
const CALIBRATION_REGION = 'calib-3m';
/** Half-width of the short-context ablation: the model reads ±this many positions around each candidate. */
const SHORT_CONTEXT = 16;

const { values } = parseArgs({
  options: {
    'fit-calibration': { type: 'boolean', default: false },
    ablations: { type: 'boolean', default: false },
    render: { type: 'boolean', default: false },
    checkpoint: { type: 'string', default: join(REPO_ROOT, 'assets', 'models', 'genomeltm-moe-small') },
    dense: { type: 'string' },
    /** Evaluation regions, comma-separated, measured as one set. */
    region: { type: 'string', default: 'eval-1m,eval-3m5' },
    platforms: { type: 'string', default: 'illumina,hifi,ont' },
    only: { type: 'string' },
    /** A sentence on the code the rows were measured with (e.g. a snapshot of a tree others were changing), printed under the command. */
    'code-note': { type: 'string' },
    'no-write': { type: 'boolean', default: false },
  },
});
const PLATFORMS = values.platforms.split(',') as Platform[];
const log = (line: string): void => void process.stderr.write(`${line}\n`);

function region(name: string): NamedRegion {
  const found = SUITE.allRegions.find((r) => r.name === name);
  if (!found) throw new Error(`no region ${name} in bench/regions.yaml`);
  return found;
}

/** One or more regions of one role, measured as one set (the ablations pool both evaluation regions). */
interface RegionSet {
  name: string;
  role: RegionRole;
  parts: NamedRegion[];
}

/** `eval-1m,eval-3m5` → the set of those regions, which must share a role. */
function regionSet(names: string): RegionSet {
  const parts = names.split(',').map((n) => region(n.trim()));
  const roles = new Set(parts.map((r) => r.role));
  if (roles.size !== 1) throw new Error(`regions ${names} mix roles (${[...roles].join(', ')}); a set is measured as one`);
  return { name: parts.map((r) => r.name).join('+'), role: parts[0]!.role, parts };
}

function describeSet(set: RegionSet): string {
  return set.parts.map((r) => `${r.name} (${SUITE.contig}:${r.start.toLocaleString('en-US')}–${r.end.toLocaleString('en-US')})`).join(' and ');
}

function intervals(set: RegionSet): GenomicInterval[] {
  return set.parts.map((r) => ({ contig: SUITE.contig, start: r.start - 1, end: r.end }));
}

function bedFor(set: RegionSet): string {
  const path = join(WORK, `${set.name}.bed`);
  writeFileSync(path, set.parts.map((r) => `${SUITE.contig}\t${r.start - 1}\t${r.end}\n`).join(''));
  return path;
}

function bamFor(platform: Platform, kit: Kit = KIT): string {
  return join(kit.paths.alignDir, `${platform}-small.${PEER_ALIGNER[platform]}.bam`);
}

/** A BAM a run reads: one simulation's reads (with its truth), aligned by `aligner`. */
interface BamSource {
  kit: Kit;
  bam: string;
  aligner: string;
}

function peerSource(platform: Platform, kit: Kit): BamSource {
  return { kit, bam: bamFor(platform, kit), aligner: PEER_ALIGNER[platform] };
}

interface RunSpec {
  name: string;
  label: string;
  modelDir?: string;
  learnedOptions?: LearnedGenotyperOptions;
  /** The model genotypes every class, whatever the preset's `learnedClasses` says. */
  everyClass?: boolean;
}

interface ClassRow {
  metrics: ClassMetrics;
  ece: number | null;
  /** The PASS call atoms the ECE is over (for the paired bootstrap of ECE differences); absent in rows from before it. */
  calls?: SitedCall[];
}


async function callRun(platform: Platform, spec: RunSpec, where: RegionSet, statCalibration: CalibrationModel | null, thresholdsOff: boolean, source: BamSource = peerSource(platform, KIT)): Promise<{ result: CallResult; vcf: string; seconds: number }> {
  const { kit, bam: bamPath } = source;
  // As `genomaic call` runs it (engine/call/call-job.ts): preset, the calibration's threshold and its per-class settings.
  let config = loadPlatformPreset(platform);
  if (spec.everyClass) config = { ...config, learnedClasses: ['snv', 'indel'] };
  if (statCalibration?.minGq !== undefined) config = { ...config, abstention: { ...config.abstention, minGq: statCalibration.minGq } };
  const started = performance.now();
  const result = await callVariants({
    bamPath,
    referencePath: REF,
    config,
    calibration: statCalibration,
    regions: intervals(where),
    thresholdsOff,
    abstentionByClass: abstentionByClass(config.abstention, statCalibration),
    ...(spec.modelDir ? { modelDir: spec.modelDir } : {}),
    ...(spec.learnedOptions ? { learnedOptions: spec.learnedOptions } : {}),
  });
  const seconds = (performance.now() - started) / 1000;
  for (const warning of result.warnings) log(`[${platform}] ${spec.name}: warning: ${warning}`);
  // Runs on another suite than the main one carry its name (the same region exists in both).
  const vcf = join(WORK, `${platform}.${where.name}.${spec.name}${kit === KIT ? '' : `.${kit.suite.name}`}${source.aligner !== PEER_ALIGNER[platform] ? `.${source.aligner}` : ''}.vcf.gz`);
  await writeCallOutputs({ result, vcfPath: vcf, bamPath, referencePath: REF, commandLine: `bench/model-ablations.ts ${spec.name}`, minGq: config.abstention.minGq });
  return { result, vcf, seconds };
}

function compare(vcf: string, where: RegionSet, kit: Kit = KIT): Promise<CompareReport> {
  return compareVcfFiles({ truthPath: kit.truth, callsPath: vcf, referencePath: REF, regionsPath: bedFor(where), passOnly: true, minQual: null, includeVariants: true });
}

/** ECE of GQ per class over the PASS call atoms (the comparator's bins, engine/compare/metrics.ts). */
function classRows(report: CompareReport): Record<VariantClass, ClassRow> {
  const calls = (report.variants ?? []).filter((v) => v.side === 'call');
  const row = (cls: VariantClass): ClassRow => {
    const sited = calls.filter((v) => v.variantClass === cls).map((v) => ({ site: `${v.chrom}:${v.pos}:${v.ref}:${v.alt}`, gq: v.gq, match: v.match }));
    return { metrics: report.metrics[cls], ece: reliability(sited).expectedCalibrationError, calls: sited };
  };
  return { SNP: row('SNP'), INDEL: row('INDEL') };
}

/** A model-genotyped PASS record of a no-threshold run, with what the caller's other gates read. */
interface ModelCalibrationSample extends CalibrationSample {
  /** The record as the caller's abstention rules see it (QUAL, evidence), to replay its gates at a threshold. */
  rules: RuleInput;
}

/** Per model-genotyped PASS record of a no-threshold run: (raw GQ, wrong?) per class. A record is wrong if any of its atoms is. */
function modelCalibrationSamples(report: CompareReport, result: CallResult): Record<CalibrationClass, ModelCalibrationSample[]> {
  const wrongAt = new Map<number, boolean>();
  for (const v of report.variants ?? []) if (v.side === 'call') wrongAt.set(v.pos, (wrongAt.get(v.pos) ?? false) || v.verdict === 'FP' || v.match === 'allele');
  const out: Record<CalibrationClass, ModelCalibrationSample[]> = { snv: [], indel: [] };
  for (const r of result.records) {
    if (r.filter !== 'PASS' || !r.genotype || !r.learned || r.qual === null) continue;
    const wrong = wrongAt.get(r.pos + 1);
    if (wrong === undefined) continue;
    // A PASS record of a no-threshold run fired no hard rule, CONFLICTING_EVIDENCE (excess alleles) included.
    const rules: RuleInput = { ref: r.ref, alts: r.alts, genotype: r.genotype, alleleDepths: r.alleleDepths, evidence: r.evidence, excessAlleles: 0, qual: r.qual };
    out[r.alts.every((a) => a.length === r.ref.length) ? 'snv' : 'indel'].push({ rawGq: r.rawGq, wrong, rules });
  }
  return out;
}

const OUR_ALIGN_DIR = join(REPO_ROOT, '.cache', 'bench', 'call', 'ours-align');

/**
 * The BAMs the model's calibration samples come from: each suite's peer BAM, and suite large's
 * calib-3m aligned by the GenomAIc aligner too (bench/call.ts caches it), as the product aligns;
 * the ONT indels of two peer BAMs alone are too few for the risk control.
 */
function calibrationSources(platform: Platform, kits: readonly Kit[]): BamSource[] {
  const sources = kits.map((kit) => peerSource(platform, kit));
  const ours = join(OUR_ALIGN_DIR, `${platform}.bam`);
  if (existsSync(`${ours}.bai`)) sources.push({ kit: KIT, bam: ours, aligner: 'genomaic' });
  else log(`[${platform}] ${ours} is missing (npx tsx bench/call.ts builds it): the fit uses the peer BAMs only`);
  return sources;
}

async function fitModelCalibration(checkpointDir: string): Promise<void> {
  const where = region(CALIBRATION_REGION);
  if (where.role !== 'calibration') throw new Error(`${where.name} has role ${where.role}; the model's calibration is fitted on a calibration region only`);
  const calibrationSet = regionSet(where.name);
  const kits = CALIBRATION_SUITES.map((name) => (name === SUITE.name ? KIT : kitFor(loadSuite(name))));
  for (const kit of kits) {
    if (kit.suite.contig !== SUITE.contig) throw new Error(`suite ${kit.suite.name} is on contig ${kit.suite.contig}, suite ${SUITE.name} on ${SUITE.contig}`);
    if (!kit.suite.simulate.some((r) => r.name === where.name)) throw new Error(`suite ${kit.suite.name} does not simulate ${where.name}`);
    if (!existsSync(kit.truth) || !PLATFORMS.every((p) => existsSync(`${bamFor(p, kit)}.bai`))) throw new Error(`the kit suite ${kit.suite.name} is missing: npm run bench -- --suite ${kit.suite.name}`);
  }
  const { manifest, model } = await loadCheckpoint(checkpointDir);
  model.dispose();
  const document: ModelGqCalibration = { schema: GQ_CALIBRATION_SCHEMA, modelId: manifest.modelId, weightsSha256: manifest.weights.sha256, platforms: {} };
  for (const platform of PLATFORMS) {
    const stat = loadCalibration(platform);
    const targetPrecision = stat?.targetPrecision ?? 0.99;
    // Every class the model can genotype, whatever the preset's learnedClasses: a user's preset may give it more.
    const spec: RunSpec = { name: 'fit', label: 'fit', modelDir: checkpointDir, learnedOptions: { modelCalibration: false }, everyClass: true };
    // Each suite on its own peer BAM against its own truth, the samples pooled.
    const samples: Record<CalibrationClass, ModelCalibrationSample[]> = { snv: [], indel: [] };
    const perSuite: { kit: Kit; aligner: string; snv: ModelCalibrationSample[]; indel: ModelCalibrationSample[]; seconds: number }[] = [];
    const sources = calibrationSources(platform, kits);
    // Truth variants per class over every source (the fitted gates' recall and F1 denominator).
    const truth: Record<CalibrationClass, number> = { snv: 0, indel: 0 };
    for (const source of sources) {
      const { kit } = source;
      // The hard rules in force in production (the statistical calibration's per-class settings), GQ thresholds off.
      const run = await callRun(platform, spec, calibrationSet, stat, true, source);
      const report = await compare(run.vcf, calibrationSet, kit);
      truth.snv += report.metrics.SNP.tp + report.metrics.SNP.fn;
      truth.indel += report.metrics.INDEL.tp + report.metrics.INDEL.fn;
      const own = modelCalibrationSamples(report, run.result);
      samples.snv.push(...own.snv);
      samples.indel.push(...own.indel);
      perSuite.push({ kit, aligner: source.aligner, ...own, seconds: run.seconds });
      log(`[${platform}] ${kit.suite.name} (seed ${kit.suite.seed}, ${source.aligner}) ${where.name}: SNV ${own.snv.length} calls (${own.snv.filter((x) => x.wrong).length} wrong), indel ${own.indel.length} calls (${own.indel.filter((x) => x.wrong).length} wrong); ${run.seconds.toFixed(1)} s`);
    }
    const errors = (list: CalibrationSample[]): number => list.filter((x) => x.wrong).length;
    const suitesText = perSuite.map((p) => `${p.kit.suite.name} (seed ${p.kit.suite.seed}, ${p.aligner}: ${p.snv.length} SNV + ${p.indel.length} indel)`).join(' and ');
    const fitted: CalibrationModel = {
      schema: 'genomaic.call-calibration/2',
      platform,
      method: 'platt-log-rawgq',
      fittedOn: {
        description: `${manifest.modelId}'s raw GQ on ${SUITE.sample} simulated ${platform}, ${where.name} (${SUITE.contig}:${where.start}-${where.end}) of kit suites ${suitesText}, ${samples.snv.length} SNV + ${samples.indel.length} indel model-genotyped calls pooled`,
        date: new Date().toISOString().slice(0, 10),
        codeVersion: appVersion(),
        command: 'npx tsx bench/model-ablations.ts --fit-calibration',
        data: {
          suite: kits.map((k) => k.suite.name).join(' + '),
          suites: kits.map((k) => `${k.suite.name}:seed${k.suite.seed}`),
          truthSample: SUITE.sample,
          regions: [`${where.name}:${SUITE.contig}:${where.start}-${where.end}:${where.role}`],
          bams: sources.map((source) => relative(REPO_ROOT, source.bam)),
          truths: sources.map((source) => relative(REPO_ROOT, source.kit.truth)),
          snvCalls: samples.snv.length,
          snvErrors: errors(samples.snv),
          indelCalls: samples.indel.length,
          indelErrors: errors(samples.indel),
          callsBySuite: perSuite.map((p) => `${p.kit.suite.name} (${p.aligner}): SNV ${p.snv.length} (${errors(p.snv)} wrong), indel ${p.indel.length} (${errors(p.indel)} wrong)`),
        },
      },
      classes: { snv: fitPlatt(samples.snv), indel: fitPlatt(samples.indel) },
      targetPrecision,
    };
    // The GQ gates (minGq, and the stricter one of indels in repeats) are fitted as the
    // statistical calibration's are (abstention-fit.ts: loosest gates reaching the target
    // precision without losing F1), on the calls production would keep: the run's per-class
    // hard rules and QUAL gate are replayed, not ignored.
    const settings = abstentionByClass(loadPlatformPreset(platform).abstention, stat);
    const gates = {} as Record<CalibrationClass, ThresholdFit>;
    for (const cls of ['snv', 'indel'] as const) {
      const fitSamples = samples[cls].map((s) => ({ stats: ruleStatistics(s.rules), gq: calibrateGq(fitted, cls, s.rawGq), wrong: s.wrong }));
      gates[cls] = fitAbstentionThresholds(fitSamples, settings[cls], { targetPrecision, truth: truth[cls], keys: MODEL_GATE_KEYS });
    }
    fitted.minGqByClass = { snv: gates.snv.thresholds.minGq ?? MIN_CREDIBLE_GQ, indel: gates.indel.thresholds.minGq ?? MIN_CREDIBLE_GQ };
    fitted.repeatMinGqByClass = { snv: gates.snv.thresholds.repeatMinGq, indel: gates.indel.thresholds.repeatMinGq };
    const gateText = (cls: CalibrationClass): string => {
      const g = gates[cls];
      return `GQ ≥ ${g.thresholds.minGq}, in repeats ≥ ${g.thresholds.repeatMinGq ?? 'off'} (kept ${g.summary.kept} of ${samples[cls].length}, ${g.summary.keptWrong} wrong, precision ${g.summary.precision.toFixed(4)}, recall ${g.summary.recall.toFixed(3)} of ${truth[cls]}${g.reachedTarget ? '' : ', target not reached'})`;
    };
    document.platforms[platform] = fitted;
    log(`[${platform}] model GQ calibration on ${where.name} (${kits.map((k) => k.suite.name).join(' + ')}): SNV ${samples.snv.length} calls (${fitted.fittedOn.data.snvErrors} wrong) a=${fitted.classes.snv.intercept.toFixed(3)} b=${fitted.classes.snv.slope.toFixed(3)} ${gateText('snv')}; indel ${samples.indel.length} calls (${fitted.fittedOn.data.indelErrors} wrong) a=${fitted.classes.indel.intercept.toFixed(3)} b=${fitted.classes.indel.slope.toFixed(3)} ${gateText('indel')}; ${perSuite.reduce((t, p) => t + p.seconds, 0).toFixed(1)} s`);
  }
  await saveModelGqCalibration(checkpointDir, document);
  log(`wrote ${join(checkpointDir, 'gq-calibration.json')}`);
}

/** Effective context of the trained model on real pileup features (calib-3m, the ONT BAM: the densest candidates). */
async function trainedEffectiveContext(checkpointDir: string, length: number): Promise<ReturnType<typeof measureEffectiveContext>> {
  const where = region(CALIBRATION_REGION);
  const reference = await openCallReference(REF);
  const sequence = await reference.sequence(SUITE.contig);
  const bam = await openBamInput(bamFor('ont'), reference);
  const preset = loadPlatformPreset('ont');
  const start = where.start - 1 + 50_000;
  const end = start + length;
  const reads = await bam.fetch(SUITE.contig, start - 500, end + 500);
  reads.sort((a, b) => a.start - b.start);
  const pileup = tilePileupWithCandidates(reads, sequence, start - 500, end + 500, start, end, preset);
  const placed = placeCandidateColumns(pileup.candidates, start, end);
  const columns = pileupColumnsFromReads(reads, sequence, start, end, {
    platform: 'ont',
    minMappingQuality: preset.minMappingQuality,
    minBaseQuality: preset.minBaseQuality,
    candidateAlleles: new Map([...placed].map(([p, e]) => [p, e.allele] as const)),
    baselines: baselineEvidenceByColumn(placed, pileup.candidates, reads, sequence, preset),
  });
  const { model } = await loadCheckpoint(checkpointDir);
  try {
    return measureEffectiveContext(model, encodeTile(columns));
  } finally {
    model.dispose();
  }
}

function fmt(value: number | null, digits = 4): string {
  return value === null ? '—' : value.toFixed(digits);
}

function verifierCounts(result: CallResult): { genotyped: number; pass: number; reroute: number; abstain: number } {
  const learned = result.records.filter((r) => r.learned);
  return {
    genotyped: learned.length,
    pass: learned.filter((r) => r.learned!.verdict === 'pass').length,
    reroute: learned.filter((r) => r.learned!.verdict === 'reroute').length,
    abstain: learned.filter((r) => r.learned!.verdict === 'abstain').length,
  };
}

/** One row of the tables, as saved per platform (so platforms can run as separate processes and one --render writes the section). */
interface AblationRow {
  name: string;
  label: string;
  classes: Record<VariantClass, ClassRow>;
  records: number;
  pass: number;
  verifier: ReturnType<typeof verifierCounts>;
  seconds: number;
  warnings: string[];
}

function rowsPath(platform: Platform, where: RegionSet): string {
  return join(WORK, `ablations.${platform}.${where.name}.json`);
}

async function ablations(): Promise<void> {
  const where = regionSet(values.region);
  if (where.role !== 'evaluation') throw new Error(`the ablations measure evaluation regions only; ${where.name} is ${where.role}`);
  const checkpoint = values.checkpoint;
  const specs: RunSpec[] = [
    { name: 'statistical', label: 'statistical genotyper' },
    { name: 'model', label: 'model (MoE, long context, verifier, own GQ calibration)', modelDir: checkpoint },
    { name: 'model-stat-calibration', label: "model with the statistical genotyper's GQ calibration", modelDir: checkpoint, learnedOptions: { modelCalibration: false } },
    ...(values.dense ? [{ name: 'model-no-moe', label: 'model without MoE (one dense head)', modelDir: values.dense }] : []),
    { name: 'model-short-context', label: `model, short context (±${SHORT_CONTEXT} bp)`, modelDir: checkpoint, learnedOptions: { contextLimit: SHORT_CONTEXT } },
    { name: 'model-no-verifier', label: 'model before the verifier', modelDir: checkpoint, learnedOptions: { verifier: false } },
    { name: 'model-every-class', label: "model genotyping every class (the preset keeps some statistical)", modelDir: checkpoint, everyClass: true },
    { name: 'model-stat-presence', label: "model with the statistical genotyper's QUAL and PL (it decides genotypes, not presence)", modelDir: checkpoint, learnedOptions: { statisticalPresence: true } },
  ].filter((s) => !values.only || values.only.split(',').includes(s.name));
  for (const platform of PLATFORMS) {
    const stat = loadCalibration(platform);
    const rows: AblationRow[] = [];
    const presetClasses = loadPlatformPreset(platform).learnedClasses ?? ['snv', 'indel'];
    for (const spec of specs) {
      if (spec.everyClass && presetClasses.length === 2) continue;
      const run = await callRun(platform, spec, where, stat, false);
      const classes = classRows(await compare(run.vcf, where));
      rows.push({
        name: spec.name,
        label: spec.label,
        classes,
        records: run.result.records.length,
        pass: run.result.records.filter((r) => r.filter === 'PASS').length,
        verifier: verifierCounts(run.result),
        seconds: run.seconds,
        warnings: run.result.warnings,
      });
      log(`[${platform}] ${where.name} ${spec.name}: SNP F1 ${fmt(classes.SNP.metrics.f1)} (TP ${classes.SNP.metrics.tp} FP ${classes.SNP.metrics.fp} FN ${classes.SNP.metrics.fn}) ECE ${fmt(classes.SNP.ece)}; INDEL F1 ${fmt(classes.INDEL.metrics.f1)} (TP ${classes.INDEL.metrics.tp} FP ${classes.INDEL.metrics.fp} FN ${classes.INDEL.metrics.fn}) ECE ${fmt(classes.INDEL.ece)}; ${run.seconds.toFixed(1)} s`);
    }
    if (!values.only) writeFileSync(rowsPath(platform, where), `${JSON.stringify(rows, null, 1)}\n`);
  }
}

/** Writes the section from the saved rows of every platform, with the trained model's effective context. */
async function renderSection(): Promise<void> {
  const where = regionSet(values.region);
  if (where.role !== 'evaluation') throw new Error(`the section reports evaluation regions only; ${where.name} is a ${where.role} region`);
  const outcomes = new Map<Platform, AblationRow[]>();
  for (const platform of PLATFORMS) {
    const path = rowsPath(platform, where);
    if (!existsSync(path)) throw new Error(`${path} is missing: run --ablations --platforms=${platform} first`);
    outcomes.set(platform, JSON.parse(readFileSync(path, 'utf8')) as AblationRow[]);
  }
  const context = await trainedEffectiveContext(values.checkpoint, 16_384);
  log(`trained effective context (real ONT features): downstream ${context.reach.downstream} bp, upstream ${context.reach.upstream} bp`);
  const markdown = await render(where, outcomes, context);
  if (values['no-write']) console.log(markdown);
  else writeBenchmarkSection('model-ablations', markdown);
}

/** "train-2m of N simulations (suites a, b…)", from the checkpoint's own training config. */
function describeTrainingData(config: ModelTrainingConfig): string {
  if (config.data.source !== 'kit') return 'synthetic pileups';
  const suites = kitDatasets(config.data);
  return `${config.data.trainingRegions.join(', ')} of ${suites.length} simulation${suites.length === 1 ? '' : 's'} (suite${suites.length === 1 ? '' : 's'} ${suites.join(', ')})`;
}

async function render(where: RegionSet, outcomes: Map<Platform, AblationRow[]>, context: ReturnType<typeof measureEffectiveContext>): Promise<string> {
  const { manifest, model } = await loadCheckpoint(values.checkpoint);
  model.dispose();
  const backend = await selectBackend();
  const lines: string[] = [];
  const date = new Date().toISOString().slice(0, 10);
  lines.push('## Model ablations');
  lines.push('');
  lines.push(`Measured ${date} by \`npx tsx bench/model-ablations.ts --ablations${values.dense ? ` --dense ${relative(REPO_ROOT, values.dense)}` : ''}\` (the three platforms one after another), then \`--render\`, on ${describeMachine()}; TensorFlow.js backend ${backend.backend}. GenomAIc ${appVersion()}, model \`${manifest.modelId}\` (weights ${manifest.weights.sha256.slice(0, 12)}…, feature schema ${manifest.featureSchema.version}).`);
  if (values['code-note']) lines.push(values['code-note']);
  lines.push(`Data: simulation (kit suite ${SUITE.name}, ${SUITE.sample}'s 1000 Genomes genotypes over GRCh37 chr20, seed ${SUITE.seed}), the kit's peer BAMs (Illumina bwa mem, HiFi and ONT minimap2). Evaluation region${where.parts.length > 1 ? 's' : ''} ${describeSet(where)} only, pooled (${where.parts.reduce((t, r) => t + r.end - r.start + 1, 0).toLocaleString('en-US')} bp): the model trained on ${describeTrainingData(manifest.config)}, and its GQ calibration and thresholds were fitted on calib-3m of ${CALIBRATION_SUITES.length} (${CALIBRATION_SUITES.map((name) => { const suite = name === SUITE.name ? SUITE : loadSuite(name); return `suite ${suite.name}, seed ${suite.seed}`; }).join('; ')}); nothing was tuned here. PASS calls, haplotype-aware comparison (\`compareVcfFiles\`); ECE is the expected calibration error of GQ over each class's PASS call atoms (the comparator's bins). Every row is \`callVariants\` as \`genomaic call\` runs it (preset, shipped statistical calibration and per-class thresholds): the model row is the default, the statistical row \`--statistical\`, the others ablations of the model. The "seconds" column is wall time on this shared machine, one run at a time (the model's forward pass in an inference worker beside the statistical pass). ECE differences come with a paired bootstrap interval (sites resampled, 2,000 replicates): with no or one wrong call in a class, a difference inside it is not measurable.`);
  lines.push('');
  for (const [platform, rows] of outcomes) {
    lines.push(`### ${platform} (${PEER_ALIGNER[platform]})`);
    lines.push('');
    lines.push('| genotyper | class | truth | TP | FP | FN | precision | recall | F1 | GT concordance | ECE |');
    lines.push('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|');
    for (const row of rows) {
      for (const cls of ['SNP', 'INDEL'] as const) {
        const m = row.classes[cls].metrics;
        lines.push(`| ${row.label} | ${cls} | ${m.truthTotal} | ${m.tp} | ${m.fp} | ${m.fn} | ${fmt(m.precision)} | ${fmt(m.recall)} | ${fmt(m.f1)} | ${fmt(m.genotypeConcordance, 3)} | ${fmt(row.classes[cls].ece)} |`);
      }
    }
    lines.push('');
    lines.push('| genotyper | records | PASS | model-genotyped | verifier pass / reroute / abstain | seconds |');
    lines.push('|---|---:|---:|---:|---|---:|');
    for (const row of rows) {
      const v = row.verifier;
      lines.push(`| ${row.label} | ${row.records} | ${row.pass} | ${v.genotyped || '—'} | ${v.genotyped ? `${v.pass} / ${v.reroute} / ${v.abstain}` : '—'} | ${row.seconds.toFixed(1)} |`);
    }
    lines.push('');
  }
  lines.push(`Effective context of the trained model (real ONT pileup features of calib-3m, 16,384 positions, input perturbed at the centre; largest relative change of a genotype logit at that distance, ±10 %):`);
  lines.push('');
  lines.push('| distance (bp) | downstream (forward state) | upstream (backward state) |');
  lines.push('|---:|---:|---:|');
  for (const r of context.rows) lines.push(`| ${r.distance.toLocaleString('en-US')} | ${r.downstream.toExponential(1)} | ${r.upstream.toExponential(1)} |`);
  lines.push('');
  lines.push(`Farthest position moved by more than 1e-3 of the change at the centre: ${context.reach.downstream.toLocaleString('en-US')} bp downstream, ${context.reach.upstream.toLocaleString('en-US')} bp upstream.`);
  lines.push('');
  lines.push(...verdictLines(outcomes));
  return lines.join('\n');
}

/**
 * Issue #6's criteria read off the rows: the model must beat the statistical genotyper in F1 on
 * ONT (both classes) and on INDELs on every platform, and in ECE everywhere. Written from the
 * numbers, so a re-run cannot leave a stale claim behind.
 */
function verdictLines(outcomes: Map<Platform, AblationRow[]>): string[] {
  const lines: string[] = ['Against issue #6\'s criteria (model row against statistical row; "beats" means strictly better):', ''];
  const failed: string[] = [];
  const delta = (model: number | null, stat: number | null): string => (model === null || stat === null ? 'n/a' : `${model - stat >= 0 ? '+' : ''}${(model - stat).toFixed(4)}`);
  // Differences of ECE on error-free classes are of order 1e-5: two significant digits, not four decimals.
  const signed = (x: number): string => `${x >= 0 ? '+' : '−'}${Math.abs(x) >= 1e-3 || x === 0 ? Math.abs(x).toFixed(4) : Math.abs(x).toExponential(1)}`;
  for (const [platform, rows] of outcomes) {
    const stat = rows.find((r) => r.name === 'statistical');
    const model = rows.find((r) => r.name === 'model');
    if (!stat || !model) continue;
    for (const cls of ['SNP', 'INDEL'] as const) {
      const f1Model = model.classes[cls].metrics.f1;
      const f1Stat = stat.classes[cls].metrics.f1;
      const eceModel = model.classes[cls].ece;
      const eceStat = stat.classes[cls].ece;
      const f1Required = platform === 'ont' || cls === 'INDEL';
      const f1Beats = f1Model !== null && (f1Stat === null || f1Model > f1Stat);
      const eceBeats = eceModel !== null && (eceStat === null || eceModel < eceStat);
      if (f1Required && !f1Beats) failed.push(`${platform} ${cls} F1 (${fmt(f1Model)} vs ${fmt(f1Stat)})`);
      if (!eceBeats) failed.push(`${platform} ${cls} ECE (${fmt(eceModel)} vs ${fmt(eceStat)})`);
      const statCalls = stat.classes[cls].calls;
      const modelCalls = model.classes[cls].calls;
      const interval = statCalls && modelCalls ? eceDifferenceInterval(statCalls, modelCalls) : null;
      const eceDelta = interval ? `${signed(interval.difference)}, paired bootstrap 95% interval [${signed(interval.low)}, ${signed(interval.high)}]${interval.low <= 0 && interval.high >= 0 ? ', not distinguishable from 0' : ''}` : '';
      lines.push(`- ${platform} ${cls}: F1 ${fmt(f1Model)} vs ${fmt(f1Stat)} (${delta(f1Model, f1Stat)}${f1Required ? `, required: ${f1Beats ? 'met' : 'not met'}` : ''}); ECE ${fmt(eceModel)} vs ${fmt(eceStat)} (${eceDelta}; ${eceBeats ? 'met' : 'not met'}).`);
    }
  }
  lines.push('');
  lines.push(failed.length === 0 ? '**Every criterion is met on these regions.**' : `**The model does not meet issue #6's criteria here**; not met: ${failed.join('; ')}.`);
  return lines;
}

async function main(): Promise<void> {
  if (!existsSync(KIT.truth) || !existsSync(`${bamFor('ont')}.bai`)) throw new Error('the kit suite large is missing: npm run bench -- --suite large');
  mkdirSync(WORK, { recursive: true });
  // Checkpoints load onto the active backend; the caller selects it itself, direct loads here need it first.
  await selectBackend();
  if (values['fit-calibration']) await fitModelCalibration(values.checkpoint);
  if (values.dense && values['fit-calibration']) await fitModelCalibration(values.dense);
  if (values.ablations) await ablations();
  if (values.render) await renderSection();
  if (!values['fit-calibration'] && !values.ablations && !values.render) log('nothing to do: pass --fit-calibration, --ablations and/or --render');
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
