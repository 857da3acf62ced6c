import { useEffect, useState } from 'react';

/**
 * Three screens, addressed by the URL fragment (`#/history`), so Back works and a screen can be
 * linked. Works the same from file:// (Electron) and from the loopback server.
 */
export type Route = 'preview' | 'history' | 'settings';
export const ROUTES: readonly Route[] = ['preview', 'history', 'settings'];

export function parseRoute(hash: string): Route {
  const name = hash.replace(/^#\/?/, '').split(/[/?]/)[0] ?? '';
  return (ROUTES as readonly string[]).includes(name) ? (name as Route) : 'preview';
}

export function useRoute(): Route {
  const [route, setRoute] = useState<Route>(() => parseRoute(window.location.hash));
  useEffect(() => {
    const onChange = () => setRoute(parseRoute(window.location.hash));
    window.addEventListener('hashchange', onChange);
    return () => window.removeEventListener('hashchange', onChange);
  }, []);
  return route;
}

export function hrefFor(route: Route): string {
  return `#/${route}`;
}
