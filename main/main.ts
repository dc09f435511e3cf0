/**
 * The Electron host: one window, the menu, and IPC that hands each contract request to the
 * engine. Thin on purpose: everything computed lives in engine/, shared with the CLI and
 * browser mode.
 */
import { app, BrowserWindow, dialog, ipcMain, Menu, net, protocol, session, shell, type MenuItemConstructorOptions } from 'electron';
import { createReadStream, existsSync } from 'node:fs';
import { stat } from 'node:fs/promises';
import { Readable } from 'node:stream';
import { join, normalize, sep } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { EventChannel, EventFrame, Reply, RequestChannel, RequestParams } from '../app/contract.js';
import { IPC_EVENT, IPC_REQUEST } from '../app/contract.js';
import { Engine } from '../engine/engine.js';
import { toGenomaicError } from '../engine/errors.js';
import { findPackageRoot } from '../engine/version.js';
import { CONTENT_SECURITY_POLICY } from '../app/serve/server.js';
import { createFileResolver, FILES_PREFIX, planFileResponse } from '../app/serve/files-route.js';

const APP_SCHEME = 'genomaic-app';
const APP_ORIGIN = `${APP_SCHEME}://ui`;
const EVENT_CHANNELS: readonly EventChannel[] = ['run.progress', 'run.updated', 'review.updated', 'run.deleted'];

// A standard, secure scheme gives the UI a real origin ('self' in the CSP means only it).
protocol.registerSchemesAsPrivileged([{ scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } }]);

const root = findPackageRoot();
const rendererDir = normalize(join(root, 'dist', 'renderer') + sep);
let engine: Engine | undefined;
let mainWindow: BrowserWindow | undefined;

/** better-sqlite3 built against Electron's ABI by `npm run setup` (Node's build can't load here). */
function electronSqliteBinding(): string | undefined {
  const candidate = join(root, 'build', 'electron-native', 'node_modules', 'better-sqlite3', 'build', 'Release', 'better_sqlite3.node');
  return existsSync(candidate) ? candidate : undefined;
}

/**
 * `genomaic-app://ui/files/…`: the run's files for igv.js with Range support, resolved exactly
 * as browser mode resolves them (only files registered to a run; app/serve/files-route.ts),
 * so the renderer uses the same relative `files/…` URLs in both hosts.
 */
async function serveRunFile(request: Request, pathname: string, resolveFile: ReturnType<typeof createFileResolver>): Promise<Response> {
  const file = resolveFile(pathname.slice(FILES_PREFIX.length));
  const size = file ? await stat(file.path).then((s) => (s.isFile() ? s.size : null), () => null) : null;
  if (!file || size === null) return new Response('Not found', { status: 404 });
  const plan = planFileResponse(file, size, request.headers.get('range') ?? undefined);
  const headers = new Headers(plan.headers);
  headers.set('X-Content-Type-Options', 'nosniff');
  if (request.method === 'HEAD' || plan.range === null) return new Response(null, { status: plan.status, headers });
  const body = Readable.toWeb(createReadStream(file.path, { start: plan.range.start, end: plan.range.end })) as ReadableStream<Uint8Array>;
  return new Response(body, { status: plan.status, headers });
}

function serveRenderer(activeEngine: Engine): void {
  const resolveFile = createFileResolver(activeEngine);
  protocol.handle(APP_SCHEME, async (request) => {
    const url = new URL(request.url);
    if (url.host === 'ui' && url.pathname.startsWith(FILES_PREFIX)) return serveRunFile(request, url.pathname, resolveFile);
    const relative = url.pathname === '/' ? 'index.html' : decodeURIComponent(url.pathname.slice(1));
    const file = normalize(join(rendererDir, relative));
    if (url.host !== 'ui' || !file.startsWith(rendererDir) || !existsSync(file)) return new Response('Not found', { status: 404 });
    const response = await net.fetch(pathToFileURL(file).toString());
    const headers = new Headers(response.headers);
    headers.set('Content-Security-Policy', CONTENT_SECURITY_POLICY);
    headers.set('X-Content-Type-Options', 'nosniff');
    return new Response(response.body, { status: response.status, headers });
  });
}

/** No request leaves the machine: anything that is not the UI's own scheme is refused. */
function lockDownSession(): void {
  const ses = session.defaultSession;
  ses.webRequest.onBeforeRequest((details, callback) => {
    const allowed = details.url.startsWith(`${APP_ORIGIN}/`) || details.url.startsWith('devtools:');
    callback({ cancel: !allowed });
  });
  ses.setPermissionRequestHandler((_wc, _permission, callback) => callback(false));
  ses.setPermissionCheckHandler(() => false);
}

function isTrustedSender(frameUrl: string | undefined): boolean {
  return typeof frameUrl === 'string' && frameUrl.startsWith(`${APP_ORIGIN}/`);
}

async function openFastqDialog(): Promise<{ paths: string[] }> {
  const options: Electron.OpenDialogOptions = {
    title: 'Choose FASTQ files',
    properties: ['openFile', 'multiSelections'],
    filters: [
      { name: 'FASTQ', extensions: ['fastq', 'fq', 'gz', 'bgz'] },
      { name: 'All files', extensions: ['*'] },
    ],
  };
  const result = mainWindow ? await dialog.showOpenDialog(mainWindow, options) : await dialog.showOpenDialog(options);
  return { paths: result.canceled ? [] : result.filePaths };
}

function registerIpc(activeEngine: Engine): void {
  ipcMain.handle(IPC_REQUEST, async (event, channel: unknown, params: unknown): Promise<Reply<RequestChannel>> => {
    if (!isTrustedSender(event.senderFrame?.url)) {
      return { ok: false, error: { code: 'unauthorized', message: 'Request from an untrusted frame refused' } };
    }
    try {
      if (channel === 'dialog.openFastq') return { ok: true, result: await openFastqDialog() };
      if (typeof channel !== 'string') throw new Error('The request names no channel');
      const result = await activeEngine.handle(channel as RequestChannel, (params ?? {}) as RequestParams<RequestChannel>);
      return { ok: true, result } as Reply<RequestChannel>;
    } catch (err) {
      return { ok: false, error: toGenomaicError(err) };
    }
  });
  for (const name of EVENT_CHANNELS) {
    activeEngine.on(name, (payload) => {
      const frame = { event: name, payload } as EventFrame;
      mainWindow?.webContents.send(IPC_EVENT, frame);
    });
  }
}

function buildMenu(): void {
  const template: MenuItemConstructorOptions[] = [
    {
      label: 'File',
      submenu: [
        {
          label: 'Open FASTQ…',
          accelerator: 'CmdOrCtrl+O',
          click: () => {
            void openFastqDialog().then(({ paths }) => {
              if (paths.length > 0 && engine) void engine.handle('qc.start', { paths });
            });
          },
        },
        { type: 'separator' },
        { role: 'quit' },
      ],
    },
    { label: 'Edit', submenu: [{ role: 'copy' }, { role: 'selectAll' }] },
    {
      label: 'View',
      submenu: [{ role: 'resetZoom' }, { role: 'zoomIn' }, { role: 'zoomOut' }, { type: 'separator' }, { role: 'togglefullscreen' }, ...(app.isPackaged ? [] : [{ role: 'toggleDevTools' } as MenuItemConstructorOptions])],
    },
    {
      label: 'Help',
      submenu: [
        {
          label: 'Documentation folder',
          click: () => {
            void shell.openPath(join(root, 'docs'));
          },
        },
      ],
    },
  ];
  Menu.setApplicationMenu(Menu.buildFromTemplate(template));
}

function createWindow(): BrowserWindow {
  const win = new BrowserWindow({
    width: 1400,
    height: 900,
    minWidth: 900,
    minHeight: 600,
    title: 'GenomAIc',
    show: false,
    webPreferences: {
      preload: join(root, 'dist', 'main', 'preload.cjs'),
      contextIsolation: true,
      nodeIntegration: false,
      sandbox: true,
      webSecurity: true,
      spellcheck: false,
      webviewTag: false,
    },
  });
  win.once('ready-to-show', () => win.show());
  // The UI is one page: any navigation or new window is refused.
  win.webContents.on('will-navigate', (event) => event.preventDefault());
  win.webContents.on('will-redirect', (event) => event.preventDefault());
  win.webContents.setWindowOpenHandler(() => ({ action: 'deny' }));
  void win.loadURL(`${APP_ORIGIN}/index.html`);
  return win;
}

app.on('web-contents-created', (_event, contents) => {
  contents.on('will-attach-webview', (event) => event.preventDefault());
});

app.whenReady().then(() => {
  const binding = electronSqliteBinding();
  engine = Engine.open({ dataDir: app.getPath('userData'), host: 'electron', ...(binding ? { nativeBinding: binding } : {}) });
  serveRenderer(engine);
  lockDownSession();
  registerIpc(engine);
  buildMenu();
  mainWindow = createWindow();
  app.on('activate', () => {
    if (BrowserWindow.getAllWindows().length === 0) mainWindow = createWindow();
  });
}, (err: unknown) => {
  dialog.showErrorBox('GenomAIc could not start', err instanceof Error ? err.message : String(err));
  app.quit();
});

app.on('window-all-closed', () => {
  if (process.platform !== 'darwin') app.quit();
});

let closing = false;
app.on('before-quit', (event) => {
  if (closing || !engine) return;
  closing = true;
  event.preventDefault();
  void engine.close().finally(() => app.quit());
});
