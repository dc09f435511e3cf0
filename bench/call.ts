/**
 * Benchmark of the small-variant caller (issue 5) and the fit of its shipped GQ calibration.
 *
 *   npx tsx bench/call.ts --fit-calibration   fit configs/call/calibration.<platform>.json
 *   npx tsx bench/call.ts                     evaluate (→ docs/benchmarks.md, section "call")
 *   options: --platforms=illumina,hifi,ont
 *
 * Data: the benchmark kit's "large" suite (`npx tsx bench/run.ts --suite large` prepares it):
 * GRCh37 chr20, HG00096's real genotypes (1000 Genomes phased panel) over 20:1–4 Mb, reads
 * simulated from both haplotypes (ART Illumina HS25 2×150, pbsim HiFi-like and ONT R9-like,
 * 30× per platform, kit seed recorded in bench/regions.yaml), aligned by the kit with
 * bwa mem (Illumina) / minimap2 (HiFi, ONT), and here also by our own aligner
 * (engine/align `alignReads`, cached under .cache/bench/call/ours-align/).
 *
 * Protocol (the split of bench/regions.yaml): the calibration is fitted on the regions whose
 * role is training or calibration (train-2m, calib-3m: 1.5 Mb), pooling the calls made on the
 * peer aligner's and on our aligner's BAM; the abstention threshold is chosen there for
 * precision ≥ 0.99. Everything reported is measured on the evaluation region eval-1m only:
 * precision, recall, F1 for SNP and INDEL against bcftools and freebayes on the same BAMs,
 * ECE and the reliability table of our GQ, and the risk–coverage curve. All comparisons by
 * the project's haplotype-aware comparator (engine/compare).
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareVcfFiles } from '../engine/compare/compare.js';
import type { CompareReport } from '../engine/compare/types.js';
import { callVariants, type CallResult } from '../engine/call/caller.js';
import type { AbstentionConfig } from '../engine/call/config.js';
import { loadPlatformPreset } from '../engine/call/config.js';
import type { CalibrationClass, CalibrationModel, FittedThresholds } from '../engine/call/calibration.js';
import { abstentionByClass, applyFittedThresholds, calibratedGq, calibrationPath, chooseThreshold, FITTED_THRESHOLD_KEYS, loadCalibration } from '../engine/call/calibration.js';
import { decideFromStatistics, ruleStatistics } from '../engine/call/abstention.js';
import type { FitRow, FitTable } from '../engine/call/abstention-fit.js';
import { fitCalibrationAndThresholds, formatFitTable } from '../engine/call/abstention-fit.js';
import { writeCallOutputs } from '../engine/export/write-calls.js';
import type { GenomicInterval, Platform } from '../engine/call/types.js';
import { alignReads } from '../engine/align/align-reads.js';
import { appVersion } from '../engine/version.js';
import { SHIPPED_MODEL_ID, shippedModelDir } from '../engine/model/shipped.js';
import { loadSuite, type NamedRegion } from './config.js';
import { kitPaths } from './data.js';
import { describeMachine, REPO_ROOT, toolVersion, writeBenchmarkSection } from './report.js';

const SUITE = loadSuite('large');
const KIT = kitPaths(join(REPO_ROOT, '.cache', 'bench'), SUITE);
const REF = KIT.reference;
const TRUTH = join(KIT.truthDir, 'truth.vcf.gz');
const WORK = join(REPO_ROOT, '.cache', 'bench', 'call');
const OUT = join(WORK, 'runs');
const OUR_ALIGN_DIR = join(WORK, 'ours-align');
const FIT_REGIONS = SUITE.allRegions.filter((r) => r.role !== 'evaluation' && SUITE.simulate.includes(r));
const EVAL_REGION = SUITE.evaluate[0]!;
/** The precision the abstention thresholds are fitted for (risk control); --target-precision=P overrides. */
const DEFAULT_TARGET_PRECISION = 0.99;
/** freebayes is slow on long reads (~25 min per Mb on HiFi, bench/regions.yaml): Illumina only, as the kit does. */
const FREEBAYES_TIMEOUT_SECONDS = 480;
/**
 * SHA-256 (first 12 hex) of the caller's sources as this process loaded them: the fit and the
 * evaluation record it, so a table can be matched to the code (and a fit to the evaluation)
 * while engine/call is being changed between runs.
 */
const CALLER_SOURCES = ((): string => {
  const dir = join(REPO_ROOT, 'engine', 'call');
  const hash = createHash('sha256');
  for (const name of readdirSync(dir).filter((n) => n.endsWith('.ts')).sort()) hash.update(name).update(readFileSync(join(dir, name)));
  return hash.digest('hex').slice(0, 12);
})();
const argv = process.argv.slice(2);
const PLATFORMS: Platform[] = (argv.find((a) => a.startsWith('--platforms='))?.slice(12).split(',') as Platform[] | undefined) ?? ['illumina', 'hifi', 'ont'];
const FIT = argv.includes('--fit-calibration');
const TARGET_PRECISION = Number(argv.find((a) => a.startsWith('--target-precision='))?.slice(19) ?? DEFAULT_TARGET_PRECISION);
if (!(TARGET_PRECISION > 0 && TARGET_PRECISION < 1)) {
  console.error('bench/call: --target-precision must be a number between 0 and 1 (exclusive)');
  process.exit(2);
}

type Aligner = 'peer' | 'ours';
const PEER_ALIGNER: Record<Platform, string> = { illumina: 'bwa', hifi: 'minimap2', ont: 'minimap2' };
const PRESET: Record<Platform, 'sr' | 'hifi' | 'ont'> = { illumina: 'sr', hifi: 'hifi', ont: 'ont' };

function interval(r: NamedRegion): GenomicInterval {
  return { contig: SUITE.contig, start: r.start - 1, end: r.end };
}

function bed(name: string, regions: readonly NamedRegion[]): string {
  const path = join(OUT, `${name}.bed`);
  writeFileSync(path, regions.map((r) => `${SUITE.contig}\t${r.start - 1}\t${r.end}\n`).join(''));
  return path;
}

function alignerName(platform: Platform, aligner: Aligner): string {
  return aligner === 'ours' ? 'GenomAIc aligner' : PEER_ALIGNER[platform];
}

function readPaths(platform: Platform): string[] {
  const dir = join(KIT.readsDir, `${platform}-small`);
  return platform === 'illumina' ? [join(dir, 'R1.fq'), join(dir, 'R2.fq')] : [join(dir, 'reads.fq')];
}

/** The BAM of `platform` by `aligner`; our aligner's is made once from the kit's reads and cached. */
async function bamFor(platform: Platform, aligner: Aligner): Promise<string> {
  if (aligner === 'peer') return join(KIT.alignDir, `${platform}-small.${PEER_ALIGNER[platform]}.bam`);
  const bam = join(OUR_ALIGN_DIR, `${platform}.bam`);
  const reads = readPaths(platform);
  const newestRead = Math.max(...reads.map((r) => statSync(r).mtimeMs));
  if (existsSync(`${bam}.bai`) && statSync(bam).mtimeMs > newestRead) return bam;
  mkdirSync(OUR_ALIGN_DIR, { recursive: true });
  console.error(`[${platform}] aligning the kit's reads with our aligner → ${bam}`);
  const summary = await alignReads({ referencePath: REF, readPaths: reads, outputPath: bam, preset: PRESET[platform], threads: 2, readGroup: { id: platform, sample: SUITE.sample }, commandLine: 'bench/call.ts' });
  console.error(`[${platform}] our aligner: ${summary.reads} reads, ${(100 * summary.mappedFraction).toFixed(1)} % mapped, ${summary.seconds.toFixed(0)} s`);
  return bam;
}

/**
 * Every rule and gate off (the fit run): what each would remove is decided afterwards from the
 * statistics recorded with the calls. CONFLICTING_EVIDENCE has no threshold and stays on.
 */
function rulesOff(preset: AbstentionConfig): AbstentionConfig {
  const off = Object.fromEntries(FITTED_THRESHOLD_KEYS.map((k) => [k, null])) as FittedThresholds;
  return applyFittedThresholds(preset, { ...off, minGq: preset.minGq });
}

/** Our caller as `genomaic call` runs it (preset + the calibration's fitted thresholds), or with every rule off. */
async function runOurs(platform: Platform, bam: string, regions: GenomicInterval[], calibration: CalibrationModel | null, thresholdsOff: boolean, name: string, { withoutRules = false, modelDir }: { withoutRules?: boolean; modelDir?: string } = {}): Promise<{ vcf: string; seconds: number; result: CallResult }> {
  let config = loadPlatformPreset(platform);
  if (calibration?.minGq !== undefined) config = { ...config, abstention: { ...config.abstention, minGq: calibration.minGq } };
  const byClass = withoutRules ? { snv: rulesOff(config.abstention), indel: rulesOff(config.abstention) } : abstentionByClass(config.abstention, calibration);
  const t = performance.now();
  const result = await callVariants({ bamPath: bam, referencePath: REF, config, calibration, regions, thresholdsOff, abstentionByClass: byClass, ...(modelDir ? { modelDir } : {}) });
  for (const warning of result.warnings) console.error(`[${platform}] ${name}: warning: ${warning}`);
  const seconds = (performance.now() - t) / 1000;
  const vcf = join(OUT, `${name}.vcf.gz`);
  await writeCallOutputs({ result, vcfPath: vcf, bamPath: bam, referencePath: REF, commandLine: `bench/call.ts ${name}`, minGq: config.abstention.minGq });
  return { vcf, seconds, result };
}

function runPeer(tool: 'bcftools' | 'freebayes', platform: Platform, bam: string, region: NamedRegion, name: string): { vcf: string; seconds: number } {
  const regionText = `${SUITE.contig}:${region.start}-${region.end}`;
  const vcf = join(OUT, `${tool}.${name}.vcf.gz`);
  const t = performance.now();
  if (tool === 'bcftools') {
    const preset = platform === 'ont' ? ['-X', 'ont'] : platform === 'hifi' ? ['-X', 'pacbio-ccs'] : [];
    execFileSync('bash', ['-c', `set -o pipefail; bcftools mpileup -f ${REF} -r ${regionText} -a AD,DP ${preset.join(' ')} ${bam} 2>/dev/null | bcftools call -mv -Oz -o ${vcf} 2>/dev/null`]);
  } else {
    // pipefail: a freebayes that times out must fail the row, not leave a truncated VCF to be scored.
    execFileSync('bash', ['-c', `set -o pipefail; timeout ${FREEBAYES_TIMEOUT_SECONDS} freebayes -f ${REF} -r ${regionText} ${bam} | bgzip > ${vcf}`]);
  }
  execFileSync('tabix', ['-f', '-p', 'vcf', vcf]);
  return { vcf, seconds: (performance.now() - t) / 1000 };
}

async function compare(calls: string, regions: string, minQual: number | null, includeVariants = false): Promise<CompareReport> {
  return compareVcfFiles({ truthPath: TRUTH, callsPath: calls, referencePath: REF, regionsPath: regions, passOnly: true, minQual, includeVariants });
}

/** Each PASS record of a no-rules run on the fitting regions with its rule statistics and whether the comparator found it wrong. */
function fitRows(report: CompareReport, result: CallResult, source: string): FitRow[] {
  // Call atoms carry the record's 1-based POS (our records are already normalised); a record is wrong if any atom is.
  const byKey = new Map<string, boolean>();
  for (const v of report.variants ?? []) if (v.side === 'call') byKey.set(`${v.pos}`, (byKey.get(`${v.pos}`) ?? false) || v.verdict === 'FP' || v.match === 'allele');
  const rows: FitRow[] = [];
  for (const r of result.records) {
    if (r.filter !== 'PASS' || !r.genotype) continue;
    const wrong = byKey.get(`${r.pos + 1}`);
    if (wrong === undefined) continue; // outside the evaluated region
    const variantClass: CalibrationClass = r.alts.every((a) => a.length === r.ref.length) ? 'snv' : 'indel';
    const stats = ruleStatistics({ ref: r.ref, alts: r.alts, genotype: r.bestGenotype, alleleDepths: r.alleleDepths, evidence: r.evidence, excessAlleles: r.diagnostics.includes('CONFLICTING_EVIDENCE') ? 1 : 0, qual: r.qual ?? 0 });
    rows.push({ source, contig: r.contig, pos: r.pos + 1, variantClass, rawGq: r.rawGq, wrong, stats });
  }
  return rows;
}

function fmt(x: number | null, digits = 4): string {
  return x === null ? 'n/a' : x.toFixed(digits);
}

function regionText(regions: readonly NamedRegion[]): string {
  return regions.map((r) => `${r.name} (${SUITE.contig}:${r.start.toLocaleString('en-US')}–${r.end.toLocaleString('en-US')})`).join(' + ');
}

function describeThresholds(t: FittedThresholds): string {
  return FITTED_THRESHOLD_KEYS.map((k) => `${k} ${t[k] === null ? 'off' : t[k]}`).join(', ');
}

/** Fits and writes the shipped calibration and abstention thresholds of one platform from both aligners' BAMs. */
async function fitCalibration(platform: Platform): Promise<CalibrationModel> {
  const trainBed = bed('fit', FIT_REGIONS);
  const preset = loadPlatformPreset(platform).abstention;
  const table: FitTable = { rows: [], truth: { snv: 0, indel: 0 } };
  const bams: string[] = [];
  for (const aligner of ['peer', 'ours'] as const) {
    const bam = await bamFor(platform, aligner);
    bams.push(bam.replace(`${REPO_ROOT}/`, ''));
    console.error(`[${platform}] fitting run on ${alignerName(platform, aligner)}'s BAM (no calibration, every rule and threshold off)`);
    const run = await runOurs(platform, bam, FIT_REGIONS.map(interval), null, true, `ours.${platform}.${aligner}.fit`, { withoutRules: true });
    const report = await compare(run.vcf, trainBed, null, true);
    table.rows.push(...fitRows(report, run.result, aligner));
    table.truth.snv += report.metrics.SNP.truthTotal;
    table.truth.indel += report.metrics.INDEL.truthTotal;
  }
  const tablePath = join(OUT, `fit-table.${platform}.tsv`);
  writeFileSync(tablePath, formatFitTable(table));
  const fitted = fitCalibrationAndThresholds(table, preset, TARGET_PRECISION);
  const count = (cls: CalibrationClass, wrong: boolean | null): number => table.rows.filter((r) => r.variantClass === cls && (wrong === null || r.wrong === wrong)).length;
  const model: CalibrationModel = {
    schema: 'genomaic.call-calibration/2',
    platform,
    method: 'platt-log-rawgq',
    fittedOn: {
      description: `${SUITE.sample} simulated ${platform} (kit suite ${SUITE.name}, seed ${SUITE.seed}), ${regionText(FIT_REGIONS)}, ${PEER_ALIGNER[platform]} + GenomAIc aligner BAMs, ${fitted.classes.snv.calls} SNV + ${fitted.classes.indel.calls} indel calls`,
      date: new Date().toISOString().slice(0, 10),
      codeVersion: appVersion(),
      command: `npx tsx bench/call.ts --fit-calibration${TARGET_PRECISION === DEFAULT_TARGET_PRECISION ? '' : ` --target-precision=${TARGET_PRECISION}`}`,
      data: {
        suite: SUITE.name,
        simulationSeed: SUITE.seed,
        truthSample: SUITE.sample,
        regions: FIT_REGIONS.map((r) => `${r.name}:${SUITE.contig}:${r.start}-${r.end}:${r.role}`),
        bams,
        truth: TRUTH.replace(`${REPO_ROOT}/`, ''),
        // The no-rules run every threshold was fitted on (all rules and gates off) …
        noRulesSnvCalls: count('snv', null),
        noRulesSnvErrors: count('snv', true),
        noRulesIndelCalls: count('indel', null),
        noRulesIndelErrors: count('indel', true),
        truthSnvs: table.truth.snv,
        truthIndels: table.truth.indel,
        // … and the calls the fitted hard rules keep, which the GQ calibration was fitted on.
        snvCalls: fitted.classes.snv.calls,
        snvErrors: fitted.classes.snv.errors,
        indelCalls: fitted.classes.indel.calls,
        indelErrors: fitted.classes.indel.errors,
        fitRounds: fitted.rounds,
        callerSources: CALLER_SOURCES,
        fitTable: tablePath.replace(`${REPO_ROOT}/`, ''),
      },
    },
    classes: fitted.classes,
  };
  // The single threshold over both classes, for readers of older files; the per-class ones are what runs.
  const hardRulesKept = (cls: CalibrationClass): { gq: number; wrong: boolean }[] => {
    const rules = applyFittedThresholds(preset, fitted.fits[cls].thresholds);
    return table.rows.filter((r) => r.variantClass === cls && decideAbstentionRulesOnly(r, rules)).map((r) => ({ gq: calibratedGq(fitted.classes[cls], r.rawGq), wrong: r.wrong }));
  };
  model.minGq = chooseThreshold([...hardRulesKept('snv'), ...hardRulesKept('indel')], TARGET_PRECISION).minGq;
  model.minGqByClass = { snv: fitted.fits.snv.thresholds.minGq ?? preset.minGq, indel: fitted.fits.indel.thresholds.minGq ?? preset.minGq };
  model.targetPrecision = TARGET_PRECISION;
  model.abstention = {
    method: 'coordinate-f1-at-precision/1',
    targetPrecision: TARGET_PRECISION,
    byClass: {
      snv: { thresholds: fitted.fits.snv.thresholds, fit: fitted.fits.snv.summary },
      indel: { thresholds: fitted.fits.indel.thresholds, fit: fitted.fits.indel.summary },
    },
  };
  writeFileSync(calibrationPath(platform), `${JSON.stringify(model, null, 2)}\n`);
  for (const cls of ['snv', 'indel'] as const) {
    const f = fitted.fits[cls];
    console.error(`[${platform}] ${cls}: Platt a=${model.classes[cls].intercept.toFixed(3)} b=${model.classes[cls].slope.toFixed(4)}; ${describeThresholds(f.thresholds)}; kept ${f.summary.kept} (${f.summary.keptWrong} wrong) of ${f.summary.candidates} (${f.summary.wrong} wrong), precision ${f.summary.precision}, recall ${f.summary.recall}, F1 ${f.summary.f1}${f.reachedTarget ? '' : ' (target NOT reached)'}; removes alone ${JSON.stringify(f.summary.removesAlone)}`);
  }
  return model;
}

/** Whether the hard rules of `rules` keep a fit-table row (GQ and QUAL gates aside). */
function decideAbstentionRulesOnly(row: FitRow, rules: AbstentionConfig): boolean {
  return decideFromStatistics(row.stats, 0, rules, true).reason === null;
}

async function main(): Promise<void> {
  if (!existsSync(`${KIT.alignDir}/ont-small.minimap2.bam.bai`) || !existsSync(TRUTH)) {
    console.error(`bench/call: the kit's "${SUITE.name}" suite is missing under ${KIT.suiteDir}; run npx tsx bench/run.ts --suite ${SUITE.name} first`);
    process.exit(2);
  }
  mkdirSync(OUT, { recursive: true });
  if (FIT) {
    for (const platform of PLATFORMS) await fitCalibration(platform);
    return;
  }
  const evalBed = bed('eval', [EVAL_REGION]);
  const accuracy: string[] = [];
  const calibrationRows: string[] = [];
  const riskRows: string[] = [];
  const reliability: string[] = [];
  const speed: string[] = [];
  const thresholdRows: string[] = [];
  for (const platform of PLATFORMS) {
    const model = loadCalibration(platform);
    if (!model) throw new Error(`no calibration for ${platform}: run npx tsx bench/call.ts --fit-calibration first`);
    for (const aligner of ['ours', 'peer'] as const) {
      const bam = await bamFor(platform, aligner);
      const name = `${platform}.${aligner}.eval`;
      const by = alignerName(platform, aligner);
      console.error(`[${platform}] evaluation runs on ${by}'s BAM`);
      const evalOpen = await runOurs(platform, bam, [interval(EVAL_REGION)], model, true, `ours.${name}.nothreshold`);
      const evalOurs = await runOurs(platform, bam, [interval(EVAL_REGION)], model, false, `ours.${name}`);
      const oursReport = await compare(evalOurs.vcf, evalBed, null);
      const openReport = await compare(evalOpen.vcf, evalBed, null);
      const byClass = abstentionByClass(loadPlatformPreset(platform).abstention, model);
      const thresholds = `SNV GQ ≥ ${byClass.snv.minGq}, indel GQ ≥ ${byClass.indel.minGq}, QUAL ≥ ${byClass.snv.minQual}${model.abstention ? ', fitted rules' : ''}`;
      // The product's default: the learned model genotypes the classes its preset names (the statistical rows below are `--statistical`).
      const evalModel = await runOurs(platform, bam, [interval(EVAL_REGION)], model, false, `ours.${name}.model`, { modelDir: shippedModelDir() });
      const rows: [string, CompareReport, number][] = [
        [`GenomAIc, default (learned model ${SHIPPED_MODEL_ID}; ${thresholds})`, await compare(evalModel.vcf, evalBed, null), evalModel.seconds],
        [`GenomAIc --statistical (${thresholds})`, oursReport, evalOurs.seconds],
      ];
      const failures: string[] = [];
      const tools: ('bcftools' | 'freebayes')[] = platform === 'illumina' ? ['bcftools', 'freebayes'] : ['bcftools'];
      for (const tool of tools) {
        try {
          console.error(`[${platform}] ${tool} on ${by}'s BAM`);
          const peer = runPeer(tool, platform, bam, EVAL_REGION, name);
          rows.push([`${tool} (QUAL ≥ 20)`, await compare(peer.vcf, evalBed, 20), peer.seconds]);
        } catch (err) {
          console.error(`[${platform}] ${tool} failed: ${(err as Error).message.split('\n')[0]}`);
          failures.push(`| ${platform} | ${by} | ${tool} | did not finish (timeout ${tool === 'freebayes' ? FREEBAYES_TIMEOUT_SECONDS : '—'} s or error) | | | | | | | | | | | |`);
        }
      }
      for (const [caller, r, seconds] of rows) {
        const s = r.metrics.SNP;
        const i = r.metrics.INDEL;
        accuracy.push(`| ${platform} | ${by} | ${caller} | ${s.tp} | ${s.fp} | ${s.fn} | ${fmt(s.precision)} | ${fmt(s.recall)} | ${fmt(s.f1)} | ${i.tp} | ${i.fp} | ${i.fn} | ${fmt(i.precision)} | ${fmt(i.recall)} | ${fmt(i.f1)} |`);
        speed.push(`| ${platform} | ${by} | ${caller} | ${seconds.toFixed(1)} |`);
      }
      accuracy.push(...failures);
      const openCal = openReport.calibration;
      calibrationRows.push(`| ${platform} | ${by} | ${oursReport.calibration.callsWithGq} | ${fmt(oursReport.calibration.expectedCalibrationError)} | ${openCal.callsWithGq} | ${fmt(openCal.expectedCalibrationError)} |`);
      for (const b of openCal.bins) {
        if (b.calls === 0) continue;
        reliability.push(`| ${platform} | ${by} | ${b.gqMin}–${b.gqMax ?? '∞'} | ${b.calls} | ${b.predictedError === null ? 'n/a' : b.predictedError.toExponential(2)} | ${b.observedError === null ? 'n/a' : b.observedError.toExponential(2)} |`);
      }
      for (const p of openReport.riskCoverage) {
        if (![0, 10, 20, 30, 40, 50, 60, 80].includes(p.minGq)) continue;
        riskRows.push(`| ${platform} | ${by} | ${p.minGq} | ${fmt(p.callFraction, 3)} | ${fmt(p.precision)} | ${fmt(p.recall)} |`);
      }
    }
    if (model.abstention) {
      for (const cls of ['snv', 'indel'] as const) {
        const { thresholds: t, fit } = model.abstention.byClass[cls];
        const cell = (k: keyof FittedThresholds): string => (t[k] === null ? 'off' : String(t[k]));
        thresholdRows.push(`| ${platform} | ${cls} | ${cell('minDepth')} | ${cell('minMeanMapq')} / ${cell('maxMapq0Fraction')} | ${cell('strandBiasMinPhred')} | ${cell('hetBalanceMinPhred')} / ${cell('homAltMaxRefFraction')} | ${cell('readBiasMinPhred')} | ${cell('repeatMinGq')} | ${cell('minGq')} | ${cell('minQual')} | ${fit.kept} of ${fit.candidates} (${fit.keptWrong} of ${fit.wrong} wrong) | ${fit.precision.toFixed(4)} | ${fit.recall.toFixed(4)} |`);
      }
    }
    calibrationRows.push(`| ${platform} | (fit) | ${model.fittedOn.description} | SNV a = ${model.classes.snv.intercept.toFixed(3)}, b = ${model.classes.snv.slope.toFixed(4)}; indel a = ${model.classes.indel.intercept.toFixed(3)}, b = ${model.classes.indel.slope.toFixed(4)} | | |`);
  }
  const md = [
    '## Small-variant calling (`npx tsx bench/call.ts`)',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${describeMachine()}; GenomAIc ${appVersion()}, ${toolVersion('bcftools')}, freebayes ${toolVersion('freebayes').replace(/^version:\s*/, '')}.`,
    `Caller sources (SHA-256 of engine/call/*.ts, first 12 hex): ${CALLER_SOURCES} for this evaluation; the calibrations were fitted with ${[...new Set(PLATFORMS.map((p) => String(loadCalibration(p)?.fittedOn.data.callerSources ?? 'unrecorded')))].join(', ')}.`,
    '',
    `Simulated reads over real genotypes: the kit's "${SUITE.name}" suite (${SUITE.sample}, 1000 Genomes phased panel, GRCh37 chr20; ART Illumina HS25 2×150, pbsim HiFi-like and ONT R9-like, ${SUITE.coverage}× per platform, seed ${SUITE.seed}).`,
    `Each platform's reads are aligned twice: by the peer aligner (bwa mem for Illumina, minimap2 for HiFi/ONT, from the kit) and by our own aligner (engine/align); every caller runs on the same BAM in each pair of rows.`,
    `Calibration (logistic on ln(1 + raw GQ), per class) and the abstention thresholds (every rule's, the GQ and repeat gates, per class) were fitted with \`npx tsx bench/call.ts --fit-calibration\` on ${regionText(FIT_REGIONS)} only (roles training/calibration in bench/regions.yaml);`,
    `every number below is on the disjoint evaluation region ${regionText([EVAL_REGION])}, by the project comparator (haplotype-aware), PASS calls only.`,
    `"GenomAIc, default" is \`genomaic call\` as shipped: the learned model genotypes the classes its preset names (ONT indels stay statistical) with its own GQ calibration and GQ gates (docs/model.md); "GenomAIc --statistical" is the statistical genotyper alone, and the calibration, reliability and risk–coverage tables below are its (the model's are in "Model ablations").`,
    '',
    '### Accuracy (evaluation region)',
    '',
    '| platform | aligner | caller | SNP TP | SNP FP | SNP FN | SNP precision | SNP recall | SNP F1 | INDEL TP | INDEL FP | INDEL FN | INDEL precision | INDEL recall | INDEL F1 |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...accuracy,
    '',
    '### Fitted abstention thresholds (fitting regions)',
    '',
    `Chosen by \`--fit-calibration\` per platform and class on the fitting regions (docs/calling.md, "Abstention"): the loosest setting whose kept calls reach precision ${TARGET_PRECISION} there without lowering F1; STRAND_BIAS, READ_POSITION_BIAS and the het test of ALLELE_BALANCE, where the fit would turn them off, are armed beyond every true call of the fitting data; QUAL from the target. "off": the rule never fires. The last three columns are on the fitting data, from the no-rules run of both BAMs.`,
    '',
    '| platform | class | LOW_DEPTH min depth | LOW_MAPQ min mean MAPQ / max MAPQ-0 fraction | STRAND_BIAS min Phred | ALLELE_BALANCE het min Phred / hom-alt max ref fraction | READ_POSITION_BIAS min Phred | REPEAT_CONTEXT min GQ | min GQ | min QUAL | kept (wrong) | precision | recall |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...thresholdRows,
    '',
    '### Calibration of GQ (evaluation region)',
    '',
    'ECE = Σ_bins (n_b/N)·|mean 10^(−GQ/10) − observed error|; "without threshold" keeps every call the hard rules allow (the set the risk–coverage curve moves over).',
    '',
    '| platform | aligner | calls (with abstention) | ECE | calls (without threshold) | ECE |',
    '| --- | --- | --- | --- | --- | --- |',
    ...calibrationRows,
    '',
    'Reliability table (without threshold):',
    '',
    '| platform | aligner | GQ bin | calls | predicted error | observed error |',
    '| --- | --- | --- | --- | --- | --- |',
    ...reliability,
    '',
    '### Risk–coverage (evaluation region, without the QUAL gate)',
    '',
    '| platform | aligner | min GQ | fraction of calls kept | precision | recall |',
    '| --- | --- | --- | --- | --- | --- |',
    ...riskRows,
    '',
    `### Wall time (evaluation region, ${((EVAL_REGION.end - EVAL_REGION.start + 1) / 1e6).toFixed(1)} Mbp)`,
    '',
    '| platform | aligner | caller | seconds |',
    '| --- | --- | --- | --- |',
    ...speed,
  ].join('\n');
  writeBenchmarkSection('call', md);
  console.log(md);
}

await main();
