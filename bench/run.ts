/**
 * `npm run bench -- --suite small`: the benchmark kit in one command. Builds the data from
 * Debian packages (reference, truth, SVs, simulated reads for three platforms, real reads),
 * runs the peers and the product on the same inputs, scores everything with the comparator
 * (cross-checked against bcftools isec), and writes bench/results/kit-<suite>.json and the
 * kit's section of docs/benchmarks.md. A data-only suite (`evaluate: []`, e.g. train2) stops
 * after truth, reads and peer alignments and records them in <cache>/<suite>-seed<seed>/data.json.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs, stringFlag, boolFlag, UsageError } from '../app/cli/args.js';
import type { Platform, SuiteConfig } from './config.js';
import { loadSuite, simulatedSpan } from './config.js';
import type { KitPaths } from './data.js';
import { indexReferenceForBwa, kitPaths, prepareReference, prepareSvs, prepareTruth } from './data.js';
import { StepRunner } from './exec.js';
import { atomisedTruth, evaluateCalls, MIN_QUAL } from './evaluate.js';
import { renderKitMarkdown } from './markdown.js';
import type { Aligner, Alignment, Caller } from './peers.js';
import { align, callSmallVariants, callStructuralVariants, perBaseDepth } from './peers.js';
import type { ProductStageResult } from './product.js';
import { PRODUCT_STAGES } from './product.js';
import { runRealReads } from './real-reads.js';
import { describeMachine, REPO_ROOT, writeBenchmarkSection } from './report.js';
import type { KitResults, ReadSetSummary, RealReadRow, SmallVariantRow, SvRow, ToolVersion } from './results.js';
import { KIT_RESULTS_SCHEMA } from './results.js';
import type { ReadSet } from './simulate.js';
import { simulateReads } from './simulate.js';
import { debianPackageVersion, ensureTools, TOOLS } from './tools.js';
import { compareSvFiles } from '../engine/compare/sv.js';
import { compareVcfFiles } from '../engine/compare/compare.js';

const USAGE = `Usage: npm run bench -- [options]

  --suite NAME      small (default; chr20 1 Mb, < 15 min on 2 cores), large (chr20 1-4 Mb) or train2
                    (data only: a second seed over the training and calibration regions)
  --threads N       threads for aligners and callers (default: all cores, at most 8)
  --seed N          override the suite's seed (simulation and SV placement)
  --coverage X      override the depth per platform (half per haplotype)
  --fresh           rebuild everything of this suite (the reference and its index are kept)
  --skip-real       skip the NA12878 real-read set
  --skip-sv         skip structural variants
  --product-timeout S  time limit per product run (genomaic analyze), seconds (default 600)
  --no-docs         do not rewrite docs/benchmarks.md
  --render-only     only rewrite the suite's docs section from bench/results/kit-<suite>.json
  --cache DIR       data and work directory (default .cache/bench)
  -h, --help`;

interface RunOptions {
  suite: SuiteConfig;
  threads: number;
  fresh: boolean;
  skipReal: boolean;
  skipSv: boolean;
  writeDocs: boolean;
  renderOnly: boolean;
  productTimeoutSeconds: number;
  cacheRoot: string;
  command: string;
}

function parseOptions(argv: string[]): RunOptions | null {
  const parsed = parseArgs(argv, {
    suite: { type: 'string' },
    threads: { type: 'string' },
    seed: { type: 'string' },
    coverage: { type: 'string' },
    fresh: { type: 'boolean' },
    'skip-real': { type: 'boolean' },
    'skip-sv': { type: 'boolean' },
    'no-docs': { type: 'boolean' },
    'product-timeout': { type: 'string' },
    'render-only': { type: 'boolean' },
    cache: { type: 'string' },
    help: { type: 'boolean', short: 'h' },
  });
  if (boolFlag(parsed, 'help')) {
    process.stdout.write(`${USAGE}\n`);
    return null;
  }
  if (parsed.positionals.length > 0) throw new UsageError(`unexpected argument ${parsed.positionals[0]}`);
  const suite = loadSuite(stringFlag(parsed, 'suite') ?? 'small');
  const numeric = (name: string): number | undefined => {
    const v = stringFlag(parsed, name);
    if (v === undefined) return undefined;
    const x = Number(v);
    if (!Number.isFinite(x) || x <= 0) throw new UsageError(`--${name} needs a positive number`);
    return x;
  };
  suite.seed = numeric('seed') ?? suite.seed;
  suite.coverage = numeric('coverage') ?? suite.coverage;
  return {
    suite,
    threads: Math.floor(numeric('threads') ?? Math.min(8, cpus().length)),
    fresh: boolFlag(parsed, 'fresh'),
    skipReal: boolFlag(parsed, 'skip-real'),
    skipSv: boolFlag(parsed, 'skip-sv'),
    writeDocs: !boolFlag(parsed, 'no-docs'),
    renderOnly: boolFlag(parsed, 'render-only'),
    productTimeoutSeconds: numeric('product-timeout') ?? 600,
    cacheRoot: stringFlag(parsed, 'cache') ?? join(REPO_ROOT, '.cache', 'bench'),
    command: ['npm run bench --', ...argv].join(' '),
  };
}

/** seqkit stats -T -a, parsed by column name (columns differ between seqkit versions). */
function parseSeqkitStats(tsv: string): Map<string, { reads: number; bases: number; meanLength: number; n50: number | null }> {
  const [headerLine, ...lines] = tsv.trim().split('\n');
  const header = headerLine!.split('\t');
  const col = (row: string[], name: string): number => Number(row[header.indexOf(name)]);
  const out = new Map<string, { reads: number; bases: number; meanLength: number; n50: number | null }>();
  for (const line of lines) {
    const row = line.split('\t');
    out.set(row[0]!, { reads: col(row, 'num_seqs'), bases: col(row, 'sum_len'), meanLength: col(row, 'avg_len'), n50: header.includes('N50') ? col(row, 'N50') : null });
  }
  return out;
}

async function summariseReads(sets: ReadSet[], dir: string, runner: StepRunner): Promise<ReadSetSummary[]> {
  const statsFile = join(dir, 'seqkit-stats.tsv');
  const files = sets.flatMap((s) => s.fastq);
  await runner.step('read-stats', { files }, [statsFile], async (exec) => {
    await exec([{ cmd: 'seqkit', args: ['stats', '-T', '-a', '-j', '2', ...files] }], { stdoutFile: statsFile });
  });
  const stats = parseSeqkitStats(readFileSync(statsFile, 'utf8'));
  return sets.map((s) => {
    const per = s.fastq.map((f) => stats.get(f) ?? stats.get(f.replace(`${REPO_ROOT}/`, '')));
    const reads = per.reduce((a, p) => a + (p?.reads ?? 0), 0);
    const bases = per.reduce((a, p) => a + (p?.bases ?? 0), 0);
    return { platform: s.platform, set: s.set, simulator: s.simulator, meanAccuracy: s.meanAccuracy, reads, bases, meanLength: reads ? bases / reads : 0, n50: per[0]?.n50 ?? null };
  });
}

/** Run order: minimap2 pipelines first, while the bwa index is still being built. */
const PIPELINES: { platform: Platform; aligner: 'bwa' | 'minimap2'; callers: Caller[] }[] = [
  { platform: 'hifi', aligner: 'minimap2', callers: ['bcftools', 'freebayes'] },
  { platform: 'ont', aligner: 'minimap2', callers: ['bcftools', 'freebayes'] },
  { platform: 'illumina', aligner: 'minimap2', callers: ['bcftools'] },
  { platform: 'illumina', aligner: 'bwa', callers: ['bcftools', 'freebayes'] },
];
/**
 * A data-only suite (evaluate: []) is aligned once per platform, with the aligner the peer rows
 * and the model's kit source use (engine/model/kit-training-source.ts KIT_ALIGNER).
 */
const DATA_ONLY_ALIGNER: Record<Platform, Aligner> = { illumina: 'bwa', hifi: 'minimap2', ont: 'minimap2' };

async function alignDataOnly(options: RunOptions, paths: KitPaths, readSets: ReadSet[], bwaIndex: Promise<void>, runner: StepRunner): Promise<void> {
  const { suite, threads } = options;
  // Long reads first, while the bwa index may still be building (as PIPELINES runs).
  for (const platform of (['hifi', 'ont', 'illumina'] as const).filter((p) => suite.platforms.includes(p))) {
    const reads = readSets.find((r) => r.platform === platform && r.set === 'small')!;
    if (DATA_ONLY_ALIGNER[platform] === 'bwa') await bwaIndex;
    const alignment = await align(platform, DATA_ONLY_ALIGNER[platform], 'small', reads.fastq, paths.reference, suite.sample, paths.alignDir, threads, runner);
    process.stderr.write(`[bench] ${platform}: ${alignment.bam}\n`);
  }
  await bwaIndex;
}

/** Table order. */
const ROW_ORDER = [
  'illumina.bwa.bcftools',
  'illumina.bwa.freebayes',
  'illumina.minimap2.bcftools',
  'illumina.genomaic.genomaic',
  'hifi.minimap2.bcftools',
  'hifi.minimap2.freebayes',
  'hifi.genomaic.genomaic',
  'ont.minimap2.bcftools',
  'ont.minimap2.freebayes',
  'ont.genomaic.genomaic',
];

async function main(): Promise<number> {
  let options: RunOptions | null;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`bench: ${err.message}\n\n${USAGE}\n`);
      return 2;
    }
    throw err;
  }
  if (!options) return 0;
  const { suite, threads } = options;
  const resultsDir = join(REPO_ROOT, 'bench', 'results');
  const resultsPath = join(resultsDir, `kit-${suite.name}.json`);
  if (options.renderOnly) {
    // For a change of presentation: the figures are the recorded run's, untouched.
    writeBenchmarkSection(`kit-${suite.name}`, renderKitMarkdown(JSON.parse(readFileSync(resultsPath, 'utf8')) as KitResults));
    process.stderr.write(`[bench] docs/benchmarks.md section kit-${suite.name} rewritten from ${resultsPath}\n`);
    return 0;
  }
  const startedAt = new Date();
  const started = performance.now();
  const loadAtStart = loadavg()[0]!;
  ensureTools();
  const paths = kitPaths(options.cacheRoot, suite);
  if (options.fresh) {
    rmSync(paths.suiteDir, { recursive: true, force: true });
    rmSync(paths.realDir, { recursive: true, force: true });
  }
  const refRunner = new StepRunner(join(paths.refDir, 'stamps'), join(paths.refDir, 'logs'), false);
  const runner = new StepRunner(join(paths.suiteDir, 'stamps'), join(paths.suiteDir, 'logs'), false);

  await prepareReference(paths, refRunner);
  // Started now, awaited before the first bwa alignment: it overlaps simulation and minimap2.
  const bwaIndex = indexReferenceForBwa(paths, refRunner);
  bwaIndex.catch(() => undefined); // a failure is reported where it is awaited
  const { files: truth, sanitise } = await prepareTruth(paths, suite, runner);
  // A data-only suite (evaluate: []) stops after its reads are aligned: no SV reads to score.
  const dataOnly = suite.evaluate.length === 0;
  const svEnabled = !dataOnly && !options.skipSv && suite.sv.platforms.length > 0;
  const sv = svEnabled ? await prepareSvs(paths, suite, truth, runner) : null;

  // Reads: the small-variant haplotypes for every platform, the SV haplotypes for long reads.
  const readSets: ReadSet[] = [];
  for (const platform of suite.platforms) {
    readSets.push(await simulateReads(platform, 'small', [truth.hap1, truth.hap2], suite, paths.readsDir, paths.cacheRoot, runner));
  }
  if (sv) {
    for (const platform of suite.sv.platforms) {
      readSets.push(await simulateReads(platform, 'sv', [sv.hap1, truth.hap2], suite, paths.readsDir, paths.cacheRoot, runner));
    }
  }
  const readSummaries = await summariseReads(readSets, paths.readsDir, runner);

  if (dataOnly) {
    await alignDataOnly(options, paths, readSets, bwaIndex, runner);
    const record = {
      suite: suite.name,
      description: suite.description,
      command: options.command,
      startedAt: startedAt.toISOString(),
      wallSeconds: (performance.now() - started) / 1000,
      seed: suite.seed,
      coveragePerPlatform: suite.coverage,
      regions: { all: suite.allRegions, simulated: suite.simulate.map((r) => r.name), evaluated: [] },
      truth: { sample: suite.sample, vcf: truth.vcf, span: truth.span, sanitise },
      reads: readSummaries,
      alignments: Object.fromEntries(suite.platforms.map((p) => [p, join(paths.alignDir, `${p}-small.${DATA_ONLY_ALIGNER[p]}.bam`)])),
      steps: [...refRunner.steps, ...runner.steps],
    };
    const recordPath = join(paths.suiteDir, 'data.json');
    writeFileSync(recordPath, `${JSON.stringify(record, null, 1)}\n`);
    process.stderr.write(`[bench] suite ${suite.name} is data only (evaluate: []): built truth, reads and alignments in ${record.wallSeconds.toFixed(0)} s; record in ${recordPath}\n`);
    return 0;
  }

  // Peers on the small-variant reads.
  const truthAtomised = await atomisedTruth(truth.vcf, truth.evalBed, paths.reference, paths.evalDir, runner);
  const smallVariants: SmallVariantRow[] = [];
  const evaluate = [...suite.evaluate].sort((a, b) => a.start - b.start);
  /** Depth per platform from the first peer alignment, reused for the product's rows. */
  const depthByPlatform = new Map<Platform, string>();
  for (const pipeline of PIPELINES) {
    if (!suite.platforms.includes(pipeline.platform)) continue;
    const reads = readSets.find((r) => r.platform === pipeline.platform && r.set === 'small')!;
    if (pipeline.aligner === 'bwa') await bwaIndex;
    const alignment: Alignment = await align(pipeline.platform, pipeline.aligner, 'small', reads.fastq, paths.reference, suite.sample, paths.alignDir, threads, runner);
    const depth = await perBaseDepth(alignment, truth.evalBed, runner);
    if (!depthByPlatform.has(pipeline.platform)) depthByPlatform.set(pipeline.platform, depth);
    for (const caller of pipeline.callers) {
      if (caller === 'freebayes' && !suite.freebayes.includes(pipeline.platform)) continue;
      const calls = await callSmallVariants(alignment, caller, paths.reference, suite.contig, evaluate, paths.callsDir, threads, runner);
      const name = `${pipeline.platform}.${pipeline.aligner}.${caller}`;
      const evaluation = await evaluateCalls(name, calls.vcf, { vcf: truth.vcf, atomised: truthAtomised, sample: suite.sample }, paths.reference, truth.evalBed, truth.regionBeds, depth, paths.evalDir, runner);
      writeFileSync(join(paths.evalDir, `${name}.compare.json`), JSON.stringify(evaluation.report, null, 2));
      smallVariants.push({
        platform: pipeline.platform,
        aligner: pipeline.aligner,
        caller,
        label: `${pipeline.aligner} + ${caller}`,
        alignSeconds: alignment.step.seconds,
        callSeconds: calls.step.seconds,
        comparatorSeconds: evaluation.comparatorSeconds,
        report: evaluation.report,
        byRegion: evaluation.byRegion,
        crossCheck: evaluation.crossCheck,
      });
      process.stderr.write(`[bench] ${name}: ${summaryLine(evaluation.report)}\n`);
    }
  }

  await bwaIndex;

  // Structural variants on the SV reads.
  const structuralVariants: SvRow[] = [];
  if (sv) {
    for (const platform of suite.sv.platforms) {
      const reads = readSets.find((r) => r.platform === platform && r.set === 'sv')!;
      const alignment = await align(platform, 'minimap2', 'sv', reads.fastq, paths.reference, suite.sample, paths.alignDir, threads, runner);
      for (const caller of ['sniffles', 'cuteSV'] as const) {
        const calls = await callStructuralVariants(alignment, caller, paths.reference, suite.sample, paths.callsDir, threads, runner);
        const report = await compareSvFiles(sv.truthVcf, calls.vcf, truth.evalBed);
        structuralVariants.push({ platform, caller, seconds: calls.step.seconds, report });
        process.stderr.write(`[bench] SV ${platform} ${caller}: recall ${report.metrics.ALL.recall?.toFixed(3)} precision ${report.metrics.ALL.precision?.toFixed(3)}\n`);
      }
    }
  }

  // Real reads with truth.
  const realReads: RealReadRow[] = [];
  const real = options.skipReal ? null : await runRealReads(paths.realDir, paths.cacheRoot, threads, runner);
  for (const r of real?.results ?? []) realReads.push({ label: `bwa + ${r.caller}`, report: r.report });

  // The product on the same inputs, scored as the peers are.
  const product: ProductStageResult[] = [];
  for (const stage of PRODUCT_STAGES) {
    process.stderr.write(`[bench] product: ${stage.name} …\n`);
    product.push(
      ...(await stage.run({
        reads: readSets.filter((r) => r.set === 'small'),
        reference: paths.reference,
        regions: evaluate.map((r) => `${suite.contig}:${r.start}-${r.end}`),
        evaluationRegions: evaluate.map((r) => ({ contig: suite.contig, start: r.start, end: r.end })),
        sample: suite.sample,
        workDir: join(paths.suiteDir, 'product'),
        runner,
        timeoutSeconds: options.productTimeoutSeconds,
        realReads: real ? { r1: real.fastq.r1, r2: real.fastq.r2, reference: real.reference } : null,
      })),
    );
  }
  for (const result of product) {
    if (!result.callsVcf) continue;
    // "minimap2 + samtools (peer fallback: …)" → "minimap2 + samtools": the full text is in the product table.
    const tunedOnEvaluation = result.detail.calibrationOverlapsEvaluation ? ' ‡' : '';
    const label = `GenomAIc analyze [${String(result.detail.aligner ?? 'unknown').split(/ \(|, /)[0]}]${tunedOnEvaluation}`;
    if (result.platform === 'real') {
      const report = await compareVcfFiles({ truthPath: real!.truth, callsPath: result.callsVcf, referencePath: real!.reference, minQual: MIN_QUAL });
      realReads.push({ label, report });
      continue;
    }
    const name = `${result.platform}.genomaic.analyze`;
    const evaluation = await evaluateCalls(name, result.callsVcf, { vcf: truth.vcf, atomised: truthAtomised, sample: suite.sample }, paths.reference, truth.evalBed, truth.regionBeds, depthByPlatform.get(result.platform) ?? null, paths.evalDir, runner);
    writeFileSync(join(paths.evalDir, `${name}.compare.json`), JSON.stringify(evaluation.report, null, 2));
    smallVariants.push({
      platform: result.platform,
      aligner: 'genomaic',
      caller: 'genomaic',
      label,
      alignSeconds: result.seconds,
      callSeconds: null,
      comparatorSeconds: evaluation.comparatorSeconds,
      report: evaluation.report,
      byRegion: evaluation.byRegion,
      crossCheck: evaluation.crossCheck,
    });
    process.stderr.write(`[bench] ${name}: ${summaryLine(evaluation.report)}\n`);
  }
  smallVariants.sort((a, b) => ROW_ORDER.indexOf(`${a.platform}.${a.aligner}.${a.caller}`) - ROW_ORDER.indexOf(`${b.platform}.${b.aligner}.${b.caller}`));

  const evalTruth = smallVariants[0]?.report.metrics;
  const tools: ToolVersion[] = TOOLS.map((t) => ({ tool: t.binary, debianPackage: t.debianPackage, version: debianPackageVersion(t.debianPackage), role: t.role }));
  const span = simulatedSpan(suite);
  const results: KitResults = {
    schema: KIT_RESULTS_SCHEMA,
    suite: suite.name,
    description: suite.description,
    command: options.command,
    startedAt: startedAt.toISOString(),
    finishedAt: new Date().toISOString(),
    wallSeconds: (performance.now() - started) / 1000,
    machine: describeMachine(),
    cpuSeconds: cpuSecondsIncludingChildren(),
    loadAverage: { start: loadAtStart, end: loadavg()[0]! },
    threads,
    seed: suite.seed,
    coveragePerPlatform: suite.coverage,
    regions: {
      all: suite.allRegions,
      simulated: suite.simulate.map((r) => r.name),
      evaluated: suite.evaluate.map((r) => r.name),
      simulatedSpan: `${suite.contig}:${span.start.toLocaleString('en-US')}–${span.end.toLocaleString('en-US')}`,
    },
    truth: {
      sample: suite.sample,
      source: '1000 Genomes phased genotypes (shapeit4-example reference.vcf.gz) over GRCh37 chr20 (vt-examples)',
      snp: evalTruth?.SNP.truthTotal ?? 0,
      indel: evalTruth?.INDEL.truthTotal ?? 0,
      sanitise,
      svCounts: sv?.counts ?? {},
    },
    reads: readSummaries,
    smallVariants,
    structuralVariants,
    realReads,
    product,
    steps: [...refRunner.steps, ...runner.steps],
    tools,
  };
  mkdirSync(resultsDir, { recursive: true });
  writeFileSync(`${resultsPath}.tmp`, `${JSON.stringify(results, null, 1)}\n`);
  renameSync(`${resultsPath}.tmp`, resultsPath);
  if (options.writeDocs) writeBenchmarkSection(`kit-${suite.name}`, renderKitMarkdown(results));
  process.stderr.write(`[bench] done in ${results.wallSeconds.toFixed(0)} s; results in bench/results/kit-${suite.name}.json${options.writeDocs ? ' and docs/benchmarks.md' : ''}\n`);
  return 0;
}

/**
 * CPU time of this process plus all its waited-for descendants (Linux /proc/self/stat
 * cutime/cstime, in clock ticks of 1/100 s), which is how long the kit would take on idle cores.
 */
function cpuSecondsIncludingChildren(): number | null {
  try {
    const stat = readFileSync('/proc/self/stat', 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After "pid (comm) ", field 3 is index 0: utime=14, stime=15, cutime=16, cstime=17 → indices 11..14.
    const ticks = [11, 12, 13, 14].reduce((sum, i) => sum + Number(fields[i]), 0);
    return ticks / 100;
  } catch {
    return null;
  }
}

function summaryLine(report: KitResults['smallVariants'][number]['report']): string {
  const s = report.metrics.SNP;
  const i = report.metrics.INDEL;
  return `SNP ${s.tp}/${s.fp}/${s.fn} INDEL ${i.tp}/${i.fp}/${i.fn} (TP/FP/FN)`;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`bench: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 1;
  },
);
