/**
 * Builds the kit's data from Debian packages: the reference (GRCh37 chr20 + chrM), the
 * diploid truth (a 1000 Genomes sample over the suite's span, normalised, made consistent,
 * turned into two haplotype sequences) and a structural-variant set on top of haplotype 1.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { SuiteConfig } from './config.js';
import { simulatedSpan } from './config.js';
import type { StepRunner } from './exec.js';
import { displayPath } from './exec.js';
import { haplotypeToReference, readChain } from './liftover.js';
import { dataFile } from './tools.js';
import { readLines } from '../engine/compare/text-lines.js';

export interface KitPaths {
  cacheRoot: string;
  refDir: string;
  /** chr20 + MT, plain FASTA with .fai and bwa index. */
  reference: string;
  suiteDir: string;
  truthDir: string;
  svDir: string;
  readsDir: string;
  alignDir: string;
  callsDir: string;
  evalDir: string;
  realDir: string;
}

export function kitPaths(cacheRoot: string, suite: SuiteConfig): KitPaths {
  const suiteDir = join(cacheRoot, `${suite.name}-seed${suite.seed}`);
  const refDir = join(cacheRoot, 'ref');
  const paths: KitPaths = {
    cacheRoot,
    refDir,
    reference: join(refDir, 'GRCh37-chr20-MT.fa'),
    suiteDir,
    truthDir: join(suiteDir, 'truth'),
    svDir: join(suiteDir, 'sv'),
    readsDir: join(suiteDir, 'reads'),
    alignDir: join(suiteDir, 'align'),
    callsDir: join(suiteDir, 'calls'),
    evalDir: join(suiteDir, 'eval'),
    realDir: join(cacheRoot, 'real-na12878'),
  };
  for (const dir of [refDir, paths.truthDir, paths.svDir, paths.readsDir, paths.alignDir, paths.callsDir, paths.evalDir, paths.realDir]) mkdirSync(dir, { recursive: true });
  return paths;
}

/** GRCh37 chr20 (contig "20") and the human mitochondrion (renamed "MT", as in GRCh37) in one FASTA. */
export async function prepareReference(paths: KitPaths, runner: StepRunner): Promise<void> {
  const chr20 = await dataFile('chr20', paths.cacheRoot, runner);
  const chrM = await dataFile('chrM', paths.cacheRoot, runner);
  const chr20Plain = join(paths.refDir, 'chr20.fa');
  const chrMPlain = join(paths.refDir, 'MT.fa');
  await runner.step('reference', { chr20, chrM }, [paths.reference, `${paths.reference}.fai`], async (exec) => {
    await exec([{ cmd: 'gzip', args: ['-dc', chr20] }], { stdoutFile: chr20Plain });
    await exec([{ cmd: 'gzip', args: ['-dc', chrM] }, { cmd: 'sed', args: ['-e', 's/^>.*/>MT/'] }], { stdoutFile: chrMPlain });
    await exec([{ cmd: 'cat', args: [chr20Plain, chrMPlain] }], { stdoutFile: paths.reference });
    await exec([{ cmd: 'samtools', args: ['faidx', paths.reference] }]);
    await exec([{ cmd: 'rm', args: ['-f', chr20Plain, chrMPlain] }]);
  });
}

/**
 * The bwa index: the slowest single step of a fresh run (one core, ~70 s on chr20 when the
 * machine is idle), cached across suites. Only bwa needs it, so run.ts starts it in the
 * background while reads are simulated and long reads aligned.
 */
export async function indexReferenceForBwa(paths: KitPaths, runner: StepRunner): Promise<void> {
  await runner.step('bwa-index', { reference: paths.reference }, [`${paths.reference}.bwt`, `${paths.reference}.sa`], async (exec) => {
    await exec([{ cmd: 'bwa', args: ['index', paths.reference] }]);
  });
}

export interface TruthFiles {
  /** Normalised, consistent truth over the simulated span (bgzip + tbi). */
  vcf: string;
  /** Evaluation regions (BED), all of them, and one per region. */
  evalBed: string;
  regionBeds: Record<string, string>;
  hap1: string;
  hap2: string;
  hap1Chain: string;
  /** samtools-style region string of the simulated span. */
  span: string;
  spanStart: number;
}

export interface SanitiseResult {
  records: number;
  droppedAlleles: number;
  droppedRecords: number;
}

/**
 * The panel is statistically phased, and a few neighbouring alleles land on one haplotype
 * while overlapping (a deletion and an SNV inside it). bcftools consensus then skips one of
 * them, and the reads would lack a variant the truth claims. The truth must describe exactly
 * the sequences simulated, so such alleles are set to reference on that haplotype here.
 */
export async function sanitisePhasedTruth(input: string, output: string): Promise<SanitiseResult> {
  const out: string[] = [];
  const lastEnd: [number, number] = [-1, -1];
  let lastChrom = '';
  const result: SanitiseResult = { records: 0, droppedAlleles: 0, droppedRecords: 0 };
  for await (const line of readLines(input)) {
    if (line.startsWith('##')) {
      out.push(line);
      continue;
    }
    if (line.startsWith('#')) {
      out.push('##genomaic_bench=<Description="Alleles overlapping an earlier allele on the same haplotype were set to reference (bcftools consensus would skip them)">');
      out.push(line);
      continue;
    }
    if (line === '') continue;
    const f = line.split('\t');
    if (f[0] !== lastChrom) {
      lastChrom = f[0]!;
      lastEnd[0] = lastEnd[1] = -1;
    }
    const start = Number(f[1]) - 1;
    const end = start + f[3]!.length;
    const format = f[8]!.split(':');
    const sample = f[9]!.split(':');
    const gtIndex = format.indexOf('GT');
    const gt = sample[gtIndex] ?? '';
    const alleles = gt.split('|');
    if (alleles.length !== 2) throw new Error(`${input}: truth genotype '${gt}' at ${f[0]}:${f[1]} is not phased diploid`);
    for (const h of [0, 1] as const) {
      if (alleles[h] === '0' || alleles[h] === '.') continue;
      if (start < lastEnd[h]) {
        alleles[h] = '0';
        result.droppedAlleles++;
      } else lastEnd[h] = end;
    }
    if (alleles.every((a) => a === '0')) {
      result.droppedRecords++;
      continue;
    }
    sample[gtIndex] = alleles.join('|');
    f[9] = sample.join(':');
    out.push(f.join('\t'));
    result.records++;
  }
  writeFileSync(output, `${out.join('\n')}\n`);
  return result;
}

export async function prepareTruth(paths: KitPaths, suite: SuiteConfig, runner: StepRunner): Promise<{ files: TruthFiles; sanitise: SanitiseResult }> {
  const panel = await dataFile('panel', paths.cacheRoot, runner);
  const span = simulatedSpan(suite);
  const spanRegion = `${suite.contig}:${span.start}-${span.end}`;
  const dir = paths.truthDir;
  const files: TruthFiles = {
    vcf: join(dir, 'truth.vcf.gz'),
    evalBed: join(dir, 'evaluate.bed'),
    regionBeds: {},
    hap1: join(dir, 'hap1.fa'),
    hap2: join(dir, 'hap2.fa'),
    hap1Chain: join(dir, 'hap1.chain'),
    span: spanRegion,
    spanStart: span.start,
  };
  // BED files are tiny and derived from the config: always rewritten.
  writeFileSync(files.evalBed, suite.evaluate.map((r) => `${suite.contig}\t${r.start - 1}\t${r.end}\t${r.name}\n`).join(''));
  for (const r of suite.evaluate) {
    const bed = join(dir, `${r.name}.bed`);
    writeFileSync(bed, `${suite.contig}\t${r.start - 1}\t${r.end}\t${r.name}\n`);
    files.regionBeds[r.name] = bed;
  }
  const raw = join(dir, 'truth.raw.vcf.gz');
  const sanitised = join(dir, 'truth.vcf');
  const spanFasta = join(dir, 'span.fa');
  const sanitiseJson = join(dir, 'sanitise.json');
  await runner.step('truth', { panel, reference: paths.reference, sample: suite.sample, spanRegion }, [files.vcf, files.hap1, files.hap2, files.hap1Chain, sanitiseJson], async (exec, commands) => {
    await exec([
      { cmd: 'bcftools', args: ['view', '-s', suite.sample, '-r', spanRegion, '-c', '1', '-Ou', panel] },
      { cmd: 'bcftools', args: ['norm', '-f', paths.reference, '-m', '-any', '-Oz', '-o', raw] },
    ]);
    commands.push(`# in-process: set to reference any allele overlapping an earlier one on the same haplotype (bench/data.ts sanitisePhasedTruth) → ${displayPath(sanitised)}`);
    const result = await sanitisePhasedTruth(raw, sanitised);
    writeFileSync(sanitiseJson, JSON.stringify(result));
    await exec([{ cmd: 'bgzip', args: ['-f', sanitised] }]);
    await exec([{ cmd: 'bcftools', args: ['index', '-f', '-t', files.vcf] }]);
    await exec([{ cmd: 'samtools', args: ['faidx', paths.reference, spanRegion] }], { stdoutFile: spanFasta });
    for (const h of [1, 2] as const) {
      const hap = h === 1 ? files.hap1 : files.hap2;
      const chainArgs = h === 1 ? ['-c', files.hap1Chain] : [];
      await exec(
        [
          { cmd: 'bcftools', args: ['consensus', '-H', String(h), '-s', suite.sample, ...chainArgs, '-f', spanFasta, files.vcf] },
          { cmd: 'sed', args: ['-e', `1s/.*/>hap${h}/`] },
        ],
        { stdoutFile: hap },
      );
      await exec([{ cmd: 'samtools', args: ['faidx', hap] }]);
    }
  });
  const sanitise = JSON.parse(readFileSync(sanitiseJson, 'utf8')) as SanitiseResult;
  return { files, sanitise };
}

export interface SvFiles {
  /** Haplotype 1 with small variants and SVs. */
  hap1: string;
  /** SV truth in reference coordinates, heterozygous (on haplotype 1 only). */
  truthVcf: string;
  counts: Record<string, number>;
}

/**
 * SURVIVOR simSV's parameter file format (fixed line order, "NAME: value"). Translocations and
 * the inverted-deletion/duplication composites are off: one contig, and callers disagree on
 * how to report composites.
 */
function survivorParameters(suite: SuiteConfig): string {
  const sv = suite.sv;
  return [
    'PARAMETER FILE: DO JUST MODIFY THE VALUES AND KEEP THE SPACES!',
    'DUPLICATION_minimum_length: 100',
    'DUPLICATION_maximum_length: 3000',
    `DUPLICATION_number: ${sv.duplications}`,
    'INDEL_minimum_length: 50',
    'INDEL_maximum_length: 2000',
    `INDEL_number: ${sv.deletionsAndInsertions}`,
    'TRANSLOCATION_minimum_length: 1000',
    'TRANSLOCATION_maximum_length: 3000',
    'TRANSLOCATION_number: 0',
    'INVERSION_minimum_length: 600',
    'INVERSION_maximum_length: 3000',
    `INVERSION_number: ${sv.inversions}`,
    'INV_del_minimum_length: 600',
    'INV_del_maximum_length: 800',
    'INV_del_number: 0',
    'INV_dup_minimum_length: 600',
    'INV_dup_maximum_length: 800',
    'INV_dup_number: 0',
    '',
  ].join('\n');
}

/** SURVIVOR seeds rand() from time(NULL); a frozen clock (faketime) derived from the seed makes the SV set reproducible. */
export function survivorClock(seed: number): string {
  const base = Date.UTC(2020, 0, 1, 0, 0, 0) + seed * 1000;
  return new Date(base).toISOString().replace('T', ' ').slice(0, 19);
}

export async function prepareSvs(paths: KitPaths, suite: SuiteConfig, truth: TruthFiles, runner: StepRunner): Promise<SvFiles> {
  const dir = paths.svDir;
  const params = join(dir, 'survivor-params.txt');
  const prefix = join(dir, 'hap1sv');
  const files: SvFiles = { hap1: join(dir, 'hap1sv.fa'), truthVcf: join(dir, 'sv-truth.vcf'), counts: {} };
  const clock = survivorClock(suite.seed);
  await runner.step('sv-truth', { sv: suite.sv, clock, hap1: truth.hap1, span: truth.span }, [files.hap1, files.truthVcf], async (exec, commands) => {
    writeFileSync(params, survivorParameters(suite));
    commands.push(`# parameter file ${displayPath(params)} (bench/data.ts survivorParameters)`);
    await exec([{ cmd: 'faketime', args: [clock, 'SURVIVOR', 'simSV', truth.hap1, params, '0', '0', prefix] }]);
    await exec([{ cmd: 'sed', args: ['-e', '1s/.*/>hap1sv/', `${prefix}.fasta`] }], { stdoutFile: files.hap1 });
    await exec([{ cmd: 'samtools', args: ['faidx', files.hap1] }]);
    commands.push(`# in-process: lift ${displayPath(prefix)}.vcf from haplotype-1 to reference coordinates through ${displayPath(truth.hap1Chain)} (bench/liftover.ts) → ${displayPath(files.truthVcf)}`);
    writeFileSync(files.truthVcf, await liftSurvivorVcf(`${prefix}.vcf`, truth.hap1Chain, suite.contig));
  });
  for await (const line of readLines(files.truthVcf)) {
    const type = /SVTYPE=([A-Z]+)/.exec(line)?.[1];
    if (type && !line.startsWith('#')) files.counts[type] = (files.counts[type] ?? 0) + 1;
  }
  return files;
}

async function liftSurvivorVcf(survivorVcf: string, chainPath: string, contig: string): Promise<string> {
  const chain = readChain(chainPath);
  const out = [
    '##fileformat=VCFv4.2',
    `##contig=<ID=${contig}>`,
    '##source=SURVIVOR simSV on haplotype 1, lifted to GRCh37 by the GenomAIc benchmark kit',
    '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="Type of structural variant">',
    '##INFO=<ID=END,Number=1,Type=Integer,Description="End position">',
    '##INFO=<ID=SVLEN,Number=1,Type=Integer,Description="Length (negative for deletions)">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tTRUTH',
  ];
  const records: { pos: number; line: string }[] = [];
  for await (const line of readLines(survivorVcf)) {
    if (line.startsWith('#') || line === '') continue;
    const f = line.split('\t');
    const info = f[7] ?? '';
    const type = /SVTYPE=([A-Z]+)/.exec(info)?.[1];
    const hapEnd = Number(/(?:^|;)END=(\d+)/.exec(info)?.[1]);
    const length = Math.abs(Number(/SVLEN=(-?\d+)/.exec(info)?.[1]));
    if (!type || !Number.isFinite(hapEnd) || !Number.isFinite(length)) continue;
    // SURVIVOR positions are on the haplotype sequence (1-based in its VCF).
    const pos = haplotypeToReference(chain, Number(f[1]) - 1) + 1;
    const end = type === 'INS' ? pos : haplotypeToReference(chain, hapEnd - 1) + 1;
    const svlen = type === 'DEL' ? -length : length;
    records.push({ pos, line: [contig, pos, f[2], 'N', `<${type}>`, '.', 'PASS', `SVTYPE=${type};END=${end};SVLEN=${svlen}`, 'GT', '0/1'].join('\t') });
  }
  records.sort((a, b) => a.pos - b.pos);
  return `${[...out, ...records.map((r) => r.line)].join('\n')}\n`;
}
