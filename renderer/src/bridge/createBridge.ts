import type { HostBridge } from './HostBridge.ts';
import { createElectronBridge } from './electronBridge.ts';
import { createHttpBridge } from './httpBridge.ts';

/** The Electron preload defines `window.genomaic`; without it we are in browser mode. */
export function createHostBridge(): HostBridge {
  const preload = window.genomaic;
  return preload ? createElectronBridge(preload) : createHttpBridge();
}
