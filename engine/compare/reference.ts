/**
 * Reference sequence access for the comparator. Haplotypes are built from the reference, so
 * the comparator needs each contig it evaluates in memory (chr20 is 63 MB: fine). A plain
 * FASTA with a .fai is read contig by contig on demand; anything else (gzip, bgzip, no
 * index) is read through once, keeping every contig.
 */
import { existsSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { isGzipFile, readLines } from './text-lines.js';

export interface ReferenceGenome {
  path: string;
  /** Upper-case sequence of a contig, or null if absent. */
  contig(name: string): Promise<string | null>;
}

interface FaiEntry {
  length: number;
  offset: number;
  lineBases: number;
  lineWidth: number;
}

function parseFai(text: string): Map<string, FaiEntry> {
  const entries = new Map<string, FaiEntry>();
  for (const line of text.split('\n')) {
    const f = line.split('\t');
    if (f.length < 5) continue;
    entries.set(f[0]!, { length: Number(f[1]), offset: Number(f[2]), lineBases: Number(f[3]), lineWidth: Number(f[4]) });
  }
  return entries;
}

async function readWholeFasta(path: string): Promise<Map<string, string>> {
  const contigs = new Map<string, string>();
  let name: string | null = null;
  let chunks: string[] = [];
  const flush = (): void => {
    if (name !== null) contigs.set(name, chunks.join('').toUpperCase());
  };
  for await (const line of readLines(path)) {
    if (line.startsWith('>')) {
      flush();
      name = line.slice(1).split(/\s/)[0]!;
      chunks = [];
    } else if (name !== null) {
      chunks.push(line.trim());
    }
  }
  flush();
  return contigs;
}

export async function openReference(path: string): Promise<ReferenceGenome> {
  const faiPath = `${path}.fai`;
  if (!(await isGzipFile(path)) && existsSync(faiPath)) {
    const fai = parseFai(await readFile(faiPath, 'utf8'));
    const cache = new Map<string, string>();
    return {
      path,
      async contig(name) {
        const cached = cache.get(name);
        if (cached !== undefined) return cached;
        const entry = fai.get(name);
        if (!entry) return null;
        const fullLines = Math.floor(entry.length / entry.lineBases);
        const bytes = fullLines * entry.lineWidth + (entry.length % entry.lineBases);
        const handle = await open(path, 'r');
        try {
          const buffer = Buffer.alloc(bytes);
          await handle.read(buffer, 0, bytes, entry.offset);
          const sequence = buffer.toString('latin1').replace(/[\r\n]/g, '').toUpperCase();
          cache.set(name, sequence);
          return sequence;
        } finally {
          await handle.close();
        }
      },
    };
  }
  let loaded: Map<string, string> | null = null;
  return {
    path,
    async contig(name) {
      loaded ??= await readWholeFasta(path);
      return loaded.get(name) ?? null;
    },
  };
}

/** A reference held in memory (tests, and callers that already have the sequence). */
export function referenceFromSequences(contigs: Record<string, string>, path = '(memory)'): ReferenceGenome {
  return {
    path,
    contig: (name) => Promise.resolve(contigs[name]?.toUpperCase() ?? null),
  };
}
