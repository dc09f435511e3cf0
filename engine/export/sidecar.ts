/**
 * The provenance sidecar: JSON lines next to the VCF (`<out>.provenance.jsonl`). The first
 * line describes the run (inputs and their checksums, config hash, model and calibration
 * versions); every further line is one VCF record, keyed `CHROM:POS:REF:ALT` exactly as
 * `recordKey`, with the reads that support each allele and the reads that support none,
 * per-strand counts, and the rules that fired: enough for the UI to show why a call was
 * made. The project database holds the same rows (see the report for the table).
 */
import { createHash } from 'node:crypto';
import { createReadStream } from 'node:fs';
import type { CallRecord, LearnedProvenance } from '../call/types.js';
import type { CallRunInfo } from '../call/caller.js';
import { recordKey, verifierVerdict } from './vcf.js';

export const SIDECAR_SCHEMA = 'genomaic.call-provenance/1' as const;

export interface SidecarRunLine {
  schema: typeof SIDECAR_SCHEMA;
  kind: 'run';
  createdAt: string;
  software: string;
  commandLine: string;
  inputs: {
    bam: { path: string; sha256: string };
    reference: { path: string; contigs: { name: string; length: number; md5: string }[] };
  };
  platform: string;
  configHash: string;
  modelId: string;
  calibration: string;
  regions: string[];
  /** Only when a learned checkpoint ran (docs/model.md). */
  learnedModel?: NonNullable<CallRunInfo['learnedModel']>;
}

export interface SidecarRecordLine {
  kind: 'record';
  key: string;
  genotype: string;
  bestGenotype: string;
  gq: number;
  rawGq: number;
  qual: number | null;
  filter: string;
  abstainReason: string | null;
  diagnostics: string[];
  modelId: string;
  /** `none` for the statistical genotyper; else as INFO/VV (pass, reroute:<expert>, abstain:<reason>). */
  verifierVerdict: string;
  /** Only when the learned genotyper produced the genotype. */
  learned?: LearnedProvenance;
  method: string;
  depth: number;
  alleleDepths: number[];
  strand: { refForward: number; refReverse: number; altForward: number[]; altReverse: number[] };
  meanMapq: number;
  mapq0Fraction: number;
  repeat: { length: number; unit: string };
  /** Read-placement tests of the called alt (Phred p-values): nearer read ends (RPB), more mismatches nearby (MMB). */
  readPlacement: { readPositionBias: number; mismatchBias: number };
  /** Read names per allele (index 0 = REF), each read with its likelihood margin (log10). */
  readsByAllele: { name: string; reverse: boolean; margin: number }[][];
  /** Reads that supported no allele decisively. */
  uninformativeReads: string[];
}

export async function sha256File(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(path)) hash.update(chunk as Buffer);
  return hash.digest('hex');
}

export function sidecarRecordLine(r: CallRecord): SidecarRecordLine {
  const readsByAllele: SidecarRecordLine['readsByAllele'] = [r.ref, ...r.alts].map(() => []);
  const uninformativeReads: string[] = [];
  for (const s of r.support) {
    if (s.allele < 0) uninformativeReads.push(s.name);
    else readsByAllele[s.allele]?.push({ name: s.name, reverse: s.reverse, margin: s.margin });
  }
  return {
    kind: 'record',
    key: recordKey(r),
    genotype: r.genotype ? `${r.genotype[0]}/${r.genotype[1]}` : './.',
    bestGenotype: `${r.bestGenotype[0]}/${r.bestGenotype[1]}`,
    gq: r.gq,
    rawGq: r.rawGq,
    qual: r.qual,
    filter: r.filter,
    abstainReason: r.abstainReason,
    diagnostics: r.diagnostics,
    modelId: r.modelId,
    verifierVerdict: verifierVerdict(r),
    ...(r.learned ? { learned: r.learned } : {}),
    method: r.method,
    depth: r.depth,
    alleleDepths: r.alleleDepths,
    strand: { refForward: r.evidence.refForward, refReverse: r.evidence.refReverse, altForward: r.evidence.altForward, altReverse: r.evidence.altReverse },
    meanMapq: Math.round(r.evidence.meanMapq * 10) / 10,
    mapq0Fraction: Math.round(r.evidence.mapq0Fraction * 1000) / 1000,
    repeat: { length: r.evidence.repeatLength, unit: r.evidence.repeatUnit },
    readPlacement: { readPositionBias: r.evidence.readPositionBias, mismatchBias: r.evidence.mismatchBias },
    readsByAllele,
    uninformativeReads,
  };
}

export function sidecarRunLine(info: CallRunInfo, inputs: { bamPath: string; bamSha256: string; referencePath: string }, software: string, commandLine: string): SidecarRunLine {
  return {
    schema: SIDECAR_SCHEMA,
    kind: 'run',
    createdAt: new Date().toISOString(),
    software,
    commandLine,
    inputs: {
      bam: { path: inputs.bamPath, sha256: inputs.bamSha256 },
      reference: { path: inputs.referencePath, contigs: info.contigs },
    },
    platform: info.platform,
    configHash: info.configHash,
    modelId: info.modelId,
    calibration: info.calibration,
    regions: info.regions.map((r) => `${r.contig}:${r.start + 1}-${r.end}`),
    ...(info.learnedModel ? { learnedModel: info.learnedModel } : {}),
  };
}
