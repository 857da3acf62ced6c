/**
 * `candor serve`: the built renderer and the `CandorApi` over HTTP, on loopback, for machines
 * without a display.
 *
 * Security model (see docs/ui.md):
 *   - binds to loopback only, unless the caller passes `allowRemote: true` explicitly;
 *   - a random 256-bit secret per run, required as `Authorization: Bearer …` on every API request
 *     (the page learns it from the URL fragment the server prints; fragments never reach the server);
 *   - the Host header must name this server by a loopback name and its port (DNS rebinding);
 *   - cross-site requests are refused by Origin and Sec-Fetch-Site (CSRF); there is no CORS;
 *   - API bodies must be JSON, at most 64 KiB, and pass the contract's input validation;
 *   - strict CSP, nosniff, no-referrer, no framing; errors never echo raw exception text.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import http from 'node:http';
import { isIP, type AddressInfo, type Socket } from 'node:net';
import path from 'node:path';
import { ApiError, dispatch, toEnvelope, type AgentEvent, type ApiErrorCode, type CandorApi } from '../../core/api/contract';
import { isLoopbackHost } from '../../core/net';
import type { Logger } from '../../core/platform';

export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

/** Largest API request body accepted. The largest legitimate input (approveFields) is far smaller. */
export const MAX_BODY_BYTES = 64 * 1024;
/** Concurrent event streams; more are refused (a page holds one). */
export const MAX_EVENT_STREAMS = 32;
const HEARTBEAT_MS = 15_000;

export type ServeErrorCode = 'port-in-use' | 'permission-denied' | 'not-loopback' | 'bad-host' | 'bad-port' | 'no-ui' | 'listen-failed';

export class ServeError extends Error {
  constructor(
    readonly code: ServeErrorCode,
    message: string,
  ) {
    super(message);
    this.name = 'ServeError';
  }
}

export interface ServeOptions {
  api: CandorApi;
  /** Default 127.0.0.1. Anything but a loopback address needs `allowRemote: true`. */
  host?: string;
  /** Default 0: a free port chosen by the system. */
  port?: number;
  /** The built renderer (index.html and assets/). */
  staticDir: string;
  /** The per-run secret; random when omitted (tests may fix it). */
  token?: string;
  logger?: Logger;
  /** Required to bind to a non-loopback address. The secret then travels over plain HTTP: prefer an SSH tunnel. */
  allowRemote?: boolean;
  /** Extra Host names accepted when `allowRemote` is set (e.g. the machine's LAN name). */
  allowedHostNames?: string[];
}

export interface ServeHandle {
  /** Address to open, including the secret in its fragment. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.txt': 'text/plain; charset=utf-8',
};

const STATUS_FOR: Record<ApiErrorCode, number> = {
  'invalid-input': 400,
  'unknown-method': 404,
  'not-found': 404,
  locked: 409,
  unavailable: 503,
  internal: 500,
};

const silent: Logger = { log: () => {} };

function hostForUrl(host: string): string {
  const h = host.replace(/^\[|\]$/g, '');
  return isIP(h) === 6 ? `[${h}]` : h;
}

function digest(value: string): Buffer {
  return createHash('sha256').update(value).digest();
}

function securityHeaders(res: http.ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()');
}

function sendText(res: http.ServerResponse, status: number, text: string, extra: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  res.writeHead(status, { 'Content-Type': 'text/plain; charset=utf-8', 'Cache-Control': 'no-store', ...extra });
  res.end(text + '\n');
}

function sendJson(res: http.ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'Cache-Control': 'no-store', 'Content-Length': Buffer.byteLength(text) });
  res.end(text);
}

function apiError(res: http.ServerResponse, status: number, code: ApiErrorCode, message: string, extra: Record<string, string> = {}): void {
  for (const [k, v] of Object.entries(extra)) res.setHeader(k, v);
  sendJson(res, status, { ok: false, error: { code, message } });
}

function listenError(error: NodeJS.ErrnoException, host: string, port: number): ServeError {
  switch (error.code) {
    case 'EADDRINUSE':
      return new ServeError('port-in-use', `Port ${port} on ${host} is already in use (another candor serve?). Choose another with --port, or --port 0 for any free port.`);
    case 'EACCES':
    case 'EPERM':
      return new ServeError('permission-denied', `Not allowed to listen on port ${port} on ${host}. Ports below 1024 need special rights; choose a higher one with --port.`);
    case 'EADDRNOTAVAIL':
      return new ServeError('bad-host', `${host} is not an address of this machine.`);
    default:
      return new ServeError('listen-failed', `Could not listen on ${host}:${port} (${error.code ?? 'unknown error'}).`);
  }
}

export async function startServe(options: ServeOptions): Promise<ServeHandle> {
  const api = options.api;
  const host = options.host ?? '127.0.0.1';
  const requestedPort = options.port ?? 0;
  const logger = options.logger ?? silent;
  const staticDir = path.resolve(options.staticDir);

  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
    throw new ServeError('bad-port', `The port must be a number from 0 to 65535.`);
  }
  const loopback = isLoopbackHost(host);
  if (!loopback && !options.allowRemote) {
    throw new ServeError('not-loopback', `Refusing to serve on ${host}: the admin UI listens on this machine only (127.0.0.1). Binding to another address needs an explicit --allow-remote.`);
  }
  if (!loopback && isIP(host.replace(/^\[|\]$/g, '')) === 0) {
    throw new ServeError('bad-host', `${host} is not an IP address. Give the address to listen on, e.g. 127.0.0.1.`);
  }
  try {
    const index = await stat(path.join(staticDir, 'index.html'));
    if (!index.isFile()) throw new Error('not a file');
  } catch {
    throw new ServeError('no-ui', `The admin UI is not built (no index.html in ${staticDir}). Build it with \`vite build\` first.`);
  }

  const token = options.token ?? randomBytes(32).toString('base64url');
  if (!/^[A-Za-z0-9_-]{16,128}$/.test(token)) throw new ServeError('listen-failed', 'The secret must be 16 to 128 URL-safe characters.');
  const tokenDigest = digest(token);

  /** The bound address as it appears in a Host header (e.g. 127.0.0.2 or [::1]). */
  const boundName = hostForUrl(host).toLowerCase();
  const sockets = new Set<Socket>();
  const streams = new Set<http.ServerResponse>();
  let port = requestedPort;

  /** Host header values that name this server. */
  const allowedHost = (value: string | undefined): boolean => {
    if (!value) return false;
    const match = /^(\[[^\]]+\]|[^:]+)(?::(\d+))?$/.exec(value.trim().toLowerCase());
    if (!match) return false;
    const name = match[1]!;
    const p = match[2] === undefined ? 80 : Number(match[2]);
    if (p !== port) return false;
    if (name === 'localhost' || name === '127.0.0.1' || name === '[::1]' || name === boundName) return true;
    if (options.allowRemote) {
      const bare = name.replace(/^\[|\]$/g, '');
      // An IP literal cannot be a rebinding attack (that needs a DNS name); named hosts must be listed.
      if (isIP(bare) !== 0) return true;
      return (options.allowedHostNames ?? []).some((h) => h.toLowerCase() === name);
    }
    return false;
  };

  const allowedOrigin = (origin: string): boolean => {
    try {
      const url = new URL(origin);
      return url.protocol === 'http:' && url.username === '' && url.pathname === '/' && allowedHost(url.host);
    } catch {
      return false;
    }
  };

  const authorized = (req: http.IncomingMessage): boolean => {
    const header = req.headers.authorization;
    if (typeof header !== 'string') return false;
    const match = /^Bearer\s+([A-Za-z0-9_-]{1,256})\s*$/.exec(header);
    if (!match) return false;
    return timingSafeEqual(digest(match[1]!), tokenDigest);
  };

  const readBody = (req: http.IncomingMessage): Promise<string | null> =>
    new Promise((resolve, reject) => {
      const declared = Number(req.headers['content-length'] ?? '0');
      if (declared > MAX_BODY_BYTES) {
        resolve(null);
        return;
      }
      const chunks: Buffer[] = [];
      let size = 0;
      let done = false;
      req.on('data', (chunk: Buffer) => {
        if (done) return;
        size += chunk.length;
        if (size > MAX_BODY_BYTES) {
          done = true;
          resolve(null);
          return;
        }
        chunks.push(chunk);
      });
      req.on('end', () => {
        if (!done) {
          done = true;
          resolve(Buffer.concat(chunks).toString('utf8'));
        }
      });
      req.on('error', (error) => {
        if (!done) {
          done = true;
          reject(error);
        }
      });
    });

  const serveStatic = async (req: http.IncomingMessage, res: http.ServerResponse, pathname: string) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      sendText(res, 405, 'Method not allowed.', { Allow: 'GET, HEAD' });
      return;
    }
    let rel: string;
    try {
      rel = decodeURIComponent(pathname);
    } catch {
      sendText(res, 400, 'Bad path.');
      return;
    }
    if (rel === '/' || rel === '') rel = '/index.html';
    // No parent segments, no dotfiles, no NUL: only the build's own files.
    if (rel.includes('\0') || rel.includes('\\') || rel.split('/').some((part) => part.startsWith('.'))) {
      sendText(res, 404, 'Not found.');
      return;
    }
    const file = path.resolve(staticDir, '.' + rel);
    if (!file.startsWith(staticDir + path.sep)) {
      sendText(res, 404, 'Not found.');
      return;
    }
    let data: Buffer;
    try {
      const info = await stat(file);
      if (!info.isFile()) throw new Error('not a file');
      data = await readFile(file);
    } catch {
      sendText(res, 404, 'Not found.');
      return;
    }
    const type = CONTENT_TYPES[path.extname(file).toLowerCase()] ?? 'application/octet-stream';
    const immutable = rel.startsWith('/assets/');
    res.writeHead(200, {
      'Content-Type': type,
      'Content-Length': data.length,
      'Cache-Control': immutable ? 'public, max-age=31536000, immutable' : 'no-store',
    });
    res.end(req.method === 'HEAD' ? undefined : data);
  };

  const serveEvents = (res: http.ServerResponse) => {
    if (streams.size >= MAX_EVENT_STREAMS) {
      apiError(res, 503, 'unavailable', 'Too many open event streams.', { 'Retry-After': '5' });
      return;
    }
    res.writeHead(200, {
      'Content-Type': 'text/event-stream; charset=utf-8',
      'Cache-Control': 'no-store',
      Connection: 'keep-alive',
      'X-Accel-Buffering': 'no',
    });
    res.flushHeaders();
    streams.add(res);
    let id = 0;
    const write = (event: AgentEvent) => {
      if (res.writableEnded) return;
      res.write(`id: ${++id}\ndata: ${JSON.stringify(event)}\n\n`);
    };
    res.write('retry: 2000\n\n');
    const unsubscribe = api.subscribe(write);
    // The current state first, so a page that reconnects is up to date at once.
    api.getStatus().then(
      (status) => write({ type: 'status', status }),
      () => undefined,
    );
    const heartbeat = setInterval(() => {
      if (!res.writableEnded) res.write(': keep-alive\n\n');
    }, HEARTBEAT_MS);
    heartbeat.unref();
    const cleanup = () => {
      clearInterval(heartbeat);
      unsubscribe();
      streams.delete(res);
    };
    // The response closes when the client goes away (or on close()): that is the one reliable signal.
    res.on('close', cleanup);
  };

  const handle = async (req: http.IncomingMessage, res: http.ServerResponse) => {
    securityHeaders(res);
    // 1. DNS rebinding: the Host must name this server.
    if (!allowedHost(req.headers.host)) {
      logger.log('warn', 'serve: refused a request with a foreign Host header');
      sendText(res, 421, 'Misdirected request: this server only answers to 127.0.0.1, localhost or [::1] on its own port.');
      return;
    }
    const url = new URL(req.url ?? '/', 'http://localhost');
    const isApi = url.pathname === '/api' || url.pathname.startsWith('/api/');
    const fetchSite = req.headers['sec-fetch-site'];
    const fetchMode = req.headers['sec-fetch-mode'];
    const fetchDest = req.headers['sec-fetch-dest'];
    const origin = req.headers.origin;

    // 2. Cross-site requests. A top-level navigation to the page itself (a link clicked elsewhere)
    //    is harmless: the page holds no data until it has the secret. Nothing else may come cross-site.
    const topLevelNavigation = !isApi && (req.method === 'GET' || req.method === 'HEAD') && fetchMode === 'navigate' && fetchDest === 'document';
    if (typeof fetchSite === 'string' && fetchSite !== 'same-origin' && fetchSite !== 'none' && !topLevelNavigation) {
      logger.log('warn', 'serve: refused a cross-site request', { site: fetchSite.slice(0, 16) });
      if (isApi) apiError(res, 403, 'unavailable', 'Cross-site requests are refused.');
      else sendText(res, 403, 'Cross-site requests are refused.');
      return;
    }
    if (typeof origin === 'string' && !allowedOrigin(origin)) {
      logger.log('warn', 'serve: refused a request from a foreign origin');
      if (isApi) apiError(res, 403, 'unavailable', 'Requests from other sites are refused.');
      else sendText(res, 403, 'Requests from other sites are refused.');
      return;
    }

    if (!isApi) {
      await serveStatic(req, res, url.pathname);
      return;
    }

    // 3. The secret, on every API request.
    if (!authorized(req)) {
      apiError(res, 401, 'unavailable', 'Missing or wrong secret. Open the address that `candor serve` printed.', { 'WWW-Authenticate': 'Bearer realm="candor"' });
      return;
    }

    if (url.pathname === '/api/events') {
      if (req.method !== 'GET') {
        apiError(res, 405, 'invalid-input', 'Use GET for /api/events.', { Allow: 'GET' });
        return;
      }
      serveEvents(res);
      return;
    }

    const method = url.pathname.slice('/api/'.length);
    if (req.method !== 'POST') {
      apiError(res, 405, 'invalid-input', 'Use POST for API methods.', { Allow: 'POST' });
      return;
    }
    if (url.search !== '') {
      apiError(res, 400, 'invalid-input', 'API methods take no query string.');
      return;
    }
    const contentType = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
    if (contentType !== 'application/json') {
      apiError(res, 415, 'invalid-input', 'The body must be application/json.');
      return;
    }
    const text = await readBody(req);
    if (text === null) {
      apiError(res, 413, 'invalid-input', `The body is larger than ${MAX_BODY_BYTES} bytes.`, { Connection: 'close' });
      return;
    }
    let input: unknown;
    try {
      input = text.trim() === '' ? undefined : JSON.parse(text);
    } catch {
      apiError(res, 400, 'invalid-input', 'The body is not valid JSON.');
      return;
    }
    const envelope = await toEnvelope(() => dispatch(api, method, input));
    if (!envelope.ok) {
      if (envelope.error.code === 'internal') logger.log('error', 'serve: an API call failed', { method: method.slice(0, 32) });
      sendJson(res, STATUS_FOR[envelope.error.code] ?? 500, envelope);
      return;
    }
    sendJson(res, 200, envelope);
  };

  const server = http.createServer((req, res) => {
    handle(req, res).catch(() => {
      // Never let a request crash the server or leak error text.
      if (!res.headersSent) apiError(res, 500, 'internal', 'internal error (see the Candor log)');
      else res.end();
    });
  });
  server.headersTimeout = 10_000;
  server.requestTimeout = 30_000;
  server.keepAliveTimeout = 5_000;
  server.maxHeadersCount = 64;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.on('clientError', (_error, socket) => {
    if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
    else socket.destroy();
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (error: NodeJS.ErrnoException) => {
      server.off('listening', onListening);
      reject(listenError(error, host, requestedPort));
    };
    const onListening = () => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen({ host: host.replace(/^\[|\]$/g, ''), port: requestedPort, exclusive: true });
  });
  const address = server.address() as AddressInfo;
  port = address.port;
  if (!loopback) logger.log('warn', 'serve: listening on a non-loopback address; the secret travels unencrypted. Prefer an SSH tunnel.');
  logger.log('info', 'serve: admin UI listening', { host, port });

  // The address actually bound (localhost may resolve to ::1); wildcards are opened via loopback.
  const urlHost = address.address === '0.0.0.0' ? '127.0.0.1' : address.address === '::' ? '[::1]' : hostForUrl(address.address);
  let closing: Promise<void> | null = null;
  return {
    url: `http://${urlHost}:${port}/#token=${token}`,
    port,
    token,
    close: () =>
      (closing ??= new Promise<void>((resolve) => {
        for (const stream of streams) stream.end();
        streams.clear();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      })),
  };
}

/** For callers that want ApiError-shaped failures, e.g. a CLI printing one line. */
export function describeServeError(error: unknown): string {
  if (error instanceof ServeError) return error.message;
  if (error instanceof ApiError) return error.message;
  return 'The admin UI could not be started.';
}
