/**
 * One pass over a FASTA file's (uncompressed) bytes that builds its .fai entries, validates
 * it, and computes each contig's MD5 — optionally packing the sequence at the same time.
 *
 * The .fai values follow htslib's `fai_build_core` exactly (so our .fai is byte-identical
 * to `samtools faidx`'s): the name is the first whitespace-delimited word after '>'; offset
 * is where the first sequence line starts; line width counts every byte of a line including
 * its newline (so CRLF files get width = bases + 2).
 *
 * Validation is stricter than samtools, because a reference that is silently misread
 * corrupts every alignment and call made against it. Each of these is an error naming the
 * file, the line and the contig: a duplicate name (samtools keeps the first and ignores
 * the rest), an empty contig (samtools drops it), a character outside the IUPAC nucleotide
 * codes, whitespace inside a sequence line, a line longer than the contig's first line, a
 * sequence line after a shorter line or a blank line (samtools' "different line length"),
 * mixed line endings within a contig, and a name that SAM does not allow.
 *
 * MD5 is computed as SAMv1 §1.3 specifies for @SQ M5: over the sequence with every
 * character outside '!'..'~' removed and lowercase made uppercase.
 */
import { createHash, type Hash } from 'node:crypto';
import { basename } from 'node:path';
import type { ErrorCode } from '../../app/contract.js';
import { EngineError } from '../errors.js';
import { isValidReferenceName } from '../formats/bam-header.js';
import { IUPAC, PackedSequenceBuilder, type PackedSequence } from './packed-sequence.js';

/** One line of a .fai file. */
export interface FaiEntry {
  name: string;
  /** Bases in the contig. */
  length: number;
  /** Uncompressed byte offset of the contig's first base. */
  offset: number;
  /** Bases per full line. */
  lineBases: number;
  /** Bytes per full line, newline included. */
  lineWidth: number;
}

export interface ScannedContig extends FaiEntry {
  /** MD5 of the uppercase sequence, lowercase hex (SAM @SQ M5, VCF ##contig md5). */
  md5: string;
  /** 1-based line of the contig's header. */
  headerLine: number;
}

/** Why a FASTA was refused; machine-readable, finer than the contract's ErrorCode. */
export type FastaFaultReason =
  | 'empty-file'
  | 'missing-header'
  | 'missing-name'
  | 'invalid-contig-name'
  | 'duplicate-contig'
  | 'empty-contig'
  | 'invalid-base'
  | 'inconsistent-line-length'
  | 'gzip-not-bgzip'
  | 'corrupt-compression'
  | 'contig-too-long'
  | 'changed-on-disk'
  | 'stale-index';

const REASON_CODE: Record<FastaFaultReason, ErrorCode> = {
  'empty-file': 'empty-file',
  'missing-header': 'missing-header',
  'missing-name': 'missing-header',
  'invalid-contig-name': 'invalid-request',
  'duplicate-contig': 'invalid-request',
  'empty-contig': 'invalid-request',
  'invalid-base': 'invalid-sequence',
  'inconsistent-line-length': 'invalid-request',
  'gzip-not-bgzip': 'unsupported',
  'corrupt-compression': 'corrupt-gzip',
  'contig-too-long': 'unsupported',
  'changed-on-disk': 'invalid-request',
  'stale-index': 'invalid-request',
};

/** A FASTA problem for people (message names file, line, contig) and for code (`reason`). */
export class FastaFormatError extends EngineError {
  readonly reason: FastaFaultReason;
  constructor(reason: FastaFaultReason, file: string, message: string, line?: number) {
    const where = line !== undefined ? ` line ${line}` : '';
    super({ code: REASON_CODE[reason], message: `${basename(file)}${where}: ${message}`, file, ...(line !== undefined ? { line } : {}) });
    this.name = 'FastaFormatError';
    this.reason = reason;
  }
}

/** 1 for IUPAC nucleotide letters (A C G T U R Y S W K M B D H V N, either case); else 0. */
export const IS_BASE: Uint8Array = IUPAC;

const NEWLINE = 0x0a;
const CARRIAGE_RETURN = 0x0d;
const GREATER_THAN = 0x3e;
/** SAM's LN is int32. */
const MAX_CONTIG_LENGTH = 2 ** 31 - 1;

function isSpace(byte: number): boolean {
  return byte === 0x20 || (byte >= 0x09 && byte <= 0x0d);
}

function describeByte(byte: number): string {
  return byte >= 0x21 && byte <= 0x7e ? `"${String.fromCharCode(byte)}"` : `byte 0x${byte.toString(16).padStart(2, '0')}`;
}

interface ContigInProgress {
  name: string;
  headerLine: number;
  offset: number;
  length: number;
  lineBases: number;
  lineWidth: number;
  md5: Hash;
  builder: PackedSequenceBuilder | undefined;
  /** Set when a line shorter than the first (or a blank line) ended the sequence. */
  endedAt?: { line: number; blank: boolean };
  /** Whether lines end in CRLF (fixed by the first line). */
  crlf: boolean;
}

export interface FastaScanResult {
  contigs: ScannedContig[];
  /** Packed sequences by contig name, when packing was asked for. */
  sequences?: Map<string, PackedSequence>;
}

/**
 * Feed the file's uncompressed bytes in order with `push`, then call `finish`. Throws
 * `FastaFormatError` at the first problem.
 */
export class FastaScanner {
  private readonly file: string;
  private readonly pack: boolean;
  private readonly contigs: ScannedContig[] = [];
  private readonly names = new Set<string>();
  private readonly sequences = new Map<string, PackedSequence>();
  private current: ContigInProgress | undefined;
  /** Bytes of an unfinished line carried to the next chunk. */
  private carry: Buffer = Buffer.alloc(0);
  /** Uncompressed offset of carry[0] (or of the next chunk when carry is empty). */
  private carryOffset = 0;
  private lineNumber = 0;
  private sawAnyByte = false;
  /** Uppercased bases waiting for an MD5 update (one update per line costs too much). */
  private readonly md5Scratch = Buffer.allocUnsafe(1 << 20);
  private md5Fill = 0;

  constructor(file: string, options: { pack?: boolean } = {}) {
    this.file = file;
    this.pack = options.pack ?? false;
  }

  push(chunk: Buffer): void {
    if (chunk.length === 0) return;
    this.sawAnyByte = true;
    let buffer = chunk;
    let bufferOffset = this.carryOffset;
    if (this.carry.length > 0) {
      buffer = Buffer.concat([this.carry, chunk]);
    }
    let start = 0;
    for (;;) {
      const newline = buffer.indexOf(NEWLINE, start);
      if (newline < 0) break;
      this.line(buffer, start, newline, bufferOffset + newline + 1);
      start = newline + 1;
    }
    bufferOffset += start;
    this.carry = start === buffer.length ? Buffer.alloc(0) : Buffer.from(buffer.subarray(start));
    this.carryOffset = bufferOffset;
  }

  finish(): FastaScanResult {
    if (this.carry.length > 0) {
      // A last line without a newline counts as if it had one, as in htslib.
      const last = this.carry;
      this.carry = Buffer.alloc(0);
      this.line(last, 0, last.length, this.carryOffset + last.length + 1);
    }
    if (!this.sawAnyByte) throw new FastaFormatError('empty-file', this.file, 'the file is empty');
    this.closeContig();
    if (this.contigs.length === 0) throw new FastaFormatError('missing-header', this.file, 'no FASTA header (">name") found');
    return this.pack ? { contigs: this.contigs, sequences: this.sequences } : { contigs: this.contigs };
  }

  private fault(reason: FastaFaultReason, message: string, line = this.lineNumber): FastaFormatError {
    return new FastaFormatError(reason, this.file, message, line);
  }

  /** One line: bytes [start, end) of buffer, without its newline; the next line starts at `nextOffset`. */
  private line(buffer: Buffer, start: number, end: number, nextOffset: number): void {
    this.lineNumber++;
    const contentEnd = end > start && buffer[end - 1] === CARRIAGE_RETURN ? end - 1 : end;
    if (contentEnd === start) {
      // Blank line: ends the sequence of the current contig (a sequence line after it is an error).
      if (this.current && !this.current.endedAt) this.current.endedAt = { line: this.lineNumber, blank: true };
      return;
    }
    if (buffer[start] === GREATER_THAN) {
      this.header(buffer, start + 1, contentEnd, nextOffset);
      return;
    }
    const contig = this.current;
    if (!contig) {
      throw this.fault('missing-header', `sequence data before the first FASTA header (">name"); the file does not start like a FASTA file`);
    }
    if (contig.endedAt) {
      throw contig.endedAt.blank
        ? this.fault('inconsistent-line-length', `sequence of contig "${contig.name}" continues after a blank line (line ${contig.endedAt.line}); blank lines inside a sequence break .fai random access`)
        : this.fault(
            'inconsistent-line-length',
            `sequence of contig "${contig.name}" continues after line ${contig.endedAt.line}, which is shorter than the contig's other lines; only the last line may be shorter`,
          );
    }
    const bases = contentEnd - start;
    const width = end - start + 1; // + the newline
    const crlf = contentEnd !== end;
    if (contig.lineWidth === 0) {
      contig.lineWidth = width;
      contig.lineBases = bases;
      contig.crlf = crlf;
    } else if (crlf !== contig.crlf) {
      throw this.fault('inconsistent-line-length', `contig "${contig.name}" mixes CRLF and LF line endings`);
    } else if (width > contig.lineWidth) {
      throw this.fault(
        'inconsistent-line-length',
        `line has ${bases} bases but the first line of contig "${contig.name}" has ${contig.lineBases}; .fai needs equal line lengths (only the last line may be shorter)`,
      );
    } else if (width < contig.lineWidth) {
      contig.endedAt = { line: this.lineNumber, blank: false };
    }
    // Validate, uppercase for the MD5, and pack.
    const scratch = this.md5Scratch;
    let fill = this.md5Fill;
    for (let i = start; i < contentEnd; i++) {
      const byte = buffer[i]!;
      if (IS_BASE[byte] === 0) {
        const what = isSpace(byte) ? 'whitespace' : describeByte(byte);
        throw this.fault(
          'invalid-base',
          `${what} at column ${i - start + 1} in contig "${contig.name}" is not an IUPAC nucleotide code (ACGTURYSWKMBDHVN)`,
        );
      }
      if (fill === scratch.length) {
        contig.md5.update(scratch);
        fill = 0;
      }
      scratch[fill++] = byte & 0xdf;
    }
    this.md5Fill = fill;
    contig.builder?.append(buffer, start, contentEnd);
    contig.length += bases;
    if (contig.length > MAX_CONTIG_LENGTH) {
      throw this.fault('contig-too-long', `contig "${contig.name}" is longer than ${MAX_CONTIG_LENGTH} bases, the most SAM/BAM can address`);
    }
  }

  private header(buffer: Buffer, from: number, to: number, nextOffset: number): void {
    this.closeContig();
    let nameStart = from;
    while (nameStart < to && isSpace(buffer[nameStart]!)) nameStart++;
    let nameEnd = nameStart;
    while (nameEnd < to && !isSpace(buffer[nameEnd]!)) nameEnd++;
    const name = buffer.toString('latin1', nameStart, nameEnd);
    if (name.length === 0) throw this.fault('missing-name', 'FASTA header has no sequence name after ">"');
    if (this.names.has(name)) {
      const first = this.contigs.find((c) => c.name === name);
      throw this.fault('duplicate-contig', `contig name "${name}" appears twice (first at line ${first?.headerLine ?? '?'})`);
    }
    if (!isValidReferenceName(name)) {
      throw this.fault(
        'invalid-contig-name',
        `contig name "${name}" is not allowed as a SAM/BAM reference name (SAMv1 §1.2.1: no leading '*' or '=', no commas, quotes, brackets or backslashes)`,
      );
    }
    this.names.add(name);
    this.current = {
      name,
      headerLine: this.lineNumber,
      offset: nextOffset,
      length: 0,
      lineBases: 0,
      lineWidth: 0,
      md5: createHash('md5'),
      builder: this.pack ? new PackedSequenceBuilder() : undefined,
      crlf: false,
    };
  }

  private closeContig(): void {
    const contig = this.current;
    if (!contig) return;
    this.current = undefined;
    if (contig.length === 0) {
      throw this.fault('empty-contig', `contig "${contig.name}" has no sequence`, contig.headerLine);
    }
    if (this.md5Fill > 0) {
      contig.md5.update(this.md5Scratch.subarray(0, this.md5Fill));
      this.md5Fill = 0;
    }
    this.contigs.push({
      name: contig.name,
      length: contig.length,
      offset: contig.offset,
      lineBases: contig.lineBases,
      lineWidth: contig.lineWidth,
      md5: contig.md5.digest('hex'),
      headerLine: contig.headerLine,
    });
    if (contig.builder) this.sequences.set(contig.name, contig.builder.finish());
  }
}

/** .fai text, as `samtools faidx` writes it. */
export function formatFai(entries: readonly FaiEntry[]): string {
  return entries.map((e) => `${e.name}\t${e.length}\t${e.offset}\t${e.lineBases}\t${e.lineWidth}\n`).join('');
}

/** Parses .fai text (5 columns; a FASTQ .fai's sixth column is ignored). */
export function parseFai(text: string, file = '.fai'): FaiEntry[] {
  const entries: FaiEntry[] = [];
  const lines = text.split('\n');
  lines.forEach((line, i) => {
    if (line === '') return;
    const fields = line.split('\t');
    const numbers = fields.slice(1, 5).map(Number);
    if (fields.length < 5 || numbers.some((n) => !Number.isSafeInteger(n) || n < 0)) {
      throw new Error(`${file} line ${i + 1}: not a .fai line (name, length, offset, line bases, line width)`);
    }
    const [length, offset, lineBases, lineWidth] = numbers as [number, number, number, number];
    entries.push({ name: fields[0]!, length, offset, lineBases, lineWidth });
  });
  return entries;
}
