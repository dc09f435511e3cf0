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
 * `--repeat N` (default 3: minimap2 and GenomAIc run interleaved N times, median wall time),
 * `--platforms sr,hifi,ont`, `--child JSON` (internal: one GenomAIc run in a child process so
 * its memory is measured alone).
 *
 * MAPQ calibration (`--mapq fit|validate`) needs far more reads than the placement benchmark
 * to populate the middle MAPQ bins, so it has its own, larger simulations in
 * .cache/bench/align-mapq/{train,validate}/ (~1M ART Illumina reads, ~17k HiFi-like and
 * ~16k ONT-like pbsim reads per set, the same simulator settings as above, one seed per set):
 *   - `--mapq fit` aligns the training set with raw MAPQ and writes the fitted curves to
 *     configs/align/mapq.<preset>.json (engine/align/mapq-calibration.ts);
 *   - `--mapq validate` aligns the validation set (other seeds) with the shipped curves and
 *     minimap2 in the same run, and rewrites the "MAPQ calibration" part of the Alignment
 *     section of docs/benchmarks.md.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { alignReads } from '../engine/align/align-reads.js';
import { indexFileName, indexParameters, openMinimizerIndex } from '../engine/align/index-cache.js';
import { MAX_MAPQ } from '../engine/align/mapq.js';
import type { MapqClass } from '../engine/align/mapq-calibration.js';
import { fitMapqCurve, MAPQ_CALIBRATION_SCHEMA, mapqCalibrationPath, mapqClassesOf } from '../engine/align/mapq-calibration.js';
import type { PresetName } from '../engine/align/presets.js';
import { loadAlignPreset } from '../engine/align/presets.js';
import { appVersion } from '../engine/version.js';
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
    // MAPQ claims the read is not misplaced, which for a long read is not its start (clipped ends move it)
    if (!misplaced(platform, t, Number(f[3]) - 1, (flag & 16) !== 0, f[5]!, f[9]!.length)) c.correct++;
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

/** Median wall time and largest peak memory of repeated runs (the alignments are identical). */
function medianRun(runs: ToolRun[]): ToolRun {
  const seconds = runs.map((r) => r.seconds).sort((a, b) => a - b);
  const mid = Math.floor(seconds.length / 2);
  const median = seconds.length % 2 === 1 ? seconds[mid]! : (seconds[mid - 1]! + seconds[mid]!) / 2;
  return { ...runs[runs.length - 1]!, seconds: median, peakMb: Math.max(...runs.map((r) => r.peakMb)) };
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
  const { platform, threads, out, reference, reads, mapq } = JSON.parse(json) as { platform: PresetName; threads: number; out: string; reference: string; reads: string[]; mapq?: 'raw' | 'calibrated' };
  const summary = await alignReads({ referencePath: reference, readPaths: reads, outputPath: out, preset: platform, threads, ...(mapq ? { mapq } : {}) });
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

// ---------------------------------------------------------------------------------------------
// MAPQ calibration: larger simulations, fit on one seed, report on another.

const MAPQ_CACHE = join(REPO_ROOT, '.cache', 'bench', 'align-mapq');
type MapqSet = 'train' | 'validate';
const MAPQ_SEEDS: Record<MapqSet, Record<Platform, number>> = { train: { sr: 11, hifi: 21, ont: 31 }, validate: { sr: 12, hifi: 22, ont: 32 } };
/** ART fold coverage and pbsim depth over chr20: ~1M Illumina reads, ~17k HiFi-like, ~16k ONT-like. */
const MAPQ_DEPTH: Record<Platform, number> = { sr: 2.5, hifi: 4, ont: 2 };
const MAPQ_FIT_COMMAND = 'npx tsx bench/align.ts --mapq fit';
/** A class with fewer training reads than this is fitted on all classes pooled. */
const MIN_CLASS_READS = 1000;

function mapqDir(set: MapqSet, platform: Platform): string {
  return platform === 'sr' ? join(MAPQ_CACHE, set) : join(MAPQ_CACHE, set, platform);
}

function mapqReads(set: MapqSet, platform: Platform): string[] {
  const dir = mapqDir(set, platform);
  return platform === 'sr' ? [join(dir, 'ill1.fq'), join(dir, 'ill2.fq')] : [join(dir, 'sd_0001.fastq')];
}

/** name, 0-based origin, 1 if reverse: one line per read (ART's SAM and pbsim's MAF are too large to keep). */
function mapqTruthPath(set: MapqSet, platform: Platform): string {
  return join(mapqDir(set, platform), platform === 'sr' ? 'ill.truth.tsv' : 'truth.tsv');
}

/** Simulates a set with the placement benchmark's simulator settings and this set's seed, when absent. */
function simulateMapqSet(set: MapqSet, platform: Platform): void {
  const dir = mapqDir(set, platform);
  if (existsSync(mapqTruthPath(set, platform))) return;
  mkdirSync(dir, { recursive: true });
  const seed = String(MAPQ_SEEDS[set][platform]);
  const depth = String(MAPQ_DEPTH[platform]);
  if (platform === 'sr') {
    run('art_illumina', ['-ss', 'HS25', '-i', REFERENCE, '-p', '-l', '150', '-f', depth, '-m', '400', '-s', '50', '-rs', seed, '-sam', '-na', '-o', 'ill'], { cwd: dir });
    // mawk has no bitwise and: flag bits by division
    run('sh', ['-c', `awk -F'\\t' '!/^@/ { print $1 "/" ((int($2/64)%2) ? 1 : 2) "\\t" $4-1 "\\t" ((int($2/16)%2) ? 1 : 0) }' ill.sam > ill.truth.tsv.tmp && mv ill.truth.tsv.tmp ill.truth.tsv && rm ill.sam`], { cwd: dir });
    return;
  }
  if (platform === 'hifi') {
    run('pbsim', ['--data-type', 'CLR', '--model_qc', '/usr/share/pbsim/models/model_qc_clr', '--depth', depth, '--length-mean', '15000', '--accuracy-mean', '0.995', '--accuracy-min', '0.99', '--difference-ratio', '6:21:73', '--seed', seed, REFERENCE], { cwd: dir });
  } else {
    run('sh', ['-c', `zcat ${ONT_SAMPLE} > sample.fq`], { cwd: dir });
    run('pbsim', ['--data-type', 'CLR', '--sample-fastq', 'sample.fq', '--sample-profile-id', 'ontR9', '--difference-ratio', '23:31:46', '--depth', depth, '--seed', seed, REFERENCE], { cwd: dir });
    run('sh', ['-c', 'rm -f sample.fq sample_profile_ontR9.*'], { cwd: dir });
  }
  // MAF: a reference line (start in field 3), then the read's (name in 2, strand in 5)
  run('sh', ['-c', `awk 'BEGIN { ref = -1 } /^s / { if (ref < 0) ref = $3; else { print $2 "\\t" ref "\\t" ($5 == "-" ? 1 : 0); ref = -1 } }' sd_0001.maf > truth.tsv.tmp && mv truth.tsv.tmp truth.tsv && rm -f sd_0001.maf sd_0001.ref`], { cwd: dir });
}

function loadTruthTable(path: string): Map<string, Truth> {
  const truth = new Map<string, Truth>();
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (!line) continue;
    const [name, pos, reverse] = line.split('\t');
    truth.set(name!, { pos: Number(pos), reverse: reverse === '1' });
  }
  return truth;
}

/** Per MAPQ class and MAPQ 0–60: primary alignments and those placed wrongly (not within 10 bp of origin on its strand). */
interface MapqTally {
  reads: number;
  mapped: number;
  correct: number;
  byClass: Record<MapqClass, { reads: number[]; wrong: number[] }>;
}

/** Reference bases a CIGAR spans (M, D, N, =, X). */
function cigarReferenceLength(cigar: string): number {
  let span = 0;
  for (const [, length, op] of cigar.matchAll(/(\d+)([MIDNSHP=X])/g)) if ('MDN=X'.includes(op!)) span += Number(length);
  return span;
}

/**
 * Whether a primary is misplaced. Short reads: not within 10 bp of the origin on its strand
 * (as the placement table above). Long reads: on the wrong strand, or less than a tenth of
 * the alignment's reference span inside the true interval (origin + read length), in the
 * spirit of minimap2's paftools mapeval (-r 0.1): a long read's start legitimately moves by
 * its clipped end (pbsim simulates reads over chr20's N gaps, whose part there is clipped),
 * which is not a misplacement.
 */
function misplaced(platform: Platform, t: Truth | undefined, pos: number, reverse: boolean, cigar: string, readLength: number): boolean {
  if (!t || reverse !== t.reverse) return true;
  if (platform === 'sr') return Math.abs(pos - t.pos) > 10;
  const span = cigarReferenceLength(cigar);
  const overlap = Math.min(pos + span, t.pos + readLength) - Math.max(pos, t.pos);
  return overlap < 0.1 * span;
}

/** Tallies a BAM or SAM by class (a proper pair's reads: 'paired') and MAPQ against the truth. */
function tallyMapq(samOrBam: string, platform: Platform, truth: Map<string, Truth>): MapqTally {
  const empty = (): { reads: number[]; wrong: number[] } => ({ reads: new Array<number>(MAX_MAPQ + 1).fill(0), wrong: new Array<number>(MAX_MAPQ + 1).fill(0) });
  const tally: MapqTally = { reads: 0, mapped: 0, correct: 0, byClass: { single: empty(), paired: empty() } };
  // only the columns needed (the read's length, not its bases): a million reads' SAM text would not fit in one string
  const text = execFileSync('sh', ['-c', `samtools view -F 0x900 "$1" | awk -F'\t' -v OFS='\t' '{ print $1, $2, $4, $5, $6, length($10) }'`, 'sh', samOrBam], { encoding: 'utf8', maxBuffer: 2 ** 30 });
  for (const line of text.split('\n')) {
    if (!line) continue;
    const [rawName, flagText, posText, mapqText, cigar, lengthText] = line.split('\t');
    const flag = Number(flagText);
    tally.reads++;
    if (flag & 4) continue;
    tally.mapped++;
    const name = platform === 'sr' ? `${rawName!.replace(/\/[12]$/, '')}/${flag & 64 ? 1 : 2}` : rawName!;
    const wrong = misplaced(platform, truth.get(name), Number(posText) - 1, (flag & 16) !== 0, cigar!, Number(lengthText));
    if (!wrong) tally.correct++;
    const counts = tally.byClass[platform === 'sr' && flag & 2 ? 'paired' : 'single'];
    const q = Math.min(MAX_MAPQ, Number(mapqText));
    counts.reads[q]!++;
    if (wrong) counts.wrong[q]!++;
  }
  return tally;
}

function runOursOnMapqSet(set: MapqSet, platform: Platform, threads: number, mapq: 'raw' | 'calibrated'): { seconds: number; peakMb: number; bam: string } {
  const bam = join(MAPQ_CACHE, `ours.${set}.${platform}.${mapq}.bam`);
  const child = JSON.stringify({ platform, threads, out: bam, reference: REFERENCE, reads: mapqReads(set, platform), mapq });
  const { seconds, peakMb } = timed(process.execPath, [COMPILED_BENCH, '--child', child], join(MAPQ_CACHE, `ours.${set}.${platform}.${mapq}.json`));
  return { seconds, peakMb, bam };
}

const SIMULATOR_LABEL: Record<Platform, string> = {
  sr: 'ART art_illumina HS25, 2×150, fragment 400 ± 50, over GRCh37 chr20',
  hifi: 'pbsim 1.0.3 CLR quality model, accuracy mean 0.995 / min 0.99, mean length 15 kb, sub:ins:del 6:21:73, over GRCh37 chr20',
  ont: 'pbsim 1.0.3, sample profile from real ONT R9 reads (nanoget examples), sub:ins:del 23:31:46, over GRCh37 chr20',
};

/** Aligns the training sets with raw MAPQ and writes each preset's fitted curves. */
async function fitMapq(platforms: Platform[], threads: number): Promise<void> {
  for (const platform of platforms) {
    simulateMapqSet('train', platform);
    const { bam } = runOursOnMapqSet('train', platform, threads, 'raw');
    const tally = tallyMapq(bam, platform, loadTruthTable(mapqTruthPath('train', platform)));
    const classes: Record<string, { curve: number[]; reads: number[]; wrong: number[] }> = {};
    const pooled = { reads: new Array<number>(MAX_MAPQ + 1).fill(0), wrong: new Array<number>(MAX_MAPQ + 1).fill(0) };
    for (const mapqClass of mapqClassesOf(platform)) {
      const counts = tally.byClass[mapqClass];
      for (let q = 0; q <= MAX_MAPQ; q++) {
        pooled.reads[q]! += counts.reads[q]!;
        pooled.wrong[q]! += counts.wrong[q]!;
      }
    }
    const sparse: string[] = [];
    for (const mapqClass of mapqClassesOf(platform)) {
      const counts = tally.byClass[mapqClass];
      // a class the simulation hardly produces (ART's pairs are nearly all proper) gets the pooled curve
      const enough = counts.reads.reduce((a, b) => a + b, 0) >= MIN_CLASS_READS;
      if (!enough) sparse.push(mapqClass);
      classes[mapqClass] = { curve: fitMapqCurve(enough ? counts : pooled), ...counts };
    }
    const file = {
      schema: MAPQ_CALIBRATION_SCHEMA,
      preset: platform,
      method: `isotonic (pool-adjacent-violators) error rate per raw MAPQ, (wrong + 0.5) / (reads + 1) per block, Phred-scaled, rounded down, capped at 60; raw 0 kept 0${sparse.length > 0 ? `; ${sparse.join(', ')}: fewer than ${MIN_CLASS_READS} training reads, curve fitted on all classes pooled` : ''}`,
      fittedOn: {
        description: `training simulation: ${SIMULATOR_LABEL[platform]}, seed ${MAPQ_SEEDS.train[platform]}; ${tally.reads.toLocaleString('en-US')} reads, ${tally.mapped.toLocaleString('en-US')} with a primary alignment; wrong = ${platform === 'sr' ? 'primary not within 10 bp of the origin on its strand' : 'primary on the other strand or < 10% of its reference span in the true interval'}`,
        seed: MAPQ_SEEDS.train[platform],
        reads: tally.reads,
        date: new Date().toISOString().slice(0, 10),
        codeVersion: appVersion(),
        command: `${MAPQ_FIT_COMMAND} --platforms ${platform}`,
      },
      classes,
    };
    // one curve per line: the file stays reviewable in a diff
    const body = Object.entries(classes)
      .map(([name, c]) => `    "${name}": {\n      "curve": ${JSON.stringify(c.curve)},\n      "reads": ${JSON.stringify(c.reads)},\n      "wrong": ${JSON.stringify(c.wrong)}\n    }`)
      .join(',\n');
    const { classes: _omitted, ...head } = file;
    void _omitted;
    const json = `${JSON.stringify(head, null, 2).replace(/\n}$/, '')},\n  "classes": {\n${body}\n  }\n}\n`;
    JSON.parse(json); // the hand-joined text must still be JSON
    writeFileSync(mapqCalibrationPath(platform), json);
    process.stdout.write(`${platform}: ${tally.reads} reads; curves ${Object.entries(classes).map(([n, c]) => `${n} ${c.curve.join(',')}`).join(' | ')}\n`);
  }
}

const MAPQ_BINS = [[0, 0], [1, 4], [5, 9], [10, 14], [15, 19], [20, 24], [25, 29], [30, 39], [40, 49], [50, 59], [60, 60]] as const;

/** Rows of the calibration table: reads, wrong, observed error, the mean of 10^(−q/10) over the bin's reads. */
function calibrationBins(tally: MapqTally): { range: string; reads: number; wrong: number; observed: number; expected: number }[] {
  return MAPQ_BINS.map(([lo, hi]) => {
    let reads = 0;
    let wrong = 0;
    let expected = 0;
    for (const counts of Object.values(tally.byClass)) {
      for (let q = lo; q <= hi; q++) {
        reads += counts.reads[q]!;
        wrong += counts.wrong[q]!;
        expected += counts.reads[q]! * 10 ** (-q / 10);
      }
    }
    return { range: lo === hi ? `${lo}` : `${lo}–${hi}`, reads, wrong, observed: reads > 0 ? wrong / reads : 0, expected: reads > 0 ? expected / reads : 0 };
  });
}

/** Aligns the validation sets with the shipped curves and minimap2, and writes the calibration tables. */
async function validateMapq(platforms: Platform[], threads: number): Promise<void> {
  const started = new Date();
  const sections: string[] = [];
  const results: Record<string, unknown> = {};
  for (const platform of platforms) {
    simulateMapqSet('validate', platform);
    const truth = loadTruthTable(mapqTruthPath('validate', platform));
    const mmi = join(CACHE, `20.${MINIMAP2_PRESET[platform]}.mmi`);
    if (!existsSync(mmi)) run('minimap2', ['-x', MINIMAP2_PRESET[platform], '-d', mmi, REFERENCE]);
    const mm2Sam = join(MAPQ_CACHE, `minimap2.validate.${platform}.sam`);
    const mm2 = timed('minimap2', ['-a', '-x', MINIMAP2_PRESET[platform], '-t', String(threads), mmi, ...mapqReads('validate', platform)], mm2Sam);
    const mm2Tally = tallyMapq(mm2Sam, platform, truth);
    rmSync(mm2Sam, { force: true });
    const ours = runOursOnMapqSet('validate', platform, threads, 'calibrated');
    const ourTally = tallyMapq(ours.bam, platform, truth);
    const tools = [
      { tool: 'GenomAIc', run: ours, tally: ourTally },
      { tool: 'minimap2', run: mm2, tally: mm2Tally },
    ];
    results[platform] = tools.map((t) => ({ tool: t.tool, seconds: t.run.seconds, peakMb: t.run.peakMb, reads: t.tally.reads, mapped: t.tally.mapped, correct: t.tally.correct, byClass: t.tally.byClass }));
    const summaryRows = tools.map(
      (t) =>
        `| ${t.tool} | ${t.tally.reads.toLocaleString('en-US')} | ${pct(t.tally.correct, t.tally.reads)} | ${(t.tally.reads - t.tally.correct).toLocaleString('en-US')} | ${t.run.seconds.toFixed(1)} s | ${(t.run.seconds / mm2.seconds).toFixed(2)}× | ${t.run.peakMb.toFixed(0)} MiB | ${(t.run.peakMb / mm2.peakMb).toFixed(2)}× |`,
    );
    const binsByTool = tools.map((t) => calibrationBins(t.tally));
    const binRows = MAPQ_BINS.map((_, i) => {
      const cells = binsByTool.map((bins) => {
        const b = bins[i]!;
        return b.reads > 0 ? `${b.reads.toLocaleString('en-US')} | ${b.wrong.toLocaleString('en-US')} | ${b.observed.toExponential(1)} | ${b.expected.toExponential(1)}` : '– | – | – | –';
      });
      return `| ${binsByTool[0]![i]!.range} | ${cells.join(' | ')} |`;
    });
    const label = { sr: 'Illumina 2×150 (ART HS25)', hifi: 'HiFi-like (pbsim)', ont: 'ONT R9-like (pbsim)' }[platform];
    sections.push(
      `#### ${label}: validation seed ${MAPQ_SEEDS.validate[platform]} (curve fitted on seed ${MAPQ_SEEDS.train[platform]})\n\n` +
        `| aligner | reads | placed correctly | not placed correctly | wall time | vs minimap2 | peak memory | vs minimap2 |\n| --- | --- | --- | --- | --- | --- | --- | --- |\n${summaryRows.join('\n')}\n\n` +
        `| MAPQ | GenomAIc reads | wrong | observed error | expected 10^(−q/10) | minimap2 reads | wrong | observed error | expected 10^(−q/10) |\n| --- | --- | --- | --- | --- | --- | --- | --- | --- |\n${binRows.join('\n')}`,
    );
  }
  const markdown = `### MAPQ calibration (\`npx tsx bench/align.ts --mapq validate\`)

Run ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${describeMachine()}; ${threads} threads for both tools.
Peer: ${toolVersion('minimap2', ['--version'])} (minimap2). GenomAIc ${appVersion()}, compiled JavaScript as shipped.
Larger simulations than above, with the same simulator settings: ${Object.entries(MAPQ_DEPTH)
    .filter(([p]) => platforms.includes(p as Platform))
    .map(([p, d]) => `${p} ${p === 'sr' ? `ART -f ${d}` : `pbsim --depth ${d}`}`)
    .join(', ')} over GRCh37 chr20. GenomAIc's MAPQ curves (configs/align/mapq.<preset>.json) were fitted by
\`${MAPQ_FIT_COMMAND}\` on a training simulation (seeds ${platforms.map((p) => `${p} ${MAPQ_SEEDS.train[p]}`).join(', ')});
the tables below are on a separate validation simulation (seeds ${platforms.map((p) => `${p} ${MAPQ_SEEDS.validate[p]}`).join(', ')}).
*Wrong*: Illumina, the primary alignment is not within 10 bp of the read's origin on its strand;
long reads, it is on the other strand or less than 10% of its reference span lies in the true
interval (as paftools mapeval: a long read's start moves with its clipped ends, and pbsim
simulates reads over chr20's N gaps). Unmapped reads are not in the bins. *Expected*: the mean of 10^(−q/10) over the bin's reads, what the MAPQ claims.
Wall time and memory here are for these larger sets (GenomAIc writes sorted BAM + BAI, minimap2 SAM).
This is simulation, not real data.

${sections.join('\n\n')}
`;
  writeBenchmarkSection('align-mapq', markdown);
  mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(REPO_ROOT, 'bench', 'results', `align-mapq-${started.toISOString().slice(0, 10)}.json`), JSON.stringify({ started, threads, machine: describeMachine(), results }, null, 2));
  process.stdout.write(`${markdown}\n`);
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
  const repeat = Number(flag('--repeat') ?? 3);
  const platforms = (flag('--platforms') ?? 'sr,hifi,ont').split(',') as Platform[];
  const mapqMode = flag('--mapq');
  if (mapqMode !== undefined) {
    if (mapqMode !== 'fit' && mapqMode !== 'validate') throw new Error(`--mapq takes 'fit' or 'validate', got '${mapqMode}'`);
    prepareInputs([]);
    await compileSources();
    return mapqMode === 'fit' ? fitMapq(platforms, threads) : validateMapq(platforms, threads);
  }
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
    // the two timed against each other run interleaved, `repeat` times each (median wall time, largest
    // peak): on a shared machine one run of a few seconds is at the mercy of other jobs
    const minimap2Runs: ToolRun[] = [];
    const ourRuns: ToolRun[] = [];
    for (let r = 0; r < repeat; r++) {
      minimap2Runs.push(runMinimap2(platform, threads));
      ourRuns.push(runOurs(platform, threads));
    }
    const runs = [medianRun(minimap2Runs), medianRun(ourRuns), runBwa(platform, threads)];
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
        `Per MAPQ bin (primary alignments; *placed correctly* here means not misplaced as the MAPQ calibration tables below count it: for long reads, overlapping the true interval rather than starting within 10 bp, since a long read's start moves with its clipped ends):\n\n${binHeader}\n| --- | ${runs.map(() => '---').join(' | ')} | --- |\n${binRows.join('\n')}`,
    );
  }

  const markdown = `## Alignment (\`npm run bench:align\`)

Run ${started.toISOString().slice(0, 16).replace('T', ' ')} UTC on ${describeMachine()}; ${threads} threads for every tool.
minimap2 and GenomAIc ran interleaved, ${repeat} times each: wall time is the median, memory the largest peak (bwa mem once).
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
