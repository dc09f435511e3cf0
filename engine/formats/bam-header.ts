/**
 * SAM header text (SAMv1 §1.3) and its BAM binary form (§4.2: magic, l_text, text, n_ref,
 * references).
 */

/** @RG PL values SAMv1 lists. */
export type SequencingPlatform =
  | 'CAPILLARY'
  | 'DNBSEQ'
  | 'ELEMENT'
  | 'HELICOS'
  | 'ILLUMINA'
  | 'IONTORRENT'
  | 'LS454'
  | 'ONT'
  | 'PACBIO'
  | 'SINGULAR'
  | 'SOLID'
  | 'ULTIMA';

export interface BamReference {
  /** @SQ SN. */
  name: string;
  /** @SQ LN, 1 to 2^31 - 1. */
  length: number;
  /** @SQ M5: MD5 of the uppercase sequence without whitespace, 32 hex digits. */
  md5?: string;
  /** @SQ UR: where the sequence can be found. */
  uri?: string;
  /** @SQ AS: assembly name. */
  assembly?: string;
  /** @SQ SP: species. */
  species?: string;
}

export interface BamReadGroup {
  id: string;
  platform?: SequencingPlatform;
  sample?: string;
  library?: string;
  /** @RG PU. */
  platformUnit?: string;
  /** @RG PM, e.g. "R10.4.1". */
  platformModel?: string;
  description?: string;
}

export interface BamProgram {
  id: string;
  /** @PG PN. */
  name?: string;
  /** @PG VN. */
  version?: string;
  /** @PG CL. */
  commandLine?: string;
  /** @PG PP: the previous program in the chain. */
  previousId?: string;
  description?: string;
}

export type SortOrder = 'unknown' | 'unsorted' | 'queryname' | 'coordinate';

export interface BamHeaderInput {
  /** @HD SO. Defaults to 'coordinate'. */
  sortOrder?: SortOrder;
  references: readonly BamReference[];
  readGroups?: readonly BamReadGroup[];
  programs?: readonly BamProgram[];
  /** @CO lines. */
  comments?: readonly string[];
}

export class SamHeaderError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SamHeaderError';
  }
}

/** SAM format version we write in @HD VN. */
export const SAM_VERSION = '1.6';

/** Reference names as SAMv1 §1.2.1 allows them (first character also excludes '*' and '='). */
const REFERENCE_NAME = /^[0-9A-Za-z!#$%&+./:;?@^_|~-][0-9A-Za-z!#$%&*+./:;=?@^_|~-]*$/;
/** Header field values: printable ASCII including space, no tab (SAMv1 §1.3). */
const FIELD_VALUE = /^[ -~]+$/;
const MD5_HEX = /^[0-9a-fA-F]{32}$/;

export function isValidReferenceName(name: string): boolean {
  return REFERENCE_NAME.test(name);
}

function field(tag: string, value: string | number | undefined, line: string): string {
  if (value === undefined) return '';
  const text = String(value);
  if (!FIELD_VALUE.test(text)) throw new SamHeaderError(`@${line} ${tag} "${text}" is empty or has a tab, newline or non-ASCII character`);
  return `\t${tag}:${text}`;
}

/** Builds the SAM header text, validating names and values. Ends with a newline. */
export function formatSamHeader(header: BamHeaderInput): string {
  const lines: string[] = [`@HD\tVN:${SAM_VERSION}\tSO:${header.sortOrder ?? 'coordinate'}`];
  const names = new Set<string>();
  for (const reference of header.references) {
    if (!REFERENCE_NAME.test(reference.name)) {
      throw new SamHeaderError(`Reference name "${reference.name}" is not allowed in SAM (SAMv1 §1.2.1)`);
    }
    if (names.has(reference.name)) throw new SamHeaderError(`Reference "${reference.name}" appears twice`);
    names.add(reference.name);
    if (!Number.isInteger(reference.length) || reference.length < 1 || reference.length > 2 ** 31 - 1) {
      throw new SamHeaderError(`Reference "${reference.name}" has length ${reference.length}; SAM needs 1 to 2^31-1`);
    }
    if (reference.md5 !== undefined && !MD5_HEX.test(reference.md5)) {
      throw new SamHeaderError(`Reference "${reference.name}" M5 "${reference.md5}" is not 32 hex digits`);
    }
    lines.push(
      `@SQ\tSN:${reference.name}\tLN:${reference.length}` +
        field('M5', reference.md5?.toLowerCase(), 'SQ') +
        field('UR', reference.uri, 'SQ') +
        field('AS', reference.assembly, 'SQ') +
        field('SP', reference.species, 'SQ'),
    );
  }
  const readGroupIds = new Set<string>();
  for (const group of header.readGroups ?? []) {
    if (readGroupIds.has(group.id)) throw new SamHeaderError(`Read group "${group.id}" appears twice`);
    readGroupIds.add(group.id);
    lines.push(
      `@RG${field('ID', group.id, 'RG')}` +
        field('PL', group.platform, 'RG') +
        field('PM', group.platformModel, 'RG') +
        field('PU', group.platformUnit, 'RG') +
        field('LB', group.library, 'RG') +
        field('SM', group.sample, 'RG') +
        field('DS', group.description, 'RG'),
    );
  }
  const programIds = new Set<string>();
  for (const program of header.programs ?? []) {
    if (programIds.has(program.id)) throw new SamHeaderError(`Program "${program.id}" appears twice`);
    if (program.previousId !== undefined && !programIds.has(program.previousId)) {
      throw new SamHeaderError(`Program "${program.id}" has PP:${program.previousId}, which is not an earlier @PG`);
    }
    programIds.add(program.id);
    lines.push(
      `@PG${field('ID', program.id, 'PG')}` +
        field('PN', program.name, 'PG') +
        field('VN', program.version, 'PG') +
        field('PP', program.previousId, 'PG') +
        field('DS', program.description, 'PG') +
        field('CL', program.commandLine, 'PG'),
    );
  }
  for (const comment of header.comments ?? []) {
    if (!/^[ -~\t]*$/.test(comment)) throw new SamHeaderError('@CO comment has a newline or non-ASCII character');
    lines.push(`@CO\t${comment}`);
  }
  return lines.join('\n') + '\n';
}

/** The BAM header block: "BAM\1", l_text, text, n_ref and each reference's name and length. */
export function encodeBamHeader(text: string, references: readonly BamReference[]): Buffer {
  const textBytes = Buffer.from(text, 'latin1');
  let size = 4 + 4 + textBytes.length + 4;
  for (const reference of references) size += 4 + reference.name.length + 1 + 4;
  const out = Buffer.alloc(size);
  out.write('BAM\x01', 0, 'latin1');
  let p = out.writeInt32LE(textBytes.length, 4);
  p += textBytes.copy(out, p);
  p = out.writeInt32LE(references.length, p);
  for (const reference of references) {
    p = out.writeInt32LE(reference.name.length + 1, p);
    p += out.write(reference.name, p, 'latin1');
    out[p++] = 0;
    p = out.writeInt32LE(reference.length, p);
  }
  return out;
}
