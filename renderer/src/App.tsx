import { useEffect, useRef } from 'react';
import type { StoreApi } from 'zustand/vanilla';
import type { AppStore } from './store/appStore.js';
import { useApp } from './store/StoreContext.js';
import { useHashRoute } from './hooks/useHashRoute.js';
import { useWindowFileDrop } from './hooks/useWindowFileDrop.js';
import { Header } from './components/Header.js';
import { ErrorBanners } from './components/ErrorBanners.js';
import { DropOverlay } from './components/DropOverlay.js';
import { TransferStatus } from './components/TransferStatus.js';
import { HomeScreen } from './screens/home/HomeScreen.js';
import { RunsList } from './screens/runs/RunsList.js';
import { NewRunPanel } from './screens/home/NewRunPanel.js';
import { RunView } from './screens/run/RunView.js';

/**
 * Layout: header; a side panel to start runs and pick one; the current screen (home or a run).
 * Files can be dropped anywhere in the window, on any screen.
 */
export function App({ store }: { store: StoreApi<AppStore> }) {
  const route = useApp((s) => s.route);
  const connect = useApp((s) => s.connect);
  const startFromFiles = useApp((s) => s.startFromFiles);
  const main = useRef<HTMLElement>(null);

  useEffect(() => connect(), [connect]);
  useHashRoute(store);
  const dragging = useWindowFileDrop((files) => void startFromFiles(files));

  return (
    <div className="app">
      <a
        className="skip-link"
        href="#main"
        onClick={(event) => {
          // The hash holds the route, so move focus instead of following the link.
          event.preventDefault();
          main.current?.focus();
        }}
      >
        Skip to content
      </a>
      <Header />
      <div className="app-body">
        <aside className="side-panel">
          <NewRunPanel />
          <RunsList />
        </aside>
        <main ref={main} id="main" className="app-main" tabIndex={-1}>
          <ErrorBanners />
          <TransferStatus />
          {route.screen === 'run' ? <RunView key={route.runId} runId={route.runId} /> : <HomeScreen dragging={dragging} />}
        </main>
      </div>
      <DropOverlay visible={dragging} />
    </div>
  );
}
