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
import { RunView } from './screens/run/RunView.js';

/** Layout: header, runs on the side, the current screen in the middle; files drop anywhere. */
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
        <RunsList />
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
