/**
 * VCF 4.3 output: header and record lines (VCFv4.3 specification, §1.2–1.6).
 *
 * Every INFO, FORMAT and FILTER key written is defined in the header. Short provenance keys
 * (model id, verifier verdict, per-strand support, abstention reason) sit in INFO; the long
 * form (read names, checksums, config hash) goes to the sidecar (sidecar.ts), keyed the same
 * way as `recordKey`.
 */
import type { CallRecord } from '../call/types.js';
import { ABSTAIN_REASONS, ABSTAIN_REASON_TEXT } from '../call/types.js';
import type { CallRunInfo } from '../call/caller.js';

export interface VcfHeaderInputs {
  info: CallRunInfo;
  referencePath: string;
  source: string;
  commandLine: string;
  /** YYYYMMDD. */
  fileDate: string;
  minGq: number;
}

/** The sidecar / database key of a record: CHROM:POS:REF:ALT (1-based POS, ALTs joined by ','). */
export function recordKey(record: Pick<CallRecord, 'contig' | 'pos' | 'ref' | 'alts'>): string {
  return `${record.contig}:${record.pos + 1}:${record.ref}:${record.alts.join(',')}`;
}

function headerValue(text: string): string {
  return `"${text.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function todayVcfDate(now = new Date()): string {
  return `${now.getUTCFullYear()}${String(now.getUTCMonth() + 1).padStart(2, '0')}${String(now.getUTCDate()).padStart(2, '0')}`;
}

export function vcfHeaderLines(h: VcfHeaderInputs): string[] {
  const lines = [
    '##fileformat=VCFv4.3',
    `##fileDate=${h.fileDate}`,
    `##source=${h.source}`,
    `##reference=file://${h.referencePath}`,
  ];
  for (const c of h.info.contigs) lines.push(`##contig=<ID=${c.name},length=${c.length}${c.md5 ? `,md5=${c.md5}` : ''}>`);
  lines.push(
    '##FILTER=<ID=PASS,Description="All filters passed">',
    `##FILTER=<ID=Abstain,Description="No call: the evidence does not support a genotype at the configured risk (calibrated GQ < ${h.minGq} or a hard rule); INFO/ABSTAIN gives the reason">`,
    `##INFO=<ID=ABSTAIN,Number=1,Type=String,Description="Abstention reason: ${ABSTAIN_REASONS.map((r) => `${r} (${ABSTAIN_REASON_TEXT[r]})`).join('; ')}">`,
    '##INFO=<ID=DIAG,Number=.,Type=String,Description="Abstention rules that fired at this locus, also when the call was kept (same vocabulary as ABSTAIN)">',
    '##INFO=<ID=BGT,Number=1,Type=String,Description="Most probable genotype under the model, also for no-calls">',
    '##INFO=<ID=MID,Number=1,Type=String,Description="Model that produced the genotype (stat-diploid/N: the statistical diploid genotyper)">',
    '##INFO=<ID=VV,Number=1,Type=String,Description="Verifier verdict: pass, reroute, abstain, or none when no verifier ran">',
    // Defined only when a learned checkpoint ran, so a statistical-only VCF stays as it was.
    ...(h.info.learnedModel
      ? [
          '##INFO=<ID=EXW,Number=.,Type=String,Description="Learned genotyper: experts the router used, as name:weight, strongest first">',
          '##INFO=<ID=MPP,Number=3,Type=Float,Description="Learned genotyper: calibrated posterior of hom-ref, het, hom-alt for the ALT allele (after any verifier re-route)">',
        ]
      : []),
    '##INFO=<ID=GM,Number=1,Type=String,Description="Genotyping method: realigned (local haplotype realignment), phased (realigned, with the haplotypes of the reads from read-backed phasing) or pileup (single-base likelihoods)">',
    '##INFO=<ID=SB,Number=4,Type=Integer,Description="Reads supporting REF forward, REF reverse, ALT forward, ALT reverse (ALT: all alternate alleles)">',
    '##INFO=<ID=RGQ,Number=1,Type=Float,Description="Uncalibrated GQ from the genotype posterior of the statistical model (not capped at 99; calibration maps it to GQ)">',
    '##INFO=<ID=RPB,Number=1,Type=Float,Description="Read position bias: Phred of a one-sided rank-sum test that ALT reads show the allele nearer their aligned ends (soft clips count) than REF reads">',
    '##INFO=<ID=MMB,Number=1,Type=Float,Description="Mismatch burden bias: Phred of a one-sided rank-sum test that ALT reads carry more mismatches near the site than REF reads">',
    '##INFO=<ID=MQM,Number=1,Type=Float,Description="Mean mapping quality of the reads over the locus">',
    '##INFO=<ID=RPT,Number=1,Type=Integer,Description="Length (bp) of the longest homopolymer or tandem repeat touching the locus">',
    '##FORMAT=<ID=GT,Number=1,Type=String,Description="Genotype">',
    '##FORMAT=<ID=GQ,Number=1,Type=Integer,Description="Calibrated genotype quality: Phred-scaled probability that the genotype is wrong, fitted on held-out truth">',
    '##FORMAT=<ID=DP,Number=1,Type=Integer,Description="Reads used for genotyping">',
    '##FORMAT=<ID=AD,Number=R,Type=Integer,Description="Reads decisively supporting each allele">',
    '##FORMAT=<ID=PL,Number=G,Type=Integer,Description="Phred-scaled genotype likelihoods, normalised to 0 for the most likely">',
    `##GenomAIc_callerConfig=<platform=${h.info.platform},sha256=${h.info.configHash},model=${h.info.modelId},calibration=${headerValue(h.info.calibration)}>`,
    ...(h.info.learnedModel
      ? [`##GenomAIc_learnedModel=<ID=${h.info.learnedModel.modelId},weightsSha256=${h.info.learnedModel.weightsSha256},backend=${h.info.learnedModel.backend},fallback=${headerValue(h.info.learnedModel.fallback)}>`]
      : []),
    `##commandline=${headerValue(h.commandLine)}`,
    `#CHROM\tPOS\tID\tREF\tALT\tQUAL\tFILTER\tINFO\tFORMAT\t${h.info.sample}`,
  );
  return lines;
}

function formatQual(q: number | null): string {
  if (q === null) return '.';
  return Number.isInteger(q) ? String(q) : q.toFixed(2);
}

/**
 * INFO/VV: `none` (statistical genotype), `pass`, `reroute:<expert>` or `abstain:<reason>`;
 * the reason is the verifier's, which may differ from INFO/ABSTAIN when a caller rule fired first.
 */
export function verifierVerdict(r: Pick<CallRecord, 'learned'>): string {
  const l = r.learned;
  if (!l) return 'none';
  if (l.verdict === 'reroute') return `reroute:${l.reroutedTo ?? '?'}`;
  if (l.verdict === 'abstain') return `abstain:${l.reason ?? '?'}`;
  return 'pass';
}

export function vcfRecordLine(r: CallRecord): string {
  const ev = r.evidence;
  const altForward = ev.altForward.reduce((s, x) => s + x, 0);
  const altReverse = ev.altReverse.reduce((s, x) => s + x, 0);
  const info = [
    ...(r.abstainReason ? [`ABSTAIN=${r.abstainReason}`] : []),
    ...(r.diagnostics.length > 0 ? [`DIAG=${r.diagnostics.join(',')}`] : []),
    `BGT=${r.bestGenotype[0]}/${r.bestGenotype[1]}`,
    `MID=${r.modelId}`,
    `VV=${verifierVerdict(r)}`,
    ...(r.learned ? [`EXW=${r.learned.experts.map((e) => `${e.name}:${e.weight}`).join(',')}`, `MPP=${r.learned.posterior.join(',')}`] : []),
    `GM=${r.method}`,
    `SB=${ev.refForward},${ev.refReverse},${altForward},${altReverse}`,
    `RGQ=${r.rawGq.toFixed(2)}`,
    `RPB=${ev.readPositionBias.toFixed(1)}`,
    `MMB=${ev.mismatchBias.toFixed(1)}`,
    `MQM=${ev.meanMapq.toFixed(1)}`,
    `RPT=${ev.repeatLength}`,
  ].join(';');
  const gt = r.genotype ? `${r.genotype[0]}/${r.genotype[1]}` : './.';
  const gq = r.genotype ? String(r.gq) : '.';
  const sample = [gt, gq, String(r.depth), r.alleleDepths.join(','), r.pl.join(',')].join(':');
  return [r.contig, String(r.pos + 1), '.', r.ref, r.alts.join(','), formatQual(r.qual), r.filter, info, 'GT:GQ:DP:AD:PL', sample].join('\t');
}
