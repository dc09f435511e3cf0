#!/usr/bin/env node
/**
 * `npm run setup`: the one set-up command, on a workstation with internet and on a machine
 * that reaches only the package registries alike.
 *  1. npm ci, with Electron's binary download deferred (its host may be unreachable);
 *  2. Electron's binary, fetched now if its host answers; its absence is reported, not fatal
 *     (`npm start` then runs browser mode);
 *  3. where Electron is present, better-sqlite3 rebuilt for Electron's ABI into build/ (Node's
 *     build stays in node_modules for the CLI and tests);
 *  4. the build (TypeScript and the renderer).
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, rmSync, writeFileSync, readFileSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const report = [];

function step(title, fn) {
  process.stdout.write(`\n== ${title}\n`);
  const t0 = Date.now();
  const outcome = fn();
  report.push(`${title}: ${outcome} (${((Date.now() - t0) / 1000).toFixed(0)} s)`);
}

function run(cmd, args, options = {}) {
  const r = spawnSync(cmd, args, { cwd: root, stdio: 'inherit', ...options });
  return r.status === 0 && !r.error;
}

const [major, minor] = process.versions.node.split('.').map(Number);
if (major < 20 || (major === 20 && minor < 19)) {
  console.error(`GenomAIc needs Node.js 20.19 or newer; this is ${process.version}.`);
  process.exit(1);
}

step('Install packages (npm ci)', () => {
  const env = { ...process.env, ELECTRON_SKIP_BINARY_DOWNLOAD: '1' };
  const args = existsSync(join(root, 'package-lock.json')) ? ['ci', '--no-audit', '--no-fund'] : ['install', '--no-audit', '--no-fund'];
  if (!run(npm, args, { env })) {
    console.error('npm could not install the packages; see the messages above.');
    process.exit(1);
  }
  return 'ok';
});

function electronBinary() {
  try {
    const require = createRequire(join(root, 'package.json'));
    const path = require('electron');
    return typeof path === 'string' && existsSync(path) ? path : null;
  } catch {
    return null;
  }
}

step("Electron's binary", () => {
  if (electronBinary()) return 'present';
  if (process.env.GENOMAIC_SKIP_ELECTRON) return 'skipped (GENOMAIC_SKIP_ELECTRON set)';
  const installer = join(root, 'node_modules', 'electron', 'install.js');
  const r = spawnSync(process.execPath, [installer], { cwd: root, stdio: ['ignore', 'ignore', 'pipe'], timeout: 300_000 });
  if (electronBinary()) return 'downloaded';
  const why = (r.stderr?.toString() ?? '').split('\n').find((l) => /error/i.test(l))?.trim() ?? 'no reply';
  console.log(`Electron's binary could not be downloaded (${why}).`);
  console.log('Everything else works: `npm start` runs browser mode instead of the desktop window.');
  return 'absent: desktop window unavailable, browser mode will be used';
});

step('better-sqlite3 for Electron', () => {
  const binary = electronBinary();
  if (!binary) return 'not needed (no Electron binary)';
  const electronVersion = JSON.parse(readFileSync(join(root, 'node_modules', 'electron', 'package.json'), 'utf8')).version;
  const buildPath = join(root, 'build', 'electron-native');
  rmSync(buildPath, { recursive: true, force: true });
  mkdirSync(join(buildPath, 'node_modules'), { recursive: true });
  cpSync(join(root, 'node_modules', 'better-sqlite3'), join(buildPath, 'node_modules', 'better-sqlite3'), { recursive: true });
  writeFileSync(join(buildPath, 'package.json'), JSON.stringify({ name: 'electron-native', private: true, dependencies: { 'better-sqlite3': '*' } }));
  const script = `import('@electron/rebuild').then(({ rebuild }) => rebuild({ buildPath: ${JSON.stringify(buildPath)}, electronVersion: ${JSON.stringify(electronVersion)}, force: true, onlyModules: ['better-sqlite3'] }))`;
  const ok = run(process.execPath, ['-e', script]);
  return ok ? `built for Electron ${electronVersion}` : 'FAILED: the desktop app cannot open its database; browser mode and the CLI are unaffected';
});

step('TensorFlow.js native backends', () => {
  // Optional dependencies: npm drops them when libtensorflow can't be downloaded.
  const present = ['@tensorflow/tfjs-node-gpu', '@tensorflow/tfjs-node'].filter((name) =>
    existsSync(join(root, 'node_modules', ...name.split('/'), 'package.json')),
  );
  if (present.length > 0) return `present: ${present.join(', ')}`;
  return 'absent (libtensorflow could not be downloaded): the model runs on @tensorflow/tfjs-backend-wasm, then cpu; `genomaic doctor` says which';
});

step('Build (TypeScript + renderer)', () => {
  if (!run(npm, ['run', 'build'])) {
    console.error('The build failed; see the messages above.');
    process.exit(1);
  }
  return 'ok';
});

console.log('\nSet-up done:');
for (const line of report) console.log(`  - ${line}`);
console.log('\nNext: `npm test` runs every check; `npm start` opens the app; `npx genomaic --help` lists the commands.');
