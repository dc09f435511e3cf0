/**
 * The comparator's result schema. It is written to JSON by `genomaic compare` and by the
 * benchmark kit, and read back by later tools (cross-platform concordance, training
 * dashboards), so it is versioned: add fields freely, but bump `schema` when a field
 * changes meaning or disappears.
 */

export const COMPARE_SCHEMA = 'genomaic.compare/1' as const;

/** SNP covers SNVs and the SNVs an MNP decomposes into; INDEL covers insertions, deletions and complex alleles. */
export type VariantClass = 'SNP' | 'INDEL';
export const VARIANT_CLASSES: readonly VariantClass[] = ['SNP', 'INDEL'];

/** Sequence context of a variant, judged on the reference around it (see context.ts). */
export type RepeatContext = 'homopolymer' | 'tandemRepeat' | 'other';
export const REPEAT_CONTEXTS: readonly RepeatContext[] = ['homopolymer', 'tandemRepeat', 'other'];

/** How a matched variant was matched. */
export type MatchKind =
  /** The called diploid haplotypes equal the truth's over the window (genotype match). */
  | 'genotype'
  /** The same alleles were found but with another zygosity: TP for precision/recall, genotype discordant. */
  | 'allele'
  | 'none';

/** How a window was resolved. */
export type MatchMethod =
  /** Haplotype sequences were built and compared (different representations count as the same). */
  | 'haplotype'
  /** The window was too complex to enumerate: variants were matched by identical normalised alleles only. */
  | 'fallback';

export interface ClassMetrics {
  /** Truth variants (atoms) in the evaluated regions. */
  truthTotal: number;
  /** Call variants (atoms) in the evaluated regions. */
  callTotal: number;
  /** Truth atoms matched by calls (the recall numerator; what tables print as TP). */
  tp: number;
  /** Call atoms that match truth (the precision numerator; differs from `tp` when representations differ). */
  tpCall: number;
  fp: number;
  fn: number;
  /** null when undefined (no calls, no truth). */
  precision: number | null;
  recall: number | null;
  f1: number | null;
  /** Truth atoms whose match is at genotype level. */
  genotypeMatches: number;
  /** genotypeMatches / tp. */
  genotypeConcordance: number | null;
}

export type ClassTable = Record<VariantClass, ClassMetrics>;

export interface DepthBin {
  /** Human label, e.g. "10–19". */
  label: string;
  /** Inclusive lower bound. */
  min: number;
  /** Exclusive upper bound; null = open. */
  max: number | null;
}

export interface DepthStratum {
  bin: DepthBin | null;
  /** 'unknown' when no depth was available for the variant (an FN with no depth track). */
  label: string;
  metrics: ClassTable;
}

export interface ReliabilityBin {
  /** GQ range [gqMin, gqMax). */
  gqMin: number;
  gqMax: number | null;
  calls: number;
  /** Mean of 10^(−GQ/10) over the calls in the bin. */
  predictedError: number | null;
  /** Fraction of the calls that are wrong (FP or genotype discordant). */
  observedError: number | null;
}

export interface Calibration {
  /** Call records with a usable FORMAT/GQ. */
  callsWithGq: number;
  callsWithoutGq: number;
  bins: ReliabilityBin[];
  /** Expected calibration error: Σ_bins (n_b / N) · |predicted_b − observed_b|; null without GQ. */
  expectedCalibrationError: number | null;
}

export interface RiskCoveragePoint {
  /** Calls with GQ ≥ this are kept (calls without GQ are always kept). */
  minGq: number;
  callsKept: number;
  /** Fraction of call atoms kept. */
  callFraction: number;
  /** Precision of kept call atoms (allele level). */
  precision: number | null;
  /** Fraction of kept call records whose genotype is right. */
  genotypePrecision: number | null;
  /** Fraction of truth atoms still matched (coverage of the truth). */
  recall: number | null;
}

export interface MatchingStats {
  windows: number;
  /** Windows where every variant took part in the best haplotype match. */
  windowsFullyMatched: number;
  /** Windows resolved by per-variant fallback because enumeration would have been too large. */
  windowsFallback: number;
  truthVariantsInFallback: number;
  callVariantsInFallback: number;
  /** Truth atoms matched through a window whose two sides have different representations. */
  truthMatchedAcrossRepresentations: number;
  /** Phase assignments and subsets evaluated (a measure of work). */
  haplotypePairsBuilt: number;
}

export interface SkipCounts {
  /** FILTER not PASS or '.'. */
  filtered: number;
  belowMinQual: number;
  /** GT missing, homozygous reference or no-call. */
  noAltGenotype: number;
  /** Symbolic or breakend alleles (structural variants are evaluated elsewhere). */
  symbolic: number;
  outsideRegions: number;
  /** Chromosome absent from the reference. */
  unknownContig: number;
  /** REF does not match the reference sequence. */
  refMismatch: number;
}

export interface VariantVerdict {
  side: 'truth' | 'call';
  chrom: string;
  /** VCF-style normalised atom: 1-based POS, REF, ALT (with the anchor base for indels). */
  pos: number;
  ref: string;
  alt: string;
  variantClass: VariantClass;
  context: RepeatContext;
  verdict: 'TP' | 'FP' | 'FN';
  match: MatchKind;
  method: MatchMethod;
  /** Matched through a window whose two sides represent the haplotype differently. */
  representationDiffers: boolean;
  /** 1-based line in the source VCF. */
  line: number;
  gq: number | null;
  depth: number | null;
}

export interface CompareInputs {
  truth: string;
  calls: string;
  reference: string;
  regions: string | null;
  truthSample: string;
  callSample: string;
  passOnly: boolean;
  minQual: number | null;
  depthTrack: string | null;
}

export interface CompareReport {
  schema: typeof COMPARE_SCHEMA;
  inputs: CompareInputs;
  /** Length of the evaluated regions in bp (null when evaluating whole files). */
  evaluatedBases: number | null;
  metrics: ClassTable;
  strata: {
    context: Record<RepeatContext, ClassTable>;
    depth: DepthStratum[];
  };
  calibration: Calibration;
  riskCoverage: RiskCoveragePoint[];
  matching: MatchingStats;
  skipped: { truth: SkipCounts; calls: SkipCounts };
  /** Per-atom verdicts; present when asked for (they can be large). */
  variants?: VariantVerdict[];
}
