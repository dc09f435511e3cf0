/** bench/regions.yaml: named disjoint regions with roles, and the suites built from them. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { REPO_ROOT } from './report.js';

export type Platform = 'illumina' | 'hifi' | 'ont';
export const PLATFORMS: readonly Platform[] = ['illumina', 'hifi', 'ont'];
export type RegionRole = 'evaluation' | 'calibration' | 'training';

export interface NamedRegion {
  name: string;
  /** 1-based inclusive. */
  start: number;
  end: number;
  role: RegionRole;
}

export interface SvSettings {
  platforms: Platform[];
  deletionsAndInsertions: number;
  duplications: number;
  inversions: number;
}

export interface SuiteConfig {
  name: string;
  description: string;
  contig: string;
  sample: string;
  simulate: NamedRegion[];
  /** Empty for a data-only suite (truth, reads and alignments; nothing is called or scored). */
  evaluate: NamedRegion[];
  flank: number;
  /** Total depth per platform (half per haplotype). */
  coverage: number;
  platforms: Platform[];
  seed: number;
  freebayes: Platform[];
  sv: SvSettings;
  /** Every region of the file, for the record of the split. */
  allRegions: NamedRegion[];
}

export const REGIONS_FILE = join(REPO_ROOT, 'bench', 'regions.yaml');

function fail(message: string): never {
  throw new Error(`${REGIONS_FILE}: ${message}`);
}

function asPlatforms(value: unknown, where: string): Platform[] {
  if (!Array.isArray(value) || !value.every((p) => PLATFORMS.includes(p as Platform))) fail(`${where} must list platforms among ${PLATFORMS.join(', ')}`);
  return value as Platform[];
}

function asNumber(value: unknown, where: string): number {
  if (typeof value !== 'number' || !Number.isFinite(value)) fail(`${where} must be a number`);
  return value;
}

interface RawSuite {
  description?: unknown;
  simulate?: unknown;
  evaluate?: unknown;
  flank?: unknown;
  coverage?: unknown;
  platforms?: unknown;
  seed?: unknown;
  /** The truth sample of this suite, when not the file's `truth.sample`. */
  sample?: unknown;
  freebayes?: unknown;
  sv?: { platforms?: unknown; deletionsAndInsertions?: unknown; duplications?: unknown; inversions?: unknown };
}

interface RawConfig {
  reference?: { contig?: unknown };
  truth?: { sample?: unknown };
  regions?: { name?: unknown; start?: unknown; end?: unknown; role?: unknown }[];
  suites?: Record<string, RawSuite>;
}

export function loadRegions(raw: RawConfig): NamedRegion[] {
  const regions = (raw.regions ?? []).map((r, i): NamedRegion => {
    if (typeof r.name !== 'string') fail(`regions[${i}].name must be a string`);
    const role = r.role;
    if (role !== 'evaluation' && role !== 'calibration' && role !== 'training') fail(`region ${r.name}: role must be evaluation, calibration or training`);
    const start = asNumber(r.start, `region ${r.name}.start`);
    const end = asNumber(r.end, `region ${r.name}.end`);
    if (start < 1 || end < start) fail(`region ${r.name}: start must be ≥ 1 and ≤ end`);
    return { name: r.name, start, end, role };
  });
  // Disjointness is the point of naming regions: a model must never see its evaluation region.
  const sorted = [...regions].sort((a, b) => a.start - b.start);
  for (let i = 1; i < sorted.length; i++) {
    if (sorted[i]!.start <= sorted[i - 1]!.end) fail(`regions ${sorted[i - 1]!.name} and ${sorted[i]!.name} overlap`);
  }
  return regions;
}

export function loadSuite(name: string, path = REGIONS_FILE): SuiteConfig {
  const raw = parse(readFileSync(path, 'utf8')) as RawConfig;
  const regions = loadRegions(raw);
  const suite = raw.suites?.[name];
  if (!suite) fail(`no suite '${name}' (suites: ${Object.keys(raw.suites ?? {}).join(', ')})`);
  const byName = (list: unknown, where: string, allowEmpty: boolean): NamedRegion[] => {
    if (!Array.isArray(list) || (list.length === 0 && !allowEmpty)) fail(`suite ${name}.${where} must list region names`);
    return list.map((n) => regions.find((r) => r.name === n) ?? fail(`suite ${name}.${where}: unknown region ${String(n)}`));
  };
  // `evaluate: []` (written out, never implied by omission) makes a data-only suite: the kit
  // builds truth, reads and peer alignments, e.g. a second seed over training regions.
  if (suite.evaluate === undefined) fail(`suite ${name}.evaluate must list region names (write evaluate: [] for a data-only suite)`);
  const evaluate = byName(suite.evaluate, 'evaluate', true);
  const simulate = byName(suite.simulate, 'simulate', false);
  for (const r of evaluate) {
    if (r.role !== 'evaluation') fail(`suite ${name} evaluates on ${r.name}, whose role is ${r.role}`);
    if (!simulate.includes(r)) fail(`suite ${name} evaluates ${r.name} without simulating it`);
  }
  const contig = raw.reference?.contig;
  // A suite may simulate another sample of the panel: new genotypes over the same regions.
  const sample = suite.sample ?? raw.truth?.sample;
  if (typeof contig !== 'string') fail('reference.contig must be a string');
  if (typeof sample !== 'string') fail(suite.sample === undefined ? 'truth.sample must be a string' : `suite ${name}.sample must be a string`);
  return {
    name,
    description: typeof suite.description === 'string' ? suite.description : '',
    contig,
    sample,
    simulate,
    evaluate,
    flank: asNumber(suite.flank, `suite ${name}.flank`),
    coverage: asNumber(suite.coverage, `suite ${name}.coverage`),
    platforms: asPlatforms(suite.platforms, `suite ${name}.platforms`),
    seed: asNumber(suite.seed, `suite ${name}.seed`),
    freebayes: asPlatforms(suite.freebayes ?? [], `suite ${name}.freebayes`),
    sv: {
      platforms: asPlatforms(suite.sv?.platforms ?? [], `suite ${name}.sv.platforms`),
      deletionsAndInsertions: asNumber(suite.sv?.deletionsAndInsertions ?? 0, `suite ${name}.sv.deletionsAndInsertions`),
      duplications: asNumber(suite.sv?.duplications ?? 0, `suite ${name}.sv.duplications`),
      inversions: asNumber(suite.sv?.inversions ?? 0, `suite ${name}.sv.inversions`),
    },
    allRegions: regions,
  };
}

/** The contiguous stretch reads are simulated from: all simulated regions plus the flank. */
export function simulatedSpan(suite: SuiteConfig): { start: number; end: number } {
  const start = Math.max(1, Math.min(...suite.simulate.map((r) => r.start)) - suite.flank);
  const end = Math.max(...suite.simulate.map((r) => r.end)) + suite.flank;
  return { start, end };
}
