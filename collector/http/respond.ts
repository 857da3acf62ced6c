/** The collector's answers: lib/http's responses with its common headers, and its error format. */
import type http from 'node:http';
import { sendJson as sendJsonBase, sendText as sendTextBase, type Headers } from '../../lib/http/respond';

const COMMON_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

const NONE: Headers = {};
/** Every answer's headers; a copy only when an answer adds its own (most 2xx add none). */
const withCommon = (headers: Headers) => (headers === NONE ? COMMON_HEADERS : { ...COMMON_HEADERS, ...headers });

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Headers = NONE): void {
  sendJsonBase(res, status, body, withCommon(headers));
}

export function sendText(res: http.ServerResponse, status: number, text: string, contentType: string, headers: Headers = NONE): void {
  sendTextBase(res, status, text, contentType, withCommon(headers));
}

/** Error bodies carry a fixed code, a fixed message and, for schema errors, the field path: never input text. */
export function errorBody(error: string, message: string, extra: Record<string, string | number> = {}): Record<string, string | number> {
  return { error, message, ...extra };
}

export function sendError(
  res: http.ServerResponse,
  status: number,
  error: string,
  message: string,
  extra: Record<string, string | number> = {},
  headers: Headers = {},
): void {
  sendJson(res, status, errorBody(error, message, extra), headers);
}
