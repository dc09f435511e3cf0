/**
 * A `TrainingExampleSource` over the benchmark kit (bench/): the suite's simulated reads, aligned
 * by the kit, go through the caller's own code (engine/call `openBamInput`, the platform preset's
 * MAPQ / base-quality filters, `tilePileupWithCandidates` for the tile loop's candidates, all
 * three sources) into `pileupColumnsFromReads` and `encodeTile`; labels come from the kit's
 * diploid truth VCF. So the model learns from exactly the evidence the caller would hand it at
 * run time.
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
import { tilePileupWithCandidates } from '../call/tile-candidates.js';
import type { CandidateAllele, Platform } from '../call/types.js';
import { readLines } from '../compare/text-lines.js';
import { hashConfig } from '../util/canonical-json.js';
import { kitDatasets, type KitDataSettings } from './config.js';
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
  /** The suite whose reads it was built from. */
  dataset: string;
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
      if (!suite.simulate.includes(region)) throw new KitDataError(`data.${key}[${i}]: suite ${suite.name} does not simulate region ${name} (it simulates ${suite.simulate.map((r) => r.name).join(', ')}); choose suites that do in data.dataset / data.datasets`);
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
  dataset: string;
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
  /** Caller candidates by kind, and those truth confirms (label > 0): indels are the scarce ones. */
  snvCandidates: number;
  indelCandidates: number;
  trueSnvCandidates: number;
  trueIndelCandidates: number;
  truthSites: number;
  variantLabels: number;
}

/**
 * Tiles for [start, end) (a whole number of tiles), built from one fetch: reads with the
 * caller's margin, the caller's candidates (anchored in the span), columns, labels and weights.
 * `keep` decides per tile (given whether it holds a truth site or a candidate) whether to encode it.
 */
async function buildTiles(context: TileBuildContext, start: number, end: number, keep: (informative: boolean) => boolean, stats: TileStats): Promise<KitTile[]> {
  const { dataset, bam, contig, sequence, preset, platform, truth, tileLength } = context;
  // The caller's own fetch margin (engine/call/caller.ts): windows at the edge see their flanks.
  const margin = preset.flank + preset.maxIndelLength + 50;
  const fetchStart = Math.max(0, start - margin);
  const fetchEnd = Math.min(sequence.length, end + margin);
  const reads = await bam.fetch(contig, fetchStart, fetchEnd);
  reads.sort((a, b) => a.start - b.start);
  const pileup = tilePileupWithCandidates(reads, sequence, fetchStart, fetchEnd, start, end, preset);
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
    const counts = emptyStats();
    for (let i = 0; i < tileLength; i++) {
      const column = columns[tileStart - start + i]!;
      const truthHere = truth.columns.get(column.position);
      const isCandidate = placed.has(column.position);
      if (isCandidate) {
        candidate[i] = 1;
        counts.candidates++;
      }
      if (truthHere) counts.truthSites++;
      if (isCandidate || truthHere) {
        weights[i] = 1;
        informative = true;
      }
      // The genotype of the allele this column is about; 0 when truth has no such variant here.
      // An indel candidate must be truth's exact allele: a deletion of another length at the
      // same column is an error the comparator counts as a false positive, not a variant.
      const candidateHere = placed.get(column.position)?.candidate;
      labels[i] = candidateHere && candidateHere.kind !== 'snv' ? (truth.exactAlleles.get(alleleKey(candidateHere.pos, candidateHere.ref, candidateHere.alt)) ?? 0) : (truthHere?.get(alternateAllele(column)) ?? 0);
      if (labels[i]! > 0) counts.variantLabels++;
      if (candidateHere?.kind === 'snv') {
        counts.snvCandidates++;
        if (labels[i]! > 0) counts.trueSnvCandidates++;
      } else if (candidateHere) {
        counts.indelCandidates++;
        if (labels[i]! > 0) counts.trueIndelCandidates++;
      }
    }
    if (!keep(informative)) continue;
    counts.tiles = 1;
    addStats(stats, counts);
    tiles.push({ dataset, platform, start: tileStart, features: encodeTile(columns.slice(tileStart - start, tileStart - start + tileLength)), labels, weights, candidate });
  }
  return tiles;
}

function emptyStats(): TileStats {
  return { tiles: 0, candidates: 0, snvCandidates: 0, indelCandidates: 0, trueSnvCandidates: 0, trueIndelCandidates: 0, truthSites: 0, variantLabels: 0 };
}

function addStats(total: TileStats, part: TileStats): void {
  for (const key of Object.keys(total) as (keyof TileStats)[]) total[key] += part[key];
}

function describeStats(stats: TileStats): string {
  return (
    `${stats.tiles} tiles, ${stats.candidates} caller candidates (SNV ${stats.snvCandidates}, ${stats.trueSnvCandidates} true; ` +
    `indel ${stats.indelCandidates}, ${stats.trueIndelCandidates} true), ${stats.truthSites} truth sites, ${stats.variantLabels} variant labels`
  );
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

  /** The training pool's tiles (their suite, platform and start), for tests and logs. */
  get trainingPool(): readonly { dataset: string; platform: Platform; start: number; features: Float32Array; labels: Int32Array; weights: Float32Array; candidate: Uint8Array }[] {
    return this.trainingTiles;
  }

  get heldOutPool(): readonly { dataset: string; platform: Platform; start: number }[] {
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

/** One suite's data, checked against the split and found on disk. */
interface KitDataset {
  suite: SuiteConfig;
  training: NamedRegion[];
  heldOut: NamedRegion[];
  files: KitFiles;
}

/** Loads each configured suite and checks its regions, platforms and files before anything is read. */
function resolveKitDatasets(settings: KitDataSettings, regionsFile: string, cacheRoot: string): KitDataset[] {
  const datasets: KitDataset[] = [];
  for (const [i, name] of kitDatasets(settings).entries()) {
    const key = settings.datasets ? `data.datasets[${i}]` : 'data.dataset';
    let suite: SuiteConfig;
    try {
      suite = loadSuite(name, regionsFile);
    } catch (err) {
      throw new KitDataError(`${key}: ${(err as Error).message}`);
    }
    // The split is enforced per suite: each must simulate the regions, none may lend an evaluation region.
    const { training, heldOut } = resolveKitRegions(settings, suite, regionsFile);
    for (const platform of settings.platforms) {
      if (!suite.platforms.includes(platform)) throw new KitDataError(`data.platforms: suite ${suite.name} simulates ${suite.platforms.join(', ')}, not ${platform}`);
    }
    // Two suites of one seed would add correlated copies of the same simulation, not new data.
    const twin = datasets.find((d) => d.suite.seed === suite.seed);
    if (twin) throw new KitDataError(`${key}: suite ${suite.name} has seed ${suite.seed}, as suite ${twin.suite.name} does; each dataset must be an independent simulation (another seed)`);
    const files = kitFiles(cacheRoot, suite, settings.platforms);
    const required = [files.reference, `${files.reference}.fai`, files.truthVcf, ...settings.platforms.flatMap((p) => [files.bams[p]!, `${files.bams[p]!}.bai`])];
    for (const file of required) {
      if (!existsSync(file)) throw new KitDataError(`the benchmark kit's file ${file} is missing; build the kit's data with: npm run bench -- --suite ${suite.name}`);
    }
    datasets.push({ suite, training, heldOut, files });
  }
  return datasets;
}

/** Opens the kit's files, checks the split and builds every tile (from every configured suite). */
export async function openKitTrainingSource(settings: KitDataSettings, options: KitSourceOptions): Promise<KitTrainingSource> {
  const log = options.log ?? ((): void => undefined);
  const regionsFile = options.regionsFile ?? REGIONS_FILE;
  const cacheRoot = options.cacheRoot ?? join(REPO_ROOT, '.cache', 'bench');
  const datasets = resolveKitDatasets(settings, regionsFile, cacheRoot);
  // One regions file: every suite resolves the same regions on the same contig and reference.
  const { suite: first, training, heldOut } = datasets[0]!;

  const started = performance.now();
  const reference = await openCallReference(datasets[0]!.files.reference);
  const sequence = await reference.sequence(first.contig);
  const presets = new Map(settings.platforms.map((p) => [p, loadPlatformPreset(p)] as const));
  const records = await Promise.all(
    datasets.map(async ({ suite, files }) => {
      const checksums: Record<string, string> = { truth: await sha256OfFile(files.truthVcf) };
      for (const platform of settings.platforms) checksums[`bam.${platform}`] = await sha256OfFile(files.bams[platform]!);
      return { suite: suite.name, seed: suite.seed, coveragePerPlatform: suite.coverage, simulated: suite.simulate.map(regionRecord), checksums };
    }),
  );
  const dataHash = hashConfig({
    // The version of how tiles are built from these inputs: 3 since the candidates are the caller tile loop's (tile-candidates.ts).
    generator: 'genomaic-kit-pileup/3',
    featureSchema: FEATURE_SCHEMA_VERSION,
    datasets: records,
    regions: { training: training.map(regionRecord), heldOut: heldOut.map(regionRecord) },
    presets: Object.fromEntries([...presets].map(([p, preset]) => [p, configHash(preset)])),
    settings,
    seed: options.seed,
    tileLength: options.tileLength,
  });

  const selection = new SeededRandom(options.seed ^ 0x6b17);
  const trainingTiles: KitTile[] = [];
  const T = options.tileLength;
  // Held-out slots evenly spaced over the held-out regions, the same for every platform: a
  // representative sample (no enrichment), so the reported metrics are the regions'. Suites take
  // the picks in turn; a slot picked twice (more picks than slots) goes to consecutive picks,
  // hence to different suites.
  const heldOutSlots: number[] = [];
  for (const region of heldOut) for (let s = region.start - 1; s + T <= region.end; s += T) heldOutSlots.push(s);
  const picksWanted = Math.min(heldOutSlots.length * datasets.length, Math.ceil(options.heldOutTiles / settings.platforms.length));
  const picks = Array.from({ length: picksWanted }, (_, i) => ({ start: heldOutSlots[Math.floor((i * heldOutSlots.length) / picksWanted)]!, dataset: i % datasets.length }));
  const heldOutByPick = new Map<string, KitTile>();

  for (const [d, { suite, files }] of datasets.entries()) {
    const truth = await readTruthColumns(files.truthVcf, suite.contig, [...training, ...heldOut]);
    log(`kit ${suite.name} (seed ${suite.seed}): truth ${truth.records} variant alleles in ${[...training, ...heldOut].map((r) => r.name).join(', ')} (${truth.skipped} complex ones not placed on a column)`);
    for (const platform of settings.platforms) {
      // The reads the caller would genotype (improperly paired ones left out where the preset says).
      const bam = await openBamInput(files.bams[platform]!, reference, { skipAnomalousPairs: presets.get(platform)!.skipAnomalousPairs ?? false });
      const context: TileBuildContext = { dataset: suite.name, bam, contig: suite.contig, sequence, preset: presets.get(platform)!, platform, truth, tileLength: T };
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
      // Over the cap (per platform and suite, so another suite adds data): a seeded subsample
      // (Fisher–Yates prefix), kept in position order.
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
      for (const [k, pick] of picks.entries()) {
        if (pick.dataset !== d) continue;
        const [tile] = await buildTiles(context, pick.start, pick.start + T, () => true, heldStats);
        heldOutByPick.set(`${k}:${platform}`, tile!);
      }
      log(`kit ${suite.name} ${platform} (${relative(REPO_ROOT, files.bams[platform]!)}): training ${describeStats(trainStats)} → pool ${pool.length}; held-out ${describeStats(heldStats)}`);
    }
  }
  // Held-out order: by position, platforms interleaved, so the two halves (temperature fit,
  // reported metrics) are disjoint stretches of the held-out regions with every platform in each.
  const heldOutTiles: KitTile[] = [];
  for (const k of picks.keys()) for (const platform of settings.platforms) heldOutTiles.push(heldOutByPick.get(`${k}:${platform}`)!);
  log(`kit ${datasets.map((d) => d.suite.name).join(' + ')}: ${trainingTiles.length} training tiles, ${heldOutTiles.length} held-out tiles of ${T} positions built in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  const split = {
    kind: 'benchmark-kit',
    regionsFile: relative(REPO_ROOT, regionsFile),
    suite: datasets.map((d) => d.suite.name).join(' + '),
    // Each suite with its seed and the regions (and roles) it simulated: the split holds in every one.
    datasets: records.map(({ checksums: _checksums, ...record }) => record),
    contig: first.contig,
    sample: first.sample,
    platforms: settings.platforms,
    aligners: Object.fromEntries(settings.platforms.map((p) => [p, KIT_ALIGNER[p]])),
    training: training.map(regionRecord),
    heldOut: heldOut.map(regionRecord),
    // Recorded so a reader sees at once what was never touched.
    excludedEvaluation: first.allRegions.filter((r) => r.role === 'evaluation').map(regionRecord),
  };
  const suites = datasets.map((d) => `${d.suite.name} (seed ${d.suite.seed})`).join(', ');
  const description = `benchmark kit suite${datasets.length > 1 ? 's' : ''} ${suites} (${settings.platforms.join(', ')}): training ${training.map((r) => r.name).join(', ')}, held out ${heldOut.map((r) => r.name).join(', ')}`;
  return new KitTrainingSource(dataHash, split, description, T, trainingTiles, heldOutTiles, options.seed);
}
