/**
 * Benchmark of the small-variant caller (issue 5): `npx tsx bench/call.ts` (→ `npm run bench:call`).
 *
 * Data: GRCh37 chr20, HG00096's real genotypes (1000 Genomes phased panel) over
 * 20:1,000,001–3,000,000, reads simulated from both haplotypes (ART Illumina 2×150,
 * pbsim HiFi-like and ONT R9-like, 15× per haplotype), aligned with bwa mem / minimap2
 * (prepared by `.cache/bench/call/prep.sh`, the recipes of data-sources.md).
 *
 * Protocol: training region 20:1,000,001–2,000,000, evaluation region 20:2,000,001–3,000,000,
 * disjoint. On training only: fit the GQ calibration (isotonic, per platform and class) and
 * choose the abstention threshold for precision ≥ 0.99. On evaluation only: precision,
 * recall, F1 for SNP and INDEL against bcftools and freebayes on the same BAMs, ECE and the
 * reliability table of our GQ, and the risk–coverage curve. All comparisons by the
 * project's haplotype-aware comparator (engine/compare).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { compareVcfFiles } from '../engine/compare/compare.js';
import type { CompareReport } from '../engine/compare/types.js';
import { callVariants, type CallResult } from '../engine/call/caller.js';
import { loadPlatformPreset } from '../engine/call/config.js';
import type { CalibrationModel, CalibrationSample } from '../engine/call/calibration.js';
import { calibrateGq, calibrationPath, chooseThreshold, fitIsotonic } from '../engine/call/calibration.js';
import { writeCallOutputs } from '../engine/export/write-calls.js';
import type { Platform } from '../engine/call/types.js';
import { appVersion } from '../engine/version.js';
import { describeMachine, REPO_ROOT, toolVersion, writeBenchmarkSection } from './report.js';

const DATA = join(REPO_ROOT, '.cache', 'bench', 'call');
const OUT = join(DATA, 'runs');
const REF = join(DATA, 'ref', '20.fa');
const TRUTH = join(DATA, 'truth.vcf.gz');
const TRAIN = { contig: '20', start: 1_000_000, end: 2_000_000 };
const EVAL = { contig: '20', start: 2_000_000, end: 3_000_000 };
const TARGET_PRECISION = 0.99;
/** freebayes is slow on long reads; past this the row is reported as not finished. */
const FREEBAYES_TIMEOUT_SECONDS = 480;
const PLATFORMS: Platform[] = (process.argv.find((a) => a.startsWith('--platforms='))?.slice(12).split(',') as Platform[] | undefined) ?? ['illumina', 'hifi', 'ont'];

function bed(name: string, r: typeof TRAIN): string {
  const path = join(OUT, `${name}.bed`);
  writeFileSync(path, `${r.contig}\t${r.start}\t${r.end}\n`);
  return path;
}

async function runOurs(platform: Platform, region: typeof TRAIN, calibration: CalibrationModel | null, thresholdsOff: boolean, name: string): Promise<{ vcf: string; seconds: number; result: CallResult }> {
  let config = loadPlatformPreset(platform);
  if (calibration?.minGq !== undefined) config = { ...config, abstention: { ...config.abstention, minGq: calibration.minGq } };
  const bam = join(DATA, 'bam', `${platform}.bam`);
  const t = performance.now();
  const result = await callVariants({ bamPath: bam, referencePath: REF, config, calibration, regions: [region], thresholdsOff });
  const seconds = (performance.now() - t) / 1000;
  const vcf = join(OUT, `${name}.vcf.gz`);
  await writeCallOutputs({ result, vcfPath: vcf, bamPath: bam, referencePath: REF, commandLine: `bench/call.ts ${name}`, minGq: config.abstention.minGq });
  return { vcf, seconds, result };
}

function runPeer(tool: 'bcftools' | 'freebayes', platform: Platform, region: typeof TRAIN): { vcf: string; seconds: number } {
  const bam = join(DATA, 'bam', `${platform}.bam`);
  const regionText = `${region.contig}:${region.start + 1}-${region.end}`;
  const vcf = join(OUT, `${tool}.${platform}.eval.vcf.gz`);
  const t = performance.now();
  if (tool === 'bcftools') {
    const preset = platform === 'ont' ? ['-X', 'ont'] : platform === 'hifi' ? ['-X', 'pacbio-ccs'] : [];
    execFileSync('bash', ['-c', `bcftools mpileup -f ${REF} -r ${regionText} -a AD,DP ${preset.join(' ')} ${bam} 2>/dev/null | bcftools call -mv -Oz -o ${vcf} 2>/dev/null`]);
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

/** Per-record outcome of a no-threshold run on training: (raw GQ, wrong?) per class. */
function calibrationSamples(report: CompareReport, result: CallResult): Record<'snv' | 'indel', CalibrationSample[]> {
  // Call atoms carry the record's 1-based POS (our records are already normalised); a record is wrong if any atom is.
  const out: Record<'snv' | 'indel', CalibrationSample[]> = { snv: [], indel: [] };
  const byKey = new Map<string, boolean>();
  for (const v of report.variants ?? []) if (v.side === 'call') byKey.set(`${v.pos}`, (byKey.get(`${v.pos}`) ?? false) || v.verdict === 'FP' || v.match === 'allele');
  for (const r of result.records) {
    if (r.filter !== 'PASS' || !r.genotype) continue;
    const cls = r.alts.every((a) => a.length === r.ref.length) ? 'snv' : 'indel';
    const wrong = byKey.get(`${r.pos + 1}`);
    if (wrong === undefined) continue; // outside the evaluated region
    out[cls].push({ rawGq: r.rawGq, wrong });
  }
  return out;
}

function fmt(x: number | null, digits = 4): string {
  return x === null ? 'n/a' : x.toFixed(digits);
}

async function main(): Promise<void> {
  if (!existsSync(join(DATA, 'bam', 'ont.bam.bai'))) {
    console.error(`bench/call: data missing; run ${join(DATA, 'prep.sh')} first (needs bwa, minimap2, samtools, bcftools, art_illumina, pbsim)`);
    process.exit(2);
  }
  mkdirSync(OUT, { recursive: true });
  const trainBed = bed('train', TRAIN);
  const evalBed = bed('eval', EVAL);
  const accuracy: string[] = [];
  const calibrationRows: string[] = [];
  const riskRows: string[] = [];
  const reliability: string[] = [];
  const speed: string[] = [];
  for (const platform of PLATFORMS) {
    console.error(`[${platform}] training run (no calibration, no GQ threshold)`);
    const train = await runOurs(platform, TRAIN, null, true, `ours.${platform}.train`);
    const trainReport = await compare(train.vcf, trainBed, null, true);
    const samples = calibrationSamples(trainReport, train.result);
    const model: CalibrationModel = {
      schema: 'genomaic.call-calibration/1',
      platform,
      method: 'isotonic-jeffreys',
      fittedOn: { description: `HG00096 simulated ${platform}, 20:1000001-2000000, ${samples.snv.length} SNV + ${samples.indel.length} indel calls`, date: new Date().toISOString().slice(0, 10), codeVersion: appVersion() },
      classes: { snv: fitIsotonic(samples.snv), indel: fitIsotonic(samples.indel) },
    };
    const calibrated = [...samples.snv.map((s) => ({ gq: calibrateGq(model, 'snv', s.rawGq), wrong: s.wrong })), ...samples.indel.map((s) => ({ gq: calibrateGq(model, 'indel', s.rawGq), wrong: s.wrong }))];
    const threshold = chooseThreshold(calibrated, TARGET_PRECISION);
    model.minGq = threshold.minGq;
    model.targetPrecision = TARGET_PRECISION;
    writeFileSync(calibrationPath(platform), `${JSON.stringify(model, null, 2)}\n`);
    console.error(`[${platform}] calibration fitted; threshold GQ ≥ ${threshold.minGq} (training precision ${threshold.precision.toFixed(4)}, coverage ${threshold.coverage.toFixed(3)})`);

    console.error(`[${platform}] evaluation runs`);
    const evalOpen = await runOurs(platform, EVAL, model, true, `ours.${platform}.eval.nothreshold`);
    const evalOurs = await runOurs(platform, EVAL, model, false, `ours.${platform}.eval`);
    const oursReport = await compare(evalOurs.vcf, evalBed, null);
    const openReport = await compare(evalOpen.vcf, evalBed, null);
    const rows: [string, CompareReport, number][] = [[`GenomAIc (calibrated, abstaining at GQ < ${threshold.minGq})`, oursReport, evalOurs.seconds]];
    const failures: string[] = [];
    for (const tool of ['bcftools', 'freebayes'] as const) {
      try {
        console.error(`[${platform}] ${tool}`);
        const peer = runPeer(tool, platform, EVAL);
        rows.push([`${tool} (QUAL ≥ 20)`, await compare(peer.vcf, evalBed, 20), peer.seconds]);
      } catch (err) {
        console.error(`[${platform}] ${tool} failed: ${(err as Error).message.split('\n')[0]}`);
        failures.push(`| ${platform} | ${tool} | did not finish (timeout ${tool === 'freebayes' ? FREEBAYES_TIMEOUT_SECONDS : '—'} s or error) | | | | | | | | | | | |`);
      }
    }
    for (const [name, r, seconds] of rows) {
      const s = r.metrics.SNP;
      const i = r.metrics.INDEL;
      accuracy.push(`| ${platform} | ${name} | ${s.tp} | ${s.fp} | ${s.fn} | ${fmt(s.precision)} | ${fmt(s.recall)} | ${fmt(s.f1)} | ${i.tp} | ${i.fp} | ${i.fn} | ${fmt(i.precision)} | ${fmt(i.recall)} | ${fmt(i.f1)} |`);
      speed.push(`| ${platform} | ${name} | ${seconds.toFixed(1)} |`);
    }
    accuracy.push(...failures);
    const openCal = openReport.calibration;
    calibrationRows.push(`| ${platform} | ${oursReport.calibration.callsWithGq} | ${fmt(oursReport.calibration.expectedCalibrationError)} | ${openCal.callsWithGq} | ${fmt(openCal.expectedCalibrationError)} |`);
    for (const b of openCal.bins) {
      if (b.calls === 0) continue;
      reliability.push(`| ${platform} | ${b.gqMin}–${b.gqMax ?? '∞'} | ${b.calls} | ${b.predictedError === null ? 'n/a' : b.predictedError.toExponential(2)} | ${b.observedError === null ? 'n/a' : b.observedError.toExponential(2)} |`);
    }
    for (const p of openReport.riskCoverage) {
      if (![0, 5, 10, 15, 20, 25, 30, 40, 50].includes(p.minGq)) continue;
      riskRows.push(`| ${platform} | ${p.minGq} | ${fmt(p.callFraction, 3)} | ${fmt(p.precision)} | ${fmt(p.recall)} |`);
    }
  }
  const md = [
    '## Small-variant calling (`npx tsx bench/call.ts`)',
    '',
    `Measured ${new Date().toISOString().slice(0, 10)} on ${describeMachine()}; GenomAIc ${appVersion()}, ${toolVersion('bcftools')}, ${toolVersion('freebayes')}.`,
    '',
    'Simulated reads over real genotypes: HG00096 (1000 Genomes phased panel) on GRCh37 chr20; ART Illumina HS25 2×150, pbsim HiFi-like and ONT R9-like, 15× per haplotype;',
    'bwa mem (Illumina) / minimap2 (HiFi, ONT) BAMs shared by all callers. Calibration and the abstention threshold were fitted on 20:1,000,001–2,000,000 only;',
    'every number below is on the disjoint evaluation region 20:2,000,001–3,000,000, by the project comparator (haplotype-aware), PASS calls only.',
    '',
    '### Accuracy (evaluation region)',
    '',
    '| platform | caller | SNP TP | SNP FP | SNP FN | SNP precision | SNP recall | SNP F1 | INDEL TP | INDEL FP | INDEL FN | INDEL precision | INDEL recall | INDEL F1 |',
    '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
    ...accuracy,
    '',
    '### Calibration of GQ (evaluation region)',
    '',
    'ECE = Σ_bins (n_b/N)·|mean 10^(−GQ/10) − observed error|; "without threshold" keeps every call the hard rules allow (the set the risk–coverage curve moves over).',
    '',
    '| platform | calls (with abstention) | ECE | calls (without threshold) | ECE |',
    '| --- | --- | --- | --- | --- |',
    ...calibrationRows,
    '',
    'Reliability table (without threshold):',
    '',
    '| platform | GQ bin | calls | predicted error | observed error |',
    '| --- | --- | --- | --- | --- |',
    ...reliability,
    '',
    '### Risk–coverage (evaluation region)',
    '',
    '| platform | min GQ | fraction of calls kept | precision | recall |',
    '| --- | --- | --- | --- | --- |',
    ...riskRows,
    '',
    '### Wall time (evaluation region, 1 Mbp)',
    '',
    '| platform | caller | seconds |',
    '| --- | --- | --- |',
    ...speed,
  ].join('\n');
  writeBenchmarkSection('call', md);
  console.log(md);
}

await main();
