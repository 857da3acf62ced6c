/**
 * One request through `candor serve`, in order: security headers; the Host and the requesting
 * site; then the page (static files, no secret needed) or the API (secret, then events or a method).
 */
import type http from 'node:http';
import type { Logger } from '../../core/platform';
import { allowHeader, methodIn } from '../../lib/http/respond';
import { apiError, securityHeaders, sendPlain } from './responses';
import type { SourceVerdict } from './request-source';

export interface Routes {
  checkSource(req: http.IncomingMessage, isApi: boolean): SourceVerdict;
  authorized(req: http.IncomingMessage): boolean;
  page(req: http.IncomingMessage, res: http.ServerResponse, pathname: string): Promise<void>;
  events(res: http.ServerResponse): void;
  apiCall(req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void>;
  logger: Logger;
}

const EVENT_METHODS = ['GET'];

export function router(routes: Routes) {
  const { logger } = routes;
  return async (req: http.IncomingMessage, res: http.ServerResponse): Promise<void> => {
    securityHeaders(res);
    const url = new URL(req.url ?? '/', 'http://localhost');
    const isApi = url.pathname === '/api' || url.pathname.startsWith('/api/');

    const source = routes.checkSource(req, isApi);
    if (!source.ok) {
      if (source.reason === 'host') {
        logger.log('warn', 'serve: refused a request with a foreign Host header');
        sendPlain(res, 421, 'Misdirected request: this server only answers to 127.0.0.1, localhost or [::1] on its own port.');
        return;
      }
      const message = source.reason === 'cross-site' ? 'Cross-site requests are refused.' : 'Requests from other sites are refused.';
      if (source.reason === 'cross-site') logger.log('warn', 'serve: refused a cross-site request', { site: source.site ?? '' });
      else logger.log('warn', 'serve: refused a request from a foreign origin');
      if (isApi) apiError(res, 403, 'unavailable', message);
      else sendPlain(res, 403, message);
      return;
    }

    if (!isApi) return routes.page(req, res, url.pathname);

    if (!routes.authorized(req)) {
      apiError(res, 401, 'unavailable', 'Missing or wrong secret. Open the address that `candor serve` printed.', {
        'WWW-Authenticate': 'Bearer realm="candor"',
      });
      return;
    }
    if (url.pathname === '/api/events') {
      if (!methodIn(req, EVENT_METHODS)) apiError(res, 405, 'invalid-input', 'Use GET for /api/events.', { Allow: allowHeader(EVENT_METHODS) });
      else routes.events(res);
      return;
    }
    await routes.apiCall(req, res, url);
  };
}
