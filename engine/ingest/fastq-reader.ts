/**
 * Streaming FASTQ reader: yields batches of records that point into the decompressed bytes, so
 * no string is made per record unless a consumer asks for one. Later stages (the aligner) stream
 * reads through this same reader.
 *
 * Format accepted: the 4-line FASTQ of Illumina, PacBio and ONT (header '@…', sequence, '+'
 * optionally repeating the name, quality in Phred+33), LF or CRLF line endings, an optional UTF-8
 * BOM, trailing blank lines, and a missing final newline. Wrapped (multi-line) FASTQ is refused
 * with 'missing-plus', because a quality line may legitimately start with '@' and a wrapped
 * record therefore cannot be delimited reliably.
 *
 * Memory stays bounded whatever the file size: the reader holds the current decompressed chunk
 * plus, when a record straddles chunks, that one record's pieces.
 */
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { Compression } from '../../app/contract.js';
import { findInvalidBase, findInvalidQuality, MAX_PHRED, PHRED_OFFSET, BASE_INVALID, SEQUENCE_CLASS } from './alphabet.js';
import { openDecodedStream, readFileHead, sniffFormat, streamFault } from './compression.js';
import {
  cancelledError,
  describeByte,
  faultAt,
  formatCount,
  IngestError,
  quoteForMessage,
  type FaultLocation,
} from './errors.js';

const LF = 10;
const CR = 13;
const AT = 64;
const PLUS = 43;
const BOM = [0xef, 0xbb, 0xbf];
/** How far into the content the binary sniff looks. */
const SNIFF_BYTES = 64 << 10;
/** Share of control or non-ASCII bytes above which a file is called binary. */
const BINARY_BYTE_SHARE = 0.05;
/**
 * After a parse fault in gzip input, this much more output is decompressed to see whether zlib
 * itself objects: corruption often yields garbage text first and a zlib error a little later,
 * and 'corrupt-gzip' is then the true diagnosis.
 */
const CORRUPTION_PROBE_BYTES = 4 << 20;

/** 1-based line of a record's first line; FASTQ here is strictly 4 lines per record. */
export function recordFirstLine(record: number): number {
  return 4 * (record - 1) + 1;
}

/**
 * A run of consecutive records. Offsets index `data`; the arrays are exactly `count` long.
 * A batch never changes after it is yielded, so consumers may keep it (the pair checker does).
 */
export class FastqBatch {
  constructor(
    /** The bytes the records live in. */
    readonly data: Buffer,
    readonly count: number,
    /** 1-based number of record 0 within its file. */
    readonly firstRecord: number,
    /** Offset of each record's '@'. */
    readonly headerStart: Int32Array,
    /** End (exclusive) of each header line, before any CR. */
    readonly headerEnd: Int32Array,
    readonly sequenceStart: Int32Array,
    /** Sequence length = quality length (the reader guarantees they are equal). */
    readonly sequenceLength: Int32Array,
    readonly qualityStart: Int32Array,
    private readonly location: Omit<FaultLocation, 'record' | 'line'>,
  ) {}

  /** The header after '@', comment included, e.g. `A00123:8:H7…:1:1101:1000:2000 1:N:0:ACGT`. */
  header(i: number): string {
    return this.data.toString('latin1', this.headerStart[i]! + 1, this.headerEnd[i]!);
  }

  /** The read id: the header up to the first whitespace. */
  readId(i: number): string {
    const start = this.headerStart[i]! + 1;
    const end = this.readIdEnd(i);
    return this.data.toString('latin1', start, end);
  }

  /** End (exclusive) of the read id within the header. */
  readIdEnd(i: number): number {
    const data = this.data;
    const end = this.headerEnd[i]!;
    for (let p = this.headerStart[i]! + 1; p < end; p++) {
      const c = data[p]!;
      if (c === 32 || c === 9) return p;
    }
    return end;
  }

  sequence(i: number): Buffer {
    const start = this.sequenceStart[i]!;
    return this.data.subarray(start, start + this.sequenceLength[i]!);
  }

  quality(i: number): Buffer {
    const start = this.qualityStart[i]!;
    return this.data.subarray(start, start + this.sequenceLength[i]!);
  }

  sequenceString(i: number): string {
    const start = this.sequenceStart[i]!;
    return this.data.toString('latin1', start, start + this.sequenceLength[i]!);
  }

  qualityString(i: number): string {
    const start = this.qualityStart[i]!;
    return this.data.toString('latin1', start, start + this.sequenceLength[i]!);
  }

  recordNumber(i: number): number {
    return this.firstRecord + i;
  }

  /** Where record i sits, optionally on its n-th line (0 header, 1 sequence, 2 plus, 3 quality). */
  locate(i: number, lineInRecord = 0): FaultLocation {
    const record = this.firstRecord + i;
    return { ...this.location, record, line: recordFirstLine(record) + lineInRecord };
  }

  /**
   * The precise base-level fault of record i: an invalid sequence letter or quality character.
   * Hot loops only notice that something is wrong and call this to say what and where.
   */
  diagnoseBases(i: number): IngestError | null {
    const data = this.data;
    const length = this.sequenceLength[i]!;
    const badBase = findInvalidBase(data, this.sequenceStart[i]!, length);
    if (badBase >= 0) {
      const byte = data[this.sequenceStart[i]! + badBase]!;
      return faultAt(
        'invalid-sequence',
        this.locate(i, 1),
        `sequence has ${describeByte(byte)} at position ${formatCount(badBase + 1)}, which is not an IUPAC nucleotide letter`,
      );
    }
    const badQuality = findInvalidQuality(data, this.qualityStart[i]!, length);
    if (badQuality >= 0) {
      const byte = data[this.qualityStart[i]! + badQuality]!;
      if (byte === LF || (byte === CR && data[this.qualityStart[i]! + badQuality + 1] === LF)) {
        // The quality line really ended early: the reader's fast path took the next line's bytes.
        return faultAt(
          'length-mismatch',
          this.locate(i, 3),
          `sequence is ${formatCount(length)} bases but quality is ${formatCount(badQuality)} characters`,
        );
      }
      return faultAt(
        'quality-out-of-range',
        this.locate(i, 3),
        `quality has ${describeByte(byte)} (code ${byte}) at position ${formatCount(badQuality + 1)}, outside '!'..'~' (Phred+33, Q0..Q${MAX_PHRED})`,
      );
    }
    return null;
  }
}

export interface FastqReaderOptions {
  signal?: AbortSignal;
  /**
   * Check every sequence letter and quality character (default true). The QC accumulator turns
   * this off because it checks the same bytes in its own per-base loops, saving a pass.
   */
  validateBases?: boolean;
  /** Called with each raw (compressed, for gzip) chunk's size as it is read from disk. */
  onRawBytes?: (bytes: number) => void;
  /** Chunk size override; tests use tiny chunks to exercise records straddling chunks. */
  chunkBytes?: number;
}

/**
 * One FASTQ file, opened for a single streaming pass:
 * `for await (const batch of await FastqReader.open(path)) { … }`.
 * After the pass, `sha256`, `records` and `rawBytesRead` describe the whole file.
 */
export class FastqReader implements AsyncIterable<FastqBatch> {
  private digest: string | null = null;
  private recordCount = 0;
  private rawBytes = 0;
  private started = false;
  /** The decoded-chunk iterator while a pass is under way (for `explainFault`). */
  private activeChunks: AsyncIterator<Buffer> | null = null;

  private constructor(
    readonly path: string,
    readonly name: string,
    readonly sizeBytes: number,
    readonly compression: Compression,
    private readonly options: FastqReaderOptions,
  ) {}

  /** Checks that the file exists, is readable and non-empty, and sniffs its compression. */
  static async open(path: string, options: FastqReaderOptions = {}): Promise<FastqReader> {
    const where: FaultLocation = { fileName: basename(path), filePath: path };
    let sizeBytes: number;
    try {
      const info = await stat(path);
      if (info.isDirectory()) throw faultAt('file-unreadable', where, 'is a folder, not a FASTQ file');
      if (!info.isFile()) throw faultAt('file-unreadable', where, 'is not a regular file');
      sizeBytes = info.size;
    } catch (error) {
      if (error instanceof IngestError) throw error;
      throw fileAccessFault(error, where);
    }
    if (sizeBytes === 0) throw faultAt('empty-file', where, 'the file is empty (0 bytes)');
    let head: Buffer;
    try {
      head = await readFileHead(path, 512);
    } catch (error) {
      throw fileAccessFault(error, where);
    }
    const format = sniffFormat(head);
    if (format.kind === 'unsupported-compression') {
      throw faultAt('unsupported', where, `is compressed with ${format.format}, which is not supported; recompress it with gzip or bgzip`);
    }
    if (format.kind === 'binary') throw faultAt('binary-file', where, `is ${format.format}, not FASTQ`);
    return new FastqReader(path, basename(path), sizeBytes, format.compression, options);
  }

  /** SHA-256 (hex) of the file's raw bytes; available after a complete pass. */
  get sha256(): string {
    if (this.digest === null) throw new Error(`sha256 of ${this.name} is known only after a complete pass`);
    return this.digest;
  }

  get records(): number {
    return this.recordCount;
  }

  get rawBytesRead(): number {
    return this.rawBytes;
  }

  /**
   * For a fault a consumer found in a batch (the QC's base checks), the better diagnosis: in gzip
   * input, damaged data can decode to plausible text with a bad letter in it, and only zlib's
   * checksum a little further on proves the file is corrupt. Call before ending the pass.
   */
  async explainFault(fault: unknown): Promise<unknown> {
    const chunks = this.activeChunks;
    if (!(fault instanceof IngestError) || fault.code === 'cancelled' || this.compression === 'none' || chunks === null) return fault;
    this.activeChunks = null;
    return preferGzipFault(fault, chunks, { fileName: this.name, filePath: this.path });
  }

  async *[Symbol.asyncIterator](): AsyncGenerator<FastqBatch> {
    if (this.started) throw new Error(`${this.name} is already being read; open it again for another pass`);
    this.started = true;
    const { signal } = this.options;
    if (signal?.aborted) throw cancelledError();
    const where: FaultLocation = { fileName: this.name, filePath: this.path };
    const decoded = openDecodedStream(this.path, this.compression, {
      ...(this.options.chunkBytes !== undefined ? { chunkBytes: this.options.chunkBytes } : {}),
      ...(this.options.onRawBytes !== undefined ? { onRawBytes: this.options.onRawBytes } : {}),
    });
    const abort = (): void => {
      decoded.readable.destroy(cancelledError());
    };
    signal?.addEventListener('abort', abort, { once: true });
    const parser = new FastqChunkParser(where, this.options.validateBases ?? true, this.compression);
    // Iterated by hand rather than with for-await so that a parse fault does not destroy the
    // stream: for gzip input we still want to read on a little to see if zlib reports damage.
    const chunks = (decoded.readable as AsyncIterable<Buffer>)[Symbol.asyncIterator]();
    this.activeChunks = chunks;
    try {
      for (;;) {
        let next: IteratorResult<Buffer>;
        try {
          next = await chunks.next();
        } catch (error) {
          throw streamFault(error, where, signal);
        }
        if (next.done) break;
        if (signal?.aborted) throw cancelledError();
        let batches: FastqBatch[];
        try {
          batches = parser.push(next.value);
        } catch (parseFault) {
          if (parseFault instanceof IngestError && this.compression !== 'none') throw await preferGzipFault(parseFault, chunks, where);
          throw parseFault;
        }
        for (const batch of batches) {
          this.recordCount += batch.count;
          yield batch;
          if (signal?.aborted) throw cancelledError();
        }
      }
      const last = parser.finish();
      if (last) {
        this.recordCount += last.count;
        yield last;
      }
      this.digest = decoded.sha256();
      this.rawBytes = decoded.rawBytesRead();
    } finally {
      this.activeChunks = null;
      signal?.removeEventListener('abort', abort);
      if (!decoded.readable.destroyed) decoded.readable.destroy();
    }
  }
}

function fileAccessFault(error: unknown, where: FaultLocation): IngestError {
  const code = (error as { code?: unknown }).code;
  if (code === 'ENOENT') return faultAt('file-not-found', where, `no such file: ${where.filePath}`);
  if (code === 'EACCES' || code === 'EPERM') return faultAt('file-unreadable', where, 'permission denied: the file cannot be read');
  if (code === 'EISDIR') return faultAt('file-unreadable', where, 'is a folder, not a FASTQ file');
  const reason = error instanceof Error ? error.message : String(error);
  return faultAt('file-unreadable', where, `cannot be read: ${reason}`);
}

/**
 * A parse fault in gzip input may be the first visible symptom of corruption. Drain a little more
 * output: if zlib then reports damage, that is the real fault; otherwise the parse fault stands.
 */
async function preferGzipFault(parseFault: IngestError, chunks: AsyncIterator<Buffer>, where: FaultLocation): Promise<IngestError> {
  let drained = 0;
  try {
    while (drained <= CORRUPTION_PROBE_BYTES) {
      const next = await chunks.next();
      if (next.done) break;
      drained += next.value.length;
    }
  } catch (error) {
    const gzipFault = streamFault(error, where, undefined);
    if (gzipFault.code === 'corrupt-gzip' || gzipFault.code === 'truncated-gzip') return gzipFault;
  }
  return parseFault;
}

/** Growable Int32 scratch column, copied out exactly-sized per batch. */
class OffsetColumn {
  values = new Int32Array(1024);

  ensure(capacity: number): void {
    if (capacity > this.values.length) {
      const grown = new Int32Array(Math.max(capacity, this.values.length * 2));
      grown.set(this.values);
      this.values = grown;
    }
  }

  take(count: number): Int32Array {
    return this.values.slice(0, count);
  }
}

/**
 * Turns decompressed chunks into batches (internal to `FastqReader`). State between chunks: the
 * partial record at the end of the last chunk, or the fact that it ended in blank lines.
 */
class FastqChunkParser {
  private nextRecord = 1;
  private sawContent = false;
  private sawLeadingBlank = false;
  /** Pieces of a record that started in an earlier chunk and has not ended yet. */
  private pending: Buffer[] = [];
  private pendingLineBreaks = 0;
  /** The previous chunk ended in blank lines: fine at end of file, a fault before a record. */
  private blankTail = false;
  /** The record number the first of those blank lines stands in place of. */
  private blankTailRecord = 0;
  private readonly headerStart = new OffsetColumn();
  private readonly headerEnd = new OffsetColumn();
  private readonly sequenceStart = new OffsetColumn();
  private readonly sequenceLength = new OffsetColumn();
  private readonly qualityStart = new OffsetColumn();
  private readonly batchLocation: Omit<FaultLocation, 'record' | 'line'>;

  constructor(
    private readonly where: FaultLocation,
    private readonly validateBases: boolean,
    private readonly compression: Compression,
  ) {
    this.batchLocation = { fileName: where.fileName, filePath: where.filePath };
  }

  push(input: Buffer): FastqBatch[] {
    let chunk = input;
    if (!this.sawContent) {
      chunk = this.checkStart(chunk);
      if (chunk.length === 0) return [];
    }
    if (this.blankTail) {
      const firstContent = firstNonBlank(chunk, 0);
      if (firstContent < 0) return [];
      throw this.blankLineFault();
    }
    const batches: FastqBatch[] = [];
    let from = 0;
    if (this.pending.length > 0) {
      // Complete the record that straddles the boundary: it needs 4 line breaks in total.
      let at = 0;
      let end = -1;
      while (this.pendingLineBreaks < 4) {
        const lineBreak = chunk.indexOf(LF, at);
        if (lineBreak < 0) break;
        this.pendingLineBreaks++;
        at = lineBreak + 1;
        if (this.pendingLineBreaks === 4) end = lineBreak;
      }
      if (end < 0) {
        this.pending.push(chunk);
        return batches;
      }
      const joined = Buffer.concat([...this.pending, chunk.subarray(0, end + 1)]);
      this.pending = [];
      this.pendingLineBreaks = 0;
      const straddling = this.parse(joined, 0);
      if (straddling.batch) batches.push(straddling.batch);
      from = end + 1;
    }
    const main = this.parse(chunk, from);
    if (main.batch) batches.push(main.batch);
    if (main.tailStart < chunk.length) this.keepTail(chunk, main.tailStart);
    return batches;
  }

  /** End of input: the last record may lack its final newline, or be cut short. */
  finish(): FastqBatch | null {
    if (!this.sawContent) {
      throw faultAt('empty-file', this.where, `contains no reads (${this.sawLeadingBlank ? 'only blank lines' : 'the decompressed content is empty'})`);
    }
    if (this.pending.length === 0) {
      if (this.nextRecord === 1) throw faultAt('empty-file', this.where, 'contains no reads (only blank lines)');
      return null;
    }
    const rest = Buffer.concat(this.pending);
    this.pending = [];
    const record = this.nextRecord;
    const lines = splitLines(rest);
    if (lines.length === 4) {
      // A complete record without its final newline; a short quality line means the file was cut.
      const sequenceLength = lines[1]!.length;
      const qualityLength = lines[3]!.length;
      if (qualityLength < sequenceLength && lines[0]![0] === AT && lines[2]![0] === PLUS) {
        throw faultAt(
          'truncated-record',
          this.locationOf(record, 3),
          `the file ends in the middle of the quality line (${formatCount(qualityLength)} of ${formatCount(sequenceLength)} characters); the file looks truncated`,
        );
      }
      const terminated = Buffer.concat([rest, Buffer.from([LF])]);
      const parsed = this.parse(terminated, 0);
      return parsed.batch;
    }
    // Fewer than 4 lines: report a malformed line if there is one, else the truncation.
    if (lines[0]![0] !== AT) throw this.headerFault(record, lines[0]!.toString('latin1'), 0);
    if (lines.length >= 3 && lines[2]![0] !== PLUS) throw this.plusFault(record, lines[2]!.toString('latin1'));
    const missing = ['sequence', "'+'", 'quality'].slice(lines.length - 1).join(', ').replace(/, ([^,]*)$/, ' and $1');
    throw faultAt(
      'truncated-record',
      this.locationOf(record, lines.length - 1),
      `the file ends in the middle of a record: only ${lines.length} of its 4 lines are present (the ${missing} line${lines.length === 3 ? ' is' : 's are'} missing); the file looks truncated`,
    );
  }

  /** First bytes of content: skip a BOM, and refuse binary data and formats that are not FASTQ. */
  private checkStart(chunk: Buffer): Buffer {
    let start = 0;
    if (!this.sawLeadingBlank && chunk.length >= 3 && BOM.every((b, i) => chunk[i] === b)) start = 3;
    const firstContent = firstNonBlank(chunk, start);
    if (firstContent < 0) {
      // Only blank lines so far: an empty file if nothing else follows.
      this.sawLeadingBlank ||= chunk.length > start;
      return chunk.subarray(chunk.length);
    }
    this.sawContent = true;
    const head = chunk.subarray(firstContent, firstContent + SNIFF_BYTES);
    const firstLineEnd = head.indexOf(LF);
    const firstLine = head.toString('latin1', 0, firstLineEnd < 0 ? Math.min(head.length, 200) : firstLineEnd).replace(/\r$/, '');
    if (this.compression !== 'none' && head.toString('latin1', 0, 4) === 'BAM\u0001') {
      throw faultAt('binary-file', this.where, 'is a BAM file (binary alignments), not FASTQ; `samtools fastq` converts it');
    }
    const nul = head.indexOf(0);
    if (nul >= 0) {
      throw faultAt('binary-file', this.where, `contains binary data (a NUL byte at byte ${formatCount(firstContent + nul + 1)} of the content), not FASTQ text`);
    }
    if (binaryByteShare(head) > BINARY_BYTE_SHARE) {
      throw faultAt('binary-file', this.where, 'contains binary data (many control or non-ASCII bytes), not FASTQ text');
    }
    const where: FaultLocation = { ...this.where, record: 1, line: 1 };
    if (head[0] === 62 /* '>' */) {
      throw faultAt('not-fastq', where, `looks like FASTA (${quoteForMessage(firstLine, 40)}); FASTQ with base qualities is needed`);
    }
    if (/^@(HD|SQ|RG|PG|CO)\t/.test(firstLine)) {
      throw faultAt('not-fastq', where, 'looks like SAM (alignments), not FASTQ; `samtools fastq` converts it');
    }
    if (head[0] !== AT) {
      throw faultAt('not-fastq', where, `is not FASTQ: the first line should start with '@' but is ${quoteForMessage(firstLine, 60)}`);
    }
    if (this.sawLeadingBlank || firstContent > start) {
      // Blank lines before the first record would shift every line number we report; refuse them.
      throw this.headerFault(1, '', 0);
    }
    return chunk.subarray(firstContent);
  }

  /**
   * Parses whole records from `buffer[from…)`. Returns the batch (null if none) and where the
   * unparsed tail (an incomplete record) starts.
   */
  private parse(buffer: Buffer, from: number): { batch: FastqBatch | null; tailStart: number } {
    const firstRecord = this.nextRecord;
    // A record is at least 6 bytes ("@\n\n+\n\n"): enough capacity for any chunk.
    const capacity = Math.ceil((buffer.length - from) / 6) + 1;
    this.headerStart.ensure(capacity);
    this.headerEnd.ensure(capacity);
    this.sequenceStart.ensure(capacity);
    this.sequenceLength.ensure(capacity);
    this.qualityStart.ensure(capacity);
    const headerStarts = this.headerStart.values;
    const headerEnds = this.headerEnd.values;
    const sequenceStarts = this.sequenceStart.values;
    const sequenceLengths = this.sequenceLength.values;
    const qualityStarts = this.qualityStart.values;
    const validateBases = this.validateBases;
    const length = buffer.length;
    let count = 0;
    let at = from;
    while (at < length) {
      const headerBreak = buffer.indexOf(LF, at);
      if (headerBreak < 0) break;
      const sequenceBreak = buffer.indexOf(LF, headerBreak + 1);
      if (sequenceBreak < 0) break;
      const plusStart = sequenceBreak + 1;
      let plusBreak: number;
      if (buffer[plusStart] === PLUS && buffer[plusStart + 1] === LF) plusBreak = plusStart + 1;
      else {
        plusBreak = buffer.indexOf(LF, plusStart);
        if (plusBreak < 0) break;
      }
      const qualityStart = plusBreak + 1;
      const sequenceStart = headerBreak + 1;
      const sequenceEnd = sequenceBreak > sequenceStart && buffer[sequenceBreak - 1] === CR ? sequenceBreak - 1 : sequenceBreak;
      const sequenceLength = sequenceEnd - sequenceStart;
      // Fast path: the quality line ends exactly where the sequence length says it should.
      let qualityEnd = qualityStart + sequenceLength;
      let qualityBreak: number;
      if (qualityEnd < length && buffer[qualityEnd] === LF) qualityBreak = qualityEnd;
      else if (qualityEnd + 1 < length && buffer[qualityEnd] === CR && buffer[qualityEnd + 1] === LF) qualityBreak = qualityEnd + 1;
      else {
        qualityBreak = buffer.indexOf(LF, qualityStart);
        if (qualityBreak < 0) break;
        qualityEnd = qualityBreak > qualityStart && buffer[qualityBreak - 1] === CR ? qualityBreak - 1 : qualityBreak;
      }
      const record = firstRecord + count;
      if (buffer[at] !== AT) {
        if (buffer[at] === LF || buffer[at] === CR) {
          // Blank lines: acceptable only if nothing but blank lines follows to the end of file.
          if (firstNonBlank(buffer, at) < 0) break;
        }
        throw this.headerFault(record, lineText(buffer, at, headerBreak), 0);
      }
      if (buffer[plusStart] !== PLUS) throw this.plusFault(record, lineText(buffer, plusStart, plusBreak));
      if (qualityEnd - qualityStart !== sequenceLength) {
        // Fast path failed: find the real end of the quality line before judging.
        const realBreak = buffer.indexOf(LF, qualityStart);
        const realEnd = realBreak > qualityStart && buffer[realBreak - 1] === CR ? realBreak - 1 : realBreak;
        throw this.lengthFault(record, sequenceLength, realEnd - qualityStart);
      }
      headerStarts[count] = at;
      headerEnds[count] = headerBreak > at && buffer[headerBreak - 1] === CR ? headerBreak - 1 : headerBreak;
      sequenceStarts[count] = sequenceStart;
      sequenceLengths[count] = sequenceLength;
      qualityStarts[count] = qualityStart;
      count++;
      if (validateBases && !basesAreValid(buffer, sequenceStart, qualityStart, sequenceLength)) {
        const batch = this.makeBatch(buffer, count, firstRecord);
        throw batch.diagnoseBases(count - 1)!;
      }
      at = qualityBreak + 1;
    }
    this.nextRecord = firstRecord + count;
    return { batch: count > 0 ? this.makeBatch(buffer, count, firstRecord) : null, tailStart: at };
  }

  private makeBatch(buffer: Buffer, count: number, firstRecord: number): FastqBatch {
    return new FastqBatch(
      buffer,
      count,
      firstRecord,
      this.headerStart.take(count),
      this.headerEnd.take(count),
      this.sequenceStart.take(count),
      this.sequenceLength.take(count),
      this.qualityStart.take(count),
      this.batchLocation,
    );
  }

  private keepTail(chunk: Buffer, tailStart: number): void {
    if (firstNonBlank(chunk, tailStart) < 0) {
      this.blankTail = true;
      this.blankTailRecord = this.nextRecord;
      return;
    }
    const tail = chunk.subarray(tailStart);
    this.pending = [tail];
    let breaks = 0;
    for (let at = tail.indexOf(LF); at >= 0 && breaks < 4; at = tail.indexOf(LF, at + 1)) breaks++;
    this.pendingLineBreaks = breaks;
  }

  private blankLineFault(): IngestError {
    return faultAt('missing-header', this.locationOf(this.blankTailRecord, 0), "expected a header line starting with '@' but found a blank line");
  }

  private locationOf(record: number, lineInRecord: number): FaultLocation {
    return { ...this.where, record, line: recordFirstLine(record) + lineInRecord };
  }

  private headerFault(record: number, line: string, lineInRecord: number): IngestError {
    const found = line.trim().length === 0 ? 'a blank line' : quoteForMessage(line, 60);
    return faultAt('missing-header', this.locationOf(record, lineInRecord), `expected a header line starting with '@' but found ${found}`);
  }

  private plusFault(record: number, line: string): IngestError {
    return faultAt(
      'missing-plus',
      this.locationOf(record, 2),
      `expected the '+' separator line after the sequence but found ${quoteForMessage(line, 60)} (wrapped multi-line FASTQ is not supported)`,
    );
  }

  private lengthFault(record: number, sequenceLength: number, qualityLength: number): IngestError {
    return faultAt(
      'length-mismatch',
      this.locationOf(record, 3),
      `sequence is ${formatCount(sequenceLength)} bases but quality is ${formatCount(qualityLength)} characters`,
    );
  }
}

/** Fast check of one record's bases; the caller diagnoses precisely when this says no. */
function basesAreValid(buffer: Buffer, sequenceStart: number, qualityStart: number, length: number): boolean {
  let invalid = 0;
  for (let i = 0; i < length; i++) invalid |= SEQUENCE_CLASS[buffer[sequenceStart + i]!]!;
  if ((invalid & BASE_INVALID) !== 0) return false;
  let outOfRange = 0;
  for (let i = 0; i < length; i++) {
    const phred = buffer[qualityStart + i]! - PHRED_OFFSET;
    outOfRange |= phred | (MAX_PHRED - phred);
  }
  return outOfRange >= 0;
}

/** Index of the first byte at or after `from` that is not a space, tab, CR or LF; -1 if none. */
function firstNonBlank(buffer: Buffer, from: number): number {
  for (let i = from; i < buffer.length; i++) {
    const c = buffer[i]!;
    if (c !== LF && c !== CR && c !== 32 && c !== 9) return i;
  }
  return -1;
}

function lineText(buffer: Buffer, start: number, lineBreak: number): string {
  const end = Math.min(lineBreak < 0 ? buffer.length : lineBreak, start + 200);
  return buffer.toString('latin1', start, end).replace(/\r$/, '');
}

/** Lines of a short remainder (at most 4 lines), without line terminators. */
function splitLines(rest: Buffer): Buffer[] {
  const lines: Buffer[] = [];
  let start = 0;
  while (start < rest.length) {
    let lineBreak = rest.indexOf(LF, start);
    if (lineBreak < 0) lineBreak = rest.length;
    const end = lineBreak > start && rest[lineBreak - 1] === CR ? lineBreak - 1 : lineBreak;
    lines.push(rest.subarray(start, end));
    start = lineBreak + 1;
  }
  // Trailing blank lines after a partial record say nothing about it.
  while (lines.length > 1 && firstNonBlank(lines[lines.length - 1]!, 0) < 0) lines.pop();
  return lines;
}

function binaryByteShare(head: Buffer): number {
  const sample = Math.min(head.length, 4096);
  if (sample === 0) return 0;
  let odd = 0;
  for (let i = 0; i < sample; i++) {
    const c = head[i]!;
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c >= 127) odd++;
  }
  return odd / sample;
}
