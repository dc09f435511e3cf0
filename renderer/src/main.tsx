/**
 * Renderer entry. Picks the host transport (Electron preload or browser mode), builds the
 * store around it and mounts the app. Styles are imported (emitted as .css files by Vite)
 * because the CSP forbids inline <style>.
 */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { createHostBridge } from './bridge/createBridge.js';
import { createAppStore } from './store/appStore.js';
import { AppStoreProvider } from './store/StoreContext.js';
import { routeFromHash } from './navigation/route.js';
import { initTheme } from './theme/theme.js';
import { App } from './App.js';
import { createReviewStore, type ReviewerMemory } from './store/reviewStore.js';
import { ReviewStoreProvider } from './store/ReviewStoreContext.js';
import './styles/base.css';
import './styles/layout.css';
import './styles/components.css';
import './styles/run.css';
import './styles/plots.css';
import './styles/review.css';

initTheme();

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');

const bridge = createHostBridge();
const store = createAppStore(bridge, routeFromHash(window.location.hash));

/** The reviewer's name, remembered on this computer so each review does not ask again. */
const reviewerMemory: ReviewerMemory = {
  load: () => {
    try {
      return localStorage.getItem('genomaic.reviewer') ?? '';
    } catch {
      return '';
    }
  },
  save: (name) => {
    try {
      localStorage.setItem('genomaic.reviewer', name);
    } catch {
      // Not remembered, but still used for this session.
    }
  },
};
const reviewStore = createReviewStore(bridge, {
  reportError: (action, thrown) => store.getState().reportError(action, thrown),
  reviewerMemory,
  onRunsChanged: () => void store.getState().refreshRuns(),
});
// Reviews made in another window (or by this one) keep every open table current.
bridge.subscribe('review.updated', (outcome) => reviewStore.getState().applyReviewOutcome(outcome));

createRoot(container).render(
  <StrictMode>
    <AppStoreProvider store={store}>
      <ReviewStoreProvider store={reviewStore}>
        <App store={store} />
      </ReviewStoreProvider>
    </AppStoreProvider>
  </StrictMode>,
);
