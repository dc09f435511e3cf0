/**
 * MAPQ: the repetitive-seed term of the raw model on a real repeat, and the recalibration
 * curves (configs/align/mapq.<preset>.json): that the shipped ones load and are monotone, that
 * a broken one is refused naming the file and the key, that the fit never lets the claimed
 * error rise with the raw MAPQ, and that the aligner's records carry the curve's values.
 */
import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { alignReads } from '../../../engine/align/align-reads.js';
import { openMinimizerIndex } from '../../../engine/align/index-cache.js';
import { estimateMapq, MAX_MAPQ, uniqueSeedFraction } from '../../../engine/align/mapq.js';
import type { MapqClass } from '../../../engine/align/mapq-calibration.js';
import { calibrateMapq, fitMapqCurve, loadMapqCalibration, mapqCalibrationPath, mapqClassesOf } from '../../../engine/align/mapq-calibration.js';
import { encodeBases } from '../../../engine/align/nucleotide.js';
import type { AlignPreset } from '../../../engine/align/presets.js';
import { loadAlignPreset, PRESET_NAMES } from '../../../engine/align/presets.js';
import { ReadAligner } from '../../../engine/align/read-aligner.js';
import { fastaSequence, samRecords, workspace } from './helpers.js';

const VNTR_FIXTURE = join(dirname(fileURLToPath(import.meta.url)), 'fixtures', 'chr20_vntr.fa');
/** The 62-bp-unit array of the fixture (GRCh37 chr20:1,238,760–1,241,090; see tandem-repeat.test.ts). */
const REPEAT_START = 6760;

describe('raw MAPQ: repetitive seeds', () => {
  // The 16-kb fixture is too small for the preset's genome-wide cutoff: a cutoff of 5 makes the
  // array's most repeated minimizers the skipped repeats a whole-genome index would skip (its
  // 62-bp copies differ enough that most minimizers still occur fewer times).
  const preset: AlignPreset = { ...loadAlignPreset('sr'), minOccurrenceCutoff: 5, maxOccurrenceCutoff: 5, rescueOccurrenceCutoff: 5 };

  it('counts the read bases in repetitive minimizers and lowers MAPQ for them', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'genomaic-mapq-'));
    copyFileSync(VNTR_FIXTURE, join(dir, 'vntr.fa'));
    const opened = await openMinimizerIndex(join(dir, 'vntr.fa'), preset, { noCache: true });
    const aligner = new ReadAligner(opened.index, preset);
    const reference = fastaSequence(join(dir, 'vntr.fa'));
    expect(opened.index.header.occurrenceCutoff).toBe(5);
    const map = (origin: number): ReturnType<ReadAligner['mapRead']> => aligner.mapRead(encodeBases(Buffer.from(reference.slice(origin, origin + 150), 'latin1')));

    // 150 bp of unique flank: nothing skipped, a confident placement
    const unique = map(2000);
    expect(unique.repetitiveLength).toBe(0);
    expect(unique.hits[0]!.pos).toBe(2000);
    expect(unique.hits[0]!.mapq).toBe(MAX_MAPQ);

    // 150 bp inside the array: most of the read is in skipped minimizers, the placement rests on
    // the few that are not
    const origin = REPEAT_START + 240;
    const inside = map(origin);
    expect(inside.repetitiveLength).toBeGreaterThanOrEqual(100);
    const hit = inside.hits[0]!;
    expect(hit.pos).toBe(origin);
    const evidence = {
      score: hit.score,
      secondScore: inside.candidates[1]?.score ?? 0,
      chainScore: hit.chainScore,
      secondChainScore: 0,
      anchorCount: hit.anchorCount,
      identity: hit.identity,
      match: preset.match,
      nearCompetitors: 0,
      minChainScore: preset.minChainScore,
      longRead: false,
    };
    expect(inside.candidates.length).toBe(1); // no competitor: the evidence above is the read's
    // the aligner's MAPQ is the model with minimap2's unique fraction of the seeding evidence...
    expect(hit.mapq).toBe(estimateMapq({ ...evidence, uniqueFraction: uniqueSeedFraction(hit.chainScore, inside.repetitiveLength) }));
    // ...which damps it well below what the same placement would get were the read all unique
    expect(hit.mapq).toBeLessThan(10);
    expect(estimateMapq({ ...evidence, uniqueFraction: 1 })).toBeGreaterThan(hit.mapq + 10);
  });
});

describe('MAPQ recalibration curves', () => {
  it('ships a valid, monotone curve for every preset and class', () => {
    for (const preset of PRESET_NAMES) {
      const calibration = loadMapqCalibration(preset);
      for (const mapqClass of mapqClassesOf(preset)) {
        const curve = calibration.curves[mapqClass];
        expect(curve.length).toBe(MAX_MAPQ + 1);
        expect(curve[0]).toBe(0);
        for (let raw = 1; raw <= MAX_MAPQ; raw++) expect(curve[raw]!, `${preset} ${mapqClass} raw ${raw}`).toBeGreaterThanOrEqual(curve[raw - 1]!);
      }
    }
  });

  it('refuses a broken curve file, naming the file and the key', () => {
    const dir = mkdtempSync(join(tmpdir(), 'genomaic-mapq-bad-'));
    const good = JSON.parse(readFileSync(mapqCalibrationPath('sr'), 'utf8')) as { classes: Record<string, { curve: number[] }> } & Record<string, unknown>;
    const write = (name: string, change: (doc: typeof good) => void): string => {
      const doc = structuredClone(good);
      change(doc);
      const path = join(dir, name);
      writeFileSync(path, JSON.stringify(doc));
      return path;
    };
    const decreasing = write('decreasing.json', (d) => {
      d.classes.paired!.curve[40] = d.classes.paired!.curve[39]! + 1;
      d.classes.paired!.curve[41] = 0;
    });
    expect(() => loadMapqCalibration('sr', decreasing)).toThrow(/decreasing\.json: 'classes\.paired\.curve' must not decrease: raw MAPQ 41 maps to 0/);
    const short = write('short.json', (d) => d.classes.single!.curve.pop());
    expect(() => loadMapqCalibration('sr', short)).toThrow(/short\.json: 'classes\.single\.curve' must list 61 values/);
    const outOfRange = write('range.json', (d) => (d.classes.single!.curve[60] = 99));
    expect(() => loadMapqCalibration('sr', outOfRange)).toThrow(/range\.json: 'classes\.single\.curve\[60\]' must be a whole number from 0 to 60, got 99/);
    const missing = write('missing.json', (d) => delete d.classes.paired);
    expect(() => loadMapqCalibration('sr', missing)).toThrow(/missing\.json: missing 'classes\.paired'/);
    const typo = write('typo.json', (d) => (d.clases = {}));
    expect(() => loadMapqCalibration('sr', typo)).toThrow(/typo\.json: unknown key 'clases'/);
    // a curve fitted for another platform's reads
    expect(() => loadMapqCalibration('ont', mapqCalibrationPath('sr'))).toThrow(/mapq\.sr\.json: 'preset' must be "ont"/);
    writeFileSync(join(dir, 'not.json'), '{ "schema": ');
    expect(() => loadMapqCalibration('sr', join(dir, 'not.json'))).toThrow(/not\.json: not readable JSON/);
  });

  it('fits a curve whose claimed error never rises with the raw MAPQ', () => {
    const reads = new Array<number>(MAX_MAPQ + 1).fill(0);
    const wrong = new Array<number>(MAX_MAPQ + 1).fill(0);
    // raw 10 is worse than raw 5 (a violation the fit must pool); raw 20-59 unseen; raw 60 clean
    reads[5] = 1000;
    wrong[5] = 100;
    reads[10] = 1000;
    wrong[10] = 300;
    reads[15] = 10_000;
    wrong[15] = 10;
    reads[60] = 100_000;
    const curve = fitMapqCurve({ reads, wrong });
    const phred = (w: number, n: number): number => Math.floor(-10 * Math.log10((w + 0.5) / (n + 1)));
    expect(curve[0]).toBe(0);
    expect(curve[5]).toBe(phred(400, 2000)); // raw 5 and 10 pooled
    expect(curve[10]).toBe(curve[5]);
    expect(curve[1]).toBe(curve[5]); // unseen below the first block: the first block's value
    expect(curve[15]).toBe(phred(10, 10_000));
    expect(curve[30]).toBe(curve[15]); // unseen: the value below
    expect(curve[60]).toBe(Math.min(60, phred(0, 100_000)));
    for (let raw = 1; raw <= MAX_MAPQ; raw++) expect(curve[raw]!).toBeGreaterThanOrEqual(curve[raw - 1]!);
  });

  it('writes the curve of each read into its record (real Illumina pairs on chrM)', async () => {
    const dir = workspace('mt.fa', 'mt_ill_R1.fq', 'mt_ill_R2.fq');
    const align = async (mapq: 'raw' | 'calibrated'): Promise<string> => {
      const out = join(dir, `${mapq}.bam`);
      await alignReads({ referencePath: join(dir, 'mt.fa'), readPaths: [join(dir, 'mt_ill_R1.fq'), join(dir, 'mt_ill_R2.fq')], outputPath: out, preset: 'sr', threads: 0, mapq });
      return out;
    };
    const raw = samRecords(await align('raw'), '-F', '0x904');
    const calibrated = samRecords(await align('calibrated'), '-F', '0x904');
    const calibration = loadMapqCalibration('sr');
    const key = (r: { name: string; flag: number }): string => `${r.name}/${r.flag & 64 ? 1 : 2}`;
    const rawByRead = new Map(raw.map((r) => [key(r), r]));
    expect(calibrated.length).toBe(raw.length);
    for (const record of calibrated) {
      const before = rawByRead.get(key(record))!;
      // same placement; MAPQ through the class's curve (a proper pair's reads on the paired one)
      expect(record.pos).toBe(before.pos);
      const mapqClass: MapqClass = record.flag & 2 ? 'paired' : 'single';
      expect(record.mapq, key(record)).toBe(calibrateMapq(calibration, before.mapq, mapqClass));
      expect(record.tags.get('MQ'), key(record)).toBeDefined();
    }
  });
});
