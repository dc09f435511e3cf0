/**
 * docs/benchmarks.md is shared by every benchmark: each owns one section between markers
 * and rewrites only that, atomically, so running one benchmark never erases another's figures.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { cpus, totalmem, release } from 'node:os';
import { fileURLToPath } from 'node:url';

export const REPO_ROOT = join(dirname(fileURLToPath(import.meta.url)), '..');
export const BENCHMARKS_MD = join(REPO_ROOT, 'docs', 'benchmarks.md');

const HEADER = `# Benchmarks

Measured, not claimed: every figure below was produced by the command named in its section, on the
machine it names, against the peer tools on the same inputs in the same run. Sections are rewritten
by their own benchmark; the date in each says when.
`;

export function writeBenchmarkSection(name: string, markdown: string, path = BENCHMARKS_MD): void {
  const start = `<!-- bench:${name}:start -->`;
  const end = `<!-- bench:${name}:end -->`;
  const block = `${start}\n${markdown.trim()}\n${end}`;
  const current = existsSync(path) ? readFileSync(path, 'utf8') : HEADER;
  const i = current.indexOf(start);
  const j = current.indexOf(end);
  const next = i >= 0 && j > i ? current.slice(0, i) + block + current.slice(j + end.length) : `${current.trimEnd()}\n\n${block}\n`;
  mkdirSync(dirname(path), { recursive: true });
  const tmp = `${path}.tmp-${process.pid}`;
  writeFileSync(tmp, next);
  renameSync(tmp, path);
}

/** One line naming the machine, for every benchmark section. */
export function describeMachine(): string {
  const cpu = cpus();
  const model = cpu[0]?.model.trim() ?? 'unknown CPU';
  return `${cpu.length} × ${model}, ${(totalmem() / 2 ** 30).toFixed(0)} GiB RAM, Linux ${release()}, Node ${process.version}`;
}

/** First line of `tool --version` (or the given args), or 'not installed'. */
export function toolVersion(tool: string, args: string[] = ['--version']): string {
  try {
    const out = execFileSync(tool, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    return out.split('\n').find((l) => l.trim().length > 0)?.trim() ?? 'unknown';
  } catch (err) {
    const e = err as { stdout?: string; stderr?: string };
    const text = `${e.stdout ?? ''}${e.stderr ?? ''}`;
    const line = text.split('\n').find((l) => /version|\d+\.\d+/i.test(l));
    return line?.trim() ?? 'not installed';
  }
}
