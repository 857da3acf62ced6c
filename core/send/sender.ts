import type { AttemptResult, ErrorClass } from '../../shared/api-contract';
import { ERROR_MESSAGES, HttpFailure, type HttpClient } from '../net/http-client';
import { checkEndpoint } from '../net/endpoint';
import type { EncodedReport } from '../report/encode';
import { parseRetryAfter } from '../schedule/schedule';

export const SEND_TIMEOUT_MS = 15_000;

export interface SendResult extends AttemptResult {
  durationMs: number;
  retryAfterMs?: number;
  /** The collector's receipt (the sha256 of what it received), when its 2xx answer carried one. */
  receipt?: string;
}

/** The `sha256` of a 2xx answer (64 hex digits), or undefined: Navidrome's collector, for one, gives none. */
export function receiptOf(body: string): string | undefined {
  try {
    const sha256 = (JSON.parse(body) as { sha256?: unknown } | null)?.sha256;
    return typeof sha256 === 'string' && /^[0-9a-fA-F]{64}$/.test(sha256) ? sha256.toLowerCase() : undefined;
  } catch {
    return undefined;
  }
}

/** Posts the exact bytes; never throws; every outcome is reduced to a fixed, storable message. */
export async function sendReport(http: HttpClient, endpoint: string, report: EncodedReport, now: () => number, monotonic: () => number): Promise<SendResult> {
  const started = monotonic();
  const at = new Date(now()).toISOString();
  const done = (ok: boolean, errorClass: ErrorClass | undefined, status?: number, retryAfterMs?: number, receipt?: string): SendResult => ({
    at,
    ok,
    ...(status !== undefined ? { status } : {}),
    ...(errorClass ? { errorClass } : {}),
    message: ok
      ? `accepted (HTTP ${status})${receipt ? ', receipt matches' : ', no receipt'}`
      : `${ERROR_MESSAGES[errorClass!]}${status !== undefined ? ` (HTTP ${status})` : ''}`,
    durationMs: Math.round(monotonic() - started),
    ...(retryAfterMs !== undefined ? { retryAfterMs } : {}),
    ...(receipt !== undefined ? { receipt } : {}),
  });
  const checked = checkEndpoint(endpoint);
  if (!checked.ok) return done(false, 'invalid-endpoint');
  try {
    const res = await http.request({
      method: 'POST',
      url: checked.url.toString(),
      headers: { 'content-type': 'application/json', 'user-agent': 'Candor' },
      body: report.text,
      timeoutMs: SEND_TIMEOUT_MS,
      maxBytes: 64 * 1024,
    });
    if (res.status >= 200 && res.status < 300) {
      // A receipt proves the collector got these very bytes; one that differs is a failure with its cause.
      const receipt = receiptOf(res.body);
      if (receipt !== undefined && receipt !== report.sha256) return done(false, 'receipt-mismatch', res.status, undefined, receipt);
      return done(true, undefined, res.status, undefined, receipt);
    }
    if (res.status === 429 || res.status === 503) {
      return done(false, res.status === 429 ? 'rate-limited' : 'http-5xx', res.status, parseRetryAfter(res.headers['retry-after'], now()));
    }
    return done(false, res.status >= 500 ? 'http-5xx' : 'http-4xx', res.status);
  } catch (error) {
    return done(false, error instanceof HttpFailure ? error.errorClass : 'unexpected');
  }
}
