/**
 * Opens the caller's BAM with @gmod/bam and checks it against the reference before any
 * calling starts: an index must exist, the header must declare coordinate order, and every
 * contig the BAM shares with the reference must have the same length (and MD5 when the BAM
 * records one). A BAM made against another reference is refused rather than silently
 * producing nonsense or an empty VCF.
 */
import { existsSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { BamFile } from '@gmod/bam';
import type { AlignedRead } from './types.js';
import type { CallReference } from './call-reference.js';
import { CallInputError } from './errors.js';

export interface BamContig {
  name: string;
  length: number;
  md5: string | null;
}

export interface BamInput {
  path: string;
  contigs: BamContig[];
  /** @RG SM of the first read group, if any. */
  sample: string | null;
  /** @RG PL of the first read group, if any (ILLUMINA, PACBIO, ONT, …). */
  platformTag: string | null;
  /** Reads overlapping [start, end) (0-based, half-open), in position order. */
  fetch(contig: string, start: number, end: number): Promise<AlignedRead[]>;
}

export interface BamReadFilter {
  /**
   * Leave out reads of pairs the aligner could not pair properly (flag 0x1 without 0x2):
   * `bcftools mpileup`'s default (its -A keeps them). Where a read's mate is placed uniquely
   * and the read itself fits a paralogue better by a couple of bases than its true copy,
   * neither bwa nor our aligner pairs them, and the read's alleles show at the paralogue.
   */
  skipAnomalousPairs: boolean;
}

const FLAG_PAIRED = 0x1;
const FLAG_PROPER_PAIR = 0x2;
const FLAG_UNMAPPED = 0x4;
const FLAG_SECONDARY = 0x100;
const FLAG_QCFAIL = 0x200;
const FLAG_DUPLICATE = 0x400;

function findIndex(path: string): { kind: 'bai' | 'csi'; path: string } | null {
  const stem = path.replace(/\.bam$/i, '');
  for (const candidate of [`${path}.bai`, `${stem}.bai`]) if (existsSync(candidate)) return { kind: 'bai', path: candidate };
  if (existsSync(`${path}.csi`)) return { kind: 'csi', path: `${path}.csi` };
  return null;
}

async function checkMagic(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(4);
    const { bytesRead } = await handle.read(head, 0, 4, 0);
    if (bytesRead < 4 || head[0] !== 0x1f || head[1] !== 0x8b) {
      throw new CallInputError('not-bam', `${path} is not a BAM file (no BGZF header)`, path);
    }
  } finally {
    await handle.close();
  }
}

export async function openBamInput(path: string, reference: CallReference, filter: BamReadFilter = { skipAnomalousPairs: false }): Promise<BamInput> {
  if (!existsSync(path)) throw new CallInputError('file-not-found', `BAM ${path} not found`, path);
  await checkMagic(path);
  const index = findIndex(path);
  if (!index) {
    throw new CallInputError('bam-not-indexed', `${path} has no index (.bai or .csi); sort and index it first: samtools sort -o sorted.bam ${path} && samtools index sorted.bam`, path);
  }
  const bam = index.kind === 'bai' ? new BamFile({ bamPath: path, baiPath: index.path }) : new BamFile({ bamPath: path, csiPath: index.path });
  let header;
  try {
    header = (await bam.getHeader()) ?? [];
  } catch (err) {
    throw new CallInputError('not-bam', `${path}: unreadable BAM header (${(err as Error).message})`, path);
  }
  const hd = header.find((h) => h.tag === 'HD');
  const sortOrder = hd?.data.find((d) => d.tag === 'SO')?.value ?? null;
  if (sortOrder !== null && sortOrder !== 'coordinate') {
    throw new CallInputError('bam-unsorted', `${path} is not coordinate-sorted (@HD SO:${sortOrder}); run samtools sort and samtools index`, path);
  }
  const contigs: BamContig[] = header
    .filter((h) => h.tag === 'SQ')
    .map((h) => ({
      name: h.data.find((d) => d.tag === 'SN')?.value ?? '',
      length: Number(h.data.find((d) => d.tag === 'LN')?.value ?? NaN),
      md5: h.data.find((d) => d.tag === 'M5')?.value?.toLowerCase() ?? null,
    }));
  const readGroup = header.find((h) => h.tag === 'RG');
  const refByName = new Map(reference.contigs.map((c) => [c.name, c]));
  const shared = contigs.filter((c) => refByName.has(c.name));
  if (contigs.length > 0 && shared.length === 0) {
    const bamNames = contigs.slice(0, 3).map((c) => c.name).join(', ');
    const refNames = reference.contigs.slice(0, 3).map((c) => c.name).join(', ');
    throw new CallInputError(
      'contig-mismatch',
      `${path}: none of the BAM's contigs (${bamNames}${contigs.length > 3 ? ', …' : ''}) is in the reference ${reference.path} (${refNames}${reference.contigs.length > 3 ? ', …' : ''}); was it aligned to another reference or naming (chr20 vs 20)?`,
      path,
    );
  }
  for (const c of shared) {
    const ref = refByName.get(c.name)!;
    if (ref.length !== c.length) {
      throw new CallInputError(
        'reference-mismatch',
        `${path}: contig ${c.name} is ${c.length} bp in the BAM but ${ref.length} bp in ${reference.path}: the BAM was aligned to another reference`,
        path,
      );
    }
    if (c.md5) {
      const md5 = await reference.md5(c.name);
      if (md5 !== c.md5) {
        throw new CallInputError('reference-mismatch', `${path}: contig ${c.name} has MD5 ${c.md5} in the BAM but ${md5} in ${reference.path}: the BAM was aligned to another reference`, path);
      }
    }
  }

  return {
    path,
    contigs,
    sample: readGroup?.data.find((d) => d.tag === 'SM')?.value ?? null,
    platformTag: readGroup?.data.find((d) => d.tag === 'PL')?.value ?? null,
    async fetch(contig, start, end) {
      // @gmod/bam returns records chunk by chunk of the index's bins: with long reads, a chunk of
      // a larger bin can follow one of a smaller bin, so the order is not positional even in a
      // sorted BAM. Order them here; an unsorted BAM is refused from its header above.
      const records = [...(await bam.getRecordsForRange(contig, start, end))].sort((a, b) => a.start - b.start);
      const reads: AlignedRead[] = [];
      for (const r of records) {
        const flags = r.flags;
        if (flags & (FLAG_UNMAPPED | FLAG_SECONDARY | FLAG_QCFAIL | FLAG_DUPLICATE)) continue;
        if (filter.skipAnomalousPairs && flags & FLAG_PAIRED && !(flags & FLAG_PROPER_PAIR)) continue;
        if (r.end <= start || r.start >= end) continue;
        const seq = r.seq;
        if (!seq || seq === '*') continue;
        const qual = r.qual;
        const bases = Buffer.from(seq.toUpperCase(), 'latin1');
        reads.push({
          name: r.name,
          start: r.start,
          end: r.end,
          mapq: r.mq ?? 0,
          reverse: (flags & 0x10) !== 0,
          bases,
          quals: qual && qual.length === bases.length ? qual : new Uint8Array(bases.length).fill(255),
          cigar: r.NUMERIC_CIGAR,
        });
      }
      return reads;
    },
  };
}
