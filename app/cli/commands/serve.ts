import { join } from 'node:path';
import type { CliCommand } from '../command.js';
import { EXIT } from '../command.js';
import { boolFlag, parseArgs, stringFlag, UsageError } from '../args.js';
import { ENGINE_FLAGS, ENGINE_FLAGS_USAGE, openEngineFromFlags } from '../engine-flags.js';
import { startBrowserMode } from '../../serve/server.js';
import { findPackageRoot } from '../../../engine/version.js';
import { formatGenomaicError, toGenomaicError } from '../../../engine/errors.js';

const USAGE = `Usage: genomaic serve [options]

Browser mode: serves the GenomAIc UI on 127.0.0.1 only, with a token made for this launch.
Open the printed URL in a browser on this machine; nothing is reachable from the network.

Options:
  --port N         port to listen on (default: a free one)
  --json           print {"url", "launchUrl"} as one JSON line on stdout
${ENGINE_FLAGS_USAGE}
  -h, --help       this text`;

export const serveCommand: CliCommand = {
  name: 'serve',
  summary: 'browser mode: the UI on 127.0.0.1 with a per-launch token',
  usage: USAGE,
  async run(argv, io) {
    let parsed;
    try {
      parsed = parseArgs(argv, { ...ENGINE_FLAGS, port: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
    } catch (err) {
      if (err instanceof UsageError) {
        io.stderr.write(`genomaic serve: ${err.message}\n\n${USAGE}\n`);
        return EXIT.usage;
      }
      throw err;
    }
    if (boolFlag(parsed, 'help')) {
      io.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    const portText = stringFlag(parsed, 'port') ?? '0';
    const port = Number(portText);
    if (!Number.isInteger(port) || port < 0 || port > 65535) {
      io.stderr.write(`genomaic serve: --port must be 0..65535, not ${portText}\n`);
      return EXIT.usage;
    }
    let engine;
    try {
      engine = openEngineFromFlags(parsed, 'browser');
    } catch (err) {
      io.stderr.write(`genomaic serve: ${formatGenomaicError(toGenomaicError(err))}\n`);
      return EXIT.internal;
    }
    const server = await startBrowserMode({ engine, rendererDir: join(findPackageRoot(), 'dist', 'renderer'), port });
    if (boolFlag(parsed, 'json')) io.stdout.write(`${JSON.stringify({ url: server.url, launchUrl: server.launchUrl })}\n`);
    else io.stdout.write(`GenomAIc browser mode (127.0.0.1 only). Open:\n  ${server.launchUrl}\nCtrl-C stops it.\n`);
    await new Promise<void>((resolve) => {
      process.once('SIGINT', resolve);
      process.once('SIGTERM', resolve);
    });
    await server.close();
    await engine.close();
    return EXIT.ok;
  },
};
