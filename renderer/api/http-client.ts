/**
 * `CandorApi` over the loopback HTTP server of `candor serve`:
 *   - one method = `POST /api/<method>` with a JSON body; the answer is an envelope
 *     `{ ok: true, result } | { ok: false, error }`, rebuilt here as `ApiError`;
 *   - every request carries `Authorization: Bearer <secret>`;
 *   - events come as server-sent events from `GET /api/events`, read through `fetch` (so the
 *     secret travels in a header, never in a URL), with reconnection.
 */
import { API_METHODS, ApiError, type AgentEvent, type ApiEnvelope, type ApiErrorCode, type ApiMethod, type CandorApi } from '../../shared/api-contract';
import { createSseParser } from './sse';

export type LinkState = 'connecting' | 'live' | 'reconnecting';

export interface HttpClientOptions {
  /** Origin (and optional path prefix) of the server, e.g. `http://127.0.0.1:40123`. */
  baseUrl: string;
  token: string | null;
  fetch?: typeof fetch;
  /** First reconnection delay; doubles up to `maxReconnectMs`. */
  reconnectMs?: number;
  maxReconnectMs?: number;
}

export interface HttpCandorApi extends CandorApi {
  /** State of the live event stream; the UI shows it when events stop arriving. */
  onLinkChange: (listener: (state: LinkState) => void) => () => void;
  close(): void;
}

const ERROR_CODES: readonly ApiErrorCode[] = ['invalid-input', 'unknown-method', 'not-found', 'locked', 'unavailable', 'internal'];

export const NOT_ANSWERING = 'The page got no answer. Is “candor serve” still running on this machine?';
export const NOT_SIGNED_IN = 'This page does not have the secret for this run of Candor. Open the address that “candor serve” printed (it ends with #token=…).';

function isEnvelope(value: unknown): value is ApiEnvelope<unknown> {
  if (typeof value !== 'object' || value === null) return false;
  const v = value as Record<string, unknown>;
  if (v.ok === true) return 'result' in v;
  if (v.ok === false && typeof v.error === 'object' && v.error !== null) {
    const e = v.error as Record<string, unknown>;
    return typeof e.message === 'string' && typeof e.code === 'string';
  }
  return false;
}

function errorForStatus(status: number): ApiError {
  if (status === 401) return new ApiError('unavailable', NOT_SIGNED_IN);
  if (status === 403 || status === 421) return new ApiError('unavailable', 'Candor refused this request (it only answers its own page on this machine).');
  if (status === 413) return new ApiError('invalid-input', 'The request was too large.');
  if (status >= 500) return new ApiError('internal', 'Candor had an internal error.');
  return new ApiError('unavailable', `Candor answered with HTTP ${status}.`);
}

export function createHttpClient(options: HttpClientOptions): HttpCandorApi {
  const doFetch = options.fetch ?? globalThis.fetch.bind(globalThis);
  const base = options.baseUrl.replace(/\/+$/, '');
  const headers = (extra: Record<string, string>): Record<string, string> => (options.token ? { ...extra, Authorization: `Bearer ${options.token}` } : extra);

  async function call(method: ApiMethod, input: unknown): Promise<unknown> {
    let response: Response;
    try {
      response = await doFetch(`${base}/api/${method}`, {
        method: 'POST',
        headers: headers({ 'Content-Type': 'application/json', Accept: 'application/json' }),
        body: JSON.stringify(input ?? null),
        cache: 'no-store',
        credentials: 'omit',
        redirect: 'error',
      });
    } catch {
      throw new ApiError('unavailable', NOT_ANSWERING);
    }
    let body: unknown;
    try {
      body = await response.json();
    } catch {
      throw errorForStatus(response.ok ? 502 : response.status);
    }
    // Without the secret, say what the user can do about it, whatever the server's wording.
    if (response.status === 401) throw errorForStatus(401);
    if (!isEnvelope(body)) throw errorForStatus(response.ok ? 502 : response.status);
    if (body.ok) return body.result;
    const code = ERROR_CODES.includes(body.error.code) ? body.error.code : 'internal';
    throw new ApiError(code, body.error.message);
  }

  // --- events: one shared stream for all listeners --------------------------------------------
  const listeners = new Set<(event: AgentEvent) => void>();
  const linkListeners = new Set<(state: LinkState) => void>();
  let link: LinkState = 'connecting';
  let controller: AbortController | null = null;
  let retryTimer: ReturnType<typeof setTimeout> | null = null;
  let delay = options.reconnectMs ?? 1000;
  const maxDelay = options.maxReconnectMs ?? 15_000;
  let closed = false;

  const setLink = (state: LinkState) => {
    if (state === link) return;
    link = state;
    for (const l of linkListeners) l(state);
  };

  const deliver = (data: string) => {
    let event: AgentEvent;
    try {
      event = JSON.parse(data) as AgentEvent;
    } catch {
      return;
    }
    if (!event || typeof event !== 'object' || !['status', 'preview', 'history'].includes((event as { type?: string }).type ?? '')) return;
    for (const l of [...listeners]) {
      try {
        l(event);
      } catch {
        // one broken listener must not starve the others
      }
    }
  };

  const scheduleReconnect = () => {
    if (closed || listeners.size === 0 || retryTimer) return;
    setLink('reconnecting');
    retryTimer = setTimeout(() => {
      retryTimer = null;
      void connect();
    }, delay);
    delay = Math.min(maxDelay, delay * 2);
  };

  async function connect(): Promise<void> {
    if (closed || listeners.size === 0 || controller) return;
    const abort = new AbortController();
    controller = abort;
    try {
      const response = await doFetch(`${base}/api/events`, {
        headers: headers({ Accept: 'text/event-stream' }),
        cache: 'no-store',
        credentials: 'omit',
        signal: abort.signal,
      });
      if (!response.ok || !response.body) throw errorForStatus(response.status);
      setLink('live');
      delay = options.reconnectMs ?? 1000;
      const parser = createSseParser((message) => deliver(message.data));
      const reader = response.body.getReader();
      const decoder = new TextDecoder();
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        parser.push(decoder.decode(value, { stream: true }));
      }
    } catch {
      // fall through to reconnect
    } finally {
      if (controller === abort) controller = null;
    }
    if (!abort.signal.aborted) scheduleReconnect();
  }

  const stopStream = () => {
    controller?.abort();
    controller = null;
    if (retryTimer) clearTimeout(retryTimer);
    retryTimer = null;
  };

  const api: Record<string, unknown> = {};
  for (const method of API_METHODS) api[method] = (input?: unknown) => call(method, input);
  api.subscribe = (listener: (event: AgentEvent) => void) => {
    listeners.add(listener);
    void connect();
    return () => {
      listeners.delete(listener);
      if (listeners.size === 0) stopStream();
    };
  };
  api.onLinkChange = (listener: (state: LinkState) => void) => {
    linkListeners.add(listener);
    listener(link);
    return () => void linkListeners.delete(listener);
  };
  api.close = () => {
    closed = true;
    stopStream();
  };
  return api as unknown as HttpCandorApi;
}
