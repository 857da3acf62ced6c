/** `POST /api/<method>`: a JSON body, validated and dispatched through the API contract. */
import type http from 'node:http';
import { dispatch, toEnvelope, type CandorApi } from '../../shared/api-contract';
import type { Logger } from '../../core/platform';
import { declaresMoreThan, discardRestOfBody, readBody } from '../../lib/http/body';
import { allowHeader, methodIn } from '../../lib/http/respond';
import { apiError, sendJson, STATUS_FOR } from './responses';

/** Largest API request body accepted. The largest legitimate input (approveFields) is far smaller. */
export const MAX_BODY_BYTES = 64 * 1024;
/** Node's own whole-request deadline is the same; this one answers in the API's format. */
export const BODY_TIMEOUT_MS = 30_000;

const API_METHODS = ['POST'];

export function apiRoute(api: CandorApi, logger: Logger) {
  const tooLarge = (req: http.IncomingMessage, res: http.ServerResponse) => {
    apiError(res, 413, 'invalid-input', `The body is larger than ${MAX_BODY_BYTES} bytes.`, { Connection: 'close' });
    discardRestOfBody(req);
  };

  return async (req: http.IncomingMessage, res: http.ServerResponse, url: URL): Promise<void> => {
    const method = url.pathname.slice('/api/'.length);
    if (!methodIn(req, API_METHODS)) {
      apiError(res, 405, 'invalid-input', 'Use POST for API methods.', { Allow: allowHeader(API_METHODS) });
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
    if (declaresMoreThan(req, MAX_BODY_BYTES)) return tooLarge(req, res);
    const body = await readBody(req, MAX_BODY_BYTES, BODY_TIMEOUT_MS);
    if (!body.ok) {
      if (body.reason === 'too-large') tooLarge(req, res);
      else if (body.reason === 'timeout') apiError(res, 408, 'invalid-input', 'The body did not arrive in time.', { Connection: 'close' });
      return;
    }
    const text = body.body.toString('utf8');
    let input: unknown;
    try {
      input = text.trim() === '' ? undefined : JSON.parse(text);
    } catch {
      apiError(res, 400, 'invalid-input', 'The body is not valid JSON.');
      return;
    }
    const envelope = await toEnvelope(() => dispatch(api, method, input));
    if (!envelope.ok && envelope.error.code === 'internal') logger.log('error', 'serve: an API call failed', { method: method.slice(0, 32) });
    sendJson(res, envelope.ok ? 200 : (STATUS_FOR[envelope.error.code] ?? 500), envelope);
  };
}
