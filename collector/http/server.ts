/**
 * The node:http server: bounds on the connection (head size, head/body/keep-alive timeouts),
 * routing, parser refusals and CONNECT (answered, never tunnelled), and the request log (method,
 * route, status, duration: no address, no query, no id).
 */
import http from 'node:http';
import type { Limits } from '../limits';
import type { Metrics } from '../metrics';
import type { CollectorClock, Logger } from '../platform';
import { answerParserError, ResponseTracker, statusForParserError } from '../../lib/http/client-error';
import { refuseConnect } from '../../lib/http/connect';
import { markParserRejected } from './body';
import { handleAccess } from './access';
import { limitConnectionsPerNetwork } from './connections';
import { handleCollect, handleDelete, type IngestContext } from './ingest';
import { errorBody, sendError } from './respond';

export interface ReadHandlers {
  dashboard(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
  summary(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
  meta(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
  metrics(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
  health(req: http.IncomingMessage, res: http.ServerResponse): Promise<void>;
}

export interface ServerDeps {
  limits: Limits;
  ingest: IngestContext;
  read: ReadHandlers;
  metrics: Metrics;
  logger: Logger;
  clock: CollectorClock;
}

const READ_ROUTES: Record<string, keyof ReadHandlers> = {
  '/': 'dashboard',
  '/api/summary': 'summary',
  '/api/meta': 'meta',
  '/metrics': 'metrics',
  '/healthz': 'health',
};

const KNOWN_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

export function createHttpServer(deps: ServerDeps): http.Server {
  const { limits, metrics, logger, clock } = deps;
  const server = http.createServer(
    {
      maxHeaderSize: limits.maxHeaderBytes,
      headersTimeout: limits.headersTimeoutMs,
      // Node's own whole-request deadline is the backstop; the body deadline in ingest answers first.
      requestTimeout: limits.headersTimeoutMs + limits.bodyTimeoutMs + 5_000,
      keepAliveTimeout: limits.keepAliveTimeoutMs,
      connectionsCheckingInterval: Math.min(1_000, limits.headersTimeoutMs),
    },
    (req, res) => {
      const started = clock.monotonic();
      const url = req.url ?? '/';
      const query = url.indexOf('?');
      const path = query < 0 ? url : url.slice(0, query);
      let route = 'unknown';
      res.on('finish', () => {
        const status = res.statusCode;
        logger.log(status >= 500 ? 'warn' : 'debug', 'request', {
          method: KNOWN_METHODS.has(req.method ?? '') ? req.method! : 'OTHER',
          route,
          status,
          ms: Math.round((clock.monotonic() - started) * 10) / 10,
        });
      });
      const fail = () => {
        if (!res.headersSent) sendError(res, 500, 'internal', 'internal error');
        logger.log('error', 'handler failed', { route });
      };
      if (path === '/collect') {
        route = '/collect';
        handleCollect(deps.ingest, req, res).catch(fail);
        return;
      }
      if (path.startsWith('/collect/')) {
        route = '/collect/:id';
        const id = path.slice('/collect/'.length);
        (req.method === 'GET' ? handleAccess(deps.ingest, req, res, id) : handleDelete(deps.ingest, req, res, id)).catch(fail);
        return;
      }
      const handler = READ_ROUTES[path];
      if (!handler) {
        metrics.reject('not-found');
        sendError(res, 404, 'not-found', 'no such endpoint');
        return;
      }
      route = path;
      if (req.method !== 'GET' && req.method !== 'HEAD') {
        metrics.reject('method');
        sendError(res, 405, 'method', 'use GET', {}, { allow: 'GET, HEAD' });
        return;
      }
      deps.read[handler](req, res).catch(fail);
    },
  );
  server.maxConnections = limits.maxConnections;
  limitConnectionsPerNetwork(server, limits.maxConnectionsPerNetwork, deps.ingest.trust, metrics.connections);
  const responses = new ResponseTracker(server);
  server.on('clientError', (error: NodeJS.ErrnoException, socket) => {
    // Requests Node's parser refuses before any handler runs: count them, answer if still possible.
    const code = error.code ?? '';
    if (code === 'ECONNRESET' || code === 'HPE_INVALID_EOF_STATE') {
      // The client went away mid-request. A reset is counted by the body reader if a body was being
      // read (idle keep-alive sockets reset all the time and are no rejection); an EOF here is not.
      if (code === 'HPE_INVALID_EOF_STATE') {
        metrics.reject('aborted');
        markParserRejected(socket);
      }
      socket.destroy();
      return;
    }
    const status = statusForParserError(code);
    metrics.reject(status === 431 ? 'header-too-large' : status === 408 ? 'timeout' : 'bad-request');
    // A body-framing error arrives while the handler is reading: it must not count it again as aborted.
    markParserRejected(socket);
    answerParserError(responses, socket, { status });
  });
  refuseConnect(server, {
    allow: 'GET, HEAD, POST, DELETE',
    headers: { 'Content-Type': 'application/json; charset=utf-8', 'Referrer-Policy': 'no-referrer' },
    body: JSON.stringify(errorBody('method', 'CONNECT is not supported')),
    onRefused: () => metrics.reject('method'),
  });
  return server;
}
