/**
 * Which way the renderer reaches the agent, decided once at start-up. The rest of the UI only
 * ever sees a `CandorApi` and cannot tell the two apart.
 *   - Electron: the preload bridge exposes a `CandorApi`-shaped object as `window.candor` (IPC).
 *   - Anywhere else (`candor serve` in a browser): HTTP to the page's own origin, with the per-run
 *     secret taken from the address the server printed.
 */
import { API_METHODS, ApiError, type CandorApi } from '../../shared/api-contract';
import { createHttpClient, type HttpCandorApi } from './http-client';
import { takeToken } from './token';

export type TransportKind = 'bridge' | 'http';

export interface Transport {
  kind: TransportKind;
  api: CandorApi;
  /** Only the HTTP transport can lose its event stream. */
  link?: HttpCandorApi['onLinkChange'];
}

function looksLikeApi(value: unknown): value is CandorApi {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.subscribe === 'function' && API_METHODS.every((m) => typeof v[m] === 'function');
}

export interface WindowLike {
  candor?: unknown;
  location: { href: string; origin: string };
  history?: { replaceState(data: unknown, unused: string, url?: string | URL | null): void };
  sessionStorage?: { getItem(key: string): string | null; setItem(key: string, value: string): void };
  fetch?: typeof fetch;
}

/**
 * Electron's contextBridge hands the page only an error's message, not its class: rebuild an
 * `ApiError` so the UI shows the agent's own words ("endpoint is set by …") on the desktop too.
 */
export function rebuildBridgeErrors(bridge: CandorApi): CandorApi {
  const api: Record<string, unknown> = { subscribe: (listener: Parameters<CandorApi['subscribe']>[0]) => bridge.subscribe(listener) };
  for (const method of API_METHODS) {
    const call = bridge[method] as (input?: unknown) => Promise<unknown>;
    api[method] = (input?: unknown) =>
      call(input).catch((error: unknown) => {
        if (error instanceof ApiError) throw error;
        throw new ApiError('internal', error instanceof Error && error.message ? error.message : 'Something went wrong while talking to Candor.');
      });
  }
  return api as CandorApi;
}

export function selectTransport(win: WindowLike): Transport {
  if (looksLikeApi(win.candor)) return { kind: 'bridge', api: rebuildBridgeErrors(win.candor) };
  let storage: WindowLike['sessionStorage'] | null = null;
  try {
    storage = win.sessionStorage ?? null;
  } catch {
    storage = null; // access can throw when storage is disabled
  }
  const token = takeToken(win.location, win.history ?? null, storage);
  const client = createHttpClient({ baseUrl: win.location.origin, token, ...(win.fetch ? { fetch: win.fetch.bind(win) } : {}) });
  return { kind: 'http', api: client, link: client.onLinkChange };
}
