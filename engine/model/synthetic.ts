/**
 * A synthetic pileup generator: tiles of `PileupColumnEvidence` with known genotypes, made
 * deliberately non-trivial so that a model which learns only "alt fraction → genotype" fails
 * on part of it:
 *   - platform error modes: long-read deletion errors in homopolymers reach allele fractions
 *     that look like heterozygotes (the model must read the run length and the platform);
 *   - one-strand artefacts: false alt alleles seen on a single strand (strand channels);
 *   - low-depth hets whose fraction is far from 0.5 (depth channel);
 *   - low-mapping-quality stretches.
 * It exists to test and exercise the model and training loop before the benchmark kit's
 * simulated reads reach it; it is not a substitute for them (see docs/model.md).
 */
import type { Platform } from '../../app/contract.js';
import { hashConfig } from '../util/canonical-json.js';
import type { DataSettings, SyntheticDataSettings } from './config.js';
import { ALLELES, alternateAllele, BASES, emptyAlleleCounts, encodeTile, FEATURE_COUNT, type Allele, type BaselineGenotypeEvidence, type AlleleCounts, type Base, type PileupColumnEvidence, type ReferenceBase } from './features.js';
import { SeededRandom } from '../util/seeded-random.js';
import type { TrainingBatch, TrainingExampleSource } from './train-data.js';

const SUBSTITUTION_ERROR: Record<Platform, number> = { illumina: 0.004, hifi: 0.002, ont: 0.02 };
/** Deletion error per read in a homopolymer of 4+ (grows with the run). */
const HOMOPOLYMER_DELETION_ERROR: Record<Platform, number> = { illumina: 0.01, hifi: 0.04, ont: 0.14 };
const TYPICAL_BASE_QUALITY: Record<Platform, number> = { illumina: 35, hifi: 38, ont: 18 };

export interface SyntheticTile {
  columns: PileupColumnEvidence[];
  /** 0 hom-ref, 1 het, 2 hom-alt per position. */
  genotypes: Uint8Array;
  /** Positions a caller would consider: true variants and visible alt evidence. */
  candidate: Uint8Array;
}

function randomReference(random: SeededRandom, length: number, gc: number): ReferenceBase[] {
  const out: ReferenceBase[] = [];
  while (out.length < length) {
    const strong = random.next() < gc;
    const base: Base = strong ? (random.next() < 0.5 ? 'G' : 'C') : random.next() < 0.5 ? 'A' : 'T';
    // Homopolymer runs of 4–12 at ~4 % of run starts, as in real genomes' excess of long runs.
    const run = random.next() < 0.04 ? 4 + random.int(9) : 1;
    for (let i = 0; i < run && out.length < length; i++) out.push(base);
  }
  return out;
}

function otherBase(random: SeededRandom, base: ReferenceBase): Base {
  const choices = BASES.filter((b) => b !== base);
  return choices[random.int(choices.length)]!;
}

/**
 * The synthetic settings a config's data section stands for. A kit config has none of its own
 * (it trains on reads); tools that only need plausible input of the right platforms (the runtime
 * benchmark, bench/model.ts) get the kit's platforms at 30× with 1 % variant positions.
 */
export function syntheticSettingsOf(settings: DataSettings): SyntheticDataSettings {
  if (settings.source === 'synthetic') return settings;
  return { source: 'synthetic', meanDepth: 30, variantRate: 0.01, platforms: settings.platforms };
}

/** Generates one tile of `length` consecutive positions. */
export function generateSyntheticTile(random: SeededRandom, length: number, dataSettings: DataSettings, origin = 0): SyntheticTile {
  const settings = syntheticSettingsOf(dataSettings);
  const platform = settings.platforms[random.int(settings.platforms.length)]!;
  const gc = random.next() < 0.2 ? (random.next() < 0.5 ? 0.15 : 0.85) : random.uniform(0.35, 0.6);
  const reference = randomReference(random, length, gc);
  const tileDepth = settings.meanDepth * random.uniform(0.25, 1.5);
  const lowMapqStart = random.next() < 0.3 ? random.int(length) : -1;
  const lowMapqEnd = lowMapqStart + 20 + random.int(60);
  const columns: PileupColumnEvidence[] = [];
  const genotypes = new Uint8Array(length);
  const candidate = new Uint8Array(length);
  // Homopolymer run length at each position, for the platform's deletion errors.
  const runs = new Uint16Array(length);
  for (let i = 0; i < length; ) {
    let j = i + 1;
    while (j < length && reference[j] === reference[i]) j++;
    runs.fill(j - i, i, j);
    i = j;
  }

  for (let i = 0; i < length; i++) {
    const refBase = reference[i]!;
    const depth = random.poisson(tileDepth);
    let genotype = 0;
    let alt: Allele = otherBase(random, refBase);
    if (random.next() < settings.variantRate) {
      genotype = random.next() < 2 / 3 ? 1 : 2;
      if (random.next() < 0.2) alt = 'del';
    }
    const inRun = runs[i]! >= 4;
    const deletionError = inRun ? Math.min(0.35, HOMOPOLYMER_DELETION_ERROR[platform] * (1 + 0.15 * (runs[i]! - 4))) : SUBSTITUTION_ERROR[platform] / 4;
    const substitutionError = SUBSTITUTION_ERROR[platform];
    const forward: AlleleCounts = emptyAlleleCounts();
    const reverse: AlleleCounts = emptyAlleleCounts();
    let altCarriers = genotype === 2 ? depth : genotype === 1 ? random.binomial(depth, 0.5) : 0;
    // One-strand artefact at ~1.5 % of reference positions: a false alt allele on the forward strand only.
    const artefact = genotype === 0 && random.next() < 0.015 && depth >= 6;
    const artefactReads = artefact ? Math.max(2, Math.round(depth * random.uniform(0.15, 0.35))) : 0;
    for (let read = 0; read < depth; read++) {
      const isForward = read < artefactReads ? true : random.next() < 0.5;
      const strand = isForward ? forward : reverse;
      let allele: Allele;
      if (read < artefactReads) allele = alt;
      else if (altCarriers > 0) {
        altCarriers--;
        allele = alt;
      } else allele = refBase === 'N' ? 'A' : refBase;
      // Sequencing errors on top of the true allele.
      const r = random.next();
      if (r < deletionError) allele = 'del';
      else if (r < deletionError + substitutionError) allele = otherBase(random, refBase);
      strand[allele]++;
    }
    const altAllele = genotype > 0 || artefact ? alt : undefined;
    const bq = TYPICAL_BASE_QUALITY[platform];
    const lowMapq = i >= lowMapqStart && i < lowMapqEnd;
    const column: PileupColumnEvidence = {
      position: origin + i,
      refBase,
      forward,
      reverse,
      refMeanBaseQuality: bq + 3 * random.normal(),
      altMeanBaseQuality: genotype > 0 ? bq + 3 * random.normal() : bq - 8 + 3 * random.normal(),
      refMeanMappingQuality: lowMapq ? random.uniform(5, 30) : 60,
      altMeanMappingQuality: lowMapq ? random.uniform(5, 30) : 60,
      refNearReadEndFraction: random.uniform(0.05, 0.2),
      altNearReadEndFraction: artefact ? random.uniform(0.4, 0.9) : random.uniform(0.05, 0.2),
      lowMappingQualityFraction: lowMapq ? random.uniform(0.3, 0.8) : random.uniform(0, 0.02),
      platform,
    };
    if (altAllele) column.altAllele = altAllele;
    columns.push(column);
    genotypes[i] = genotype;
    const shown = ALLELES.filter((a) => a !== refBase).reduce((best, a) => Math.max(best, forward[a] + reverse[a]), 0);
    candidate[i] = genotype > 0 || (shown >= 2 && shown >= 0.08 * Math.max(depth, 1)) ? 1 : 0;
    // Candidates carry a statistical verdict as the caller's do (features.ts BaselineGenotypeEvidence).
    if (candidate[i]) column.baseline = binomialBaseline(column, substitutionError + deletionError, runs[i]!);
  }
  return { columns, genotypes, candidate };
}

/**
 * The synthetic stand-in for the statistical genotyper's verdict: binomial genotype likelihoods
 * of the alt count with a per-read error `error` (alt fraction error, 1/2, 1 − error), which is
 * what a column-level genotyper with a platform constant would say. It is fooled by exactly the
 * traps the generator sets (homopolymer deletions, one-strand artefacts), as the real one is by
 * real errors, so the model still has something to learn on top.
 */
export function binomialBaseline(column: PileupColumnEvidence, error: number, homopolymerRun: number): BaselineGenotypeEvidence {
  const alt = alternateAllele(column);
  const altReads = column.forward[alt] + column.reverse[alt];
  const refReads = column.refBase === 'N' ? 0 : column.forward[column.refBase] + column.reverse[column.refBase];
  const e = Math.min(0.45, Math.max(1e-4, error));
  const logLikelihoods = [e, 0.5, 1 - e].map((p) => altReads * Math.log10(p) + refReads * Math.log10(1 - p));
  const best = Math.max(...logLikelihoods);
  const scaled = logLikelihoods.map((l) => 10 ** (l - best));
  const sum = scaled[0]! + scaled[1]! + scaled[2]!;
  const likelihoods: [number, number, number] = [scaled[0]! / sum, scaled[1]! / sum, scaled[2]! / sum];
  const top = Math.max(...likelihoods);
  return {
    likelihoods,
    rawGq: top >= 1 ? 1000 : Math.min(1000, -10 * Math.log10(1 - top)),
    qual: likelihoods[0] <= 0 ? 3000 : Math.min(3000, -10 * Math.log10(likelihoods[0])),
    isIndel: alt === 'del' || alt === 'ins',
    indelLength: alt === 'del' || alt === 'ins' ? 1 : 0,
    repeatLength: homopolymerRun,
    realigned: false,
  };
}

/** Weight of non-candidate positions in the loss: they are many and easy. */
export const BACKGROUND_WEIGHT = 0.02;

export function batchFromTiles(tiles: readonly SyntheticTile[], tileLength: number): TrainingBatch {
  const features = new Float32Array(tiles.length * tileLength * FEATURE_COUNT);
  const labels = new Int32Array(tiles.length * tileLength);
  const weights = new Float32Array(tiles.length * tileLength);
  const candidate = new Uint8Array(tiles.length * tileLength);
  for (const [b, tile] of tiles.entries()) {
    features.set(encodeTile(tile.columns), b * tileLength * FEATURE_COUNT);
    for (let i = 0; i < tileLength; i++) {
      labels[b * tileLength + i] = tile.genotypes[i]!;
      candidate[b * tileLength + i] = tile.candidate[i]!;
      weights[b * tileLength + i] = tile.candidate[i] ? 1 : BACKGROUND_WEIGHT;
    }
  }
  return { batchSize: tiles.length, tileLength, features, labels, weights, candidate };
}

/**
 * The synthetic TrainingExampleSource. Training and held-out tiles come from two generators
 * seeded independently ("regions" that cannot overlap), recorded as the split.
 */
export class SyntheticExampleSource implements TrainingExampleSource {
  readonly dataHash: string;
  readonly split: unknown;
  readonly description: string;
  private readonly trainRandom: SeededRandom;
  private trainOrigin = 0;

  private readonly settings: SyntheticDataSettings;

  constructor(
    dataSettings: DataSettings,
    private readonly seed: number,
  ) {
    const settings = syntheticSettingsOf(dataSettings);
    this.settings = settings;
    this.dataHash = hashConfig({ generator: 'genomaic-synthetic-pileup/1', settings, seed });
    this.split = { kind: 'synthetic', train: { stream: 'train', seed: seed * 2 + 1 }, heldOut: { stream: 'held-out', seed: seed * 2 + 2 } };
    this.description = `synthetic pileups (${settings.platforms.join(', ')}; mean depth ${settings.meanDepth}; variant rate ${settings.variantRate})`;
    this.trainRandom = new SeededRandom(seed * 2 + 1);
  }

  trainingBatch(batchSize: number, tileLength: number): TrainingBatch {
    const tiles: SyntheticTile[] = [];
    for (let b = 0; b < batchSize; b++) {
      tiles.push(generateSyntheticTile(this.trainRandom, tileLength, this.settings, this.trainOrigin));
      this.trainOrigin += tileLength;
    }
    return batchFromTiles(tiles, tileLength);
  }

  heldOutBatches(tiles: number, tileLength: number, batchSize: number): TrainingBatch[] {
    const random = new SeededRandom(this.seed * 2 + 2);
    const batches: TrainingBatch[] = [];
    for (let start = 0; start < tiles; start += batchSize) {
      const group: SyntheticTile[] = [];
      for (let b = start; b < Math.min(tiles, start + batchSize); b++) group.push(generateSyntheticTile(random, tileLength, this.settings, b * tileLength));
      batches.push(batchFromTiles(group, tileLength));
    }
    return batches;
  }
}
