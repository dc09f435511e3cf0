/**
 * Electron: the preload exposes exactly `PreloadApi` on `window.genomaic` (context isolation,
 * no Node in the renderer). Requests and events go over IPC; dropped files already have paths.
 */
import type {
  EventChannel,
  EventMap,
  PreloadApi,
  Reply,
  RequestChannel,
  RequestParams,
  RequestResult,
} from '../../../app/contract.ts';
import { type ConnectionState, type HostBridge, HostRequestError, toGenomaicError } from './HostBridge.js';

declare global {
  interface Window {
    genomaic?: PreloadApi;
  }
}

export function createElectronBridge(api: PreloadApi): HostBridge {
  return {
    host: 'electron',
    canOpenDialog: true,

    async request<C extends RequestChannel>(channel: C, params: RequestParams<C>): Promise<RequestResult<C>> {
      let reply: Reply<C>;
      try {
        reply = await api.request(channel, params);
      } catch (err) {
        // IPC itself failed (serialisation, main process gone): still a readable error.
        throw new HostRequestError(channel, toGenomaicError(err));
      }
      if (reply.ok) return reply.result;
      throw new HostRequestError(channel, reply.error);
    },

    subscribe<E extends EventChannel>(event: E, listener: (payload: EventMap[E]) => void): () => void {
      return api.subscribe(event, listener);
    },

    async resolveFiles(files: readonly File[]): Promise<string[]> {
      const paths: string[] = [];
      const withoutPath: string[] = [];
      for (const file of files) {
        const path = api.pathForFile(file);
        if (path) paths.push(path);
        else withoutPath.push(file.name);
      }
      if (withoutPath.length > 0) {
        // Files dragged from another application's memory (not from disk) have no path.
        throw new HostRequestError('resolveFiles', {
          code: 'file-not-found',
          message: `No file on disk for ${withoutPath.join(', ')}. Save it to a folder first, then drop it from there.`,
          file: withoutPath[0],
        });
      }
      return paths;
    },

    onConnectionChange(_listener: (state: ConnectionState) => void): () => void {
      // IPC does not drop events, so the connection never changes.
      return () => undefined;
    },
  };
}
