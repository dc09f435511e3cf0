/**
 * Ingest benchmark: our FASTQ ingest + QC against `seqkit stats` on the same Illumina-like
 * .fastq.gz files, at two sizes ten times apart, in one run on one machine.
 *
 *   npm run bench:ingest            (tsx bench/ingest.ts)
 *   BENCH_INGEST_RUNS=5 npm run bench:ingest
 *
 * Each tool runs as its own process under GNU time (`/usr/bin/time -f '%e %M'`), so wall time and
 * peak RSS are measured the same way for all. Our side runs the engine compiled to JavaScript by
 * tsc (as it ships), so Node's start is included but no TypeScript transpiling. Runs are
 * interleaved (ours, seqkit -a, seqkit, ours, …) so that load from other processes on a shared
 * machine hits all tools alike; the best of N runs is reported, with the load average alongside.
 * Writes the `ingest` section of docs/benchmarks.md and bench/results/ingest.json.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { loadavg } from 'node:os';
import { join, relative } from 'node:path';
import { describeMachine, REPO_ROOT, toolVersion, writeBenchmarkSection } from './report.js';
import { generateIlluminaFastq, GZIP_LEVEL, type GeneratedFastq } from './ingest-generate.js';

const CACHE = join(REPO_ROOT, '.cache', 'bench', 'ingest');
const COMPILED = join(CACHE, 'js');
const RESULTS_JSON = join(REPO_ROOT, 'bench', 'results', 'ingest.json');
const RUNS = Number(process.env.BENCH_INGEST_RUNS ?? 5);
const SEED = 20240611;
/** Bump when the generator's output changes, so cached inputs are regenerated. */
const GENERATOR_VERSION = 2;
const TIME_FORMAT = '%e %U %S %M';
const SIZES = [
  { label: 'small', targetBytes: 40e6 },
  { label: 'large', targetBytes: 400e6 },
] as const;

interface InputFile extends GeneratedFastq {
  label: string;
  path: string;
  sizeBytes: number;
}

interface Measurement {
  wallSeconds: number;
  /** User + system CPU seconds over all threads: less sensitive than wall time to other load. */
  cpuSeconds: number;
  maxRssBytes: number;
  /** Our in-process `ingestFastqFiles` time (ours only). */
  ingestSeconds?: number;
  stdout: string;
}

interface ToolResult {
  tool: string;
  command: string;
  runs: Measurement[];
  best: Measurement;
}

async function ensureInput(label: string, targetBytes: number): Promise<InputFile> {
  mkdirSync(CACHE, { recursive: true });
  const path = join(CACHE, `illumina_${label}_R1.fastq.gz`);
  const markerPath = `${path}.json`;
  const wanted = { generatorVersion: GENERATOR_VERSION, seed: SEED, targetBytes, gzipLevel: GZIP_LEVEL };
  if (existsSync(path) && existsSync(markerPath)) {
    const marker = JSON.parse(readFileSync(markerPath, 'utf8')) as typeof wanted & GeneratedFastq & { sizeBytes: number };
    const same = Object.entries(wanted).every(([k, v]) => marker[k as keyof typeof wanted] === v);
    if (same && statSync(path).size === marker.sizeBytes) {
      return { label, path, sizeBytes: marker.sizeBytes, records: marker.records, uncompressedBytes: marker.uncompressedBytes };
    }
  }
  console.error(`generating ${relative(REPO_ROOT, path)} (~${targetBytes / 1e6} MB gzip)…`);
  const started = performance.now();
  const tmp = `${path}.tmp`;
  const generated = await generateIlluminaFastq(tmp, { targetBytes, seed: SEED });
  renameSync(tmp, path);
  const sizeBytes = statSync(path).size;
  writeFileSync(markerPath, JSON.stringify({ ...wanted, ...generated, sizeBytes }, null, 2));
  console.error(`  ${generated.records} records in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  return { label, path, sizeBytes, ...generated };
}

/** The engine as it ships: tsc output, not transpiled on the fly. */
function compileEngine(): string {
  rmSync(COMPILED, { recursive: true, force: true });
  execFileSync(
    process.execPath,
    [join(REPO_ROOT, 'node_modules', 'typescript', 'bin', 'tsc'), '--outDir', COMPILED, '--rootDir', REPO_ROOT, '--module', 'NodeNext',
      '--moduleResolution', 'NodeNext', '--target', 'ES2022', '--skipLibCheck', '--sourceMap', 'false', join(REPO_ROOT, 'bench', 'ingest-child.ts')],
    { stdio: 'inherit' },
  );
  return join(COMPILED, 'bench', 'ingest-child.js');
}

/** Runs one command under GNU time; returns wall and CPU seconds and peak RSS as GNU time measured them. */
function timed(command: string[]): Measurement {
  const timeFile = join(CACHE, 'time.out');
  const result = spawnSync('/usr/bin/time', ['-o', timeFile, '-f', TIME_FORMAT, ...command], { encoding: 'utf8', maxBuffer: 64 << 20 });
  if (result.status !== 0) throw new Error(`${command.join(' ')} failed (${result.status}): ${result.stderr}`);
  const [wall, user, system, rssKb] = readFileSync(timeFile, 'utf8').trim().split(/\s+/).slice(-4).map(Number);
  return { wallSeconds: wall!, cpuSeconds: user! + system!, maxRssBytes: rssKb! * 1024, stdout: result.stdout };
}

/** Debian's GNU time reports its version as UNKNOWN; the package version says what it is. */
function gnuTimeVersion(): string {
  const reported = toolVersion('/usr/bin/time', ['--version']);
  if (!reported.includes('UNKNOWN')) return reported;
  const packaged = toolVersion('dpkg-query', ['-W', '-f=${Version}', 'time']);
  return packaged === 'not installed' ? reported : `GNU time ${packaged} (Debian package)`;
}

function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
}

function best(runs: Measurement[]): Measurement {
  return runs.reduce((a, b) => (b.wallSeconds < a.wallSeconds ? b : a));
}

function seqkitCounts(stdout: string): { reads: number; bases: number } {
  const [header, values] = stdout.trim().split('\n');
  const names = header!.split('\t');
  const cells = values!.split('\t');
  const cell = (name: string): number => Number(cells[names.indexOf(name)]);
  return { reads: cell('num_seqs'), bases: cell('sum_len') };
}

const mb = (bytes: number): number => bytes / 1e6;
const fixed = (value: number, digits = 1): string => value.toFixed(digits);

async function main(): Promise<void> {
  const date = new Date().toISOString();
  const loadBefore = loadavg();
  const inputs: InputFile[] = [];
  for (const size of SIZES) inputs.push(await ensureInput(size.label, size.targetBytes));
  const child = compileEngine();
  const versions = { seqkit: toolVersion('seqkit', ['version']), node: process.version, gnuTime: gnuTimeVersion() };

  const results: { input: InputFile; tools: ToolResult[] }[] = [];
  for (const input of inputs) {
    const commands: [string, string[]][] = [
      ['GenomAIc ingestFastqFiles', [process.execPath, child, input.path]],
      ['seqkit stats -a -j 2', ['seqkit', 'stats', '-a', '-T', '-j', '2', input.path]],
      ['seqkit stats -j 2', ['seqkit', 'stats', '-T', '-j', '2', input.path]],
    ];
    const runs = commands.map((): Measurement[] => []);
    for (let round = 0; round < RUNS; round++) {
      commands.forEach(([name, command], i) => {
        const measurement = timed(command);
        if (i === 0) measurement.ingestSeconds = (JSON.parse(measurement.stdout) as { ingestSeconds: number }).ingestSeconds;
        runs[i]!.push(measurement);
        console.error(`${input.label} ${name} run ${round + 1}: ${fixed(measurement.wallSeconds, 2)} s, ${fixed(mb(measurement.maxRssBytes), 0)} MB RSS`);
      });
    }
    const tools = commands.map(([tool, command], i) => ({
      tool,
      command: command.map((part) => (part.startsWith(REPO_ROOT) ? relative(REPO_ROOT, part) : part)).join(' ').replace(process.execPath, 'node'),
      runs: runs[i]!,
      best: best(runs[i]!),
    }));
    // Same reads and bases on both sides, or the comparison means nothing.
    const ours = JSON.parse(tools[0]!.best.stdout) as { reads: number; bases: number };
    const theirs = seqkitCounts(tools[1]!.best.stdout);
    if (ours.reads !== theirs.reads || ours.bases !== theirs.bases) {
      throw new Error(`counts differ on ${input.path}: ours ${JSON.stringify(ours)}, seqkit ${JSON.stringify(theirs)}`);
    }
    results.push({ input, tools });
  }
  const loadAfter = loadavg();

  const rows: string[] = [];
  const minCpu = (t: ToolResult): number => Math.min(...t.runs.map((r) => r.cpuSeconds));
  const json = results.map(({ input, tools }) => {
    const seqkitAll = tools[1]!;
    const entries = tools.map((t) => {
      const wall = t.best.wallSeconds;
      const medianWall = median(t.runs.map((r) => r.wallSeconds));
      const cpu = minCpu(t);
      rows.push(
        `| ${input.label} (${fixed(mb(input.sizeBytes), 0)} MB gz, ${fixed(mb(input.uncompressedBytes), 0)} MB FASTQ, ${(input.records / 1e6).toFixed(2)} M reads) ` +
          `| ${t.tool} | ${fixed(wall, 2)} | ${fixed(medianWall, 2)} | ${fixed(mb(input.sizeBytes) / wall)} | ${fixed(mb(input.uncompressedBytes) / wall)} ` +
          `| ${fixed(cpu, 2)} | ${t.best.ingestSeconds === undefined ? '–' : fixed(t.best.ingestSeconds, 2)} | ${fixed(mb(t.best.maxRssBytes), 0)} ` +
          `| ${fixed(seqkitAll.best.wallSeconds / wall, 2)} | ${fixed(median(seqkitAll.runs.map((r) => r.wallSeconds)) / medianWall, 2)} | ${fixed(minCpu(seqkitAll) / cpu, 2)} |`,
      );
      return {
        tool: t.tool,
        command: t.command,
        bestWallSeconds: wall,
        medianWallSeconds: medianWall,
        minCpuSeconds: cpu,
        compressedMBps: mb(input.sizeBytes) / wall,
        uncompressedMBps: mb(input.uncompressedBytes) / wall,
        ingestSeconds: t.best.ingestSeconds ?? null,
        maxRssBytes: Math.max(...t.runs.map((r) => r.maxRssBytes)),
        throughputRatioToSeqkitStatsA: { bestWall: seqkitAll.best.wallSeconds / wall, medianWall: median(seqkitAll.runs.map((r) => r.wallSeconds)) / medianWall, cpu: minCpu(seqkitAll) / cpu },
        runs: t.runs.map((r) => ({ wallSeconds: r.wallSeconds, cpuSeconds: r.cpuSeconds, maxRssBytes: r.maxRssBytes, ingestSeconds: r.ingestSeconds ?? null })),
      };
    });
    return {
      input: { label: input.label, file: relative(REPO_ROOT, input.path), sizeBytes: input.sizeBytes, uncompressedBytes: input.uncompressedBytes, records: input.records },
      tools: entries,
    };
  });

  const ratio = (i: number, key: 'bestWall' | 'medianWall' | 'cpu'): string => fixed(json[i]!.tools[0]!.throughputRatioToSeqkitStatsA[key], 2);
  const rss = (i: number, t: number): string => fixed(mb(json[i]!.tools[t]!.maxRssBytes), 0);
  const markdown = `## Ingest (FASTQ.gz → validation, QC, platform detection, SHA-256)

Command: \`npm run bench:ingest\` (\`tsx bench/ingest.ts\`, ${RUNS} interleaved runs per tool and size).
Date: ${date}. Machine: ${describeMachine()}.
Tools: seqkit ${versions.seqkit.replace(/^seqkit\s*/, '')}, Node ${versions.node}, ${versions.gnuTime}.
Load average (1/5/15 min) before: ${loadBefore.map((l) => l.toFixed(2)).join(' / ')}; after: ${loadAfter.map((l) => l.toFixed(2)).join(' / ')}. The machine is shared with other work, so wall times move from run to run; runs are interleaved so all tools see the same conditions, and CPU time (user + system, all threads) is given as the steadier measure of work done.

Input: Illumina-like 151 bp reads (Casava 1.8 names, binned NovaSeq qualities, 41% GC), generated by \`bench/ingest-generate.ts\` (seed ${SEED}), gzip level ${GZIP_LEVEL} (bcl2fastq's default), in \`.cache/bench/ingest/\`.

Each command ran under \`/usr/bin/time -f '${TIME_FORMAT}'\` (wall s, user s, system s, peak RSS KB):
${results[0]!.tools.map((t) => `- ${t.tool}: \`${t.command.replace(relative(REPO_ROOT, results[0]!.input.path), '<file>')}\``).join('\n')}

Ours does more than \`seqkit stats -a\`: every record validated, SHA-256 of the file, per-cycle quality quartiles, length/quality/GC histograms, platform detection. It runs the engine compiled by tsc (as shipped), Node's start included; "ingest s" is the in-process \`ingestFastqFiles\` time of the best run. Ratios are seqkit stats -a time / tool time (above 1: faster than seqkit stats -a).

| input | tool | best wall s | median wall s | MB/s gz (best) | MB/s FASTQ (best) | CPU s (min) | ingest s | peak RSS MB | ratio, best wall | ratio, median wall | ratio, CPU |
| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |
${rows.join('\n')}

Throughput ratio ours / \`seqkit stats -a -j 2\` (best wall; median wall; CPU): small **${ratio(0, 'bestWall')}×**; ${ratio(0, 'medianWall')}×; ${ratio(0, 'cpu')}×. Large **${ratio(1, 'bestWall')}×**; ${ratio(1, 'medianWall')}×; ${ratio(1, 'cpu')}×.
Peak RSS (highest of the runs), small → large (10× the data): ours ${rss(0, 0)} → ${rss(1, 0)} MB; seqkit stats -a ${rss(0, 1)} → ${rss(1, 1)} MB.
`;
  writeBenchmarkSection('ingest', markdown);
  mkdirSync(join(REPO_ROOT, 'bench', 'results'), { recursive: true });
  const tmp = `${RESULTS_JSON}.tmp`;
  writeFileSync(tmp, `${JSON.stringify({ benchmark: 'ingest', date, machine: describeMachine(), versions, runsPerTool: RUNS, loadBefore, loadAfter, results: json }, null, 2)}\n`);
  renameSync(tmp, RESULTS_JSON);
  console.log(markdown);
}

await main();
