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
import './styles/base.css';
import './styles/layout.css';
import './styles/components.css';
import './styles/run.css';
import './styles/plots.css';

initTheme();

const container = document.getElementById('root');
if (!container) throw new Error('index.html has no #root element');

const store = createAppStore(createHostBridge(), routeFromHash(window.location.hash));

createRoot(container).render(
  <StrictMode>
    <AppStoreProvider store={store}>
      <App store={store} />
    </AppStoreProvider>
  </StrictMode>,
);
