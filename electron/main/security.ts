import type { Session, WebPreferences } from 'electron';
import type { Logger } from '../../core/platform';
import { isAppUrl, type RendererSource } from '../pure/app-origin';
import { allowedExternalUrl } from '../pure/external-links';

/**
 * The Electron security checklist as small pieces main applies to every web contents and the
 * session. Each receives the Electron objects it touches, so tests drive them with stand-ins.
 */

/** Web preferences for every window: isolated, sandboxed, no Node, no webview, nothing remote. */
export function secureWebPreferences(preload: string, options: { devTools: boolean }): WebPreferences {
  return {
    preload,
    contextIsolation: true,
    sandbox: true,
    nodeIntegration: false,
    nodeIntegrationInWorker: false,
    nodeIntegrationInSubFrames: false,
    webviewTag: false,
    webSecurity: true,
    allowRunningInsecureContent: false,
    experimentalFeatures: false,
    navigateOnDragDrop: false,
    safeDialogs: true,
    // Chromium's spellchecker downloads dictionaries from Google: no remote content.
    spellcheck: false,
    // Middle-click would open new windows; window.open is denied anyway, this removes the path.
    disableBlinkFeatures: 'Auxclick',
    devTools: options.devTools,
  };
}

export interface ExternalOpener {
  openExternal(url: string): Promise<void>;
}

/** Opens an allowlisted http(s) link in the user's browser; drops anything else. */
export function openExternalIfAllowed(shell: ExternalOpener, url: unknown, logger: Logger): boolean {
  const allowed = allowedExternalUrl(url);
  if (!allowed) {
    logger.log('warn', 'blocked a link to a page outside the allowlist');
    return false;
  }
  shell.openExternal(allowed).catch(() => logger.log('warn', 'the browser could not be opened'));
  return true;
}

export interface NavigationEvent {
  url: string;
  preventDefault(): void;
}

/** The parts of `WebContents` the guards use; the real class satisfies it (checked in main.ts). */
export interface GuardedContents {
  on(event: 'will-navigate', listener: (event: NavigationEvent) => void): unknown;
  on(event: 'will-frame-navigate', listener: (event: NavigationEvent) => void): unknown;
  on(event: 'will-redirect', listener: (event: NavigationEvent) => void): unknown;
  on(event: 'will-attach-webview', listener: (event: { preventDefault(): void }) => void): unknown;
  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' }): void;
}

/**
 * Denies every navigation away from the app, every redirect, every new window and every webview.
 * An allowlisted link the user clicked opens in the browser instead.
 */
export function guardWebContents(contents: GuardedContents, source: RendererSource, shell: ExternalOpener, logger: Logger): void {
  const denyOutside = (event: NavigationEvent): boolean => {
    if (isAppUrl(event.url, source)) return false;
    event.preventDefault();
    return true;
  };
  // Only the top frame's navigation may turn into a browser tab (a clicked link); will-frame-navigate
  // also fires for the top frame, so it only denies, or one click would open the page twice.
  contents.on('will-navigate', (event) => {
    if (denyOutside(event)) openExternalIfAllowed(shell, event.url, logger);
  });
  contents.on('will-frame-navigate', denyOutside);
  contents.on('will-redirect', denyOutside);
  contents.on('will-attach-webview', (event) => event.preventDefault());
  contents.setWindowOpenHandler(({ url }) => {
    openExternalIfAllowed(shell, url, logger);
    return { action: 'deny' };
  });
}

export type HardenedSession = Pick<Session, 'setPermissionRequestHandler' | 'setPermissionCheckHandler' | 'setDevicePermissionHandler'> & {
  webRequest: Pick<Session['webRequest'], 'onBeforeRequest' | 'onHeadersReceived'>;
};

/** Schemes that reach the network or the disk; the renderer may use none of them (its data comes over IPC). */
const NETWORK_SCHEMES = new Set(['http:', 'https:', 'ws:', 'wss:', 'ftp:', 'file:']);

/** Whether the renderer's session may load `url`: app files, DevTools, data/blob; the dev server only in dev. */
export function isAllowedRequest(url: string, source: RendererSource): boolean {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return false;
  }
  if (!NETWORK_SCHEMES.has(parsed.protocol)) return true;
  if (!source.devOrigin) return false;
  const dev = new URL(source.devOrigin);
  return parsed.host === dev.host && (parsed.protocol === 'http:' || parsed.protocol === 'ws:');
}

/**
 * Session-wide: every permission request and check is refused, nothing outside the app is
 * loaded, and in dev the CSP header is added to the dev server's responses (packaged runs get
 * it from the protocol handler).
 */
export function hardenSession(session: HardenedSession, source: RendererSource, csp: string, logger: Logger): void {
  session.setPermissionRequestHandler((_contents, _permission, callback) => callback(false));
  session.setPermissionCheckHandler(() => false);
  session.setDevicePermissionHandler(() => false);
  session.webRequest.onBeforeRequest((details, callback) => {
    const allowed = isAllowedRequest(details.url, source);
    if (!allowed) logger.log('warn', 'blocked a request from the window to a remote address');
    callback({ cancel: !allowed });
  });
  if (source.devOrigin) {
    const devOrigin = source.devOrigin;
    session.webRequest.onHeadersReceived((details, callback) => {
      const fromDev = details.url.startsWith(`${devOrigin}/`) || details.url === devOrigin;
      callback(fromDev ? { responseHeaders: { ...details.responseHeaders, 'Content-Security-Policy': [csp] } } : {});
    });
  }
}
