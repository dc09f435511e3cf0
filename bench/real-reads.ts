/**
 * Real reads with truth: freebayes's examples/tiny, 3,327 real HiSeq X 2×151 reads of NA12878
 * over a 12,356 bp stretch of chr22 (contig "q", with its reference q.fa), and the 14 GIAB
 * heterozygous SNVs there. The BAM is turned back into FASTQ, so every peer (and later the
 * product) starts from reads, as users do.
 */
import { copyFileSync, existsSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { StepRecord, StepRunner } from './exec.js';
import type { Caller } from './peers.js';
import { dataFile } from './tools.js';
import { compareVcfFiles } from '../engine/compare/compare.js';
import type { CompareReport } from '../engine/compare/types.js';
import { MIN_QUAL } from './evaluate.js';

export interface RealReadResult {
  caller: Caller;
  report: CompareReport;
  steps: StepRecord[];
}

export interface RealReadSet {
  fastq: { r1: string; r2: string; singles: string };
  reference: string;
  truth: string;
  results: RealReadResult[];
  steps: StepRecord[];
}

export async function runRealReads(dir: string, cacheRoot: string, threads: number, runner: StepRunner): Promise<RealReadSet> {
  const bam = await dataFile('tinyBam', cacheRoot, runner);
  const shippedRef = await dataFile('tinyRef', cacheRoot, runner);
  const truth = await dataFile('tinyTruth', cacheRoot, runner);
  const reference = join(dir, 'q.fa');
  const r1 = join(dir, 'R1.fq');
  const r2 = join(dir, 'R2.fq');
  const singles = join(dir, 'singles.fq');
  const aligned = join(dir, 'NA12878.tiny.bwa.bam');
  const steps: StepRecord[] = [];
  if (!existsSync(reference)) copyFileSync(shippedRef, reference);

  steps.push(
    await runner.step('real-fastq', { bam }, [r1, r2, singles], async (exec) => {
      // Mates are adjacent after collate; reads whose mate is outside the tiny BAM become singles.
      await exec([
        { cmd: 'samtools', args: ['collate', '-u', '-O', bam, join(dir, 'collate-tmp')] },
        { cmd: 'samtools', args: ['fastq', '-n', '-1', r1, '-2', r2, '-s', singles, '-0', '/dev/null', '-'] },
      ]);
    }),
  );
  steps.push(
    await runner.step('real-align', { r1, r2, singles, threads }, [aligned, `${aligned}.bai`], async (exec) => {
      await exec([{ cmd: 'samtools', args: ['faidx', reference] }]);
      await exec([{ cmd: 'bwa', args: ['index', reference] }]);
      const readGroup = '@RG\\tID:NA12878\\tSM:NA12878\\tPL:ILLUMINA';
      const pairs = join(dir, 'pairs.bam');
      const single = join(dir, 'singles.bam');
      await exec([
        { cmd: 'bwa', args: ['mem', '-t', String(threads), '-R', readGroup, reference, r1, r2] },
        { cmd: 'samtools', args: ['sort', '-o', pairs, '-'] },
      ]);
      await exec([
        { cmd: 'bwa', args: ['mem', '-t', String(threads), '-R', readGroup, reference, singles] },
        { cmd: 'samtools', args: ['sort', '-o', single, '-'] },
      ]);
      await exec([{ cmd: 'samtools', args: ['merge', '-f', '-o', aligned, pairs, single] }]);
      await exec([{ cmd: 'samtools', args: ['index', aligned] }]);
      await exec([{ cmd: 'rm', args: ['-f', pairs, single] }]);
    }),
  );

  const results: RealReadResult[] = [];
  for (const caller of ['bcftools', 'freebayes'] as const) {
    const raw = join(dir, `NA12878.tiny.bwa.${caller}.vcf`);
    const filtered = join(dir, `NA12878.tiny.bwa.${caller}.q${MIN_QUAL}.vcf`);
    const step = await runner.step(`real-call-${caller}`, { aligned, caller }, [raw, filtered], async (exec) => {
      if (caller === 'bcftools') {
        await exec([
          { cmd: 'bcftools', args: ['mpileup', '-X', 'illumina', '-f', reference, '-a', 'FORMAT/AD,FORMAT/DP', '-Ou', aligned] },
          { cmd: 'bcftools', args: ['call', '-mv', '-a', 'FORMAT/GQ', '-Ov', '-o', raw] },
        ]);
      } else {
        await exec([{ cmd: 'freebayes', args: ['-f', reference, aligned] }], { stdoutFile: raw });
      }
      await exec([{ cmd: 'bcftools', args: ['view', '-f', 'PASS,.', '-i', `QUAL>=${MIN_QUAL} && GT="alt"`, '-Ov', '-o', filtered, raw] }]);
    });
    // The GIAB truth has no confident-region BED here: the whole 12,356 bp segment is evaluated.
    const report = await compareVcfFiles({ truthPath: truth, callsPath: filtered, referencePath: reference });
    writeFileSync(join(dir, `NA12878.tiny.bwa.${caller}.compare.json`), JSON.stringify(report, null, 2));
    results.push({ caller, report, steps: [step] });
  }
  return { fastq: { r1, r2, singles }, reference, truth, results, steps };
}
