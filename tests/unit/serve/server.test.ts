import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../../engine/engine.js';
import { startBrowserMode, safeUploadName, type BrowserModeServer } from '../../../app/serve/server.js';

let dir: string;
let engine: Engine;
let server: BrowserModeServer;

interface Answer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** Raw HTTP (not fetch) so the test controls the Host and Origin headers. */
function call(path: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer } = {}): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = httpRequest(
      { host: '127.0.0.1', port: server.port, path, method: options.method ?? 'GET', headers: { host: `127.0.0.1:${server.port}`, ...options.headers } },
      (res) => {
        let body = '';
        res.on('data', (d: Buffer) => (body += d.toString()));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

const auth = (): Record<string, string> => ({ authorization: `Bearer ${server.token}` });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'genomaic-serve-'));
  const rendererDir = join(dir, 'renderer');
  mkdirSync(rendererDir);
  writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>GenomAIc</title>');
  engine = Engine.open({ dataDir: join(dir, 'data'), host: 'browser' });
  server = await startBrowserMode({ engine, rendererDir });
});

afterAll(async () => {
  await server.close();
  await engine.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('browser mode server', () => {
  it('listens on the loopback address only', () => {
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/$/);
  });

  it('refuses requests without the token, and with a wrong one', async () => {
    expect((await call('/')).status).toBe(401);
    expect((await call('/api/request', { method: 'POST', body: '{}' })).status).toBe(401);
    expect((await call('/?token=wrong')).status).toBe(401);
    expect((await call('/', { headers: { authorization: 'Bearer wrong' } })).status).toBe(401);
  });

  it('exchanges the launch token for an HttpOnly SameSite=Strict cookie', async () => {
    const answer = await call(`/?token=${server.token}`);
    expect(answer.status).toBe(303);
    const cookie = String(answer.headers['set-cookie']);
    expect(cookie).toMatch(/HttpOnly/);
    expect(cookie).toMatch(/SameSite=Strict/);
    const page = await call('/', { headers: { cookie: cookie.split(';')[0]! } });
    expect(page.status).toBe(200);
    expect(page.body).toContain('<title>GenomAIc</title>');
  });

  it('serves a strict Content-Security-Policy on every response', async () => {
    for (const answer of [await call('/'), await call('/', { headers: auth() })]) {
      const csp = String(answer.headers['content-security-policy']);
      expect(csp).toContain("default-src 'self'");
      expect(csp).toContain("script-src 'self'");
      expect(csp).not.toContain('unsafe');
    }
  });

  it('refuses another Host (DNS rebinding) and a cross-origin POST', async () => {
    expect((await call('/', { headers: { ...auth(), host: 'evil.example:80' } })).status).toBe(421);
    const cross = await call('/api/request', {
      method: 'POST',
      headers: { ...auth(), origin: 'http://evil.example', 'content-type': 'application/json' },
      body: JSON.stringify({ channel: 'app.info', params: {} }),
    });
    expect(cross.status).toBe(403);
  });

  it('answers contract requests, and faults as replies with a code', async () => {
    const info = await call('/api/request', { method: 'POST', headers: auth(), body: JSON.stringify({ channel: 'app.info', params: {} }) });
    expect(JSON.parse(info.body)).toMatchObject({ ok: true, result: { name: 'GenomAIc', host: 'browser' } });
    const unknown = await call('/api/request', { method: 'POST', headers: auth(), body: JSON.stringify({ channel: 'nope', params: {} }) });
    expect(JSON.parse(unknown.body)).toMatchObject({ ok: false, error: { code: 'invalid-request' } });
    const missing = await call('/api/request', {
      method: 'POST',
      headers: auth(),
      body: JSON.stringify({ channel: 'qc.start', params: { paths: [join(dir, 'absent.fastq')] } }),
    });
    expect(JSON.parse(missing.body)).toMatchObject({ ok: false, error: { code: 'file-not-found', file: join(dir, 'absent.fastq') } });
    const garbage = await call('/api/request', { method: 'POST', headers: auth(), body: '{not json' });
    expect(garbage.status).toBe(400);
  });

  it('stores an upload under the data folder with a safe name and returns its path', async () => {
    const content = Buffer.from('@r1\nACGT\n+\nIIII\n');
    const answer = await call(`/api/upload?name=${encodeURIComponent('../../etc/passwd reads.fq')}`, { method: 'POST', headers: auth(), body: content });
    const { path } = JSON.parse(answer.body) as { path: string };
    expect(path.startsWith(join(dir, 'data', 'uploads'))).toBe(true);
    expect(path.endsWith('passwd_reads.fq')).toBe(true);
    expect(readFileSync(path)).toEqual(content);
  });

  it('does not serve files outside the UI folder', async () => {
    const answer = await call('/..%2f..%2fdata/project.sqlite', { headers: auth() });
    expect(answer.status).toBe(404);
  });
});

describe('safeUploadName', () => {
  it('keeps recognisable names and strips path parts and odd characters', () => {
    expect(safeUploadName('sample_R1.fastq.gz')).toBe('sample_R1.fastq.gz');
    expect(safeUploadName('C:\\x\\y\\a b.fq')).toBe('a_b.fq');
    expect(safeUploadName('...')).toBe('upload');
  });
});
