/**
 * The tools users would otherwise run, on the kit's inputs: bwa mem and minimap2 for
 * alignment, bcftools mpileup/call (with its platform presets) and freebayes for small
 * variants, sniffles and cuteSV for structural variants. Callers run over the evaluation
 * regions split into one chunk per thread, in parallel (as freebayes-parallel does), and the
 * chunks are concatenated.
 */
import { join } from 'node:path';
import type { NamedRegion, Platform } from './config.js';
import type { Command, StepRecord, StepRunner } from './exec.js';

export type Aligner = 'bwa' | 'minimap2';
export type Caller = 'bcftools' | 'freebayes';

export interface Alignment {
  platform: Platform;
  aligner: Aligner;
  set: 'small' | 'sv';
  bam: string;
  step: StepRecord;
}

const READ_GROUP_PLATFORM: Record<Platform, string> = { illumina: 'ILLUMINA', hifi: 'PACBIO', ont: 'ONT' };
const MINIMAP2_PRESET: Record<Platform, string> = { illumina: 'sr', hifi: 'map-hifi', ont: 'map-ont' };
/** bcftools mpileup -X profiles (bcftools 1.16): see `bcftools mpileup` "Configuration profiles". */
export const BCFTOOLS_PRESET: Record<Platform, string> = { illumina: 'illumina', hifi: 'pacbio-ccs', ont: 'ont' };

export async function align(
  platform: Platform,
  aligner: Aligner,
  set: 'small' | 'sv',
  fastq: string[],
  reference: string,
  sample: string,
  outDir: string,
  threads: number,
  runner: StepRunner,
): Promise<Alignment> {
  const bam = join(outDir, `${platform}-${set}.${aligner}.bam`);
  const readGroup = `@RG\\tID:${platform}\\tSM:${sample}\\tPL:${READ_GROUP_PLATFORM[platform]}`;
  const mapper: Command =
    aligner === 'bwa'
      ? { cmd: 'bwa', args: ['mem', '-t', String(threads), '-R', readGroup, reference, ...fastq] }
      : { cmd: 'minimap2', args: ['-t', String(threads), '-ax', MINIMAP2_PRESET[platform], '-R', readGroup, reference, ...fastq] };
  const step = await runner.step(`align-${platform}-${set}-${aligner}`, { fastq, reference, aligner, threads }, [bam, `${bam}.bai`], async (exec) => {
    await exec([mapper, { cmd: 'samtools', args: ['sort', '-@', '1', '-m', '1G', '-o', bam, '-'] }]);
    await exec([{ cmd: 'samtools', args: ['index', bam] }]);
  });
  return { platform, aligner, set, bam, step };
}

/**
 * Per-base depth over the evaluation regions, for recall by depth: a missed variant has no
 * call to report its depth. samtools depth rather than mosdepth: Debian's mosdepth 0.3.3
 * dlopens libhts.so, which only libhts-dev provides, so it fails on a plain install.
 */
export async function perBaseDepth(alignment: Alignment, evalBed: string, runner: StepRunner): Promise<string> {
  const output = alignment.bam.replace(/\.bam$/, '.depth.tsv.gz');
  await runner.step(`depth-${alignment.platform}-${alignment.aligner}`, { bam: alignment.bam, evalBed }, [output], async (exec) => {
    await exec([
      { cmd: 'samtools', args: ['depth', '-a', '-b', evalBed, alignment.bam] },
      { cmd: 'gzip', args: ['-1'] },
    ], { stdoutFile: output });
  });
  return output;
}

interface Chunk {
  contig: string;
  /** 1-based inclusive. */
  start: number;
  end: number;
}

export function chunkRegions(contig: string, regions: NamedRegion[], chunks: number): Chunk[] {
  const out: Chunk[] = [];
  for (const r of regions) {
    const size = Math.ceil((r.end - r.start + 1) / chunks);
    for (let s = r.start; s <= r.end; s += size) out.push({ contig, start: s, end: Math.min(r.end, s + size - 1) });
  }
  return out;
}

export interface CallSet {
  platform: Platform;
  aligner: Aligner;
  caller: Caller;
  /** All calls (bgzip + tbi). */
  vcf: string;
  step: StepRecord;
}

export async function callSmallVariants(
  alignment: Alignment,
  caller: Caller,
  reference: string,
  contig: string,
  regions: NamedRegion[],
  outDir: string,
  threads: number,
  runner: StepRunner,
): Promise<CallSet> {
  const name = `${alignment.platform}.${alignment.aligner}.${caller}`;
  const vcf = join(outDir, `${name}.vcf.gz`);
  const chunks = chunkRegions(contig, regions, threads);
  const step = await runner.step(`call-${name}`, { bam: alignment.bam, caller, chunks, preset: BCFTOOLS_PRESET[alignment.platform] }, [vcf, `${vcf}.tbi`], async (exec) => {
    const parts = chunks.map((_, i) => join(outDir, `${name}.part${i}.vcf.gz`));
    await Promise.all(
      chunks.map(async (chunk, i) => {
        const part = parts[i]!;
        if (caller === 'bcftools') {
          await exec([
            { cmd: 'bcftools', args: ['mpileup', '-X', BCFTOOLS_PRESET[alignment.platform], '-f', reference, '-r', `${chunk.contig}:${chunk.start}-${chunk.end}`, '-a', 'FORMAT/AD,FORMAT/DP', '-Ou', alignment.bam] },
            { cmd: 'bcftools', args: ['call', '-mv', '-a', 'FORMAT/GQ', '-Oz', '-o', part] },
          ]);
        } else {
          // freebayes regions are 0-based, end-exclusive.
          const plain = part.replace(/\.gz$/, '');
          await exec([{ cmd: 'freebayes', args: ['-f', reference, '-r', `${chunk.contig}:${chunk.start - 1}-${chunk.end}`, alignment.bam] }], { stdoutFile: plain });
          await exec([{ cmd: 'bgzip', args: ['-f', plain] }]);
        }
      }),
    );
    await exec([{ cmd: 'bcftools', args: ['concat', '-Oz', '-o', vcf, ...parts] }]);
    await exec([{ cmd: 'bcftools', args: ['index', '-f', '-t', vcf] }]);
    await exec([{ cmd: 'rm', args: ['-f', ...parts] }]);
  });
  return { platform: alignment.platform, aligner: alignment.aligner, caller, vcf, step };
}

export type SvCaller = 'sniffles' | 'cuteSV';

export interface SvCallSet {
  platform: Platform;
  caller: SvCaller;
  vcf: string;
  step: StepRecord;
}

/** cuteSV's documented settings per platform (its README), with support lowered to suit 15× per haplotype. */
const CUTESV_PLATFORM_ARGS: Record<'hifi' | 'ont', string[]> = {
  hifi: ['--max_cluster_bias_INS', '1000', '--diff_ratio_merging_INS', '0.9', '--max_cluster_bias_DEL', '1000', '--diff_ratio_merging_DEL', '0.5'],
  ont: ['--max_cluster_bias_INS', '100', '--diff_ratio_merging_INS', '0.3', '--max_cluster_bias_DEL', '100', '--diff_ratio_merging_DEL', '0.3'],
};

export async function callStructuralVariants(alignment: Alignment, caller: SvCaller, reference: string, sample: string, outDir: string, threads: number, runner: StepRunner): Promise<SvCallSet> {
  const platform = alignment.platform;
  if (platform === 'illumina') throw new Error('SV callers here are long-read callers');
  const vcf = join(outDir, `${platform}-sv.${caller}.vcf`);
  const step = await runner.step(`sv-${platform}-${caller}`, { bam: alignment.bam, caller }, [vcf], async (exec) => {
    if (caller === 'sniffles') {
      await exec([{ cmd: 'sniffles', args: ['--input', alignment.bam, '--vcf', vcf, '--reference', reference, '--threads', String(threads), '--sample-id', sample, '--allow-overwrite'] }]);
    } else {
      const work = join(outDir, `cutesv-${platform}`);
      await exec([{ cmd: 'mkdir', args: ['-p', work] }]);
      await exec([
        {
          cmd: 'cuteSV',
          args: [alignment.bam, reference, vcf, work, '--threads', String(threads), '--sample', sample, '--genotype', '--min_support', '5', ...CUTESV_PLATFORM_ARGS[platform]],
        },
      ]);
    }
  });
  return { platform, caller, vcf, step };
}
