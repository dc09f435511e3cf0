// The store is where host replies, host events and user actions meet. Driven here with a fake
// host so the behaviour the e2e tests rely on (start → navigate, live updates, error banners
// naming what failed, platform override) is pinned without a browser.
import { describe, expect, it } from 'vitest';
import type {
  AppInfo,
  EventChannel,
  EventMap,
  RequestChannel,
  RequestParams,
  RequestResult,
  RunInputRef,
} from '../../../app/contract.ts';
import {
  type ConnectionState,
  type HostBridge,
  HostRequestError,
  type ResolveFilesOptions,
} from '../../../renderer/src/bridge/HostBridge.js';
import { ListenerRegistry } from '../../../renderer/src/bridge/listenerRegistry.js';
import { createAppStore, parsePathList } from '../../../renderer/src/store/appStore.js';
import { detail, fileReport, progress, summary } from './fixtures.js';

type Handlers = { [C in RequestChannel]?: (params: RequestParams<C>) => RequestResult<C> | Promise<RequestResult<C>> };

const INFO: AppInfo = { name: 'GenomAIc', version: '0.1.0', host: 'browser', dataDir: '/tmp/g', notice: 'Research use only.' };

class FakeHost implements HostBridge {
  readonly host = 'browser' as const;
  readonly canOpenDialog = false;
  readonly calls: Array<{ channel: RequestChannel; params: unknown }> = [];
  readonly events = new ListenerRegistry();
  readonly connection = new Set<(state: ConnectionState) => void>();
  uploads: string[][] = [];
  uploadError: HostRequestError | null = null;

  constructor(readonly handlers: Handlers) {}

  async request<C extends RequestChannel>(channel: C, params: RequestParams<C>): Promise<RequestResult<C>> {
    this.calls.push({ channel, params });
    const handler = this.handlers[channel] as ((p: RequestParams<C>) => RequestResult<C> | Promise<RequestResult<C>>) | undefined;
    if (!handler) throw new HostRequestError(channel, { code: 'unsupported', message: `${channel} is not handled` });
    return handler(params);
  }

  subscribe<E extends EventChannel>(event: E, listener: (payload: EventMap[E]) => void): () => void {
    return this.events.add(event, listener);
  }

  async resolveFiles(files: readonly File[], options?: ResolveFilesOptions): Promise<string[]> {
    options?.onProgress?.({ fileIndex: 0, fileCount: files.length, fileName: files[0]?.name ?? '', bytesDone: 0, bytesTotal: 1 });
    if (this.uploadError) throw this.uploadError;
    const paths = files.map((f) => `/uploads/${f.name}`);
    this.uploads.push(paths);
    return paths;
  }

  onConnectionChange(listener: (state: ConnectionState) => void): () => void {
    this.connection.add(listener);
    return () => this.connection.delete(listener);
  }

  emit<E extends EventChannel>(event: E, payload: EventMap[E]): void {
    this.events.emit(event, payload);
  }

  callsTo(channel: RequestChannel): unknown[] {
    return this.calls.filter((c) => c.channel === channel).map((c) => c.params);
  }
}

const settle = (): Promise<void> => new Promise((resolve) => setTimeout(resolve, 0));

describe('app store', () => {
  it('loads app info and runs on connect, newest first', async () => {
    const host = new FakeHost({
      'app.info': () => INFO,
      'runs.list': () => [summary({ id: 'a', createdAt: '2025-01-01T00:00:00Z' }), summary({ id: 'b', createdAt: '2025-03-01T00:00:00Z' })],
    });
    const store = createAppStore(host);
    store.getState().connect();
    await settle();
    expect(store.getState().info?.notice).toBe('Research use only.');
    expect(store.getState().runs.map((r) => r.id)).toEqual(['b', 'a']);
    expect(store.getState().runsLoaded).toBe(true);
  });

  it('starts a run with the chosen platform and opens it', async () => {
    const host = new FakeHost({ 'qc.start': () => ({ runId: 'r1' }) });
    const store = createAppStore(host);
    store.getState().setPlatformChoice('ont');
    const started = await store.getState().startFromPaths(parsePathList(' /data/a.fq \n\n/data/b.fq\n/data/a.fq'));
    expect(started).toBe(true);
    expect(host.callsTo('qc.start')).toEqual([{ paths: ['/data/a.fq', '/data/b.fq'], platform: 'ont' }]);
    expect(store.getState().route).toEqual({ screen: 'run', runId: 'r1' });
    expect(store.getState().starting).toBe(false);
  });

  it('shows a banner naming what failed and stays put', async () => {
    const host = new FakeHost({
      'qc.start': () => {
        throw new HostRequestError('qc.start', { code: 'file-not-found', message: 'No such file: /nope.fq', file: '/nope.fq' });
      },
    });
    const store = createAppStore(host);
    expect(await store.getState().startFromPaths(['/nope.fq'])).toBe(false);
    const { banners, route } = store.getState();
    expect(route).toEqual({ screen: 'home' });
    expect(banners).toHaveLength(1);
    expect(banners[0]!.action).toBe('Starting the QC run');
    expect(banners[0]!.error.file).toBe('/nope.fq');
    // The same failure twice does not stack a second banner.
    await store.getState().startFromPaths(['/nope.fq']);
    expect(store.getState().banners).toHaveLength(1);
    store.getState().dismissBanner(banners[0]!.id);
    expect(store.getState().banners).toHaveLength(0);
  });

  it('follows run events and fetches the report when the open run finishes', async () => {
    const done = detail({ id: 'r1', status: 'done', files: [fileReport('/data/a.fq')] });
    const host = new FakeHost({ 'runs.list': () => [], 'run.get': () => done });
    const store = createAppStore(host, { screen: 'run', runId: 'r1' });
    store.getState().connect();
    await settle();

    host.emit('run.updated', summary({ id: 'r1', status: 'running' }));
    host.emit('run.progress', progress('r1', 400));
    expect(store.getState().runs[0]?.status).toBe('running');
    expect(store.getState().progressByRun.r1?.done).toBe(400);
    expect(host.callsTo('run.get')).toHaveLength(0);

    host.emit('run.updated', summary({ id: 'r1', status: 'done', finishedAt: '2025-01-01T10:01:00Z' }));
    await settle();
    expect(host.callsTo('run.get')).toEqual([{ runId: 'r1' }]);
    expect(store.getState().detailsByRun.r1?.files).toHaveLength(1);
    expect(store.getState().progressByRun.r1).toBeUndefined();
    // A late progress frame does not resurrect the progress bar.
    host.emit('run.progress', progress('r1', 500));
    expect(store.getState().progressByRun.r1).toBeUndefined();
  });

  it('replaces a detail fetched mid-run when the run finishes', async () => {
    let reply = detail({ id: 'r1', status: 'running' });
    const host = new FakeHost({ 'runs.list': () => [], 'run.get': () => reply });
    const store = createAppStore(host);
    store.getState().connect();
    await store.getState().loadRun('r1');
    expect(store.getState().detailsByRun.r1?.status).toBe('running');
    reply = detail({ id: 'r1', status: 'done', files: [fileReport('/data/a.fq')] });
    host.emit('run.updated', summary({ id: 'r1', status: 'done' }));
    // Never a finished run with no files: either no detail yet or the final one.
    expect(store.getState().detailsByRun.r1).toBeUndefined();
    await settle();
    expect(store.getState().detailsByRun.r1?.files).toHaveLength(1);
  });

  it('does not let a stale run.get reply undo a finished status', async () => {
    let reply = detail({ id: 'r1', status: 'done', files: [fileReport('/data/a.fq')] });
    const host = new FakeHost({ 'run.get': () => reply });
    const store = createAppStore(host);
    await store.getState().loadRun('r1');
    reply = detail({ id: 'r1', status: 'running' });
    await store.getState().loadRun('r1');
    expect(store.getState().detailsByRun.r1?.status).toBe('done');
    expect(store.getState().runs[0]?.status).toBe('done');
  });

  it('applies a platform override and reports a failed one', async () => {
    const overridden = detail({
      id: 'r1',
      status: 'done',
      files: [fileReport('/data/a.fq', { platform: 'ont', platformOverridden: true })],
    });
    const host = new FakeHost({ 'run.setPlatform': () => overridden });
    const store = createAppStore(host);
    await store.getState().overridePlatform('r1', '/data/a.fq', 'ont');
    expect(host.callsTo('run.setPlatform')).toEqual([{ runId: 'r1', path: '/data/a.fq', platform: 'ont' }]);
    expect(store.getState().detailsByRun.r1?.files[0]?.platformOverridden).toBe(true);
    expect(store.getState().pendingOverrides).toEqual({});

    const failing = createAppStore(new FakeHost({}));
    await failing.getState().overridePlatform('r1', '/data/a.fq', 'auto');
    expect(failing.getState().banners[0]?.action).toBe('Changing the platform of a.fq');
  });

  it('uploads dropped files and starts a run on the uploaded paths', async () => {
    const host = new FakeHost({ 'qc.start': () => ({ runId: 'r9' }) });
    const store = createAppStore(host);
    const started = await store.getState().startFromFiles([new File(['@r\nACGT\n+\nIIII\n'], 'a.fq')]);
    expect(started).toBe(true);
    expect(host.callsTo('qc.start')).toEqual([{ paths: ['/uploads/a.fq'], platform: 'auto' }]);
    expect(store.getState().transfer).toBeNull();
    expect(store.getState().route).toEqual({ screen: 'run', runId: 'r9' });

    host.uploadError = new HostRequestError('upload', { code: 'file-unreadable', message: 'disk full' });
    expect(await store.getState().startFromFiles([new File(['x'], 'b.fq')])).toBe(false);
    expect(store.getState().banners.at(-1)?.action).toBe('Uploading b.fq');
  });

  it('refetches after the event stream comes back', async () => {
    const host = new FakeHost({ 'runs.list': () => [], 'run.get': () => detail({ id: 'r1', status: 'running' }) });
    const store = createAppStore(host, { screen: 'run', runId: 'r1' });
    store.getState().connect();
    await settle();
    const listsBefore = host.callsTo('runs.list').length;
    for (const listener of host.connection) listener('reconnecting');
    for (const listener of host.connection) listener('open');
    await settle();
    expect(host.callsTo('runs.list').length).toBe(listsBefore + 1);
    expect(host.callsTo('run.get')).toEqual([{ runId: 'r1' }]);
    expect(store.getState().connection).toBe('open');
  });

  it('re-runs a failed run with its inputs and platform setting', async () => {
    const failed = detail({ id: 'r1', status: 'failed', config: { platform: 'hifi', detectionReads: 100 } });
    const host = new FakeHost({ 'run.get': () => failed, 'qc.start': () => ({ runId: 'r2' }) });
    const store = createAppStore(host);
    await store.getState().loadRun('r1');
    expect(await store.getState().rerun('r1')).toBe(true);
    expect(host.callsTo('qc.start')).toEqual([{ paths: ['/data/r1.fq'], platform: 'hifi' }]);
  });

  it('forgets a deleted run of any kind and leaves its screen when it is open', async () => {
    const runs = [
      summary({ id: 'q1', kind: 'qc', status: 'done' }),
      summary({ id: 'a1', kind: 'align', status: 'cancelled' }),
      summary({ id: 'r1', kind: 'analyze', status: 'failed' }),
    ];
    const host = new FakeHost({
      'runs.list': () => runs,
      'run.get': ({ runId }) => {
        if (runId === 'q1') throw new HostRequestError('run.get', { code: 'not-found', message: `No run with id ${runId}` });
        return detail({ ...runs.find((r) => r.id === runId)!, id: runId });
      },
    });
    const store = createAppStore(host, { screen: 'run', runId: 'a1' });
    store.getState().connect();
    await settle();
    await store.getState().loadRun('a1');
    await store.getState().loadRun('q1');
    expect(store.getState().detailsByRun.a1?.kind).toBe('align');
    expect(store.getState().detailErrors.q1?.code).toBe('not-found');

    host.emit('run.deleted', { runId: 'a1' });
    expect(store.getState().runs.map((r) => r.id).sort()).toEqual(['q1', 'r1']);
    expect(store.getState().detailsByRun.a1).toBeUndefined();
    expect(store.getState().route).toEqual({ screen: 'home' });

    // Deleted elsewhere while another screen is open: gone from the list, the route stays.
    store.getState().navigate({ screen: 'run', runId: 'r1' });
    host.emit('run.deleted', { runId: 'q1' });
    expect(store.getState().runs.map((r) => r.id)).toEqual(['r1']);
    expect(store.getState().detailErrors.q1).toBeUndefined();
    expect(store.getState().route).toEqual({ screen: 'run', runId: 'r1' });
  });

  const input = (path: string): RunInputRef => ({ path, name: path.split('/').pop() ?? path, sizeBytes: 1000 });

  it('re-runs an interrupted analysis as an analysis with its reads, reference, sample and platform', async () => {
    const inputs = [input('/data/r1_R1.fq'), input('/data/r1_R2.fq'), input('/data/ref.fa')];
    const interrupted = detail({
      id: 'r1',
      kind: 'analyze',
      status: 'interrupted',
      inputs,
      config: { platform: 'illumina', detectionReads: 100, referencePath: '/data/ref.fa', sample: 'NA12878' },
    });
    const host = new FakeHost({ 'run.get': () => interrupted, 'analyze.start': () => ({ runId: 'r2' }) });
    const store = createAppStore(host);
    await store.getState().loadRun('r1');
    expect(await store.getState().rerun('r1')).toBe(true);
    expect(host.callsTo('qc.start')).toEqual([]);
    expect(host.callsTo('analyze.start')).toEqual([
      { readPaths: ['/data/r1_R1.fq', '/data/r1_R2.fq'], referencePath: '/data/ref.fa', platform: 'illumina', sample: 'NA12878' },
    ]);
  });

  it('re-runs a failed analysis from a BAM by importing the same BAM again', async () => {
    const failed = detail({
      id: 'r1',
      kind: 'analyze',
      status: 'failed',
      inputs: [input('/data/in.bam'), input('/data/ref.fa')],
      config: { platform: 'ont', detectionReads: 100, referencePath: '/data/ref.fa', bamPath: '/data/in.bam' },
    });
    const host = new FakeHost({ 'run.get': () => failed, 'analyze.fromBam': () => ({ runId: 'r2' }) });
    const store = createAppStore(host);
    await store.getState().loadRun('r1');
    expect(await store.getState().rerun('r1')).toBe(true);
    expect(host.callsTo('analyze.fromBam')).toEqual([{ bamPath: '/data/in.bam', referencePath: '/data/ref.fa', platform: 'ont' }]);
  });
});
