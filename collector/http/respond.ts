import type http from 'node:http';

const COMMON_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cache-control': 'no-store',
};

export function sendJson(res: http.ServerResponse, status: number, body: unknown, headers: Record<string, string | number> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { ...COMMON_HEADERS, 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendText(res: http.ServerResponse, status: number, text: string, contentType: string, headers: Record<string, string | number> = {}): void {
  res.writeHead(status, { ...COMMON_HEADERS, 'content-type': contentType, 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

/** Error bodies carry a fixed code, a fixed message and, for schema errors, the field path: never input text. */
export function sendError(res: http.ServerResponse, status: number, error: string, message: string, extra: Record<string, string | number> = {}, headers: Record<string, string | number> = {}): void {
  sendJson(res, status, { error, message, ...extra }, headers);
}
