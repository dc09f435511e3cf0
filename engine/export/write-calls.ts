/**
 * Writes a call run's outputs: `<out>.vcf.gz` + `.tbi` (BGZF and tabix through
 * engine/formats), the abstention BED and the provenance sidecar. Every file is written
 * under a temporary name and renamed only when complete.
 */
import { resolve } from 'node:path';
import type { CallResult } from '../call/caller.js';
import type { AbstentionInterval } from '../call/types.js';
import { ABSTAIN_REASON_TEXT } from '../call/types.js';
import { TabixIndexedWriter } from '../formats/tabix-index.js';
import { AtomicFile } from '../formats/atomic-file.js';
import { appVersion } from '../version.js';
import { todayVcfDate, vcfHeaderLines, vcfRecordLine } from './vcf.js';
import { sha256File, sidecarRecordLine, sidecarRunLine } from './sidecar.js';

export interface CallOutputPaths {
  vcf: string;
  tbi: string;
  bed: string;
  sidecar: string;
}

/** `out.vcf.gz` → its companions (`out.abstain.bed`, `out.provenance.jsonl`). */
export function outputPathsFor(vcfPath: string): CallOutputPaths {
  const stem = vcfPath.replace(/\.vcf(\.gz)?$/i, '');
  return { vcf: vcfPath, tbi: `${vcfPath}.tbi`, bed: `${stem}.abstain.bed`, sidecar: `${stem}.provenance.jsonl` };
}

export interface WriteCallsOptions {
  result: CallResult;
  vcfPath: string;
  bamPath: string;
  referencePath: string;
  commandLine: string;
  minGq: number;
}

export function bedLines(intervals: readonly AbstentionInterval[]): string[] {
  const lines = ['#chrom\tstart\tend\treason (GenomAIc abstention regions; reasons in docs/calling.md)'];
  for (const iv of intervals) lines.push(`${iv.contig}\t${iv.start}\t${iv.end}\t${iv.reason}`);
  return lines;
}

async function writeTextAtomically(path: string, lines: Iterable<string>): Promise<AtomicFile> {
  const file = await AtomicFile.create(path);
  try {
    let buffer: string[] = [];
    for (const line of lines) {
      buffer.push(line);
      if (buffer.length >= 1000) {
        await file.write(Buffer.from(`${buffer.join('\n')}\n`, 'utf8'));
        buffer = [];
      }
    }
    if (buffer.length > 0) await file.write(Buffer.from(`${buffer.join('\n')}\n`, 'utf8'));
    await file.finish();
    return file;
  } catch (error) {
    await file.discard();
    throw error;
  }
}

export async function writeCallOutputs(options: WriteCallsOptions): Promise<CallOutputPaths> {
  const paths = outputPathsFor(options.vcfPath);
  const { result } = options;
  const source = `GenomAIc ${appVersion()}`;
  const header = vcfHeaderLines({
    info: result.info,
    referencePath: resolve(options.referencePath),
    source,
    commandLine: options.commandLine,
    fileDate: todayVcfDate(),
    minGq: options.minGq,
  });
  // Explain the abstention vocabulary once in the BED too, so the file stands on its own.
  const bed = [
    ...Object.entries(ABSTAIN_REASON_TEXT).map(([k, v]) => `# ${k}: ${v}`),
    ...bedLines(result.abstentions),
  ];
  const bamSha256 = await sha256File(options.bamPath);
  const sidecar = [
    JSON.stringify(sidecarRunLine(result.info, { bamPath: resolve(options.bamPath), bamSha256, referencePath: resolve(options.referencePath) }, source, options.commandLine)),
    ...result.records.map((r) => JSON.stringify(sidecarRecordLine(r))),
  ];
  const bedFile = await writeTextAtomically(paths.bed, bed);
  const sidecarFile = await writeTextAtomically(paths.sidecar, sidecar);
  const vcf = await TabixIndexedWriter.create(paths.vcf, 'vcf');
  try {
    for (const line of header) await vcf.writeLine(line);
    for (const r of result.records) await vcf.writeLine(vcfRecordLine(r));
    await vcf.close();
  } catch (error) {
    await vcf.abort();
    await bedFile.discard();
    await sidecarFile.discard();
    throw error;
  }
  await bedFile.commit();
  await sidecarFile.commit();
  return paths;
}
