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

/** Accumulates records line by line (from a file or from text held in memory). */
class VcfParser {
  private samples: string[] | null = null;
  private sampleColumn = -1;
  private sample = '';
  private readonly records: VcfRecord[] = [];
  private lineNumber = 0;

  constructor(
    private readonly path: string,
    private readonly sampleName: string | undefined,
  ) {}

  pushLine(line: string): void {
    const lineNumber = ++this.lineNumber;
    const path = this.path;
    if (line.startsWith('##') || line === '') return;
    if (line.startsWith('#CHROM')) {
      const samples = line.split('\t').slice(9);
      this.samples = samples;
      if (this.sampleName !== undefined) {
        const i = samples.indexOf(this.sampleName);
        if (i < 0) throw new VcfFormatError(path, lineNumber, `sample ${this.sampleName} not found (samples: ${samples.join(', ') || 'none'})`);
        this.sampleColumn = 9 + i;
        this.sample = this.sampleName;
      } else if (samples.length > 0) {
        this.sampleColumn = 9;
        this.sample = samples[0]!;
      }
      return;
    }
    if (this.samples === null) throw new VcfFormatError(path, lineNumber, 'record before the #CHROM header line');
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
    if (this.sampleColumn >= 0 && f.length > this.sampleColumn) {
      const keys = (f[8] ?? '').split(':');
      const values = f[this.sampleColumn]!.split(':');
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
    this.records.push({
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

  finish(): VcfFile {
    if (this.samples === null) throw new VcfFormatError(this.path, this.lineNumber, 'no #CHROM header line: not a VCF');
    return { path: this.path, samples: this.samples, sample: this.sample, records: this.records };
  }
}

/**
 * Reads a VCF (plain, gzip or bgzip) whole. The comparator works on benchmark regions and
 * single samples, where the records fit comfortably in memory.
 * @param sampleName the sample column to read; default the first.
 */
export async function readVcf(path: string, sampleName?: string): Promise<VcfFile> {
  const parser = new VcfParser(path, sampleName);
  for await (const line of readLines(path)) parser.pushLine(line);
  return parser.finish();
}

/** Parses VCF text held in memory (tests, and callers that produced the text themselves). */
export function parseVcfText(text: string, path = '(memory)', sampleName?: string): VcfFile {
  const parser = new VcfParser(path, sampleName);
  for (const line of text.split(/\r?\n/)) parser.pushLine(line);
  return parser.finish();
}
