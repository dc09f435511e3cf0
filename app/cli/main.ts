/** The `genomaic` command table and dispatcher; ./genomaic.ts is the executable. */
import type { CliCommand, CliIo } from './command.js';
import { EXIT } from './command.js';
import { qcCommand } from './commands/qc.js';
import { serveCommand } from './commands/serve.js';
import { compareCommand } from './commands/compare.js';
import { alignCommand } from './commands/align.js';
import { callCommand } from './commands/call.js';
import { analyzeCommand } from './commands/analyze.js';
import { doctorCommand } from './commands/doctor.js';
import { trainCommand } from './commands/train.js';
import { appVersion } from '../../engine/version.js';
import { RESEARCH_NOTICE } from '../contract.js';

export const COMMANDS: readonly CliCommand[] = [qcCommand, alignCommand, callCommand, analyzeCommand, compareCommand, trainCommand, doctorCommand, serveCommand];

function overview(): string {
  const width = Math.max(...COMMANDS.map((c) => c.name.length));
  return `GenomAIc ${appVersion()}: offline genome interpretation. ${RESEARCH_NOTICE}

Usage: genomaic <command> [options]

Commands:
${COMMANDS.map((c) => `  ${c.name.padEnd(width)}  ${c.summary}`).join('\n')}

genomaic <command> --help shows a command's options. --version prints the version.`;
}

export async function main(argv: string[], io: CliIo): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    io.stdout.write(`${overview()}\n`);
    return name === undefined ? EXIT.usage : EXIT.ok;
  }
  if (name === '--version' || name === '-V') {
    io.stdout.write(`${appVersion()}\n`);
    return EXIT.ok;
  }
  const command = COMMANDS.find((c) => c.name === name);
  if (!command) {
    io.stderr.write(`genomaic: unknown command '${name}'\n\n${overview()}\n`);
    return EXIT.usage;
  }
  return command.run(rest, io);
}

