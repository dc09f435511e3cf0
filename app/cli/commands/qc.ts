import type { CliCommand, CliIo } from '../command.js';
import { EXIT } from '../command.js';
import { boolFlag, parseArgs, stringFlag, UsageError } from '../args.js';
import { ENGINE_FLAGS, ENGINE_FLAGS_USAGE, openEngineFromFlags } from '../engine-flags.js';
import { formatBytes, formatDuration, progressReporter } from '../progress.js';
import type { RunDetail } from '../../contract.js';
import { formatGenomaicError, toGenomaicError } from '../../../engine/errors.js';

const USAGE = `Usage: genomaic qc [options] FILE...

Streams FASTQ files (plain, gzip or bgzip), validates every record, pairs R1/R2 files by
name and checks their read names record by record, detects the platform, and reports QC.
The run is recorded in the project database.

Options:
  --platform P     auto (default), illumina, hifi or ont
  --json           print the run (inputs, checksums, platform evidence, QC) as JSON on stdout
${ENGINE_FLAGS_USAGE}
  -h, --help       this text

Exit codes: 0 done, 1 bad input (the message names file, record and fault), 2 usage,
3 internal error, 130 cancelled (Ctrl-C).`;

function printTable(run: RunDetail, io: CliIo): void {
  const rows = run.files.map((f) => [
    f.name,
    `${f.platform}${f.platformOverridden ? ' (set)' : ` (${(f.detected.confidence * 100).toFixed(0)}%)`}`,
    f.qc.reads.toLocaleString('en-US'),
    formatBytes(f.qc.bases).replace('B', 'bp'),
    f.qc.n50.toLocaleString('en-US'),
    f.qc.meanQuality.toFixed(1),
    (f.qc.gcFraction * 100).toFixed(1),
    (f.qc.nRate * 100).toFixed(3),
  ]);
  const header = ['file', 'platform', 'reads', 'bases', 'N50', 'mean Q', 'GC %', 'N %'];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  io.stdout.write(`${line(header)}\n${rows.map(line).join('\n')}\n`);
  for (const p of run.pairs) {
    io.stdout.write(`pair ${p.r1} + ${p.r2}: ${p.ok ? 'names match' : 'MISMATCH'} over ${p.recordsCompared.toLocaleString('en-US')} records\n`);
  }
}

export const qcCommand: CliCommand = {
  name: 'qc',
  summary: 'validate FASTQ files, detect the platform, report QC',
  usage: USAGE,
  async run(argv, io) {
    let parsed;
    try {
      parsed = parseArgs(argv, { ...ENGINE_FLAGS, platform: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
    } catch (err) {
      if (err instanceof UsageError) {
        io.stderr.write(`genomaic qc: ${err.message}\n\n${USAGE}\n`);
        return EXIT.usage;
      }
      throw err;
    }
    if (boolFlag(parsed, 'help')) {
      io.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    if (parsed.positionals.length === 0) {
      io.stderr.write(`genomaic qc: no FASTQ file given\n\n${USAGE}\n`);
      return EXIT.usage;
    }
    const engine = openEngineFromFlags(parsed, 'cli');
    const progress = progressReporter(io);
    const offProgress = engine.on('run.progress', (p) => progress.update(p));
    let runId: string | undefined;
    const onSigint = (): void => {
      if (runId) engine.cancel(runId);
    };
    process.on('SIGINT', onSigint);
    try {
      // The engine validates the platform name; a wrong one comes back as a usage error.
      const platform = (stringFlag(parsed, 'platform') ?? 'auto') as 'auto';
      const started = await engine.handle('qc.start', { paths: parsed.positionals, platform });
      runId = started.runId;
      const summary = await engine.waitForRun(started.runId);
      progress.done();
      if (summary.status === 'cancelled') {
        io.stderr.write('genomaic qc: cancelled\n');
        return EXIT.cancelled;
      }
      if (summary.status !== 'done') {
        io.stderr.write(`genomaic qc: ${summary.error ? formatGenomaicError(summary.error) : summary.status}\n`);
        return summary.error?.code === 'internal' ? EXIT.internal : EXIT.badInput;
      }
      const run = engine.store.getRun(started.runId);
      if (boolFlag(parsed, 'json')) io.stdout.write(`${JSON.stringify(run, null, 2)}\n`);
      else {
        const seconds = (Date.parse(run.finishedAt ?? run.createdAt) - Date.parse(run.createdAt)) / 1000;
        io.stderr.write(`run ${run.id} done in ${formatDuration(seconds)}\n`);
        printTable(run, io);
      }
      return EXIT.ok;
    } catch (err) {
      progress.done();
      const e = toGenomaicError(err);
      io.stderr.write(`genomaic qc: ${formatGenomaicError(e)}\n`);
      return e.code === 'internal' ? EXIT.internal : e.code === 'invalid-request' ? EXIT.usage : EXIT.badInput;
    } finally {
      process.off('SIGINT', onSigint);
      offProgress();
      await engine.close();
    }
  },
};
