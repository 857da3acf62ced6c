/** How `candor serve` answers: security headers on everything, plain text for pages, envelopes for the API. */
import type http from 'node:http';
import type { ApiErrorCode } from '../../shared/api-contract';
import { sendJson, sendText } from '../../lib/http/respond';

export const CONTENT_SECURITY_POLICY =
  "default-src 'none'; script-src 'self'; style-src 'self'; connect-src 'self'; img-src 'self' data:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'";

export const STATUS_FOR: Record<ApiErrorCode, number> = {
  'invalid-input': 400,
  'unknown-method': 404,
  'not-found': 404,
  locked: 409,
  unavailable: 503,
  internal: 500,
};

export function securityHeaders(res: http.ServerResponse): void {
  res.setHeader('Content-Security-Policy', CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Permissions-Policy', 'camera=(), microphone=(), geolocation=(), payment=(), usb=()');
}

/** A one-sentence plain-text answer (pages, refusals outside the API). */
export function sendPlain(res: http.ServerResponse, status: number, message: string, extra: Record<string, string> = {}): void {
  if (res.headersSent) {
    res.end();
    return;
  }
  sendText(res, status, message + '\n', 'text/plain; charset=utf-8', extra);
}

export function apiError(res: http.ServerResponse, status: number, code: ApiErrorCode, message: string, extra: Record<string, string> = {}): void {
  sendJson(res, status, { ok: false, error: { code, message } }, extra);
}

export { sendJson };
