import { useEffect } from 'react';
import type { StoreApi } from 'zustand/vanilla';
import type { AppStore } from '../store/appStore.js';
import { hashForRoute, routeFromHash } from '../navigation/route.js';

/**
 * Keeps the store's route and the URL hash in step: navigating in the app adds a history
 * entry, and back/forward (or an edited hash) navigates the app.
 */
export function useHashRoute(store: StoreApi<AppStore>): void {
  useEffect(() => {
    const onHashChange = (): void => store.getState().navigate(routeFromHash(window.location.hash));
    window.addEventListener('hashchange', onHashChange);
    const unsubscribe = store.subscribe((state, previous) => {
      if (state.route === previous.route) return;
      const hash = hashForRoute(state.route);
      if (window.location.hash !== hash) window.location.hash = hash;
    });
    return () => {
      window.removeEventListener('hashchange', onHashChange);
      unsubscribe();
    };
  }, [store]);
}
