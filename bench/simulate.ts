/**
 * Reads from third-party simulators with real platform error profiles, half the depth from
 * each haplotype: ART (Illumina HiSeq 2500 profile, 2×150), pbsim with its CLR quality model
 * at ≥ 0.99 accuracy (HiFi-like), and pbsim with a sample profile learned from real ONT R9
 * reads (python3-nanoget-examples). Seeds derive from the suite seed, so a run is repeatable.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Platform, SuiteConfig } from './config.js';
import type { StepRunner } from './exec.js';
import { dataFile } from './tools.js';

export interface ReadSet {
  platform: Platform;
  /** 'small' = haplotypes with small variants; 'sv' = haplotype 1 also carries the SV set. */
  set: 'small' | 'sv';
  /** FASTQ files: R1, R2 for Illumina; one file for long reads. */
  fastq: string[];
  /** Simulator summary lines (pbsim's read accuracy, ART's profile). */
  simulator: string;
  meanAccuracy: number | null;
}

function seedFor(suite: SuiteConfig, platform: Platform, set: 'small' | 'sv', haplotype: 1 | 2): number {
  const platformIndex = { illumina: 1, hifi: 2, ont: 3 }[platform];
  return suite.seed * 1000 + platformIndex * 100 + (set === 'sv' ? 10 : 0) + haplotype;
}

/** pbsim prints "read accuracy mean (SD) : 0.99 (0.001)" per run; the mean over both haplotypes is reported. */
function parsePbsimAccuracy(log: string): number | null {
  const values = [...log.matchAll(/read accuracy mean \(SD\) : ([0-9.]+)/g)].map((m) => Number(m[1]));
  return values.length === 0 ? null : values.reduce((a, b) => a + b, 0) / values.length;
}

export async function simulateReads(
  platform: Platform,
  set: 'small' | 'sv',
  haplotypes: [string, string],
  suite: SuiteConfig,
  readsRoot: string,
  cacheRoot: string,
  runner: StepRunner,
): Promise<ReadSet> {
  const dir = join(readsRoot, `${platform}-${set}`);
  mkdirSync(dir, { recursive: true });
  const perHaplotype = suite.coverage / 2;
  const summary = join(dir, 'simulation.json');
  const fastq = platform === 'illumina' ? [join(dir, 'R1.fq'), join(dir, 'R2.fq')] : [join(dir, 'reads.fq')];
  const seeds: [number, number] = [seedFor(suite, platform, set, 1), seedFor(suite, platform, set, 2)];
  const ontSample = platform === 'ont' ? await dataFile('ontSample', cacheRoot, runner) : null;
  const pbsimModel = platform === 'hifi' ? await dataFile('pbsimModel', cacheRoot, runner) : null;

  await runner.step(`simulate-${platform}-${set}`, { haplotypes, perHaplotype, seeds, platform }, [...fastq, summary], async (exec) => {
    const logText: string[] = [];
    if (platform === 'illumina') {
      for (const h of [1, 2] as const) {
        const [haplotype, seed] = h === 1 ? [haplotypes[0], seeds[0]] : [haplotypes[1], seeds[1]];
        await exec([
          {
            cmd: 'art_illumina',
            args: ['-ss', 'HS25', '-i', haplotype, '-p', '-l', '150', '-f', String(perHaplotype), '-m', '400', '-s', '50', '-rs', String(seed), '-na', '-o', join(dir, `h${h}_`)],
          },
        ]);
      }
      await exec([{ cmd: 'cat', args: [join(dir, 'h1_1.fq'), join(dir, 'h2_1.fq')] }], { stdoutFile: fastq[0]! });
      await exec([{ cmd: 'cat', args: [join(dir, 'h1_2.fq'), join(dir, 'h2_2.fq')] }], { stdoutFile: fastq[1]! });
      await exec([{ cmd: 'rm', args: ['-f', join(dir, 'h1_1.fq'), join(dir, 'h1_2.fq'), join(dir, 'h2_1.fq'), join(dir, 'h2_2.fq')] }]);
      writeFileSync(summary, JSON.stringify({ simulator: 'ART art_illumina, HS25 profile, 2×150, fragment 400 ± 50', meanAccuracy: null }));
      return;
    }
    let sampleFastq: string | null = null;
    if (ontSample) {
      // pbsim learns the ONT profile from uncompressed FASTQ.
      sampleFastq = join(dir, 'ont-sample.fastq');
      await exec([{ cmd: 'gzip', args: ['-dc', ontSample] }], { stdoutFile: sampleFastq });
    }
    for (const h of [1, 2] as const) {
      const [haplotype, seed] = h === 1 ? [haplotypes[0], seeds[0]] : [haplotypes[1], seeds[1]];
      const common = ['--depth', String(perHaplotype), '--seed', String(seed), '--prefix', `h${h}`];
      let args: string[];
      if (platform === 'hifi') {
        args = ['--data-type', 'CLR', '--model_qc', pbsimModel!, '--length-mean', '15000', '--accuracy-mean', '0.995', '--accuracy-min', '0.99', '--difference-ratio', '6:21:73', ...common];
      } else {
        // The first run learns the profile (pbsim refuses to overwrite it); the second reuses it.
        const profileExists = existsSync(join(dir, 'sample_profile_ontR9.fastq'));
        const sampleArgs = profileExists ? ['--sample-profile-id', 'ontR9'] : ['--sample-fastq', sampleFastq!, '--sample-profile-id', 'ontR9'];
        args = ['--data-type', 'CLR', ...sampleArgs, '--difference-ratio', '23:31:46', ...common];
      }
      await exec([{ cmd: 'pbsim', args: [...args, haplotype] }], { cwd: dir });
      // pbsim names reads S1_1, S1_2, … on each run: prefix the haplotype to keep names unique.
      await exec([{ cmd: 'seqkit', args: ['replace', '-p', '^', '-r', `h${h}_`, join(dir, `h${h}_0001.fastq`), '-o', join(dir, `h${h}.fq`)] }]);
      await exec([{ cmd: 'rm', args: ['-f', join(dir, `h${h}_0001.fastq`), join(dir, `h${h}_0001.maf`), join(dir, `h${h}_0001.ref`)] }]);
    }
    await exec([{ cmd: 'cat', args: [join(dir, 'h1.fq'), join(dir, 'h2.fq')] }], { stdoutFile: fastq[0]! });
    await exec([{ cmd: 'rm', args: ['-f', join(dir, 'h1.fq'), join(dir, 'h2.fq'), ...(sampleFastq ? [sampleFastq] : [])] }]);
    const logFile = runner.logFileFor(`simulate-${platform}-${set}`);
    if (existsSync(logFile)) logText.push(readFileSync(logFile, 'utf8'));
    const simulator =
      platform === 'hifi'
        ? 'pbsim 1.0.3, CLR quality model, accuracy mean 0.995 / min 0.99, mean length 15 kb, sub:ins:del 6:21:73'
        : 'pbsim 1.0.3, sample profile from 371 real ONT R9 reads (nanoget examples), sub:ins:del 23:31:46';
    writeFileSync(summary, JSON.stringify({ simulator, meanAccuracy: parsePbsimAccuracy(logText.join('\n')) }));
  });
  const info = JSON.parse(readFileSync(summary, 'utf8')) as { simulator: string; meanAccuracy: number | null };
  return { platform, set, fastq, simulator: info.simulator, meanAccuracy: info.meanAccuracy };
}
