// What arrives over HTTP is checked before the UI trusts it: a proxy's HTML error page or a
// 401 must become a readable error, never an exception inside a component.
import { describe, expect, it } from 'vitest';
import { interpretReply, interpretUploadResponse, parseEventFrame } from '../../../renderer/src/bridge/wire.js';
import { HostRequestError, toGenomaicError } from '../../../renderer/src/bridge/HostBridge.js';
import { hashForRoute, routeFromHash } from '../../../renderer/src/navigation/route.js';

describe('interpretReply', () => {
  it('passes ok and error replies through', () => {
    expect(interpretReply<'runs.list'>({ ok: true, result: [] }, 200)).toEqual({ ok: true, result: [] });
    const error = { code: 'not-found', message: 'No run x' };
    expect(interpretReply<'run.get'>({ ok: false, error }, 200)).toEqual({ ok: false, error });
  });

  it('explains a refused or unexpected response', () => {
    const unauthorised = interpretReply<'app.info'>(null, 401);
    expect(unauthorised.ok).toBe(false);
    if (!unauthorised.ok) expect(unauthorised.error.code).toBe('unauthorized');
    const broken = interpretReply<'app.info'>('<html>', 502);
    expect(broken.ok).toBe(false);
    if (!broken.ok) expect(broken.error.message).toContain('HTTP 502');
  });
});

describe('parseEventFrame', () => {
  it('accepts known events and ignores everything else', () => {
    const frame = parseEventFrame(JSON.stringify({ event: 'run.updated', payload: { id: 'a' } }));
    expect(frame?.event).toBe('run.updated');
    expect(parseEventFrame('not json')).toBeNull();
    expect(parseEventFrame(JSON.stringify({ event: 'other', payload: {} }))).toBeNull();
    expect(parseEventFrame(JSON.stringify({ event: 'run.progress', payload: 3 }))).toBeNull();
  });
});

describe('interpretUploadResponse', () => {
  it('returns the stored path or the server error', () => {
    expect(interpretUploadResponse({ path: '/up/a.fq' }, 200, 'a.fq')).toEqual({ path: '/up/a.fq' });
    const error = { code: 'file-unreadable', message: 'disk full' };
    expect(interpretUploadResponse({ ok: false, error }, 500, 'a.fq')).toEqual({ error });
    const odd = interpretUploadResponse(null, 413, 'a.fq');
    expect('error' in odd && odd.error.message).toContain('a.fq');
  });
});

describe('toGenomaicError', () => {
  it('never exposes more than a message', () => {
    const detail = { code: 'truncated-gzip' as const, message: 'cut short', file: 'a.gz' };
    expect(toGenomaicError(new HostRequestError('qc.start', detail))).toBe(detail);
    expect(toGenomaicError(new Error('boom'))).toEqual({ code: 'internal', message: 'boom' });
    expect(toGenomaicError(undefined).code).toBe('internal');
  });
});

describe('routes', () => {
  it('round-trips run routes through the hash', () => {
    const route = { screen: 'run' as const, runId: 'abc/def 1' };
    expect(routeFromHash(hashForRoute(route))).toEqual(route);
    expect(routeFromHash('')).toEqual({ screen: 'home' });
    expect(routeFromHash('#/runs/%E0%A4%A')).toEqual({ screen: 'home' });
  });
});
