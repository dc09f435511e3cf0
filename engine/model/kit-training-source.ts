/**
 * A `TrainingExampleSource` over the benchmark kit (bench/): the suite's simulated reads, aligned
 * by the kit, go through the caller's own code (engine/call `openBamInput`, the platform preset's
 * MAPQ / base-quality filters, `buildPileup` for candidates) into `pileupColumnsFromReads` and
 * `encodeTile`; labels come from the kit's diploid truth VCF. So the model learns from exactly
 * the evidence the caller would hand it at run time.
 *
 * The split comes from bench/regions.yaml and is enforced here, not only in the config: training
 * tiles come only from regions whose role is training, held-out tiles only from regions that are
 * not evaluation regions (the held-out tiles fit the temperature, which is tuning). Every tile
 * lies wholly inside its region; reads that reach in from a neighbouring region only add evidence
 * at positions of this one.
 *
 * All tiles are built once, when the source opens (the interface is synchronous and BAM reading
 * is not), and kept encoded in memory; `tilesPerPlatform` bounds that.
 */
import { createHash } from 'node:crypto';
import { createReadStream, existsSync } from 'node:fs';
import { join, relative } from 'node:path';
import { loadSuite, REGIONS_FILE, type NamedRegion, type SuiteConfig } from '../../bench/config.js';
import { kitPaths } from '../../bench/data.js';
import { REPO_ROOT } from '../../bench/report.js';
import { openBamInput, type BamInput } from '../call/bam-input.js';
import { openCallReference } from '../call/call-reference.js';
import { configHash, loadPlatformPreset, type CallerConfig } from '../call/config.js';
import { buildPileup } from '../call/pileup.js';
import type { CandidateAllele, Platform } from '../call/types.js';
import { readLines } from '../compare/text-lines.js';
import { hashConfig } from '../util/canonical-json.js';
import type { KitDataSettings } from './config.js';
import { alternateAllele, encodeTile, FEATURE_COUNT, FEATURE_SCHEMA_VERSION, type Allele } from './features.js';
import { candidateColumnAllele, pileupColumnsFromReads } from './pileup-columns.js';
import { baselineEvidenceByColumn, placeCandidateColumns } from './baseline-evidence.js';
import { SeededRandom } from '../util/seeded-random.js';
import { BACKGROUND_WEIGHT } from './synthetic.js';
import type { TrainingBatch, TrainingExampleSource } from './train-data.js';

/** The kit aligns Illumina with bwa mem and long reads with minimap2 (bench/run.ts PIPELINES; bench/call.ts PEER_ALIGNER). */
const KIT_ALIGNER: Record<Platform, 'bwa' | 'minimap2'> = { illumina: 'bwa', hifi: 'minimap2', ont: 'minimap2' };
/** Training regions are read in blocks this long (one BAM fetch and one pileup per block). */
const BLOCK_LENGTH = 65_536;

export class KitDataError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KitDataError';
  }
}

export interface KitSourceOptions {
  seed: number;
  tileLength: number;
  /** Held-out tiles to build (training.validationTiles). */
  heldOutTiles: number;
  log?: (line: string) => void;
  /** The kit's cache (default .cache/bench in the repository). */
  cacheRoot?: string;
  /** The kit's region file (default bench/regions.yaml). */
  regionsFile?: string;
}

/** One encoded tile with its targets. */
interface KitTile {
  platform: Platform;
  /** 0-based start on the contig. */
  start: number;
  features: Float32Array;
  labels: Int32Array;
  weights: Float32Array;
  candidate: Uint8Array;
}

/** Truth genotypes by column: position → allele (as the columns name it) → 1 het, 2 hom-alt. */
export type TruthColumns = Map<number, Map<Allele, number>>;

/** Truth genotypes by exact allele (`alleleKey`), for labelling indel candidates. */
export type TruthAlleles = Map<string, number>;

/** Key of a VCF-style allele: 0-based position, REF and ALT (upper case). */
export function alleleKey(pos: number, ref: string, alt: string): string {
  return `${pos}:${ref.toUpperCase()}:${alt.toUpperCase()}`;
}

/** The kit files this source reads, as `kitPaths` and bench/peers.ts `align` name them. */
export interface KitFiles {
  reference: string;
  truthVcf: string;
  bams: Partial<Record<Platform, string>>;
}

export function kitFiles(cacheRoot: string, suite: SuiteConfig, platforms: readonly Platform[]): KitFiles {
  const paths = kitPaths(cacheRoot, suite);
  const bams: Partial<Record<Platform, string>> = {};
  for (const platform of platforms) bams[platform] = join(paths.alignDir, `${platform}-small.${KIT_ALIGNER[platform]}.bam`);
  return { reference: paths.reference, truthVcf: join(paths.truthDir, 'truth.vcf.gz'), bams };
}

/**
 * Checks the configured regions against the suite and their roles: training regions must have
 * role training, held-out regions must not be evaluation regions, and the suite must simulate
 * every one of them (otherwise there are no reads there).
 */
export function resolveKitRegions(settings: KitDataSettings, suite: SuiteConfig, regionsFile: string): { training: NamedRegion[]; heldOut: NamedRegion[] } {
  const resolve = (names: readonly string[], key: string, allowed: readonly NamedRegion['role'][]): NamedRegion[] =>
    names.map((name, i) => {
      const region = suite.allRegions.find((r) => r.name === name);
      if (!region) throw new KitDataError(`data.${key}[${i}]: no region '${name}' in ${regionsFile} (regions: ${suite.allRegions.map((r) => r.name).join(', ')})`);
      if (region.role === 'evaluation') throw new KitDataError(`data.${key}[${i}]: region ${name} is an evaluation region in ${regionsFile}; evaluation regions are never used for training or calibration`);
      if (!allowed.includes(region.role)) throw new KitDataError(`data.${key}[${i}]: region ${name} has role ${region.role} in ${regionsFile}; ${key} takes roles ${allowed.join(' or ')}`);
      if (!suite.simulate.includes(region)) throw new KitDataError(`data.${key}[${i}]: suite ${suite.name} does not simulate region ${name} (it simulates ${suite.simulate.map((r) => r.name).join(', ')}); choose a suite that does in data.dataset`);
      return region;
    });
  const training = resolve(settings.trainingRegions, 'trainingRegions', ['training']);
  const heldOut = resolve(settings.heldOutRegions, 'heldOutRegions', ['calibration', 'training']);
  for (const [i, region] of heldOut.entries()) {
    if (training.includes(region)) throw new KitDataError(`data.heldOutRegions[${i}]: region ${region.name} is also a training region`);
  }
  return { training, heldOut };
}

/** Where a truth record shows up in the columns (as `candidateColumnAllele` places caller candidates). */
function truthColumnAlleles(pos: number, ref: string, alt: string): { position: number; allele: Allele }[] {
  const candidate = (p: number, r: string, a: string, kind: CandidateAllele['kind']): { position: number; allele: Allele }[] => {
    const placed = candidateColumnAllele({ pos: p, ref: r, alt: a, kind, supportingReads: 0 });
    return placed ? [placed] : [];
  };
  if (ref.length === alt.length) {
    // SNVs, and MNPs base by base (the columns see each changed base on its own).
    const out: { position: number; allele: Allele }[] = [];
    for (let i = 0; i < ref.length; i++) if (ref[i] !== alt[i]) out.push(...candidate(pos + i, ref[i]!, alt[i]!, 'snv'));
    return out;
  }
  if (ref.length === 1 && alt[0] === ref[0]) return candidate(pos, ref, alt, 'insertion');
  if (alt.length === 1 && ref[0] === alt[0]) return candidate(pos, ref, alt, 'deletion');
  return [];
}

/**
 * Reads the truth VCF's genotypes (first sample) inside `regions` into columns. The kit's truth
 * is split into one alt per record (bcftools norm -m -any), so a genotype is the count of
 * haplotypes carrying allele 1.
 */
export async function readTruthColumns(path: string, contig: string, regions: readonly NamedRegion[]): Promise<{ columns: TruthColumns; exactAlleles: TruthAlleles; records: number; skipped: number }> {
  const columns: TruthColumns = new Map();
  const exactAlleles: TruthAlleles = new Map();
  let records = 0;
  let skipped = 0;
  for await (const line of readLines(path)) {
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split('\t');
    if (f[0] !== contig || f.length < 10) continue;
    const pos = Number(f[1]) - 1;
    // 1-based inclusive regions; a record belongs to the region holding its first base.
    if (!regions.some((r) => pos + 1 >= r.start && pos + 1 <= r.end)) continue;
    const ref = f[3]!.toUpperCase();
    const alts = f[4]!.split(',');
    const gtIndex = f[8]!.split(':').indexOf('GT');
    const gt = gtIndex >= 0 ? (f[9]!.split(':')[gtIndex] ?? '') : '';
    const haplotypes = gt.split(/[|/]/);
    for (const [a, altText] of alts.entries()) {
      const genotype = haplotypes.filter((h) => h === String(a + 1)).length;
      if (genotype === 0) continue;
      records++;
      exactAlleles.set(alleleKey(pos, ref, altText), Math.min(2, genotype));
      const placed = truthColumnAlleles(pos, ref, altText.toUpperCase());
      if (placed.length === 0) skipped++;
      for (const { position, allele } of placed) {
        const byAllele = columns.get(position) ?? new Map<Allele, number>();
        byAllele.set(allele, Math.max(byAllele.get(allele) ?? 0, Math.min(2, genotype)));
        columns.set(position, byAllele);
      }
    }
  }
  return { columns, exactAlleles, records, skipped };
}

async function sha256OfFile(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

interface TileBuildContext {
  bam: BamInput;
  contig: string;
  sequence: string;
  preset: CallerConfig;
  platform: Platform;
  truth: { columns: TruthColumns; exactAlleles: TruthAlleles };
  tileLength: number;
}

/** Counts of what the tiles hold, for the log. */
interface TileStats {
  tiles: number;
  candidates: number;
  truthSites: number;
  variantLabels: number;
}

/**
 * Tiles for [start, end) (a whole number of tiles), built from one fetch: reads with the
 * caller's margin, the caller's candidates (anchored in the span), columns, labels and weights.
 * `keep` decides per tile (given whether it holds a truth site or a candidate) whether to encode it.
 */
async function buildTiles(context: TileBuildContext, start: number, end: number, keep: (informative: boolean) => boolean, stats: TileStats): Promise<KitTile[]> {
  const { bam, contig, sequence, preset, platform, truth, tileLength } = context;
  // The caller's own fetch margin (engine/call/caller.ts): windows at the edge see their flanks.
  const margin = preset.flank + preset.maxIndelLength + 50;
  const fetchStart = Math.max(0, start - margin);
  const fetchEnd = Math.min(sequence.length, end + margin);
  const reads = await bam.fetch(contig, fetchStart, fetchEnd);
  reads.sort((a, b) => a.start - b.start);
  const pileup = buildPileup(reads, sequence, fetchStart, fetchEnd, start, end, preset);
  const placed = placeCandidateColumns(pileup.candidates, start, end);
  const candidateAlleles = new Map([...placed].map(([position, entry]) => [position, entry.allele] as const));
  const columns = pileupColumnsFromReads(reads, sequence, start, end, {
    platform,
    minMappingQuality: preset.minMappingQuality,
    minBaseQuality: preset.minBaseQuality,
    candidateAlleles,
    baselines: baselineEvidenceByColumn(placed, pileup.candidates, reads, sequence, preset),
  });
  const tiles: KitTile[] = [];
  for (let tileStart = start; tileStart + tileLength <= end; tileStart += tileLength) {
    const labels = new Int32Array(tileLength);
    const weights = new Float32Array(tileLength).fill(BACKGROUND_WEIGHT);
    const candidate = new Uint8Array(tileLength);
    let informative = false;
    let candidates = 0;
    let truthSites = 0;
    let variantLabels = 0;
    for (let i = 0; i < tileLength; i++) {
      const column = columns[tileStart - start + i]!;
      const truthHere = truth.columns.get(column.position);
      const isCandidate = placed.has(column.position);
      if (isCandidate) {
        candidate[i] = 1;
        candidates++;
      }
      if (truthHere) truthSites++;
      if (isCandidate || truthHere) {
        weights[i] = 1;
        informative = true;
      }
      // The genotype of the allele this column is about; 0 when truth has no such variant here.
      // An indel candidate must be truth's exact allele: a deletion of another length at the
      // same column is an error the comparator counts as a false positive, not a variant.
      const candidateHere = placed.get(column.position)?.candidate;
      labels[i] = candidateHere && candidateHere.kind !== 'snv' ? (truth.exactAlleles.get(alleleKey(candidateHere.pos, candidateHere.ref, candidateHere.alt)) ?? 0) : (truthHere?.get(alternateAllele(column)) ?? 0);
      if (labels[i]! > 0) variantLabels++;
    }
    if (!keep(informative)) continue;
    stats.tiles++;
    stats.candidates += candidates;
    stats.truthSites += truthSites;
    stats.variantLabels += variantLabels;
    tiles.push({ platform, start: tileStart, features: encodeTile(columns.slice(tileStart - start, tileStart - start + tileLength)), labels, weights, candidate });
  }
  return tiles;
}

function emptyStats(): TileStats {
  return { tiles: 0, candidates: 0, truthSites: 0, variantLabels: 0 };
}

function describeStats(stats: TileStats): string {
  return `${stats.tiles} tiles, ${stats.candidates} caller candidates, ${stats.truthSites} truth sites, ${stats.variantLabels} variant labels`;
}

function batchOf(tiles: readonly KitTile[], tileLength: number): TrainingBatch {
  const features = new Float32Array(tiles.length * tileLength * FEATURE_COUNT);
  const labels = new Int32Array(tiles.length * tileLength);
  const weights = new Float32Array(tiles.length * tileLength);
  const candidate = new Uint8Array(tiles.length * tileLength);
  for (const [b, tile] of tiles.entries()) {
    features.set(tile.features, b * tileLength * FEATURE_COUNT);
    labels.set(tile.labels, b * tileLength);
    weights.set(tile.weights, b * tileLength);
    candidate.set(tile.candidate, b * tileLength);
  }
  return { batchSize: tiles.length, tileLength, features, labels, weights, candidate };
}

export class KitTrainingSource implements TrainingExampleSource {
  private readonly random: SeededRandom;

  constructor(
    readonly dataHash: string,
    readonly split: unknown,
    readonly description: string,
    private readonly tileLength: number,
    private readonly trainingTiles: readonly KitTile[],
    private readonly heldOutTiles: readonly KitTile[],
    seed: number,
  ) {
    if (trainingTiles.length === 0) throw new KitDataError('the kit source found no training tiles (are the training regions shorter than training.tileLength?)');
    if (heldOutTiles.length === 0) throw new KitDataError('the kit source found no held-out tiles (are the held-out regions shorter than training.tileLength?)');
    this.random = new SeededRandom(seed * 2 + 1);
  }

  /** The training pool's tiles (their platform and start), for tests and logs. */
  get trainingPool(): readonly { platform: Platform; start: number; features: Float32Array; labels: Int32Array; weights: Float32Array; candidate: Uint8Array }[] {
    return this.trainingTiles;
  }

  get heldOutPool(): readonly { platform: Platform; start: number }[] {
    return this.heldOutTiles;
  }

  private checkTileLength(tileLength: number): void {
    if (tileLength !== this.tileLength) throw new Error(`the kit source was built for tiles of ${this.tileLength} positions, not ${tileLength}`);
  }

  trainingBatch(batchSize: number, tileLength: number): TrainingBatch {
    this.checkTileLength(tileLength);
    const tiles: KitTile[] = [];
    for (let b = 0; b < batchSize; b++) tiles.push(this.trainingTiles[this.random.int(this.trainingTiles.length)]!);
    return batchOf(tiles, tileLength);
  }

  heldOutBatches(tiles: number, tileLength: number, batchSize: number): TrainingBatch[] {
    this.checkTileLength(tileLength);
    const chosen = this.heldOutTiles.slice(0, tiles);
    const batches: TrainingBatch[] = [];
    for (let i = 0; i < chosen.length; i += batchSize) batches.push(batchOf(chosen.slice(i, i + batchSize), tileLength));
    return batches;
  }
}

function regionRecord(region: NamedRegion): { name: string; start: number; end: number; role: string } {
  return { name: region.name, start: region.start, end: region.end, role: region.role };
}

/** Opens the kit's files, checks the split and builds every tile. */
export async function openKitTrainingSource(settings: KitDataSettings, options: KitSourceOptions): Promise<KitTrainingSource> {
  const log = options.log ?? ((): void => undefined);
  const regionsFile = options.regionsFile ?? REGIONS_FILE;
  const cacheRoot = options.cacheRoot ?? join(REPO_ROOT, '.cache', 'bench');
  const buildCommand = `npm run bench -- --suite ${settings.dataset}`;
  let suite: SuiteConfig;
  try {
    suite = loadSuite(settings.dataset, regionsFile);
  } catch (err) {
    throw new KitDataError(`data.dataset: ${(err as Error).message}`);
  }
  const { training, heldOut } = resolveKitRegions(settings, suite, regionsFile);
  for (const platform of settings.platforms) {
    if (!suite.platforms.includes(platform)) throw new KitDataError(`data.platforms: suite ${suite.name} simulates ${suite.platforms.join(', ')}, not ${platform}`);
  }
  const files = kitFiles(cacheRoot, suite, settings.platforms);
  const required = [files.reference, `${files.reference}.fai`, files.truthVcf, ...settings.platforms.flatMap((p) => [files.bams[p]!, `${files.bams[p]!}.bai`])];
  for (const file of required) {
    if (!existsSync(file)) throw new KitDataError(`the benchmark kit's file ${file} is missing; build the kit's data with: ${buildCommand}`);
  }

  const started = performance.now();
  const reference = await openCallReference(files.reference);
  const sequence = await reference.sequence(suite.contig);
  const truth = await readTruthColumns(files.truthVcf, suite.contig, [...training, ...heldOut]);
  log(`kit ${suite.name}: truth ${truth.records} variant alleles in ${[...training, ...heldOut].map((r) => r.name).join(', ')} (${truth.skipped} complex ones not placed on a column)`);

  const presets = new Map(settings.platforms.map((p) => [p, loadPlatformPreset(p)] as const));
  const checksums: Record<string, string> = { truth: await sha256OfFile(files.truthVcf) };
  for (const platform of settings.platforms) checksums[`bam.${platform}`] = await sha256OfFile(files.bams[platform]!);
  const dataHash = hashConfig({
    generator: 'genomaic-kit-pileup/2',
    featureSchema: FEATURE_SCHEMA_VERSION,
    checksums,
    regions: { training: training.map(regionRecord), heldOut: heldOut.map(regionRecord) },
    presets: Object.fromEntries([...presets].map(([p, preset]) => [p, configHash(preset)])),
    settings,
    seed: options.seed,
    tileLength: options.tileLength,
  });

  const selection = new SeededRandom(options.seed ^ 0x6b17);
  const trainingTiles: KitTile[] = [];
  const heldOutTiles: KitTile[] = [];
  const T = options.tileLength;
  // Held-out slots evenly spaced over the held-out regions, the same for every platform:
  // a representative sample (no enrichment), so the reported metrics are the region's.
  const heldOutSlots: number[] = [];
  for (const region of heldOut) for (let s = region.start - 1; s + T <= region.end; s += T) heldOutSlots.push(s);
  const slotsWanted = Math.min(heldOutSlots.length, Math.ceil(options.heldOutTiles / settings.platforms.length));
  const chosenSlots = Array.from({ length: slotsWanted }, (_, i) => heldOutSlots[Math.floor((i * heldOutSlots.length) / slotsWanted)]!);
  const heldOutByPlatform = new Map<Platform, KitTile[]>();

  for (const platform of settings.platforms) {
    const bam = await openBamInput(files.bams[platform]!, reference);
    const context: TileBuildContext = { bam, contig: suite.contig, sequence, preset: presets.get(platform)!, platform, truth, tileLength: T };
    const trainStats = emptyStats();
    const pool: KitTile[] = [];
    for (const region of training) {
      const regionStart = region.start - 1;
      const usableEnd = regionStart + Math.floor((region.end - regionStart) / T) * T;
      const block = Math.max(T, Math.floor(BLOCK_LENGTH / T) * T);
      for (let s = regionStart; s < usableEnd; s += block) {
        pool.push(...(await buildTiles(context, s, Math.min(usableEnd, s + block), (informative) => informative || selection.next() < settings.backgroundTileFraction, trainStats)));
      }
    }
    // Over the cap: a seeded subsample (Fisher–Yates prefix), kept in position order.
    if (pool.length > settings.tilesPerPlatform) {
      for (let i = 0; i < settings.tilesPerPlatform; i++) {
        const j = i + selection.int(pool.length - i);
        [pool[i], pool[j]] = [pool[j]!, pool[i]!];
      }
      pool.length = settings.tilesPerPlatform;
      pool.sort((a, b) => a.start - b.start);
    }
    trainingTiles.push(...pool);
    const heldStats = emptyStats();
    const platformHeldOut: KitTile[] = [];
    for (const slot of chosenSlots) platformHeldOut.push(...(await buildTiles(context, slot, slot + T, () => true, heldStats)));
    heldOutByPlatform.set(platform, platformHeldOut);
    log(`kit ${suite.name} ${platform} (${relative(REPO_ROOT, files.bams[platform]!)}): training ${describeStats(trainStats)} → pool ${pool.length}; held-out ${describeStats(heldStats)}`);
  }
  // Held-out order: by position, platforms interleaved, so the two halves (temperature fit,
  // reported metrics) are disjoint stretches of the held-out regions with every platform in each.
  for (let i = 0; i < chosenSlots.length; i++) for (const platform of settings.platforms) heldOutTiles.push(heldOutByPlatform.get(platform)![i]!);
  log(`kit ${suite.name}: ${trainingTiles.length} training tiles, ${heldOutTiles.length} held-out tiles of ${T} positions built in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const split = {
    kind: 'benchmark-kit',
    regionsFile: relative(REPO_ROOT, regionsFile),
    suite: suite.name,
    contig: suite.contig,
    sample: suite.sample,
    platforms: settings.platforms,
    aligners: Object.fromEntries(settings.platforms.map((p) => [p, KIT_ALIGNER[p]])),
    training: training.map(regionRecord),
    heldOut: heldOut.map(regionRecord),
    // Recorded so a reader sees at once what was never touched.
    excludedEvaluation: suite.allRegions.filter((r) => r.role === 'evaluation').map(regionRecord),
  };
  const description = `benchmark kit suite ${suite.name} (${settings.platforms.join(', ')}): training ${training.map((r) => r.name).join(', ')}, held out ${heldOut.map((r) => r.name).join(', ')}`;
  return new KitTrainingSource(dataHash, split, description, T, trainingTiles, heldOutTiles, options.seed);
}
