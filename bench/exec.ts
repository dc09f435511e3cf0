/**
 * Running the kit's external tools: argument arrays only (no shell strings), every command
 * recorded exactly as run so docs/benchmarks.md can list it, stderr kept in a log file per
 * step, wall time measured per step. Steps whose outputs exist with the same parameters are
 * reused from the cache (and say so) unless --fresh is given.
 */
import { spawn } from 'node:child_process';
import { createReadStream, createWriteStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { dirname, join, relative } from 'node:path';
import { REPO_ROOT } from './report.js';

export interface Command {
  cmd: string;
  args: string[];
  /** Environment additions (e.g. none today; kept explicit so docs show them). */
  env?: Record<string, string>;
}

export interface RunOptions {
  cwd?: string;
  /** Write the last command's stdout here (as `> file` in the logged line). */
  stdoutFile?: string;
  /** Feed this file to the first command's stdin (as `< file`). */
  stdinFile?: string;
  /** Where stderr of every command goes (appended). */
  logFile: string;
  /** Kill the pipeline (its whole process group) after this many seconds. */
  timeoutSeconds?: number;
}

/** Quotes an argument the way a person would type it in a POSIX shell. */
export function shellQuote(arg: string): string {
  if (/^[A-Za-z0-9_./:=,+@%^-]+$/.test(arg)) return arg;
  return `'${arg.replace(/'/g, `'\\''`)}'`;
}

/**
 * Paths inside the repository relative to `from` (the repository root, or a command's working
 * directory), so logged commands read the same on every machine and run when pasted at the root.
 */
export function displayPath(path: string, from = REPO_ROOT): string {
  if (relative(REPO_ROOT, path).startsWith('..')) return path;
  return relative(from, path) || '.';
}

function render(c: Command, from: string): string {
  const env = Object.entries(c.env ?? {}).map(([k, v]) => `${k}=${shellQuote(v)} `);
  return env.join('') + [c.cmd, ...c.args].map((a) => shellQuote(a.startsWith('/') ? displayPath(a, from) : a)).join(' ');
}

export function renderPipeline(commands: Command[], options: Pick<RunOptions, 'stdoutFile' | 'stdinFile' | 'cwd'>): string {
  const from = options.cwd ?? REPO_ROOT;
  let line = commands.map((c) => render(c, from)).join(' | ');
  if (options.stdinFile) line += ` < ${shellQuote(displayPath(options.stdinFile, from))}`;
  if (options.stdoutFile) line += ` > ${shellQuote(displayPath(options.stdoutFile, from))}`;
  if (options.cwd) line = `(cd ${shellQuote(displayPath(options.cwd))} && ${line})`;
  return line;
}

export class CommandError extends Error {}

/** Runs a pipeline (one or more commands, stdout of each into the next); resolves with the last stdout when not redirected. */
export function runPipeline(commands: Command[], options: RunOptions): Promise<string> {
  mkdirSync(dirname(options.logFile), { recursive: true });
  const log = createWriteStream(options.logFile, { flags: 'a' });
  log.write(`\n$ ${renderPipeline(commands, options)}\n`);
  return new Promise((resolve, reject) => {
    // With a time limit each command leads its own process group, so grandchildren die with it.
    const detached = options.timeoutSeconds !== undefined;
    const children = commands.map((c) =>
      spawn(c.cmd, c.args, { cwd: options.cwd, env: { ...process.env, ...(c.env ?? {}) }, stdio: ['pipe', 'pipe', 'pipe'], detached }),
    );
    let collected = '';
    let failed: Error | null = null;
    let remaining = children.length;
    const timer =
      options.timeoutSeconds === undefined
        ? null
        : setTimeout(() => {
            failed ??= new CommandError(`timed out after ${options.timeoutSeconds} s: ${renderPipeline(commands, options)}`);
            for (const child of children) {
              try {
                if (child.pid !== undefined) process.kill(-child.pid, 'SIGTERM');
              } catch {
                // already gone
              }
            }
          }, options.timeoutSeconds * 1000);
    children.forEach((child, i) => {
      child.stderr.pipe(log, { end: false });
      if (i === 0) {
        if (options.stdinFile) createReadStream(options.stdinFile).pipe(child.stdin);
        else child.stdin.end();
      }
      const next = children[i + 1];
      if (next) child.stdout.pipe(next.stdin);
      else if (options.stdoutFile) child.stdout.pipe(createWriteStream(options.stdoutFile));
      else child.stdout.on('data', (b: Buffer) => (collected += b.toString()));
      child.on('error', (err) => {
        failed ??= new CommandError(`${commands[i]!.cmd}: ${err.message}`);
      });
      child.on('close', (code, signal) => {
        if ((code !== 0 || signal) && !failed) failed = new CommandError(`${render(commands[i]!, REPO_ROOT)} exited with ${signal ?? code} (log: ${displayPath(options.logFile)})`);
        if (--remaining === 0) {
          if (timer) clearTimeout(timer);
          log.end();
          if (failed) {
            const tail = existsSync(options.logFile) ? readFileSync(options.logFile, 'utf8').split('\n').slice(-15).join('\n') : '';
            reject(new CommandError(`${failed.message}\n${tail}`));
          } else resolve(collected);
        }
      });
    });
  });
}

export interface StepRecord {
  name: string;
  /** Exact command lines, in order. */
  commands: string[];
  seconds: number;
  /** Reused from an earlier run (seconds are that run's). */
  cached: boolean;
}

/**
 * Size and modification time of every existing file named in a step's parameters, so that a
 * step reruns when an input was rebuilt (a re-simulated FASTQ invalidates its alignment).
 */
function inputFingerprints(params: unknown, out: string[] = []): string[] {
  if (typeof params === 'string') {
    if (params.startsWith('/') && existsSync(params)) {
      const st = statSync(params);
      if (st.isFile()) out.push(`${params}:${st.size}:${st.mtimeMs}`);
    }
  } else if (Array.isArray(params)) {
    for (const p of params) inputFingerprints(p, out);
  } else if (typeof params === 'object' && params !== null) {
    for (const v of Object.values(params)) inputFingerprints(v, out);
  }
  return out;
}

interface Stamp {
  hash: string;
  seconds: number;
  commands: string[];
  finishedAt: string;
}

/** A context that runs steps, records them, and caches them by parameters. */
export class StepRunner {
  readonly steps: StepRecord[] = [];

  constructor(
    private readonly stampDir: string,
    private readonly logDir: string,
    private readonly fresh: boolean,
  ) {
    mkdirSync(stampDir, { recursive: true });
    mkdirSync(logDir, { recursive: true });
  }

  /** The stderr log of a step (tools print their summaries there). */
  logFileFor(name: string): string {
    return join(this.logDir, `${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.log`);
  }

  /**
   * Runs `body` unless a stamp with the same parameter hash (parameters plus the size and
   * mtime of the input files they name) exists and all outputs are present.
   * `body` receives `exec(commands, options)` which runs and records one pipeline.
   */
  async step(
    name: string,
    params: unknown,
    outputs: string[],
    body: (exec: (commands: Command[], options?: Omit<RunOptions, 'logFile'>) => Promise<string>, commands: string[]) => Promise<void>,
  ): Promise<StepRecord> {
    const hash = createHash('sha256')
      .update(JSON.stringify({ name, params, inputs: inputFingerprints(params) }))
      .digest('hex')
      .slice(0, 16);
    const stampPath = join(this.stampDir, `${name.replace(/[^A-Za-z0-9_.-]/g, '_')}.json`);
    if (!this.fresh && existsSync(stampPath) && outputs.every((o) => existsSync(o))) {
      const stamp = JSON.parse(readFileSync(stampPath, 'utf8')) as Stamp;
      if (stamp.hash === hash) {
        const record = { name, commands: stamp.commands, seconds: stamp.seconds, cached: true };
        this.steps.push(record);
        process.stderr.write(`[bench] ${name}: cached (${stamp.seconds.toFixed(1)} s when run)\n`);
        return record;
      }
    }
    const logFile = this.logFileFor(name);
    writeFileSync(logFile, '');
    const commands: string[] = [];
    const exec = (pipeline: Command[], options: Omit<RunOptions, 'logFile'> = {}): Promise<string> => {
      commands.push(renderPipeline(pipeline, options));
      return runPipeline(pipeline, { ...options, logFile });
    };
    process.stderr.write(`[bench] ${name} …\n`);
    const started = performance.now();
    await body(exec, commands);
    const seconds = (performance.now() - started) / 1000;
    const stamp: Stamp = { hash, seconds, commands, finishedAt: new Date().toISOString() };
    writeFileSync(stampPath, JSON.stringify(stamp, null, 2));
    const record = { name, commands, seconds, cached: false };
    this.steps.push(record);
    process.stderr.write(`[bench] ${name}: ${seconds.toFixed(1)} s\n`);
    return record;
  }
}
