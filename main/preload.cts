/**
 * The preload: the only bridge between the sandboxed page and the host. It exposes exactly
 * the contract's PreloadApi. Sandboxed preloads may require nothing but 'electron', so the
 * channel names are repeated here (they match IPC_REQUEST/IPC_EVENT in app/contract.ts).
 */
import electron = require('electron');
import type { EventChannel, EventFrame, EventMap, PreloadApi, Reply, RequestChannel, RequestParams } from '../app/contract.js';

const { contextBridge, ipcRenderer, webUtils } = electron;
const REQUEST = 'genomaic:request';
const EVENT = 'genomaic:event';

const api: PreloadApi = {
  request<C extends RequestChannel>(channel: C, params: RequestParams<C>): Promise<Reply<C>> {
    return ipcRenderer.invoke(REQUEST, channel, params) as Promise<Reply<C>>;
  },
  subscribe<E extends EventChannel>(event: E, listener: (payload: EventMap[E]) => void): () => void {
    const handler = (_e: unknown, frame: EventFrame): void => {
      if (frame.event === event) listener(frame.payload as EventMap[E]);
    };
    ipcRenderer.on(EVENT, handler);
    return () => {
      ipcRenderer.removeListener(EVENT, handler);
    };
  },
  pathForFile(file: unknown): string {
    return webUtils.getPathForFile(file as Parameters<typeof webUtils.getPathForFile>[0]);
  },
};

contextBridge.exposeInMainWorld('genomaic', api);
