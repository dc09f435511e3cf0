/**
 * The reference as the caller needs it: contig names, lengths and MD5s (for validating BAM
 * headers and for the VCF `##contig` lines) and whole-contig sequences (a contig is fetched
 * once per run and reused by every tile on it; chr20 is 63 MB, well within memory).
 *
 * This is a stop-gap reader kept small on purpose: engine/reference (FASTA + .fai + per-contig
 * MD5 cache + 2-bit fetch) is landing separately and should replace it behind the same
 * `CallReference` interface.
 */
import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { open, readFile, stat } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
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

interface FaiEntry extends ReferenceContig {
  offset: number;
  lineBases: number;
  lineWidth: number;
}

function parseFai(text: string): FaiEntry[] {
  const entries: FaiEntry[] = [];
  for (const line of text.split('\n')) {
    const f = line.split('\t');
    if (f.length < 5) continue;
    entries.push({ name: f[0]!, length: Number(f[1]), offset: Number(f[2]), lineBases: Number(f[3]), lineWidth: Number(f[4]) });
  }
  return entries;
}

function parseFasta(text: string): Map<string, string> {
  const contigs = new Map<string, string>();
  let name: string | null = null;
  let parts: string[] = [];
  const flush = (): void => {
    if (name !== null) contigs.set(name, parts.join('').toUpperCase());
  };
  for (const line of text.split('\n')) {
    if (line.startsWith('>')) {
      flush();
      name = line.slice(1).trim().split(/\s/)[0]!;
      parts = [];
    } else if (name !== null) {
      parts.push(line.trim());
    }
  }
  flush();
  return contigs;
}

export async function openCallReference(path: string): Promise<CallReference> {
  if (!existsSync(path)) throw new CallInputError('file-not-found', `reference ${path} not found`, path);
  const head = Buffer.alloc(2);
  const handle = await open(path, 'r');
  try {
    await handle.read(head, 0, 2, 0);
  } finally {
    await handle.close();
  }
  const gzipped = head[0] === 0x1f && head[1] === 0x8b;
  const sequences = new Map<string, string>();
  const md5s = new Map<string, string>();
  let contigs: ReferenceContig[];
  let fai: Map<string, FaiEntry> | null = null;
  if (!gzipped && existsSync(`${path}.fai`)) {
    const entries = parseFai(await readFile(`${path}.fai`, 'utf8'));
    fai = new Map(entries.map((e) => [e.name, e]));
    contigs = entries.map((e) => ({ name: e.name, length: e.length }));
  } else {
    // No index (or compressed): read it through once. Fine for the sizes the app handles
    // without an index; larger references come with a .fai from engine/reference.
    const raw = await readFile(path);
    const text = (gzipped ? gunzipSync(raw) : raw).toString('latin1');
    for (const [name, seq] of parseFasta(text)) sequences.set(name, seq);
    contigs = [...sequences].map(([name, seq]) => ({ name, length: seq.length }));
  }
  if (contigs.length === 0) throw new CallInputError('not-fasta', `reference ${path} holds no FASTA sequence`, path);
  const known = new Set(contigs.map((c) => c.name));
  const fileSize = (await stat(path)).size;

  async function sequence(contig: string): Promise<string> {
    const cached = sequences.get(contig);
    if (cached !== undefined) return cached;
    if (!known.has(contig) || !fai) throw new CallInputError('contig-mismatch', `contig '${contig}' is not in the reference ${path}`, path);
    const entry = fai.get(contig)!;
    const fullLines = Math.floor(entry.length / entry.lineBases);
    const bytes = Math.min(fullLines * entry.lineWidth + (entry.length % entry.lineBases), fileSize - entry.offset);
    const h = await open(path, 'r');
    try {
      const buffer = Buffer.alloc(bytes);
      await h.read(buffer, 0, bytes, entry.offset);
      const seq = buffer.toString('latin1').replace(/[\r\n]/g, '').toUpperCase();
      if (seq.length !== entry.length) {
        throw new CallInputError('not-fasta', `reference ${path}: contig ${contig} has ${seq.length} bases, its .fai says ${entry.length} (stale index?)`, path);
      }
      // Keep only the most recent contig: tiles walk contigs in order.
      sequences.clear();
      sequences.set(contig, seq);
      return seq;
    } finally {
      await h.close();
    }
  }

  return {
    path,
    contigs,
    sequence,
    async md5(contig) {
      const cached = md5s.get(contig);
      if (cached) return cached;
      const digest = createHash('md5').update(await sequence(contig), 'latin1').digest('hex');
      md5s.set(contig, digest);
      return digest;
    },
  };
}
