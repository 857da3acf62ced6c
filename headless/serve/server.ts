/**
 * `candor serve`: the built renderer and the `CandorApi` over HTTP, on loopback, for machines
 * without a display. This module starts and stops the server; the request path lives beside it
 * (router, request-source, secret, static-files, events, api-route, responses).
 *
 * Security model (see docs/ui.md):
 *   - binds to loopback only, unless the caller passes `allowRemote: true` explicitly;
 *   - a random 256-bit secret per run, required as `Authorization: Bearer …` on every API request
 *     (the page learns it from the URL fragment the server prints; fragments never reach the server);
 *   - the Host header must name this server by a loopback name and its port, canonically spelled (DNS rebinding);
 *   - cross-site requests are refused by Origin and Sec-Fetch-Site (CSRF); there is no CORS;
 *   - API bodies must be JSON, at most 64 KiB, and pass the contract's input validation;
 *   - CONNECT gets 405; strict CSP, nosniff, no-referrer, no framing; errors never echo raw exception text.
 */
import http from 'node:http';
import { isIP, type AddressInfo, type Socket } from 'node:net';
import path from 'node:path';
import type { CandorApi } from '../../shared/api-contract';
import { isLoopbackHost } from '../../core/net/loopback';
import type { Logger } from '../../core/platform';
import { answerParserError, ResponseTracker, statusForParserError } from '../../lib/http/client-error';
import { refuseConnect } from '../../lib/http/connect';
import { apiRoute } from './api-route';
import { listenError, ServeError } from './errors';
import { eventStreams } from './events';
import { createSourceCheck } from './request-source';
import { apiError, CONTENT_SECURITY_POLICY } from './responses';
import { router } from './router';
import { bearerCheck, newSecret, SECRET_PATTERN } from './secret';
import { hasIndexHtml, staticFiles } from './static-files';

export { MAX_BODY_BYTES } from './api-route';
export { describeServeError, ServeError, type ServeErrorCode } from './errors';
export { MAX_EVENT_STREAMS } from './events';
export { CONTENT_SECURITY_POLICY };

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
  /** Tests may shorten the connection bounds; the defaults are SERVE_TIMEOUTS. */
  timeouts?: Partial<ServeTimeouts>;
}

export interface ServeTimeouts {
  /** A request head must be complete this long after its first byte (408 otherwise). */
  headMs: number;
  /** A whole request, head and body. */
  requestMs: number;
  /** Idle time allowed between requests on a kept-alive connection. */
  keepAliveMs: number;
}

/** The connection bounds docs/ui.md quotes. */
export const SERVE_TIMEOUTS: ServeTimeouts = { headMs: 10_000, requestMs: 30_000, keepAliveMs: 5_000 };

export interface ServeHandle {
  /** Address to open, including the secret in its fragment. */
  url: string;
  port: number;
  token: string;
  close(): Promise<void>;
}

const silent: Logger = { log: () => {} };
/** What this server answers at all; a CONNECT is told so. */
const ALLOWED_METHODS = 'GET, HEAD, POST';

function hostForUrl(host: string): string {
  const h = host.replace(/^\[|\]$/g, '');
  return isIP(h) === 6 ? `[${h}]` : h;
}

export async function startServe(options: ServeOptions): Promise<ServeHandle> {
  const { api } = options;
  const host = options.host ?? '127.0.0.1';
  const requestedPort = options.port ?? 0;
  const logger = options.logger ?? silent;
  const staticDir = path.resolve(options.staticDir);

  if (!Number.isInteger(requestedPort) || requestedPort < 0 || requestedPort > 65535) {
    throw new ServeError('bad-port', `The port must be a number from 0 to 65535.`);
  }
  const loopback = isLoopbackHost(host);
  if (!loopback && !options.allowRemote) {
    throw new ServeError(
      'not-loopback',
      `Refusing to serve on ${host}: the admin UI listens on this machine only (127.0.0.1). Binding to another address needs an explicit --allow-remote.`,
    );
  }
  if (!loopback && isIP(host.replace(/^\[|\]$/g, '')) === 0) {
    throw new ServeError('bad-host', `${host} is not an IP address. Give the address to listen on, e.g. 127.0.0.1.`);
  }
  if (!(await hasIndexHtml(staticDir))) {
    throw new ServeError('no-ui', `The admin UI is not built (no index.html in ${staticDir}). Build it with \`npm run build:renderer\` (\`npm ci\` does it).`);
  }
  const token = options.token ?? newSecret();
  if (!SECRET_PATTERN.test(token)) throw new ServeError('listen-failed', 'The secret must be 16 to 128 URL-safe characters.');

  let port = requestedPort;
  const streams = eventStreams(api);
  const handle = router({
    checkSource: createSourceCheck({
      port: () => port,
      boundName: hostForUrl(host).toLowerCase(),
      allowRemote: options.allowRemote === true,
      allowedHostNames: options.allowedHostNames ?? [],
    }),
    authorized: bearerCheck(token),
    page: staticFiles(staticDir),
    events: streams.open,
    apiCall: apiRoute(api, logger),
    logger,
  });

  const sockets = new Set<Socket>();
  const timeouts = { ...SERVE_TIMEOUTS, ...options.timeouts };
  const server = http.createServer(
    {
      headersTimeout: timeouts.headMs,
      requestTimeout: timeouts.requestMs,
      keepAliveTimeout: timeouts.keepAliveMs,
      // Node checks the head and request deadlines only this often (30 s unless told): a head sent a
      // byte a second would otherwise be cut at 30 s, not at its own deadline.
      connectionsCheckingInterval: Math.min(1_000, timeouts.headMs),
    },
    (req, res) => {
      handle(req, res).catch(() => {
        // Never let a request crash the server or leak error text.
        if (!res.headersSent) apiError(res, 500, 'internal', 'internal error (see the Candor log)');
        else res.end();
      });
    },
  );
  server.maxHeadersCount = 64;
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const responses = new ResponseTracker(server);
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => answerParserError(responses, socket, { status: statusForParserError(error.code) }));
  refuseConnect(server, { allow: ALLOWED_METHODS });

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
        streams.closeAll();
        server.close(() => resolve());
        for (const socket of sockets) socket.destroy();
      })),
  };
}
