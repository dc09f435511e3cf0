/**
 * BAM alignment records (SAMv1 §4.2): typed input, validation and binary encoding.
 *
 * The encoding is byte-for-byte what htslib produces for the same SAM line (tested against
 * `samtools view -b`): integer tags take the smallest type that holds the value, the bin
 * comes from reg2bin over the alignment's reference span, and alignments with more than
 * 65535 CIGAR operations store a placeholder CIGAR (`<qlen>S<rlen>N`) with the real one in
 * a `CG:B:I` tag, as the spec prescribes for long reads.
 */
import { reg2bin } from './binning.js';

/** SAM FLAG bits (SAMv1 §1.4). */
export const BamFlag = {
  PAIRED: 0x1,
  PROPER_PAIR: 0x2,
  UNMAPPED: 0x4,
  MATE_UNMAPPED: 0x8,
  REVERSE: 0x10,
  MATE_REVERSE: 0x20,
  READ1: 0x40,
  READ2: 0x80,
  SECONDARY: 0x100,
  QC_FAIL: 0x200,
  DUPLICATE: 0x400,
  SUPPLEMENTARY: 0x800,
} as const;

export type CigarOperation = 'M' | 'I' | 'D' | 'N' | 'S' | 'H' | 'P' | '=' | 'X';

export interface CigarOp {
  op: CigarOperation;
  length: number;
}

/** BAM op codes are positions in this string (SAMv1 §4.2). */
const CIGAR_OPERATIONS = 'MIDNSHP=X';
/** Ops that consume query bases: M I S = X. */
const CONSUMES_QUERY = [true, true, false, false, true, false, false, true, true] as const;
/** Ops that consume reference bases: M D N = X. */
const CONSUMES_REFERENCE = [true, false, true, true, false, false, false, true, true] as const;
const MAX_CIGAR_OP_LENGTH = 2 ** 28 - 1;

/** Integer element types of a `B` array tag. */
export type BamArraySubtype = 'c' | 'C' | 's' | 'S' | 'i' | 'I' | 'f';

/** One optional field, typed as in SAM: `i` integers are stored in the smallest BAM type that fits. */
export type BamTag =
  | { tag: string; type: 'A'; value: string }
  | { tag: string; type: 'i'; value: number }
  | { tag: string; type: 'f'; value: number }
  | { tag: string; type: 'Z'; value: string }
  | { tag: string; type: 'H'; value: string }
  | { tag: string; type: 'B'; subtype: BamArraySubtype; value: ArrayLike<number> };

export interface BamRecordInput {
  /** Read name; '*' when unknown. */
  qname: string;
  flag: number;
  /** Index into the header's references; -1 for none ('*'). */
  refId: number;
  /** 0-based leftmost reference position; -1 for none. */
  pos: number;
  mapq: number;
  /** CIGAR as ops, as SAM text ("10M2I5M"), or BAM-packed (length << 4 | op); empty or '*' for none. */
  cigar: readonly CigarOp[] | string | Uint32Array;
  /** Mate's reference index; -1 for none. */
  nextRefId: number;
  /** Mate's 0-based position; -1 for none. */
  nextPos: number;
  /** Observed template length (signed). */
  tlen: number;
  /** Bases (IUPAC letters or '='; case is not kept), or '*' / '' when not stored. */
  seq: string;
  /** Phred qualities (0-93), one per base, or '*' when absent. */
  qual: '*' | Uint8Array | readonly number[];
  tags?: readonly BamTag[];
}

/** A reference as the encoder needs it: for range checks and error messages. */
export interface BamReferenceBounds {
  name: string;
  length: number;
}

/** Raised for a record that cannot be written; the message names the record and the fault. */
export class BamRecordError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BamRecordError';
  }
}

// ---------------------------------------------------------------------------
// CIGAR

/** Parses SAM CIGAR text ('*' or empty → no ops). */
export function parseCigar(text: string): CigarOp[] {
  if (text === '*' || text === '') return [];
  const ops: CigarOp[] = [];
  const pattern = /(\d+)([MIDNSHP=X])/gy;
  let match: RegExpExecArray | null;
  let consumed = 0;
  while ((match = pattern.exec(text)) !== null) {
    ops.push({ op: match[2] as CigarOperation, length: Number(match[1]) });
    consumed = pattern.lastIndex;
  }
  if (consumed !== text.length) throw new BamRecordError(`Invalid CIGAR "${text}" (at character ${consumed + 1})`);
  return ops;
}

/** Formats CIGAR ops as SAM text ('*' when empty). */
export function formatCigar(cigar: readonly CigarOp[]): string {
  return cigar.length === 0 ? '*' : cigar.map((c) => `${c.length}${c.op}`).join('');
}

/** Packs a CIGAR into BAM's uint32 form (length << 4 | op), validating each op. */
export function packCigar(cigar: BamRecordInput['cigar']): Uint32Array {
  if (cigar instanceof Uint32Array) {
    for (const packed of cigar) {
      if ((packed & 0xf) > 8) throw new BamRecordError(`Invalid packed CIGAR op code ${packed & 0xf}`);
    }
    return cigar;
  }
  const ops = typeof cigar === 'string' ? parseCigar(cigar) : cigar;
  const packed = new Uint32Array(ops.length);
  for (let i = 0; i < ops.length; i++) {
    const { op, length } = ops[i]!;
    const code = CIGAR_OPERATIONS.indexOf(op);
    if (code < 0 || op.length !== 1) throw new BamRecordError(`Invalid CIGAR operation "${op}"`);
    if (!Number.isInteger(length) || length < 1 || length > MAX_CIGAR_OP_LENGTH) {
      throw new BamRecordError(`Invalid CIGAR length ${length} for operation ${op}`);
    }
    packed[i] = ((length << 4) | code) >>> 0;
  }
  return packed;
}

/** Query bases consumed by a packed CIGAR (M I S = X). */
export function cigarQueryLength(packed: Uint32Array): number {
  let n = 0;
  for (const c of packed) if (CONSUMES_QUERY[c & 0xf]) n += c >>> 4;
  return n;
}

/** Reference bases covered by a packed CIGAR (M D N = X). */
export function cigarReferenceLength(packed: Uint32Array): number {
  let n = 0;
  for (const c of packed) if (CONSUMES_REFERENCE[c & 0xf]) n += c >>> 4;
  return n;
}

// ---------------------------------------------------------------------------
// Sequence and names

/** BAM 4-bit base codes are positions in "=ACMGRSVTWYHKDBN"; 255 marks a letter SAM forbids. */
const BASE_CODES = (() => {
  const table = new Uint8Array(256).fill(255);
  const alphabet = '=ACMGRSVTWYHKDBN';
  for (let i = 0; i < alphabet.length; i++) {
    table[alphabet.charCodeAt(i)] = i;
    table[alphabet.toLowerCase().charCodeAt(i)] = i;
  }
  return table;
})();

/** QNAME: [!-?A-~]{1,254} (SAMv1 §1.4), i.e. printable without '@'. */
function validateQname(qname: string): void {
  if (qname.length < 1 || qname.length > 254) throw new BamRecordError(`Read name must be 1-254 characters, got ${qname.length}`);
  for (let i = 0; i < qname.length; i++) {
    const c = qname.charCodeAt(i);
    if (c < 0x21 || c > 0x7e || c === 0x40) {
      throw new BamRecordError(`Read name "${qname}" has a character SAM does not allow at position ${i + 1} (code ${c})`);
    }
  }
}

const TAG_NAME = /^[A-Za-z][A-Za-z0-9]$/;
const HEX_STRING = /^(?:[0-9A-F]{2})*$/;

function isPrintableWithSpace(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || c > 0x7e) return false;
  }
  return true;
}

// ---------------------------------------------------------------------------
// Tags

const INT32_MIN = -(2 ** 31);
const UINT32_MAX = 2 ** 32 - 1;

/** Which BAM integer type htslib picks for a SAM `i` value (smallest that fits, unsigned if >= 0). */
function integerTagType(value: number): { code: string; size: number } {
  if (value < 0) {
    if (value >= -128) return { code: 'c', size: 1 };
    if (value >= -32768) return { code: 's', size: 2 };
    return { code: 'i', size: 4 };
  }
  if (value <= 0xff) return { code: 'C', size: 1 };
  if (value <= 0xffff) return { code: 'S', size: 2 };
  return { code: 'I', size: 4 };
}

const ARRAY_ELEMENT_SIZE: Record<BamArraySubtype, number> = { c: 1, C: 1, s: 2, S: 2, i: 4, I: 4, f: 4 };
const ARRAY_ELEMENT_RANGE: Record<BamArraySubtype, [number, number]> = {
  c: [-128, 127],
  C: [0, 255],
  s: [-32768, 32767],
  S: [0, 65535],
  i: [INT32_MIN, 2 ** 31 - 1],
  I: [0, UINT32_MAX],
  f: [-Infinity, Infinity],
};

function tagEncodedSize(tag: BamTag): number {
  switch (tag.type) {
    case 'A':
      return 3 + 1;
    case 'i':
      return 3 + integerTagType(tag.value).size;
    case 'f':
      return 3 + 4;
    case 'Z':
    case 'H':
      return 3 + tag.value.length + 1;
    case 'B':
      return 3 + 1 + 4 + ARRAY_ELEMENT_SIZE[tag.subtype] * tag.value.length;
  }
}

function validateTag(tag: BamTag): void {
  if (!TAG_NAME.test(tag.tag)) throw new BamRecordError(`Invalid tag name "${tag.tag}" (two characters, [A-Za-z][A-Za-z0-9])`);
  switch (tag.type) {
    case 'A':
      if (tag.value.length !== 1 || tag.value.charCodeAt(0) < 0x21 || tag.value.charCodeAt(0) > 0x7e) {
        throw new BamRecordError(`Tag ${tag.tag}:A must be one printable character, got "${tag.value}"`);
      }
      return;
    case 'i':
      if (!Number.isInteger(tag.value) || tag.value < INT32_MIN || tag.value > UINT32_MAX) {
        throw new BamRecordError(`Tag ${tag.tag}:i value ${tag.value} is not an integer in [-2^31, 2^32)`);
      }
      return;
    case 'f':
      if (typeof tag.value !== 'number' || Number.isNaN(tag.value)) throw new BamRecordError(`Tag ${tag.tag}:f value is not a number`);
      return;
    case 'Z':
      if (!isPrintableWithSpace(tag.value)) throw new BamRecordError(`Tag ${tag.tag}:Z has a character outside printable ASCII`);
      return;
    case 'H':
      if (!HEX_STRING.test(tag.value)) throw new BamRecordError(`Tag ${tag.tag}:H must be an even number of uppercase hex digits`);
      return;
    case 'B': {
      const [min, max] = ARRAY_ELEMENT_RANGE[tag.subtype];
      if (min === undefined) throw new BamRecordError(`Tag ${tag.tag}:B has unknown element type "${String(tag.subtype)}"`);
      for (let i = 0; i < tag.value.length; i++) {
        const v = tag.value[i]!;
        if (tag.subtype === 'f' ? Number.isNaN(v) : !Number.isInteger(v) || v < min || v > max) {
          throw new BamRecordError(`Tag ${tag.tag}:B:${tag.subtype} element ${i} (${v}) is out of range`);
        }
      }
      return;
    }
    default:
      throw new BamRecordError(`Tag ${(tag as { tag: string }).tag} has unknown type "${String((tag as { type: unknown }).type)}"`);
  }
}

function writeTag(out: Buffer, p: number, tag: BamTag): number {
  out[p] = tag.tag.charCodeAt(0);
  out[p + 1] = tag.tag.charCodeAt(1);
  p += 2;
  switch (tag.type) {
    case 'A':
      out[p] = 0x41;
      out[p + 1] = tag.value.charCodeAt(0);
      return p + 2;
    case 'i': {
      const { code } = integerTagType(tag.value);
      out[p++] = code.charCodeAt(0);
      switch (code) {
        case 'c':
          return out.writeInt8(tag.value, p);
        case 'C':
          return out.writeUInt8(tag.value, p);
        case 's':
          return out.writeInt16LE(tag.value, p);
        case 'S':
          return out.writeUInt16LE(tag.value, p);
        case 'i':
          return out.writeInt32LE(tag.value, p);
        default:
          return out.writeUInt32LE(tag.value, p);
      }
    }
    case 'f':
      out[p] = 0x66;
      return out.writeFloatLE(tag.value, p + 1);
    case 'Z':
    case 'H':
      out[p] = tag.type.charCodeAt(0);
      p += 1 + out.write(tag.value, p + 1, 'latin1');
      out[p] = 0;
      return p + 1;
    case 'B': {
      out[p] = 0x42;
      out[p + 1] = tag.subtype.charCodeAt(0);
      p = out.writeInt32LE(tag.value.length, p + 2);
      return writeArrayElements(out, p, tag.subtype, tag.value);
    }
  }
}

function writeArrayElements(out: Buffer, p: number, subtype: BamArraySubtype, values: ArrayLike<number>): number {
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    switch (subtype) {
      case 'c':
        p = out.writeInt8(v, p);
        break;
      case 'C':
        p = out.writeUInt8(v, p);
        break;
      case 's':
        p = out.writeInt16LE(v, p);
        break;
      case 'S':
        p = out.writeUInt16LE(v, p);
        break;
      case 'i':
        p = out.writeInt32LE(v, p);
        break;
      case 'I':
        p = out.writeUInt32LE(v, p);
        break;
      case 'f':
        p = out.writeFloatLE(v, p);
        break;
    }
  }
  return p;
}

// ---------------------------------------------------------------------------
// Records

function describe(record: BamRecordInput): string {
  return `record "${record.qname}"`;
}

function checkInt32(value: number, what: string, record: BamRecordInput): void {
  if (!Number.isInteger(value) || value < INT32_MIN || value > 2 ** 31 - 1) {
    throw new BamRecordError(`${describe(record)}: ${what} ${value} is not a 32-bit integer`);
  }
}

/** Where an encoded record starts and ends on the reference, for sorting and indexing. */
export interface BamRecordPlacement {
  refId: number;
  pos: number;
  /** Exclusive end used for binning and indexing: pos + reference span, or pos + 1 when that is 0 / unmapped. */
  end: number;
  flag: number;
}

/**
 * Encodes one record, with its 4-byte block_size prefix, after validating it against the
 * references. Throws `BamRecordError` naming the record and the problem.
 */
export function encodeBamRecord(record: BamRecordInput, references: readonly BamReferenceBounds[]): Buffer {
  try {
    return encodeValidated(record, references);
  } catch (error) {
    if (error instanceof BamRecordError && !error.message.startsWith('record "')) {
      throw new BamRecordError(`${describe(record)}: ${error.message}`);
    }
    throw error;
  }
}

function encodeValidated(record: BamRecordInput, references: readonly BamReferenceBounds[]): Buffer {
  const { qname, flag, refId, pos, mapq, nextRefId, nextPos, tlen } = record;
  validateQname(qname);
  if (!Number.isInteger(flag) || flag < 0 || flag > 0xffff) throw new BamRecordError(`FLAG ${flag} is not in 0-65535`);
  if (!Number.isInteger(mapq) || mapq < 0 || mapq > 255) throw new BamRecordError(`MAPQ ${mapq} is not in 0-255`);
  checkInt32(tlen, 'TLEN', record);
  const unmapped = (flag & BamFlag.UNMAPPED) !== 0;

  checkPlacement(refId, pos, 'RNAME/POS', references);
  checkPlacement(nextRefId, nextPos, 'RNEXT/PNEXT', references);

  const cigar = packCigar(record.cigar);
  const seq = record.seq === '*' ? '' : record.seq;
  const seqLength = seq.length;
  let referenceSpan = 0;
  if (unmapped) {
    if (cigar.length > 0) throw new BamRecordError('is flagged unmapped (0x4) but has a CIGAR; unmapped reads take CIGAR "*"');
  } else {
    if (refId < 0 || pos < 0) throw new BamRecordError('is mapped but has no reference position (set flag 0x4 for unmapped reads)');
    if (cigar.length === 0) throw new BamRecordError('is mapped but has no CIGAR');
    referenceSpan = cigarReferenceLength(cigar);
    if (referenceSpan === 0) throw new BamRecordError('is mapped but its CIGAR consumes no reference bases');
    const queryLength = cigarQueryLength(cigar);
    if (seqLength > 0 && queryLength !== seqLength) {
      throw new BamRecordError(`CIGAR covers ${queryLength} query bases but SEQ has ${seqLength}`);
    }
    const reference = references[refId]!;
    if (pos + referenceSpan > reference.length) {
      throw new BamRecordError(
        `alignment ${reference.name}:${pos + 1}-${pos + referenceSpan} runs past the end of ${reference.name} (length ${reference.length})`,
      );
    }
  }

  const qual = record.qual;
  if (qual !== '*') {
    if (qual.length !== seqLength) throw new BamRecordError(`QUAL has ${qual.length} values but SEQ has ${seqLength} bases`);
  }
  const tags = record.tags ?? [];
  const longCigar = cigar.length > 0xffff;
  let tagBytes = 0;
  const seen = new Set<string>();
  for (const tag of tags) {
    validateTag(tag);
    if (seen.has(tag.tag)) throw new BamRecordError(`tag ${tag.tag} appears twice`);
    seen.add(tag.tag);
    tagBytes += tagEncodedSize(tag);
  }
  if (longCigar) {
    if (seen.has('CG')) throw new BamRecordError('has more than 65535 CIGAR operations and already a CG tag');
    tagBytes += 3 + 1 + 4 + 4 * cigar.length;
  }

  const storedCigarOps = longCigar ? 2 : cigar.length;
  const nameLength = qname.length + 1;
  const total = 36 + nameLength + 4 * storedCigarOps + ((seqLength + 1) >> 1) + seqLength + tagBytes;
  const out = Buffer.allocUnsafe(total);
  const bin = unmapped || referenceSpan === 0 ? reg2bin(pos, pos + 1) : reg2bin(pos, pos + referenceSpan);

  out.writeInt32LE(total - 4, 0);
  out.writeInt32LE(refId, 4);
  out.writeInt32LE(pos, 8);
  out[12] = nameLength;
  out[13] = mapq;
  out.writeUInt16LE(bin, 14);
  out.writeUInt16LE(storedCigarOps, 16);
  out.writeUInt16LE(flag, 18);
  out.writeInt32LE(seqLength, 20);
  out.writeInt32LE(nextRefId, 24);
  out.writeInt32LE(nextPos, 28);
  out.writeInt32LE(tlen, 32);
  let p = 36 + out.write(qname, 36, 'latin1');
  out[p++] = 0;
  if (longCigar) {
    // SAMv1 §4.2.2: placeholder kSmN, where k = query length and m = reference span.
    p = out.writeUInt32LE(((seqLength << 4) | 4) >>> 0, p);
    p = out.writeUInt32LE(((referenceSpan << 4) | 3) >>> 0, p);
  } else {
    for (let i = 0; i < cigar.length; i++) p = out.writeUInt32LE(cigar[i]!, p);
  }

  for (let i = 0; i < seqLength; i += 2) {
    const high = BASE_CODES[seq.charCodeAt(i)]!;
    const low = i + 1 < seqLength ? BASE_CODES[seq.charCodeAt(i + 1)]! : 0;
    if (high === 255 || low === 255) {
      const at = high === 255 ? i : i + 1;
      throw new BamRecordError(`SEQ has "${seq[at]}" at position ${at + 1}, which is not an IUPAC base or '='`);
    }
    out[p++] = (high << 4) | low;
  }
  if (qual === '*') {
    out.fill(0xff, p, p + seqLength);
  } else if (qual instanceof Uint8Array) {
    // Typed input is integral by construction: only the range needs checking.
    for (let i = 0; i < seqLength; i++) {
      if (qual[i]! > 93) throw new BamRecordError(`QUAL value ${qual[i]} at position ${i + 1} is not a Phred score 0-93`);
    }
    out.set(qual, p);
  } else {
    for (let i = 0; i < seqLength; i++) {
      const q = qual[i]!;
      if (!(q >= 0 && q <= 93) || !Number.isInteger(q)) throw new BamRecordError(`QUAL value ${q} at position ${i + 1} is not a Phred score 0-93`);
      out[p + i] = q;
    }
  }
  p += seqLength;
  for (const tag of tags) p = writeTag(out, p, tag);
  if (longCigar) {
    out[p] = 0x43; // 'C'
    out[p + 1] = 0x47; // 'G'
    out[p + 2] = 0x42; // 'B'
    out[p + 3] = 0x49; // 'I'
    p = out.writeInt32LE(cigar.length, p + 4);
    p = writeArrayElements(out, p, 'I', cigar);
  }
  if (p !== total) throw new Error(`Internal error: BAM record size ${p} != ${total}`);
  return out;

  function checkPlacement(ref: number, position: number, what: string, refs: readonly BamReferenceBounds[]): void {
    if (!Number.isInteger(ref) || ref < -1 || ref >= refs.length) {
      throw new BamRecordError(`${what}: reference index ${ref} is not -1 or one of the ${refs.length} header references`);
    }
    if (!Number.isInteger(position) || position < -1) throw new BamRecordError(`${what}: position ${position} is invalid`);
    if (ref === -1 && position !== -1) throw new BamRecordError(`${what}: position ${position + 1} given without a reference`);
    if (ref >= 0) {
      const reference = refs[ref]!;
      if (position < 0) throw new BamRecordError(`${what}: reference ${reference.name} given without a position`);
      if (position >= reference.length) {
        throw new BamRecordError(`${what}: position ${position + 1} is beyond the end of ${reference.name} (length ${reference.length})`);
      }
    }
  }
}

/**
 * Reads refId, pos, flag and the index end position of an encoded record at `offset`
 * (which points at its block_size). Works on records from any BAM, long CIGARs included:
 * the placeholder CIGAR has the same reference span as the real one.
 */
export function readBamRecordPlacement(data: Buffer, offset: number): BamRecordPlacement {
  const refId = data.readInt32LE(offset + 4);
  const pos = data.readInt32LE(offset + 8);
  const nameLength = data[offset + 12]!;
  const cigarOps = data.readUInt16LE(offset + 16);
  const flag = data.readUInt16LE(offset + 18);
  let span = 0;
  if ((flag & BamFlag.UNMAPPED) === 0) {
    let p = offset + 36 + nameLength;
    for (let i = 0; i < cigarOps; i++, p += 4) {
      const c = data.readUInt32LE(p);
      if (CONSUMES_REFERENCE[c & 0xf]) span += c >>> 4;
    }
  }
  // htslib bam_endpos: unmapped or zero-span records count as one base.
  return { refId, pos, end: pos + (span > 0 ? span : 1), flag };
}

/**
 * Places an unmapped read whose mate is mapped at the mate's position (SAMv1 §2.4: RNAME
 * and POS identical to the mate's), so it sorts and indexes next to the mate.
 */
export function placeUnmappedWithMate(read: BamRecordInput, mate: Pick<BamRecordInput, 'refId' | 'pos'>): BamRecordInput {
  return { ...read, refId: mate.refId, pos: mate.pos, cigar: [], mapq: read.mapq };
}
