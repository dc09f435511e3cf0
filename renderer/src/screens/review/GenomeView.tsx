import { useEffect, useRef, useState } from 'react';
import type { ReviewWorkspace, UserTrack } from '../../../../app/contract.ts';

/**
 * The genome view: igv.js, offline. `loadDefaultGenomes: false` keeps igv.js from fetching its
 * genome list, and every URL it gets is one of the host's `files/…` URLs (Range-served, same
 * origin), so nothing leaves the machine. Tracks: the run's reference, reads (BAM), calls
 * (VCF), abstention regions (as regions of interest with their reasons, and as a labelled
 * track), and the user's own tracks.
 *
 * igv.js is loaded on first use (it is large) and typed here by the few calls we make.
 */

interface IgvTrack {
  type?: string;
  name?: string;
  setHighlightedReads?(readNames: string[], color: string): void;
  repaintViews?(): void;
}

interface IgvBrowser {
  search(locus: string): Promise<unknown> | unknown;
  findTracks(predicate: (track: IgvTrack) => boolean): IgvTrack[];
  loadTrack(config: Record<string, unknown>): Promise<unknown>;
  removeTrackByName(name: string): void;
  on(event: 'locuschange', handler: (loci: { getLocusString?: () => string }[]) => void): void;
}

interface IgvModule {
  createBrowser(container: HTMLElement, config: Record<string, unknown>): Promise<IgvBrowser>;
  removeBrowser(browser: IgvBrowser): void;
}

export const READS_TRACK = 'Reads';
export const CALLS_TRACK = 'Calls';
export const ABSTENTION_TRACK = 'Abstention regions';

/** Abstentions: amber regions of interest; supporting reads outlined in the accent colour. */
const ABSTENTION_COLOR = 'rgba(230, 140, 0, 0.22)';
export const HIGHLIGHT_COLOR = { supporting: '#d9480f', opposing: '#1c7ed6' } as const;

function absolute(url: string): string {
  return new URL(url, document.baseURI).href;
}

function userTrackName(track: UserTrack): string {
  return `${track.name} (${track.id.slice(0, 4)})`;
}

export function userTrackConfig(track: UserTrack): Record<string, unknown> {
  const url = absolute(track.url);
  const index = track.indexUrl ? { indexURL: absolute(track.indexUrl), indexed: true } : { indexed: false };
  const name = userTrackName(track);
  switch (track.format) {
    case 'bigwig':
      return { type: 'wig', format: 'bigwig', url, name };
    case 'bedgraph':
      return { type: 'wig', format: 'bedgraph', url, name, ...index };
    case 'bed':
      return { type: 'annotation', format: 'bed', url, name, ...index };
    case 'vcf':
      return { type: 'variant', format: 'vcf', url, name, ...index };
  }
}

export function igvConfig(workspace: ReviewWorkspace, locus: string | null): Record<string, unknown> {
  const { urls } = workspace;
  return {
    // Offline: no genome list from the network, no Google/OAuth, no session URL.
    loadDefaultGenomes: false,
    queryParametersSupported: false,
    showCircularViewButton: false,
    showSVGButton: false,
    reference: {
      id: workspace.sample,
      name: `Reference (${workspace.contigs.map((c) => c.name).join(', ').slice(0, 40)})`,
      fastaURL: absolute(urls.reference),
      indexURL: absolute(urls.referenceIndex),
      ...(urls.referenceGzi ? { compressedIndexURL: absolute(urls.referenceGzi) } : {}),
      tracks: [],
    },
    // No web service lookups: an unresolved name must not become a request to igv.org.
    search: false,
    // A range, never a bare name: igv.js searches names it cannot parse as a locus.
    locus: locus ?? (workspace.contigs[0] ? `${workspace.contigs[0].name}:1-${Math.min(workspace.contigs[0].length, 200)}` : undefined),
    roi: [
      {
        name: 'Abstentions',
        color: ABSTENTION_COLOR,
        features: workspace.abstentions.map((a) => ({
          chr: a.contig,
          start: a.start,
          end: a.end,
          name: `${a.reason}: ${workspace.abstainReasonText[a.reason] ?? ''}`,
        })),
      },
    ],
    tracks: [
      { type: 'annotation', format: 'bed', name: ABSTENTION_TRACK, url: absolute(urls.abstentionBed), indexed: false, displayMode: 'EXPANDED', color: '#c77700', height: 40 },
      { type: 'variant', format: 'vcf', name: CALLS_TRACK, url: absolute(urls.vcf), indexURL: absolute(urls.vcfIndex), displayMode: 'EXPANDED', height: 60 },
      {
        type: 'alignment',
        format: 'bam',
        name: READS_TRACK,
        url: absolute(urls.bam),
        indexURL: absolute(urls.bamIndex),
        height: 420,
        colorBy: 'strand',
        showSoftClips: false,
      },
      ...workspace.userTracks.map(userTrackConfig),
    ],
  };
}

export interface GenomeViewProps {
  workspace: ReviewWorkspace;
  /** igv.js locus string, e.g. 'q:9751-9831'; null keeps the current view. */
  locus: string | null;
  /** Bumped to move back to `locus` even when it has not changed. */
  recentre: number;
  highlightedReads: string[];
  highlightColor: string;
}

type ViewState = { kind: 'loading' } | { kind: 'ready' } | { kind: 'error'; message: string };

export function GenomeView({ workspace, locus, recentre, highlightedReads, highlightColor }: GenomeViewProps) {
  const container = useRef<HTMLDivElement>(null);
  const browserRef = useRef<IgvBrowser | null>(null);
  const loadedUserTracks = useRef(new Map<string, string>());
  const initialLocus = useRef(locus);
  const [state, setState] = useState<ViewState>({ kind: 'loading' });
  const [currentLocus, setCurrentLocus] = useState('');
  const [trackError, setTrackError] = useState<string | null>(null);

  // One igv.js browser per run.
  useEffect(() => {
    const element = container.current;
    if (!element) return;
    let cancelled = false;
    let browser: IgvBrowser | null = null;
    let igvModule: IgvModule | null = null;
    setState({ kind: 'loading' });
    void (async () => {
      try {
        igvModule = (await import('igv')).default as unknown as IgvModule;
        if (cancelled) return;
        browser = await igvModule.createBrowser(element, igvConfig(workspace, initialLocus.current));
        if (cancelled) {
          igvModule.removeBrowser(browser);
          return;
        }
        browserRef.current = browser;
        loadedUserTracks.current = new Map(workspace.userTracks.map((t) => [t.id, userTrackName(t)]));
        browser.on('locuschange', (loci) => setCurrentLocus(loci[0]?.getLocusString?.() ?? ''));
        setState({ kind: 'ready' });
      } catch (err) {
        if (!cancelled) setState({ kind: 'error', message: err instanceof Error ? err.message : String(err) });
      }
    })();
    return () => {
      cancelled = true;
      if (browser && igvModule) igvModule.removeBrowser(browser);
      browserRef.current = null;
    };
    // The browser is rebuilt only for another run; tracks and locus are updated in place below.
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [workspace.runId]);

  useEffect(() => {
    const browser = browserRef.current;
    if (state.kind !== 'ready' || !browser || !locus) return;
    void Promise.resolve(browser.search(locus)).then(() => setCurrentLocus(locus));
  }, [state.kind, locus, recentre]);

  useEffect(() => {
    const browser = browserRef.current;
    if (state.kind !== 'ready' || !browser) return;
    for (const track of browser.findTracks((t) => t.type === 'alignment')) {
      track.setHighlightedReads?.(highlightedReads, highlightColor);
      track.repaintViews?.();
    }
  }, [state.kind, highlightedReads, highlightColor]);

  // User tracks added or removed after the browser was built.
  useEffect(() => {
    const browser = browserRef.current;
    if (state.kind !== 'ready' || !browser) return;
    const loaded = loadedUserTracks.current;
    const wanted = new Map(workspace.userTracks.map((t) => [t.id, t]));
    for (const [id, name] of [...loaded]) {
      if (!wanted.has(id)) {
        browser.removeTrackByName(name);
        loaded.delete(id);
      }
    }
    for (const track of workspace.userTracks) {
      if (loaded.has(track.id)) continue;
      loaded.set(track.id, userTrackName(track));
      browser.loadTrack(userTrackConfig(track)).catch((err: unknown) => {
        loaded.delete(track.id);
        setTrackError(`${track.name} (${track.path}): ${err instanceof Error ? err.message : String(err)}`);
      });
    }
  }, [state.kind, workspace.userTracks]);

  return (
    <section className="genome-view" aria-label="Genome view" data-testid="genome-view" data-state={state.kind} data-locus={currentLocus}>
      {state.kind === 'loading' ? (
        <p className="muted genome-status" role="status">
          Loading the genome view…
        </p>
      ) : null}
      {state.kind === 'error' ? (
        <p className="genome-status error-message" role="alert" data-testid="genome-error">
          The genome view could not load: {state.message}
        </p>
      ) : null}
      {trackError ? (
        <p className="genome-status error-message" role="alert" data-testid="track-error">
          A track could not be shown: {trackError}
        </p>
      ) : null}
      <div ref={container} className="igv-host" />
    </section>
  );
}
