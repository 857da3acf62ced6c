import { readFile } from 'node:fs/promises';
import path from 'node:path';
import type { CustomScheme } from 'electron';
import { APP_HOST, APP_SCHEME } from '../pure/app-origin';

/**
 * Serves the built renderer on `candor://app/` (instead of `file://`, checklist item 18): only
 * files under the renderer folder, only known file types, every response with the CSP header.
 */

/** Registered before `ready`: a standard, secure scheme gets a real origin, so `'self'` and ES modules work. */
export const APP_SCHEME_PRIVILEGES: CustomScheme = { scheme: APP_SCHEME, privileges: { standard: true, secure: true, supportFetchAPI: true } };

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.webp': 'image/webp',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

/** Shown when `dist/renderer` has not been built yet, instead of a blank window. */
const NOT_BUILT_PAGE = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Candor</title></head>
<body><h1>Candor's window has not been built</h1><p>Run <code>npm run build</code>, then start Candor again.
The agent is running: the tray menu and <code>npx candor status</code> work meanwhile.</p></body></html>`;

export type ProtocolHandler = (request: Request) => Promise<Response>;

export function createAppProtocolHandler(rootDir: string, csp: string): ProtocolHandler {
  const root = path.resolve(rootDir);
  const headers = (contentType: string): Record<string, string> => ({
    'content-type': contentType,
    'content-security-policy': csp,
    'x-content-type-options': 'nosniff',
    'cache-control': 'no-cache',
  });
  const fail = (status: number): Response => new Response(null, { status, headers: headers('text/plain; charset=utf-8') });

  return async (request) => {
    if (request.method !== 'GET' && request.method !== 'HEAD') return fail(405);
    let url: URL;
    let pathname: string;
    try {
      url = new URL(request.url);
      pathname = decodeURIComponent(url.pathname);
    } catch {
      return fail(400);
    }
    if (url.protocol !== `${APP_SCHEME}:` || url.host !== APP_HOST || pathname.includes('\0')) return fail(404);
    const file = path.resolve(root, `.${pathname === '/' ? '/index.html' : pathname}`);
    // Resolving first, then requiring the root as a prefix, defeats `..` and encoded traversal.
    if (!file.startsWith(root + path.sep)) return fail(404);
    const contentType = CONTENT_TYPES[path.extname(file).toLowerCase()];
    if (!contentType) return fail(404);
    try {
      const body = await readFile(file);
      return new Response(request.method === 'HEAD' ? null : body, { status: 200, headers: headers(contentType) });
    } catch {
      if (file === path.join(root, 'index.html')) return new Response(NOT_BUILT_PAGE, { status: 200, headers: headers(CONTENT_TYPES['.html']!) });
      return fail(404);
    }
  };
}
