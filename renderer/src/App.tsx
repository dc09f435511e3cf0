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
import { RunScreen } from './screens/review/RunScreen.js';
import { OpenAnalysisPanel } from './screens/home/OpenAnalysisPanel.js';
import { AnalyzePanel } from './screens/home/AnalyzePanel.js';
import { useReview } from './store/ReviewStoreContext.js';
import { isTrackFileName } from './store/reviewStore.js';

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
  const reviewRunId = useReview((s) => (s.workspace ? s.runId : null));
  const addTrackFiles = useReview((s) => s.addTrackFiles);
  // On a run under review, dropped tracks (bigWig, bedGraph, BED, VCF) go to its genome view;
  // anything else (FASTQ) starts a run, as on every other screen.
  const dragging = useWindowFileDrop((files) => {
    const onReview = route.screen === 'run' && reviewRunId === route.runId;
    if (onReview && files.every((f) => isTrackFileName(f.name))) void addTrackFiles(files);
    else void startFromFiles(files);
  });

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
          <AnalyzePanel />
          <OpenAnalysisPanel />
          <RunsList />
        </aside>
        <main ref={main} id="main" className="app-main" tabIndex={-1}>
          <ErrorBanners />
          <TransferStatus />
          {route.screen === 'run' ? <RunScreen key={route.runId} runId={route.runId} /> : <HomeScreen dragging={dragging} />}
        </main>
      </div>
      <DropOverlay visible={dragging} />
    </div>
  );
}
