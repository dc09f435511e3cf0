/**
 * Output files are written under a temporary name beside their destination and renamed
 * into place only when complete, so a reader never sees a half-written BAM, index or
 * sidecar under its final name (a crash leaves only a `*.tmp` file behind).
 *
 * The temp file lives in the destination directory because rename(2) is only atomic within
 * one file system. Data is fsync'ed before the rename: without it a power loss after the
 * rename can leave the final name pointing at a file whose blocks never reached the disk.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, unlink, type FileHandle } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

/** A temp-file name beside `finalPath`, unique per process and call. */
export function temporaryPathFor(finalPath: string): string {
  const suffix = `${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  return join(dirname(finalPath), `.${basename(finalPath)}.${suffix}`);
}

/**
 * One file being written atomically. `finish()` flushes and closes it under the temp name,
 * `commit()` renames it into place; the split lets a BAM and its BAI both be complete
 * before either appears under its final name.
 */
export class AtomicFile {
  readonly finalPath: string;
  readonly temporaryPath: string;
  private handle: FileHandle | undefined;
  private state: 'open' | 'finished' | 'committed' | 'discarded' = 'open';
  private position = 0;
  private readonly durable: boolean;

  private constructor(finalPath: string, temporaryPath: string, handle: FileHandle, durable: boolean) {
    this.finalPath = finalPath;
    this.temporaryPath = temporaryPath;
    this.handle = handle;
    this.durable = durable;
  }

  /**
   * @param options.durable fsync before the rename (default true). Scratch files that are
   *   deleted within the same run (sort spills) skip it.
   */
  static async create(finalPath: string, options: { durable?: boolean } = {}): Promise<AtomicFile> {
    const temporaryPath = temporaryPathFor(finalPath);
    // 'wx': never clobber an existing file under the temp name.
    const handle = await open(temporaryPath, 'wx');
    return new AtomicFile(finalPath, temporaryPath, handle, options.durable ?? true);
  }

  /** Bytes written so far. */
  get bytesWritten(): number {
    return this.position;
  }

  /** Appends `data`; rejects on any write error (short writes are retried until complete). */
  async write(data: Uint8Array): Promise<void> {
    const handle = this.requireOpen();
    let done = 0;
    while (done < data.length) {
      const { bytesWritten } = await handle.write(data, done, data.length - done, this.position);
      if (bytesWritten <= 0) throw new Error(`Write to ${this.temporaryPath} made no progress`);
      done += bytesWritten;
      this.position += bytesWritten;
    }
  }

  /** Flushes to disk and closes; the file stays under its temp name until `commit()`. */
  async finish(): Promise<void> {
    const handle = this.requireOpen();
    this.handle = undefined;
    try {
      if (this.durable) await handle.sync();
    } finally {
      // close() errors (e.g. deferred NFS write errors) must surface, not be swallowed.
      await handle.close();
    }
    this.state = 'finished';
  }

  /** Renames the finished file to its final name. */
  async commit(): Promise<void> {
    if (this.state !== 'finished') throw new Error(`Cannot commit ${this.finalPath}: file is ${this.state}`);
    await rename(this.temporaryPath, this.finalPath);
    this.state = 'committed';
  }

  /** `finish()` then `commit()`. */
  async close(): Promise<void> {
    await this.finish();
    await this.commit();
  }

  /** Closes (if open) and deletes the temp file; safe to call in any state, never throws. */
  async discard(): Promise<void> {
    if (this.state === 'committed' || this.state === 'discarded') return;
    const handle = this.handle;
    this.handle = undefined;
    this.state = 'discarded';
    if (handle) await handle.close().catch(() => undefined);
    await unlink(this.temporaryPath).catch(() => undefined);
  }

  private requireOpen(): FileHandle {
    if (this.state !== 'open' || !this.handle) throw new Error(`${this.finalPath} is not open for writing (${this.state})`);
    return this.handle;
  }
}

/** Writes a whole file atomically (temp name, fsync, rename). */
export async function writeFileAtomically(finalPath: string, data: Uint8Array | string): Promise<void> {
  const file = await AtomicFile.create(finalPath);
  try {
    await file.write(typeof data === 'string' ? Buffer.from(data, 'utf8') : data);
    await file.close();
  } catch (error) {
    await file.discard();
    throw error;
  }
}
