/**
 * Writes a BAM file through our BGZF writer and, for coordinate-sorted output, builds its
 * BAI on the fly from each record's virtual offsets, so no second pass over the BAM is
 * needed. Both files are written under temp names; the BAM is renamed into place first and
 * the BAI second, so the index is never older than its BAM (samtools warns otherwise) and
 * neither appears until both are complete.
 *
 * The block layout follows htslib: the header gets its own block(s), and a record that does
 * not fit in the rest of the current block starts a new one.
 */
import { AtomicFile } from './atomic-file.js';
import { serializeBaiIndex } from './bai.js';
import { encodeBamHeader, formatSamHeader, type BamHeaderInput, type BamReference } from './bam-header.js';
import { BamFlag, BamRecordError, encodeBamRecord, readBamRecordPlacement, type BamRecordInput } from './bam-record.js';
import { BgzfWriter } from './bgzf.js';
import { BinningIndexBuilder, type BinningIndex } from './hts-index.js';

export interface BamWriterOptions {
  /** BGZF compression level (default 6). */
  level?: number;
  /** Build a BAI alongside; default true when the header says SO:coordinate. */
  index?: boolean;
  /** Where the BAI goes; default `<bam>.bai`. */
  indexPath?: string;
  /** Blocks compressed in parallel ahead of the file write. */
  maxBlocksInFlight?: number;
}

export interface BamWriteSummary {
  bamPath: string;
  indexPath?: string;
  records: number;
  mapped: number;
  unmapped: number;
  compressedBytes: number;
  uncompressedBytes: number;
  /** The index as written (for callers that want counts without reading it back). */
  index?: BinningIndex;
}

export class BamWriter {
  readonly path: string;
  readonly references: readonly BamReference[];
  readonly headerText: string;
  private readonly bgzf: BgzfWriter;
  private readonly indexBuilder: BinningIndexBuilder | undefined;
  private readonly indexPath: string | undefined;
  private readonly checkOrder: boolean;
  private records = 0;
  private mapped = 0;
  private lastRefKey = -1;
  private lastPos = -1;

  private constructor(path: string, header: BamHeaderInput, headerText: string, bgzf: BgzfWriter, options: BamWriterOptions) {
    this.path = path;
    this.references = header.references;
    this.headerText = headerText;
    this.bgzf = bgzf;
    const sorted = (header.sortOrder ?? 'coordinate') === 'coordinate';
    this.checkOrder = sorted;
    const wantIndex = options.index ?? sorted;
    if (wantIndex && !sorted) throw new Error(`Cannot index ${path}: a BAI needs SO:coordinate output`);
    if (wantIndex) {
      this.indexPath = options.indexPath ?? `${path}.bai`;
      const names = header.references;
      this.indexBuilder = new BinningIndexBuilder(names.length, bgzf.position, (tid) => names[tid]?.name ?? `#${tid + 1}`);
    }
  }

  /** Opens `path` (under a temp name) and writes the header. */
  static async create(path: string, header: BamHeaderInput, options: BamWriterOptions = {}): Promise<BamWriter> {
    const headerText = formatSamHeader(header);
    const bgzf = await BgzfWriter.create(path, {
      ...(options.level !== undefined ? { level: options.level } : {}),
      ...(options.maxBlocksInFlight !== undefined ? { maxBlocksInFlight: options.maxBlocksInFlight } : {}),
    });
    try {
      await bgzf.write(encodeBamHeader(headerText, header.references));
      // As htslib's bam_hdr_write: records start in a fresh block.
      await bgzf.flushBlock();
      return new BamWriter(path, header, headerText, bgzf, options);
    } catch (error) {
      await bgzf.abort();
      throw error;
    }
  }

  /** Validates, encodes and appends one record. */
  async write(record: BamRecordInput): Promise<void> {
    await this.writeEncoded(encodeBamRecord(record, this.references));
  }

  /**
   * Appends a record already encoded by `encodeBamRecord` (block_size prefix included), as
   * the sorter does when merging spilled runs.
   */
  async writeEncoded(record: Buffer): Promise<void> {
    const placement = readBamRecordPlacement(record, 0);
    if (this.checkOrder) {
      // Unmapped reads without a reference sort last: compare refId as unsigned.
      const refKey = placement.refId >>> 0;
      if (refKey < this.lastRefKey || (refKey === this.lastRefKey && placement.pos < this.lastPos)) {
        const name = (id: number): string => (id < 0 ? '*' : (this.references[id]?.name ?? `#${id}`));
        throw new BamRecordError(
          `${this.path}: record ${this.records + 1} at ${name(placement.refId)}:${placement.pos + 1} comes after ` +
            `${name(this.lastRefKey === 0xffffffff ? -1 : this.lastRefKey)}:${this.lastPos + 1}, but the header says SO:coordinate`,
        );
      }
      this.lastRefKey = refKey;
      this.lastPos = placement.pos;
    }
    await this.bgzf.writeRecord(record);
    const isMapped = (placement.flag & BamFlag.UNMAPPED) === 0;
    this.indexBuilder?.push(placement.refId, placement.pos, placement.end, this.bgzf.position, isMapped);
    this.records++;
    if (isMapped) this.mapped++;
  }

  /** Finishes the BAM and its BAI, then renames both into place (BAM first). */
  async close(): Promise<BamWriteSummary> {
    let indexFile: AtomicFile | undefined;
    try {
      const endOfRecords = this.bgzf.position;
      const written = await this.bgzf.finish();
      const summary: BamWriteSummary = {
        bamPath: this.path,
        records: this.records,
        mapped: this.mapped,
        unmapped: this.records - this.mapped,
        compressedBytes: written.compressedBytes,
        uncompressedBytes: written.uncompressedBytes,
      };
      if (this.indexBuilder && this.indexPath) {
        const index = this.indexBuilder.finish(endOfRecords, (p) => this.bgzf.resolvePosition(p));
        indexFile = await AtomicFile.create(this.indexPath);
        await indexFile.write(serializeBaiIndex(index));
        await indexFile.finish();
        summary.indexPath = this.indexPath;
        summary.index = index;
      }
      await this.bgzf.commit();
      await indexFile?.commit();
      return summary;
    } catch (error) {
      await indexFile?.discard();
      await this.bgzf.abort();
      throw error;
    }
  }

  /** Discards the output (temp files deleted). Never throws. */
  async abort(): Promise<void> {
    await this.bgzf.abort();
  }
}

/** Writes a whole BAM (+ BAI when sorted) from records; aborts cleanly on error. */
export async function writeBam(
  path: string,
  header: BamHeaderInput,
  records: Iterable<BamRecordInput> | AsyncIterable<BamRecordInput>,
  options: BamWriterOptions = {},
): Promise<BamWriteSummary> {
  const writer = await BamWriter.create(path, header, options);
  try {
    for await (const record of records) await writer.write(record);
    return await writer.close();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}
