import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const CLI = fileURLToPath(new URL('../../../dist/app/cli/genomaic.js', import.meta.url));

export interface RunningServer {
  url: string;
  launchUrl: string;
  stderr: () => string;
  stop(): Promise<void>;
}

/** Starts `genomaic serve` from the build, as a user would, on a fresh data folder. */
export async function startServer(dataDir: string): Promise<RunningServer> {
  const child: ChildProcess = spawn(process.execPath, [CLI, 'serve', '--json', '--data-dir', dataDir], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr?.on('data', (d: Buffer) => {
    stderr += d.toString();
  });
  const lines = createInterface({ input: child.stdout! });
  const first = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`genomaic serve did not start: ${stderr}`)), 20_000);
    lines.once('line', (line) => {
      clearTimeout(timer);
      resolve(line);
    });
    child.once('exit', (code) => reject(new Error(`genomaic serve exited with ${code}: ${stderr}`)));
  });
  const { url, launchUrl } = JSON.parse(first) as { url: string; launchUrl: string };
  return {
    url,
    launchUrl,
    stderr: () => stderr,
    stop: async () => {
      if (child.exitCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      await exited;
    },
  };
}
