/**
 * Read depth at a position from a track: BED-like (chrom, 0-based start, end, depth), such as
 * mosdepth's `*.per-base.bed.gz`, or `samtools depth` output (chrom, 1-based position, depth).
 * Needed for recall by depth: a missed variant has no call, so no FORMAT/DP, and only the
 * alignments can say how deep it was.
 */
import { readLines } from './text-lines.js';

export interface DepthTrack {
  path: string;
  depthAt(chrom: string, position: number): number | null;
}

interface ContigDepth {
  starts: number[];
  ends: number[];
  depths: number[];
}

export async function readDepthTrack(path: string, wantedContigs?: Set<string>): Promise<DepthTrack> {
  const contigs = new Map<string, ContigDepth>();
  for await (const line of readLines(path)) {
    if (line === '' || line.startsWith('#')) continue;
    const f = line.split('\t');
    const chrom = f[0]!;
    if (wantedContigs && !wantedContigs.has(chrom)) continue;
    let c = contigs.get(chrom);
    if (!c) {
      c = { starts: [], ends: [], depths: [] };
      contigs.set(chrom, c);
    }
    if (f.length >= 4) {
      c.starts.push(Number(f[1]));
      c.ends.push(Number(f[2]));
      c.depths.push(Number(f[3]));
    } else {
      const position = Number(f[1]);
      c.starts.push(position - 1);
      c.ends.push(position);
      c.depths.push(Number(f[2]));
    }
  }
  return {
    path,
    depthAt(chrom, position) {
      const c = contigs.get(chrom);
      if (!c) return null;
      let lo = 0;
      let hi = c.starts.length - 1;
      while (lo <= hi) {
        const mid = (lo + hi) >> 1;
        if (position < c.starts[mid]!) hi = mid - 1;
        else if (position >= c.ends[mid]!) lo = mid + 1;
        else return c.depths[mid]!;
      }
      return null;
    },
  };
}
