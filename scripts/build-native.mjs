/**
 * Builds the native alignment kernel (native/ → native/build/Release/genomaic_align.node) with
 * node-gyp, the one npm ships. Offline machines need the Node headers from a local
 * directory: `--nodedir` comes from npm's config (npm_config_nodedir when run through
 * `npm run`) or the NODEDIR environment variable. Fails loudly when no C compiler is found.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const nativeDir = join(root, 'native');
const output = join(nativeDir, 'build', 'Release', 'genomaic_align.node');

function fail(message) {
  process.stderr.write(`build:native: ${message}\n`);
  process.exit(1);
}

/** node-gyp's entry: bundled with npm (next to this node), or resolvable from the project. */
function findNodeGyp() {
  const candidates = [
    join(dirname(process.execPath), '..', 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'),
    '/usr/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
    '/usr/local/lib/node_modules/npm/node_modules/node-gyp/bin/node-gyp.js',
  ];
  if (process.env.npm_execpath) candidates.unshift(join(dirname(process.env.npm_execpath), '..', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js'));
  try {
    candidates.unshift(createRequire(import.meta.url).resolve('node-gyp/bin/node-gyp.js'));
  } catch {
    // not a project dependency: use npm's copy
  }
  return candidates.find((path) => existsSync(path));
}

function compilerAvailable() {
  const compiler = process.platform === 'win32' ? undefined : (process.env.CC ?? 'cc');
  if (!compiler) return true; // node-gyp finds MSVC itself and reports its absence
  return spawnSync(compiler, ['--version'], { stdio: 'ignore' }).status === 0;
}

if (!compilerAvailable()) {
  fail(
    `no C compiler found (tried '${process.env.CC ?? 'cc'}'). The aligner's kernel is C and is built at install.\n` +
      '  Debian/Ubuntu: apt-get install build-essential python3\n  Fedora: dnf install gcc make python3\n  macOS: xcode-select --install',
  );
}
const nodeGyp = findNodeGyp();
if (!nodeGyp) fail('node-gyp was not found (it ships with npm); install npm or add node-gyp to the project.');

const nodedir = process.env.npm_config_nodedir ?? process.env.NODEDIR;
const args = [nodeGyp, 'rebuild', '-C', nativeDir, ...(nodedir ? [`--nodedir=${nodedir}`] : [])];
process.stderr.write(`build:native: node ${args.map((a) => (a.includes(' ') ? JSON.stringify(a) : a)).join(' ')}\n`);
const result = spawnSync(process.execPath, args, { stdio: 'inherit', cwd: root });
if (result.status !== 0) fail(`node-gyp failed (exit ${result.status ?? result.signal}); the compiler output is above.`);
if (!existsSync(output)) fail(`node-gyp succeeded but ${output} is missing.`);
process.stderr.write(`build:native: built ${output}\n`);
