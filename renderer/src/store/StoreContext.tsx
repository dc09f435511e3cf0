import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { AppStore } from './appStore.js';

const AppStoreContext = createContext<StoreApi<AppStore> | null>(null);

export function AppStoreProvider({ store, children }: { store: StoreApi<AppStore>; children: ReactNode }) {
  return <AppStoreContext.Provider value={store}>{children}</AppStoreContext.Provider>;
}

/**
 * Reads from the app store. Selectors must return stored values or primitives (not new
 * objects or arrays), or React would re-render forever; derive in the component instead.
 */
export function useApp<T>(selector: (state: AppStore) => T): T {
  const store = useContext(AppStoreContext);
  if (!store) throw new Error('useApp outside AppStoreProvider');
  return useStore(store, selector);
}
