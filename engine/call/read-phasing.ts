/**
 * Read-backed phasing for the genotyper (long reads). The tile's confident heterozygous SNVs
 * (first pass) are markers; consecutive markers that reads connect consistently form phase
 * blocks (WhatsHap's idea, greedily); each read then gets the probability that it comes from a
 * block's haplotype 0, from the alleles it shows at the block's markers.
 *
 * Why: a heterozygous 1 bp change of a 14-base homopolymer is read as 13 bases by about two
 * reads in three of its haplotype and one in three of the other. Unphased, every read is
 * scored against the mixture ½·L(alt) + ½·L(ref), so each carries a fraction of a log10 unit
 * and 15 reads per haplotype do not overcome the indel prior. With the reads' haplotypes known,
 * a het is L(alt) on one haplotype's reads and L(ref) on the other's: the same reads separate
 * the genotypes several times more sharply (Clair3 and PEPPER-DeepVariant haplotag reads for
 * this reason). The genotyper sums over the two orientations of each block (genotyper.ts).
 */

/** A first-pass heterozygous SNV and the allele (0 REF, 1 ALT) each decisive read showed. */
export interface PhaseMarker {
  pos: number;
  alleles: ReadonlyMap<string, 0 | 1>;
}

export interface ReadPhasingConfig {
  /** Raw GQ a heterozygous SNV needs to be a marker. */
  markerMinGq: number;
  /** Probability that a read's allele at a marker is not its haplotype's (read errors, misassignment). */
  alleleError: number;
  /** Reads connecting two neighbouring markers needed to put them in one block. */
  minLinkReads: number;
  /** Largest share of those reads that may disagree with the link's orientation. */
  maxLinkDiscordance: number;
  /** Cap on a read's haplotype probability (a read is never certain: switch errors, chimeras). */
  maxReadConfidence: number;
}

/** Where a read comes from: a block and the probability that it is the block's haplotype 0. */
export interface ReadPhase {
  block: number;
  p0: number;
}

export type ReadPhaseMap = ReadonlyMap<string, ReadPhase>;

interface PhasedMarker {
  pos: number;
  block: number;
  /** Whether the marker's ALT lies on the block's haplotype 0. */
  altOnHap0: boolean;
  alleles: ReadonlyMap<string, 0 | 1>;
}

/** Orders markers and chains neighbours the reads connect consistently into blocks. */
export function phaseMarkers(markers: readonly PhaseMarker[], config: ReadPhasingConfig): PhasedMarker[] {
  const sorted = [...markers].sort((a, b) => a.pos - b.pos);
  const out: PhasedMarker[] = [];
  let block = 0;
  for (let i = 0; i < sorted.length; i++) {
    const m = sorted[i]!;
    const previous = out[out.length - 1];
    if (!previous) {
      out.push({ pos: m.pos, block, altOnHap0: true, alleles: m.alleles });
      continue;
    }
    let same = 0;
    let opposite = 0;
    for (const [name, allele] of m.alleles) {
      const other = previous.alleles.get(name);
      if (other === undefined) continue;
      if (other === allele) same++;
      else opposite++;
    }
    const links = same + opposite;
    const linked = links >= config.minLinkReads && Math.min(same, opposite) <= config.maxLinkDiscordance * links;
    if (!linked) {
      block++;
      out.push({ pos: m.pos, block, altOnHap0: true, alleles: m.alleles });
      continue;
    }
    // Reads mostly showing the same allele at both: the ALTs share a haplotype.
    out.push({ pos: m.pos, block, altOnHap0: same > opposite ? previous.altOnHap0 : !previous.altOnHap0, alleles: m.alleles });
  }
  return out;
}

/** Per read, its evidence for haplotype 0 of each block, marker by marker (log10 units). */
export class ReadPhasing {
  private readonly weight: number;
  private readonly byRead = new Map<string, { pos: number; block: number; llr: number }[]>();

  constructor(markers: readonly PhaseMarker[], private readonly config: ReadPhasingConfig) {
    this.weight = Math.log10((1 - config.alleleError) / config.alleleError);
    for (const m of phaseMarkers(markers, config)) {
      for (const [name, allele] of m.alleles) {
        const onHap0 = (allele === 1) === m.altOnHap0;
        const list = this.byRead.get(name) ?? [];
        list.push({ pos: m.pos, block: m.block, llr: onHap0 ? this.weight : -this.weight });
        this.byRead.set(name, list);
      }
    }
  }

  get phasedReads(): number {
    return this.byRead.size;
  }

  /**
   * The phase of each named read from the markers outside [excludeStart, excludeEnd): a locus
   * is never phased by its own alleles. A read touching several blocks takes the one its
   * markers say most about; reads without markers are left out (unphased).
   */
  phasesFor(names: Iterable<string>, excludeStart: number, excludeEnd: number): Map<string, ReadPhase> {
    const out = new Map<string, ReadPhase>();
    const cap = this.config.maxReadConfidence;
    for (const name of names) {
      const list = this.byRead.get(name);
      if (!list) continue;
      const perBlock = new Map<number, number>();
      for (const e of list) {
        if (e.pos >= excludeStart && e.pos < excludeEnd) continue;
        perBlock.set(e.block, (perBlock.get(e.block) ?? 0) + e.llr);
      }
      let best: [number, number] | null = null;
      for (const [block, llr] of perBlock) if (!best || Math.abs(llr) > Math.abs(best[1])) best = [block, llr];
      if (!best || best[1] === 0) continue;
      const p0 = 1 / (1 + 10 ** -best[1]);
      out.set(name, { block: best[0], p0: Math.min(cap, Math.max(1 - cap, p0)) });
    }
    return out;
  }
}
