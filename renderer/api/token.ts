/**
 * The per-run secret of `candor serve`. The server prints `http://127.0.0.1:PORT/#token=…`; the
 * fragment never reaches the server or any log. The page reads it once, removes it from the address
 * bar (so it is not bookmarked, shared in a screenshot, or kept in history) and keeps it in this
 * tab's sessionStorage so a reload still works. A new run of `candor serve` makes a new secret.
 */
const KEY = 'candor.token';
const TOKEN = /^[A-Za-z0-9_-]{16,128}$/;

interface LocationLike {
  href: string;
}
interface HistoryLike {
  replaceState(data: unknown, unused: string, url?: string | URL | null): void;
}
interface StorageLike {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
}

export function takeToken(location: LocationLike, history: HistoryLike | null, storage: StorageLike | null): string | null {
  const url = new URL(location.href);
  // `#token=…` or `#/history?token=…` (a screen, then the secret).
  const fragment = url.hash.replace(/^#\/?/, '');
  const question = fragment.indexOf('?');
  const route = question === -1 ? (fragment.includes('=') ? '' : fragment) : fragment.slice(0, question);
  const hash = new URLSearchParams(question === -1 ? fragment : fragment.slice(question + 1));
  const fromUrl = hash.get('token') ?? url.searchParams.get('token');
  if (fromUrl !== null) {
    url.searchParams.delete('token');
    url.hash = `#/${route}`;
    try {
      history?.replaceState(null, '', url.pathname + url.search + url.hash);
    } catch {
      // file:// or a sandboxed frame: nothing to clean up
    }
    if (TOKEN.test(fromUrl)) {
      try {
        storage?.setItem(KEY, fromUrl);
      } catch {
        // storage disabled: the token still works until the page is reloaded
      }
      return fromUrl;
    }
    return null;
  }
  try {
    const stored = storage?.getItem(KEY) ?? null;
    return stored !== null && TOKEN.test(stored) ? stored : null;
  } catch {
    return null;
  }
}
