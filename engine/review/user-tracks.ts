/**
 * Tracks a user adds from disk (bigWig, bedGraph, BED, VCF) are checked before they are
 * accepted, so a wrong or damaged file is refused here with its name and the reason rather
 * than failing silently inside the genome view. bigWig headers are read with @gmod/bbi.
 */
import { readFileHead } from '../util/file-head.js';
import { BigWig } from '@gmod/bbi';
import { stat } from 'node:fs/promises';
import { basename, resolve } from 'node:path';
import { constants as zlibConstants, gunzipSync } from 'node:zlib';
import type { UserTrackFormat } from '../../app/contract.js';
import { EngineError } from '../errors.js';
import { bgzfBlockSizeAt } from '../formats/bgzf.js';

export interface CheckedTrack {
  path: string;
  name: string;
  format: UserTrackFormat;
  indexPath: string | null;
  sizeBytes: number;
}

/** How many lines of a text track are checked (enough to catch a wrong file, fast on a big one). */
const LINES_CHECKED = 200;

export function trackFormatFromName(name: string): UserTrackFormat | null {
  const lower = name.toLowerCase();
  if (/\.(bw|bigwig)$/.test(lower)) return 'bigwig';
  if (/\.(bedgraph|bg)(\.gz)?$/.test(lower)) return 'bedgraph';
  if (/\.bed(\.gz)?$/.test(lower)) return 'bed';
  if (/\.vcf(\.gz)?$/.test(lower)) return 'vcf';
  return null;
}

function refuse(path: string, reason: string): EngineError {
  return EngineError.of('unsupported', `${path}: ${reason}`, { file: path });
}

/** The first lines of a text track, decompressing the first gzip member when compressed. */
async function headLines(path: string): Promise<string[]> {
  let bytes = await readFileHead(path, 1 << 20);
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    const blockSize = bgzfBlockSizeAt(bytes, 0);
    try {
      bytes = gunzipSync(blockSize !== undefined ? bytes.subarray(0, blockSize) : bytes, { finishFlush: zlibConstants.Z_SYNC_FLUSH } /* a cut stream yields what it has */);
    } catch {
      throw refuse(path, 'the gzip data cannot be read (corrupt or not gzip)');
    }
  }
  if (bytes.includes(0)) throw refuse(path, 'this is a binary file, not a text track');
  return bytes.toString('utf8').split(/\r?\n/).slice(0, LINES_CHECKED);
}

function checkBedLike(path: string, lines: string[], format: 'bed' | 'bedgraph'): void {
  let data = 0;
  lines.forEach((line, i) => {
    if (i === lines.length - 1) return; // may be cut in the middle
    if (line === '' || line.startsWith('#') || line.startsWith('track') || line.startsWith('browser')) return;
    const f = line.split(/\t| +/);
    const start = Number(f[1]);
    const end = Number(f[2]);
    if (f.length < (format === 'bedgraph' ? 4 : 3) || !Number.isSafeInteger(start) || !Number.isSafeInteger(end) || start < 0 || end < start) {
      throw refuse(path, `line ${i + 1} is not ${format === 'bedgraph' ? 'bedGraph (contig, start, end, value)' : 'BED (contig, start, end, …)'}: "${line.slice(0, 80)}"`);
    }
    if (format === 'bedgraph' && !Number.isFinite(Number(f[3]))) throw refuse(path, `line ${i + 1}: the value "${f[3] ?? ''}" is not a number`);
    data += 1;
  });
  if (data === 0) throw refuse(path, `no ${format === 'bedgraph' ? 'bedGraph' : 'BED'} lines found`);
}

async function indexBeside(path: string, suffixes: string[]): Promise<string | null> {
  for (const suffix of suffixes) {
    try {
      if ((await stat(`${path}${suffix}`)).isFile()) return `${path}${suffix}`;
    } catch {
      // not there; try the next
    }
  }
  return null;
}

export async function checkUserTrack(pathIn: string, name?: string): Promise<CheckedTrack> {
  const path = resolve(pathIn);
  let sizeBytes: number;
  try {
    const s = await stat(path);
    if (!s.isFile()) throw refuse(path, 'not a file');
    sizeBytes = s.size;
  } catch (err) {
    if (err instanceof EngineError) throw err;
    throw EngineError.of('file-not-found', `${path}: no such file`, { file: path });
  }
  if (sizeBytes === 0) throw EngineError.of('empty-file', `${path}: the file is empty`, { file: path });
  const displayName = name && name.trim() !== '' ? name.trim() : basename(path);
  const format = trackFormatFromName(displayName) ?? trackFormatFromName(path);
  if (!format) throw refuse(path, 'not a track format GenomAIc reads (bigWig .bw, bedGraph .bedgraph, BED .bed, VCF .vcf/.vcf.gz)');

  if (format === 'bigwig') {
    const head = await readFileHead(path, 4);
    const magic = head.length === 4 ? head.readUInt32LE(0) : 0;
    if (magic !== 0x888ffc26 && magic !== 0x26fc8f88) throw refuse(path, 'not a bigWig file (the header magic number is wrong)');
    try {
      const header = await new BigWig({ path }).getHeader();
      if (Object.keys(header.refsByName).length === 0) throw new Error('it names no chromosomes');
    } catch (err) {
      throw refuse(path, `the bigWig header cannot be read (${(err as Error).message})`);
    }
    return { path, name: displayName, format, indexPath: null, sizeBytes };
  }

  const lines = await headLines(path);
  const compressed = /\.gz$/i.test(path);
  if (format === 'vcf') {
    if (!lines[0]?.startsWith('##fileformat=VCF')) throw refuse(path, 'not a VCF (the first line is not ##fileformat=VCFv4.x)');
    // A bgzipped VCF is read by region through its index when it has one; otherwise whole.
    const indexPath = compressed ? await indexBeside(path, ['.tbi', '.csi']) : null;
    return { path, name: displayName, format, indexPath, sizeBytes };
  }
  checkBedLike(path, lines, format);
  const indexPath = compressed ? await indexBeside(path, ['.tbi', '.csi']) : null;
  return { path, name: displayName, format, indexPath, sizeBytes };
}
