/** Whole responses with their length: JSON and text, never cached unless the caller says so. */
import type http from 'node:http';

export type Headers = Record<string, string | number>;

export function sendText(res: http.ServerResponse, status: number, text: string, contentType: string, headers: Headers = {}): void {
  res.writeHead(status, { 'cache-control': 'no-store', 'content-type': contentType, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Headers = {}): void {
  sendText(res, status, JSON.stringify(body), 'application/json; charset=utf-8', headers);
}

/** True when `req.method` is one of `allowed`; a caller refusing it answers 405 with `allowHeader(allowed)`. */
export function methodIn(req: http.IncomingMessage, allowed: readonly string[]): boolean {
  return allowed.includes(req.method ?? '');
}

export function allowHeader(allowed: readonly string[]): string {
  return allowed.join(', ');
}
