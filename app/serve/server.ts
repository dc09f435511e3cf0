/**
 * Browser mode: the renderer and the contract over HTTP on 127.0.0.1, for a user without the
 * desktop binary and for end-to-end tests in Chromium. Only this machine can connect (loopback
 * bind, Host check against DNS rebinding), and only the holder of the per-launch token
 * (printed once, exchanged for an HttpOnly SameSite=Strict cookie) can use it.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { randomBytes, randomUUID, timingSafeEqual } from 'node:crypto';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdir, rename, rm, stat } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { pipeline } from 'node:stream/promises';
import type { AddressInfo } from 'node:net';
import type { EventChannel, EventFrame, GenomaicError, Reply, RequestChannel } from '../contract.js';
import { HTTP_TOKEN_COOKIE } from '../contract.js';
import type { Engine } from '../../engine/engine.js';
import { toGenomaicError } from '../../engine/errors.js';
import { createFilesRoute, FILES_PREFIX } from './files-route.js';

export const CONTENT_SECURITY_POLICY = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data: blob:",
  "connect-src 'self'",
  "font-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
  "form-action 'none'",
].join('; ');

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json',
  '.map': 'application/json',
  '.wasm': 'application/wasm',
  '.woff2': 'font/woff2',
};

const EVENT_CHANNELS: readonly EventChannel[] = ['run.progress', 'run.updated', 'review.updated', 'run.deleted'];

export interface BrowserModeOptions {
  engine: Engine;
  /** Built renderer (dist/renderer). */
  rendererDir: string;
  /** 0 picks a free port. */
  port?: number;
  /** Fixed token (tests); random per launch otherwise. */
  token?: string;
}

export interface BrowserModeServer {
  url: string;
  /** The URL to open: it carries the token once. */
  launchUrl: string;
  token: string;
  port: number;
  close(): Promise<void>;
}

function securityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cache-Control', 'no-store');
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function sendError(res: ServerResponse, status: number, error: GenomaicError): void {
  sendJson(res, status, { ok: false, error } satisfies Reply<RequestChannel>);
}

function readCookie(req: IncomingMessage, name: string): string | undefined {
  const header = req.headers.cookie;
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) return decodeURIComponent(part.slice(eq + 1).trim());
  }
  return undefined;
}

function sameSecret(a: string | undefined, b: string): boolean {
  if (a === undefined) return false;
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

async function readJsonBody(req: IncomingMessage, limitBytes: number): Promise<unknown> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > limitBytes) throw Object.assign(new Error('request body too large'), { status: 413 });
    chunks.push(chunk as Buffer);
  }
  return JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown;
}

/** A file name safe to create in the uploads folder, keeping what a person would recognise. */
export function safeUploadName(name: string): string {
  const base = name.split(/[\\/]/).pop() ?? '';
  const cleaned = base.replace(/[^A-Za-z0-9._+-]/g, '_').replace(/^\.+/, '');
  return cleaned.length > 0 ? cleaned.slice(0, 200) : 'upload';
}

export async function startBrowserMode(options: BrowserModeOptions): Promise<BrowserModeServer> {
  const { engine } = options;
  const token = options.token ?? randomBytes(32).toString('base64url');
  const rendererRoot = normalize(options.rendererDir + sep);
  const sseClients = new Set<ServerResponse>();
  const serveFiles = createFilesRoute(engine);
  let port = 0;

  const unsubscribers = EVENT_CHANNELS.map((event) =>
    engine.on(event, (payload) => {
      const frame: EventFrame = { event, payload } as EventFrame;
      const text = `data: ${JSON.stringify(frame)}\n\n`;
      for (const client of sseClients) client.write(text);
    }),
  );

  const hostAllowed = (req: IncomingMessage): boolean => {
    const host = req.headers.host;
    return host === `127.0.0.1:${port}` || host === `localhost:${port}`;
  };
  const originAllowed = (req: IncomingMessage): boolean => {
    const origin = req.headers.origin;
    return origin === undefined || origin === `http://127.0.0.1:${port}` || origin === `http://localhost:${port}`;
  };
  const authenticated = (req: IncomingMessage): boolean => {
    const auth = req.headers.authorization;
    const bearer = auth?.startsWith('Bearer ') ? auth.slice(7) : undefined;
    return sameSecret(bearer, token) || sameSecret(readCookie(req, HTTP_TOKEN_COOKIE), token);
  };

  async function serveStatic(res: ServerResponse, pathname: string): Promise<void> {
    const relative = pathname === '/' ? 'index.html' : decodeURIComponent(pathname.slice(1));
    const file = normalize(join(rendererRoot, relative));
    if (!file.startsWith(rendererRoot)) {
      sendError(res, 404, { code: 'not-found', message: 'Not found' });
      return;
    }
    try {
      const s = await stat(file);
      if (!s.isFile()) throw new Error('not a file');
      res.writeHead(200, { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream', 'Content-Length': s.size });
      await pipeline(createReadStream(file), res);
    } catch {
      if (!res.headersSent) {
        const missingUi = relative === 'index.html';
        sendError(res, missingUi ? 500 : 404, {
          code: 'not-found',
          message: missingUi ? `The UI is not built (${file} is missing): run npm run build.` : `Not found: ${pathname}`,
        });
      }
    }
  }

  async function handleRequest(req: IncomingMessage, res: ServerResponse): Promise<void> {
    let body: unknown;
    try {
      body = await readJsonBody(req, 1 << 20);
    } catch (err) {
      sendError(res, (err as { status?: number }).status ?? 400, { code: 'invalid-request', message: 'The request body is not valid JSON' });
      return;
    }
    const { channel, params } = (body ?? {}) as { channel?: unknown; params?: unknown };
    if (typeof channel !== 'string') {
      sendError(res, 400, { code: 'invalid-request', message: 'The request names no channel' });
      return;
    }
    try {
      const result = await engine.handle(channel as RequestChannel, (params ?? {}) as never);
      sendJson(res, 200, { ok: true, result });
    } catch (err) {
      // Faults are replies, not HTTP failures: the UI shows the message and stays usable.
      sendJson(res, 200, { ok: false, error: toGenomaicError(err) });
    }
  }

  async function handleUpload(req: IncomingMessage, res: ServerResponse, name: string | null): Promise<void> {
    if (!name) {
      sendError(res, 400, { code: 'invalid-request', message: 'upload needs ?name=' });
      return;
    }
    const dir = join(engine.uploadsDir, randomUUID());
    await mkdir(dir, { recursive: true });
    const finalPath = join(dir, safeUploadName(name));
    const partial = `${finalPath}.part`;
    try {
      await pipeline(req, createWriteStream(partial));
      await rename(partial, finalPath);
      sendJson(res, 200, { path: finalPath });
    } catch (err) {
      await rm(dir, { recursive: true, force: true });
      if (!res.headersSent) sendError(res, 500, { code: 'file-unreadable', message: `Upload of ${name} failed: ${(err as Error).message}` });
    }
  }

  function handleEvents(req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8', Connection: 'keep-alive' });
    res.write(': connected\n\n');
    sseClients.add(res);
    const keepAlive = setInterval(() => res.write(': keep-alive\n\n'), 15_000);
    req.on('close', () => {
      clearInterval(keepAlive);
      sseClients.delete(res);
    });
  }

  const server: Server = createServer((req, res) => {
    securityHeaders(res);
    if (!hostAllowed(req)) {
      sendError(res, 421, { code: 'unauthorized', message: 'Wrong Host header' });
      return;
    }
    const url = new URL(req.url ?? '/', `http://127.0.0.1:${port}`);
    if (req.method === 'GET' && url.pathname === '/' && url.searchParams.has('token')) {
      if (!sameSecret(url.searchParams.get('token') ?? undefined, token)) {
        sendError(res, 401, { code: 'unauthorized', message: 'Wrong token: open the URL that `genomaic serve` printed.' });
        return;
      }
      res.writeHead(303, {
        'Set-Cookie': `${HTTP_TOKEN_COOKIE}=${encodeURIComponent(token)}; HttpOnly; SameSite=Strict; Path=/`,
        Location: '/',
      });
      res.end();
      return;
    }
    if (!authenticated(req)) {
      sendError(res, 401, { code: 'unauthorized', message: 'Not authorised: open the URL that `genomaic serve` printed (it carries the token).' });
      return;
    }
    if (req.method === 'POST' && !originAllowed(req)) {
      sendError(res, 403, { code: 'unauthorized', message: 'Cross-origin request refused' });
      return;
    }
    const run = async (): Promise<void> => {
      if (req.method === 'POST' && url.pathname === '/api/request') return handleRequest(req, res);
      if (req.method === 'POST' && url.pathname === '/api/upload') return handleUpload(req, res, url.searchParams.get('name'));
      if (req.method === 'GET' && url.pathname === '/api/events') return handleEvents(req, res);
      if ((req.method === 'GET' || req.method === 'HEAD') && url.pathname.startsWith(FILES_PREFIX)) return serveFiles(req, res, url.pathname);
      if (req.method === 'GET' || req.method === 'HEAD') return serveStatic(res, url.pathname);
      sendError(res, 405, { code: 'invalid-request', message: `${req.method ?? ''} not allowed` });
    };
    run().catch((err: unknown) => {
      if (!res.headersSent) sendError(res, 500, toGenomaicError(err));
      else res.destroy();
    });
  });

  await new Promise<void>((resolveListen, rejectListen) => {
    server.once('error', rejectListen);
    server.listen(options.port ?? 0, '127.0.0.1', () => resolveListen());
  });
  port = (server.address() as AddressInfo).port;
  const url = `http://127.0.0.1:${port}/`;

  return {
    url,
    launchUrl: `${url}?token=${encodeURIComponent(token)}`,
    token,
    port,
    close: async () => {
      for (const off of unsubscribers) off();
      for (const client of sseClients) client.end();
      const closed = new Promise<void>((r) => server.close(() => r()));
      server.closeAllConnections();
      await closed;
    },
  };
}
