/**
 * Haplotype → reference coordinates through the chain file `bcftools consensus -c` writes.
 * SURVIVOR places structural variants on a haplotype sequence (which already carries the
 * small variants), so its coordinates are the haplotype's; the SV truth must be in the
 * reference's to be compared with callers' output.
 */
import { readFileSync } from 'node:fs';

interface Block {
  /** 0-based starts in the reference (target) and the haplotype (query). */
  target: number;
  query: number;
  size: number;
}

export interface Chain {
  targetName: string;
  /** Offset of the haplotype sequence in the chain's query coordinates (the span's 0-based start). */
  queryStart: number;
  blocks: Block[];
}

export function parseChain(text: string): Chain {
  const lines = text.split('\n').filter((l) => l.trim() !== '');
  const header = lines[0]?.split(/\s+/);
  if (!header || header[0] !== 'chain' || header.length < 12) throw new Error('not a chain file');
  let target = Number(header[5]);
  let query = Number(header[10]);
  const chain: Chain = { targetName: header[2]!, queryStart: query, blocks: [] };
  for (const line of lines.slice(1)) {
    const [size, dt, dq] = line.trim().split(/\s+/).map(Number);
    if (size === undefined || !Number.isFinite(size)) continue;
    chain.blocks.push({ target, query, size });
    target += size + (dt ?? 0);
    query += size + (dq ?? 0);
  }
  return chain;
}

export function readChain(path: string): Chain {
  return parseChain(readFileSync(path, 'utf8'));
}

/**
 * Maps a 0-based position on the haplotype sequence (as written to hapN.fa, starting at 0)
 * to the 0-based reference position. Positions inside sequence the haplotype inserted map to
 * the reference base before the insertion.
 */
export function haplotypeToReference(chain: Chain, hapPosition: number): number {
  const q = hapPosition + chain.queryStart;
  let lo = 0;
  let hi = chain.blocks.length - 1;
  let best = 0;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (chain.blocks[mid]!.query <= q) {
      best = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  const block = chain.blocks[best]!;
  const offset = q - block.query;
  return offset < block.size ? block.target + offset : block.target + block.size - 1;
}
