#!/usr/bin/env node
/** `genomaic`: the headless host. Every subcommand drives the same engine as the app. */
import type { CliIo } from './command.js';
import { EXIT } from './command.js';
import { main } from './main.js';

const io: CliIo = { stdout: process.stdout, stderr: process.stderr, stderrIsTty: process.stderr.isTTY === true };
main(process.argv.slice(2), io).then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`genomaic: internal error: ${err instanceof Error ? err.message : String(err)}\n`);
    process.exitCode = EXIT.internal;
  },
);
