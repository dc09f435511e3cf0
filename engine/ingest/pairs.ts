/**
 * Paired-end files: finding the two mates among the inputs by their names, and checking that
 * the mates name the same read, record by record.
 */
import { basename, dirname } from 'node:path';
import type { FastqBatch } from './fastq-reader.js';

export interface MateFiles {
  r1: string;
  r2: string;
}

/**
 * A mate marker in a file name: `_R1`/`_R2` (with or without Illumina's `_001` after it),
 * `_1`/`_2` (SRA), `.1.`/`.2.` and `.R1.`; the marker must be followed by `.` or `_` so that
 * `sample_12.fq` or `run_2024.fq` are not taken for mates. A `-1`/`-2` is deliberately not a
 * marker: `patient-1.fq` and `patient-2.fq` are usually two samples.
 */
const MATE_MARKER = /[._](R?)([12])(?=[._])/gi;

interface MarkerSite {
  /** File name with the mate digit replaced, plus its folder: equal keys mean mates. */
  key: string;
  mate: 1 | 2;
}

function markerSites(path: string): MarkerSite[] {
  const name = basename(path);
  const sites: MarkerSite[] = [];
  for (const match of name.matchAll(MATE_MARKER)) {
    const digitAt = match.index + 1 + match[1]!.length;
    sites.push({
      key: `${dirname(path)}\u0000${name.slice(0, digitAt)}#${name.slice(digitAt + 1)}`,
      mate: match[2] === '1' ? 1 : 2,
    });
  }
  // The last marker is the likeliest mate marker (`S1_L001_R1_001`): try it first.
  return sites.reverse();
}

/**
 * Pairs the given paths by name convention. Each file joins at most one pair; files without a
 * mate among the inputs are returned as unpaired, in input order.
 */
export function findMateFiles(paths: readonly string[]): { pairs: MateFiles[]; unpaired: string[] } {
  const firstMates = new Map<string, string>();
  const secondMates = new Map<string, string>();
  const sitesByPath = new Map<string, MarkerSite[]>();
  for (const path of paths) {
    const sites = markerSites(path);
    sitesByPath.set(path, sites);
    for (const site of sites) {
      const table = site.mate === 1 ? firstMates : secondMates;
      if (!table.has(site.key)) table.set(site.key, path);
    }
  }
  const paired = new Set<string>();
  const pairs: MateFiles[] = [];
  for (const path of paths) {
    if (paired.has(path)) continue;
    for (const site of sitesByPath.get(path) ?? []) {
      if (site.mate !== 1) continue;
      const mate = secondMates.get(site.key);
      if (mate !== undefined && mate !== path && !paired.has(mate) && firstMates.get(site.key) === path) {
        pairs.push({ r1: path, r2: mate });
        paired.add(path);
        paired.add(mate);
        break;
      }
    }
  }
  return { pairs, unpaired: paths.filter((p) => !paired.has(p)) };
}

/** Byte range of a record's read id without a trailing `/1` or `/2`. */
function mateIdRange(batch: FastqBatch, i: number): [start: number, end: number] {
  const start = batch.headerStart[i]! + 1;
  let end = batch.readIdEnd(i);
  const data = batch.data;
  if (end - start >= 2 && data[end - 2] === 47 /* '/' */ && (data[end - 1] === 49 || data[end - 1] === 50)) end -= 2;
  return [start, end];
}

/**
 * The name both mates must share: the read id up to the first whitespace (dropping Illumina's
 * ` 1:N:0:…` comment) without a `/1` or `/2` suffix.
 */
export function mateReadName(batch: FastqBatch, i: number): string {
  const [start, end] = mateIdRange(batch, i);
  return batch.data.toString('latin1', start, end);
}

/** Whether record i of one mate and record j of the other name the same read (no strings made). */
export function mateNamesMatch(first: FastqBatch, i: number, second: FastqBatch, j: number): boolean {
  const [aStart, aEnd] = mateIdRange(first, i);
  const [bStart, bEnd] = mateIdRange(second, j);
  if (aEnd - aStart !== bEnd - bStart) return false;
  return first.data.compare(second.data, bStart, bEnd, aStart, aEnd) === 0;
}
