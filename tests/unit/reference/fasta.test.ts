/**
 * Reference FASTA: .fai/.gzi byte-identical to samtools faidx, MD5s equal to samtools dict,
 * fetches equal to samtools faidx, strict validation with errors that name file, line and
 * contig, and the checksum-keyed sidecar cache.
 */
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFile, mkdir, readFile, readdir, rm, utimes, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FastaFormatError, formatFai, parseFai, type FastaFaultReason } from '../../../engine/reference/fasta-scanner.js';
import { openReference } from '../../../engine/reference/reference-genome.js';
import { makeTempDir, requirePackageFile, runTool, runToolExpectingFailure, seededRandom } from '../formats/helpers.js';

const MT_HUMAN_GZ = '/usr/share/doc/minimap2/test/MT-human.fa.gz';

let dir: { path: string; remove: () => Promise<void> };
beforeAll(async () => {
  await requirePackageFile(MT_HUMAN_GZ, 'minimap2');
  dir = await makeTempDir('fasta');
});
afterAll(async () => {
  await dir.remove();
});

/** A fresh subdirectory per test, so index files from one test never meet another's. */
let counter = 0;
async function subdir(): Promise<string> {
  const path = join(dir.path, `case${counter++}`);
  await mkdir(path);
  return path;
}

/** samtools faidx output for a region, as one string of bases. */
async function samtoolsFetch(path: string, region: string): Promise<string> {
  return (await runTool('samtools', ['faidx', path, region])).split('\n').slice(1).join('');
}

/** M5 of each @SQ line samtools dict prints. */
async function samtoolsMd5s(path: string): Promise<Map<string, string>> {
  const dict = await runTool('samtools', ['dict', path]);
  const md5s = new Map<string, string>();
  for (const line of dict.split('\n').filter((l) => l.startsWith('@SQ'))) {
    const fields = Object.fromEntries(line.split('\t').slice(1).map((f) => [f.slice(0, 2), f.slice(3)]));
    md5s.set(fields.SN!, fields.M5!);
  }
  return md5s;
}

async function gunzipTo(source: string, target: string): Promise<void> {
  const { stdout } = await promisify(execFile)('gzip', ['-dc', source], { encoding: 'buffer', maxBuffer: 1 << 30 });
  await writeFile(target, stdout);
}

function wrap(sequence: string, width: number, newline = '\n'): string {
  let out = '';
  for (let i = 0; i < sequence.length; i += width) out += sequence.slice(i, i + width) + newline;
  return out;
}

/** A sequence with soft-masked stretches, N runs and scattered IUPAC codes. */
function syntheticSequence(seed: number, length: number): string {
  const random = seededRandom(seed);
  let s = '';
  while (s.length < length) {
    const roll = random();
    const run = 1 + Math.floor(random() * 300);
    if (roll < 0.05) s += 'N'.repeat(run);
    else if (roll < 0.25) s += Array.from({ length: run }, () => 'acgt'[Math.floor(random() * 4)]).join('');
    else if (roll < 0.27) s += 'RYKMSWBDHVn'[Math.floor(random() * 11)];
    else s += Array.from({ length: run }, () => 'ACGT'[Math.floor(random() * 4)]).join('');
  }
  return s.slice(0, length);
}

const SYNTHETIC_CONTIGS = [
  { name: 'chr1', width: 60, length: 25_000 },
  { name: 'HLA-A*01:01:01:01', width: 70, length: 3_503 },
  { name: 'chrUn_KI270742v1', width: 80, length: 12_345 },
  { name: 'gi|9626243|ref|NC_001416.1|', width: 60, length: 60 }, // exactly one full line
  { name: 'tiny', width: 60, length: 7 },
];

function syntheticFasta(newline = '\n'): { text: string; sequences: Map<string, string> } {
  const sequences = new Map<string, string>();
  let text = '';
  SYNTHETIC_CONTIGS.forEach((contig, i) => {
    const sequence = syntheticSequence(100 + i, contig.length);
    sequences.set(contig.name, sequence);
    text += `>${contig.name} description with spaces${newline}${wrap(sequence, contig.width, newline)}`;
  });
  return { text, sequences };
}

describe('real data: MT-human', () => {
  it('builds the .fai samtools faidx builds, byte for byte, and the M5 samtools dict computes', async () => {
    const d = await subdir();
    const ours = join(d, 'mt.fa');
    const theirs = join(d, 'mt-samtools.fa');
    await gunzipTo(MT_HUMAN_GZ, ours);
    await copyFile(ours, theirs);
    const genome = await openReference(ours);
    await runTool('samtools', ['faidx', theirs]);
    expect((await readFile(`${ours}.fai`)).equals(await readFile(`${theirs}.fai`))).toBe(true);
    const md5s = await samtoolsMd5s(theirs);
    expect(genome.contigs.map((c) => [c.name, c.md5])).toEqual([...md5s]);
    expect(genome.bamReferences()[0]).toMatchObject({ name: 'MT_human', length: 16_569, md5: md5s.get('MT_human') });
  });

  it('fetches exactly what samtools faidx returns, plain and bgzipped', async () => {
    const d = await subdir();
    const plain = join(d, 'mt.fa');
    await gunzipTo(MT_HUMAN_GZ, plain);
    await runTool('bgzip', ['-k', plain]);
    const compressed = `${plain}.gz`;
    const plainGenome = await openReference(plain);
    const bgzipGenome = await openReference(compressed);
    expect(bgzipGenome.compression).toBe('bgzip');
    const random = seededRandom(7);
    const regions: [number, number][] = [
      [0, 1],
      [0, 16_569],
      [16_568, 16_569],
      [59, 61],
    ];
    for (let i = 0; i < 30; i++) {
      const start = Math.floor(random() * 16_569);
      regions.push([start, Math.min(16_569, start + 1 + Math.floor(random() * 3000))]);
    }
    for (const [start, end] of regions) {
      // samtools keeps the FASTA's case (MT-human has a soft-masked base at 3107).
      const expected = await samtoolsFetch(plain, `MT_human:${start + 1}-${end}`);
      for (const genome of [plainGenome, bgzipGenome]) {
        expect(await genome.fetch('MT_human', start, end, { softMasked: true }) === expected).toBe(true);
        expect(await genome.fetch('MT_human', start, end) === expected.toUpperCase()).toBe(true);
      }
    }
  });

  it('writes the .fai and .gzi samtools faidx writes for a bgzipped FASTA, usable by samtools', async () => {
    const d = await subdir();
    const plain = join(d, 'mt.fa');
    await gunzipTo(MT_HUMAN_GZ, plain);
    await runTool('bgzip', [plain]);
    const ours = `${plain}.gz`;
    const theirs = join(d, 'samtools.fa.gz');
    await copyFile(ours, theirs);
    await openReference(ours);
    await runTool('samtools', ['faidx', theirs]);
    expect((await readFile(`${ours}.fai`)).equals(await readFile(`${theirs}.fai`))).toBe(true);
    expect((await readFile(`${ours}.gzi`)).equals(await readFile(`${theirs}.gzi`))).toBe(true);
    // samtools reads the bgzipped FASTA through our indexes.
    expect(await samtoolsFetch(ours, 'MT_human:100-200')).toBe(await samtoolsFetch(theirs, 'MT_human:100-200'));
  });
});

describe('synthetic FASTA: odd names, soft masking, IUPAC, line widths', () => {
  for (const [label, newline] of [
    ['LF', '\n'],
    ['CRLF', '\r\n'],
  ] as const) {
    it(`matches samtools faidx/dict and fetches every base (${label})`, async () => {
      const d = await subdir();
      const { text, sequences } = syntheticFasta(newline);
      const ours = join(d, 'synthetic.fa');
      const theirs = join(d, 'samtools.fa');
      await writeFile(ours, text);
      await writeFile(theirs, text);
      const genome = await openReference(ours);
      await runTool('samtools', ['faidx', theirs]);
      expect(await readFile(`${ours}.fai`, 'utf8')).toBe(await readFile(`${theirs}.fai`, 'utf8'));
      const md5s = await samtoolsMd5s(theirs);
      for (const contig of genome.contigs) {
        expect(contig.md5).toBe(md5s.get(contig.name));
        expect(contig.md5).toBe(createHash('md5').update(sequences.get(contig.name)!.toUpperCase()).digest('hex'));
        const whole = await genome.fetch(contig.name, 0, contig.length, { softMasked: true });
        expect(whole).toBe(sequences.get(contig.name));
        // samtools region syntax needs braces around names containing ':'.
        const region = contig.name.includes(':') ? `{${contig.name}}` : contig.name;
        expect(whole).toBe(await samtoolsFetch(theirs, region));
        expect(await genome.fetch(contig.name, 0, contig.length)).toBe(sequences.get(contig.name)!.toUpperCase());
      }
    });
  }

  it('reports soft-masked intervals and aligner codes', async () => {
    const d = await subdir();
    const path = join(d, 'masked.fa');
    await writeFile(path, '>c\nACGTacgtNNRYnnAC\nGT\n');
    const genome = await openReference(path);
    const packed = await genome.load('c');
    expect(packed.fetch(0, 18)).toBe('ACGTACGTNNRYNNACGT');
    expect(packed.fetch(0, 18, { softMasked: true })).toBe('ACGTacgtNNRYnnACGT');
    expect(packed.softMaskedIntervals(0, 18)).toEqual([
      [4, 8],
      [12, 14],
    ]);
    expect(Array.from(packed.codes(2, 14))).toEqual([2, 3, 0, 1, 2, 3, 4, 4, 4, 4, 4, 4]);
    await expect(genome.fetch('c', 10, 19)).rejects.toThrow(RangeError);
    await expect(genome.fetch('missing', 0, 1)).rejects.toThrow(/no contig "missing"/);
  });
});

describe('validation', () => {
  const cases: [string, string, FastaFaultReason, RegExp][] = [
    ['a duplicate contig name', '>a\nACGT\n>b\nACGT\n>a\nACGT\n', 'duplicate-contig', /line 5: contig name "a" appears twice \(first at line 1\)/],
    ['an empty contig', '>a\nACGT\n>b\n>c\nACGT\n', 'empty-contig', /line 3: contig "b" has no sequence/],
    ['an empty last contig', '>a\nACGT\n>b\n', 'empty-contig', /line 3: contig "b" has no sequence/],
    ['a non-IUPAC character', '>a\nACGT\nACXT\n', 'invalid-base', /line 3: "X" at column 3 in contig "a" is not an IUPAC/],
    ['a gap character', '>a\nAC-T\n', 'invalid-base', /line 2: "-" at column 3/],
    ['a space inside a sequence line', '>a\nAC GT\n', 'invalid-base', /line 2: whitespace at column 3/],
    ['a line longer than the first', '>a\nACGT\nACGTA\nAC\n', 'inconsistent-line-length', /line 3: line has 5 bases but the first line of contig "a" has 4/],
    ['a short line in the middle', '>a\nACGT\nAC\nACGT\n', 'inconsistent-line-length', /line 4: sequence of contig "a" continues after line 3/],
    ['a blank line inside a sequence', '>a\nACGT\n\nACGT\n', 'inconsistent-line-length', /line 4: .*continues after a blank line \(line 3\)/],
    ['mixed line endings', '>a\nACGT\r\nACG\nT\n', 'inconsistent-line-length', /mixes CRLF and LF/],
    ['sequence before any header', 'ACGT\n>a\nACGT\n', 'missing-header', /line 1: sequence data before the first FASTA header/],
    ['a header without a name', '>\nACGT\n', 'missing-name', /line 1: FASTA header has no sequence name/],
    ['a name SAM forbids', '>chr,1\nACGT\n', 'invalid-contig-name', /line 1: contig name "chr,1" is not allowed/],
  ];
  for (const [what, text, reason, message] of cases) {
    it(`refuses ${what}, naming file, line and contig`, async () => {
      const d = await subdir();
      const path = join(d, 'bad.fa');
      await writeFile(path, text);
      const error = await openReference(path).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(error).toBeInstanceOf(FastaFormatError);
      expect((error as FastaFormatError).reason).toBe(reason);
      expect((error as FastaFormatError).message).toMatch(/^bad\.fa line \d+: /);
      expect((error as FastaFormatError).message).toMatch(message);
      expect((error as FastaFormatError).detail.file).toBe(path);
      // Nothing is written for a file we refuse.
      expect(await readdir(d)).toEqual(['bad.fa']);
    });
  }

  it('refuses plain gzip with a pointer to bgzip, as samtools does', async () => {
    const d = await subdir();
    const path = join(d, 'plain.fa.gz');
    await writeFile(path, gzipSync('>a\nACGT\n'));
    await expect(openReference(path)).rejects.toThrow(/plain gzip.*bgzip/);
    expect(await runToolExpectingFailure('samtools', ['faidx', path])).toMatch(/bgzip/);
  });

  it('reports a missing file and an empty file with their contract codes', async () => {
    const d = await subdir();
    await expect(openReference(join(d, 'nope.fa'))).rejects.toMatchObject({ detail: { code: 'file-not-found' } });
    await writeFile(join(d, 'empty.fa'), '');
    await expect(openReference(join(d, 'empty.fa'))).rejects.toMatchObject({ detail: { code: 'empty-file' } });
  });

  it('refuses a .fai that does not match the FASTA instead of trusting it', async () => {
    const d = await subdir();
    const path = join(d, 'ref.fa');
    await writeFile(path, '>a\nACGTACGT\nACG\n');
    await writeFile(`${path}.fai`, 'a\t11\t3\t4\t5\n');
    await expect(openReference(path)).rejects.toMatchObject({ reason: 'stale-index' });
  });
});

describe('sidecar cache', () => {
  it('re-opens from the cache, detects changes by checksum and rebuilds what it wrote', async () => {
    const d = await subdir();
    const path = join(d, 'ref.fa');
    await writeFile(path, '>a\nACGTACGT\nACG\n>b\nTTTT\n');
    const first = await openReference(path);
    expect(first.openedFrom).toBe('scan');
    expect(first.sha256).toBe(createHash('sha256').update(await readFile(path)).digest('hex'));
    const sidecar = JSON.parse(await readFile(`${path}.genomaic.json`, 'utf8')) as { fasta: { sha256: string }; contigs: unknown[] };
    expect(sidecar.fasta.sha256).toBe(first.sha256);
    expect(sidecar.contigs).toHaveLength(2);

    const second = await openReference(path);
    expect(second.openedFrom).toBe('cache');
    expect(second.contigs).toEqual(first.contigs);
    expect(await second.fetch('a', 6, 11)).toBe('GTACG');

    // A deleted .fai is put back from the cache, without rescanning.
    await rm(`${path}.fai`);
    expect((await openReference(path)).openedFrom).toBe('cache');
    expect(await readFile(`${path}.fai`, 'utf8')).toBe(formatFai(first.contigs));

    // Touched but not changed: the checksum still matches, so the cache is kept.
    const later = new Date(Date.now() + 5000);
    await utimes(path, later, later);
    expect((await openReference(path)).openedFrom).toBe('cache');

    // Changed: detected, rescanned, and the .fai we wrote is replaced.
    await writeFile(path, '>a\nACGTACGT\nACG\n>b\nTTTT\n>c\nGG\n');
    const changed = await openReference(path);
    expect(changed.openedFrom).toBe('scan');
    expect(changed.contigs.map((c) => c.name)).toEqual(['a', 'b', 'c']);
    expect(parseFai(await readFile(`${path}.fai`, 'utf8'))).toEqual(changed.contigs.map(({ md5: _md5, ...fai }) => fai));
    expect(await readFile(`${path}.fai`, 'utf8')).toBe(formatFai(changed.contigs));
  });

  it('keeps the cache in a separate directory when asked, and can leave the FASTA directory alone', async () => {
    const d = await subdir();
    const cacheDirectory = join(d, 'cache');
    await mkdir(cacheDirectory);
    const path = join(d, 'ref.fa');
    await writeFile(path, '>a\nACGT\n');
    await openReference(path, { cacheDirectory, writeIndexes: false });
    expect(await readdir(d)).toEqual(['cache', 'ref.fa']);
    expect((await readdir(cacheDirectory)).length).toBe(1);
    expect((await openReference(path, { cacheDirectory, writeIndexes: false })).openedFrom).toBe('cache');
  });

  it('refuses to load a contig from a file changed since it was opened', async () => {
    const d = await subdir();
    const path = join(d, 'ref.fa');
    await writeFile(path, '>a\nACGT\n');
    const genome = await openReference(path);
    await writeFile(path, '>a\nACGTT\n');
    await expect(genome.fetch('a', 0, 2)).rejects.toMatchObject({ reason: 'changed-on-disk' });
  });

  it('preloads every contig when asked, from a scan or from the cache', async () => {
    const d = await subdir();
    const { text, sequences } = syntheticFasta();
    const path = join(d, 'ref.fa');
    await writeFile(path, text);
    for (const expectedSource of ['scan', 'cache'] as const) {
      const genome = await openReference(path, { preload: true });
      expect(genome.openedFrom).toBe(expectedSource);
      for (const contig of genome.contigs) expect(await genome.fetch(contig.name, 0, contig.length, { softMasked: true })).toBe(sequences.get(contig.name));
    }
  });
});
