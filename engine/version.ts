import { readFileSync, existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The repository (or installed package) root: the nearest folder above this module whose
 * package.json is ours. Found by walking up because the module runs both from source
 * (engine/) and from the build (dist/engine/).
 */
export function findPackageRoot(from = dirname(fileURLToPath(import.meta.url))): string {
  let dir = from;
  for (;;) {
    const candidate = join(dir, 'package.json');
    if (existsSync(candidate)) {
      const pkg = JSON.parse(readFileSync(candidate, 'utf8')) as { name?: string };
      if (pkg.name === 'genomaic') return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`package.json of genomaic not found above ${from}`);
    dir = parent;
  }
}

let cachedVersion: string | undefined;

export function appVersion(): string {
  if (cachedVersion === undefined) {
    const pkg = JSON.parse(readFileSync(join(findPackageRoot(), 'package.json'), 'utf8')) as { version: string };
    cachedVersion = pkg.version;
  }
  return cachedVersion;
}
