/**
 * Line streams over plain, gzip or bgzip text (VCF, BED, FASTA). BGZF is a series of gzip
 * members; Node's gunzip reads concatenated members, so one code path serves both.
 */
import { hasGzipMagic, readFileHead } from '../util/file-head.js';
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { createGunzip } from 'node:zlib';
import type { Readable } from 'node:stream';

export async function isGzipFile(path: string): Promise<boolean> {
  return hasGzipMagic(await readFileHead(path, 2));
}

export async function openTextStream(path: string): Promise<Readable> {
  // Sniff first: a stream opened before the sniff fails would raise an unhandled 'error'.
  const gzipped = await isGzipFile(path);
  const raw = createReadStream(path);
  if (!gzipped) return raw;
  const gunzip = createGunzip();
  raw.on('error', (err) => gunzip.destroy(err));
  return raw.pipe(gunzip);
}

/** Yields lines without their terminator (LF or CRLF). */
export async function* readLines(path: string): AsyncGenerator<string> {
  const stream = await openTextStream(path);
  const lines = createInterface({ input: stream, crlfDelay: Infinity });
  try {
    for await (const line of lines) yield line;
  } finally {
    lines.close();
    stream.destroy();
  }
}
