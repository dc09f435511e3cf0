import type { HostBridge } from './HostBridge.js';
import { createElectronBridge } from './electronBridge.js';
import { createHttpBridge } from './httpBridge.js';

/** The Electron preload defines `window.genomaic`; without it we are in browser mode. */
export function createHostBridge(): HostBridge {
  const preload = window.genomaic;
  return preload ? createElectronBridge(preload) : createHttpBridge();
}
