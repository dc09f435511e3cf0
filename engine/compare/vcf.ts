/**
 * The small part of VCF the comparator needs: one sample's genotype, GQ and depth, plus
 * QUAL, FILTER and INFO/DP. Kept here (not in a shared VCF module) so the comparator stays
 * self-contained and can judge any caller's output, including ours, without sharing its
 * parsing code with the writer it is judging.
 */
import { readLines } from './text-lines.js';

export class VcfFormatError extends Error {
  constructor(
    readonly path: string,
    readonly line: number,
    message: string,
  ) {
    super(`${path}:${line}: ${message}`);
  }
}

export interface Genotype {
  /** Allele indices; null for '.'. Haploid calls have one entry. */
  alleles: (number | null)[];
  /** True when every separator is '|'. */
  phased: boolean;
}

export interface VcfRecord {
  chrom: string;
  /** 1-based. */
  pos: number;
  ref: string;
  alts: string[];
  qual: number | null;
  /** Empty for '.'. */
  filters: string[];
  genotype: Genotype | null;
  /** FORMAT/PS, when the sample carries a phase set. */
  phaseSet: string | null;
  gq: number | null;
  /** FORMAT/DP, else INFO/DP. */
  depth: number | null;
  /** 1-based line number in the file. */
  line: number;
}

export interface VcfFile {
  path: string;
  samples: string[];
  /** The sample whose column was read. */
  sample: string;
  records: VcfRecord[];
}

export function parseGenotype(text: string): Genotype | null {
  if (text === '' || text === '.') return null;
  const parts = text.split(/[/|]/);
  const alleles = parts.map((p) => {
    if (p === '.') return null;
    const n = Number(p);
    return Number.isInteger(n) && n >= 0 ? n : null;
  });
  return { alleles, phased: parts.length > 1 && !text.includes('/') };
}

function parseNumber(text: string | undefined): number | null {
  if (text === undefined || text === '' || text === '.') return null;
  const n = Number(text);
  return Number.isFinite(n) ? n : null;
}

function infoValue(info: string, key: string): string | undefined {
  if (info === '.') return undefined;
  for (const entry of info.split(';')) {
    const eq = entry.indexOf('=');
    if (eq < 0) {
      if (entry === key) return '';
      continue;
    }
    if (entry.slice(0, eq) === key) return entry.slice(eq + 1);
  }
  return undefined;
}

/**
 * Reads a VCF (plain, gzip or bgzip) whole. The comparator works on benchmark regions and
 * single samples, where the records fit comfortably in memory.
 * @param sampleName the sample column to read; default the first.
 */
export async function readVcf(path: string, sampleName?: string): Promise<VcfFile> {
  let samples: string[] | null = null;
  let sampleColumn = -1;
  let sample = '';
  const records: VcfRecord[] = [];
  let lineNumber = 0;
  for await (const line of readLines(path)) {
    lineNumber++;
    if (line.startsWith('##') || line === '') continue;
    if (line.startsWith('#CHROM')) {
      const columns = line.split('\t');
      samples = columns.slice(9);
      if (sampleName !== undefined) {
        const i = samples.indexOf(sampleName);
        if (i < 0) throw new VcfFormatError(path, lineNumber, `sample ${sampleName} not found (samples: ${samples.join(', ') || 'none'})`);
        sampleColumn = 9 + i;
        sample = sampleName;
      } else if (samples.length > 0) {
        sampleColumn = 9;
        sample = samples[0]!;
      }
      continue;
    }
    if (samples === null) throw new VcfFormatError(path, lineNumber, 'record before the #CHROM header line');
    const f = line.split('\t');
    if (f.length < 8) throw new VcfFormatError(path, lineNumber, `expected at least 8 tab-separated columns, found ${f.length}`);
    const pos = Number(f[1]);
    if (!Number.isInteger(pos) || pos < 1) throw new VcfFormatError(path, lineNumber, `POS '${f[1]}' is not a positive integer`);
    const ref = f[3]!.toUpperCase();
    if (!/^[ACGTN]+$/.test(ref)) throw new VcfFormatError(path, lineNumber, `REF '${f[3]}' is not a base sequence`);
    const alts = f[4] === '.' ? [] : f[4]!.split(',').map((a) => (a.startsWith('<') || a.includes('[') || a.includes(']') ? a : a.toUpperCase()));
    const filters = f[6] === '.' || f[6] === undefined ? [] : f[6].split(';');
    const info = f[7] ?? '.';

    let genotype: Genotype | null = null;
    let gq: number | null = null;
    let formatDepth: number | null = null;
    let phaseSet: string | null = null;
    if (sampleColumn >= 0 && f.length > sampleColumn) {
      const keys = (f[8] ?? '').split(':');
      const values = f[sampleColumn]!.split(':');
      const value = (key: string): string | undefined => {
        const i = keys.indexOf(key);
        return i >= 0 ? values[i] : undefined;
      };
      genotype = parseGenotype(value('GT') ?? '');
      gq = parseNumber(value('GQ'));
      formatDepth = parseNumber(value('DP'));
      const ps = value('PS');
      phaseSet = ps === undefined || ps === '.' ? null : ps;
    }
    records.push({
      chrom: f[0]!,
      pos,
      ref,
      alts,
      qual: parseNumber(f[5]),
      filters,
      genotype,
      phaseSet,
      gq,
      depth: formatDepth ?? parseNumber(infoValue(info, 'DP')),
      line: lineNumber,
    });
  }
  if (samples === null) throw new VcfFormatError(path, lineNumber, 'no #CHROM header line: not a VCF');
  return { path, samples, sample, records };
}
