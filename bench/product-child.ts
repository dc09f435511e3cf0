/**
 * Runs one `genomaic` subcommand in a child process for the benchmark kit:
 * `tsx bench/product-child.ts analyze --ref … -o … reads.fq`.
 *
 * A child so that the kit can bound its time and measure it alone, and a dynamic import so
 * that the kit neither depends on the command at compile time nor fails when a command has
 * not landed yet: exit code 127 then means "not available", and the kit reports it so.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { REPO_ROOT } from './report.js';

/** "Not available" (as bench/product.ts expects). */
const NOT_AVAILABLE_EXIT = 127;

interface RunnableCommand {
  run(argv: string[], io: { stdout: NodeJS.WritableStream; stderr: NodeJS.WritableStream; stderrIsTty: boolean }): Promise<number>;
}

function isRunnable(value: unknown): value is RunnableCommand {
  return typeof value === 'object' && value !== null && typeof (value as { run?: unknown }).run === 'function';
}

async function main(): Promise<number> {
  const [name, ...argv] = process.argv.slice(2);
  if (!name || !/^[a-z-]+$/.test(name)) {
    process.stderr.write('usage: tsx bench/product-child.ts <command> [args]\n');
    return 2;
  }
  const modulePath = join(REPO_ROOT, 'app', 'cli', 'commands', `${name}.ts`);
  if (!existsSync(modulePath)) {
    process.stderr.write(`not available: ${modulePath} does not exist\n`);
    return NOT_AVAILABLE_EXIT;
  }
  const exported: Record<string, unknown> = await import(pathToFileURL(modulePath).href);
  const command = exported[`${name.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase())}Command`];
  if (!isRunnable(command)) {
    process.stderr.write(`not available: ${modulePath} exports no ${name}Command\n`);
    return NOT_AVAILABLE_EXIT;
  }
  return command.run(argv, { stdout: process.stdout, stderr: process.stderr, stderrIsTty: false });
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (err: unknown) => {
    process.stderr.write(`product-child: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}\n`);
    process.exitCode = 3;
  },
);
