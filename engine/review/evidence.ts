/**
 * Reading what the caller wrote: VCF records (one per call) and the provenance sidecar
 * (engine/export/sidecar.ts), tolerant of fields the learned model will add (experts and
 * their router weights, a verifier verdict, a model version), which the statistical caller
 * does not write.
 */
import type {
  CallDetail,
  CallProvenance,
  CallSummary,
  ExpertWeight,
  InputChecksum,
  ReadEvidence,
  VerifierVerdict,
} from '../../app/contract.js';
import { variantType } from './call-query.js';

/** The fields of one VCF data line the review needs. */
export interface VcfCallFields {
  contig: string;
  pos: number;
  ref: string;
  alts: string[];
  qual: number | null;
  filter: string;
  info: Map<string, string>;
  gt: string;
  gq: number | null;
  depth: number;
  alleleDepths: number[];
}

export class VcfLineError extends Error {}

function numberOrNull(text: string | undefined): number | null {
  if (text === undefined || text === '.' || text === '') return null;
  const value = Number(text);
  return Number.isFinite(value) ? value : null;
}

export function parseInfo(text: string): Map<string, string> {
  const info = new Map<string, string>();
  if (text === '.' || text === '') return info;
  for (const part of text.split(';')) {
    const eq = part.indexOf('=');
    if (eq < 0) info.set(part, '');
    else info.set(part.slice(0, eq), part.slice(eq + 1));
  }
  return info;
}

export function parseVcfDataLine(line: string): VcfCallFields {
  const f = line.split('\t');
  if (f.length < 8) throw new VcfLineError(`expected at least 8 tab-separated columns, found ${f.length}`);
  const pos = Number(f[1]);
  if (!Number.isSafeInteger(pos) || pos < 1) throw new VcfLineError(`POS "${f[1]}" is not a positive integer`);
  const formatKeys = (f[8] ?? '').split(':');
  const sampleValues = (f[9] ?? '').split(':');
  const sample = new Map<string, string>();
  formatKeys.forEach((k, i) => sample.set(k, sampleValues[i] ?? '.'));
  const ad = sample.get('AD');
  return {
    contig: f[0]!,
    pos,
    ref: f[3]!,
    alts: f[4] === '.' ? [] : f[4]!.split(','),
    qual: numberOrNull(f[5]),
    filter: f[6]!,
    info: parseInfo(f[7]!),
    gt: sample.get('GT') ?? './.',
    gq: numberOrNull(sample.get('GQ')),
    depth: numberOrNull(sample.get('DP')) ?? 0,
    alleleDepths: ad && ad !== '.' ? ad.split(',').map((x) => numberOrNull(x) ?? 0) : [],
  };
}

/** 'pass', 'reroute(expert)', 'reroute:expert', 'abstain(reason)', an object, or 'none'/absent. */
export function parseVerifierVerdict(value: unknown): VerifierVerdict | null {
  if (value === null || value === undefined) return null;
  if (typeof value === 'object') {
    const v = value as { kind?: unknown; verdict?: unknown; expert?: unknown; reason?: unknown };
    const kind = typeof v.kind === 'string' ? v.kind : typeof v.verdict === 'string' ? v.verdict : '';
    if (kind === 'pass') return { kind: 'pass' };
    if (kind === 'reroute') return { kind: 'reroute', expert: typeof v.expert === 'string' ? v.expert : 'unknown' };
    if (kind === 'abstain') return { kind: 'abstain', reason: typeof v.reason === 'string' ? v.reason : 'unknown' };
    return null;
  }
  if (typeof value !== 'string') return null;
  const match = /^(pass|reroute|abstain)(?:[(:]([^)]*)\)?)?$/.exec(value.trim());
  if (!match) return null;
  if (match[1] === 'pass') return { kind: 'pass' };
  if (match[1] === 'reroute') return { kind: 'reroute', expert: match[2] || 'unknown' };
  return { kind: 'abstain', reason: match[2] || 'unknown' };
}

/** `[{expert|id, weight}]` or `{id: weight}`; null when there are none (statistical caller). */
export function parseExperts(value: unknown): ExpertWeight[] | null {
  if (Array.isArray(value)) {
    const list = value.flatMap((item): ExpertWeight[] => {
      if (typeof item !== 'object' || item === null) return [];
      const e = item as { expert?: unknown; name?: unknown; id?: unknown; weight?: unknown };
      const expert = typeof e.expert === 'string' ? e.expert : typeof e.name === 'string' ? e.name : typeof e.id === 'string' ? e.id : null;
      return expert !== null && typeof e.weight === 'number' ? [{ expert, weight: e.weight }] : [];
    });
    return list.length > 0 ? list : null;
  }
  if (typeof value === 'object' && value !== null) {
    const list = Object.entries(value).flatMap(([expert, weight]) => (typeof weight === 'number' ? [{ expert, weight }] : []));
    return list.length > 0 ? list : null;
  }
  return null;
}

/** The sidecar's record line as the review reads it (every field optional: older or newer writers). */
export interface SidecarRecord {
  kind?: string;
  key?: string;
  bestGenotype?: string;
  rawGq?: number;
  diagnostics?: string[];
  modelId?: string;
  modelVersion?: string;
  verifierVerdict?: unknown;
  experts?: unknown;
  /** The learned genotyper's provenance (engine/export/sidecar.ts writes the experts here, as `{ name, weight }`). */
  learned?: { experts?: unknown };
  method?: string;
  alleleDepths?: number[];
  strand?: { refForward?: number; refReverse?: number; altForward?: number[]; altReverse?: number[] };
  meanMapq?: number;
  mapq0Fraction?: number;
  repeat?: { length?: number; unit?: string };
  readsByAllele?: { name: string; reverse: boolean; margin: number }[][];
  uninformativeReads?: string[];
}

export interface SidecarRun {
  schema?: string;
  kind?: string;
  software?: string;
  commandLine?: string;
  inputs?: {
    bam?: { path?: string; sha256?: string };
    reference?: { path?: string; contigs?: { name: string; length: number; md5?: string }[] };
    [role: string]: unknown;
  };
  platform?: string;
  configHash?: string;
  modelId?: string;
  modelVersion?: string;
  calibration?: string;
  learnedModel?: { calibration?: string };
}

export function provenanceOf(run: SidecarRun): CallProvenance {
  const inputs: InputChecksum[] = [];
  const bam = run.inputs?.bam;
  if (bam?.path && bam.sha256) inputs.push({ role: 'bam', path: bam.path, algorithm: 'sha256', value: bam.sha256 });
  const reference = run.inputs?.reference;
  for (const contig of reference?.contigs ?? []) {
    if (contig.md5) inputs.push({ role: `reference contig ${contig.name}`, path: reference?.path ?? '', algorithm: 'md5', value: contig.md5 });
  }
  return {
    software: run.software ?? 'unknown',
    commandLine: run.commandLine ?? '',
    modelId: run.modelId ?? 'unknown',
    modelVersion: run.modelVersion ?? null,
    configHash: run.configHash ?? '',
    calibration: run.calibration ?? 'not recorded',
    learnedCalibration: run.learnedModel?.calibration ?? null,
    platform: run.platform ?? 'unknown',
    inputs,
  };
}

/** One table row from the VCF fields and the sidecar line of the same record. */
export function callSummaryOf(id: number, key: string, vcf: VcfCallFields, sidecar: SidecarRecord | null): CallSummary {
  const abstain = vcf.info.get('ABSTAIN');
  return {
    id,
    key,
    contig: vcf.contig,
    pos: vcf.pos,
    ref: vcf.ref,
    alts: vcf.alts,
    type: variantType(vcf.ref, vcf.alts),
    gt: vcf.gt,
    gq: vcf.gq,
    qual: vcf.qual,
    depth: vcf.depth,
    filter: vcf.filter,
    abstainReason: abstain !== undefined && abstain !== '' ? abstain : null,
    modelId: vcf.info.get('MID') ?? sidecar?.modelId ?? 'unknown',
    experts: parseExperts(sidecar?.experts ?? sidecar?.learned?.experts),
    verifier: parseVerifierVerdict(sidecar?.verifierVerdict ?? vcf.info.get('VV')),
    reviewStatus: 'unreviewed',
  };
}

/** The evidence panel's view of a call, from its row, its sidecar line and the run's provenance. */
export function callDetailOf(
  summary: CallSummary,
  sidecar: SidecarRecord | null,
  alleleDepths: number[],
  run: CallProvenance,
): Omit<CallDetail, 'review'> {
  const readsByAllele = sidecar?.readsByAllele ?? [];
  const reads = (alleleIndex: (i: number) => boolean): ReadEvidence[] =>
    readsByAllele.flatMap((list, allele) => (alleleIndex(allele) ? list.map((r) => ({ name: r.name, reverse: r.reverse, allele, margin: r.margin })) : []));
  const strand = sidecar?.strand;
  return {
    ...summary,
    bestGenotype: sidecar?.bestGenotype ?? summary.gt,
    rawGq: sidecar?.rawGq ?? null,
    // A call the learned model genotyped (it has a verifier verdict) took the model's own GQ calibration.
    calibration: summary.verifier !== null && run.learnedCalibration !== null ? run.learnedCalibration : run.calibration,
    alleleDepths: sidecar?.alleleDepths ?? alleleDepths,
    strand: {
      refForward: strand?.refForward ?? 0,
      refReverse: strand?.refReverse ?? 0,
      altForward: strand?.altForward ?? [],
      altReverse: strand?.altReverse ?? [],
    },
    meanMapq: sidecar?.meanMapq ?? null,
    mapq0Fraction: sidecar?.mapq0Fraction ?? null,
    repeat: sidecar?.repeat ? { length: sidecar.repeat.length ?? 0, unit: sidecar.repeat.unit ?? '' } : null,
    diagnostics: sidecar?.diagnostics ?? [],
    method: sidecar?.method ?? null,
    supportingReads: reads((allele) => allele > 0),
    opposingReads: reads((allele) => allele === 0),
    uninformativeReads: sidecar?.uninformativeReads ?? [],
    provenance: { ...run, modelId: summary.modelId, modelVersion: sidecar?.modelVersion ?? run.modelVersion },
  };
}
