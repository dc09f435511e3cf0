import type { CliCommand, CliIo } from '../command.js';
import { EXIT } from '../command.js';
import { lineReporter } from '../progress.js';
import { boolFlag, parseArgs, stringFlag, UsageError } from '../args.js';
import { formatDuration } from '../progress.js';
import type { AlignProgress, AlignSummary } from '../../../engine/align/align-reads.js';
import { alignReads } from '../../../engine/align/align-reads.js';
import { importBam } from '../../../engine/align/bam-import.js';
import { parsePresetName } from '../../../engine/align/presets.js';
import { formatGenomaicError, toGenomaicError } from '../../../engine/errors.js';

const USAGE = `Usage: genomaic align --ref REF.fa [options] -o OUT.bam READS.fastq [READS_2.fastq]
       genomaic align --ref REF.fa --import IN.bam -o OUT.bam

Aligns FASTQ reads (plain, gzip or bgzip; one file single-end, two files R1 and R2) to a
reference and writes a coordinate-sorted BAM with its .bai index. The minimizer index is
built on first use and cached next to the reference (rebuilt when the reference changes).
With --import, a BAM from another aligner is checked against the reference and written
sorted and indexed instead.

Options:
  --ref FILE         reference FASTA (plain or bgzip)
  -o, --output FILE  output BAM (the index is written as FILE.bai)
  --preset P         sr (Illumina), hifi (PacBio HiFi) or ont (Nanopore); default: detected
  --threads N        worker threads (default: every core; 0 = no workers)
  --rg-id ID         read group id (default: from the FASTQ name)
  --sample NAME      read group sample (SM; default: the read group id)
  --library NAME     read group library (LB)
  --memory MB        sort buffer before spilling to disk (default 512)
  --import FILE      import an existing BAM instead of aligning FASTQ
  --json             print the run summary as JSON on stdout
  -h, --help         this text

Exit codes: 0 done, 1 bad input, 2 usage, 3 internal error, 130 cancelled (Ctrl-C).
A mapping rate below 50% is reported on stderr as a warning (wrong reference or
contamination) but is not an error.`;

const FLAGS = {
  ref: { type: 'string' },
  output: { type: 'string', short: 'o' },
  preset: { type: 'string' },
  threads: { type: 'string' },
  'rg-id': { type: 'string' },
  sample: { type: 'string' },
  library: { type: 'string' },
  memory: { type: 'string' },
  import: { type: 'string' },
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
} as const;

export function describeAlignProgress(p: AlignProgress): string {
  if (p.stage !== 'align') return `${p.stage}: ${p.detail}`;
  const pct = p.bytesTotal > 0 ? ((100 * p.bytesRead) / p.bytesTotal).toFixed(1) : '0.0';
  return `align: ${pct}% of input, ${p.reads.toLocaleString('en-US')} reads, ${Math.round(p.readsPerSecond).toLocaleString('en-US')} reads/s`;
}

function printSummary(summary: AlignSummary, io: CliIo): void {
  const pct = (n: number): string => `${((100 * n) / Math.max(1, summary.reads)).toFixed(2)}%`;
  const lines = [
    `${summary.outputPath} (+ .bai), preset ${summary.preset}${summary.paired ? ', paired' : ''}, ${summary.threads} threads`,
    `reads ${summary.reads.toLocaleString('en-US')}, mapped ${summary.mapped.toLocaleString('en-US')} (${pct(summary.mapped)})` +
      (summary.paired ? `, properly paired ${summary.properPairs.toLocaleString('en-US')} (${pct(summary.properPairs)}), mates rescued ${summary.rescuedMates}` : ''),
    `supplementary ${summary.supplementary.toLocaleString('en-US')}, secondary ${summary.secondary.toLocaleString('en-US')}`,
    `index ${summary.indexBuilt ? 'built' : 'loaded'} in ${formatDuration(summary.indexSeconds)}, aligned in ${formatDuration(summary.alignSeconds)}, total ${formatDuration(summary.seconds)}`,
  ];
  if (summary.insertSize) lines.push(`insert size ${summary.insertSize.mean.toFixed(0)} ± ${summary.insertSize.std.toFixed(0)} (proper ${summary.insertSize.low}-${summary.insertSize.high})`);
  io.stderr.write(`${lines.join('\n')}\n`);
}

export const alignCommand: CliCommand = {
  name: 'align',
  summary: 'align FASTQ reads (or import a BAM) to a reference: sorted BAM + BAI',
  usage: USAGE,
  async run(argv, io) {
    let parsed;
    try {
      parsed = parseArgs(argv, { ...FLAGS });
    } catch (err) {
      if (err instanceof UsageError) {
        io.stderr.write(`genomaic align: ${err.message}\n\n${USAGE}\n`);
        return EXIT.usage;
      }
      throw err;
    }
    if (boolFlag(parsed, 'help')) {
      io.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    const usage = (message: string): number => {
      io.stderr.write(`genomaic align: ${message}\n\n${USAGE}\n`);
      return EXIT.usage;
    };
    const ref = stringFlag(parsed, 'ref');
    const output = stringFlag(parsed, 'output');
    const imported = stringFlag(parsed, 'import');
    if (!ref) return usage('--ref is required');
    if (!output) return usage('-o/--output is required');
    if (!imported && (parsed.positionals.length < 1 || parsed.positionals.length > 2)) return usage('give one FASTQ (single-end) or two (R1 R2)');
    if (imported && parsed.positionals.length > 0) return usage('--import takes no FASTQ files');
    const threadsText = stringFlag(parsed, 'threads');
    const threads = threadsText === undefined ? undefined : Number(threadsText);
    if (threads !== undefined && (!Number.isInteger(threads) || threads < 0 || threads > 1024)) return usage('--threads must be a whole number from 0 to 1024');
    const memoryText = stringFlag(parsed, 'memory');
    const memoryMb = memoryText === undefined ? undefined : Number(memoryText);
    if (memoryMb !== undefined && (!Number.isFinite(memoryMb) || memoryMb < 1)) return usage('--memory must be a number of megabytes ≥ 1');
    let preset;
    try {
      const presetText = stringFlag(parsed, 'preset');
      preset = presetText === undefined ? undefined : parsePresetName(presetText);
    } catch (err) {
      return usage((err as Error).message);
    }

    const controller = new AbortController();
    const onSigint = (): void => controller.abort();
    process.on('SIGINT', onSigint);
    const lines = lineReporter(io);
    const onProgress = (p: AlignProgress): void => lines.update(describeAlignProgress(p), p.stage !== 'align');
    const clearLine = (): void => lines.done();
    try {
      const readGroup = {
        ...(stringFlag(parsed, 'rg-id') ? { id: stringFlag(parsed, 'rg-id')! } : {}),
        ...(stringFlag(parsed, 'sample') ? { sample: stringFlag(parsed, 'sample')! } : {}),
        ...(stringFlag(parsed, 'library') ? { library: stringFlag(parsed, 'library')! } : {}),
      };
      const common = {
        referencePath: ref,
        outputPath: output,
        signal: controller.signal,
        ...(memoryMb !== undefined ? { memoryBudgetBytes: Math.round(memoryMb * 1024 * 1024) } : {}),
      };
      if (imported) {
        const summary = await importBam({ ...common, inputPath: imported, onProgress });
        clearLine();
        for (const warning of summary.warnings) io.stderr.write(`genomaic align: WARNING: ${warning}\n`);
        if (boolFlag(parsed, 'json')) io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
        else io.stderr.write(`${summary.outputPath} (+ .bai): ${summary.records.toLocaleString('en-US')} records imported from ${imported}\n`);
        return EXIT.ok;
      }
      const summary = await alignReads({
        ...common,
        readPaths: parsed.positionals,
        ...(preset ? { preset } : {}),
        ...(threads !== undefined ? { threads } : {}),
        readGroup,
        onProgress,
        commandLine: ['genomaic', 'align', ...argv].join(' '),
      });
      clearLine();
      for (const warning of summary.warnings) io.stderr.write(`genomaic align: WARNING: ${warning}\n`);
      if (boolFlag(parsed, 'json')) io.stdout.write(`${JSON.stringify(summary, null, 2)}\n`);
      else printSummary(summary, io);
      return EXIT.ok;
    } catch (err) {
      clearLine();
      if (controller.signal.aborted) {
        io.stderr.write('genomaic align: cancelled\n');
        return EXIT.cancelled;
      }
      const e = toGenomaicError(err);
      io.stderr.write(`genomaic align: ${formatGenomaicError(e)}\n`);
      return e.code === 'internal' ? EXIT.internal : e.code === 'invalid-request' && !e.file ? EXIT.usage : EXIT.badInput;
    } finally {
      process.off('SIGINT', onSigint);
    }
  },
};
