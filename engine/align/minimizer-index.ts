/**
 * The minimizer index: every (w,k)-minimizer of the reference, bucketed by the top B bits of
 * its order hash and sorted by its check hash within a bucket, so that a lookup is one bucket
 * read plus a short scan. The file image is the in-memory layout (typed-array sections at
 * 8-byte offsets), so loading is one read into a `SharedArrayBuffer` that every worker thread
 * views without copying; the packed reference rides in the same image (as minimap2's .mmi).
 *
 * Layout: magic "GMAIDX01", u32 header length, JSON header, padding to 8, then the sections
 * named in the header (`bucketStart` u32[2^B+1], `entryCheck` u32[n], `entryPosition` u32[n],
 * `packed` u8[], `ambiguousRuns` u32[]).
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { MinimizerList, sketchMinimizers } from './minimizer.js';
import type { ContigInfo } from './packed-reference.js';
import { PackedReference, PackedReferenceBuilder } from './packed-reference.js';

const MAGIC = 'GMAIDX01';
export const INDEX_FORMAT_VERSION = 1;

export interface IndexParameters {
  k: number;
  w: number;
  /** Fraction of the most frequent distinct minimizers ignored when seeding (minimap2 -f). */
  occurrenceFraction: number;
  /** Bounds on the resulting occurrence cutoff (minimap2 -U). */
  minOccurrenceCutoff: number;
  maxOccurrenceCutoff: number;
}

export interface IndexHeader {
  version: number;
  k: number;
  w: number;
  bucketBits: number;
  entryCount: number;
  /** Minimizers occurring more often than this are not used as seeds (first pass). */
  occurrenceCutoff: number;
  /** Checksum of the reference the index was built from; a mismatch means rebuild. */
  referenceChecksum: string;
  /** The settings the index was built with; a cache file with other settings is rebuilt. */
  parameters: IndexParameters;
  contigs: ContigInfo[];
  sections: Record<'bucketStart' | 'entryCheck' | 'entryPosition' | 'packed' | 'ambiguousRuns', { offset: number; length: number }>;
  buildSeconds: number;
}

export interface ReferenceContigSource {
  name: string;
  md5: string;
  /** Nucleotide codes (0-3, 4 = ambiguous). */
  codes: Uint8Array;
}

/** A loaded (or freshly built) index; cheap to reconstruct in a worker from its image. */
export class MinimizerIndex {
  readonly header: IndexHeader;
  readonly image: Uint8Array;
  readonly bucketStart: Uint32Array;
  readonly entryCheck: Uint32Array;
  readonly entryPosition: Uint32Array;
  readonly reference: PackedReference;
  private readonly bucketShift: number;

  constructor(image: Uint8Array) {
    this.image = image;
    this.header = parseHeader(image);
    const { sections } = this.header;
    const view = <T>(name: keyof IndexHeader['sections'], make: (buffer: ArrayBufferLike, byteOffset: number, length: number) => T): T =>
      make(image.buffer, image.byteOffset + sections[name].offset, sections[name].length);
    this.bucketStart = view('bucketStart', (b, o, n) => new Uint32Array(b, o, n));
    this.entryCheck = view('entryCheck', (b, o, n) => new Uint32Array(b, o, n));
    this.entryPosition = view('entryPosition', (b, o, n) => new Uint32Array(b, o, n));
    const packed = view('packed', (b, o, n) => new Uint8Array(b, o, n));
    const runs = view('ambiguousRuns', (b, o, n) => new Uint32Array(b, o, n));
    this.reference = new PackedReference(this.header.contigs, packed, runs);
    this.bucketShift = 32 - this.header.bucketBits;
  }

  get k(): number {
    return this.header.k;
  }

  get w(): number {
    return this.header.w;
  }

  /**
   * Entries whose key equals (order, check): returns start << 0 and end packed as
   * [start, end) through `range` to avoid allocating in the seeding loop.
   */
  lookup(order: number, check: number, range: Uint32Array): number {
    const bucket = this.bucketShift === 32 ? 0 : order >>> this.bucketShift;
    let lo = this.bucketStart[bucket]!;
    const hi = this.bucketStart[bucket + 1]!;
    const key = check >>> 1;
    const checks = this.entryCheck;
    if (hi - lo > 16) {
      // binary search for the first entry with key ≥ ours
      let a = lo;
      let b = hi;
      while (a < b) {
        const mid = (a + b) >>> 1;
        if (checks[mid]! >>> 1 < key) a = mid + 1;
        else b = mid;
      }
      lo = a;
    } else {
      while (lo < hi && checks[lo]! >>> 1 < key) lo++;
    }
    let end = lo;
    while (end < hi && checks[end]! >>> 1 === key) end++;
    range[0] = lo;
    range[1] = end;
    return end - lo;
  }

  /** Writes the image to `path` (callers use a temp name and rename). */
  save(path: string): void {
    const fd = openSync(path, 'w');
    try {
      let written = 0;
      while (written < this.image.length) written += writeSync(fd, this.image, written, this.image.length - written);
    } finally {
      closeSync(fd);
    }
  }

  /** Loads an index file into shared memory (one read, no parsing of the sections). */
  static load(path: string): MinimizerIndex {
    const fd = openSync(path, 'r');
    try {
      const size = fstatSync(fd).size;
      const image = new Uint8Array(new SharedArrayBuffer(size));
      let read = 0;
      while (read < size) {
        const n = readSync(fd, image, read, size - read, read);
        if (n === 0) throw new Error(`${path}: index file ended early`);
        read += n;
      }
      return new MinimizerIndex(image);
    } finally {
      closeSync(fd);
    }
  }
}

/** Reads just the header of an index file (to check version, parameters and checksum). */
export function readIndexHeader(path: string): IndexHeader {
  const fd = openSync(path, 'r');
  try {
    const head = new Uint8Array(12);
    readSync(fd, head, 0, 12, 0);
    const length = new DataView(head.buffer).getUint32(8, true);
    if (length > 1 << 28) throw new Error(`${path}: not a GenomAIc index`);
    const full = new Uint8Array(12 + length);
    readSync(fd, full, 0, full.length, 0);
    return parseHeader(full);
  } finally {
    closeSync(fd);
  }
}

function parseHeader(image: Uint8Array): IndexHeader {
  const magic = new TextDecoder().decode(image.subarray(0, 8));
  if (magic !== MAGIC) throw new Error('not a GenomAIc minimizer index (bad magic)');
  const length = new DataView(image.buffer, image.byteOffset, image.byteLength).getUint32(8, true);
  const header = JSON.parse(new TextDecoder().decode(image.subarray(12, 12 + length))) as IndexHeader;
  if (header.version !== INDEX_FORMAT_VERSION) throw new Error(`index format version ${header.version}, expected ${INDEX_FORMAT_VERSION}`);
  return header;
}

/** Sorts a bucket's entries by check so equal keys are contiguous and binary-searchable. */
function sortBucket(checks: Uint32Array, positions: Uint32Array, start: number, end: number): void {
  const n = end - start;
  if (n < 2) return;
  if (n <= 24) {
    for (let i = start + 1; i < end; i++) {
      const c = checks[i]!;
      const p = positions[i]!;
      let j = i - 1;
      while (j >= start && (checks[j]! > c || (checks[j] === c && positions[j]! > p))) {
        checks[j + 1] = checks[j]!;
        positions[j + 1] = positions[j]!;
        j--;
      }
      checks[j + 1] = c;
      positions[j + 1] = p;
    }
    return;
  }
  // (check, position) is 64 bits, more than a double holds exactly, so sort a permutation
  // instead; buckets this large are repeats and rare.
  const order = new Uint32Array(n);
  for (let i = 0; i < n; i++) order[i] = i;
  const c0 = checks.slice(start, end);
  const p0 = positions.slice(start, end);
  order.sort((a, b) => c0[a]! - c0[b]! || p0[a]! - p0[b]!);
  for (let i = 0; i < n; i++) {
    checks[start + i] = c0[order[i]!]!;
    positions[start + i] = p0[order[i]!]!;
  }
}

/**
 * Builds the index of a reference given as contigs. Memory: the minimizer list (12 bytes per
 * minimizer) plus the final sections (8 bytes per minimizer, 4 per bucket, ¼ byte per base).
 */
export async function buildMinimizerIndex(
  contigs: Iterable<ReferenceContigSource> | AsyncIterable<ReferenceContigSource>,
  parameters: IndexParameters,
  referenceChecksum: string,
): Promise<MinimizerIndex> {
  const started = performance.now();
  const { k, w } = parameters;
  const builder = new PackedReferenceBuilder();
  const minimizers = new MinimizerList(1 << 20);
  for await (const contig of contigs) {
    const offset = builder.addContig(contig.name, contig.md5, contig.codes);
    sketchMinimizers(contig.codes, k, w, minimizers, offset);
  }
  const reference = builder.finish();
  const n = minimizers.length;
  // one bucket per minimizer up to 2^28 buckets (1 GiB of offsets); beyond that buckets hold ~2 keys
  const bucketBits = Math.max(8, Math.min(28, Math.ceil(Math.log2(Math.max(2, n)))));
  const shift = 32 - bucketBits;
  const bucketCount = 2 ** bucketBits;
  const bucketStart = new Uint32Array(bucketCount + 1);
  const order = minimizers.order;
  for (let i = 0; i < n; i++) bucketStart[(order[i]! >>> shift) + 1]!++;
  for (let b = 0; b < bucketCount; b++) bucketStart[b + 1]! += bucketStart[b]!;
  const fill = bucketStart.slice(0, bucketCount);
  const entryCheck = new Uint32Array(n);
  const entryPosition = new Uint32Array(n);
  const check = minimizers.check;
  const position = minimizers.position;
  for (let i = 0; i < n; i++) {
    const slot = fill[order[i]! >>> shift]!++;
    entryCheck[slot] = check[i]!;
    entryPosition[slot] = position[i]!;
  }
  minimizers.clear();
  for (let b = 0; b < bucketCount; b++) sortBucket(entryCheck, entryPosition, bucketStart[b]!, bucketStart[b + 1]!);

  // Occurrence of each distinct key, for the repeat cutoff (minimap2's mid_occ).
  const occurrences: number[] = [];
  for (let b = 0; b < bucketCount; b++) {
    let i = bucketStart[b]!;
    const end = bucketStart[b + 1]!;
    while (i < end) {
      const key = entryCheck[i]! >>> 1;
      let j = i + 1;
      while (j < end && entryCheck[j]! >>> 1 === key) j++;
      if (j - i > 1) occurrences.push(j - i);
      i = j;
    }
  }
  occurrences.sort((a, b) => b - a);
  const distinctEstimate = Math.max(1, n);
  const rank = Math.floor(parameters.occurrenceFraction * distinctEstimate);
  const fromFraction = rank < occurrences.length ? occurrences[rank]! + 1 : 2;
  const occurrenceCutoff = Math.min(parameters.maxOccurrenceCutoff, Math.max(parameters.minOccurrenceCutoff, fromFraction));

  const buildSeconds = (performance.now() - started) / 1000;
  return assembleImage({
    k,
    w,
    bucketBits,
    entryCount: n,
    occurrenceCutoff,
    referenceChecksum,
    parameters,
    contigs: [...reference.contigs],
    buildSeconds,
    parts: { bucketStart, entryCheck, entryPosition, packed: reference.packed, ambiguousRuns: reference.ambiguousRuns },
  });
}

function assembleImage(input: Omit<IndexHeader, 'version' | 'sections'> & {
  parts: Record<keyof IndexHeader['sections'], Uint8Array | Uint32Array>;
}): MinimizerIndex {
  const names = ['bucketStart', 'entryCheck', 'entryPosition', 'packed', 'ambiguousRuns'] as const;
  // Section offsets depend on the header length, which depends on the offsets: iterate once more
  // with a generous guess for the header size.
  let headerBytes = 4096 + input.contigs.length * 128;
  for (;;) {
    const sections = {} as IndexHeader['sections'];
    let offset = align8(12 + headerBytes);
    for (const name of names) {
      const part = input.parts[name];
      sections[name] = { offset, length: part.length };
      offset = align8(offset + part.byteLength);
    }
    const header: IndexHeader = {
      version: INDEX_FORMAT_VERSION,
      k: input.k,
      w: input.w,
      bucketBits: input.bucketBits,
      entryCount: input.entryCount,
      occurrenceCutoff: input.occurrenceCutoff,
      referenceChecksum: input.referenceChecksum,
      parameters: input.parameters,
      contigs: input.contigs,
      sections,
      buildSeconds: input.buildSeconds,
    };
    const json = new TextEncoder().encode(JSON.stringify(header));
    if (json.length > headerBytes) {
      headerBytes = json.length * 2;
      continue;
    }
    const image = new Uint8Array(new SharedArrayBuffer(offset));
    image.set(new TextEncoder().encode(MAGIC), 0);
    new DataView(image.buffer).setUint32(8, headerBytes, true);
    image.set(json, 12);
    image.fill(32, 12 + json.length, 12 + headerBytes); // pad the JSON with spaces
    for (const name of names) {
      const part = input.parts[name];
      image.set(new Uint8Array(part.buffer, part.byteOffset, part.byteLength), sections[name].offset);
    }
    return new MinimizerIndex(image);
  }
}

function align8(value: number): number {
  return Math.ceil(value / 8) * 8; // not `& ~7`: images pass 2 GiB
}

export { MinimizerList };
