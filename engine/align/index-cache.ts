/**
 * Opens the minimizer index of a reference for a preset: loads the cache file next to the
 * reference when its recorded checksum and parameters match, otherwise builds (and saves) a
 * new one. A reference edited after indexing therefore never meets a stale index: the
 * checksum differs, the index is rebuilt and the reason is reported.
 *
 * The FASTA itself (validation, .fai, MD5s, checksum with its own cache) is the reference
 * layer's (`engine/reference`); this module only sketches the contigs it hands over.
 */
import { accessSync, constants, existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import type { ReferenceGenome } from '../reference/reference-genome.js';
import { openReference } from '../reference/reference-genome.js';
import type { IndexHeader, IndexParameters, ReferenceContigSource } from './minimizer-index.js';
import { buildMinimizerIndex, MinimizerIndex, readIndexHeader } from './minimizer-index.js';
import type { AlignPreset } from './presets.js';

export type IndexStage = 'reference' | 'load-index' | 'build-index' | 'save-index';

export interface OpenIndexOptions {
  /** Where to keep the index when the reference's folder is not writable. */
  fallbackCacheDir?: string;
  /** Never read or write a cache file. */
  noCache?: boolean;
  signal?: AbortSignal;
  onStage?: (stage: IndexStage) => void;
}

export interface OpenedIndex {
  index: MinimizerIndex;
  genome: ReferenceGenome;
  path: string | undefined;
  built: boolean;
  /** Why an existing cache file was not used (checksum mismatch, other parameters, corrupt). */
  rebuildReason?: string;
  seconds: number;
}

export function indexParameters(preset: AlignPreset): IndexParameters {
  return {
    k: preset.k,
    w: preset.w,
    occurrenceFraction: preset.occurrenceFraction,
    minOccurrenceCutoff: preset.minOccurrenceCutoff,
    maxOccurrenceCutoff: preset.maxOccurrenceCutoff,
  };
}

export function indexFileName(referencePath: string, params: IndexParameters): string {
  return `${basename(referencePath)}.k${params.k}w${params.w}.gmi`;
}

function writableDir(dir: string): boolean {
  try {
    accessSync(dir, constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function sameParameters(header: IndexHeader, params: IndexParameters): boolean {
  return JSON.stringify(header.parameters) === JSON.stringify(params);
}

/** Contigs of the genome as nucleotide codes, one at a time (one contig in memory as bytes). */
async function* contigSources(genome: ReferenceGenome, signal?: AbortSignal): AsyncGenerator<ReferenceContigSource> {
  for (const contig of genome.contigs) {
    signal?.throwIfAborted();
    const sequence = await genome.load(contig.name);
    const codes = sequence.codes(0, contig.length);
    genome.release(contig.name);
    yield { name: contig.name, md5: contig.md5, codes };
  }
}

export async function openMinimizerIndex(referencePath: string, preset: AlignPreset, options: OpenIndexOptions = {}): Promise<OpenedIndex> {
  const started = performance.now();
  const params = indexParameters(preset);
  options.onStage?.('reference');
  const genome = await openReference(referencePath, options.signal ? { signal: options.signal } : {});
  const candidates: string[] = [];
  if (!options.noCache) {
    candidates.push(join(dirname(genome.path), indexFileName(genome.path, params)));
    if (options.fallbackCacheDir) candidates.push(join(options.fallbackCacheDir, `${genome.sha256.slice(0, 16)}.${indexFileName(genome.path, params)}`));
  }
  let rebuildReason: string | undefined;
  for (const path of candidates) {
    if (!existsSync(path)) continue;
    try {
      const header = readIndexHeader(path);
      if (header.referenceChecksum !== genome.sha256) {
        rebuildReason = `${basename(referencePath)} changed since ${basename(path)} was built (checksum mismatch); rebuilding the index`;
        continue;
      }
      if (!sameParameters(header, params)) {
        rebuildReason = `${basename(path)} was built with other index settings; rebuilding`;
        continue;
      }
      options.onStage?.('load-index');
      const index = MinimizerIndex.load(path);
      return { index, genome, path, built: false, seconds: (performance.now() - started) / 1000 };
    } catch (err) {
      rebuildReason = `${basename(path)} is unreadable (${(err as Error).message}); rebuilding`;
    }
  }
  options.onStage?.('build-index');
  const index = await buildMinimizerIndex(contigSources(genome, options.signal), params, genome.sha256);
  let savedPath: string | undefined;
  if (!options.noCache) {
    options.onStage?.('save-index');
    const target = writableDir(dirname(genome.path)) ? candidates[0] : candidates[1];
    if (target) {
      mkdirSync(dirname(target), { recursive: true });
      const temporary = `${target}.tmp-${process.pid}`;
      try {
        index.save(temporary);
        renameSync(temporary, target);
        savedPath = target;
      } catch {
        rmSync(temporary, { force: true });
      }
    }
  }
  return {
    index,
    genome,
    path: savedPath,
    built: true,
    ...(rebuildReason !== undefined ? { rebuildReason } : {}),
    seconds: (performance.now() - started) / 1000,
  };
}
