import type { JobProgress } from '../contract.js';
import type { CliIo } from './command.js';

export function formatBytes(n: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let v = n;
  let i = 0;
  while (v >= 1000 && i < units.length - 1) {
    v /= 1000;
    i++;
  }
  return `${v.toFixed(v >= 100 || i === 0 ? 0 : 1)} ${units[i]}`;
}

export function formatDuration(seconds: number): string {
  if (!Number.isFinite(seconds)) return '?';
  const s = Math.round(seconds);
  if (s < 60) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${s % 60} s`;
  return `${Math.floor(m / 60)} h ${m % 60} min`;
}

function formatWork(n: number, unit: JobProgress['unit']): string {
  return unit === 'bytes' ? formatBytes(n) : formatBytes(n).replace(/B$/, 'bp');
}

export function describeProgress(p: JobProgress): string {
  const pct = p.total > 0 ? ((100 * p.done) / p.total).toFixed(1) : '0.0';
  const eta = p.etaSeconds === null ? 'ETA ?' : `ETA ${formatDuration(p.etaSeconds)}`;
  const step = p.stageCount > 1 ? `[${p.stageIndex}/${p.stageCount}] ` : '';
  const reads = p.reads > 0 ? `, ${p.reads.toLocaleString('en-US')} reads, ${Math.round(p.readsPerSecond).toLocaleString('en-US')} reads/s` : '';
  return `${step}${p.stage}: ${pct}% (${formatWork(p.done, p.unit)} of ${formatWork(p.total, p.unit)})${reads}, ${eta}`;
}

/**
 * Progress lines on stderr: redrawn in place on a terminal; in a log (CI, a workflow engine) one
 * line every few seconds, plus every line marked `always` (a new stage), so the log stays readable.
 */
export interface LineReporter {
  update(line: string, always?: boolean): void;
  /** Clears a line drawn in place, before the final output. */
  done(): void;
}

export function lineReporter(io: CliIo, intervalMs = 3000): LineReporter {
  let last = 0;
  let drawn = false;
  return {
    update(line, always = false) {
      const now = Date.now();
      if (io.stderrIsTty) {
        io.stderr.write(`\r\x1b[2K${line}`);
        drawn = true;
      } else if (always || now - last >= intervalMs) {
        io.stderr.write(`${line}\n`);
        last = now;
      }
    },
    done() {
      if (drawn) io.stderr.write('\r\x1b[2K');
      drawn = false;
    },
  };
}

/** A run's progress frames through `lineReporter`. */
export function progressReporter(io: CliIo, intervalMs = 3000): { update(p: JobProgress): void; done(): void } {
  const lines = lineReporter(io, intervalMs);
  return { update: (p) => lines.update(describeProgress(p)), done: () => lines.done() };
}
