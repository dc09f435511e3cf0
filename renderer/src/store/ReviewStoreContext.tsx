import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { StoreApi } from 'zustand/vanilla';
import type { ReviewStore } from './reviewStore.js';

const ReviewStoreContext = createContext<StoreApi<ReviewStore> | null>(null);

export function ReviewStoreProvider({ store, children }: { store: StoreApi<ReviewStore>; children: ReactNode }) {
  return <ReviewStoreContext.Provider value={store}>{children}</ReviewStoreContext.Provider>;
}

/** Reads from the review store; as `useApp`, selectors return stored values, not new objects. */
export function useReview<T>(selector: (state: ReviewStore) => T): T {
  const store = useContext(ReviewStoreContext);
  if (!store) throw new Error('useReview outside ReviewStoreProvider');
  return useStore(store, selector);
}

/** The store itself, for event handlers that read the latest state without subscribing. */
export function useReviewStoreApi(): StoreApi<ReviewStore> {
  const store = useContext(ReviewStoreContext);
  if (!store) throw new Error('useReviewStoreApi outside ReviewStoreProvider');
  return store;
}
