/**
 * The model trains on the candidates the caller asks it about. Fixture: the real slice of the
 * kit's ONT BAM at chr20:2,744,946 (tests/fixtures/call/README.md; truth G>GGTGT 1|1, two extra
 * units of a 30 bp GT repeat) laid out as a one-region kit. The reads write the insertion as
 * +1 to +7 bases spread over the repeat, so only the caller's repeat-length pass proposes the
 * truth allele (tests/unit/call/repeat-length-candidates.test.ts): a training source that took
 * its candidates from the CIGAR alleles alone would label the repeat hom-ref, or not at all.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadSuite } from '../../../bench/config.js';
import { openCallReference } from '../../../engine/call/call-reference.js';
import { openBamInput } from '../../../engine/call/bam-input.js';
import { loadPlatformPreset } from '../../../engine/call/config.js';
import { tilePileupWithCandidates } from '../../../engine/call/tile-candidates.js';
import type { KitDataSettings } from '../../../engine/model/config.js';
import { kitFiles, openKitTrainingSource } from '../../../engine/model/kit-training-source.js';
import { placeCandidateColumns } from '../../../engine/model/baseline-evidence.js';
import { CHANNEL_INDEX, FEATURE_COUNT } from '../../../engine/model/features.js';
import { kitSlice } from '../call/kit-slice.js';

const NAME = 'ont-gt-repeat-chr20_2744946';
/** 1-based, as in the truth VCF. */
const SITE = 2_744_946;
const TILE = 32;
const TRAIN = { start: 2_744_001, end: 2_746_048 };

const REGIONS_YAML = `
reference:
  contig: "20"
truth:
  sample: KIT
regions:
  - { name: eval-a, start: 1, end: 1000000, role: evaluation }
  - { name: train-b, start: ${TRAIN.start}, end: ${TRAIN.end}, role: training }
  - { name: calib-c, start: ${TRAIN.end + 1}, end: ${TRAIN.end + 2048}, role: calibration }
suites:
  gt:
    simulate: [train-b, calib-c]
    evaluate: []
    flank: 0
    coverage: 20
    platforms: [ont]
    seed: 1
`;

let root: string;
let cacheRoot: string;
let regionsFile: string;
let sliceReference: string;
beforeAll(() => {
  root = mkdtempSync(join(tmpdir(), 'genomaic-kit-candidates-'));
  cacheRoot = join(root, 'cache');
  regionsFile = join(root, 'regions.yaml');
  writeFileSync(regionsFile, REGIONS_YAML);
  const slice = kitSlice(NAME, root);
  sliceReference = slice.reference;
  const files = kitFiles(cacheRoot, loadSuite('gt', regionsFile), ['ont']);
  mkdirSync(join(files.reference, '..'), { recursive: true });
  copyFileSync(slice.reference, files.reference);
  copyFileSync(`${slice.reference}.fai`, `${files.reference}.fai`);
  mkdirSync(join(files.truthVcf, '..'), { recursive: true });
  const plainVcf = files.truthVcf.replace(/\.gz$/, '');
  writeFileSync(
    plainVcf,
    [
      '##fileformat=VCFv4.2',
      '##contig=<ID=20,length=3000000>',
      '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
      '#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\tKIT',
      `20\t${SITE}\t.\tG\tGGTGT\t.\tPASS\t.\tGT\t1|1`,
    ].join('\n') + '\n',
  );
  execFileSync('bgzip', ['-f', plainVcf]);
  const bam = files.bams.ont!;
  mkdirSync(join(bam, '..'), { recursive: true });
  copyFileSync(slice.bam, bam);
  copyFileSync(`${slice.bam}.bai`, `${bam}.bai`);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('kit training tiles take the caller tile loop’s candidates', () => {
  it('label the repeat insertion only the repeat-length pass proposes as hom-alt, at its candidate column', async () => {
    const settings: KitDataSettings = { source: 'kit', dataset: 'gt', trainingRegions: ['train-b'], heldOutRegions: ['calib-c'], platforms: ['ont'], tilesPerPlatform: 1000, backgroundTileFraction: 0 };
    const source = await openKitTrainingSource(settings, { seed: 1, tileLength: TILE, heldOutTiles: 1, cacheRoot, regionsFile });

    // Where the caller's candidate for the truth allele lands (0-based column).
    const reference = await openCallReference(sliceReference);
    const sequence = await reference.sequence('20');
    const bam = await openBamInput(kitFiles(cacheRoot, loadSuite('gt', regionsFile), ['ont']).bams.ont!, reference);
    const config = loadPlatformPreset('ont');
    const from = TRAIN.start - 1;
    const reads = (await bam.fetch('20', from - 500, TRAIN.end + 500)).sort((a, b) => a.start - b.start);
    const pileup = tilePileupWithCandidates(reads, sequence, from - 500, TRAIN.end + 500, from, TRAIN.end, config);
    const placed = [...placeCandidateColumns(pileup.candidates, from, TRAIN.end)].filter(([, p]) => p.candidate.pos === SITE - 1 && p.candidate.ref === 'G' && p.candidate.alt === 'GGTGT');
    expect(placed).toHaveLength(1);
    const column = placed[0]![0];

    const tile = source.trainingPool.find((t) => column >= t.start && column < t.start + TILE);
    expect(tile, `no training tile holds column ${column}`).toBeDefined();
    const i = column - tile!.start;
    expect({ candidate: tile!.candidate[i], label: tile!.labels[i], weight: tile!.weights[i] }).toEqual({ candidate: 1, label: 2, weight: 1 });
    // With the statistical genotyper's verdict on that candidate, as the caller hands it to the model.
    expect(tile!.features[i * FEATURE_COUNT + CHANNEL_INDEX.baseline_present]).toBe(1);
    expect(tile!.features[i * FEATURE_COUNT + CHANNEL_INDEX.baseline_indel]).toBe(1);
  });
});
