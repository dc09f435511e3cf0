/**
 * Browser mode (`genomaic serve`): requests as POST /api/request, events as Server-Sent Events
 * from /api/events, files uploaded to /api/upload. Authentication is the HttpOnly session
 * cookie the server set when the launch link was opened, so nothing here handles a token.
 */
import type { EventChannel, EventMap, RequestChannel, RequestParams, RequestResult } from '../../../app/contract.ts';
import {
  type ConnectionState,
  type HostBridge,
  HostRequestError,
  type ResolveFilesOptions,
} from './HostBridge.js';
import { ListenerRegistry } from './listenerRegistry.js';
import { interpretReply, interpretUploadResponse, parseEventFrame } from './wire.js';

const UNREACHABLE_MESSAGE = 'Cannot reach the GenomAIc server. Is `genomaic serve` still running?';
/** After the server refuses the stream outright, try again this often (it may be restarting). */
const RECONNECT_AFTER_LOSS_MS = 5000;

async function readJsonBody(response: Response): Promise<unknown> {
  try {
    return (await response.json()) as unknown;
  } catch {
    return null;
  }
}

export function createHttpBridge(): HostBridge {
  const listeners = new ListenerRegistry();
  const connectionListeners = new Set<(state: ConnectionState) => void>();
  let source: EventSource | null = null;
  let connection: ConnectionState | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;

  const setConnection = (next: ConnectionState): void => {
    if (next === connection) return;
    connection = next;
    for (const listener of [...connectionListeners]) listener(next);
  };

  const openStream = (): void => {
    if (source) return;
    const stream = new EventSource('/api/events');
    source = stream;
    stream.onopen = () => setConnection('open');
    stream.onmessage = (message: MessageEvent<string>) => {
      const frame = parseEventFrame(message.data);
      if (frame) listeners.emit(frame.event, frame.payload);
    };
    stream.onerror = () => {
      if (stream.readyState === EventSource.CLOSED) {
        // The server answered with an error status: EventSource gives up, so we retry ourselves.
        stream.close();
        if (source === stream) source = null;
        setConnection('lost');
        if (retryTimer === null) {
          retryTimer = setTimeout(() => {
            retryTimer = null;
            if (listeners.size > 0) openStream();
          }, RECONNECT_AFTER_LOSS_MS);
        }
      } else {
        setConnection('reconnecting');
      }
    };
  };

  const closeStreamIfUnused = (): void => {
    if (listeners.size > 0) return;
    source?.close();
    source = null;
    connection = null;
    if (retryTimer !== null) {
      clearTimeout(retryTimer);
      retryTimer = null;
    }
  };

  return {
    host: 'browser',
    canOpenDialog: false,

    async request<C extends RequestChannel>(channel: C, params: RequestParams<C>): Promise<RequestResult<C>> {
      let response: Response;
      try {
        response = await fetch('/api/request', {
          method: 'POST',
          credentials: 'same-origin',
          headers: { 'Content-Type': 'application/json', Accept: 'application/json' },
          body: JSON.stringify({ channel, params }),
        });
      } catch {
        throw new HostRequestError(channel, { code: 'internal', message: UNREACHABLE_MESSAGE });
      }
      const reply = interpretReply<C>(await readJsonBody(response), response.status);
      if (reply.ok) return reply.result;
      throw new HostRequestError(channel, reply.error);
    },

    subscribe<E extends EventChannel>(event: E, listener: (payload: EventMap[E]) => void): () => void {
      const remove = listeners.add(event, listener);
      openStream();
      return () => {
        remove();
        closeStreamIfUnused();
      };
    },

    async resolveFiles(files: readonly File[], options: ResolveFilesOptions = {}): Promise<string[]> {
      const bytesTotal = files.reduce((sum, file) => sum + file.size, 0);
      const paths: string[] = [];
      let bytesDone = 0;
      // One at a time: the disk is the bottleneck, and per-file progress stays meaningful.
      for (const [fileIndex, file] of files.entries()) {
        options.onProgress?.({ fileIndex, fileCount: files.length, fileName: file.name, bytesDone, bytesTotal });
        let response: Response;
        try {
          response = await fetch(`/api/upload?name=${encodeURIComponent(file.name)}`, {
            method: 'POST',
            credentials: 'same-origin',
            headers: { 'Content-Type': 'application/octet-stream' },
            body: file,
            signal: options.signal ?? null,
          });
        } catch (err) {
          if (err instanceof Error && err.name === 'AbortError') throw err;
          throw new HostRequestError('upload', { code: 'file-unreadable', message: `${UNREACHABLE_MESSAGE} (while uploading ${file.name})`, file: file.name });
        }
        const outcome = interpretUploadResponse(await readJsonBody(response), response.status, file.name);
        if ('error' in outcome) throw new HostRequestError('upload', outcome.error);
        paths.push(outcome.path);
        bytesDone += file.size;
      }
      options.onProgress?.({ fileIndex: files.length, fileCount: files.length, fileName: '', bytesDone, bytesTotal });
      return paths;
    },

    onConnectionChange(listener: (state: ConnectionState) => void): () => void {
      connectionListeners.add(listener);
      return () => {
        connectionListeners.delete(listener);
      };
    },
  };
}
