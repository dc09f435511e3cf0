/**
 * `GET /files/…`: the run's files for igv.js (reference, BAM, VCF, their indexes, the
 * abstention BED, user tracks) and the exports, with HTTP Range support (RFC 9110 §14):
 * igv.js reads indexed files a slice at a time. Only files registered to a run in the
 * project database are served (engine/review/served-files.ts); the URL never carries a path.
 * Authentication, the Host check and security headers are the server's, as for every route.
 *
 * The Range logic is shared with the Electron host's scheme handler (main/main.ts).
 */
import { createReadStream } from 'node:fs';
import { stat } from 'node:fs/promises';
import { basename } from 'node:path';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { pipeline } from 'node:stream/promises';
import type { Engine } from '../../engine/engine.js';
import { ReviewStore } from '../../engine/review/review-store.js';
import { resolveServedFile, type ServedFile } from '../../engine/review/served-files.js';

export const FILES_PREFIX = '/files/';

/** An inclusive byte range, or why the Range header cannot be satisfied. */
export type RangeRequest = { kind: 'whole' } | { kind: 'range'; start: number; end: number } | { kind: 'unsatisfiable' };

/**
 * Interprets a Range header against a file of `size` bytes. One range only (igv.js and
 * browsers ask for one); a multi-range or malformed header is served whole, as RFC 9110
 * allows a server to ignore Range.
 */
export function parseRange(header: string | undefined, size: number): RangeRequest {
  if (header === undefined || header === '') return { kind: 'whole' };
  const match = /^bytes=(\d*)-(\d*)$/.exec(header.trim());
  if (!match || (match[1] === '' && match[2] === '')) return { kind: 'whole' };
  if (match[1] === '') {
    // Suffix range: the last N bytes.
    const length = Number(match[2]);
    if (length === 0 || size === 0) return { kind: 'unsatisfiable' };
    return { kind: 'range', start: Math.max(0, size - length), end: size - 1 };
  }
  const start = Number(match[1]);
  const end = match[2] === '' ? size - 1 : Math.min(Number(match[2]), size - 1);
  if (!Number.isSafeInteger(start) || start >= size || end < start) return { kind: 'unsatisfiable' };
  return { kind: 'range', start, end };
}

export interface FileResponsePlan {
  status: 200 | 206 | 416;
  headers: Record<string, string>;
  /** Inclusive byte range to send; null for none (416, HEAD). */
  range: { start: number; end: number } | null;
}

/** Status, headers and byte range for a file of `size` bytes, shared by both hosts. */
export function planFileResponse(file: ServedFile, size: number, rangeHeader: string | undefined): FileResponsePlan {
  const headers: Record<string, string> = {
    'Accept-Ranges': 'bytes',
    'Content-Type': file.contentType,
  };
  if (file.download) headers['Content-Disposition'] = `attachment; filename="${basename(file.path).replace(/[^A-Za-z0-9._+-]/g, '_')}"`;
  const range = parseRange(rangeHeader, size);
  if (range.kind === 'unsatisfiable') {
    return { status: 416, headers: { ...headers, 'Content-Range': `bytes */${size}`, 'Content-Length': '0' }, range: null };
  }
  if (range.kind === 'range') {
    return {
      status: 206,
      headers: { ...headers, 'Content-Range': `bytes ${range.start}-${range.end}/${size}`, 'Content-Length': String(range.end - range.start + 1) },
      range: { start: range.start, end: range.end },
    };
  }
  return { status: 200, headers: { ...headers, 'Content-Length': String(size) }, range: size > 0 ? { start: 0, end: size - 1 } : null };
}

/** The resolver both hosts use: URL path after `/files/` → a registered file, or null. */
export function createFileResolver(engine: Engine): (rest: string) => ServedFile | null {
  const reviews = new ReviewStore(engine.store.connection);
  return (rest) => resolveServedFile(reviews, engine.dataDir, rest);
}

/** Serves `GET|HEAD /files/…`; answers 404 for anything not registered. */
export function createFilesRoute(engine: Engine): (req: IncomingMessage, res: ServerResponse, pathname: string) => Promise<void> {
  const resolveFile = createFileResolver(engine);
  return async (req, res, pathname) => {
    const file = resolveFile(pathname.slice(FILES_PREFIX.length));
    const size = file ? await stat(file.path).then((s) => (s.isFile() ? s.size : null), () => null) : null;
    if (!file || size === null) {
      const text = JSON.stringify({ ok: false, error: { code: 'not-found', message: `Not found: ${pathname}` } });
      res.writeHead(404, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
      res.end(text);
      return;
    }
    const plan = planFileResponse(file, size, req.headers.range);
    res.writeHead(plan.status, plan.headers);
    if (req.method === 'HEAD' || plan.range === null) {
      res.end();
      return;
    }
    await pipeline(createReadStream(file.path, { start: plan.range.start, end: plan.range.end }), res);
  };
}
