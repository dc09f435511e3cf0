import { basename } from 'node:path';
import type { ErrorCode, GenomaicError } from '../app/contract.js';

/** An error meant for a user: it carries the contract's `GenomaicError` detail. */
export class EngineError extends Error {
  readonly detail: GenomaicError;
  constructor(detail: GenomaicError) {
    super(detail.message);
    this.name = 'EngineError';
    this.detail = detail;
  }
  static of(code: ErrorCode, message: string, extra: Omit<GenomaicError, 'code' | 'message'> = {}): EngineError {
    return new EngineError({ code, message, ...extra });
  }
}

function isGenomaicError(value: unknown): value is GenomaicError {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.code === 'string' && typeof v.message === 'string';
}

/**
 * Any thrown value as a `GenomaicError`. Errors that already carry a detail (EngineError,
 * IngestError, worker replies) pass through; anything else is an internal fault whose
 * message is kept but whose stack never reaches the user.
 */
export function toGenomaicError(err: unknown): GenomaicError {
  if (typeof err === 'object' && err !== null && 'detail' in err && isGenomaicError((err as { detail: unknown }).detail)) {
    return (err as { detail: GenomaicError }).detail;
  }
  if (isGenomaicError(err)) return err;
  const message = err instanceof Error ? err.message : String(err);
  return { code: 'internal', message: `Internal error: ${message}` };
}

/** One line for people: `file: record N (line L): message` with only the parts that are known. */
export function formatGenomaicError(e: GenomaicError): string {
  // Messages usually start with the file's name already; add the location only when they don't.
  if (e.file && !e.message.includes(e.file) && !e.message.includes(basename(e.file))) {
    const where = [e.record !== undefined ? `record ${e.record}` : '', e.line !== undefined ? `line ${e.line}` : '']
      .filter(Boolean)
      .join(', ');
    return `${e.file}${where ? ` (${where})` : ''}: ${e.message}`;
  }
  return e.message;
}
