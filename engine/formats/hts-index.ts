/**
 * The binning + linear index shared by BAI and TBI, built the way htslib's `hts_idx_push`
 * and `hts_idx_finish` build it (hts.c), so that an index we write while producing a file
 * is the same index `samtools index` / `tabix` would compute from that file.
 *
 * For each reference: a map bin → chunks (virtual-offset ranges holding the records whose
 * smallest enclosing bin that is), a linear index (for each 16 kbp window, the smallest
 * virtual offset of a record overlapping it), and the pseudo-bin 37450 holding the
 * reference's first/last offsets and its mapped/unmapped record counts. Records without
 * a coordinate (refId -1) are only counted (n_no_coor).
 *
 * Records are pushed in file order with the offset where each *ends*; the start of a
 * record is the end of the previous one (or the offset after the header), exactly as
 * htslib does while reading, so that lines skipped by tabix (comments) are folded into
 * the following record's chunk the same way.
 *
 * Offsets are pushed as monotonic numbers (a BGZF writer's provisional positions) and
 * resolved to virtual offsets in `finish()`, because the chunk-merging rules compare
 * compressed block addresses, which are only known once the file is written.
 */
import { BAI_BIN_COUNT, BAI_DEPTH, BAI_MAX_POSITION, BAI_MIN_SHIFT, BAI_PSEUDO_BIN, firstBinOfLevel, parentBin, reg2bin } from './binning.js';
import type { BgzfPosition, VirtualOffset } from './bgzf.js';

/** A range of virtual offsets [start, end). */
export interface IndexChunk {
  start: VirtualOffset;
  end: VirtualOffset;
}

/** The pseudo-bin of one reference (htslib META_BIN). */
export interface ReferenceIndexSummary {
  /** Virtual offset of the first record on this reference. */
  start: VirtualOffset;
  /** Virtual offset just past the last record on this reference. */
  end: VirtualOffset;
  mapped: bigint;
  unmapped: bigint;
}

export interface ReferenceIndex {
  /** Bin number → chunks sorted by start; bins in ascending order. */
  bins: Map<number, IndexChunk[]>;
  /** Offset for each 16 kbp window; empty when the reference has no records. */
  linear: VirtualOffset[];
  summary?: ReferenceIndexSummary;
}

export interface BinningIndex {
  references: ReferenceIndex[];
  /** Records with no reference (unplaced unmapped reads). */
  noCoordinateCount: bigint;
}

/** htslib HTS_MIN_MARKER_DIST: bins spanning less than this many compressed bytes fold into their parent. */
const MIN_MARKER_DISTANCE = 0x10000n;
const UNSET = -1;

interface PendingChunk {
  start: number;
  end: number;
}

interface PendingReference {
  bins: Map<number, PendingChunk[]>;
  linear: number[];
  summary?: { start: number; end: number; mapped: number; unmapped: number };
}

/** Raised when records are not in the order an index needs; names what went wrong where. */
export class IndexOrderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'IndexOrderError';
  }
}

/** Accumulates an index while records are written. See the module comment. */
export class BinningIndexBuilder {
  private readonly references: (PendingReference | undefined)[] = [];
  private referenceCount: number;
  private noCoordinate = 0;
  // htslib's idx->z state, same names where they help cross-reading hts.c.
  private lastTid = -1;
  private lastBin = -1;
  private lastCoordinate = -1;
  private lastOffset: number;
  private saveTid = -1;
  private saveBin = -1;
  private saveOffset: number;
  private offsetBegin: number;
  private mapped = 0;
  private unmapped = 0;
  private finished = false;
  private readonly describeReference: (tid: number) => string;

  /**
   * @param referenceCount references known up front (the BAM header's n_ref); TBI starts at 0
   *   and grows as references appear.
   * @param firstRecordOffset where the first record starts (just after the header).
   */
  constructor(referenceCount: number, firstRecordOffset: BgzfPosition, describeReference: (tid: number) => string = (t) => `#${t + 1}`) {
    this.referenceCount = referenceCount;
    this.lastOffset = firstRecordOffset;
    this.saveOffset = firstRecordOffset;
    this.offsetBegin = firstRecordOffset;
    this.describeReference = describeReference;
  }

  /**
   * Adds one record covering [beg, end) on reference `tid` (-1: none) that ends at
   * `endOffset`. Throws `IndexOrderError` on unsorted input, as samtools index refuses it.
   */
  push(tid: number, beg: number, end: number, endOffset: BgzfPosition, isMapped: boolean): void {
    if (this.finished) throw new Error('Index already finished');
    if (tid < 0) {
      beg = -1;
      end = 0;
    } else if (beg >= BAI_MAX_POSITION || end > BAI_MAX_POSITION) {
      throw new RangeError(
        `Region ${beg + 1}..${end} on ${this.describeReference(tid)} is beyond ${BAI_MAX_POSITION} and cannot be stored in a BAI/TBI index (needs CSI)`,
      );
    }
    if (tid >= this.referenceCount) this.referenceCount = tid + 1;
    if (this.lastTid !== tid) {
      // A change of reference.
      if (tid >= 0 && this.noCoordinate > 0) {
        throw new IndexOrderError(`Record on ${this.describeReference(tid)} follows records with no reference; those must come last`);
      }
      // References may come in any order (as htslib allows) but each must be contiguous.
      if (tid >= 0 && this.references[tid] !== undefined) {
        throw new IndexOrderError(`Records for ${this.describeReference(tid)} are not contiguous (the file is not sorted by reference)`);
      }
      this.lastTid = tid;
      this.lastBin = -1;
    } else if (tid >= 0 && this.lastCoordinate > beg) {
      throw new IndexOrderError(
        `Unsorted positions on ${this.describeReference(tid)}: ${this.lastCoordinate + 1} followed by ${beg + 1}`,
      );
    }
    if (end < beg) throw new IndexOrderError(`Invalid record on ${this.describeReference(tid)}: end ${end} < begin ${beg + 1}`);

    if (tid >= 0) {
      const reference = this.referenceAt(tid);
      // As htslib: [-1, 0) (VCF POS=0) goes into the leftmost bottom-level bin.
      if (beg < 0) beg = 0;
      if (end <= 0) end = 1;
      insertIntoLinear(reference.linear, beg, end, this.lastOffset);
    } else {
      this.noCoordinate++;
    }
    const bin = reg2bin(beg, end);
    if (this.lastBin !== bin) {
      if (this.saveBin !== -1) {
        // Close the chunk of the previous bin: it ran up to where this record starts.
        this.appendChunk(this.saveTid, this.saveBin, this.saveOffset, this.lastOffset);
      }
      if (this.lastBin === -1 && this.saveBin !== -1) {
        // Change of reference: record the finished one's summary.
        this.closeSummary(this.saveTid, this.lastOffset);
        this.offsetBegin = this.lastOffset;
      }
      this.saveOffset = this.lastOffset;
      this.saveBin = this.lastBin = bin;
      this.saveTid = tid;
    }
    if (isMapped) this.mapped++;
    else this.unmapped++;
    this.lastOffset = endOffset;
    this.lastCoordinate = beg;
  }

  /**
   * Completes the index. `finalOffset` is where the last record ends; `resolve` converts the
   * pushed positions to virtual offsets (identity for offsets that already are).
   */
  finish(finalOffset: BgzfPosition, resolve: (position: BgzfPosition) => VirtualOffset): BinningIndex {
    if (this.finished) throw new Error('Index already finished');
    this.finished = true;
    if (this.saveTid >= 0) {
      this.appendChunk(this.saveTid, this.saveBin, this.saveOffset, finalOffset);
      this.closeSummary(this.saveTid, finalOffset);
    }
    const references: ReferenceIndex[] = [];
    for (let tid = 0; tid < this.referenceCount; tid++) {
      references.push(finishReference(this.references[tid], resolve));
    }
    return { references, noCoordinateCount: BigInt(this.noCoordinate) };
  }

  private referenceAt(tid: number): PendingReference {
    let reference = this.references[tid];
    if (!reference) {
      reference = { bins: new Map(), linear: [] };
      this.references[tid] = reference;
    }
    return reference;
  }

  private appendChunk(tid: number, bin: number, start: number, end: number): void {
    // No-coordinate records (tid -1) get no bins, as in htslib (there is no bidx for them).
    if (tid < 0) return;
    const bins = this.referenceAt(tid).bins;
    const chunks = bins.get(bin);
    if (chunks) chunks.push({ start, end });
    else bins.set(bin, [{ start, end }]);
  }

  private closeSummary(tid: number, end: number): void {
    if (tid >= 0) {
      this.referenceAt(tid).summary = { start: this.offsetBegin, end, mapped: this.mapped, unmapped: this.unmapped };
    }
    this.mapped = 0;
    this.unmapped = 0;
  }
}

/** htslib `insert_to_l`: each window covered by [beg, end) keeps the first offset seen. */
function insertIntoLinear(linear: number[], beg: number, end: number, offset: number): void {
  const first = beg >> BAI_MIN_SHIFT;
  const last = (end - 1) >> BAI_MIN_SHIFT;
  while (linear.length <= last) linear.push(UNSET);
  for (let i = first; i <= last; i++) if (linear[i] === UNSET) linear[i] = offset;
}

function compareChunks(a: IndexChunk, b: IndexChunk): number {
  return a.start < b.start ? -1 : a.start > b.start ? 1 : 0;
}

/** htslib `update_loff` (BAI part) and `compress_binning`, on resolved offsets. */
function finishReference(pending: PendingReference | undefined, resolve: (position: number) => VirtualOffset): ReferenceIndex {
  if (!pending) return { bins: new Map(), linear: [] };
  const summary = pending.summary && {
    start: resolve(pending.summary.start),
    end: resolve(pending.summary.end),
    mapped: BigInt(pending.summary.mapped),
    unmapped: BigInt(pending.summary.unmapped),
  };

  // Linear index: a window no record overlaps takes the offset of the next window (htslib's
  // update_loff since 1.10): a query starting there has nothing to read before that. The
  // last window is always set, by the record that made the array that long.
  const linear: VirtualOffset[] = new Array<VirtualOffset>(pending.linear.length);
  for (let i = pending.linear.length - 1; i >= 0; i--) {
    const raw = pending.linear[i]!;
    linear[i] = raw !== UNSET ? resolve(raw) : linear[i + 1]!;
  }

  const bins = new Map<number, IndexChunk[]>();
  for (const [bin, chunks] of pending.bins) bins.set(bin, chunks.map((c) => ({ start: resolve(c.start), end: resolve(c.end) })));

  // Fold small bins into their parents, deepest level first: a bin whose records all sit
  // within 64 KiB of compressed data costs a seek anyway, so its parent may as well hold it.
  for (let level = BAI_DEPTH; level > 0; level--) {
    const first = firstBinOfLevel(level);
    const last = firstBinOfLevel(level + 1);
    for (const [bin, chunks] of [...bins]) {
      if (bin < first || bin >= last) continue;
      if (level < BAI_DEPTH && chunks.length > 1) chunks.sort(compareChunks);
      const span = (chunks[chunks.length - 1]!.end >> 16n) - (chunks[0]!.start >> 16n);
      if (span >= MIN_MARKER_DISTANCE) continue;
      const parent = bins.get(parentBin(bin));
      if (!parent) continue;
      parent.push(...chunks);
      bins.delete(bin);
    }
  }

  // Merge chunks that start in the block where the previous one ends.
  for (const [bin, chunks] of bins) {
    chunks.sort(compareChunks);
    const merged: IndexChunk[] = [chunks[0]!];
    for (let i = 1; i < chunks.length; i++) {
      const current = merged[merged.length - 1]!;
      const next = chunks[i]!;
      if (current.end >> 16n >= next.start >> 16n) {
        if (current.end < next.end) current.end = next.end;
      } else {
        merged.push(next);
      }
    }
    bins.set(bin, merged);
  }
  const sortedBins = new Map([...bins].sort((a, b) => a[0] - b[0]));
  const reference: ReferenceIndex = { bins: sortedBins, linear };
  if (summary) reference.summary = summary;
  return reference;
}

// ---------------------------------------------------------------------------
// Serialisation of the per-reference part, common to BAI and TBI (hts_idx_save_core).

/** Little-endian byte sink that grows as needed. */
export class ByteWriter {
  private buffer = Buffer.allocUnsafe(1 << 16);
  private length = 0;

  private reserve(n: number): void {
    if (this.length + n <= this.buffer.length) return;
    let size = this.buffer.length * 2;
    while (size < this.length + n) size *= 2;
    const grown = Buffer.allocUnsafe(size);
    this.buffer.copy(grown, 0, 0, this.length);
    this.buffer = grown;
  }

  int32(value: number): void {
    this.reserve(4);
    this.buffer.writeInt32LE(value, this.length);
    this.length += 4;
  }

  uint32(value: number): void {
    this.reserve(4);
    this.buffer.writeUInt32LE(value, this.length);
    this.length += 4;
  }

  uint64(value: bigint): void {
    this.reserve(8);
    this.buffer.writeBigUInt64LE(value, this.length);
    this.length += 8;
  }

  bytes(data: Uint8Array): void {
    this.reserve(data.length);
    this.buffer.set(data, this.length);
    this.length += data.length;
  }

  toBuffer(): Buffer {
    return Buffer.from(this.buffer.subarray(0, this.length));
  }
}

/** Writes n_ref reference indexes and the trailing n_no_coor, as both BAI and TBI store them. */
export function writeReferenceIndexes(out: ByteWriter, index: BinningIndex): void {
  for (const reference of index.references) {
    out.int32(reference.bins.size + (reference.summary ? 1 : 0));
    for (const [bin, chunks] of reference.bins) {
      out.uint32(bin);
      out.int32(chunks.length);
      for (const chunk of chunks) {
        out.uint64(chunk.start);
        out.uint64(chunk.end);
      }
    }
    if (reference.summary) {
      out.uint32(BAI_PSEUDO_BIN);
      out.int32(2);
      out.uint64(reference.summary.start);
      out.uint64(reference.summary.end);
      out.uint64(reference.summary.mapped);
      out.uint64(reference.summary.unmapped);
    }
    out.int32(reference.linear.length);
    for (const offset of reference.linear) out.uint64(offset);
  }
  out.uint64(index.noCoordinateCount);
}

/** Reads what `writeReferenceIndexes` writes, starting at `offset`; returns the index and end offset. */
export function readReferenceIndexes(data: Buffer, offset: number, referenceCount: number): { index: BinningIndex; end: number } {
  let p = offset;
  const need = (n: number): void => {
    if (p + n > data.length) throw new Error(`Index truncated at byte ${p}`);
  };
  const references: ReferenceIndex[] = [];
  for (let r = 0; r < referenceCount; r++) {
    need(4);
    const binCount = data.readInt32LE(p);
    p += 4;
    const bins = new Map<number, IndexChunk[]>();
    let summary: ReferenceIndexSummary | undefined;
    for (let b = 0; b < binCount; b++) {
      need(8);
      const bin = data.readUInt32LE(p);
      const chunkCount = data.readInt32LE(p + 4);
      p += 8;
      need(16 * chunkCount);
      const chunks: IndexChunk[] = [];
      for (let c = 0; c < chunkCount; c++) {
        chunks.push({ start: data.readBigUInt64LE(p), end: data.readBigUInt64LE(p + 8) });
        p += 16;
      }
      if (bin === BAI_PSEUDO_BIN) {
        if (chunks.length !== 2) throw new Error(`Pseudo-bin ${BAI_PSEUDO_BIN} of reference ${r} has ${chunks.length} chunks, expected 2`);
        summary = { start: chunks[0]!.start, end: chunks[0]!.end, mapped: chunks[1]!.start, unmapped: chunks[1]!.end };
      } else if (bin < BAI_BIN_COUNT) {
        bins.set(bin, chunks);
      } else {
        throw new Error(`Unexpected bin number ${bin} in reference ${r}`);
      }
    }
    need(4);
    const intervalCount = data.readInt32LE(p);
    p += 4;
    need(8 * intervalCount);
    const linear: VirtualOffset[] = [];
    for (let i = 0; i < intervalCount; i++) {
      linear.push(data.readBigUInt64LE(p));
      p += 8;
    }
    const reference: ReferenceIndex = { bins: new Map([...bins].sort((a, b) => a[0] - b[0])), linear };
    if (summary) reference.summary = summary;
    references.push(reference);
  }
  // n_no_coor is optional in the spec.
  let noCoordinateCount = 0n;
  if (p + 8 <= data.length) {
    noCoordinateCount = data.readBigUInt64LE(p);
    p += 8;
  }
  return { index: { references, noCoordinateCount }, end: p };
}
