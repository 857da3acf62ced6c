import type { ErrorClass } from '../../shared/api-contract';

/**
 * The one door to the network. Sources and the sender depend on this interface; the default
 * implementation is axios (`http.ts`, which honours HTTP_PROXY / HTTPS_PROXY / NO_PROXY from the
 * environment). Kept apart from it so that code which only names failures does not load axios:
 * the command line loads the client on its first request (`candor status` with no server makes none).
 */
export interface HttpRequest {
  method: 'GET' | 'POST' | 'DELETE';
  url: string;
  headers?: Record<string, string>;
  body?: string;
  /** Hard limit on the whole exchange, connect to last byte. */
  timeoutMs: number;
  /** Stop reading once the body so far matches: for event streams that never end. */
  readUntil?: RegExp;
  /** Responses longer than this are cut (and `truncated` set). */
  maxBytes?: number;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  truncated?: boolean;
}

export interface HttpClient {
  request(req: HttpRequest): Promise<HttpResponse>;
}

/** A transport failure, already reduced to a class: the raw error text (hosts, IPs) never travels on. */
export class HttpFailure extends Error {
  constructor(readonly errorClass: ErrorClass) {
    super(ERROR_MESSAGES[errorClass]);
    this.name = 'HttpFailure';
  }
}

/** Fixed wording per class: safe to show, log and store. */
export const ERROR_MESSAGES: Record<ErrorClass, string> = {
  timeout: 'no answer in time',
  unreachable: 'could not connect',
  dns: 'the address could not be resolved',
  'connection-reset': 'the connection was cut',
  tls: 'the secure connection failed (certificate problem)',
  'http-4xx': 'the request was refused',
  'http-5xx': 'the server had an error',
  'rate-limited': 'asked to slow down',
  'refused-by-guard': 'refused by the privacy guard',
  'invalid-endpoint': 'the address is not allowed',
  'no-answer': 'no answer: the collector may have received it',
  'server-not-read': 'the music server could not be read, so there was nothing worth sending',
  'receipt-mismatch': 'the collector received different bytes',
  unexpected: 'unexpected error',
};

export function classifyNetworkError(error: unknown): ErrorClass {
  const code = (error as { code?: string } | null)?.code ?? '';
  const name = (error as { name?: string } | null)?.name ?? '';
  if (code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ERR_CANCELED' || name === 'TimeoutError' || name === 'AbortError') return 'timeout';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') return 'dns';
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'ERR_BAD_RESPONSE' || code === 'HPE_INVALID_CONSTANT' || code === 'ECONNABORTED_BY_PEER')
    return 'connection-reset';
  if (/CERT|SSL|TLS|SELF_SIGNED|UNABLE_TO_VERIFY/i.test(code)) return 'tls';
  if (code === 'ECONNREFUSED' || code === 'EHOSTUNREACH' || code === 'ENETUNREACH' || code === 'EADDRNOTAVAIL') return 'unreachable';
  return 'unexpected';
}
