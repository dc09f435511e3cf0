/**
 * Bringing an analysis run's outputs into the project database for review: the folder that
 * `genomaic analyze -o DIR` (or the engine's analyze job) wrote — `<sample>.vcf.gz` + `.tbi`,
 * `<sample>.bam` + `.bai`, `<sample>.abstain.bed`, `<sample>.provenance.jsonl` — and the
 * reference named in the sidecar. The VCF is the source of truth for the records; the sidecar
 * line of each record (same order, same key) carries its evidence.
 */
import { createReadStream } from 'node:fs';
import { access, mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { basename, join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { AbstentionRegion, RunConfig, RunInputRef, RunOutputs } from '../../app/contract.js';
import { EngineError } from '../errors.js';
import type { ProjectStore } from '../store/project-store.js';
import { readBgzfFile } from '../formats/bgzf.js';
import { writeGzi } from '../formats/gzi.js';
import { detectFastaCompression, scanFastaFile } from '../reference/reference-genome.js';
import { formatFai, parseFai } from '../reference/fasta-scanner.js';
import { outputPathsFor } from '../export/write-calls.js';
import { recordKey } from '../export/vcf.js';
import { callSummaryOf, parseVcfDataLine, provenanceOf, VcfLineError, type SidecarRecord, type SidecarRun } from './evidence.js';
import type { ReviewStore, StoredCall } from './review-store.js';

export interface LocatedOutputs {
  outputDir: string;
  sample: string;
  vcf: string;
  vcfIndex: string;
  bam: string;
  bamIndex: string;
  abstentionBed: string;
  provenance: string;
}

async function exists(path: string): Promise<boolean> {
  try {
    await access(path);
    return true;
  } catch {
    return false;
  }
}

async function requireFile(path: string, what: string): Promise<void> {
  try {
    const s = await stat(path);
    if (!s.isFile()) throw EngineError.of('file-unreadable', `${path}: the ${what} is not a file`, { file: path });
  } catch (err) {
    if (err instanceof EngineError) throw err;
    throw EngineError.of('file-not-found', `${path}: the ${what} is missing`, { file: path });
  }
}

/** Finds the one call set in `dir` and its companions; names every file that is missing. */
export async function locateAnalysisOutputs(dir: string): Promise<LocatedOutputs> {
  const outputDir = resolve(dir);
  let names: string[];
  try {
    names = await readdir(outputDir);
  } catch {
    throw EngineError.of('file-not-found', `${outputDir}: no such folder`, { file: outputDir });
  }
  const vcfs = names.filter((n) => /\.vcf\.gz$/i.test(n) && !/\.reviewed\.vcf\.gz$/i.test(n)).sort();
  if (vcfs.length === 0) {
    throw EngineError.of('file-not-found', `${outputDir}: no .vcf.gz in this folder (expected the output folder of genomaic analyze)`, { file: outputDir });
  }
  if (vcfs.length > 1) {
    throw EngineError.of('invalid-request', `${outputDir}: more than one call set (${vcfs.join(', ')}); open a folder with one`, { file: outputDir });
  }
  const paths = outputPathsFor(join(outputDir, vcfs[0]!));
  const sample = vcfs[0]!.replace(/\.vcf\.gz$/i, '');
  const bam = join(outputDir, `${sample}.bam`);
  const bamIndex = (await exists(`${bam}.bai`)) ? `${bam}.bai` : join(outputDir, `${sample}.bai`);
  await requireFile(paths.vcf, 'VCF');
  await requireFile(paths.tbi, 'VCF index (.tbi)');
  await requireFile(bam, 'BAM');
  await requireFile(bamIndex, 'BAM index (.bai)');
  await requireFile(paths.bed, 'abstention BED');
  await requireFile(paths.sidecar, 'provenance sidecar');
  return { outputDir, sample, vcf: paths.vcf, vcfIndex: paths.tbi, bam, bamIndex, abstentionBed: paths.bed, provenance: paths.sidecar };
}

export function parseAbstentionBed(text: string, file: string): AbstentionRegion[] {
  const regions: AbstentionRegion[] = [];
  text.split('\n').forEach((line, i) => {
    if (line === '' || line.startsWith('#') || line.startsWith('track') || line.startsWith('browser')) return;
    const [contig, start, end, reason] = line.split('\t');
    const s = Number(start);
    const e = Number(end);
    if (!contig || !Number.isSafeInteger(s) || !Number.isSafeInteger(e) || e < s) {
      throw EngineError.of('invalid-request', `${file} line ${i + 1}: not a BED interval (contig, start, end, reason)`, { file, line: i + 1 });
    }
    regions.push({ contig, start: s, end: e, reason: reason ?? 'UNKNOWN' });
  });
  return regions;
}

/**
 * The reference's .fai (and .gzi when bgzipped): beside the FASTA when present, otherwise
 * computed into `indexDir` (the user's reference folder is never written to).
 */
export async function referenceIndexes(referencePath: string, indexDir: string): Promise<{ fai: string; gzi: string | null; contigs: { name: string; length: number }[] }> {
  await requireFile(referencePath, 'reference FASTA');
  const compression = await detectFastaCompression(referencePath);
  let fai = `${referencePath}.fai`;
  let gzi: string | null = compression === 'bgzip' ? `${referencePath}.gzi` : null;
  const haveFai = await exists(fai);
  const haveGzi = gzi === null || (await exists(gzi));
  if (!haveFai || !haveGzi) {
    const scan = await scanFastaFile(referencePath, compression);
    await mkdir(indexDir, { recursive: true });
    if (!haveFai) {
      fai = join(indexDir, `${basename(referencePath)}.fai`);
      await writeFile(fai, formatFai(scan.contigs));
    }
    if (!haveGzi && scan.gzi) {
      gzi = join(indexDir, `${basename(referencePath)}.gzi`);
      await writeGzi(gzi, scan.gzi);
    }
  }
  const contigs = parseFai(await readFile(fai, 'utf8'), fai).map((e) => ({ name: e.name, length: e.length }));
  return { fai, gzi, contigs };
}

async function readSidecarRun(path: string): Promise<SidecarRun> {
  const lines = createInterface({ input: createReadStream(path, { encoding: 'utf8' }), crlfDelay: Infinity });
  try {
    for await (const line of lines) {
      const parsed = JSON.parse(line) as SidecarRun;
      if (parsed.kind !== 'run') throw new Error('the first line is not the run line');
      return parsed;
    }
  } catch (err) {
    throw EngineError.of('invalid-request', `${path} line 1: not a GenomAIc provenance sidecar (${(err as Error).message})`, { file: path, line: 1 });
  } finally {
    lines.close();
  }
  throw EngineError.of('empty-file', `${path}: the provenance sidecar is empty`, { file: path });
}

/**
 * Each VCF record with its sidecar line. The sidecar was written in record order; a record
 * the sidecar lacks still imports (its evidence panel says so), but a line for another
 * record means the files do not belong together, which is an error naming the line.
 */
async function* callsFrom(located: LocatedOutputs): AsyncGenerator<StoredCall> {
  const vcfText = (await readBgzfFile(located.vcf)).toString('utf8');
  const sidecarLines = createInterface({ input: createReadStream(located.provenance, { encoding: 'utf8' }), crlfDelay: Infinity })[Symbol.asyncIterator]();
  let sidecarLineNumber = 1;
  await sidecarLines.next(); // the run line
  let id = 0;
  let lineNumber = 0;
  for (const line of vcfText.split('\n')) {
    lineNumber += 1;
    if (line === '' || line.startsWith('#')) continue;
    let fields;
    try {
      fields = parseVcfDataLine(line);
    } catch (err) {
      if (err instanceof VcfLineError) throw EngineError.of('invalid-request', `${located.vcf} line ${lineNumber}: ${err.message}`, { file: located.vcf, line: lineNumber });
      throw err;
    }
    const key = recordKey({ contig: fields.contig, pos: fields.pos - 1, ref: fields.ref, alts: fields.alts });
    let sidecar: SidecarRecord | null = null;
    let evidenceJson = JSON.stringify({ alleleDepths: fields.alleleDepths });
    const next = await sidecarLines.next();
    if (!next.done && next.value.trim() !== '') {
      sidecarLineNumber += 1;
      try {
        sidecar = JSON.parse(next.value) as SidecarRecord;
      } catch {
        throw EngineError.of('invalid-request', `${located.provenance} line ${sidecarLineNumber}: not JSON`, { file: located.provenance, line: sidecarLineNumber });
      }
      if (sidecar.key !== key) {
        throw EngineError.of(
          'invalid-request',
          `${located.provenance} line ${sidecarLineNumber}: describes ${String(sidecar.key)}, but the VCF's record ${id + 1} is ${key}; the sidecar belongs to another call set`,
          { file: located.provenance, line: sidecarLineNumber },
        );
      }
      // AD comes from the VCF when the sidecar line does not carry it.
      evidenceJson = Array.isArray(sidecar.alleleDepths) ? next.value : JSON.stringify({ ...sidecar, alleleDepths: fields.alleleDepths });
    }
    yield { summary: callSummaryOf(id, key, fields, sidecar), evidenceJson };
    id += 1;
  }
}

/**
 * Registers a run's outputs and imports its calls. For the engine's analyze job (the run
 * exists and is running; its status is the job's business) and for `importAnalysisFolder`.
 * `ownedDir`: the folder is the app's own (under the data folder) and is removed with the run.
 */
export async function importRunOutputs(
  reviews: ReviewStore,
  runId: string,
  located: LocatedOutputs,
  options: { dataDir: string; ownedDir: boolean },
): Promise<{ calls: number; outputs: RunOutputs }> {
  const run = await readSidecarRun(located.provenance);
  const referencePath = run.inputs?.reference?.path;
  if (!referencePath) throw EngineError.of('invalid-request', `${located.provenance}: the run line names no reference`, { file: located.provenance });
  const indexes = await referenceIndexes(referencePath, join(options.dataDir, 'review', runId));
  const outputs: RunOutputs = {
    outputDir: located.outputDir,
    sample: located.sample,
    referencePath,
    referenceIndexPath: indexes.fai,
    referenceGziPath: indexes.gzi,
    bam: located.bam,
    bamIndex: located.bamIndex,
    vcf: located.vcf,
    vcfIndex: located.vcfIndex,
    abstentionBed: located.abstentionBed,
    provenance: located.provenance,
  };
  const abstentions = parseAbstentionBed(await readFile(located.abstentionBed, 'utf8'), located.abstentionBed);
  const calls: StoredCall[] = [];
  for await (const call of callsFrom(located)) calls.push(call);
  const count = reviews.importCalls(runId, { outputs, provenance: provenanceOf(run), abstentions, ownedDir: options.ownedDir }, calls);
  return { calls: count, outputs };
}

/** `analysis.import`: a new run of kind 'analyze', done, with the folder's calls. */
export async function importAnalysisFolder(store: ProjectStore, reviews: ReviewStore, dir: string, dataDir: string): Promise<string> {
  const located = await locateAnalysisOutputs(dir);
  const run = await readSidecarRun(located.provenance);
  const inputs: RunInputRef[] = [];
  for (const path of [located.vcf, located.bam]) inputs.push({ path, name: basename(path), sizeBytes: (await stat(path)).size });
  const platform = run.platform === 'illumina' || run.platform === 'hifi' || run.platform === 'ont' ? run.platform : 'auto';
  const config: RunConfig = { platform, detectionReads: 0 };
  const summary = store.createRun('analyze', config, inputs);
  try {
    await importRunOutputs(reviews, summary.id, located, { dataDir, ownedDir: resolve(located.outputDir).startsWith(resolve(dataDir) + '/') });
    store.connection.prepare("UPDATE runs SET status = 'done', finished_at = ? WHERE id = ?").run(new Date().toISOString(), summary.id);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    store.endRun(summary.id, 'failed', err instanceof EngineError ? err.detail : { code: 'internal', message });
    throw err;
  }
  return summary.id;
}
