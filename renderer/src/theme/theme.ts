/**
 * Light/dark theme. Follows the system (prefers-color-scheme) until the user picks one; the
 * pick is remembered in localStorage. The theme is a `data-theme` attribute on <html> that
 * the CSS variables key on.
 */
import { useCallback, useSyncExternalStore } from 'react';

export type Theme = 'light' | 'dark';

const STORAGE_KEY = 'genomaic.theme';
const DARK_QUERY = '(prefers-color-scheme: dark)';

function storedTheme(): Theme | null {
  try {
    const value = localStorage.getItem(STORAGE_KEY);
    return value === 'light' || value === 'dark' ? value : null;
  } catch {
    // Storage can be unavailable (privacy settings); the system preference still works.
    return null;
  }
}

function systemTheme(): Theme {
  return window.matchMedia(DARK_QUERY).matches ? 'dark' : 'light';
}

export function effectiveTheme(): Theme {
  return storedTheme() ?? systemTheme();
}

const listeners = new Set<() => void>();

function apply(): void {
  document.documentElement.dataset.theme = effectiveTheme();
  for (const listener of [...listeners]) listener();
}

/** Call once before the first render so the first paint already has the right colours. */
export function initTheme(): void {
  apply();
  window.matchMedia(DARK_QUERY).addEventListener('change', () => {
    if (storedTheme() === null) apply();
  });
  // Another window of the app changed the choice.
  window.addEventListener('storage', (event) => {
    if (event.key === STORAGE_KEY) apply();
  });
}

export function setTheme(theme: Theme): void {
  try {
    localStorage.setItem(STORAGE_KEY, theme);
  } catch {
    // Not persisted, but still applied for this session.
  }
  document.documentElement.dataset.theme = theme;
  for (const listener of [...listeners]) listener();
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => {
    listeners.delete(listener);
  };
}

function snapshot(): Theme {
  return document.documentElement.dataset.theme === 'dark' ? 'dark' : 'light';
}

export function useTheme(): [Theme, () => void] {
  const theme = useSyncExternalStore(subscribe, snapshot);
  const toggle = useCallback(() => setTheme(snapshot() === 'dark' ? 'light' : 'dark'), []);
  return [theme, toggle];
}
