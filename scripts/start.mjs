#!/usr/bin/env node
/**
 * `npm start`: the desktop window where Electron's binary exists; otherwise it says so and
 * starts browser mode on 127.0.0.1, printing the URL to open.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { createRequire } from 'node:module';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
if (!existsSync(join(root, 'dist', 'app', 'cli', 'genomaic.js')) || !existsSync(join(root, 'dist', 'renderer', 'index.html'))) {
  console.error('GenomAIc is not built yet: run `npm run setup` (or `npm run build`).');
  process.exit(1);
}

let electron = null;
try {
  const candidate = createRequire(join(root, 'package.json'))('electron');
  if (typeof candidate === 'string' && existsSync(candidate)) electron = candidate;
} catch {
  electron = null;
}

const passthrough = process.argv.slice(2);
const child = electron
  ? spawn(electron, [root, ...passthrough], { stdio: 'inherit' })
  : (console.log("Electron's binary is not installed on this machine, so the desktop window can't open.\nStarting browser mode instead (the same app, served on 127.0.0.1 only)."),
    spawn(process.execPath, [join(root, 'dist', 'app', 'cli', 'genomaic.js'), 'serve', ...passthrough], { stdio: 'inherit' }));
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => child.kill(signal));
child.on('exit', (code) => process.exit(code ?? 0));
