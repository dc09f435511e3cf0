/**
 * Errors of the ingest stage. Every fault a user can cause (a missing file, a broken gzip, a
 * malformed record) becomes an `IngestError` whose `detail` is the contract's `GenomaicError`
 * and whose message names the file, the record and line, and the fault in plain words: the
 * message is what the UI and the CLI print, so it must never be a stack trace or a zlib code.
 */
import type { ErrorCode, GenomaicError } from '../../app/contract.js';

export class IngestError extends Error {
  readonly detail: GenomaicError;

  constructor(detail: GenomaicError) {
    super(detail.message);
    this.name = 'IngestError';
    this.detail = detail;
  }

  get code(): ErrorCode {
    return this.detail.code;
  }
}

/** Where in a file a fault sits; `record` and `line` are 1-based. */
export interface FaultLocation {
  /** The file's display name (its base name), used in messages. */
  fileName: string;
  /** The path, stored in `GenomaicError.file`. */
  filePath: string;
  record?: number;
  line?: number;
}

/**
 * Builds the error with the message prefix `name: record R (line L): ` so that every record-level
 * fault reads the same way, e.g.
 * `reads_R1.fastq.gz: record 1234 (line 4936): sequence is 151 bases but quality is 150 characters`.
 */
export function faultAt(code: ErrorCode, where: FaultLocation, fault: string): IngestError {
  let prefix = where.fileName;
  if (where.record !== undefined && where.line !== undefined) {
    prefix += `: record ${where.record} (line ${where.line})`;
  } else if (where.line !== undefined) {
    prefix += `: line ${where.line}`;
  }
  const detail: GenomaicError = { code, message: `${prefix}: ${fault}`, file: where.filePath };
  if (where.record !== undefined) detail.record = where.record;
  if (where.line !== undefined) detail.line = where.line;
  return new IngestError(detail);
}

export function cancelledError(): IngestError {
  return new IngestError({ code: 'cancelled', message: 'Ingest was cancelled.' });
}

/**
 * 1234567 → '1,234,567' for counts read by people. Not `toLocaleString`: its first call loads
 * ICU data, which costs more than a whole small file's ingest.
 */
export function formatCount(value: number): string {
  const [whole = '0', fraction] = String(value).split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  return fraction === undefined ? grouped : `${grouped}.${fraction}`;
}

/** A byte as a person can read it in a message: `'X'` when printable, else its code. */
export function describeByte(byte: number): string {
  if (byte === 9) return 'a tab';
  if (byte === 13) return 'a carriage return';
  if (byte === 10) return 'a line break';
  if (byte === 0) return 'a NUL byte';
  if (byte >= 33 && byte <= 126) return `'${String.fromCharCode(byte)}'`;
  if (byte === 32) return 'a space';
  return `byte 0x${byte.toString(16).padStart(2, '0').toUpperCase()}`;
}

/** Shortens a header or name for a message so that a 10 kB comment cannot flood the UI. */
export function quoteForMessage(text: string, maxLength = 80): string {
  const shown = text.length > maxLength ? `${text.slice(0, maxLength - 1)}…` : text;
  return `'${shown}'`;
}

/**
 * Turns whatever escaped a lower layer into an `IngestError`: ours pass through, anything else
 * becomes 'internal' with the original message (never its stack) so a bug still reads sensibly.
 */
export function asIngestError(error: unknown, filePath?: string): IngestError {
  if (error instanceof IngestError) return error;
  const reason = error instanceof Error ? error.message : String(error);
  const detail: GenomaicError = { code: 'internal', message: `Ingest failed unexpectedly: ${reason}` };
  if (filePath !== undefined) detail.file = filePath;
  return new IngestError(detail);
}
