/**
 * Range serving for igv.js (app/serve/files-route.ts): the parser and the response plan
 * shared by both hosts, and the browser-mode route end to end on a registered demo run —
 * only registered files are served, never a path from the URL.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Engine } from '../../../engine/engine.js';
import { startBrowserMode, type BrowserModeServer } from '../../../app/serve/server.js';
import { parseRange, planFileResponse } from '../../../app/serve/files-route.js';
import { analyzeDemo } from '../../support/demo-analysis.js';

describe('Range header', () => {
  it('reads single ranges, open ends and suffixes, and refuses what lies past the end', () => {
    expect(parseRange(undefined, 100)).toEqual({ kind: 'whole' });
    expect(parseRange('bytes=0-9', 100)).toEqual({ kind: 'range', start: 0, end: 9 });
    expect(parseRange('bytes=90-', 100)).toEqual({ kind: 'range', start: 90, end: 99 });
    expect(parseRange('bytes=95-200', 100)).toEqual({ kind: 'range', start: 95, end: 99 });
    expect(parseRange('bytes=-10', 100)).toEqual({ kind: 'range', start: 90, end: 99 });
    expect(parseRange('bytes=100-', 100)).toEqual({ kind: 'unsatisfiable' });
    expect(parseRange('bytes=5-2', 100)).toEqual({ kind: 'unsatisfiable' });
    // Several ranges or another unit: served whole, as RFC 9110 allows.
    expect(parseRange('bytes=0-1,5-6', 100)).toEqual({ kind: 'whole' });
    expect(parseRange('items=0-1', 100)).toEqual({ kind: 'whole' });
  });

  it('plans 206 with Content-Range, 416 with the size, and downloads as attachments', () => {
    const file = { path: '/x/a.bam', contentType: 'application/octet-stream', download: false };
    expect(planFileResponse(file, 100, 'bytes=10-19')).toMatchObject({ status: 206, headers: { 'Content-Range': 'bytes 10-19/100', 'Content-Length': '10', 'Accept-Ranges': 'bytes' } });
    expect(planFileResponse(file, 100, 'bytes=200-')).toMatchObject({ status: 416, headers: { 'Content-Range': 'bytes */100' }, range: null });
    expect(planFileResponse({ ...file, download: true }, 100, undefined).headers['Content-Disposition']).toBe('attachment; filename="a.bam"');
  });
});

describe('GET /files/… in browser mode', () => {
  let dir: string;
  let engine: Engine;
  let server: BrowserModeServer;
  let runId: string;
  let bamUrl: string;
  let bamPath: string;

  function get(path: string, headers: Record<string, string> = {}): Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: Buffer }> {
    return new Promise((resolve, reject) => {
      const req = httpRequest({ host: '127.0.0.1', port: server.port, path, headers: { host: `127.0.0.1:${server.port}`, ...headers } }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (d: Buffer) => chunks.push(d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }));
      });
      req.on('error', reject);
      req.end();
    });
  }
  const auth = (): Record<string, string> => ({ authorization: `Bearer ${server.token}` });

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'genomaic-files-'));
    const analysis = await analyzeDemo(join(dir, 'analysis'));
    bamPath = join(analysis, 'NA12878.bam');
    const rendererDir = join(dir, 'renderer');
    mkdirSync(rendererDir);
    writeFileSync(join(rendererDir, 'index.html'), '<!doctype html><title>GenomAIc</title>');
    engine = Engine.open({ dataDir: join(dir, 'data'), host: 'browser' });
    server = await startBrowserMode({ engine, rendererDir });
    ({ runId } = await engine.handle('analysis.import', { dir: analysis }));
    bamUrl = `/${(await engine.handle('review.workspace', { runId })).urls.bam}`;
  }, 120_000);

  afterAll(async () => {
    await server.close();
    await engine.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('needs the token, like every route', async () => {
    expect((await get(bamUrl)).status).toBe(401);
  });

  it('serves a byte range of a registered file as 206 with the exact bytes', async () => {
    const answer = await get(bamUrl, { ...auth(), range: 'bytes=100-199' });
    expect(answer.status).toBe(206);
    expect(answer.headers['content-range']).toBe(`bytes 100-199/${readFileSync(bamPath).length}`);
    expect(answer.body.equals(readFileSync(bamPath).subarray(100, 200))).toBe(true);
    const whole = await get(bamUrl, auth());
    expect(whole.status).toBe(200);
    expect(whole.headers['accept-ranges']).toBe('bytes');
    expect(whole.body.length).toBe(readFileSync(bamPath).length);
    expect((await get(bamUrl, { ...auth(), range: 'bytes=99999999-' })).status).toBe(416);
  });

  it('serves nothing that is not registered: unknown runs, artifacts, traversal, paths', async () => {
    for (const path of [
      `/files/${runId}/passwd/passwd`,
      `/files/not-a-run/bam/x.bam`,
      `/files/${runId}/bam/..%2F..%2Fetc%2Fpasswd/x`,
      '/files/%2Fetc%2Fpasswd',
      `/files/user/nope/x.bw`,
      `/files/${runId}/reviewed-vcf/x.vcf.gz`,
    ]) {
      expect((await get(path, auth())).status, path).toBe(404);
    }
  });
});
