/** The kit's results JSON (bench/results/kit-<suite>.json): typed, versioned, small. */
import type { NamedRegion, Platform } from './config.js';
import type { SanitiseResult } from './data.js';
import type { StepRecord } from './exec.js';
import type { Aligner, Caller, SvCaller } from './peers.js';
import type { ProductStageResult } from './product.js';
import type { CrossCheckReport } from '../engine/compare/crosscheck.js';
import type { SvCompareReport } from '../engine/compare/sv.js';
import type { ClassMetrics, ClassTable, CompareReport } from '../engine/compare/types.js';

export const KIT_RESULTS_SCHEMA = 'genomaic.bench-kit/1' as const;

export interface ReadSetSummary {
  platform: Platform;
  set: 'small' | 'sv';
  simulator: string;
  meanAccuracy: number | null;
  reads: number;
  bases: number;
  meanLength: number;
  n50: number | null;
}

export interface SmallVariantRow {
  platform: Platform;
  /** 'genomaic' for the product's own pipeline. */
  aligner: Aligner | 'genomaic';
  caller: Caller | 'genomaic';
  label: string;
  /** For the product: the whole FASTQ → VCF run. */
  alignSeconds: number;
  /** null for the product, whose time is all in alignSeconds. */
  callSeconds: number | null;
  comparatorSeconds: number;
  report: CompareReport;
  /** Metrics per evaluation region, when the suite has several. */
  byRegion: Record<string, ClassTable>;
  crossCheck: CrossCheckReport;
}

export interface SvRow {
  platform: Platform;
  caller: SvCaller;
  seconds: number;
  report: SvCompareReport;
}

export interface RealReadRow {
  label: string;
  report: CompareReport;
}

export interface ToolVersion {
  tool: string;
  debianPackage: string;
  version: string;
  role: string;
}

export interface KitResults {
  schema: typeof KIT_RESULTS_SCHEMA;
  suite: string;
  description: string;
  command: string;
  startedAt: string;
  finishedAt: string;
  wallSeconds: number;
  machine: string;
  /** User + system CPU seconds of the kit and every tool it ran (null where /proc is absent). */
  cpuSeconds: number | null;
  /** 1-minute load average at start and end: the machine may be shared, and times with it. */
  loadAverage: { start: number; end: number };
  threads: number;
  seed: number;
  coveragePerPlatform: number;
  regions: {
    /** Every named region and its role: the training / calibration / evaluation split. */
    all: NamedRegion[];
    simulated: string[];
    evaluated: string[];
    /** 1-based inclusive span reads were simulated from. */
    simulatedSpan: string;
  };
  truth: {
    sample: string;
    source: string;
    /** Atoms in the evaluation regions. */
    snp: number;
    indel: number;
    sanitise: SanitiseResult;
    svCounts: Record<string, number>;
  };
  reads: ReadSetSummary[];
  smallVariants: SmallVariantRow[];
  structuralVariants: SvRow[];
  realReads: RealReadRow[];
  product: ProductStageResult[];
  steps: StepRecord[];
  tools: ToolVersion[];
}

/** SNP + INDEL together, as the quoted peer rows are. */
export function combined(report: CompareReport): ClassMetrics {
  const s = report.metrics.SNP;
  const i = report.metrics.INDEL;
  const tp = s.tp + i.tp;
  const tpCall = s.tpCall + i.tpCall;
  const callTotal = s.callTotal + i.callTotal;
  const truthTotal = s.truthTotal + i.truthTotal;
  const precision = callTotal === 0 ? null : tpCall / callTotal;
  const recall = truthTotal === 0 ? null : tp / truthTotal;
  const f1 = precision === null || recall === null || precision + recall === 0 ? null : (2 * precision * recall) / (precision + recall);
  const genotypeMatches = s.genotypeMatches + i.genotypeMatches;
  return {
    truthTotal,
    callTotal,
    tp,
    tpCall,
    fp: s.fp + i.fp,
    fn: s.fn + i.fn,
    precision,
    recall,
    f1,
    genotypeMatches,
    genotypeConcordance: tp === 0 ? null : genotypeMatches / tp,
  };
}
