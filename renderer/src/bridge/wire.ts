/**
 * Checks on what arrives over HTTP before the UI trusts it. The server is ours, but a proxy
 * error page, a half-written response or a stale build must become a readable error rather
 * than a crash deep inside a component.
 */
import type { EventChannel, EventFrame, EventMap, GenomaicError, RequestChannel, Reply } from '../../../app/contract.ts';

const EVENT_CHANNELS: ReadonlySet<string> = new Set<EventChannel>(['run.progress', 'run.updated', 'review.updated', 'run.deleted']);

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isGenomaicError(value: unknown): value is GenomaicError {
  return isRecord(value) && typeof value.code === 'string' && typeof value.message === 'string';
}

export function isEventChannel(value: unknown): value is EventChannel {
  return typeof value === 'string' && EVENT_CHANNELS.has(value);
}

/**
 * Interprets a parsed response body as a `Reply`. Anything else (HTML error page, empty body)
 * becomes an `ok: false` reply that says what went wrong and with which HTTP status.
 */
export function interpretReply<C extends RequestChannel>(body: unknown, httpStatus: number): Reply<C> {
  if (isRecord(body) && body.ok === true && 'result' in body) {
    // The server is typed against the same contract; the shape was checked above.
    return body as Reply<C>;
  }
  if (isRecord(body) && body.ok === false && isGenomaicError(body.error)) {
    return { ok: false, error: body.error };
  }
  if (httpStatus === 401 || httpStatus === 403) {
    return {
      ok: false,
      error: { code: 'unauthorized', message: 'Not authorised: open the link that `genomaic serve` printed.' },
    };
  }
  return {
    ok: false,
    error: { code: 'internal', message: `Unexpected response from the GenomAIc server (HTTP ${httpStatus}).` },
  };
}

/** Parses one SSE `data:` payload; null for anything that is not a known event frame. */
export function parseEventFrame(data: string): EventFrame | null {
  let parsed: unknown;
  try {
    parsed = JSON.parse(data);
  } catch {
    return null;
  }
  if (!isRecord(parsed) || !isEventChannel(parsed.event) || !isRecord(parsed.payload)) return null;
  // The payload's fields are the server's (typed against the same contract); only the frame is checked.
  return { event: parsed.event, payload: parsed.payload as unknown as EventMap[EventChannel] };
}

/** The `{path}` answer of POST /api/upload, or the error it carried. */
export function interpretUploadResponse(body: unknown, httpStatus: number, fileName: string): { path: string } | { error: GenomaicError } {
  if (httpStatus >= 200 && httpStatus < 300 && isRecord(body) && typeof body.path === 'string' && body.path.length > 0) {
    return { path: body.path };
  }
  if (isRecord(body) && isGenomaicError(body.error)) return { error: body.error };
  return {
    error: { code: 'file-unreadable', message: `Upload of ${fileName} failed (HTTP ${httpStatus}).`, file: fileName },
  };
}
