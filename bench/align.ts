/**
 * Alignment benchmark (`npm run bench:align`, meanwhile `npx tsx bench/align.ts`).
 *
 * On GRCh37 chromosome 20 (63 Mb, the vt-examples package) with reads simulated by third-party
 * simulators that record each read's true origin (ART Illumina 2×150 → .sam; pbsim HiFi-like
 * and ONT R9-like → .maf), it aligns with GenomAIc, minimap2 and bwa mem on the same threads in
 * the same run and reports:
 *   - the fraction of reads whose primary alignment starts within 10 bp of its origin on the
 *     right strand, overall and per MAPQ bin, and the observed error rate per bin against
 *     10^(−q/10) (MAPQ calibration);
 *   - wall time (indexes prebuilt for every tool and excluded) as a ratio to minimap2's;
 *   - peak resident memory of each process (/usr/bin/time -v).
 * Also the index build time and memory for chr20 (docs/align.md projects GRCh38 from them).
 *
 * GenomAIc runs as it ships: compiled JavaScript (the sources transpiled into
 * .cache/bench/align/js/ first, as `npm run build` would emit them), not through the tsx
 * loader, which adds its own compiler threads to every worker (≈ 25% CPU on the Illumina set).
 *
 * Inputs are simulated into .cache/bench/align/ when absent. `--threads N` (default 2),
 * `--platforms sr,hifi,ont`, `--child JSON` (internal: one GenomAIc run in a child process so
 * its memory is measured alone).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { alignReads } from '../engine/align/align-reads.js';
import { indexFileName, indexParameters, openMinimizerIndex } from '../engine/align/index-cache.js';
import type { PresetName } from '../engine/align/presets.js';
import { loadAlignPreset } from '../engine/align/presets.js';
import { describeMachine, REPO_ROOT, toolVersion, writeBenchmarkSection } from './report.js';

const CACHE = join(REPO_ROOT, '.cache', 'bench', 'align');
const REFERENCE = join(CACHE, '20.fa');
const SOURCE_REFERENCE = '/usr/share/doc/vt/examples/ref/20.fa.gz';
const ONT_SAMPLE = '/usr/share/doc/python3-nanoget/examples/nanotest/reads.fastq.gz';
/** Where the benchmark's compiled copy of the sources goes (same layout as the repository). */
const COMPILED = join(CACHE, 'js');

/**
 * Transpiles engine/, app/ and bench/ to JavaScript under COMPILED (type-checking is tsc's job;
 * this is the emit only). Modules find the package root, configs and the native kernel by
 * walking up from their own location, which still reaches this repository.
 */
async function compileSources(): Promise<void> {
  // loaded here, not at the top: the timed children import this module too
  const ts = (await import('typescript')).default;
  rmSync(COMPILED, { recursive: true, force: true });
  const walk = (dir: string): string[] =>
    readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) return walk(path);
      return entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [path] : [];
    });
  for (const file of ['engine', 'app', 'bench'].flatMap((dir) => walk(join(REPO_ROOT, dir)))) {
    const output = ts.transpileModule(readFileSync(file, 'utf8'), {
      fileName: file,
      compilerOptions: { module: ts.ModuleKind.ESNext, target: ts.ScriptTarget.ES2022, verbatimModuleSyntax: true },
    });
    const target = join(COMPILED, relative(REPO_ROOT, file)).replace(/\.ts$/, '.js');
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, output.outputText);
  }
}

const COMPILED_BENCH = join(COMPILED, 'bench', 'align.js');

type Platform = 'sr' | 'hifi' | 'ont';
interface Truth {
  pos: number;
  reverse: boolean;
}

function run(command: string, args: string[], options: { cwd?: string; stdout?: string } = {}): void {
  const result = spawnSync(command, args, { cwd: options.cwd ?? CACHE, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 2 ** 30 });
  if (result.status !== 0) throw new Error(`${command} ${args.join(' ')} failed: ${result.stderr?.toString().slice(-2000)}`);
  if (options.stdout) writeFileSync(options.stdout, result.stdout);
}

/** Runs a command under /usr/bin/time -v; returns wall seconds and peak RSS in MB. */
function timed(command: string, args: string[], stdoutPath: string): { seconds: number; peakMb: number; stderr: string } {
  const started = performance.now();
  const result = spawnSync('/usr/bin/time', ['-v', command, ...args], { cwd: CACHE, stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 2 ** 31 });
  const seconds = (performance.now() - started) / 1000;
  const stderr = result.stderr.toString();
  if (result.status !== 0) throw new Error(`${command} failed: ${stderr.slice(-3000)}`);
  writeFileSync(stdoutPath, result.stdout);
  const rss = /Maximum resident set size \(kbytes\): (\d+)/.exec(stderr);
  return { seconds, peakMb: rss ? Number(rss[1]) / 1024 : NaN, stderr };
}

function prepareInputs(platforms: Platform[]): void {
  mkdirSync(CACHE, { recursive: true });
  if (!existsSync(REFERENCE)) run('sh', ['-c', `zcat ${SOURCE_REFERENCE} > 20.fa`]);
  if (platforms.includes('sr') && !existsSync(join(CACHE, 'ill.sam'))) {
    // ~24k pairs over the whole chromosome: the mapping must find them genome-wide
    run('art_illumina', ['-ss', 'HS25', '-i', '20.fa', '-p', '-l', '150', '-f', '0.12', '-m', '400', '-s', '50', '-rs', '7', '-sam', '-o', 'ill']);
  }
  const pbsim = (dir: string, args: string[]): void => {
    if (existsSync(join(CACHE, dir, 'sd_0001.maf'))) return;
    mkdirSync(join(CACHE, dir), { recursive: true });
    run('pbsim', [...args, '../20.fa'], { cwd: join(CACHE, dir) });
    rmSync(join(CACHE, dir, 'sd_0001.ref'), { force: true });
  };
  if (platforms.includes('hifi')) {
    pbsim('hifi', ['--data-type', 'CLR', '--model_qc', '/usr/share/pbsim/models/model_qc_clr', '--depth', '0.2', '--length-mean', '15000', '--accuracy-mean', '0.995', '--accuracy-min', '0.99', '--difference-ratio', '6:21:73', '--seed', '1']);
  }
  if (platforms.includes('ont')) {
    if (!existsSync(join(CACHE, 'ont', 'sample.fq'))) {
      mkdirSync(join(CACHE, 'ont'), { recursive: true });
      run('sh', ['-c', `zcat ${ONT_SAMPLE} > ont/sample.fq`]);
    }
    pbsim('ont', ['--data-type', 'CLR', '--sample-fastq', 'sample.fq', '--sample-profile-id', 'ontR9', '--difference-ratio', '23:31:46', '--depth', '0.2', '--seed', '2']);
  }
}

function readsOf(platform: Platform): string[] {
  return platform === 'sr' ? [join(CACHE, 'ill1.fq'), join(CACHE, 'ill2.fq')] : [join(CACHE, platform, 'sd_0001.fastq')];
}

/** True origins: ART's SAM (name + mate) or pbsim's MAF (reference line, then read line). */
function loadTruth(platform: Platform): Map<string, Truth> {
  const truth = new Map<string, Truth>();
  if (platform === 'sr') {
    for (const line of readFileSync(join(CACHE, 'ill.sam'), 'utf8').split('\n')) {
      if (!line || line.startsWith('@')) continue;
      const f = line.split('\t');
      const flag = Number(f[1]);
      truth.set(`${f[0]}/${flag & 64 ? 1 : 2}`, { pos: Number(f[3]) - 1, reverse: (flag & 16) !== 0 });
    }
    return truth;
  }
  let refStart = -1;
  for (const line of readFileSync(join(CACHE, platform, 'sd_0001.maf'), 'utf8').split('\n')) {
    if (!line.startsWith('s ')) continue;
    const f = line.split(/\s+/);
    if (refStart < 0) refStart = Number(f[2]);
    else {
      truth.set(f[1]!, { pos: refStart, reverse: f[4] === '-' });
      refStart = -1;
    }
  }
  return truth;
}

const BINS = [[0, 0], [1, 9], [10, 19], [20, 29], [30, 39], [40, 49], [50, 59], [60, 60]] as const;

interface Evaluation {
  reads: number;
  mapped: number;
  correct: number;
  bins: { range: string; reads: number; correct: number; errorRate: number; expectedErrorRate: number }[];
}

function evaluate(samOrBam: string, platform: Platform, truth: Map<string, Truth>): Evaluation {
  const text = execFileSync('samtools', ['view', '-F', '0x900', samOrBam], { encoding: 'utf8', maxBuffer: 2 ** 31 });
  const counts = BINS.map(() => ({ reads: 0, correct: 0, expectedErrors: 0 }));
  let reads = 0;
  let mapped = 0;
  let correct = 0;
  for (const line of text.split('\n')) {
    if (!line) continue;
    const f = line.split('\t');
    const flag = Number(f[1]);
    reads++;
    if (flag & 4) continue;
    mapped++;
    const name = platform === 'sr' ? `${f[0]!.replace(/\/[12]$/, '')}/${flag & 64 ? 1 : 2}` : f[0]!;
    const t = truth.get(name);
    const ok = t !== undefined && Math.abs(Number(f[3]) - 1 - t.pos) <= 10 && ((flag & 16) !== 0) === t.reverse;
    if (ok) correct++;
    const mapq = Number(f[4]);
    const bin = BINS.findIndex(([lo, hi]) => mapq >= lo && mapq <= hi);
    const c = counts[bin]!;
    c.reads++;
    if (ok) c.correct++;
    c.expectedErrors += 10 ** (-Math.min(mapq, 60) / 10);
  }
  return {
    reads,
    mapped,
    correct,
    bins: BINS.map(([lo, hi], i) => {
      const c = counts[i]!;
      return {
        range: lo === hi ? `${lo}` : `${lo}-${hi}`,
        reads: c.reads,
        correct: c.correct,
        errorRate: c.reads > 0 ? (c.reads - c.correct) / c.reads : 0,
        expectedErrorRate: c.reads > 0 ? c.expectedErrors / c.reads : 0,
      };
    }),
  };
}

interface ToolRun {
  tool: string;
  seconds: number;
  peakMb: number;
  evaluation: Evaluation;
}

function runOurs(platform: Platform, threads: number): ToolRun {
  const out = join(CACHE, `ours.${platform}.bam`);
  const child = JSON.stringify({ platform, threads, out, reference: REFERENCE, reads: readsOf(platform) });
  const { seconds, peakMb } = timed(process.execPath, [COMPILED_BENCH, '--child', child], join(CACHE, `ours.${platform}.json`));
  const summary = JSON.parse(readFileSync(join(CACHE, `ours.${platform}.json`), 'utf8')) as { alignSeconds: number; seconds: number };
  void summary;
  return { tool: 'GenomAIc', seconds, peakMb, evaluation: evaluate(out, platform, loadTruth(platform)) };
}

const MINIMAP2_PRESET: Record<Platform, string> = { sr: 'sr', hifi: 'map-hifi', ont: 'map-ont' };

function runMinimap2(platform: Platform, threads: number): ToolRun {
  const mmi = join(CACHE, `20.${MINIMAP2_PRESET[platform]}.mmi`);
  if (!existsSync(mmi)) run('minimap2', ['-x', MINIMAP2_PRESET[platform], '-d', mmi, REFERENCE]);
  const sam = join(CACHE, `minimap2.${platform}.sam`);
  const { seconds, peakMb } = timed('minimap2', ['-a', '-x', MINIMAP2_PRESET[platform], '-t', String(threads), mmi, ...readsOf(platform)], sam);
  return { tool: 'minimap2', seconds, peakMb, evaluation: evaluate(sam, platform, loadTruth(platform)) };
}

function runBwa(platform: Platform, threads: number): ToolRun {
  if (!existsSync(`${REFERENCE}.bwt`)) run('bwa', ['index', REFERENCE]);
  const sam = join(CACHE, `bwa.${platform}.sam`);
  const mode = platform === 'sr' ? [] : ['-x', platform === 'hifi' ? 'pacbio' : 'ont2d'];
  const { seconds, peakMb } = timed('bwa', ['mem', ...mode, '-t', String(threads), REFERENCE, ...readsOf(platform)], sam);
  return { tool: 'bwa mem', seconds, peakMb, evaluation: evaluate(sam, platform, loadTruth(platform)) };
}

/** A child runs from the compiled copy, so every path comes in its arguments. */
async function child(json: string): Promise<void> {
  const { platform, threads, out, reference, reads } = JSON.parse(json) as { platform: PresetName; threads: number; out: string; reference: string; reads: string[] };
  const summary = await alignReads({ referencePath: reference, readPaths: reads, outputPath: out, preset: platform, threads });
  process.stdout.write(JSON.stringify(summary));
}

async function childIndex(json: string): Promise<void> {
  const { preset, reference } = JSON.parse(json) as { preset: PresetName; reference: string };
  const opened = await openMinimizerIndex(reference, loadAlignPreset(preset), { noCache: true });
  process.stdout.write(JSON.stringify({ buildSeconds: opened.index.header.buildSeconds, totalSeconds: opened.seconds, entries: opened.index.header.entryCount, imageBytes: opened.index.image.length }));
}

function pct(n: number, d: number): string {
  return d > 0 ? `${((100 * n) / d).toFixed(2)}%` : '–';
}

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const flag = (name: string): string | undefined => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : undefined;
  };
  if (flag('--child')) return child(flag('--child')!);
  if (flag('--child-index')) return childIndex(flag('--child-index')!);
  const threads = Number(flag('--threads') ?? 2);
  const platforms = (flag('--platforms') ?? 'sr,hifi,ont').split(',') as Platform[];
  prepareInputs(platforms);
  await compileSources();
  const started = new Date();

  // Index build figures (the cache is bypassed so the build is measured).
  const indexRows: string[] = [];
  for (const preset of platforms) {
    const out = join(CACHE, `index.${preset}.json`);
    const { seconds, peakMb } = timed(process.execPath, [COMPILED_BENCH, '--child-index', JSON.stringify({ preset, reference: REFERENCE })], out);
    const info = JSON.parse(readFileSync(out, 'utf8')) as { buildSeconds: number; entries: number; imageBytes: number };
    const p = loadAlignPreset(preset);
    indexRows.push(`| ${preset} | k=${p.k}, w=${p.w} | ${info.entries.toLocaleString('en-US')} | ${(info.imageBytes / 2 ** 20).toFixed(0)} MiB | ${info.buildSeconds.toFixed(1)} s | ${seconds.toFixed(1)} s | ${peakMb.toFixed(0)} MiB |`);
    // make sure the cached index exists for the timed runs
    await openMinimizerIndex(REFERENCE, p);
    void indexFileName(REFERENCE, indexParameters(p));
  }

  const sections: string[] = [];
  const results: Record<string, ToolRun[]> = {};
  for (const platform of platforms) {
    const runs = [runMinimap2(platform, threads), runOurs(platform, threads), runBwa(platform, threads)];
    results[platform] = runs;
    const mm2 = runs[0]!;
    const label = { sr: 'Illumina 2×150 (ART HS25, 400 ± 50 bp inserts)', hifi: 'HiFi-like (pbsim, 99.5% mean accuracy, 15 kb mean)', ont: 'ONT R9-like (pbsim, sample profile from real R9 reads)' }[platform];
    const rows = runs.map(
      (r) =>
        `| ${r.tool} | ${r.evaluation.reads.toLocaleString('en-US')} | ${pct(r.evaluation.mapped, r.evaluation.reads)} | ${pct(r.evaluation.correct, r.evaluation.reads)} | ${r.seconds.toFixed(1)} s | ${(r.seconds / mm2.seconds).toFixed(2)}× | ${r.peakMb.toFixed(0)} MiB | ${(r.peakMb / mm2.peakMb).toFixed(2)}× |`,
    );
    const binHeader = `| MAPQ | ${runs.map((r) => `${r.tool}: reads / placed correctly / error rate`).join(' | ')} | 10^(−q/10) (GenomAIc's bin mean) |`;
    const binRows = BINS.map((_, i) => {
      const cells = runs.map((r) => {
        const b = r.evaluation.bins[i]!;
        return b.reads > 0 ? `${b.reads} / ${pct(b.correct, b.reads)} / ${b.errorRate.toExponential(1)}` : '–';
      });
      const ours = runs[1]!.evaluation.bins[i]!;
      return `| ${ours.range} | ${cells.join(' | ')} | ${ours.reads > 0 ? ours.expectedErrorRate.toExponential(1) : '–'} |`;
    });
    sections.push(
      `### ${label}\n\n| aligner | reads | mapped | within 10 bp of origin | wall time | vs minimap2 | peak memory | vs minimap2 |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n${rows.join('\n')}\n\n` +
        `Per MAPQ bin (primary alignments):\n\n${binHeader}\n| --- | ${runs.map(() => '---').join(' | ')} | --- |\n${binRows.join('\n')}`,
    );
  }

  const markdown = `## Alignment (\`npm run bench:align\`)

Run ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${describeMachine()}; ${threads} threads for every tool.
Peers: ${toolVersion('minimap2', ['--version'])} (minimap2), ${toolVersion('bwa', [])} (bwa).
Reference: GRCh37 chromosome 20 (63 Mb). Reads are simulated over the whole chromosome with the true
origin of each read recorded by the simulator; a read is *placed correctly* when its primary
alignment starts within 10 bp of its origin on the right strand (unmapped reads count as not
placed). Wall time excludes index building for every tool (prebuilt .mmi, bwa index, our cached
.gmi); GenomAIc's time includes writing the coordinate-sorted BAM + BAI (BGZF level 4), the peers
write SAM. GenomAIc runs as compiled JavaScript, as shipped (not through the tsx loader).
This is simulation, not real data.

${sections.join('\n\n')}

### Index build (chr20, one thread)

| preset | k, w | minimizers | index size | build (sketch + sort) | whole process | peak memory |
| --- | --- | --- | --- | --- | --- | --- |
${indexRows.join('\n')}
`;
  writeBenchmarkSection('align', markdown);
  mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(REPO_ROOT, 'bench', 'results', `align-${started.toISOString().slice(0, 10)}.json`), JSON.stringify({ started, threads, machine: describeMachine(), results }, null, 2));
  process.stdout.write(`${markdown}\n`);
}

await main();
