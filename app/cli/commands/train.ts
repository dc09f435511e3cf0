import { join, resolve } from 'node:path';
import type { CliCommand } from '../command.js';
import { EXIT } from '../command.js';
import { boolFlag, parseArgs, stringFlag, UsageError } from '../args.js';
import { BACKEND_ORDER, describeSelection, selectBackend, type BackendCandidate } from '../../../engine/model/backend.js';
import { loadModelTrainingConfig, ModelConfigError } from '../../../engine/model/config.js';
import { trainModel } from '../../../engine/model/train.js';
import { findPackageRoot } from '../../../engine/version.js';

const USAGE = `Usage: genomaic train --config FILE [options]

Trains GenomeLTM-MoE as the config says (configs/model/*.yaml): seeded data and init, Adam,
genotype cross-entropy plus the experts' load-balancing loss, temperature calibration on
held-out tiles, and a checkpoint (weights.bin + manifest.json with config hash, data hash, code
version and metrics) plus training.log. The same config and seed give the same weights.

Options:
  --config FILE   the training config (required), e.g. configs/model/tiny.yaml
  --out DIR       checkpoint folder (default: assets/models/<modelId>)
  --backend B     pin the model backend (${BACKEND_ORDER.join(', ')})
  --json          print the manifest as JSON on stdout
  -h, --help      this text

Progress goes to stderr. Exit codes: 0 trained, 1 bad config (the message names file and key),
2 usage, 3 training failed.`;

export const trainCommand: CliCommand = {
  name: 'train',
  summary: 'train the GenomeLTM-MoE model from a config and write a checkpoint',
  usage: USAGE,
  async run(argv, io) {
    let parsed;
    try {
      parsed = parseArgs(argv, {
        config: { type: 'string' },
        out: { type: 'string' },
        backend: { type: 'string' },
        json: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      });
    } catch (err) {
      if (err instanceof UsageError) {
        io.stderr.write(`genomaic train: ${err.message}\n\n${USAGE}\n`);
        return EXIT.usage;
      }
      throw err;
    }
    if (boolFlag(parsed, 'help')) {
      io.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    const configPath = stringFlag(parsed, 'config');
    if (!configPath || parsed.positionals.length > 0) {
      io.stderr.write(`genomaic train: ${configPath ? `unexpected argument ${parsed.positionals[0]}` : '--config is required'}\n\n${USAGE}\n`);
      return EXIT.usage;
    }
    const backend = stringFlag(parsed, 'backend');
    if (backend !== undefined && !(BACKEND_ORDER as readonly string[]).includes(backend)) {
      io.stderr.write(`genomaic train: --backend must be one of ${BACKEND_ORDER.join(', ')}\n`);
      return EXIT.usage;
    }
    let config;
    try {
      config = loadModelTrainingConfig(configPath);
    } catch (err) {
      if (err instanceof ModelConfigError) {
        io.stderr.write(`genomaic train: ${err.message}\n`);
        return EXIT.badInput;
      }
      throw err;
    }
    const outDir = resolve(stringFlag(parsed, 'out') ?? join(findPackageRoot(), 'assets', 'models', config.modelId));
    const selection = await selectBackend(backend ? { prefer: backend as BackendCandidate } : {});
    for (const line of describeSelection(selection)) io.stderr.write(`${line}\n`);
    try {
      const result = await trainModel({ config, outDir, backend: selection, log: (line) => io.stderr.write(`${line}\n`) });
      if (boolFlag(parsed, 'json')) io.stdout.write(`${JSON.stringify(result.manifest, null, 2)}\n`);
      else io.stdout.write(`${outDir}\n`);
      return EXIT.ok;
    } catch (err) {
      io.stderr.write(`genomaic train: ${(err as Error).message}\n`);
      return EXIT.internal;
    }
  },
};
