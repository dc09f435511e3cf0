/**
 * BGZF writer and reader, validated with bgzip/gzip (independent implementations) and with
 * the virtual-offset arithmetic the indexes depend on.
 */
import { mkdir, readFile, readdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  BGZF_BLOCK_DATA_SIZE,
  BGZF_EOF_BLOCK,
  BgzfWriter,
  compressBgzfBlock,
  decompressBgzf,
  decompressBgzfBlocks,
  readBgzfBlocks,
  readBgzfFile,
  splitVirtualOffset,
  writeBgzfBlock,
} from '../../../engine/formats/bgzf.js';
import { makeTempDir, runTool, runToolExpectingFailure, seededRandom } from './helpers.js';

let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  dir = await makeTempDir('bgzf');
});
afterAll(async () => {
  await dir.remove();
});

/** Half text-like (compressible), half random (incompressible) data. */
function mixedData(seed: number, size: number): Buffer {
  const random = seededRandom(seed);
  const out = Buffer.alloc(size);
  for (let i = 0; i < size; i++) {
    out[i] = Math.floor(i / 50_000) % 2 === 0 ? 'ACGT\t\n'.charCodeAt(Math.floor(random() * 6)) : Math.floor(random() * 256);
  }
  return out;
}

describe('writeBgzfBlock', () => {
  it('produces a gzip member with the BC field, the right BSIZE, CRC and ISIZE', () => {
    const data = Buffer.from('hello BGZF\n'.repeat(100));
    const block = writeBgzfBlock(data);
    // htslib's header bytes: FEXTRA, MTIME 0, OS 255, XLEN 6, "BC", SLEN 2.
    expect(block.subarray(0, 16).toString('hex')).toBe('1f8b08040000000000ff060042430200');
    expect(block.readUInt16LE(16)).toBe(block.length - 1);
    expect(block.readUInt32LE(block.length - 4)).toBe(data.length);
    // An independent gzip decoder checks CRC32 and ISIZE.
    expect(gunzipSync(block).equals(data)).toBe(true);
  });

  it('fits 0xff00 bytes of incompressible data in one block, as htslib relies on', async () => {
    const random = seededRandom(1);
    const data = Buffer.from(Array.from({ length: BGZF_BLOCK_DATA_SIZE }, () => Math.floor(random() * 256)));
    const block = await compressBgzfBlock(data, 9);
    expect(block.length).toBeLessThanOrEqual(65536);
    expect(gunzipSync(block).equals(data)).toBe(true);
  });

  it('rejects input larger than a block and invalid levels', () => {
    expect(() => writeBgzfBlock(Buffer.alloc(65537))).toThrow(/at most 65536/);
    expect(() => writeBgzfBlock(Buffer.alloc(10), 10)).toThrow(/level/);
  });

  it('matches the standard EOF block', () => {
    expect(writeBgzfBlock(Buffer.alloc(0)).equals(BGZF_EOF_BLOCK)).toBe(true);
  });
});

describe('BgzfWriter', () => {
  it('writes files bgzip and gzip accept, with 0xff00-byte blocks and the EOF marker', async () => {
    const data = mixedData(2, 1_000_003);
    const path = join(dir.path, 'mixed.gz');
    const writer = await BgzfWriter.create(path);
    const random = seededRandom(3);
    for (let p = 0; p < data.length; ) {
      const n = Math.min(data.length - p, 1 + Math.floor(random() * 100_000));
      await writer.write(data.subarray(p, p + n));
      p += n;
    }
    const summary = await writer.close();
    const file = await readFile(path);
    expect(summary.compressedBytes).toBe(file.length);
    expect(summary.uncompressedBytes).toBe(data.length);
    expect(summary.blocks).toBe(Math.ceil(data.length / BGZF_BLOCK_DATA_SIZE));
    expect(file.subarray(file.length - 28).equals(BGZF_EOF_BLOCK)).toBe(true);
    const blocks = decompressBgzfBlocks(file);
    expect(blocks.slice(0, -2).every((b) => b.data.length === BGZF_BLOCK_DATA_SIZE)).toBe(true);

    await runTool('bgzip', ['-t', path]);
    await runTool('gzip', ['-t', path]);
    const copy = join(dir.path, 'mixed-copy.gz');
    await writeFile(copy, file);
    await runTool('bgzip', ['-d', copy]);
    expect((await readFile(join(dir.path, 'mixed-copy'))).equals(data)).toBe(true);
    expect(gunzipSync(file).equals(data)).toBe(true);
    expect((await readBgzfFile(path)).equals(data)).toBe(true);
  });

  it('is deterministic for the same input and level', async () => {
    const data = mixedData(4, 300_000);
    const outputs: Buffer[] = [];
    for (const name of ['a.gz', 'b.gz']) {
      const writer = await BgzfWriter.create(join(dir.path, name), { level: 5, maxBlocksInFlight: name === 'a.gz' ? 1 : 16 });
      await writer.write(data);
      await writer.close();
      outputs.push(await readFile(join(dir.path, name)));
    }
    expect(outputs[0]!.equals(outputs[1]!)).toBe(true);
  });

  it('resolves provisional positions to virtual offsets that point at the written bytes', async () => {
    const path = join(dir.path, 'offsets.gz');
    const writer = await BgzfWriter.create(path, { level: 1 });
    const random = seededRandom(5);
    const marks: { position: number; text: string }[] = [];
    for (let i = 0; i < 20_000; i++) {
      const text = `record-${i}-${'x'.repeat(Math.floor(random() * 40))}\n`;
      // Mix in writeRecord, which may end a block early, so positions are checked across both.
      if (i % 3 === 0) {
        await writer.writeRecord(Buffer.from(text));
      } else {
        marks.push({ position: writer.position, text });
        await writer.write(Buffer.from(text));
      }
    }
    await writer.finish();
    await writer.commit();
    const blocks = decompressBgzfBlocks(await readFile(path));
    const byOffset = new Map(blocks.map((b, i) => [b.compressedOffset, i]));
    for (const mark of marks) {
      const { compressedOffset, uncompressedOffset } = splitVirtualOffset(writer.resolvePosition(mark.position));
      let i = byOffset.get(compressedOffset);
      expect(i).toBeDefined();
      let bytes = blocks[i!]!.data.subarray(uncompressedOffset);
      while (bytes.length < mark.text.length) bytes = Buffer.concat([bytes, blocks[++i!]!.data]);
      expect(bytes.subarray(0, mark.text.length).toString()).toBe(mark.text);
    }
  });

  it('keeps a record within one block when it fits (writeRecord)', async () => {
    const path = join(dir.path, 'records.gz');
    const writer = await BgzfWriter.create(path);
    const record = Buffer.alloc(1000, 0x41);
    for (let i = 0; i < 200; i++) await writer.writeRecord(record);
    await writer.close();
    const blocks = decompressBgzfBlocks(await readFile(path));
    for (const block of blocks) expect(block.data.length % 1000).toBe(0);
  });

  it('shows nothing under the final name until closed, and abort leaves nothing', async () => {
    const sub = join(dir.path, 'atomic');
    await mkdir(sub);
    const writer = await BgzfWriter.create(join(sub, 'out.gz'));
    await writer.write(mixedData(6, 200_000));
    expect(await readdir(sub)).not.toContain('out.gz');
    await writer.abort();
    expect(await readdir(sub)).toEqual([]);
    await expect(writer.write(Buffer.from('x'))).rejects.toThrow(/aborted/);
  });

  it('surfaces a failure to put the file in place instead of reporting success', async () => {
    const sub = join(dir.path, 'vanishing');
    await mkdir(sub);
    const writer = await BgzfWriter.create(join(sub, 'out.gz'));
    await writer.write(Buffer.from('data'));
    // The directory disappears before the rename: close must reject.
    await rm(sub, { recursive: true, force: true });
    await expect(writer.close()).rejects.toThrow(/ENOENT/);
  });
});

describe('BGZF reading', () => {
  it('streams blocks with their offsets, also from a block in the middle', async () => {
    const path = join(dir.path, 'stream.gz');
    const data = mixedData(7, 500_000);
    const writer = await BgzfWriter.create(path);
    await writer.write(data);
    await writer.close();
    const blocks = [];
    for await (const block of readBgzfBlocks(path, { readAhead: 3 })) blocks.push(block);
    expect(Buffer.concat(blocks.map((b) => b.data)).equals(data)).toBe(true);
    const third = blocks[2]!;
    const fromThird = [];
    for await (const block of readBgzfBlocks(path, { startOffset: third.compressedOffset })) fromThird.push(block);
    expect(fromThird[0]!.data.equals(third.data)).toBe(true);
    expect(fromThird.length).toBe(blocks.length - 2);
  });

  it('reads files written by bgzip', async () => {
    const plain = join(dir.path, 'by-bgzip.txt');
    const data = mixedData(8, 300_000);
    await writeFile(plain, data);
    await runTool('bgzip', ['-f', plain]);
    expect((await readBgzfFile(`${plain}.gz`)).equals(data)).toBe(true);
  });

  it('detects truncation and corruption', async () => {
    const path = join(dir.path, 'damaged.gz');
    const writer = await BgzfWriter.create(path);
    await writer.write(mixedData(9, 200_000));
    await writer.close();
    const file = await readFile(path);
    expect(() => decompressBgzf(file.subarray(0, file.length - 40))).toThrow(/truncated|incomplete/);
    const corrupt = Buffer.from(file);
    corrupt[corrupt.length - 40]! ^= 0xff; // inside the last data block's deflate stream or CRC
    expect(() => decompressBgzf(corrupt)).toThrow();
    await writeFile(path, corrupt);
    expect(await runToolExpectingFailure('bgzip', ['-t', path])).not.toBe('');
  });
});
