/**
 * Shared test helpers for the format layer: running the Debian tools we validate against,
 * temp directories, a seeded generator of realistic BAM records, and an independent SAM
 * formatter (what `samtools view` should print for a record we wrote).
 *
 * The SAM formatter deliberately shares no code with the encoder: it works from the typed
 * input, so a test comparing its output with samtools' decoding of our binary checks the
 * encoder against htslib, not against itself.
 */
import { execFile } from 'node:child_process';
import { access, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import type { BamReference } from '../../../engine/formats/bam-header.js';
import { BamFlag, type BamRecordInput, type BamTag, type CigarOp } from '../../../engine/formats/bam-record.js';
export { seededRandom } from '../../../engine/util/seeded-random.js';
import { seededRandom } from '../../../engine/util/seeded-random.js';

const execFileAsync = promisify(execFile);

/** Debian package that provides each tool, for the error message when it is missing. */
const TOOL_PACKAGES: Record<string, string> = {
  samtools: 'samtools',
  bcftools: 'bcftools',
  tabix: 'tabix',
  bgzip: 'tabix',
  gzip: 'gzip',
};

/**
 * Runs a tool and returns stdout. A missing tool fails the test with the package to install
 * (CI installs them; skipping would hide a broken validator).
 */
export async function runTool(tool: string, args: string[], options: { cwd?: string; input?: string } = {}): Promise<string> {
  try {
    const { stdout } = await execFileAsync(tool, args, { maxBuffer: 1 << 30, encoding: 'utf8', ...(options.cwd ? { cwd: options.cwd } : {}) });
    return stdout;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new Error(`${tool} is not installed: install the Debian package "${TOOL_PACKAGES[tool] ?? tool}" (apt-get install ${TOOL_PACKAGES[tool] ?? tool})`);
    }
    const stderr = (error as { stderr?: string }).stderr ?? '';
    throw new Error(`${tool} ${args.join(' ')} failed: ${stderr || String(error)}`);
  }
}

/** Runs a tool that is expected to fail; returns its stderr (throws if it succeeded). */
export async function runToolExpectingFailure(tool: string, args: string[]): Promise<string> {
  try {
    await execFileAsync(tool, args, { maxBuffer: 1 << 26, encoding: 'utf8' });
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') throw new Error(`${tool} is not installed (Debian package "${TOOL_PACKAGES[tool] ?? tool}")`);
    return (error as { stderr?: string }).stderr ?? '';
  }
  throw new Error(`${tool} ${args.join(' ')} succeeded but was expected to fail`);
}

/** Fails with the Debian package to install when a data file shipped by a package is missing. */
export async function requirePackageFile(path: string, debianPackage: string): Promise<void> {
  try {
    await access(path);
  } catch {
    throw new Error(`${path} is missing: install the Debian package "${debianPackage}" (apt-get install ${debianPackage}), which ships it`);
  }
}

export async function makeTempDir(prefix: string): Promise<{ path: string; remove: () => Promise<void> }> {
  const path = await mkdtemp(join(tmpdir(), `genomaic-${prefix}-`));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

export const TEST_REFERENCES: BamReference[] = [
  { name: 'chr1', length: 2_000_000, md5: '0123456789abcdef0123456789abcdef' },
  { name: 'chr2', length: 1_200_000 },
  { name: 'chrM', length: 16_569 },
  // Odd but legal SAM names: '*' and ':' inside, as in HLA allele contigs.
  { name: 'HLA-A*01:01:01:01', length: 3_503 },
  { name: 'chrUn_KI270742v1', length: 186_739 },
];

function randomBases(random: () => number, n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += 'ACGT'[Math.floor(random() * 4)];
  return s;
}

function randomQualities(random: () => number, n: number): number[] {
  return Array.from({ length: n }, () => Math.floor(random() * 42));
}

function queryLength(cigar: readonly CigarOp[]): number {
  return cigar.filter((c) => 'MIS=X'.includes(c.op)).reduce((n, c) => n + c.length, 0);
}

export function referenceSpan(cigar: readonly CigarOp[]): number {
  return cigar.filter((c) => 'MDN=X'.includes(c.op)).reduce((n, c) => n + c.length, 0);
}

function randomCigar(random: () => number, kind: number): CigarOp[] {
  if (kind < 0.6) return [{ op: 'M', length: 150 }];
  if (kind < 0.7) return [{ op: 'S', length: 10 }, { op: 'M', length: 60 }, { op: 'I', length: 3 }, { op: 'M', length: 77 }];
  if (kind < 0.8) return [{ op: 'M', length: 70 }, { op: 'D', length: 1 + Math.floor(random() * 30) }, { op: 'M', length: 80 }, { op: 'H', length: 20 }];
  if (kind < 0.85) return [{ op: 'M', length: 50 }, { op: 'N', length: 20_000 + Math.floor(random() * 200_000) }, { op: 'M', length: 100 }];
  if (kind < 0.9) return [{ op: '=', length: 40 }, { op: 'X', length: 1 }, { op: '=', length: 60 }, { op: 'P', length: 2 }, { op: 'I', length: 2 }, { op: '=', length: 47 }];
  // A long read: ~8 kbp with many small indels.
  const ops: CigarOp[] = [];
  for (let i = 0; i < 400; i++) ops.push({ op: 'M', length: 18 + Math.floor(random() * 5) }, { op: random() < 0.5 ? 'I' : 'D', length: 1 + Math.floor(random() * 3) });
  ops.push({ op: 'M', length: 20 });
  return ops;
}

function randomTags(random: () => number, index: number): BamTag[] {
  const tags: BamTag[] = [
    { tag: 'NM', type: 'i', value: Math.floor(random() * 10) },
    { tag: 'AS', type: 'i', value: Math.floor(random() * 300) },
    { tag: 'RG', type: 'Z', value: index % 3 === 0 ? 'rg2' : 'rg1' },
  ];
  if (index % 5 === 0) tags.push({ tag: 'MD', type: 'Z', value: '60A12^AC77' });
  if (index % 7 === 0) tags.push({ tag: 'XS', type: 'i', value: -Math.floor(random() * 100000) - 1 }); // negative: c/s/i
  if (index % 11 === 0) tags.push({ tag: 'ZI', type: 'i', value: 70000 + Math.floor(random() * 4e9) }); // > 65535: I
  if (index % 13 === 0) tags.push({ tag: 'ZS', type: 'i', value: 300 + Math.floor(random() * 60000) }); // S
  if (index % 17 === 0) tags.push({ tag: 'ZN', type: 'i', value: -200 }); // s
  if (index % 19 === 0) tags.push({ tag: 'ZM', type: 'i', value: -2147483648 }); // i, the minimum
  if (index % 4 === 1) tags.push({ tag: 'ZA', type: 'A', value: 'P' });
  if (index % 9 === 0) tags.push({ tag: 'ZF', type: 'f', value: [0.5, -2.25, 3, 1024.75][index % 4]! });
  if (index % 23 === 0) tags.push({ tag: 'ZH', type: 'H', value: '1AE301' });
  if (index % 29 === 0) tags.push({ tag: 'ZB', type: 'B', subtype: 'c', value: [-5, 0, 127] });
  if (index % 31 === 0) tags.push({ tag: 'ZC', type: 'B', subtype: 'S', value: [0, 65535] });
  if (index % 37 === 0) tags.push({ tag: 'ZD', type: 'B', subtype: 'i', value: [-2147483648, 2147483647] });
  if (index % 41 === 0) tags.push({ tag: 'ZE', type: 'B', subtype: 'f', value: [0.25, -1.5] });
  if (index % 43 === 0) tags.push({ tag: 'ZG', type: 'B', subtype: 'I', value: [4294967295] });
  if (index % 47 === 0) tags.push({ tag: 'ZJ', type: 'B', subtype: 'C', value: [] });
  if (index % 53 === 0) tags.push({ tag: 'ZK', type: 'B', subtype: 's', value: [-32768, 32767] });
  if (index % 59 === 0) tags.push({ tag: 'SA', type: 'Z', value: 'chr2,1000,+,50M100S,60,0;' });
  if (index % 61 === 0) tags.push({ tag: 'CO', type: 'Z', value: 'a comment with spaces; and symbols !@#$%^&*()' });
  return tags;
}

export interface GeneratedRecords {
  /** In coordinate order (as a sorted writer must receive them). */
  sorted: BamRecordInput[];
}

/**
 * Coordinate-sorted records over TEST_REFERENCES: single and paired reads, both strands,
 * secondary/supplementary/duplicate/QC-fail flags, unmapped reads placed at their mate,
 * unplaced unmapped reads at the end, long reads, spliced reads spanning many bins, empty
 * 16 kbp windows, and (when `withLongCigar`) one read with more than 65535 CIGAR operations.
 */
export function generateSortedRecords(seed: number, count: number, options: { withLongCigar?: boolean } = {}): BamRecordInput[] {
  const random = seededRandom(seed);
  const records: BamRecordInput[] = [];
  const perReference = [0.55, 0.3, 0.06, 0.03, 0.04];
  let index = 0;
  TEST_REFERENCES.forEach((reference, refId) => {
    const n = Math.floor(count * perReference[refId]!);
    const average = Math.max(1, Math.floor((reference.length - 250_000) / Math.max(1, n)));
    let pos = 0;
    for (let i = 0; i < n; i++) {
      pos += Math.floor(random() * average * 2);
      // Occasional gaps leave 16 kbp linear-index windows empty.
      if (random() < 0.002) pos += 40_000;
      const kind = random();
      let cigar = randomCigar(random, kind);
      if (pos + referenceSpan(cigar) >= reference.length) {
        if (refId >= 2) cigar = [{ op: 'M', length: 50 }];
        if (pos + referenceSpan(cigar) >= reference.length) break;
      }
      const length = queryLength(cigar);
      const flagRoll = random();
      let flag = random() < 0.5 ? BamFlag.REVERSE : 0;
      if (flagRoll < 0.02) flag |= BamFlag.SECONDARY;
      else if (flagRoll < 0.04) flag |= BamFlag.SUPPLEMENTARY;
      else if (flagRoll < 0.06) flag |= BamFlag.DUPLICATE;
      else if (flagRoll < 0.07) flag |= BamFlag.QC_FAIL;
      const paired = random() < 0.5;
      const record: BamRecordInput = {
        qname: `read${index}:${refId}/${i}`,
        flag,
        refId,
        pos,
        mapq: Math.floor(random() * 61),
        cigar,
        nextRefId: -1,
        nextPos: -1,
        tlen: 0,
        seq: random() < 0.03 ? '*' : randomBases(random, length),
        qual: '*',
        tags: randomTags(random, index),
      };
      if (record.seq !== '*' && random() < 0.9) record.qual = randomQualities(random, length);
      if (paired) {
        record.flag |= BamFlag.PAIRED | BamFlag.READ1 | (random() < 0.8 ? BamFlag.PROPER_PAIR : 0);
        const mateUnmapped = random() < 0.1;
        if (mateUnmapped) {
          record.flag |= BamFlag.MATE_UNMAPPED;
          record.nextRefId = refId;
          record.nextPos = pos;
          records.push(record);
          // The unmapped mate, placed at this read's position (SAMv1 §2.4).
          records.push({
            qname: record.qname,
            flag: BamFlag.PAIRED | BamFlag.READ2 | BamFlag.UNMAPPED | (record.flag & BamFlag.REVERSE ? BamFlag.MATE_REVERSE : 0),
            refId,
            pos,
            mapq: 0,
            cigar: [],
            nextRefId: refId,
            nextPos: pos,
            tlen: 0,
            seq: randomBases(random, 100),
            qual: randomQualities(random, 100),
            tags: [{ tag: 'RG', type: 'Z', value: 'rg1' }],
          });
        } else {
          const matePos = Math.min(reference.length - 200, pos + Math.floor(random() * 500));
          record.nextRefId = random() < 0.05 ? (refId + 1) % TEST_REFERENCES.length : refId;
          record.nextPos = record.nextRefId === refId ? matePos : 100;
          record.tlen = record.nextRefId === refId ? matePos + 150 - pos : 0;
          records.push(record);
        }
      } else {
        records.push(record);
      }
      index++;
    }
  });
  if (options.withLongCigar) {
    // 33,000 x (1M1I) + 1M: 66,001 operations, more than BAM's 16-bit n_cigar_op.
    const ops: CigarOp[] = [];
    for (let i = 0; i < 33_000; i++) ops.push({ op: 'M', length: 1 }, { op: 'I', length: 1 });
    ops.push({ op: 'M', length: 1 });
    const at = records.findIndex((r) => r.refId === 0 && r.pos > 500_000);
    const pos = records[at]!.pos;
    records.splice(at, 0, {
      qname: 'ultra_long_read',
      flag: 0,
      refId: 0,
      pos,
      mapq: 60,
      cigar: ops,
      nextRefId: -1,
      nextPos: -1,
      tlen: 0,
      seq: randomBases(random, queryLength(ops)),
      qual: randomQualities(random, queryLength(ops)),
      tags: [{ tag: 'NM', type: 'i', value: 33000 }],
    });
  }
  for (let i = 0; i < Math.max(3, Math.floor(count * 0.02)); i++) {
    records.push({
      qname: `unplaced${i}`,
      flag: BamFlag.UNMAPPED,
      refId: -1,
      pos: -1,
      mapq: 0,
      cigar: [],
      nextRefId: -1,
      nextPos: -1,
      tlen: 0,
      seq: randomBases(random, 80),
      qual: i % 2 === 0 ? randomQualities(random, 80) : '*',
      tags: [{ tag: 'RG', type: 'Z', value: 'rg2' }],
    });
  }
  return records;
}

/** C's printf %g for the floats our tests use. */
function formatFloat(value: number): string {
  const f = Math.fround(value);
  return Number(f.toPrecision(6)).toString();
}

function formatTag(tag: BamTag): string {
  switch (tag.type) {
    case 'i':
      return `${tag.tag}:i:${tag.value}`;
    case 'f':
      return `${tag.tag}:f:${formatFloat(tag.value)}`;
    case 'B': {
      const values = Array.from(tag.value, (v) => (tag.subtype === 'f' ? formatFloat(v) : String(v)));
      return `${tag.tag}:B:${tag.subtype}${values.map((v) => `,${v}`).join('')}`;
    }
    default:
      return `${tag.tag}:${tag.type}:${tag.value}`;
  }
}

function cigarText(cigar: BamRecordInput['cigar']): string {
  if (typeof cigar === 'string') return cigar === '' ? '*' : cigar;
  if (cigar instanceof Uint32Array) throw new Error('test formatter expects CIGAR ops');
  return cigar.length === 0 ? '*' : cigar.map((c) => `${c.length}${c.op}`).join('');
}

/** The SAM line `samtools view` prints for a record (no trailing newline). */
export function formatSamLine(record: BamRecordInput, references: readonly BamReference[]): string {
  const name = (id: number): string => (id < 0 ? '*' : references[id]!.name);
  const rnext = record.nextRefId < 0 ? '*' : record.nextRefId === record.refId ? '=' : name(record.nextRefId);
  const seq = record.seq === '*' || record.seq === '' ? '*' : record.seq.toUpperCase();
  const qual = record.qual === '*' || seq === '*' ? '*' : Array.from(record.qual, (q) => String.fromCharCode(q + 33)).join('');
  const fields = [
    record.qname,
    String(record.flag),
    name(record.refId),
    String(record.pos + 1),
    String(record.mapq),
    cigarText(record.cigar),
    rnext,
    String(record.nextPos + 1),
    String(record.tlen),
    seq,
    qual,
    ...(record.tags ?? []).map(formatTag),
  ];
  return fields.join('\t');
}

/** The record bytes of an uncompressed BAM stream (after the header), for byte comparison. */
export function bamRecordSection(uncompressed: Buffer): Buffer {
  let p = 4;
  const textLength = uncompressed.readInt32LE(p);
  p += 4 + textLength;
  const referenceCount = uncompressed.readInt32LE(p);
  p += 4;
  for (let i = 0; i < referenceCount; i++) p += 4 + uncompressed.readInt32LE(p) + 4;
  return uncompressed.subarray(p);
}

/** Splits a record section into individual records. */
export function splitBamRecords(section: Buffer): Buffer[] {
  const records: Buffer[] = [];
  for (let p = 0; p < section.length; ) {
    const size = section.readInt32LE(p) + 4;
    records.push(section.subarray(p, p + size));
    p += size;
  }
  return records;
}

/** Whether a record overlaps [start, end) (0-based) as samtools' region query decides it. */
export function overlapsRegion(record: BamRecordInput, refId: number, start: number, end: number): boolean {
  if (record.refId !== refId) return false;
  const cigar = typeof record.cigar === 'string' || record.cigar instanceof Uint32Array ? [] : record.cigar;
  const unmapped = (record.flag & BamFlag.UNMAPPED) !== 0;
  const span = unmapped ? 1 : Math.max(1, referenceSpan(cigar));
  return record.pos < end && record.pos + span > start;
}
