/**
 * Reference sequence access for the comparator. Haplotypes are built from the reference, so
 * the comparator asks for whole contigs (chr20 is 63 MB: fine). Files are read through the
 * engine's reference layer (engine/reference: .fai/.gzi, validation, checksum cache); tests
 * and callers that already hold sequences use `referenceFromSequences`.
 */
import { openReference as openReferenceGenome } from '../reference/reference-genome.js';

export interface ReferenceGenome {
  path: string;
  /** Upper-case sequence of a contig, or null if absent. */
  contig(name: string): Promise<string | null>;
}

export async function openReference(path: string): Promise<ReferenceGenome> {
  const genome = await openReferenceGenome(path);
  return {
    path: genome.path,
    async contig(name) {
      if (!genome.has(name)) return null;
      return (await genome.fetch(name, 0, genome.contig(name).length)).toUpperCase();
    },
  };
}

/** A reference held in memory (tests, and callers that already have the sequence). */
export function referenceFromSequences(contigs: Record<string, string>, path = '(memory)'): ReferenceGenome {
  return {
    path,
    contig: (name) => Promise.resolve(contigs[name]?.toUpperCase() ?? null),
  };
}
