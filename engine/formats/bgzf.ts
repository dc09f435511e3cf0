/**
 * BGZF: the blocked gzip format of SAMv1 §4.1, used by BAM, bgzipped VCF/BED and tabix indexes.
 *
 * A BGZF file is a series of gzip members ("blocks") of at most 64 KiB each, every one
 * carrying its own compressed size in a `BC` extra field, followed by a fixed 28-byte empty
 * block that marks a complete file. Because blocks are independent, a position in the
 * file can be named by a *virtual offset*: the compressed offset of a block's first byte
 * shifted left 16 bits, or'ed with an offset into that block's uncompressed data. Indexes
 * (BAI, TBI, GZI) store virtual offsets.
 *
 * The writer follows htslib: it fills 0xff00 bytes of input per block (0xff00 deflates to
 * at most 0xff00 + a few dozen bytes, so a block always fits in 64 KiB even when the data
 * does not compress), writes the same header bytes and the same EOF block, and compresses
 * with raw deflate at the given level (default 6, zlib's and htslib's default).
 *
 * Compression runs on the libuv thread pool (async `deflateRaw`), several blocks at once.
 * Since a block's compressed size is only known once its compression finishes, the writer
 * hands out *provisional* positions (block ordinal << 16 | offset in block) while writing
 * and converts them to real virtual offsets once the blocks are on disk; index builders
 * record provisional positions and resolve them at the end. Ordinals are monotonic in the
 * same order as file offsets, so everything an index builder compares while records
 * arrive (order, equality) is the same for both forms.
 */
import { crc32, deflateRaw, deflateRawSync, inflateRaw, inflateRawSync } from 'node:zlib';
import { open } from 'node:fs/promises';
import { promisify } from 'node:util';
import { AtomicFile } from './atomic-file.js';

const deflateRawAsync = promisify(deflateRaw);
const inflateRawAsync = promisify(inflateRaw);

/** Uncompressed bytes per block, as htslib's BGZF_BLOCK_SIZE. */
export const BGZF_BLOCK_DATA_SIZE = 0xff00;
/** Largest allowed block, compressed or uncompressed (BSIZE is 16 bits, storing size - 1). */
export const BGZF_MAX_BLOCK_SIZE = 0x10000;
/** gzip header (with the 6-byte BC extra field) before the deflate data. */
const BGZF_HEADER_SIZE = 18;
/** CRC32 + ISIZE after the deflate data. */
const BGZF_FOOTER_SIZE = 8;

/**
 * The standard empty block that ends every BGZF file (SAMv1 §4.1.2). Readers use it to
 * tell a complete file from a truncated one.
 */
export const BGZF_EOF_BLOCK: Buffer = Buffer.from(
  '1f8b08040000000000ff0600424302001b0003000000000000000000',
  'hex',
);

/**
 * A virtual offset as stored in indexes: compressed block offset << 16 | offset within the
 * uncompressed block. BigInt because compressed offsets may exceed 2^37 (files > 128 GiB),
 * beyond which a float64 loses the low bits.
 */
export type VirtualOffset = bigint;

/**
 * A writer's provisional position: block ordinal * 65536 + offset within the block.
 * Exact as a number for any realistic file (< 2^37 blocks); see `BgzfWriter.resolvePosition`.
 */
export type BgzfPosition = number;

export function makeVirtualOffset(compressedOffset: number, uncompressedOffset: number): VirtualOffset {
  return (BigInt(compressedOffset) << 16n) | BigInt(uncompressedOffset);
}

export function splitVirtualOffset(offset: VirtualOffset): { compressedOffset: number; uncompressedOffset: number } {
  return { compressedOffset: Number(offset >> 16n), uncompressedOffset: Number(offset & 0xffffn) };
}

function validateLevel(level: number): void {
  if (!Number.isInteger(level) || level < -1 || level > 9) {
    throw new RangeError(`BGZF compression level must be an integer from -1 to 9, got ${level}`);
  }
}

/** Wraps raw-deflate output in a BGZF gzip member (header with BC field, CRC32, ISIZE). */
function assembleBgzfBlock(uncompressed: Uint8Array, deflated: Uint8Array): Buffer {
  const blockSize = BGZF_HEADER_SIZE + deflated.length + BGZF_FOOTER_SIZE;
  if (blockSize > BGZF_MAX_BLOCK_SIZE) {
    throw new RangeError(`BGZF block would be ${blockSize} bytes (limit ${BGZF_MAX_BLOCK_SIZE})`);
  }
  const block = Buffer.allocUnsafe(blockSize);
  // ID1 ID2 CM=deflate FLG=FEXTRA, MTIME=0, XFL=0, OS=255 (unknown), XLEN=6: htslib's bytes.
  block[0] = 0x1f;
  block[1] = 0x8b;
  block[2] = 0x08;
  block[3] = 0x04;
  block.writeUInt32LE(0, 4);
  block[8] = 0x00;
  block[9] = 0xff;
  block.writeUInt16LE(6, 10);
  block[12] = 0x42; // 'B'
  block[13] = 0x43; // 'C'
  block.writeUInt16LE(2, 14);
  block.writeUInt16LE(blockSize - 1, 16);
  block.set(deflated, BGZF_HEADER_SIZE);
  block.writeUInt32LE(crc32(uncompressed) >>> 0, blockSize - 8);
  block.writeUInt32LE(uncompressed.length, blockSize - 4);
  return block;
}

function checkBlockInput(data: Uint8Array): void {
  if (data.length > BGZF_MAX_BLOCK_SIZE) {
    throw new RangeError(`BGZF block input is ${data.length} bytes; at most ${BGZF_MAX_BLOCK_SIZE} fit in one block`);
  }
}

/**
 * Compresses up to 64 KiB into one BGZF block, synchronously. If the data does not compress
 * enough to fit (only possible above 0xff00 bytes of incompressible input), it is stored
 * (level 0); if even that does not fit, this throws.
 */
export function writeBgzfBlock(data: Uint8Array, level = 6): Buffer {
  validateLevel(level);
  checkBlockInput(data);
  const deflated = deflateRawSync(data, { level });
  if (BGZF_HEADER_SIZE + deflated.length + BGZF_FOOTER_SIZE <= BGZF_MAX_BLOCK_SIZE) return assembleBgzfBlock(data, deflated);
  return assembleBgzfBlock(data, deflateRawSync(data, { level: 0 }));
}

/** `writeBgzfBlock` on the libuv thread pool, so several blocks can compress in parallel. */
export async function compressBgzfBlock(data: Uint8Array, level = 6): Promise<Buffer> {
  validateLevel(level);
  checkBlockInput(data);
  // One 64 KiB output chunk: the whole block comes back in one piece, with no concatenation.
  const deflated = await deflateRawAsync(data, { level, chunkSize: BGZF_MAX_BLOCK_SIZE });
  if (BGZF_HEADER_SIZE + deflated.length + BGZF_FOOTER_SIZE <= BGZF_MAX_BLOCK_SIZE) return assembleBgzfBlock(data, deflated);
  return assembleBgzfBlock(data, await deflateRawAsync(data, { level: 0, chunkSize: BGZF_MAX_BLOCK_SIZE }));
}

export interface BgzfWriterOptions {
  /** zlib level, -1 (default = 6) to 9. Default 6, as htslib. */
  level?: number;
  /**
   * Blocks compressed ahead of the file write. More than the thread-pool size (4 by default,
   * UV_THREADPOOL_SIZE) gains nothing; memory is about 128 KiB per block.
   */
  maxBlocksInFlight?: number;
  /** fsync before the rename (default true); off for scratch files. */
  durable?: boolean;
}

export interface BgzfWriteSummary {
  path: string;
  /** File size including the EOF block. */
  compressedBytes: number;
  uncompressedBytes: number;
  /** Data blocks, not counting the EOF block. */
  blocks: number;
}

/**
 * Streams data into a BGZF file written under a temp name, renamed on `close()`/`commit()`.
 *
 * Await each `write` before the next: data is appended in call order, and awaiting is what
 * applies back-pressure (at most `maxBlocksInFlight` blocks wait in memory).
 */
export class BgzfWriter {
  readonly path: string;
  private readonly file: AtomicFile;
  private readonly level: number;
  private readonly maxBlocksInFlight: number;
  private buffer: Buffer = Buffer.allocUnsafe(BGZF_BLOCK_DATA_SIZE);
  private used = 0;
  /** Ordinal of the block now being filled (= blocks submitted so far). */
  private blockOrdinal = 0;
  /** Compressed blocks in file order, awaiting their turn to be written. */
  private readonly pending: Promise<Buffer>[] = [];
  /** blockStarts[i] = compressed offset of block i; one entry past the last written block. */
  private blockStarts = new Float64Array(1024);
  /** Uncompressed length of each submitted block, by ordinal. */
  private blockLengths = new Uint32Array(1024);
  private blocksWritten = 0;
  private uncompressedBytes = 0;
  private failure: unknown;
  private draining: Promise<void> | undefined;
  private state: 'open' | 'finished' | 'committed' | 'aborted' = 'open';

  private constructor(path: string, file: AtomicFile, level: number, maxBlocksInFlight: number) {
    this.path = path;
    this.file = file;
    this.level = level;
    this.maxBlocksInFlight = maxBlocksInFlight;
    this.blockStarts[0] = 0;
  }

  static async create(path: string, options: BgzfWriterOptions = {}): Promise<BgzfWriter> {
    const level = options.level ?? 6;
    validateLevel(level);
    const maxBlocksInFlight = Math.max(1, options.maxBlocksInFlight ?? 8);
    const file = await AtomicFile.create(path, { durable: options.durable ?? true });
    return new BgzfWriter(path, file, level, maxBlocksInFlight);
  }

  /**
   * Where the next byte will go, as a provisional position (see `BgzfPosition`). Never points
   * at the end of a full block: a full block is submitted at once, so the position is then
   * (next block, 0), which is how htslib's `bgzf_tell` reports it too.
   */
  get position(): BgzfPosition {
    return this.blockOrdinal * 0x10000 + this.used;
  }

  /** Uncompressed bytes accepted so far. */
  get bytesIn(): number {
    return this.uncompressedBytes;
  }

  /** Appends data, splitting it across blocks as needed. */
  async write(data: Uint8Array): Promise<void> {
    this.requireOpen();
    this.append(data);
    if (this.pending.length >= this.maxBlocksInFlight) await this.drainTo(this.maxBlocksInFlight >> 1);
  }

  /**
   * Appends data that should not straddle a block boundary if it can be avoided: if it
   * does not fit in the rest of the current block, that block is ended first (htslib's
   * `bgzf_flush_try`, used for BAM records and VCF lines). Data larger than a block still
   * spans blocks.
   */
  async writeRecord(data: Uint8Array): Promise<void> {
    this.requireOpen();
    if (this.used > 0 && this.used + data.length > BGZF_BLOCK_DATA_SIZE) this.submitBlock();
    await this.write(data);
  }

  /** Ends the current block now (htslib `bgzf_flush`), e.g. after a BAM header. */
  async flushBlock(): Promise<void> {
    this.requireOpen();
    if (this.used > 0) this.submitBlock();
    if (this.pending.length >= this.maxBlocksInFlight) await this.drainTo(this.maxBlocksInFlight >> 1);
  }

  /**
   * The real virtual offset of a provisional position. Valid once the block it points into
   * has its start known, i.e. all earlier blocks are written; always valid after `finish()`.
   *
   * A position at the very end of a block (the record before it ended the block, e.g. when
   * `writeRecord` started a new block) resolves to the start of the next block, as htslib's
   * `bgzf_tell` reports it when reading: indexes then match `samtools index` exactly.
   */
  resolvePosition(position: BgzfPosition): VirtualOffset {
    let ordinal = Math.floor(position / 0x10000);
    let within = position - ordinal * 0x10000;
    if (ordinal < this.blocksWritten && within === this.blockLengths[ordinal]) {
      ordinal++;
      within = 0;
    }
    if (ordinal > this.blocksWritten) {
      throw new RangeError(`BGZF position in block ${ordinal} is not resolvable yet (${this.blocksWritten} blocks written)`);
    }
    return makeVirtualOffset(this.blockStarts[ordinal]!, within);
  }

  /** Writes the last block and the EOF marker, syncs and closes the temp file (not yet renamed). */
  async finish(): Promise<BgzfWriteSummary> {
    this.requireOpen();
    if (this.used > 0) this.submitBlock();
    await this.drainTo(0);
    await this.file.write(BGZF_EOF_BLOCK);
    await this.file.finish();
    this.state = 'finished';
    return {
      path: this.path,
      compressedBytes: this.file.bytesWritten,
      uncompressedBytes: this.uncompressedBytes,
      blocks: this.blocksWritten,
    };
  }

  /** Renames the finished file to its final path. */
  async commit(): Promise<void> {
    if (this.state !== 'finished') throw new Error(`Cannot commit ${this.path}: writer is ${this.state}`);
    await this.file.commit();
    this.state = 'committed';
  }

  /** `finish()` then `commit()`. */
  async close(): Promise<BgzfWriteSummary> {
    const summary = await this.finish();
    await this.commit();
    return summary;
  }

  /** Drops everything and deletes the temp file. Never throws; safe after a failure. */
  async abort(): Promise<void> {
    if (this.state === 'committed' || this.state === 'aborted') return;
    this.state = 'aborted';
    // Let in-flight compressions settle so no thread-pool work outlives the writer.
    await Promise.allSettled(this.pending.splice(0));
    await this.file.discard();
  }

  private requireOpen(): void {
    if (this.failure !== undefined) throw this.failure;
    if (this.state !== 'open') throw new Error(`BGZF writer for ${this.path} is ${this.state}`);
  }

  private append(data: Uint8Array): void {
    let offset = 0;
    while (offset < data.length) {
      const n = Math.min(data.length - offset, BGZF_BLOCK_DATA_SIZE - this.used);
      this.buffer.set(n === data.length ? data : data.subarray(offset, offset + n), this.used);
      this.used += n;
      offset += n;
      if (this.used === BGZF_BLOCK_DATA_SIZE) this.submitBlock();
    }
    this.uncompressedBytes += data.length;
  }

  private submitBlock(): void {
    const data = this.used === this.buffer.length ? this.buffer : this.buffer.subarray(0, this.used);
    const compressed = compressBgzfBlock(data, this.level);
    // Marks the rejection as handled; it is rethrown where the block is awaited in order.
    compressed.catch(() => undefined);
    this.pending.push(compressed);
    if (this.blockOrdinal >= this.blockLengths.length) {
      const grown = new Uint32Array(this.blockLengths.length * 2);
      grown.set(this.blockLengths);
      this.blockLengths = grown;
    }
    this.blockLengths[this.blockOrdinal] = this.used;
    // The submitted buffer belongs to the compression job until it completes.
    this.buffer = Buffer.allocUnsafe(BGZF_BLOCK_DATA_SIZE);
    this.used = 0;
    this.blockOrdinal++;
  }

  /**
   * Writes compressed blocks, in order, until at most `limit` are pending. Serialized: a
   * second caller waits for the first, so two drains never take the same block.
   */
  private async drainTo(limit: number): Promise<void> {
    while (this.draining) await this.draining;
    this.draining = this.writePendingBlocks(limit);
    try {
      await this.draining;
    } finally {
      this.draining = undefined;
    }
  }

  private async writePendingBlocks(limit: number): Promise<void> {
    try {
      while (this.pending.length > limit) {
        const block = await this.pending[0]!;
        this.pending.shift();
        await this.file.write(block);
        this.recordBlockEnd(this.file.bytesWritten);
      }
    } catch (error) {
      this.failure ??= error;
      throw error;
    }
  }

  private recordBlockEnd(compressedOffset: number): void {
    this.blocksWritten++;
    if (this.blocksWritten >= this.blockStarts.length) {
      const grown = new Float64Array(this.blockStarts.length * 2);
      grown.set(this.blockStarts);
      this.blockStarts = grown;
    }
    this.blockStarts[this.blocksWritten] = compressedOffset;
  }
}

// ---------------------------------------------------------------------------
// Reading

/** Raised for input that is gzip but not BGZF (no BC field), so callers can suggest bgzip. */
export class NotBgzfError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NotBgzfError';
  }
}

/**
 * Total size of the BGZF block starting at `offset`, from its BC field; `undefined` when
 * fewer bytes than a header are available. Throws on anything that is not a BGZF header.
 */
export function bgzfBlockSizeAt(buffer: Uint8Array, offset: number): number | undefined {
  if (buffer.length - offset < 12) return undefined;
  if (buffer[offset] !== 0x1f || buffer[offset + 1] !== 0x8b) {
    throw new Error(`No gzip header at compressed offset ${offset}`);
  }
  if (buffer[offset + 2] !== 8 || (buffer[offset + 3]! & 0x04) === 0) {
    throw new NotBgzfError(`gzip member at offset ${offset} has no extra field, so it is plain gzip, not BGZF`);
  }
  const extraLength = buffer[offset + 10]! | (buffer[offset + 11]! << 8);
  if (buffer.length - offset < 12 + extraLength) return undefined;
  // Walk the extra subfields for BC (SAMv1 allows others around it).
  let p = offset + 12;
  const extraEnd = p + extraLength;
  while (p + 4 <= extraEnd) {
    const subfieldLength = buffer[p + 2]! | (buffer[p + 3]! << 8);
    if (buffer[p] === 0x42 && buffer[p + 1] === 0x43 && subfieldLength === 2) {
      return (buffer[p + 4]! | (buffer[p + 5]! << 8)) + 1;
    }
    p += 4 + subfieldLength;
  }
  throw new NotBgzfError(`gzip member at offset ${offset} has no BC field, so it is plain gzip, not BGZF`);
}

/** True if the bytes start with a BGZF block header. */
export function isBgzf(head: Uint8Array): boolean {
  try {
    return bgzfBlockSizeAt(head, 0) !== undefined;
  } catch {
    return false;
  }
}

function blockPayload(block: Uint8Array): { deflated: Uint8Array; crc: number; size: number } {
  const extraLength = block[10]! | (block[11]! << 8);
  const view = Buffer.from(block.buffer, block.byteOffset, block.length);
  return {
    deflated: view.subarray(12 + extraLength, block.length - BGZF_FOOTER_SIZE),
    crc: view.readUInt32LE(block.length - 8),
    size: view.readUInt32LE(block.length - 4),
  };
}

function checkInflated(data: Buffer, expectedCrc: number, expectedSize: number, where: number): Buffer {
  if (data.length !== expectedSize) {
    throw new Error(`BGZF block at offset ${where}: inflated to ${data.length} bytes, ISIZE says ${expectedSize}`);
  }
  if (crc32(data) >>> 0 !== expectedCrc) throw new Error(`BGZF block at offset ${where}: CRC32 mismatch`);
  return data;
}

/** Decompresses one complete BGZF block, checking ISIZE and CRC32. */
export function inflateBgzfBlock(block: Uint8Array, compressedOffset = 0): Buffer {
  const { deflated, crc, size } = blockPayload(block);
  return checkInflated(inflateRawSync(deflated), crc, size, compressedOffset);
}

async function inflateBgzfBlockAsync(block: Uint8Array, compressedOffset: number): Promise<Buffer> {
  const { deflated, crc, size } = blockPayload(block);
  return checkInflated(await inflateRawAsync(deflated), crc, size, compressedOffset);
}

export interface BgzfBlock {
  /** Offset of the block's first byte in the file: the high bits of its virtual offsets. */
  compressedOffset: number;
  compressedSize: number;
  /** The block's uncompressed contents. */
  data: Buffer;
}

/** Splits an in-memory BGZF file into blocks and decompresses them (for small files and tests). */
export function decompressBgzfBlocks(file: Uint8Array): BgzfBlock[] {
  const blocks: BgzfBlock[] = [];
  let offset = 0;
  while (offset < file.length) {
    const size = bgzfBlockSizeAt(file, offset);
    if (size === undefined || offset + size > file.length) {
      throw new Error(`BGZF data truncated: block at offset ${offset} is incomplete`);
    }
    blocks.push({ compressedOffset: offset, compressedSize: size, data: inflateBgzfBlock(file.subarray(offset, offset + size), offset) });
    offset += size;
  }
  return blocks;
}

/** Decompresses a whole in-memory BGZF file. */
export function decompressBgzf(file: Uint8Array): Buffer {
  return Buffer.concat(decompressBgzfBlocks(file).map((b) => b.data));
}

export interface ReadBgzfBlocksOptions {
  /** Compressed offset of the first block to read (a block start, e.g. from a .gzi). */
  startOffset?: number;
  /** Blocks decompressed ahead of the consumer, in parallel on the thread pool. */
  readAhead?: number;
  signal?: AbortSignal;
}

/**
 * Streams the blocks of a BGZF file in order, decompressing several at once. The file is
 * closed when iteration ends, including when the consumer breaks out early.
 */
export async function* readBgzfBlocks(path: string, options: ReadBgzfBlocksOptions = {}): AsyncGenerator<BgzfBlock> {
  const readAhead = Math.max(1, options.readAhead ?? 16);
  const handle = await open(path, 'r');
  const queue: { compressedOffset: number; compressedSize: number; data: Promise<Buffer> }[] = [];
  try {
    const chunkSize = 1 << 20;
    let carry: Buffer = Buffer.alloc(0);
    let carryOffset = options.startOffset ?? 0; // file offset of carry[0]
    let filePosition = carryOffset;
    let atEnd = false;
    for (;;) {
      options.signal?.throwIfAborted();
      // Cut complete blocks out of what has been read and start inflating them.
      let p = 0;
      while (queue.length < readAhead) {
        const size = bgzfBlockSizeAt(carry, p);
        if (size === undefined || p + size > carry.length) break;
        const offset = carryOffset + p;
        const data = inflateBgzfBlockAsync(carry.subarray(p, p + size), offset);
        data.catch(() => undefined);
        queue.push({ compressedOffset: offset, compressedSize: size, data });
        p += size;
      }
      carry = carry.subarray(p);
      carryOffset += p;
      if (queue.length > 0 && (queue.length >= readAhead || atEnd || carry.length >= BGZF_MAX_BLOCK_SIZE)) {
        const head = queue.shift()!;
        yield { compressedOffset: head.compressedOffset, compressedSize: head.compressedSize, data: await head.data };
        continue;
      }
      if (atEnd) {
        if (carry.length > 0) throw new Error(`${path}: BGZF data truncated at offset ${carryOffset} (incomplete block)`);
        return;
      }
      const chunk = Buffer.allocUnsafe(chunkSize);
      const { bytesRead } = await handle.read(chunk, 0, chunkSize, filePosition);
      filePosition += bytesRead;
      if (bytesRead === 0) atEnd = true;
      else carry = carry.length === 0 ? chunk.subarray(0, bytesRead) : Buffer.concat([carry, chunk.subarray(0, bytesRead)]);
    }
  } finally {
    await Promise.allSettled(queue.map((q) => q.data));
    await handle.close();
  }
}

/** Reads and decompresses a whole BGZF file from disk. */
export async function readBgzfFile(path: string): Promise<Buffer> {
  const parts: Buffer[] = [];
  for await (const block of readBgzfBlocks(path)) parts.push(block.data);
  return Buffer.concat(parts);
}
