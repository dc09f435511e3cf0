#!/usr/bin/env node
/** After tsc: make the CLI executable (tsc does not keep the mode bit). */
import { chmodSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

const bin = join(dirname(fileURLToPath(import.meta.url)), '..', 'dist', 'app', 'cli', 'genomaic.js');
if (existsSync(bin)) chmodSync(bin, 0o755);
