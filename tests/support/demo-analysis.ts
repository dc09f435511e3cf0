/**
 * The bundled demo (real NA12878 reads on a 12 kb chr22 segment, assets/demo) analysed with
 * `genomaic analyze` into a folder, for the review tests (unit and e2e). Until the engine's
 * `analyze.start` job exists, tests produce a run's outputs this way and import them with
 * `analysis.import`, which is what a user does with a folder from the CLI.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Writable } from 'node:stream';
import { analyzeCommand } from '../../app/cli/commands/analyze.js';

export const DEMO_DIR = fileURLToPath(new URL('../../assets/demo/', import.meta.url));
export const DEMO_REFERENCE = join(DEMO_DIR, 'q.fa');
export const DEMO_READS = join(DEMO_DIR, 'NA12878.chr22.tiny.fq.gz');
export const DEMO_SAMPLE = 'NA12878';

/** Runs the analysis into `outDir` (skipped when its VCF is already there), with any extra flags of `genomaic analyze`; returns the folder. */
export async function analyzeDemo(outDir: string, extraArgs: readonly string[] = []): Promise<string> {
  if (existsSync(join(outDir, `${DEMO_SAMPLE}.vcf.gz`))) return outDir;
  let stderr = '';
  const sink = (append: (s: string) => void): Writable =>
    new Writable({
      write(chunk: Buffer, _encoding, done) {
        append(chunk.toString());
        done();
      },
    });
  const code = await analyzeCommand.run(
    ['--ref', DEMO_REFERENCE, DEMO_READS, '-o', outDir, '--platform', 'illumina', '--sample', DEMO_SAMPLE, ...extraArgs],
    { stdout: sink(() => undefined), stderr: sink((s) => (stderr += s)), stderrIsTty: false },
  );
  if (code !== 0) throw new Error(`genomaic analyze failed (exit ${code}): ${stderr}`);
  return outDir;
}
