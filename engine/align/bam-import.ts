/**
 * Imports a BAM written by another aligner instead of aligning FASTQ: the BAM's references
 * must be the chosen reference's (same names and lengths, and the same MD5 where the BAM
 * records one), else every downstream coordinate would be wrong. Records are copied as they
 * are (reference ids remapped when the BAM lists contigs in another order) into a
 * coordinate-sorted BAM with BAI and @SQ M5 tags; read groups, programs and comments of the
 * original header are kept, with our @PG appended to the chain.
 */
import { basename } from 'node:path';
import type { BamHeaderInput, BamProgram, BamReadGroup, SequencingPlatform } from '../formats/bam-header.js';
import { BamRecordReader, BgzfByteStream, readBamHeader } from '../formats/bam-reader.js';
import { BamSorter } from '../formats/bam-sort.js';
import { EngineError } from '../errors.js';
import { openReference } from '../reference/reference-genome.js';
import { appVersion } from '../version.js';
import type { AlignProgress } from './align-reads.js';

export interface ImportBamOptions {
  referencePath: string;
  inputPath: string;
  outputPath: string;
  memoryBudgetBytes?: number;
  signal?: AbortSignal;
  onProgress?: (progress: AlignProgress) => void;
}

export interface ImportSummary {
  outputPath: string;
  indexPath: string;
  records: number;
  mapped: number;
  warnings: string[];
}

const PLATFORMS: readonly SequencingPlatform[] = ['CAPILLARY', 'DNBSEQ', 'ELEMENT', 'HELICOS', 'ILLUMINA', 'IONTORRENT', 'LS454', 'ONT', 'PACBIO', 'SINGULAR', 'SOLID', 'ULTIMA'];

function headerFields(line: string): Map<string, string> {
  const fields = new Map<string, string>();
  for (const part of line.split('\t').slice(1)) {
    const colon = part.indexOf(':');
    if (colon === 2) fields.set(part.slice(0, 2), part.slice(3));
  }
  return fields;
}

/** Read groups, programs and comments of a SAM header text. */
export function parseHeaderExtras(text: string): { readGroups: BamReadGroup[]; programs: BamProgram[]; comments: string[]; m5: Map<string, string> } {
  const readGroups: BamReadGroup[] = [];
  const programs: BamProgram[] = [];
  const comments: string[] = [];
  const m5 = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.startsWith('@RG\t')) {
      const f = headerFields(line);
      const id = f.get('ID');
      if (!id) continue;
      const platform = f.get('PL')?.toUpperCase();
      readGroups.push({
        id,
        ...(platform && (PLATFORMS as readonly string[]).includes(platform) ? { platform: platform as SequencingPlatform } : {}),
        ...(f.get('SM') ? { sample: f.get('SM')! } : {}),
        ...(f.get('LB') ? { library: f.get('LB')! } : {}),
        ...(f.get('PU') ? { platformUnit: f.get('PU')! } : {}),
        ...(f.get('PM') ? { platformModel: f.get('PM')! } : {}),
        ...(f.get('DS') ? { description: f.get('DS')! } : {}),
      });
    } else if (line.startsWith('@PG\t')) {
      const f = headerFields(line);
      const id = f.get('ID');
      if (!id) continue;
      programs.push({
        id,
        ...(f.get('PN') ? { name: f.get('PN')! } : {}),
        ...(f.get('VN') ? { version: f.get('VN')! } : {}),
        ...(f.get('CL') ? { commandLine: f.get('CL')! } : {}),
        ...(f.get('PP') ? { previousId: f.get('PP')! } : {}),
      });
    } else if (line.startsWith('@CO\t')) {
      comments.push(line.slice(4));
    } else if (line.startsWith('@SQ\t')) {
      const f = headerFields(line);
      const name = f.get('SN');
      const md5 = f.get('M5');
      if (name && md5) m5.set(name, md5.toLowerCase());
    }
  }
  return { readGroups, programs, comments, m5 };
}

export async function importBam(options: ImportBamOptions): Promise<ImportSummary> {
  const { signal } = options;
  const genome = await openReference(options.referencePath, signal ? { signal } : {});
  const warnings = [...genome.warnings];
  const stream = new BgzfByteStream(options.inputPath, signal ? { signal } : {});
  const name = basename(options.inputPath);
  try {
    let header;
    try {
      header = await readBamHeader(stream);
    } catch (err) {
      throw EngineError.of('invalid-request', `${name}: ${(err as Error).message.replace(`${options.inputPath}: `, '')}`, { file: options.inputPath });
    }
    const extras = parseHeaderExtras(header.text);
    const ours = genome.bamReferences();
    const ourIndex = new Map(ours.map((r, i) => [r.name, i]));
    const remap = new Int32Array(header.references.length);
    for (let i = 0; i < header.references.length; i++) {
      const ref = header.references[i]!;
      const j = ourIndex.get(ref.name);
      if (j === undefined) {
        throw EngineError.of('invalid-request', `${name} was aligned to a reference with contig "${ref.name}", which ${basename(options.referencePath)} does not have; import it with the reference it was aligned to`, { file: options.inputPath });
      }
      if (ours[j]!.length !== ref.length) {
        throw EngineError.of('invalid-request', `${name}: contig "${ref.name}" is ${ref.length.toLocaleString('en-US')} bp there but ${ours[j]!.length.toLocaleString('en-US')} bp in ${basename(options.referencePath)}; they are different assemblies`, { file: options.inputPath });
      }
      const md5 = extras.m5.get(ref.name);
      if (md5 && ours[j]!.md5 && md5 !== ours[j]!.md5) {
        throw EngineError.of('invalid-request', `${name}: contig "${ref.name}" has MD5 ${md5} there but ${ours[j]!.md5} in ${basename(options.referencePath)}; the sequences differ`, { file: options.inputPath });
      }
      remap[i] = j;
    }
    const last = extras.programs.length > 0 ? extras.programs[extras.programs.length - 1]!.id : undefined;
    const outHeader: BamHeaderInput = {
      sortOrder: 'coordinate',
      references: ours,
      readGroups: extras.readGroups,
      programs: [...extras.programs, { id: 'genomaic-import', name: 'genomaic', version: appVersion(), ...(last ? { previousId: last } : {}) }],
      comments: extras.comments,
    };
    const sorter = await BamSorter.create(options.outputPath, outHeader, {
      ...(options.memoryBudgetBytes !== undefined ? { memoryBudgetBytes: options.memoryBudgetBytes } : {}),
      ...(signal ? { signal } : {}),
    });
    let records = 0;
    let mapped = 0;
    try {
      const reader = new BamRecordReader(stream);
      for (;;) {
        const raw = await reader.next();
        if (!raw) break;
        const record = Buffer.from(raw);
        const refId = record.readInt32LE(4);
        const nextRefId = record.readInt32LE(24);
        if (refId >= remap.length || nextRefId >= remap.length) throw EngineError.of('invalid-request', `${name}: record ${records + 1} names reference ${Math.max(refId, nextRefId)}, beyond the header's ${remap.length}`, { file: options.inputPath, record: records + 1 });
        if (refId >= 0) record.writeInt32LE(remap[refId]!, 4);
        if (nextRefId >= 0) record.writeInt32LE(remap[nextRefId]!, 24);
        const flag = record.readUInt16LE(18);
        if (!(flag & 0x4) && !(flag & 0x900)) mapped++;
        await sorter.addEncoded(record);
        records++;
        if ((records & 0xffff) === 0) options.onProgress?.({ stage: 'align', detail: 'importing records', reads: records, bases: 0, bytesRead: 0, bytesTotal: 0, readsPerSecond: 0 });
      }
      options.onProgress?.({ stage: 'sort', detail: 'writing the sorted BAM and its index', reads: records, bases: 0, bytesRead: 0, bytesTotal: 0, readsPerSecond: 0 });
      const written = await sorter.finish();
      return { outputPath: written.bamPath, indexPath: written.indexPath ?? `${written.bamPath}.bai`, records, mapped, warnings };
    } catch (err) {
      await sorter.abort();
      if (err instanceof EngineError) throw err;
      throw EngineError.of('invalid-request', `${name}: ${(err as Error).message.replace(`${options.inputPath}: `, '')}`, { file: options.inputPath });
    }
  } finally {
    await stream.close();
  }
}
