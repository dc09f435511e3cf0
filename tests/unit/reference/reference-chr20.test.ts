/**
 * One whole human chromosome (GRCh37 chr20, 63 Mbp, bgzipped, from the vt package's
 * examples): the slow path for real. Index files must equal samtools', the MD5 must equal
 * samtools dict's, and fetches across N gaps and soft-masked sequence must equal samtools
 * faidx. Also records how long opening and loading take.
 */
import { copyFile, mkdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openReference } from '../../../engine/reference/reference-genome.js';
import { makeTempDir, requirePackageFile, runTool, seededRandom } from '../formats/helpers.js';

const CHR20 = '/usr/share/doc/vt/examples/ref/20.fa.gz';

let dir: { path: string; remove: () => Promise<void> };
let ours: string;
let theirs: string;

beforeAll(async () => {
  await requirePackageFile(CHR20, 'vt-examples');
  dir = await makeTempDir('chr20');
  await mkdir(join(dir.path, 'ours'));
  await mkdir(join(dir.path, 'theirs'));
  ours = join(dir.path, 'ours', '20.fa.gz');
  theirs = join(dir.path, 'theirs', '20.fa.gz');
  await copyFile(CHR20, ours);
  await copyFile(CHR20, theirs);
  await runTool('samtools', ['faidx', theirs]);
});
afterAll(async () => {
  await dir.remove();
});

describe('GRCh37 chr20 (bgzip)', () => {
  it('opens, indexes, hashes and fetches like samtools', async () => {
    const t0 = performance.now();
    const genome = await openReference(ours);
    const opened = performance.now() - t0;
    expect(genome.contigs).toHaveLength(1);
    expect(genome.contigs[0]).toMatchObject({ name: '20', length: 63_025_520 });
    expect((await readFile(`${ours}.fai`)).equals(await readFile(`${theirs}.fai`))).toBe(true);
    expect((await readFile(`${ours}.gzi`)).equals(await readFile(`${theirs}.gzi`))).toBe(true);
    const dict = await runTool('samtools', ['dict', theirs]);
    expect(dict).toContain(`M5:${genome.contigs[0]!.md5}`);

    const t1 = performance.now();
    await genome.load('20');
    const loaded = performance.now() - t1;
    const random = seededRandom(20);
    // Region edges around the first N gap (chr20 starts with 60 kbp of N) and random spots.
    const regions: [number, number][] = [
      [59_990, 60_200],
      [0, 100],
      [63_025_400, 63_025_520],
    ];
    for (let i = 0; i < 20; i++) {
      const start = Math.floor(random() * 63_000_000);
      regions.push([start, start + 1 + Math.floor(random() * 2000)]);
    }
    for (const [start, end] of regions) {
      const expected = (await runTool('samtools', ['faidx', theirs, `20:${start + 1}-${end}`])).split('\n').slice(1).join('');
      expect((await genome.fetch('20', start, end, { softMasked: true })) === expected).toBe(true);
    }
    const reopened = await openReference(ours);
    expect(reopened.openedFrom).toBe('cache');
    console.log(`chr20: open (scan + sha256) ${opened.toFixed(0)} ms, load ${loaded.toFixed(0)} ms`);
    // A generous bound: this is a regression guard, not a benchmark.
    expect(opened + loaded).toBeLessThan(20_000);
  });
});
