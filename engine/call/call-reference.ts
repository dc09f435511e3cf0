/**
 * The reference as the caller needs it, over engine/reference's `ReferenceGenome` (FASTA or
 * bgzip FASTA, .fai/.gzi written when missing, per-contig MD5 from the checksum cache): contig
 * names, lengths and MD5s (for validating BAM headers and for the VCF `##contig` lines) and
 * whole-contig sequences. A contig is fetched once per run and reused by every tile on it
 * (chr20 is 63 MB as a string, well within memory); the packed copy is released once the
 * string exists so a contig is held once.
 *
 * The narrow `CallReference` interface stays so that the caller's code and tests do not
 * depend on how the reference is stored; errors of the reference reader are turned into the
 * caller's `CallInputError`s, whose codes the CLI maps to exit statuses.
 */
import { existsSync } from 'node:fs';
import { openReference, type ReferenceGenome } from '../reference/reference-genome.js';
import { EngineError } from '../errors.js';
import { CallInputError } from './errors.js';

export interface ReferenceContig {
  name: string;
  length: number;
}

export interface CallReference {
  path: string;
  contigs: ReferenceContig[];
  /** Upper-case sequence of a contig; throws CallInputError for an unknown contig. */
  sequence(contig: string): Promise<string>;
  /** MD5 of the upper-case sequence, as SAM `@SQ M5` and VCF `##contig md5`. */
  md5(contig: string): Promise<string>;
}

/** Wraps an already opened reference genome (the analyze pipeline opens it once for aligner and caller). */
export function callReferenceOf(genome: ReferenceGenome, path: string = genome.path): CallReference {
  const contigs = genome.contigs.map((c) => ({ name: c.name, length: c.length }));
  // Only the most recent contig is kept as a string: tiles walk contigs in order.
  let cached: { name: string; sequence: string } | null = null;
  const requireContig = (contig: string): void => {
    if (!genome.has(contig)) throw new CallInputError('contig-mismatch', `contig '${contig}' is not in the reference ${path}`, path);
  };
  return {
    path,
    contigs,
    async sequence(contig) {
      if (cached?.name === contig) return cached.sequence;
      requireContig(contig);
      const length = genome.contig(contig).length;
      const sequence = await genome.fetch(contig, 0, length);
      genome.release(contig);
      cached = { name: contig, sequence };
      return sequence;
    },
    md5(contig) {
      requireContig(contig);
      return Promise.resolve(genome.contig(contig).md5);
    },
  };
}

export async function openCallReference(path: string): Promise<CallReference> {
  if (!existsSync(path)) throw new CallInputError('file-not-found', `reference ${path} not found`, path);
  let genome: ReferenceGenome;
  try {
    genome = await openReference(path);
  } catch (err) {
    if (err instanceof CallInputError) throw err;
    if (err instanceof EngineError) throw new CallInputError('not-fasta', `reference ${path}: ${err.message}`, path);
    throw err;
  }
  if (genome.contigs.length === 0) throw new CallInputError('not-fasta', `reference ${path} holds no FASTA sequence`, path);
  return callReferenceOf(genome, path);
}
