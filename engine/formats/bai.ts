/**
 * BAI, the BAM index (SAMv1 §5.2): "BAI\1", n_ref, then per reference the binning index
 * (bins with chunks of virtual offsets, plus the pseudo-bin 37450 with the reference's
 * offset range and mapped/unmapped counts) and the 16 kbp linear index, then n_no_coor.
 * Unlike TBI, a BAI file is not compressed.
 *
 * The index itself is computed by `BinningIndexBuilder` (hts-index.ts) exactly as htslib
 * does, either while our BAM writer writes (see bam-writer.ts) or, for an existing BAM,
 * by `buildBaiIndex` reading it.
 */
import { writeFileAtomically } from './atomic-file.js';
import { BamRecordReader, BgzfByteStream, readBamHeader } from './bam-reader.js';
import { BamFlag, readBamRecordPlacement } from './bam-record.js';
import { BinningIndexBuilder, ByteWriter, readReferenceIndexes, writeReferenceIndexes, type BinningIndex } from './hts-index.js';

const BAI_MAGIC = Buffer.from('BAI\x01', 'latin1');

/** The BAI file bytes for an index. */
export function serializeBaiIndex(index: BinningIndex): Buffer {
  const out = new ByteWriter();
  out.bytes(BAI_MAGIC);
  out.int32(index.references.length);
  writeReferenceIndexes(out, index);
  return out.toBuffer();
}

/** Parses a BAI file (ours or htslib's) into the same structure we build. */
export function parseBaiIndex(data: Buffer): BinningIndex {
  if (data.length < 8 || !data.subarray(0, 4).equals(BAI_MAGIC)) throw new Error('Not a BAI index (bad magic)');
  const referenceCount = data.readInt32LE(4);
  const { index, end } = readReferenceIndexes(data, 8, referenceCount);
  if (end !== data.length) throw new Error(`BAI index has ${data.length - end} unexpected trailing bytes`);
  return index;
}

/** Writes an index as a BAI file, atomically. */
export async function writeBaiIndex(path: string, index: BinningIndex): Promise<void> {
  await writeFileAtomically(path, serializeBaiIndex(index));
}

/**
 * Indexes an existing coordinate-sorted BAM by reading it, as `samtools index` does.
 * Throws `IndexOrderError` if the BAM is not sorted.
 */
export async function buildBaiIndex(bamPath: string, options: { signal?: AbortSignal } = {}): Promise<BinningIndex> {
  const stream = new BgzfByteStream(bamPath, { recordOffsets: true, ...options });
  try {
    const header = await readBamHeader(stream);
    const name = (tid: number): string => header.references[tid]?.name ?? `#${tid + 1}`;
    const builder = new BinningIndexBuilder(header.references.length, stream.position, name);
    const reader = new BamRecordReader(stream);
    let count = 0;
    for (let record = reader.tryNext() ?? (await reader.next()); record; record = reader.tryNext() ?? (await reader.next())) {
      const placement = readBamRecordPlacement(record, 0);
      builder.push(placement.refId, placement.pos, placement.end, stream.position, (placement.flag & BamFlag.UNMAPPED) === 0);
      if (++count % 65536 === 0) options.signal?.throwIfAborted();
    }
    await stream.atEnd();
    const map = stream.offsetMap!;
    return builder.finish(stream.position, (position) => map.resolve(position));
  } finally {
    await stream.close();
  }
}
