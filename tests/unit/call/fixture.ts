/**
 * A tiny, fully known calling fixture built at test time (no binaries committed): a 6 kb
 * random reference with a homopolymer and a tandem repeat, a diploid sample with known
 * SNVs and indels, Illumina-like single-end reads with 0.3 % substitution errors simulated
 * from both haplotypes over the first 5 kb only (the last kb has zero coverage), aligned
 * with minimap2 and sorted/indexed with samtools, as a user's own BAM would be.
 */
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { callCommand } from '../../../app/cli/commands/call.js';
import type { CliIo } from '../../../app/cli/command.js';
import { seededRandom } from '../../../engine/util/seeded-random.js';

export interface TruthVariant {
  /** 1-based, VCF style. */
  pos: number;
  ref: string;
  alt: string;
  genotype: '0/1' | '1/1';
}

export interface CallFixture {
  dir: string;
  reference: string;
  bam: string;
  truth: TruthVariant[];
  truthVcf: string;
  contig: string;
  contigLength: number;
  coveredLength: number;
}

function randomSequence(length: number, random: () => number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += 'ACGT'[Math.floor(random() * 4)];
  return s;
}

export function fixtureReference(): string {
  const random = seededRandom(7);
  let seq = randomSequence(6000, random).split('');
  // A homopolymer and a dinucleotide repeat, where indels slide.
  const put = (at: number, text: string): void => {
    for (let i = 0; i < text.length; i++) seq[at + i] = text[i]!;
  };
  put(2000, 'GAAAAAAAAC');
  put(3000, 'TCACACACACACAG');
  seq = seq.map((c) => c);
  return seq.join('');
}

/** Applies VCF-style variants (1-based) to the reference. */
function applyVariants(reference: string, variants: TruthVariant[]): string {
  let out = '';
  let cursor = 0;
  for (const v of [...variants].sort((a, b) => a.pos - b.pos)) {
    const start = v.pos - 1;
    out += reference.slice(cursor, start) + v.alt;
    cursor = start + v.ref.length;
  }
  return out + reference.slice(cursor);
}

function reverseComplement(s: string): string {
  const map: Record<string, string> = { A: 'T', C: 'G', G: 'C', T: 'A', N: 'N' };
  return s.split('').reverse().map((c) => map[c] ?? 'N').join('');
}

export function buildCallFixture(dir: string, contig = 'chrT'): CallFixture {
  const reference = fixtureReference();
  const refPath = join(dir, 'ref.fa');
  writeFileSync(refPath, `>${contig}\n${reference.match(/.{1,60}/g)!.join('\n')}\n`);
  execFileSync('samtools', ['faidx', refPath]);
  const at = (pos: number): string => reference[pos - 1]!;
  const truth: TruthVariant[] = [
    { pos: 500, ref: at(500), alt: at(500) === 'A' ? 'G' : 'A', genotype: '0/1' },
    { pos: 1200, ref: at(1200), alt: at(1200) === 'C' ? 'T' : 'C', genotype: '1/1' },
    { pos: 1800, ref: at(1800), alt: at(1800) === 'G' ? 'T' : 'G', genotype: '0/1' },
    // One A deleted from the homopolymer GAAAAAAAAC at 2001..2010 (left-aligned: anchor G at 2001).
    { pos: 2001, ref: 'GA', alt: 'G', genotype: '0/1' },
    // One CA unit inserted into the repeat TCACACACACACAG at 3001..3014 (left-aligned: anchor T at 3001).
    { pos: 3001, ref: 'T', alt: 'TCA', genotype: '1/1' },
    { pos: 4000, ref: at(4000), alt: at(4000) === 'T' ? 'C' : 'T', genotype: '0/1' },
  ];
  const hap1 = applyVariants(reference, truth);
  const hap2 = applyVariants(reference, truth.filter((v) => v.genotype === '1/1'));
  const random = seededRandom(11);
  const coveredLength = 5000;
  const reads: string[] = [];
  let n = 0;
  for (const [h, hap] of [hap1, hap2].entries()) {
    // ~30× per haplotype of 150 bp reads over the first 5 kb of each haplotype.
    const hapCovered = coveredLength + (hap.length - reference.length);
    for (let i = 0; i < (30 * hapCovered) / 150; i++) {
      const start = Math.floor(random() * (hapCovered - 150));
      let read = hap.slice(start, start + 150).split('');
      let qual = '';
      for (let k = 0; k < read.length; k++) {
        if (random() < 0.003) read[k] = 'ACGT'[(('ACGT'.indexOf(read[k]!) + 1 + Math.floor(random() * 3)) % 4)]!;
        qual += random() < 0.1 ? '5' : 'I';
      }
      let bases = read.join('');
      if (random() < 0.5) {
        bases = reverseComplement(bases);
        qual = qual.split('').reverse().join('');
      }
      read = [];
      reads.push(`@r${n++}_h${h + 1}\n${bases}\n+\n${qual}`);
    }
  }
  const fastq = join(dir, 'reads.fq');
  writeFileSync(fastq, `${reads.join('\n')}\n`);
  const sam = join(dir, 'reads.sam');
  writeFileSync(sam, execFileSync('minimap2', ['-ax', 'sr', '-R', '@RG\\tID:t\\tSM:FIXTURE\\tPL:ILLUMINA', refPath, fastq], { maxBuffer: 1 << 28, stdio: ['ignore', 'pipe', 'ignore'] }));
  const bam = join(dir, 'reads.bam');
  execFileSync('samtools', ['sort', '-o', bam, sam], { stdio: 'ignore' });
  execFileSync('samtools', ['index', bam]);
  const truthVcf = join(dir, 'truth.vcf');
  writeFileSync(
    truthVcf,
    [
      '##fileformat=VCFv4.2',
      `##contig=<ID=${contig},length=${reference.length}>`,
      '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
      '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tFIXTURE',
      ...truth.map((v) => `${contig}\t${v.pos}\t.\t${v.ref}\t${v.alt}\t.\tPASS\t.\tGT\t${v.genotype}`),
      '',
    ].join('\n'),
  );
  return { dir, reference: refPath, bam, truth, truthVcf, contig, contigLength: reference.length, coveredLength };
}

/** Runs `genomaic call` in-process, capturing its output. */
class Capture {
  text = '';
  write(chunk: string | Uint8Array): boolean {
    this.text += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    return true;
  }
}

export async function runCall(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const stdout = new Capture();
  const stderr = new Capture();
  const io = { stdout, stderr, stderrIsTty: false } as unknown as CliIo;
  const code = await callCommand.run(args, io);
  return { code, stdout: stdout.text, stderr: stderr.text };
}

