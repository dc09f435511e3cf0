/**
 * Opening an input: compression from magic bytes (never from the extension, which users get
 * wrong), and the byte stream that hashes and counts the raw file bytes on their way into zlib.
 *
 * Decompression runs on libuv's thread pool (Node's async zlib), so inflating the next chunk
 * overlaps with the main thread parsing the previous one; that overlap is most of our speed on
 * .gz input, where inflate is the single most expensive step.
 */
import { createReadStream, type ReadStream } from 'node:fs';
import { createHash, type Hash } from 'node:crypto';
import { Transform, type Readable, type TransformCallback, type TransformOptions } from 'node:stream';
import { pipeline } from 'node:stream';
import { createGunzip, type ZlibOptions } from 'node:zlib';
import type { Compression } from '../../app/contract.js';
import { cancelledError, faultAt, IngestError, type FaultLocation } from './errors.js';

/** Bytes read from disk per read() call. Large reads keep syscall and stream overhead small. */
export const RAW_READ_BYTES = 1 << 20;
/**
 * Size of each decompressed chunk handed to the parser. zlib's default of 16 KiB is 3× slower;
 * every chunk is a hand-off between the inflate thread and the main thread, and on a busy
 * machine each hand-off waits for the scheduler, so fewer, larger chunks measured faster.
 */
export const DECODED_CHUNK_BYTES = 4 << 20;
/** Decompressed chunks zlib may produce ahead of the parser. */
const INFLATE_AHEAD_CHUNKS = 2;

const GZIP_MAGIC_0 = 0x1f;
const GZIP_MAGIC_1 = 0x8b;
const GZIP_FLAG_EXTRA = 0x04;

export type SniffedFormat =
  | { kind: 'fastq-candidate'; compression: Compression }
  | { kind: 'unsupported-compression'; format: string }
  | { kind: 'binary'; format: string };

/**
 * Classifies the first bytes of a file. BGZF (bgzip, BAM's container) is a gzip member whose
 * header carries the extra subfield 'BC'; a plain multi-member gzip lacks it.
 */
export function sniffFormat(head: Uint8Array): SniffedFormat {
  if (head.length >= 3 && head[0] === GZIP_MAGIC_0 && head[1] === GZIP_MAGIC_1 && head[2] === 8) {
    return { kind: 'fastq-candidate', compression: hasBgzfExtraField(head) ? 'bgzip' : 'gzip' };
  }
  const startsWith = (bytes: number[]): boolean => bytes.every((b, i) => head[i] === b);
  if (startsWith([0x42, 0x5a, 0x68])) return { kind: 'unsupported-compression', format: 'bzip2' };
  if (startsWith([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00])) return { kind: 'unsupported-compression', format: 'xz' };
  if (startsWith([0x28, 0xb5, 0x2f, 0xfd])) return { kind: 'unsupported-compression', format: 'zstd' };
  if (startsWith([0x50, 0x4b, 0x03, 0x04])) return { kind: 'unsupported-compression', format: 'a ZIP archive' };
  if (startsWith([0x43, 0x52, 0x41, 0x4d])) return { kind: 'binary', format: 'a CRAM file (binary alignments)' };
  return { kind: 'fastq-candidate', compression: 'none' };
}

function hasBgzfExtraField(head: Uint8Array): boolean {
  if (head.length < 12 || (head[3]! & GZIP_FLAG_EXTRA) === 0) return false;
  const extraLength = head[10]! | (head[11]! << 8);
  let at = 12;
  const end = Math.min(head.length, 12 + extraLength);
  while (at + 4 <= end) {
    const subfieldLength = head[at + 2]! | (head[at + 3]! << 8);
    if (head[at] === 0x42 && head[at + 1] === 0x43) return true;
    at += 4 + subfieldLength;
  }
  return false;
}

export { readFileHead } from '../util/file-head.js';

/** Passes raw chunks through unchanged while hashing and counting them. */
class HashingTap extends Transform {
  readonly hash: Hash = createHash('sha256');
  bytes = 0;

  constructor(private readonly onBytes: ((bytes: number) => void) | undefined) {
    super();
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    this.hash.update(chunk);
    this.bytes += chunk.length;
    this.onBytes?.(chunk.length);
    callback(null, chunk);
  }
}

export interface DecodedStream {
  /** Decompressed (or plain) bytes, in chunks. */
  readable: Readable;
  /** SHA-256 (hex) of the raw bytes; valid once `readable` has ended. */
  sha256(): string;
  rawBytesRead(): number;
}

export interface DecodedStreamOptions {
  signal?: AbortSignal;
  onRawBytes?: (bytes: number) => void;
  /** Overrides both read and inflate chunk sizes (tests use tiny chunks to exercise boundaries). */
  chunkBytes?: number;
}

/** Raw file → hash/count tap → (gunzip) → readable. Errors surface on `readable`. */
export function openDecodedStream(path: string, compression: Compression, options: DecodedStreamOptions): DecodedStream {
  const rawOptions: Parameters<typeof createReadStream>[1] = { highWaterMark: options.chunkBytes ?? RAW_READ_BYTES };
  const raw: ReadStream = createReadStream(path, rawOptions);
  const tap = new HashingTap(options.onRawBytes);
  let readable: Readable;
  const ignore = (): void => undefined;
  if (compression === 'none') {
    pipeline(raw, tap, ignore);
    readable = tap;
  } else {
    // Multi-member gzip (bgzip included) is one continuous stream to Node's gunzip.
    // zlib refuses output chunks under 64 bytes; tests asking for tinier chunks get 64 here.
    const chunkSize = Math.max(64, options.chunkBytes ?? DECODED_CHUNK_BYTES);
    // A few chunks of slack let inflate run ahead while the parser works, instead of the two
    // threads taking turns chunk by chunk (which costs most when other processes share the CPUs).
    const gunzipOptions: ZlibOptions & TransformOptions = { chunkSize, readableHighWaterMark: INFLATE_AHEAD_CHUNKS * chunkSize };
    const gunzip = createGunzip(gunzipOptions);
    pipeline(raw, tap, gunzip, ignore);
    readable = gunzip;
  }
  let digest: string | null = null;
  return {
    readable,
    sha256: () => (digest ??= tap.hash.digest('hex')),
    rawBytesRead: () => tap.bytes,
  };
}

/**
 * Maps a stream failure to the user-facing fault. zlib reports a cut-off file as Z_BUF_ERROR
 * ("unexpected end of file") and damaged data as Z_DATA_ERROR (bad header, bad block, CRC).
 */
export function streamFault(error: unknown, where: FaultLocation, signal: AbortSignal | undefined): IngestError {
  if (error instanceof IngestError) return error;
  if (signal?.aborted) return cancelledError();
  const code = (error as { code?: unknown }).code;
  const reason = error instanceof Error ? error.message : String(error);
  if (code === 'Z_BUF_ERROR') {
    return faultAt('truncated-gzip', where, 'the gzip data ends abruptly: the file is truncated (an incomplete download or copy?)');
  }
  if (code === 'Z_DATA_ERROR' || code === 'Z_STREAM_ERROR' || code === 'Z_NEED_DICT') {
    return faultAt('corrupt-gzip', where, `the gzip data is corrupt (${reason}); the file is damaged`);
  }
  if (code === 'ABORT_ERR') return cancelledError();
  return faultAt('file-unreadable', where, `cannot be read: ${reason}`);
}
