/**
 * A reference genome opened from FASTA (plain or bgzip): contig names, lengths and MD5s at
 * once, sequences loaded per contig on first use and held 2-bit packed.
 *
 * Opening reads the whole file once (validating it, building the .fai and, for bgzip, the
 * .gzi block index, and hashing it) and records the result in a small JSON sidecar keyed
 * by the file's size, mtime and SHA-256. Re-opening an unchanged file reads only the
 * sidecar; a file whose size or mtime changed is re-hashed, and re-scanned if its SHA-256
 * changed too. A contig is loaded by seeking to its .fai offset (through the .gzi for
 * bgzip), so a run that touches one chromosome holds one chromosome.
 *
 * A .fai (and .gzi) is written beside the FASTA when missing, byte-identical to what
 * `samtools faidx` writes, so other tools can use the same reference. An existing index that
 * does not match the FASTA is an error (it would silently misplace every base for samtools
 * too), unless the sidecar shows we wrote it for an earlier version of the file.
 *
 * Plain gzip is refused with a message that says to use bgzip, as samtools does: it cannot
 * be read at an offset, so every contig load would decompress the file from the start.
 */
import { hasGzipMagic, readFileHead } from '../util/file-head.js';
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import type { BamReference } from '../formats/bam-header.js';
import { writeFileAtomically } from '../formats/atomic-file.js';
import { NotBgzfError, bgzfBlockSizeAt, readBgzfBlocks } from '../formats/bgzf.js';
import { gziBlockFor, parseGzi, serializeGzi, type GziEntry, type GziIndex } from '../formats/gzi.js';
import { EngineError } from '../errors.js';
import { FastaFormatError, FastaScanner, formatFai, type FaiEntry, type ScannedContig } from './fasta-scanner.js';
import { PackedSequenceBuilder, type PackedSequence } from './packed-sequence.js';

export type FastaCompression = 'none' | 'bgzip';

export interface ReferenceContig extends FaiEntry {
  /** MD5 of the uppercase sequence, lowercase hex. */
  md5: string;
}

export interface OpenReferenceOptions {
  /**
   * Directory for the sidecar cache (one JSON file per FASTA path). Default: beside the
   * FASTA as `<fasta>.genomaic.json`.
   */
  cacheDirectory?: string;
  /** Write a missing .fai / .gzi beside the FASTA. Default true. */
  writeIndexes?: boolean;
  /** Pack every contig now (during the scan when there is one) instead of on first use. */
  preload?: boolean;
  signal?: AbortSignal;
}

const CACHE_FORMAT = 'genomaic-reference-cache';
const CACHE_VERSION = 1;

interface ReferenceCacheFile {
  format: typeof CACHE_FORMAT;
  version: typeof CACHE_VERSION;
  fasta: { path: string; size: number; mtimeMs: number; sha256: string };
  compression: FastaCompression;
  contigs: ReferenceContig[];
  /** Serialized .gzi, base64, for bgzip files: we need it whether or not a .gzi file can be written. */
  gzi?: string;
  /** Index files beside the FASTA that we wrote (so we may replace them when the FASTA changes). */
  wroteFai?: boolean;
  wroteGzi?: boolean;
}

interface FileIdentity {
  size: number;
  mtimeMs: number;
}

function errnoCode(error: unknown): string | undefined {
  return typeof error === 'object' && error !== null && 'code' in error ? String((error as { code: unknown }).code) : undefined;
}

async function statFasta(path: string): Promise<FileIdentity> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw EngineError.of('file-unreadable', `${path}: not a regular file`, { file: path });
    if (s.size === 0) throw new FastaFormatError('empty-file', path, 'the file is empty');
    return { size: s.size, mtimeMs: s.mtimeMs };
  } catch (error) {
    if (errnoCode(error) === 'ENOENT') throw EngineError.of('file-not-found', `${path}: no such reference file`, { file: path });
    throw error;
  }
}

/** 'bgzip' or 'none'; plain gzip is refused with a message pointing to bgzip. */
export async function detectFastaCompression(path: string): Promise<FastaCompression> {
  const bytes = await readFileHead(path, 64);
  if (!hasGzipMagic(bytes)) return 'none';
  try {
    if (bgzfBlockSizeAt(bytes, 0) !== undefined) return 'bgzip';
  } catch (error) {
    if (!(error instanceof NotBgzfError)) throw error;
  }
  throw new FastaFormatError(
    'gzip-not-bgzip',
    path,
    `compressed with plain gzip, which cannot be read at an offset; recompress it with bgzip (for example: zcat ${basename(path)} | bgzip > ${basename(path).replace(/\.gz$/, '')}.bgz), as samtools faidx also requires`,
  );
}

export async function sha256OfFile(path: string, signal?: AbortSignal): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22, ...(signal ? { signal } : {}) })) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

interface ScanOutput {
  contigs: ScannedContig[];
  sequences?: Map<string, PackedSequence>;
  gzi?: GziIndex;
}

/** One pass over the FASTA: .fai entries, MD5s, validation, the .gzi for bgzip, optional packing. */
export async function scanFastaFile(
  path: string,
  compression: FastaCompression,
  options: { pack?: boolean; signal?: AbortSignal } = {},
): Promise<ScanOutput> {
  const scanner = new FastaScanner(path, { pack: options.pack ?? false });
  if (compression === 'none') {
    for await (const chunk of createReadStream(path, { highWaterMark: 1 << 22, ...(options.signal ? { signal: options.signal } : {}) })) {
      scanner.push(chunk as Buffer);
    }
    return scanner.finish();
  }
  const gzi: GziEntry[] = [];
  let uncompressed = 0;
  try {
    for await (const block of readBgzfBlocks(path, options.signal ? { signal: options.signal } : {})) {
      // htslib's .gzi lists the start of every block that holds data (the first is implied;
      // empty blocks such as the EOF marker are left out, as samtools faidx and bgzip -r do).
      if (block.data.length > 0) gzi.push({ compressedOffset: block.compressedOffset, uncompressedOffset: uncompressed });
      uncompressed += block.data.length;
      scanner.push(block.data);
    }
  } catch (error) {
    if (error instanceof EngineError || (error instanceof Error && error.name === 'AbortError')) throw error;
    const message = error instanceof Error ? error.message : String(error);
    throw new FastaFormatError('corrupt-compression', path, `the bgzip data is corrupt or truncated (${message})`);
  }
  return { ...scanner.finish(), gzi };
}

function cachePathFor(fastaPath: string, cacheDirectory: string | undefined): string {
  if (!cacheDirectory) return `${fastaPath}.genomaic.json`;
  const key = createHash('sha256').update(resolve(fastaPath)).digest('hex').slice(0, 32);
  return join(cacheDirectory, `${key}.reference.json`);
}

async function readCache(path: string, fastaPath: string): Promise<ReferenceCacheFile | undefined> {
  try {
    const parsed = JSON.parse(await readFile(path, 'utf8')) as Partial<ReferenceCacheFile>;
    if (parsed.format !== CACHE_FORMAT || parsed.version !== CACHE_VERSION) return undefined;
    if (!parsed.fasta || parsed.fasta.path !== resolve(fastaPath) || !Array.isArray(parsed.contigs)) return undefined;
    return parsed as ReferenceCacheFile;
  } catch {
    // Missing or unreadable cache: rebuild it.
    return undefined;
  }
}

/** Whether an error from writing beside the FASTA means "not allowed there" rather than a fault. */
function isPermissionProblem(error: unknown): boolean {
  const code = errnoCode(error);
  return code === 'EACCES' || code === 'EPERM' || code === 'EROFS';
}

/**
 * Makes sure an index beside the FASTA says what we computed: keeps a matching one, writes a
 * missing one, replaces one we wrote before, refuses a foreign stale one.
 */
async function reconcileIndexFile(
  indexPath: string,
  expected: Buffer,
  fastaPath: string,
  options: { write: boolean; replaceable: boolean; warnings: string[] },
): Promise<boolean> {
  let existing: Buffer | undefined;
  try {
    existing = await readFile(indexPath);
  } catch (error) {
    if (errnoCode(error) !== 'ENOENT') throw error;
  }
  if (existing?.equals(expected)) return options.replaceable;
  if (existing && !options.replaceable) {
    throw new FastaFormatError(
      'stale-index',
      fastaPath,
      `${basename(indexPath)} does not match the FASTA (stale, or built from another file); delete it so it is rebuilt, or re-run samtools faidx`,
    );
  }
  if (!options.write) return false;
  try {
    await writeFileAtomically(indexPath, expected);
    return true;
  } catch (error) {
    if (!isPermissionProblem(error)) throw error;
    options.warnings.push(`Could not write ${indexPath} (${errnoCode(error)}); other tools will need to index ${basename(fastaPath)} themselves`);
    return false;
  }
}

/** Opens a FASTA; see the module comment for what is read, cached and written. */
export async function openReference(fastaPath: string, options: OpenReferenceOptions = {}): Promise<ReferenceGenome> {
  const path = resolve(fastaPath);
  const identity = await statFasta(path);
  const compression = await detectFastaCompression(path);
  const cachePath = cachePathFor(path, options.cacheDirectory);
  const cached = await readCache(cachePath, path);
  const warnings: string[] = [];
  const write = options.writeIndexes ?? true;

  let sha256: string | undefined;
  if (cached && cached.compression === compression) {
    const sameStat = cached.fasta.size === identity.size && cached.fasta.mtimeMs === identity.mtimeMs;
    if (!sameStat) sha256 = await sha256OfFile(path, options.signal);
    if (sameStat || sha256 === cached.fasta.sha256) {
      const gzi = cached.gzi ? parseGzi(Buffer.from(cached.gzi, 'base64')) : undefined;
      // Index files may have been deleted since; put back what is missing.
      const wroteFai = await reconcileIndexFile(`${path}.fai`, Buffer.from(formatFai(cached.contigs)), path, {
        write,
        replaceable: cached.wroteFai ?? false,
        warnings,
      });
      const wroteGzi = gzi
        ? await reconcileIndexFile(`${path}.gzi`, serializeGzi(gzi), path, { write, replaceable: cached.wroteGzi ?? false, warnings })
        : false;
      if (!sameStat || wroteFai !== (cached.wroteFai ?? false) || wroteGzi !== (cached.wroteGzi ?? false)) {
        // Touched but unchanged, or index files rewritten: record it so the next open is fast again.
        await saveCache(cachePath, { ...cached, fasta: { ...cached.fasta, ...identity }, wroteFai, wroteGzi }, warnings);
      }
      const genome = new ReferenceGenome(path, compression, cached.fasta.sha256, cached.contigs, 'cache', warnings, identity, gzi);
      if (options.preload) for (const contig of genome.contigs) await genome.load(contig.name);
      return genome;
    }
  }

  const [scan, digest] = await Promise.all([
    scanFastaFile(path, compression, { pack: options.preload ?? false, ...(options.signal ? { signal: options.signal } : {}) }),
    sha256 ?? sha256OfFile(path, options.signal),
  ]);
  // The file must not have changed while we read it.
  const after = await statFasta(path);
  if (after.size !== identity.size || after.mtimeMs !== identity.mtimeMs) {
    throw new FastaFormatError('changed-on-disk', path, 'the file changed while it was being read; try again once it is complete');
  }
  const contigs: ReferenceContig[] = scan.contigs.map(({ name, length, offset, lineBases, lineWidth, md5 }) => ({ name, length, offset, lineBases, lineWidth, md5 }));
  const wroteFai = await reconcileIndexFile(`${path}.fai`, Buffer.from(formatFai(contigs)), path, {
    write,
    replaceable: cached?.wroteFai ?? false,
    warnings,
  });
  const wroteGzi = scan.gzi
    ? await reconcileIndexFile(`${path}.gzi`, serializeGzi(scan.gzi), path, { write, replaceable: cached?.wroteGzi ?? false, warnings })
    : false;
  const cache: ReferenceCacheFile = {
    format: CACHE_FORMAT,
    version: CACHE_VERSION,
    fasta: { path, ...identity, sha256: digest },
    compression,
    contigs,
    ...(scan.gzi ? { gzi: serializeGzi(scan.gzi).toString('base64') } : {}),
    wroteFai,
    wroteGzi,
  };
  await saveCache(cachePath, cache, warnings);
  const genome = new ReferenceGenome(path, compression, digest, contigs, 'scan', warnings, identity, scan.gzi);
  if (scan.sequences) genome.adoptSequences(scan.sequences);
  return genome;
}

async function saveCache(cachePath: string, cache: ReferenceCacheFile, warnings: string[]): Promise<void> {
  try {
    await writeFileAtomically(cachePath, JSON.stringify(cache));
  } catch (error) {
    if (!isPermissionProblem(error)) throw error;
    warnings.push(`Could not write the reference cache ${cachePath} (${errnoCode(error)}); the FASTA will be re-read on every open`);
  }
}

/** Feeds a contig's bytes (starting at its .fai offset) to a builder, skipping line ends. */
class ContigExtractor {
  readonly totalBytes: number;
  private consumed = 0;
  private readonly entry: FaiEntry;
  private readonly builder: PackedSequenceBuilder;
  private readonly file: string;

  constructor(file: string, entry: FaiEntry, builder: PackedSequenceBuilder) {
    this.file = file;
    this.entry = entry;
    this.builder = builder;
    const lines = Math.ceil(entry.length / entry.lineBases);
    this.totalBytes = (lines - 1) * entry.lineWidth + (entry.length - (lines - 1) * entry.lineBases);
  }

  get done(): boolean {
    return this.consumed >= this.totalBytes;
  }

  push(data: Uint8Array, from: number, to: number): void {
    const { lineBases, lineWidth } = this.entry;
    let i = from;
    while (i < to && this.consumed < this.totalBytes) {
      const column = this.consumed % lineWidth;
      if (column < lineBases) {
        const n = Math.min(lineBases - column, to - i, this.totalBytes - this.consumed);
        // Validated when the index was built; a non-base here means the file changed since.
        if (this.builder.append(data, i, i + n) >= 0) {
          throw new FastaFormatError('changed-on-disk', this.file, `contig "${this.entry.name}" no longer matches its index; reopen the reference`);
        }
        i += n;
        this.consumed += n;
      } else {
        const n = Math.min(lineWidth - column, to - i, this.totalBytes - this.consumed);
        i += n;
        this.consumed += n;
      }
    }
  }
}

export class ReferenceGenome {
  /** Absolute path of the FASTA. */
  readonly path: string;
  readonly compression: FastaCompression;
  /** SHA-256 of the FASTA file's bytes. */
  readonly sha256: string;
  readonly contigs: readonly ReferenceContig[];
  /** 'cache' when the sidecar was valid; 'scan' when the file was read. */
  readonly openedFrom: 'cache' | 'scan';
  /** Non-fatal problems (e.g. an index that could not be written). */
  readonly warnings: readonly string[];
  private readonly identity: FileIdentity;
  private readonly gzi: GziIndex | undefined;
  private readonly byName: Map<string, ReferenceContig>;
  private readonly loaded = new Map<string, Promise<PackedSequence>>();

  constructor(
    path: string,
    compression: FastaCompression,
    sha256: string,
    contigs: readonly ReferenceContig[],
    openedFrom: 'cache' | 'scan',
    warnings: readonly string[],
    identity: FileIdentity,
    gzi: GziIndex | undefined,
  ) {
    this.path = path;
    this.compression = compression;
    this.sha256 = sha256;
    this.contigs = contigs;
    this.openedFrom = openedFrom;
    this.warnings = warnings;
    this.identity = identity;
    this.gzi = gzi;
    this.byName = new Map(contigs.map((c) => [c.name, c]));
  }

  /** The contig named `name`; throws a clear error for an unknown name. */
  contig(name: string): ReferenceContig {
    const contig = this.byName.get(name);
    if (!contig) {
      throw EngineError.of('not-found', `${basename(this.path)} has no contig "${name}"`, { file: this.path });
    }
    return contig;
  }

  has(name: string): boolean {
    return this.byName.has(name);
  }

  /** The contig's packed sequence, read from disk on first use and kept until `release`. */
  load(name: string): Promise<PackedSequence> {
    const contig = this.contig(name);
    let promise = this.loaded.get(name);
    if (!promise) {
      promise = this.readContig(contig);
      // A failed load is not cached, so a later call can retry.
      promise.catch(() => this.loaded.delete(name));
      this.loaded.set(name, promise);
    }
    return promise;
  }

  /**
   * Bases of [start, end) (0-based, half-open) on `name`, uppercase; `softMasked` keeps the
   * FASTA's lowercase.
   */
  async fetch(name: string, start: number, end: number, options: { softMasked?: boolean } = {}): Promise<string> {
    const contig = this.contig(name);
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > contig.length || start > end) {
      throw new RangeError(`${name}:[${start}, ${end}) is outside ${name} (length ${contig.length})`);
    }
    return (await this.load(name)).fetch(start, end, options);
  }

  /** Drops a loaded contig from memory. */
  release(name: string): void {
    this.loaded.delete(name);
  }

  /** @SQ entries for a BAM header: name, length, M5 and UR. */
  bamReferences(): BamReference[] {
    return this.contigs.map((c) => ({ name: c.name, length: c.length, md5: c.md5, uri: `file://${this.path}` }));
  }

  /** Used by `openReference` when the scan packed everything already. */
  adoptSequences(sequences: Map<string, PackedSequence>): void {
    for (const [name, sequence] of sequences) this.loaded.set(name, Promise.resolve(sequence));
  }

  private async readContig(contig: ReferenceContig): Promise<PackedSequence> {
    const now = await statFasta(this.path);
    if (now.size !== this.identity.size || now.mtimeMs !== this.identity.mtimeMs) {
      throw new FastaFormatError('changed-on-disk', this.path, 'the file changed since it was opened; reopen the reference');
    }
    const builder = new PackedSequenceBuilder(contig.length);
    const extractor = new ContigExtractor(this.path, contig, builder);
    if (this.compression === 'none') {
      const handle = await open(this.path, 'r');
      try {
        const chunk = Buffer.allocUnsafe(Math.min(1 << 22, extractor.totalBytes));
        let position = contig.offset;
        while (!extractor.done) {
          const { bytesRead } = await handle.read(chunk, 0, chunk.length, position);
          if (bytesRead === 0) throw new FastaFormatError('changed-on-disk', this.path, `contig "${contig.name}" is cut short; reopen the reference`);
          extractor.push(chunk, 0, bytesRead);
          position += bytesRead;
        }
      } finally {
        await handle.close();
      }
    } else {
      const start = gziBlockFor(this.gzi ?? [], contig.offset);
      let uncompressed = start.uncompressedOffset;
      for await (const block of readBgzfBlocks(this.path, { startOffset: start.compressedOffset })) {
        const end = uncompressed + block.data.length;
        if (end > contig.offset) extractor.push(block.data, Math.max(0, contig.offset - uncompressed), block.data.length);
        uncompressed = end;
        if (extractor.done) break;
      }
      if (!extractor.done) throw new FastaFormatError('changed-on-disk', this.path, `contig "${contig.name}" is cut short; reopen the reference`);
    }
    return builder.finish();
  }
}
