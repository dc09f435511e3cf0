/**
 * Coordinate sort of BAM records within a memory budget, producing a BAM and its BAI.
 *
 * Records are encoded on arrival (so invalid ones fail early) and buffered; when the buffer
 * exceeds the budget it is sorted and spilled to a temp file as a BGZF run of encoded
 * records (level 1: spills are read once, so speed matters more than size). At the end the
 * runs and the in-memory remainder are k-way merged straight into the BAM writer.
 *
 * Order is samtools sort's (bam_sort.c, coordinate mode): reference index with unplaced
 * reads (refId -1) last, then position, then forward strand before reverse; records equal
 * on all three keep their input order (samtools' radix/merge sorts are stable and its run
 * merge breaks ties by run). So for the same input order our output is record-for-record
 * identical to `samtools sort`.
 *
 * Temp files live in a private directory (by default beside the output, which must have
 * room for the output anyway; os.tmpdir() is often a small tmpfs) that is removed when the
 * sort ends, whether it succeeded, failed or was aborted through the AbortSignal.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import type { BamHeaderInput } from './bam-header.js';
import { BamRecordReader, BgzfByteStream } from './bam-reader.js';
import { BamFlag, encodeBamRecord, type BamRecordInput } from './bam-record.js';
import { BamWriter, type BamWriteSummary, type BamWriterOptions } from './bam-writer.js';
import { BgzfWriter } from './bgzf.js';

export interface BamSortOptions extends BamWriterOptions {
  /** Bytes of records held in memory before a run is spilled. Default 512 MiB. */
  memoryBudgetBytes?: number;
  /** Parent directory for the spill directory. Default: the output's directory. */
  temporaryDirectory?: string;
  /** Compression level of spilled runs. Default 1. */
  spillLevel?: number;
  signal?: AbortSignal;
}

export interface BamSortSummary extends BamWriteSummary {
  /** Runs written to disk (0 when everything fit in memory). */
  spilledRuns: number;
}

/** Approximate per-record cost beyond its bytes (Buffer object and key slots). */
const RECORD_OVERHEAD_BYTES = 112;

/** Sort keys of an encoded record: refId as unsigned (so -1 is last), then (pos + 1) * 2 + reverse. */
function primaryKey(record: Buffer): number {
  return record.readInt32LE(4) >>> 0;
}

function secondaryKey(record: Buffer): number {
  const reverse = (record.readUInt16LE(18) & BamFlag.REVERSE) !== 0 ? 1 : 0;
  return (record.readInt32LE(8) + 1) * 2 + reverse;
}

/** Sorts buffered records stably by the coordinate keys. */
function sortRecords(records: Buffer[]): Buffer[] {
  const n = records.length;
  const primary = new Float64Array(n);
  const secondary = new Float64Array(n);
  const order = new Array<number>(n);
  for (let i = 0; i < n; i++) {
    primary[i] = primaryKey(records[i]!);
    secondary[i] = secondaryKey(records[i]!);
    order[i] = i;
  }
  // Index as the last key makes the result independent of the sort's own stability.
  order.sort((a, b) => primary[a]! - primary[b]! || secondary[a]! - secondary[b]! || a - b);
  return order.map((i) => records[i]!);
}

/** A sorted source for the merge: a spilled run on disk or the in-memory remainder. */
interface MergeSource {
  current: Buffer | null;
  primary: number;
  secondary: number;
  /** Sources are numbered in input order; ties go to the lower number (stability). */
  rank: number;
  advance(): Promise<void>;
  close(): Promise<void>;
}

function setKeys(source: MergeSource): void {
  if (source.current) {
    source.primary = primaryKey(source.current);
    source.secondary = secondaryKey(source.current);
  }
}

async function openRunSource(path: string, rank: number, signal: AbortSignal | undefined): Promise<MergeSource> {
  const reader = new BamRecordReader(new BgzfByteStream(path, signal ? { signal } : {}));
  const source: MergeSource = {
    current: null,
    primary: 0,
    secondary: 0,
    rank,
    async advance() {
      source.current = reader.tryNext() ?? (await reader.next());
      setKeys(source);
    },
    close: () => reader.stream.close(),
  };
  await source.advance();
  return source;
}

function memorySource(records: Buffer[], rank: number): MergeSource {
  let next = 0;
  const source: MergeSource = {
    current: null,
    primary: 0,
    secondary: 0,
    rank,
    advance() {
      source.current = next < records.length ? records[next++]! : null;
      setKeys(source);
      return Promise.resolve();
    },
    close: () => Promise.resolve(),
  };
  source.current = records[next++] ?? null;
  setKeys(source);
  return source;
}

function sourceLess(a: MergeSource, b: MergeSource): boolean {
  if (a.primary !== b.primary) return a.primary < b.primary;
  if (a.secondary !== b.secondary) return a.secondary < b.secondary;
  return a.rank < b.rank;
}

/** Binary min-heap of merge sources. */
class SourceHeap {
  private readonly items: MergeSource[] = [];

  get size(): number {
    return this.items.length;
  }

  peek(): MergeSource {
    return this.items[0]!;
  }

  push(source: MergeSource): void {
    const items = this.items;
    items.push(source);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!sourceLess(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): void {
    const items = this.items;
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      this.siftDown();
    }
  }

  /** Restores the heap after the top source advanced. */
  siftDown(): void {
    const items = this.items;
    let i = 0;
    for (;;) {
      const left = 2 * i + 1;
      const right = left + 1;
      let smallest = i;
      if (left < items.length && sourceLess(items[left]!, items[smallest]!)) smallest = left;
      if (right < items.length && sourceLess(items[right]!, items[smallest]!)) smallest = right;
      if (smallest === i) return;
      [items[i], items[smallest]] = [items[smallest]!, items[i]!];
      i = smallest;
    }
  }
}

/** Accepts records in any order; `finish()` writes them coordinate-sorted with a BAI. */
export class BamSorter {
  readonly outputPath: string;
  private readonly header: BamHeaderInput;
  private readonly options: BamSortOptions;
  private readonly budget: number;
  private readonly spillDirectory: string;
  private buffered: Buffer[] = [];
  private bufferedBytes = 0;
  private readonly runs: string[] = [];
  private state: 'open' | 'finishing' | 'done' | 'aborted' = 'open';
  private output: BamWriter | undefined;

  private constructor(outputPath: string, header: BamHeaderInput, options: BamSortOptions, spillDirectory: string) {
    this.outputPath = outputPath;
    this.header = { ...header, sortOrder: 'coordinate' };
    this.options = options;
    this.budget = options.memoryBudgetBytes ?? 512 * 1024 * 1024;
    this.spillDirectory = spillDirectory;
  }

  static async create(outputPath: string, header: BamHeaderInput, options: BamSortOptions = {}): Promise<BamSorter> {
    options.signal?.throwIfAborted();
    const parent = options.temporaryDirectory ?? dirname(outputPath);
    const spillDirectory = await mkdtemp(join(parent, '.genomaic-sort-'));
    return new BamSorter(outputPath, header, options, spillDirectory);
  }

  /** Validates, encodes and buffers a record; may spill a sorted run to disk. */
  async add(record: BamRecordInput): Promise<void> {
    await this.addEncoded(encodeBamRecord(record, this.header.references));
  }

  /** Buffers an already encoded record (block_size prefix included). */
  async addEncoded(record: Buffer): Promise<void> {
    if (this.state !== 'open') throw new Error(`Sorter for ${this.outputPath} is ${this.state}`);
    this.options.signal?.throwIfAborted();
    this.buffered.push(record);
    this.bufferedBytes += record.length + RECORD_OVERHEAD_BYTES;
    if (this.bufferedBytes >= this.budget) await this.spill();
  }

  /** Merges everything into the output BAM + BAI; cleans up temp files either way. */
  async finish(): Promise<BamSortSummary> {
    if (this.state !== 'open') throw new Error(`Sorter for ${this.outputPath} is ${this.state}`);
    this.state = 'finishing';
    const signal = this.options.signal;
    const sources: MergeSource[] = [];
    try {
      signal?.throwIfAborted();
      const remainder = sortRecords(this.buffered);
      this.buffered = [];
      this.bufferedBytes = 0;
      this.output = await BamWriter.create(this.outputPath, this.header, { ...this.options, index: this.options.index ?? true });
      const output = this.output;
      if (this.runs.length === 0) {
        for (let i = 0; i < remainder.length; i++) {
          if ((i & 0xffff) === 0) signal?.throwIfAborted();
          await output.writeEncoded(remainder[i]!);
        }
      } else {
        for (let rank = 0; rank < this.runs.length; rank++) sources.push(await openRunSource(this.runs[rank]!, rank, signal));
        sources.push(memorySource(remainder, this.runs.length));
        const heap = new SourceHeap();
        for (const source of sources) if (source.current) heap.push(source);
        let count = 0;
        while (heap.size > 0) {
          if ((++count & 0xfff) === 0) signal?.throwIfAborted();
          const top = heap.peek();
          await output.writeEncoded(top.current!);
          await top.advance();
          if (top.current) heap.siftDown();
          else heap.pop();
        }
      }
      const summary = await output.close();
      this.state = 'done';
      return { ...summary, spilledRuns: this.runs.length };
    } catch (error) {
      this.state = 'aborted';
      await this.output?.abort();
      throw error;
    } finally {
      await Promise.allSettled(sources.map((s) => s.close()));
      await this.removeSpills();
    }
  }

  /** Stops and deletes every temp and partial output file. Never throws. */
  async abort(): Promise<void> {
    if (this.state === 'done' || this.state === 'aborted') return;
    this.state = 'aborted';
    this.buffered = [];
    await this.output?.abort();
    await this.removeSpills();
  }

  /** Runs spilled so far. */
  get spilledRuns(): number {
    return this.runs.length;
  }

  private async spill(): Promise<void> {
    const sorted = sortRecords(this.buffered);
    this.buffered = [];
    this.bufferedBytes = 0;
    const path = join(this.spillDirectory, `run-${String(this.runs.length).padStart(5, '0')}.bgzf`);
    const writer = await BgzfWriter.create(path, { level: this.options.spillLevel ?? 1, durable: false });
    try {
      for (let i = 0; i < sorted.length; i++) {
        if ((i & 0xffff) === 0) this.options.signal?.throwIfAborted();
        await writer.write(sorted[i]!);
      }
      await writer.close();
    } catch (error) {
      await writer.abort();
      throw error;
    }
    this.runs.push(path);
  }

  private async removeSpills(): Promise<void> {
    await rm(this.spillDirectory, { recursive: true, force: true }).catch(() => undefined);
  }
}

/**
 * Sorts records into a coordinate-sorted BAM + BAI. On any error or abort, nothing is left
 * behind: no output, no temp files.
 */
export async function sortBam(
  outputPath: string,
  header: BamHeaderInput,
  records: Iterable<BamRecordInput> | AsyncIterable<BamRecordInput>,
  options: BamSortOptions = {},
): Promise<BamSortSummary> {
  const sorter = await BamSorter.create(outputPath, header, options);
  try {
    for await (const record of records) await sorter.add(record);
    return await sorter.finish();
  } catch (error) {
    await sorter.abort();
    throw error;
  }
}
