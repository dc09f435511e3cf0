/**
 * GZI, htslib's index of a BGZF file's blocks (`bgzip -i`, written by `samtools faidx` next
 * to a bgzipped FASTA): uint64 n, then n pairs (compressed offset, uncompressed offset),
 * one per block after the first (the first block, at 0/0, is implied). It turns an
 * uncompressed offset, such as a .fai offset, into the block to start reading from.
 */
import { writeFileAtomically } from './atomic-file.js';

export interface GziEntry {
  compressedOffset: number;
  uncompressedOffset: number;
}

/** Block starts, the implied first block included, in file order. */
export type GziIndex = GziEntry[];

export function serializeGzi(index: GziIndex): Buffer {
  const entries = index.filter((e, i) => !(i === 0 && e.compressedOffset === 0 && e.uncompressedOffset === 0));
  const out = Buffer.alloc(8 + 16 * entries.length);
  out.writeBigUInt64LE(BigInt(entries.length), 0);
  entries.forEach((entry, i) => {
    out.writeBigUInt64LE(BigInt(entry.compressedOffset), 8 + 16 * i);
    out.writeBigUInt64LE(BigInt(entry.uncompressedOffset), 16 + 16 * i);
  });
  return out;
}

export function parseGzi(data: Buffer): GziIndex {
  if (data.length < 8) throw new Error('GZI index truncated');
  const count = Number(data.readBigUInt64LE(0));
  if (data.length !== 8 + 16 * count) throw new Error(`GZI index should be ${8 + 16 * count} bytes for ${count} entries, is ${data.length}`);
  const index: GziIndex = [{ compressedOffset: 0, uncompressedOffset: 0 }];
  for (let i = 0; i < count; i++) {
    index.push({
      compressedOffset: Number(data.readBigUInt64LE(8 + 16 * i)),
      uncompressedOffset: Number(data.readBigUInt64LE(16 + 16 * i)),
    });
  }
  return index;
}

/** The block holding uncompressed offset `offset`: the last block starting at or before it. */
export function gziBlockFor(index: GziIndex, offset: number): GziEntry {
  let lo = 0;
  let hi = index.length - 1;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (index[mid]!.uncompressedOffset <= offset) lo = mid;
    else hi = mid - 1;
  }
  return index[lo] ?? { compressedOffset: 0, uncompressedOffset: 0 };
}

export async function writeGzi(path: string, index: GziIndex): Promise<void> {
  await writeFileAtomically(path, serializeGzi(index));
}
