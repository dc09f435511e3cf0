import { spawnSync } from 'node:child_process';
import { accessSync, constants, existsSync, readdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { dirname, join } from 'node:path';
import * as tf from '@tensorflow/tfjs';
import type { CliCommand } from '../command.js';
import { EXIT } from '../command.js';
import { boolFlag, parseArgs, stringFlag, UsageError } from '../args.js';
import { BACKEND_ORDER, describeSelection, selectBackend, type BackendCandidate, type BackendSelection } from '../../../engine/model/backend.js';
import { MANIFEST_FILE, validateManifest } from '../../../engine/model/checkpoint.js';
import { inferenceScan, type ScanImplementation } from '../../../engine/model/ssm.js';
import { defaultDataDir } from '../../../engine/data-dir.js';
import { appVersion, findPackageRoot } from '../../../engine/version.js';
import { defaultInferenceWorkers } from '../../../engine/call/learned.js';

const USAGE = `Usage: genomaic doctor [options]

Reports what this installation can use: the TensorFlow.js backend the model runs on (and why
the faster ones are not in use), Node and Electron, the external tools the tests compare
against, the data folder, and the shipped model weights.

Options:
  --backend B   pin the model backend (${BACKEND_ORDER.join(', ')}); also GENOMAIC_TF_BACKEND
  --json        print the report as JSON on stdout
  -h, --help    this text

Exit codes: 0 report printed, 2 usage.`;

export interface ToolFact {
  name: string;
  onPath: boolean;
  version: string | null;
}

export interface ModelFact {
  directory: string;
  modelId: string | null;
  /** 'ok' or the reason the manifest is refused. */
  status: string;
}

export interface DoctorReport {
  genomaic: string;
  node: string;
  platform: string;
  cpus: number;
  memoryGiB: number;
  electron: { packageVersion: string | null; binaryPresent: boolean; note: string };
  modelBackend: BackendSelection & { tfjsVersion: string; inferenceScan: ScanImplementation; inferenceWorkers: number };
  tools: ToolFact[];
  dataDir: { path: string; exists: boolean; writable: boolean };
  shippedModels: ModelFact[];
}

function toolFact(name: string): ToolFact {
  // samtools prints its version on `--version`; bcftools too. A missing binary is ENOENT.
  const result = spawnSync(name, ['--version'], { encoding: 'utf8', timeout: 10_000 });
  if (result.error) return { name, onPath: false, version: null };
  const line = `${result.stdout ?? ''}${result.stderr ?? ''}`.split('\n').find((l) => l.trim().length > 0)?.trim() ?? null;
  return { name, onPath: true, version: line };
}

function electronFact(): DoctorReport['electron'] {
  const require = createRequire(import.meta.url);
  let packageJson: string;
  try {
    packageJson = require.resolve('electron/package.json');
  } catch {
    return { packageVersion: null, binaryPresent: false, note: 'electron is not installed (browser mode: genomaic serve)' };
  }
  const version = (JSON.parse(readFileSync(packageJson, 'utf8')) as { version?: string }).version ?? null;
  // The npm package downloads its binary at install time and records its name in path.txt.
  const pathFile = join(dirname(packageJson), 'path.txt');
  const binary = existsSync(pathFile) ? join(dirname(packageJson), 'dist', readFileSync(pathFile, 'utf8').trim()) : null;
  const present = binary !== null && existsSync(binary);
  return {
    packageVersion: version,
    binaryPresent: present,
    note: present ? `binary at ${binary}` : 'the Electron binary was not downloaded (desktop app unavailable here; use genomaic serve)',
  };
}

function dataDirFact(): DoctorReport['dataDir'] {
  const path = defaultDataDir();
  const exists = existsSync(path);
  // A folder that does not exist yet is writable if its nearest existing ancestor is.
  let probe = path;
  while (!existsSync(probe) && dirname(probe) !== probe) probe = dirname(probe);
  let writable = false;
  try {
    accessSync(probe, constants.W_OK);
    writable = true;
  } catch {
    writable = false;
  }
  return { path, exists, writable };
}

function shippedModels(): ModelFact[] {
  const root = join(findPackageRoot(), 'assets', 'models');
  if (!existsSync(root)) return [];
  const facts: ModelFact[] = [];
  for (const entry of readdirSync(root, { withFileTypes: true })) {
    if (!entry.isDirectory()) continue;
    const directory = join(root, entry.name);
    const manifestPath = join(directory, MANIFEST_FILE);
    try {
      const manifest = validateManifest(JSON.parse(readFileSync(manifestPath, 'utf8')), manifestPath);
      facts.push({ directory, modelId: manifest.modelId, status: 'ok' });
    } catch (err) {
      facts.push({ directory, modelId: null, status: (err as Error).message });
    }
  }
  return facts;
}

export async function doctorReport(prefer?: BackendCandidate): Promise<DoctorReport> {
  const selection = await selectBackend(prefer ? { prefer } : {});
  return {
    genomaic: appVersion(),
    node: process.versions.node,
    platform: `${process.platform}-${process.arch}`,
    cpus: cpus().length,
    memoryGiB: Math.round((totalmem() / 2 ** 30) * 10) / 10,
    electron: electronFact(),
    // What `genomaic call` uses: the forward pass in a worker thread (its own backend) beside the statistical pass.
    modelBackend: { ...selection, tfjsVersion: tf.version.tfjs, inferenceScan: inferenceScan(), inferenceWorkers: defaultInferenceWorkers() },
    tools: ['samtools', 'bcftools'].map(toolFact),
    dataDir: dataDirFact(),
    shippedModels: shippedModels(),
  };
}

function formatReport(r: DoctorReport): string {
  const lines = [
    `GenomAIc ${r.genomaic} on Node ${r.node} (${r.platform}, ${r.cpus} CPUs, ${r.memoryGiB} GiB)`,
    '',
    `Model runtime (TensorFlow.js ${r.modelBackend.tfjsVersion}):`,
    ...describeSelection(r.modelBackend).map((l) => `  ${l}`),
    `  inference: ${r.modelBackend.inferenceWorkers > 0 ? `${r.modelBackend.inferenceWorkers} worker thread(s), one backend each, beside the statistical pass` : 'in the calling thread (one CPU)'}; ${r.modelBackend.inferenceScan} scan`,
    '',
    `Electron: ${r.electron.packageVersion ? `package ${r.electron.packageVersion}` : 'not installed'}; ${r.electron.note}`,
    'Tools (used by tests and benchmarks as peers):',
    ...r.tools.map((t) => `  ${t.name}: ${t.onPath ? (t.version ?? 'on PATH') : 'not on PATH'}`),
    `Data folder: ${r.dataDir.path} (${r.dataDir.exists ? 'exists' : 'will be created'}, ${r.dataDir.writable ? 'writable' : 'NOT writable'})`,
    `Shipped models: ${r.shippedModels.length === 0 ? 'none in assets/models (the statistical genotyper is used)' : ''}`,
    ...r.shippedModels.map((m) => `  ${m.modelId ?? '?'} (${m.directory}): ${m.status}`),
  ];
  return lines.join('\n');
}

export const doctorCommand: CliCommand = {
  name: 'doctor',
  summary: 'report the model backend in use and why, tools, Electron, data folder',
  usage: USAGE,
  async run(argv, io) {
    let parsed;
    try {
      parsed = parseArgs(argv, { backend: { type: 'string' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } });
    } catch (err) {
      if (err instanceof UsageError) {
        io.stderr.write(`genomaic doctor: ${err.message}\n\n${USAGE}\n`);
        return EXIT.usage;
      }
      throw err;
    }
    if (boolFlag(parsed, 'help')) {
      io.stdout.write(`${USAGE}\n`);
      return EXIT.ok;
    }
    const backend = stringFlag(parsed, 'backend');
    if (backend !== undefined && !(BACKEND_ORDER as readonly string[]).includes(backend)) {
      io.stderr.write(`genomaic doctor: --backend must be one of ${BACKEND_ORDER.join(', ')}\n`);
      return EXIT.usage;
    }
    const report = await doctorReport(backend as BackendCandidate | undefined);
    io.stdout.write(boolFlag(parsed, 'json') ? `${JSON.stringify(report, null, 2)}\n` : `${formatReport(report)}\n`);
    return EXIT.ok;
  },
};
