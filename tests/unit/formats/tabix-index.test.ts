/**
 * Tabix indexes written in one pass with bgzipped VCF/BED: they must equal what `tabix -p`
 * computes for the same file, answer region queries as tabix's own index does, and be
 * readable by bcftools and @gmod/tabix.
 */
import { copyFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { TabixIndexedFile } from '@gmod/tabix';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readBgzfFile } from '../../../engine/formats/bgzf.js';
import {
  TABIX_PRESETS,
  TabixIndexedWriter,
  TabixLineError,
  buildTabixIndex,
  parseTabixInterval,
  readTabixIndexFile,
  type TabixPreset,
} from '../../../engine/formats/tabix-index.js';
import { makeTempDir, runTool, seededRandom } from './helpers.js';

const CONTIGS = [
  { name: 'chr1', length: 2_000_000 },
  { name: 'chr2', length: 1_500_000 },
  { name: 'HLA-A*01:01:01:01', length: 3_503 },
];

interface VcfRecord {
  contig: string;
  pos: number;
  end: number;
  line: string;
}

function generateVcf(seed: number): { header: string[]; records: VcfRecord[] } {
  const random = seededRandom(seed);
  const header = [
    '##fileformat=VCFv4.3',
    ...CONTIGS.map((c) => `##contig=<ID=${c.name},length=${c.length}>`),
    '##INFO=<ID=DP,Number=1,Type=Integer,Description="Depth">',
    '##INFO=<ID=END,Number=1,Type=Integer,Description="End position">',
    '##INFO=<ID=SVTYPE,Number=1,Type=String,Description="SV type">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tS1',
  ];
  const records: VcfRecord[] = [];
  for (const contig of CONTIGS) {
    let pos = 1;
    const count = contig.length > 100_000 ? 12_000 : 200;
    for (let i = 0; i < count; i++) {
      pos += Math.floor((random() * contig.length) / count / 1.2);
      if (random() < 0.003) pos += 50_000;
      if (pos > contig.length - (contig.length > 100_000 ? 70_000 : 1300)) break;
      const kind = random();
      let ref = 'ACGT'[Math.floor(random() * 4)]!;
      let alt = ref === 'A' ? 'G' : 'A';
      let info = `DP=${Math.floor(random() * 60)}`;
      let end = pos + ref.length - 1;
      if (kind < 0.1) {
        ref = ref + 'ACGTTGCA'.slice(0, 1 + Math.floor(random() * 7));
        alt = ref[0]!;
        end = pos + ref.length - 1;
      } else if (kind < 0.13) {
        // Symbolic deletion: END= decides the interval, not REF.
        end = pos + 200 + Math.floor(random() * (contig.length > 100_000 ? 60_000 : 1000));
        alt = '<DEL>';
        info = `SVTYPE=DEL;END=${end};DP=9`;
      } else if (kind < 0.14) {
        // END= first in INFO.
        end = pos + 100;
        alt = '<DUP>';
        info = `END=${end};SVTYPE=DUP`;
      }
      records.push({ contig: contig.name, pos, end, line: `${contig.name}\t${pos}\t.\t${ref}\t${alt}\t${(random() * 100).toFixed(1)}\tPASS\t${info}\tGT\t0/1` });
    }
  }
  return { header, records };
}

let dir: { path: string; remove: () => Promise<void> };
let vcf: { header: string[]; records: VcfRecord[] };
let ourVcf: string;
let theirVcf: string;

async function writeIndexed(path: string, preset: TabixPreset, lines: string[]): Promise<void> {
  const writer = await TabixIndexedWriter.create(path, preset);
  try {
    for (const line of lines) await writer.writeLine(line);
    await writer.close();
  } catch (error) {
    await writer.abort();
    throw error;
  }
}

function tabixRegion(name: string, start: number, end: number): string {
  return `${name.includes(':') ? `{${name}}` : name}:${start}-${end}`;
}

beforeAll(async () => {
  dir = await makeTempDir('tabix');
  vcf = generateVcf(41);
  ourVcf = join(dir.path, 'ours.vcf.gz');
  await writeIndexed(ourVcf, 'vcf', [...vcf.header, ...vcf.records.map((r) => r.line)]);
  theirVcf = join(dir.path, 'theirs.vcf.gz');
  await copyFile(ourVcf, theirVcf);
  await runTool('tabix', ['-p', 'vcf', theirVcf]);
});
afterAll(async () => {
  await dir.remove();
});

describe('VCF + .tbi', () => {
  it('writes a BGZF file bgzip accepts, whose text is exactly the lines written', async () => {
    await runTool('bgzip', ['-t', ourVcf]);
    const text = (await readBgzfFile(ourVcf)).toString('utf8');
    expect(text).toBe([...vcf.header, ...vcf.records.map((r) => r.line)].join('\n') + '\n');
  });

  it('writes the index tabix -p vcf computes for the same file', async () => {
    const ours = await readTabixIndexFile(`${ourVcf}.tbi`);
    const theirs = await readTabixIndexFile(`${theirVcf}.tbi`);
    expect(ours.config).toEqual(TABIX_PRESETS.vcf);
    expect(ours.sequenceNames).toEqual(CONTIGS.map((c) => c.name));
    expect(ours).toEqual(theirs);
    expect(await buildTabixIndex(ourVcf, TABIX_PRESETS.vcf)).toEqual(theirs);
  });

  it('lists sequences with tabix -l', async () => {
    expect((await runTool('tabix', ['-l', ourVcf])).trim().split('\n')).toEqual(CONTIGS.map((c) => c.name));
  });

  it('answers region queries as tabix does with its own index, END= and REF length included', async () => {
    const random = seededRandom(42);
    for (let i = 0; i < 50; i++) {
      const contig = CONTIGS[i % 7 === 6 ? 2 : i % 2]!;
      const start = 1 + Math.floor(random() * (contig.length - 1));
      const end = Math.min(contig.length, start + Math.floor(random() * (i % 5 === 0 ? 400_000 : 30_000)));
      const region = tabixRegion(contig.name, start, end);
      const viaOurs = await runTool('tabix', [ourVcf, region]);
      expect(viaOurs).toBe(await runTool('tabix', [theirVcf, region]));
      const expected = vcf.records.filter((r) => r.contig === contig.name && r.pos <= end && r.end >= start).map((r) => r.line);
      expect(viaOurs.split('\n').filter(Boolean)).toEqual(expected);
    }
  });

  it('is used by bcftools view -r', async () => {
    const region = tabixRegion('chr2', 200_000, 400_000);
    const viaOurs = await runTool('bcftools', ['view', '-H', '-r', region, ourVcf]);
    expect(viaOurs).toBe(await runTool('bcftools', ['view', '-H', '-r', region, theirVcf]));
    expect(viaOurs.split('\n').filter(Boolean).length).toBeGreaterThan(100);
  });

  it('is read by @gmod/tabix', async () => {
    const file = new TabixIndexedFile({ path: ourVcf, tbiPath: `${ourVcf}.tbi` });
    expect(await file.getReferenceSequenceNames()).toEqual(CONTIGS.map((c) => c.name));
    const lines: string[] = [];
    await file.getLines('chr1', 500_000, 700_000, (line) => lines.push(line));
    const expected = vcf.records.filter((r) => r.contig === 'chr1' && r.pos - 1 < 700_000 && r.end > 500_000).map((r) => r.line);
    expect(lines).toEqual(expected);
  });
});

describe('BED + .tbi', () => {
  it('indexes 0-based BED intervals as tabix -p bed does', async () => {
    const random = seededRandom(43);
    const lines = ['#chrom\tstart\tend\tname'];
    const intervals: { contig: string; start: number; end: number; line: string }[] = [];
    for (const contig of CONTIGS.slice(0, 2)) {
      let start = 0;
      for (let i = 0; i < 8000; i++) {
        start += Math.floor(random() * 200);
        const end = start + 1 + Math.floor(random() * (i % 50 === 0 ? 100_000 : 500));
        const line = `${contig.name}\t${start}\t${end}\tabstain_${i}`;
        lines.push(line);
        intervals.push({ contig: contig.name, start, end, line });
      }
    }
    const ours = join(dir.path, 'ours.bed.gz');
    await writeIndexed(ours, 'bed', lines);
    const theirs = join(dir.path, 'theirs.bed.gz');
    await copyFile(ours, theirs);
    await runTool('tabix', ['-p', 'bed', theirs]);
    expect(await readTabixIndexFile(`${ours}.tbi`)).toEqual(await readTabixIndexFile(`${theirs}.tbi`));
    for (const [start, end] of [
      [1, 100],
      [16_384, 16_385],
      [500_000, 520_000],
    ] as const) {
      const result = await runTool('tabix', [ours, `chr2:${start}-${end}`]);
      // tabix regions are 1-based inclusive; BED intervals 0-based half-open.
      const expected = intervals.filter((r) => r.contig === 'chr2' && r.start < end && r.end > start - 1).map((r) => r.line);
      expect(result.split('\n').filter(Boolean)).toEqual(expected);
    }
  });
});

describe('edge cases', () => {
  it('indexes a VCF with a header and no records as tabix does', async () => {
    const ours = join(dir.path, 'empty.vcf.gz');
    await writeIndexed(ours, 'vcf', vcf.header);
    const theirs = join(dir.path, 'empty-tabix.vcf.gz');
    await copyFile(ours, theirs);
    await runTool('tabix', ['-f', '-p', 'vcf', theirs]);
    expect(await readTabixIndexFile(`${ours}.tbi`)).toEqual(await readTabixIndexFile(`${theirs}.tbi`));
    expect(await runTool('tabix', ['-l', ours])).toBe('');
  });

  it('folds comment lines between records into the next chunk as tabix does', async () => {
    const lines = [...vcf.header, ...vcf.records.slice(0, 3000).flatMap((r, i) => (i % 500 === 0 ? ['#interleaved comment', r.line] : [r.line]))];
    const ours = join(dir.path, 'comments.vcf.gz');
    await writeIndexed(ours, 'vcf', lines);
    const theirs = join(dir.path, 'comments-tabix.vcf.gz');
    await copyFile(ours, theirs);
    await runTool('tabix', ['-f', '-p', 'vcf', theirs]);
    expect(await readTabixIndexFile(`${ours}.tbi`)).toEqual(await readTabixIndexFile(`${theirs}.tbi`));
  });
});

describe('line parsing and order checks', () => {
  it('parses intervals as htslib tbx_parse1', () => {
    expect(parseTabixInterval('chr1\t100\t.\tACG\tA\t.\t.\tDP=3', TABIX_PRESETS.vcf)).toEqual({ sequence: 'chr1', begin: 99, end: 102 });
    expect(parseTabixInterval('chr1\t100\t.\tA\t<DEL>\t.\t.\tSVTYPE=DEL;END=500', TABIX_PRESETS.vcf)).toEqual({ sequence: 'chr1', begin: 99, end: 500 });
    expect(parseTabixInterval('chr1\t100\t.\tA\t<DEL>\t.\t.\tEND=300;X=1', TABIX_PRESETS.vcf)).toEqual({ sequence: 'chr1', begin: 99, end: 300 });
    // An END before POS is ignored, as htslib does.
    expect(parseTabixInterval('chr1\t100\t.\tAC\tA\t.\t.\tEND=50', TABIX_PRESETS.vcf)).toEqual({ sequence: 'chr1', begin: 99, end: 101 });
    // Only a whole END key counts, not e.g. SVEND.
    expect(parseTabixInterval('chr1\t100\t.\tA\tG\t.\t.\tSVEND=900', TABIX_PRESETS.vcf)).toEqual({ sequence: 'chr1', begin: 99, end: 100 });
    expect(parseTabixInterval('chr1\t0\t10\tx', TABIX_PRESETS.bed)).toEqual({ sequence: 'chr1', begin: 0, end: 10 });
    expect(parseTabixInterval('chr1\t5', TABIX_PRESETS.bed)).toBe('no column 3 (end)');
    expect(parseTabixInterval('chr1\tx\t10', TABIX_PRESETS.bed)).toMatch(/not an integer start/);
  });

  it('rejects unsorted lines and split sequences, naming the line, and leaves no files', async () => {
    const path = join(dir.path, 'bad.vcf.gz');
    const writer = await TabixIndexedWriter.create(path, 'vcf');
    await writer.writeLine('#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO');
    await writer.writeLine('chr1\t200\t.\tA\tG\t.\t.\t.');
    await expect(writer.writeLine('chr1\t100\t.\tA\tG\t.\t.\t.')).rejects.toThrow(TabixLineError);
    await writer.abort();
    await expect(readFile(path)).rejects.toThrow(/ENOENT/);

    const split = await TabixIndexedWriter.create(path, 'vcf');
    await split.writeLine('chr1\t200\t.\tA\tG\t.\t.\t.');
    await split.writeLine('chr2\t100\t.\tA\tG\t.\t.\t.');
    await expect(split.writeLine('chr1\t300\t.\tA\tG\t.\t.\t.')).rejects.toThrow(/line 3: Records for chr1 are not contiguous/);
    await split.abort();
  });
});
