/** The collector's answers: lib/http's responses with its common headers, and its error format. */
import type http from 'node:http';
import { sendJson as sendJsonBase, sendText as sendTextBase, type Headers } from '../../lib/http/respond';

const COMMON_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
};

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Headers = {}): void {
  sendJsonBase(res, status, body, { ...COMMON_HEADERS, ...headers });
}

export function sendText(res: http.ServerResponse, status: number, text: string, contentType: string, headers: Headers = {}): void {
  sendTextBase(res, status, text, contentType, { ...COMMON_HEADERS, ...headers });
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
