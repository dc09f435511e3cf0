/**
 * Turns a read's alignments into BAM records: flags, strand-oriented SEQ/QUAL, and the tags
 * downstream tools read (NM, MD, AS, SA for split reads, tp, RG). Secondary records carry
 * no SEQ/QUAL, as minimap2's, since they would only repeat the primary's.
 */
import type { BamRecordInput, BamTag } from '../formats/bam-record.js';
import { BamFlag } from '../formats/bam-record.js';
import { cigarToString } from './cigar.js';
import type { ContigInfo } from './packed-reference.js';
import type { AlignmentHit } from './read-aligner.js';

export interface ReadInput {
  name: string;
  /** Bases as in the FASTQ (IUPAC letters). */
  sequence: string;
  /** Phred qualities (0-93), one per base. */
  quality: Uint8Array;
}

/** Mate information for paired reads (filled by ./pairing.ts). */
export interface MateFields {
  flag: number;
  nextRefId: number;
  nextPos: number;
  tlen: number;
  /** Mate's MAPQ and CIGAR, for the MQ and MC tags. */
  mateMapq?: number;
  mateCigar?: string;
}

const COMPLEMENT: Uint8Array = (() => {
  const table = new Uint8Array(256);
  for (let i = 0; i < 256; i++) table[i] = 78; // N
  const pairs = ['AT', 'CG', 'GC', 'TA', 'UA', 'RY', 'YR', 'KM', 'MK', 'SS', 'WW', 'BV', 'VB', 'DH', 'HD', 'NN'];
  for (const [from, to] of pairs) {
    table[from!.charCodeAt(0)] = to!.charCodeAt(0);
    table[from!.toLowerCase().charCodeAt(0)] = to!.charCodeAt(0);
  }
  return table;
})();

export function reverseComplementString(sequence: string): string {
  const out = Buffer.allocUnsafe(sequence.length);
  for (let i = 0; i < sequence.length; i++) out[sequence.length - 1 - i] = COMPLEMENT[sequence.charCodeAt(i) & 0xff]!;
  return out.toString('latin1');
}

function reversed(quality: Uint8Array): Uint8Array {
  const out = new Uint8Array(quality.length);
  for (let i = 0; i < quality.length; i++) out[i] = quality[quality.length - 1 - i]!;
  return out;
}

export function unmappedRecord(read: ReadInput, readGroup: string | undefined, mate?: MateFields): BamRecordInput {
  return {
    qname: read.name,
    flag: BamFlag.UNMAPPED | (mate?.flag ?? 0),
    refId: mate && mate.nextRefId >= 0 ? mate.nextRefId : -1,
    pos: mate && mate.nextRefId >= 0 ? mate.nextPos : -1,
    mapq: 0,
    cigar: '*',
    nextRefId: mate?.nextRefId ?? -1,
    nextPos: mate?.nextPos ?? -1,
    tlen: 0,
    seq: read.sequence.toUpperCase(),
    qual: read.quality,
    tags: readGroup ? [{ tag: 'RG', type: 'Z', value: readGroup }] : [],
  };
}

export function alignmentRecords(
  read: ReadInput,
  hits: readonly AlignmentHit[],
  contigs: readonly ContigInfo[],
  readGroup: string | undefined,
  mate?: MateFields,
): BamRecordInput[] {
  if (hits.length === 0) return [unmappedRecord(read, readGroup, mate)];
  const upper = read.sequence.toUpperCase();
  let reverseSequence: string | undefined;
  let reverseQuality: Uint8Array | undefined;
  const split = hits.filter((h) => h.kind !== 'secondary');
  const records: BamRecordInput[] = [];
  for (const hit of hits) {
    let flag = mate?.flag ?? 0;
    if (hit.reverse) flag |= BamFlag.REVERSE;
    if (hit.kind === 'secondary') flag |= BamFlag.SECONDARY;
    if (hit.kind === 'supplementary') flag |= BamFlag.SUPPLEMENTARY;
    const tags: BamTag[] = [
      { tag: 'NM', type: 'i', value: hit.nm },
      { tag: 'MD', type: 'Z', value: hit.md },
      { tag: 'AS', type: 'i', value: hit.score },
      { tag: 'tp', type: 'A', value: hit.kind === 'secondary' ? 'S' : 'P' },
    ];
    if (hit.kind !== 'secondary' && split.length > 1) {
      const others = split
        .filter((h) => h !== hit)
        .map((h) => `${contigs[h.contig]!.name},${h.pos + 1},${h.reverse ? '-' : '+'},${cigarToString(h.cigar)},${h.mapq},${h.nm};`)
        .join('');
      tags.push({ tag: 'SA', type: 'Z', value: others });
    }
    if (mate?.mateMapq !== undefined) tags.push({ tag: 'MQ', type: 'i', value: mate.mateMapq });
    if (mate?.mateCigar !== undefined) tags.push({ tag: 'MC', type: 'Z', value: mate.mateCigar });
    if (readGroup) tags.push({ tag: 'RG', type: 'Z', value: readGroup });
    let seq = '*';
    let qual: Uint8Array | '*' = '*';
    if (hit.kind !== 'secondary') {
      if (hit.reverse) {
        reverseSequence ??= reverseComplementString(upper);
        reverseQuality ??= reversed(read.quality);
        seq = reverseSequence;
        qual = reverseQuality;
      } else {
        seq = upper;
        qual = read.quality;
      }
    }
    records.push({
      qname: read.name,
      flag,
      refId: hit.contig,
      pos: hit.pos,
      mapq: hit.mapq,
      cigar: Uint32Array.from(hit.cigar),
      nextRefId: mate?.nextRefId ?? -1,
      nextPos: mate?.nextPos ?? -1,
      tlen: mate?.tlen ?? 0,
      seq,
      qual,
      tags,
    });
  }
  return records;
}
