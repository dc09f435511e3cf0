/**
 * Tabix (.tbi) indexes for bgzipped, position-sorted text: VCF, BED, GFF.
 *
 * A TBI file is BGZF-compressed and holds "TBI\1", n_ref, the configuration (preset, the
 * 1-based sequence/begin/end columns, the comment character, lines to skip), the sequence
 * names in order of first appearance, then the same binning + linear index as a BAI
 * (hts-index.ts), pseudo-bin included.
 *
 * Lines are parsed for their interval exactly as htslib's `tbx_parse1` does: VCF begins at
 * POS - 1 and ends at POS - 1 + len(REF), or at INFO END= when that lies after the start
 * (symbolic alleles, gVCF blocks); BED ("UCSC" preset) uses columns 2 and 3 as 0-based
 * half-open; GFF uses 1-based closed columns 4 and 5. Lines starting with the comment
 * character are skipped, and a comment line between records is folded into the next
 * record's chunk, as tabix does.
 *
 * `TabixIndexedWriter` writes a bgzipped file and its index in one pass through
 * `BgzfWriter`, so each line's virtual offset is known as it is written.
 */
import { BgzfByteStream } from './bam-reader.js';
import { BgzfWriter, decompressBgzf, type BgzfPosition, type BgzfWriterOptions, type VirtualOffset } from './bgzf.js';
import { BinningIndexBuilder, ByteWriter, readReferenceIndexes, writeReferenceIndexes, type BinningIndex } from './hts-index.js';
import { readFile } from 'node:fs/promises';

/** TBI format field: the low 16 bits name the parser, 0x10000 marks 0-based (UCSC) coordinates. */
export const TabixFormat = { GENERIC: 0, SAM: 1, VCF: 2, UCSC_ZERO_BASED: 0x10000 } as const;

export interface TabixConfig {
  /** TabixFormat value (possibly or'ed with UCSC_ZERO_BASED). */
  format: number;
  /** 1-based column of the sequence name. */
  sequenceColumn: number;
  /** 1-based column of the start position. */
  beginColumn: number;
  /** 1-based column of the end position; 0 when there is none (VCF, SAM). */
  endColumn: number;
  /** Lines starting with this character are comments. */
  commentChar: string;
  /** Leading lines to skip regardless of content. */
  skipLines: number;
}

/** htslib's presets (tbx.c tbx_conf_*). */
export const TABIX_PRESETS = {
  vcf: { format: TabixFormat.VCF, sequenceColumn: 1, beginColumn: 2, endColumn: 0, commentChar: '#', skipLines: 0 },
  bed: { format: TabixFormat.UCSC_ZERO_BASED, sequenceColumn: 1, beginColumn: 2, endColumn: 3, commentChar: '#', skipLines: 0 },
  gff: { format: TabixFormat.GENERIC, sequenceColumn: 1, beginColumn: 4, endColumn: 5, commentChar: '#', skipLines: 0 },
} as const satisfies Record<string, TabixConfig>;

export type TabixPreset = keyof typeof TABIX_PRESETS;

export interface TabixIndex {
  config: TabixConfig;
  /** Sequence names, in order of first appearance; index = tid. */
  sequenceNames: string[];
  index: BinningIndex;
}

/** A line's interval: 0-based, half-open. */
export interface TabixInterval {
  sequence: string;
  begin: number;
  end: number;
}

export class TabixLineError extends Error {
  readonly line: number;
  constructor(message: string, line: number) {
    super(message);
    this.name = 'TabixLineError';
    this.line = line;
  }
}

/** Leading integer of a column, as C's strtol(…, 10) reads it; undefined when there is none. */
function leadingInteger(text: string): number | undefined {
  const match = /^\s*[+-]?\d+/.exec(text);
  return match ? Number(match[0]) : undefined;
}

/**
 * The interval of one data line under a configuration (htslib `tbx_parse1`), or a string
 * saying why it cannot be parsed.
 */
export function parseTabixInterval(line: string, config: TabixConfig): TabixInterval | string {
  const columns = line.split('\t');
  const sequence = columns[config.sequenceColumn - 1];
  if (sequence === undefined) return `no column ${config.sequenceColumn} (sequence name)`;
  const beginText = columns[config.beginColumn - 1];
  if (beginText === undefined) return `no column ${config.beginColumn} (start)`;
  const first = leadingInteger(beginText);
  if (first === undefined) return `column ${config.beginColumn} "${beginText}" is not an integer start position`;
  const zeroBased = (config.format & TabixFormat.UCSC_ZERO_BASED) !== 0;
  let begin = zeroBased ? first : first - 1;
  let end = config.beginColumn <= config.endColumn ? (zeroBased ? first + 1 : first) : -1;
  // As htslib: non-positive starts are clamped (a VCF POS of 0 means "before the first base").
  if (begin < 0) begin = 0;
  if (end < 1) end = 1;
  const kind = config.format & 0xffff;
  if (kind === TabixFormat.GENERIC && config.endColumn > 0) {
    const endText = columns[config.endColumn - 1];
    if (endText === undefined) return `no column ${config.endColumn} (end)`;
    const value = leadingInteger(endText);
    if (value === undefined) return `column ${config.endColumn} "${endText}" is not an integer end position`;
    end = value;
  } else if (kind === TabixFormat.VCF) {
    const ref = columns[3];
    if (ref !== undefined && ref.length > 0) end = begin + ref.length;
    const info = columns[7];
    if (info !== undefined) {
      let at = -1;
      if (info.startsWith('END=')) at = 4;
      else if (info.includes('END=')) {
        const i = info.indexOf(';END=');
        if (i >= 0) at = i + 5;
      }
      if (at >= 0 && info[at] !== '.') {
        const value = leadingInteger(info.slice(at));
        // htslib ignores (with a warning) an END at or before the start.
        if (value !== undefined && value > begin) end = value;
      }
    }
  } else if (kind === TabixFormat.SAM) {
    const cigar = columns[5] ?? '';
    let span = 0;
    for (const match of cigar.matchAll(/(\d+)([MDN=X])/g)) span += Number(match[1]);
    end = begin + (span > 0 ? span : 1);
  }
  if (end < begin) return `end ${end} is before start ${begin + 1}`;
  return { sequence, begin, end };
}

/**
 * Builds a tabix index from lines in file order. Call `addLine` for every line (comments
 * included) with the position where the line ends (after its newline).
 */
export class TabixIndexBuilder {
  readonly config: TabixConfig;
  private readonly names: string[] = [];
  private readonly nameToId = new Map<string, number>();
  private builder: BinningIndexBuilder | undefined;
  private lineNumber = 0;
  /** Where the line after the last skipped one starts: the first record's start. */
  private lastSkippedEnd: BgzfPosition;

  constructor(config: TabixConfig, startOffset: BgzfPosition = 0) {
    if (config.commentChar.length !== 1) throw new RangeError('Tabix comment character must be one character');
    this.config = config;
    this.lastSkippedEnd = startOffset;
  }

  /** Lines seen so far. */
  get lines(): number {
    return this.lineNumber;
  }

  /** @param line the line without its newline (a trailing CR is ignored, as htslib does). */
  addLine(line: string, endOffset: BgzfPosition): void {
    this.lineNumber++;
    if (this.lineNumber <= this.config.skipLines || line.startsWith(this.config.commentChar)) {
      if (!this.builder) this.lastSkippedEnd = endOffset;
      return;
    }
    const text = line.endsWith('\r') ? line.slice(0, -1) : line;
    const interval = parseTabixInterval(text, this.config);
    if (typeof interval === 'string') throw new TabixLineError(`line ${this.lineNumber}: ${interval}`, this.lineNumber);
    let tid = this.nameToId.get(interval.sequence);
    if (tid === undefined) {
      tid = this.names.length;
      this.names.push(interval.sequence);
      this.nameToId.set(interval.sequence, tid);
    }
    this.builder ??= new BinningIndexBuilder(0, this.lastSkippedEnd, (t) => this.names[t] ?? `#${t + 1}`);
    try {
      this.builder.push(tid, interval.begin, interval.end, endOffset, true);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      throw new TabixLineError(`line ${this.lineNumber}: ${message}`, this.lineNumber);
    }
  }

  finish(finalOffset: BgzfPosition, resolve: (position: BgzfPosition) => VirtualOffset): TabixIndex {
    const builder = this.builder ?? new BinningIndexBuilder(0, this.lastSkippedEnd);
    return { config: { ...this.config }, sequenceNames: [...this.names], index: builder.finish(finalOffset, resolve) };
  }
}

const TBI_MAGIC = Buffer.from('TBI\x01', 'latin1');

/** The uncompressed TBI bytes (the file itself is these, BGZF-compressed). */
export function serializeTabixIndex(tabix: TabixIndex): Buffer {
  const out = new ByteWriter();
  out.bytes(TBI_MAGIC);
  out.int32(tabix.index.references.length);
  out.int32(tabix.config.format);
  out.int32(tabix.config.sequenceColumn);
  out.int32(tabix.config.beginColumn);
  out.int32(tabix.config.endColumn);
  out.int32(tabix.config.commentChar.charCodeAt(0));
  out.int32(tabix.config.skipLines);
  const names = Buffer.from(tabix.sequenceNames.map((n) => `${n}\0`).join(''), 'latin1');
  out.int32(names.length);
  out.bytes(names);
  writeReferenceIndexes(out, tabix.index);
  return out.toBuffer();
}

/** Parses uncompressed TBI bytes. */
export function parseTabixIndex(data: Buffer): TabixIndex {
  if (data.length < 36 || !data.subarray(0, 4).equals(TBI_MAGIC)) throw new Error('Not a tabix index (bad magic)');
  const referenceCount = data.readInt32LE(4);
  const config: TabixConfig = {
    format: data.readInt32LE(8),
    sequenceColumn: data.readInt32LE(12),
    beginColumn: data.readInt32LE(16),
    endColumn: data.readInt32LE(20),
    commentChar: String.fromCharCode(data.readInt32LE(24)),
    skipLines: data.readInt32LE(28),
  };
  const namesLength = data.readInt32LE(32);
  const sequenceNames = data.subarray(36, 36 + namesLength).toString('latin1').split('\0').slice(0, -1);
  const { index } = readReferenceIndexes(data, 36 + namesLength, referenceCount);
  return { config, sequenceNames, index };
}

/** Reads a .tbi file. */
export async function readTabixIndexFile(path: string): Promise<TabixIndex> {
  return parseTabixIndex(decompressBgzf(await readFile(path)));
}

/** Writes a .tbi file (BGZF-compressed, atomically). */
export async function writeTabixIndex(path: string, tabix: TabixIndex): Promise<void> {
  const writer = await BgzfWriter.create(path);
  try {
    await writer.write(serializeTabixIndex(tabix));
    await writer.close();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

/**
 * Indexes an existing bgzipped file by reading it, as `tabix -p <preset>` does.
 */
export async function buildTabixIndex(path: string, config: TabixConfig, options: { signal?: AbortSignal } = {}): Promise<TabixIndex> {
  const stream = new BgzfByteStream(path, { recordOffsets: true, ...options });
  const builder = new TabixIndexBuilder(config, 0);
  const decoder = new TextDecoder('utf-8', { fatal: false });
  try {
    for (let line = await stream.readLine(); line; line = await stream.readLine()) {
      const text = decoder.decode(line[line.length - 1] === 0x0a ? line.subarray(0, -1) : line);
      builder.addLine(text, stream.position);
    }
    await stream.atEnd();
    const map = stream.offsetMap!;
    return builder.finish(stream.position, (p) => map.resolve(p));
  } finally {
    await stream.close();
  }
}

export interface TabixIndexedWriterOptions extends BgzfWriterOptions {
  /** Default `<path>.tbi`. */
  indexPath?: string;
}

export interface TabixWriteSummary {
  path: string;
  indexPath: string;
  lines: number;
  compressedBytes: number;
  index: TabixIndex;
}

/**
 * Writes bgzipped text (VCF, BED, …) and its .tbi in one pass. Lines must be sorted as
 * tabix requires (each sequence contiguous, positions non-decreasing); a line that breaks
 * this throws `TabixLineError` naming it. The data file is renamed into place before the
 * index, so the index is never older than the data.
 */
export class TabixIndexedWriter {
  readonly path: string;
  readonly indexPath: string;
  private readonly bgzf: BgzfWriter;
  private readonly builder: TabixIndexBuilder;

  private constructor(path: string, indexPath: string, bgzf: BgzfWriter, builder: TabixIndexBuilder) {
    this.path = path;
    this.indexPath = indexPath;
    this.bgzf = bgzf;
    this.builder = builder;
  }

  static async create(path: string, preset: TabixPreset | TabixConfig, options: TabixIndexedWriterOptions = {}): Promise<TabixIndexedWriter> {
    const config = typeof preset === 'string' ? TABIX_PRESETS[preset] : preset;
    const { indexPath, ...bgzfOptions } = options;
    const bgzf = await BgzfWriter.create(path, bgzfOptions);
    return new TabixIndexedWriter(path, indexPath ?? `${path}.tbi`, bgzf, new TabixIndexBuilder(config, bgzf.position));
  }

  /** Appends one line (without its newline; one is added). */
  async writeLine(line: string): Promise<void> {
    if (line.includes('\n')) throw new TabixLineError(`line ${this.builder.lines + 1} contains a newline`, this.builder.lines + 1);
    const bytes = Buffer.from(`${line}\n`, 'utf8');
    // As htslib's vcf_write: keep a line within one block when it fits.
    await this.bgzf.writeRecord(bytes);
    this.builder.addLine(line, this.bgzf.position);
  }

  /** Finishes both files and renames them into place. */
  async close(): Promise<TabixWriteSummary> {
    let indexFile: BgzfWriter | undefined;
    try {
      const end = this.bgzf.position;
      const written = await this.bgzf.finish();
      const index = this.builder.finish(end, (p) => this.bgzf.resolvePosition(p));
      indexFile = await BgzfWriter.create(this.indexPath);
      await indexFile.write(serializeTabixIndex(index));
      await indexFile.finish();
      await this.bgzf.commit();
      await indexFile.commit();
      return { path: this.path, indexPath: this.indexPath, lines: this.builder.lines, compressedBytes: written.compressedBytes, index };
    } catch (error) {
      await indexFile?.abort();
      await this.bgzf.abort();
      throw error;
    }
  }

  /** Discards both files. Never throws. */
  async abort(): Promise<void> {
    await this.bgzf.abort();
  }
}
