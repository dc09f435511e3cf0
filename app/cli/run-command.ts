import type { CliIo } from './command.js';
import { EXIT } from './command.js';
import { boolFlag, parseArgs, UsageError, type FlagSpec, type ParsedArgs } from './args.js';
import { formatGenomaicError, toGenomaicError } from '../../engine/errors.js';

/** Maps an error to an exit code and prints it: usage errors with the usage, faults as one line. */
export function reportFailure(command: string, err: unknown, io: CliIo, usage: string): number {
  if (err instanceof UsageError) {
    io.stderr.write(`genomaic ${command}: ${err.message}\n\n${usage}\n`);
    return EXIT.usage;
  }
  const e = toGenomaicError(err);
  io.stderr.write(`genomaic ${command}: ${formatGenomaicError(e)}\n`);
  if (e.code === 'cancelled') return EXIT.cancelled;
  if (e.code === 'internal') return EXIT.internal;
  if (e.code === 'invalid-request') return EXIT.usage;
  return EXIT.badInput;
}

/**
 * The frame of a long-running command: strict flag parsing, `--help`, Ctrl-C as an abort signal
 * (the work stops cleanly and exits 130), and every failure reported by `reportFailure`.
 */
export async function runCancellableCommand(
  command: string,
  usage: string,
  flags: Record<string, FlagSpec>,
  argv: string[],
  io: CliIo,
  body: (parsed: ParsedArgs, signal: AbortSignal) => Promise<number>,
): Promise<number> {
  const controller = new AbortController();
  const onSigint = (): void => controller.abort();
  process.on('SIGINT', onSigint);
  try {
    const parsed = parseArgs(argv, flags);
    if (boolFlag(parsed, 'help')) {
      io.stdout.write(`${usage}\n`);
      return EXIT.ok;
    }
    return await body(parsed, controller.signal);
  } catch (err) {
    return reportFailure(command, err, io, usage);
  } finally {
    process.off('SIGINT', onSigint);
  }
}
