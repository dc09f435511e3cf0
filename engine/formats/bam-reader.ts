/**
 * Sequential reading of BAM files (and of headerless BGZF runs of BAM records, as the
 * sorter spills them): header parsing, record iteration, and the virtual offset of every
 * record boundary, which `buildBaiIndex` needs to index an existing BAM.
 *
 * Not a general BAM reader (igv.js and @gmod/bam do region queries on user files); this
 * is what our own writer, sorter and indexer need.
 */
import { readBgzfBlocks, makeVirtualOffset, type BgzfBlock, type VirtualOffset } from './bgzf.js';
import type { BamReferenceBounds } from './bam-record.js';

export interface BamFileHeader {
  text: string;
  references: BamReferenceBounds[];
}

/**
 * Map from uncompressed stream offsets to virtual offsets, recorded block by block. A stream
 * offset on a block boundary maps to the start of the next block, as htslib's `bgzf_tell`
 * reports it, so indexes built from it match `samtools index`.
 */
export class BlockOffsetMap {
  private uncompressedStarts = new Float64Array(1024);
  private compressedStarts = new Float64Array(1024);
  private count = 0;

  add(uncompressedStart: number, compressedStart: number): void {
    if (this.count === this.uncompressedStarts.length) {
      const u = new Float64Array(this.count * 2);
      const c = new Float64Array(this.count * 2);
      u.set(this.uncompressedStarts);
      c.set(this.compressedStarts);
      this.uncompressedStarts = u;
      this.compressedStarts = c;
    }
    this.uncompressedStarts[this.count] = uncompressedStart;
    this.compressedStarts[this.count] = compressedStart;
    this.count++;
  }

  /** Virtual offset of an uncompressed stream offset (must be within the recorded blocks or at their end). */
  resolve(streamOffset: number): VirtualOffset {
    // First block starting at or after streamOffset.
    let lo = 0;
    let hi = this.count;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.uncompressedStarts[mid]! < streamOffset) lo = mid + 1;
      else hi = mid;
    }
    if (lo < this.count && this.uncompressedStarts[lo] === streamOffset) return makeVirtualOffset(this.compressedStarts[lo]!, 0);
    if (lo === 0) throw new RangeError(`Stream offset ${streamOffset} precedes the first block`);
    return makeVirtualOffset(this.compressedStarts[lo - 1]!, streamOffset - this.uncompressedStarts[lo - 1]!);
  }
}

/** An uncompressed byte stream over a BGZF file, read block by block. */
export class BgzfByteStream {
  readonly path: string;
  /** Where each block starts, when asked for (for indexing). */
  readonly offsetMap: BlockOffsetMap | undefined;
  private readonly blocks: AsyncGenerator<BgzfBlock>;
  private buffer: Buffer = Buffer.alloc(0);
  private cursor = 0;
  /** Uncompressed stream offset of buffer[0]. */
  private bufferStart = 0;
  private totalIn = 0;
  private ended = false;

  constructor(path: string, options: { recordOffsets?: boolean; signal?: AbortSignal } = {}) {
    this.path = path;
    this.offsetMap = options.recordOffsets ? new BlockOffsetMap() : undefined;
    this.blocks = readBgzfBlocks(path, options.signal ? { signal: options.signal } : {});
  }

  /** Uncompressed stream offset of the next unread byte. */
  get position(): number {
    return this.bufferStart + this.cursor;
  }

  get available(): number {
    return this.buffer.length - this.cursor;
  }

  /** Reads blocks until at least `count` bytes are buffered; false if the stream ends first. */
  async fill(count: number): Promise<boolean> {
    while (this.available < count) {
      if (this.ended) return false;
      const next = await this.blocks.next();
      if (next.done) {
        this.ended = true;
        return false;
      }
      const block = next.value;
      this.offsetMap?.add(this.totalIn, block.compressedOffset);
      this.totalIn += block.data.length;
      if (block.data.length === 0) continue;
      const rest = this.buffer.subarray(this.cursor);
      this.bufferStart += this.cursor;
      this.buffer = rest.length === 0 ? block.data : Buffer.concat([rest, block.data]);
      this.cursor = 0;
    }
    return true;
  }

  /** Takes `count` buffered bytes (a view, not a copy). */
  take(count: number): Buffer {
    if (count > this.available) throw new RangeError(`Only ${this.available} bytes buffered, ${count} requested`);
    const out = this.buffer.subarray(this.cursor, this.cursor + count);
    this.cursor += count;
    return out;
  }

  /**
   * The next line including its newline, or the last line if the file does not end with
   * one; null at the end.
   */
  async readLine(): Promise<Buffer | null> {
    let searchFrom = 0;
    for (;;) {
      const newline = this.buffer.indexOf(0x0a, this.cursor + searchFrom);
      if (newline >= 0) return this.take(newline + 1 - this.cursor);
      searchFrom = this.available;
      if (!(await this.fill(searchFrom + 1))) return searchFrom > 0 ? this.take(searchFrom) : null;
    }
  }

  peekInt32(): number {
    return this.buffer.readInt32LE(this.cursor);
  }

  /** True once the whole file has been read and consumed. */
  async atEnd(): Promise<boolean> {
    return !(await this.fill(1));
  }

  /** Stops reading early and closes the file. */
  async close(): Promise<void> {
    await this.blocks.return(undefined);
  }
}

/** Reads BAM records (block_size included) from a BGZF byte stream. */
export class BamRecordReader {
  readonly stream: BgzfByteStream;

  constructor(stream: BgzfByteStream) {
    this.stream = stream;
  }

  /** The next record if it is already buffered, else undefined (then call `next()`). */
  tryNext(): Buffer | undefined {
    const s = this.stream;
    if (s.available < 4) return undefined;
    const size = s.peekInt32() + 4;
    if (s.available < size) return undefined;
    return s.take(size);
  }

  /** The next record, or null at the end of the stream. */
  async next(): Promise<Buffer | null> {
    const s = this.stream;
    if (s.available < 4 && !(await s.fill(4))) {
      if (s.available > 0) throw new Error(`${s.path}: truncated BAM record at uncompressed offset ${s.position}`);
      return null;
    }
    const blockSize = s.peekInt32();
    if (blockSize < 32) throw new Error(`${s.path}: invalid BAM record size ${blockSize} at uncompressed offset ${s.position}`);
    if (!(await s.fill(blockSize + 4))) throw new Error(`${s.path}: truncated BAM record at uncompressed offset ${s.position}`);
    return s.take(blockSize + 4);
  }
}

/** Reads the BAM header (magic, text, references) from the start of a stream. */
export async function readBamHeader(stream: BgzfByteStream): Promise<BamFileHeader> {
  const need = async (n: number): Promise<void> => {
    if (!(await stream.fill(n))) throw new Error(`${stream.path}: BAM header truncated`);
  };
  await need(8);
  const magic = stream.take(4);
  if (magic.toString('latin1') !== 'BAM\x01') throw new Error(`${stream.path}: not a BAM file (bad magic)`);
  const textLength = stream.take(4).readInt32LE(0);
  await need(textLength + 4);
  // Some writers NUL-pad the text; SAM text ends at the first NUL.
  const rawText = stream.take(textLength).toString('latin1');
  const nul = rawText.indexOf('\0');
  const text = nul >= 0 ? rawText.slice(0, nul) : rawText;
  const referenceCount = stream.take(4).readInt32LE(0);
  const references: BamReferenceBounds[] = [];
  for (let i = 0; i < referenceCount; i++) {
    await need(4);
    const nameLength = stream.take(4).readInt32LE(0);
    await need(nameLength + 4);
    const name = stream.take(nameLength).toString('latin1').replace(/\0+$/, '');
    const length = stream.take(4).readInt32LE(0);
    references.push({ name, length });
  }
  return { text, references };
}
