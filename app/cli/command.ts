/** One `genomaic <name>` subcommand. Commands parse their own arguments (see ./args.ts). */
export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  /** Whether stderr is a terminal (progress may redraw a line) or a log (one line per update). */
  stderrIsTty: boolean;
}

export interface CliCommand {
  name: string;
  /** One line for `genomaic --help`. */
  summary: string;
  /** Full text for `genomaic <name> --help`. */
  usage: string;
  run(argv: string[], io: CliIo): Promise<number>;
}

/** Exit codes that mean something to scripts and workflow engines. */
export const EXIT = {
  ok: 0,
  /** The input was bad (malformed file, mismatched pair, …): the message names file, record and fault. */
  badInput: 1,
  /** The command line was wrong. */
  usage: 2,
  /** A bug or an environment fault. */
  internal: 3,
  /** Benchmarks/compare: a goal or threshold was not met. */
  failedCheck: 4,
  cancelled: 130,
} as const;
