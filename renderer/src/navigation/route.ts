/**
 * Where the user is. Kept in the URL hash ('#/runs/<id>') so reload, back and forward work the
 * same from file:// (Electron) and from the local server, without a router library.
 */
export type Route = { screen: 'home' } | { screen: 'run'; runId: string };

export const HOME: Route = { screen: 'home' };

export function routeFromHash(hash: string): Route {
  const match = /^#\/runs\/([^/?#]+)$/.exec(hash);
  if (match?.[1]) {
    try {
      return { screen: 'run', runId: decodeURIComponent(match[1]) };
    } catch {
      return HOME;
    }
  }
  return HOME;
}

export function hashForRoute(route: Route): string {
  return route.screen === 'run' ? `#/runs/${encodeURIComponent(route.runId)}` : '#/';
}

export function sameRoute(a: Route, b: Route): boolean {
  if (a.screen === 'run' && b.screen === 'run') return a.runId === b.runId;
  return a.screen === b.screen;
}
