/**
 * Where the renderer lives. Packaged and `npm start` builds are served from a custom scheme
 * (`candor://app/…`, Electron security checklist item 18: no `file://`), which gives the page a
 * real origin, lets main attach the CSP header itself and limits what the page can load to the
 * renderer's own folder. A Vite dev server on loopback is accepted only in unpackaged runs.
 */
export const APP_SCHEME = 'candor';
export const APP_HOST = 'app';
export const APP_ENTRY = `${APP_SCHEME}://${APP_HOST}/index.html`;

/** Screens main can open directly (tray items); the renderer reads them from `location.hash`. */
export type View = 'home' | 'preview' | 'history';

const VIEW_HASH: Record<View, string> = { home: '', preview: '#/preview', history: '#/history' };

/** The renderer's origin: `null` for the packaged scheme, the dev server's origin otherwise. */
export interface RendererSource {
  devOrigin: string | null;
}

export function viewUrl(view: View, source: RendererSource): string {
  const base = source.devOrigin ? `${source.devOrigin}/` : APP_ENTRY;
  return base + VIEW_HASH[view];
}

/** Node's URL gives non-special schemes an opaque origin, so compare scheme and host instead. */
export function isAppUrl(url: string, source: RendererSource): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (parsed.protocol === `${APP_SCHEME}:` && parsed.host.toLowerCase() === APP_HOST && !parsed.username && !parsed.password) return true;
  return source.devOrigin !== null && parsed.origin === source.devOrigin;
}

/**
 * `CANDOR_RENDERER_URL=http://localhost:5173` points an unpackaged run at a Vite dev server.
 * Anything else (packaged app, non-loopback host, https, paths) is ignored: no remote content.
 */
export function devServerOrigin(env: Record<string, string | undefined>, isPackaged: boolean): string | null {
  const raw = env.CANDOR_RENDERER_URL;
  if (isPackaged || !raw) return null;
  try {
    const url = new URL(raw);
    const loopback = url.hostname === 'localhost' || url.hostname === '127.0.0.1' || url.hostname === '[::1]';
    return url.protocol === 'http:' && loopback && !url.username && !url.password ? url.origin : null;
  } catch {
    return null;
  }
}
