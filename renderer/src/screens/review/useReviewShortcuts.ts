import { useEffect, useRef } from 'react';
import type { StoreApi } from 'zustand/vanilla';
import type { ReviewStore } from '../../store/reviewStore.js';

export interface ShortcutHandlers {
  toggleShortcuts(): void;
  closeOverlays(): void;
  recentre(): void;
  focusFilters(): void;
  focusNote(): void;
  /** False while a dialog owns the keyboard. */
  enabled: boolean;
}

/** Typing in a field (or igv.js's locus box) must not trigger shortcuts. */
function isTextEntry(target: EventTarget | null): boolean {
  if (!(target instanceof HTMLElement)) return false;
  const tag = target.tagName;
  return tag === 'INPUT' || tag === 'TEXTAREA' || tag === 'SELECT' || target.isContentEditable;
}

/**
 * The review screen's keyboard shortcuts (listed in reviewLabels.ts, the '?' overlay and
 * docs/shortcuts.md). One window-level listener, reading the store at key time, so the
 * shortcuts work wherever focus is except in text fields.
 */
export function useReviewShortcuts(store: StoreApi<ReviewStore>, handlers: ShortcutHandlers): void {
  const latest = useRef(handlers);
  useEffect(() => {
    latest.current = handlers;
  });

  useEffect(() => {
    const onKey = (event: KeyboardEvent): void => {
      const h = latest.current;
      if (!h.enabled || event.ctrlKey || event.metaKey || event.altKey) return;
      // Shortcuts live in the light DOM; igv.js's own inputs sit in its shadow root.
      const target = event.composedPath()[0] ?? event.target;
      if (event.key === 'Escape') {
        h.closeOverlays();
        if (isTextEntry(target) && target instanceof HTMLElement) target.blur();
        return;
      }
      if (isTextEntry(target)) return;
      const s = store.getState();
      const note = (): string => document.querySelector<HTMLTextAreaElement>('[data-shortcut-target="note"]')?.value ?? '';
      const actions: Record<string, () => void> = {
        j: () => void s.selectNext(),
        ArrowDown: () => void s.selectNext(),
        k: () => void s.selectPrevious(),
        ArrowUp: () => void s.selectPrevious(),
        Home: () => void s.selectFirst(),
        End: () => void s.selectLast(),
        a: () => void s.review('accepted', note()),
        r: () => void s.review('rejected', note()),
        u: () => void s.review('uncertain', note()),
        n: () => h.focusNote(),
        h: () => s.toggleHighlight(),
        g: () => h.recentre(),
        f: () => h.focusFilters(),
        e: () => void s.exportFile('vcf'),
        '?': () => h.toggleShortcuts(),
      };
      const action = actions[event.key];
      if (!action) return;
      event.preventDefault();
      action();
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [store]);
}
