/**
 * How `analyze` gets from FASTQ to a sorted, indexed BAM.
 *
 * The built-in aligner (engine/align, issue 4) is used when it exports `alignReads`
 * (signature `AlignReads` below). Until it lands, and only where the user has them on PATH,
 * the peer tools minimap2 + samtools stand in, and the run says so: the caller accepts any
 * coordinate-sorted indexed BAM, so this changes nothing downstream.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Platform } from './types.js';
import { findPackageRoot } from '../version.js';
import { EngineError } from '../errors.js';

export interface AlignRequest {
  referencePath: string;
  /** FASTQ files: one (single-end / long reads) or two (R1, R2). */
  reads: string[];
  platform: Platform;
  /** Coordinate-sorted BAM to write; its .bai is written beside it. */
  outputBam: string;
  sample: string;
  signal?: AbortSignal;
  onProgress?: (line: string) => void;
}

export type AlignReads = (request: AlignRequest) => Promise<void>;

export interface ResolvedAligner {
  /** e.g. "genomaic-align" or "minimap2 2.24 + samtools 1.16 (peer fallback)". */
  name: string;
  align: AlignReads;
}

function onPath(tool: string): boolean {
  const dirs = (process.env.PATH ?? '').split(':');
  return dirs.some((d) => d && existsSync(join(d, tool)));
}

function run(command: string, args: string[], signal: AbortSignal | undefined, stdoutTo?: NodeJS.WritableStream): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(command, args, { stdio: ['ignore', stdoutTo ? 'pipe' : 'ignore', 'pipe'], signal });
    let stderr = '';
    child.stderr?.on('data', (d: Buffer) => {
      stderr = (stderr + d.toString()).slice(-4000);
    });
    if (stdoutTo && child.stdout) child.stdout.pipe(stdoutTo);
    child.on('error', (err) => reject(err.name === 'AbortError' ? EngineError.of('cancelled', 'alignment cancelled') : err));
    child.on('close', (code) => (code === 0 ? resolvePromise() : reject(EngineError.of('internal', `${command} failed (exit ${code}): ${stderr.trim().split('\n').slice(-3).join(' | ')}`))));
  });
}

const MINIMAP2_PRESET: Record<Platform, string> = { illumina: 'sr', hifi: 'map-hifi', ont: 'map-ont' };
const RG_PLATFORM: Record<Platform, string> = { illumina: 'ILLUMINA', hifi: 'PACBIO', ont: 'ONT' };

const peerAligner: AlignReads = async (req) => {
  const sam = `${req.outputBam}.unsorted.sam`;
  const { createWriteStream } = await import('node:fs');
  const { unlink } = await import('node:fs/promises');
  const out = createWriteStream(sam);
  try {
    req.onProgress?.(`align: minimap2 -ax ${MINIMAP2_PRESET[req.platform]} (peer fallback)`);
    await run('minimap2', ['-ax', MINIMAP2_PRESET[req.platform], '-t', '2', '-R', `@RG\\tID:${req.sample}\\tSM:${req.sample}\\tPL:${RG_PLATFORM[req.platform]}`, req.referencePath, ...req.reads], req.signal, out);
    await new Promise<void>((r) => out.end(r));
    req.onProgress?.('align: samtools sort + index');
    await run('samtools', ['sort', '-o', req.outputBam, sam], req.signal);
    await run('samtools', ['index', req.outputBam], req.signal);
  } finally {
    out.destroy();
    await unlink(sam).catch(() => undefined);
  }
};

/** The built-in aligner when present, else minimap2 + samtools when on PATH. */
export async function resolveAligner(): Promise<ResolvedAligner> {
  const root = findPackageRoot();
  for (const candidate of ['engine/align/align.ts', 'engine/align/align.js', 'dist/engine/align/align.js']) {
    const path = join(root, candidate);
    if (!existsSync(path)) continue;
    const mod = (await import(pathToFileURL(path).href)) as { alignReads?: AlignReads };
    if (typeof mod.alignReads === 'function') return { name: 'genomaic-align', align: mod.alignReads };
  }
  if (onPath('minimap2') && onPath('samtools')) return { name: 'minimap2 + samtools (peer fallback: the built-in aligner is not available yet)', align: peerAligner };
  throw EngineError.of('unsupported', 'no aligner available: the built-in aligner is not in this build and minimap2/samtools are not on PATH; align the reads yourself and run genomaic call on the BAM');
}
