import { homedir, platform } from 'node:os';
import { join } from 'node:path';

/**
 * Where a project's database and uploads live when no folder is given: GENOMAIC_HOME, else
 * the platform's per-user data folder (XDG on Linux). Electron passes app.getPath('userData').
 */
export function defaultDataDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GENOMAIC_HOME) return env.GENOMAIC_HOME;
  const home = homedir();
  switch (platform()) {
    case 'darwin':
      return join(home, 'Library', 'Application Support', 'GenomAIc');
    case 'win32':
      return join(env.APPDATA ?? join(home, 'AppData', 'Roaming'), 'GenomAIc');
    default:
      return join(env.XDG_DATA_HOME ?? join(home, '.local', 'share'), 'genomaic');
  }
}
