/** Evaluation regions (BED: 0-based, half-open), merged per contig for binary search. */
import { readLines } from './text-lines.js';

export interface Interval {
  start: number;
  end: number;
}

export class RegionSet {
  private constructor(private readonly byContig: Map<string, Interval[]>) {}

  static fromIntervals(entries: { chrom: string; start: number; end: number }[]): RegionSet {
    const grouped = new Map<string, Interval[]>();
    for (const e of entries) {
      const list = grouped.get(e.chrom) ?? [];
      list.push({ start: e.start, end: e.end });
      grouped.set(e.chrom, list);
    }
    for (const [chrom, list] of grouped) {
      list.sort((a, b) => a.start - b.start);
      const merged: Interval[] = [];
      for (const iv of list) {
        const last = merged[merged.length - 1];
        if (last && iv.start <= last.end) last.end = Math.max(last.end, iv.end);
        else merged.push({ ...iv });
      }
      grouped.set(chrom, merged);
    }
    return new RegionSet(grouped);
  }

  static async fromBed(path: string): Promise<RegionSet> {
    const entries: { chrom: string; start: number; end: number }[] = [];
    let lineNumber = 0;
    for await (const line of readLines(path)) {
      lineNumber++;
      if (line === '' || line.startsWith('#') || line.startsWith('track') || line.startsWith('browser')) continue;
      const f = line.split('\t');
      const start = Number(f[1]);
      const end = Number(f[2]);
      if (f.length < 3 || !Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end < start) {
        throw new Error(`${path}:${lineNumber}: not a BED line (chrom, start, end)`);
      }
      entries.push({ chrom: f[0]!, start, end });
    }
    return RegionSet.fromIntervals(entries);
  }

  /** Whether the 0-based position lies in a region. */
  contains(chrom: string, position: number): boolean {
    const list = this.byContig.get(chrom);
    if (!list) return false;
    let lo = 0;
    let hi = list.length - 1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      const iv = list[mid]!;
      if (position < iv.start) hi = mid - 1;
      else if (position >= iv.end) lo = mid + 1;
      else return true;
    }
    return false;
  }

  totalBases(): number {
    let total = 0;
    for (const list of this.byContig.values()) for (const iv of list) total += iv.end - iv.start;
    return total;
  }
}
