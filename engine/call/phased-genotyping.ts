/**
 * The second, phased pass of a tile's genotyping (read-phasing.ts says why), shared by the
 * caller's tile loop (caller.ts) and the statistical verdict the learned model reads
 * (engine/model/baseline-evidence.ts), so that both see the same loci.
 */
import type { CallerConfig } from './config.js';
import type { LocusGenotype } from './genotyper.js';
import { genotypeWindow } from './genotyper.js';
import type { CallWindow, EmissionTable } from './realign.js';
import { buildWindows, emissionTable } from './realign.js';
import type { PhaseMarker } from './read-phasing.js';
import { ReadPhasing } from './read-phasing.js';
import type { AlignedRead, CandidateAllele } from './types.js';

export interface GenotypedWindow {
  window: CallWindow;
  reads: AlignedRead[];
  loci: LocusGenotype[];
}

/**
 * Raw GQ at and above which a first-pass locus is settled: its window is not genotyped again
 * with the reads' phases (they could only confirm it, at the cost of a second realignment).
 */
const PHASED_REGENOTYPE_BELOW_GQ = 99;

/**
 * Second pass of a tile with read-backed phasing (read-phasing.ts; presets without
 * `readPhasing` skip it): the first pass's confident heterozygous SNVs phase the reads, and
 * every window holding an indel candidate or an unsettled locus is genotyped again with the
 * phases of its reads, each read phased by the markers outside the window (a locus never
 * phases itself).
 */
export function regenotypePhased(
  genotyped: GenotypedWindow[],
  sequence: string,
  config: CallerConfig,
  emissions: EmissionTable,
  candidatePositions: ReadonlySet<number>,
): void {
  const phasing = config.readPhasing;
  if (!phasing) return;
  const markers: PhaseMarker[] = [];
  for (const { loci } of genotyped) {
    for (const l of loci) {
      if (l.ref.length !== 1 || l.alts.length !== 1 || l.alts[0]!.length !== 1) continue;
      if (l.genotype[0] !== 0 || l.genotype[1] !== 1 || l.excessAlleles > 0 || l.rawGq < phasing.markerMinGq) continue;
      const alleles = new Map<string, 0 | 1>();
      for (const s of l.support) if (s.allele === 0 || s.allele === 1) alleles.set(s.name, s.allele);
      markers.push({ pos: l.pos, alleles });
    }
  }
  if (markers.length === 0) return;
  const readPhasing = new ReadPhasing(markers, phasing);
  for (const entry of genotyped) {
    const { window, reads } = entry;
    const unsettled = window.candidates.some((c) => c.kind !== 'snv') || entry.loci.some((l) => l.rawGq < PHASED_REGENOTYPE_BELOW_GQ);
    if (!unsettled) continue;
    const phases = readPhasing.phasesFor(
      reads.map((r) => r.name),
      window.start - config.flank,
      window.end + config.flank,
    );
    if (phases.size === 0) continue;
    entry.loci = genotypeWindow(window, reads, sequence, config, emissions, candidatePositions, phases);
  }
}

/**
 * A tile's statistical genotyping: every window of the candidates with the reads overlapping it
 * and its flanks, then the phased second pass over all of them. `reads` must be sorted by start.
 * The caller's tile loop takes its records from the windows before the tile's end (the windows
 * past it still give the phased pass their markers), and the learned model's statistical verdict
 * (engine/model/baseline-evidence.ts) is read from the same result, in training as at run time.
 */
export function genotypeCandidateWindows(
  candidates: readonly CandidateAllele[],
  reads: readonly AlignedRead[],
  sequence: string,
  config: CallerConfig,
): GenotypedWindow[] {
  const emissions = emissionTable(config.errorModel);
  const candidatePositions = new Set(candidates.map((c) => c.pos));
  // Windows come in order; sweep the sorted reads once. Every window is genotyped: the phased
  // pass takes its markers from all of them.
  let next = 0;
  let active: AlignedRead[] = [];
  const genotyped: GenotypedWindow[] = [];
  for (const window of buildWindows(candidates, sequence, config)) {
    const from = window.start - config.flank;
    const to = window.end + config.flank;
    while (next < reads.length && reads[next]!.start < to) active.push(reads[next++]!);
    active = active.filter((r) => r.end > from);
    const windowReads = active.filter((r) => r.start < to);
    genotyped.push({ window, reads: windowReads, loci: genotypeWindow(window, windowReads, sequence, config, emissions, candidatePositions) });
  }
  regenotypePhased(genotyped, sequence, config, emissions, candidatePositions);
  return genotyped;
}
