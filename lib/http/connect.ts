/**
 * CONNECT asks a server to become a tunnel. Node hands such requests to 'connect' listeners and,
 * when there is none, closes the connection without a word; an origin server should say no:
 * 405 with the methods it does allow.
 */
import type http from 'node:http';
import { answerAndClose, rawResponse } from './raw-response';

export interface ConnectRefusal {
  /** The Allow header: the methods this server does answer. */
  allow: string;
  /** Extra headers and a body, in the server's own error format. */
  headers?: Record<string, string>;
  body?: string;
  /** Called once per refused CONNECT (metrics, logs). */
  onRefused?: () => void;
}

export function refuseConnect(server: http.Server, refusal: ConnectRefusal): void {
  server.on('connect', (_req: http.IncomingMessage, socket) => {
    refusal.onRefused?.();
    answerAndClose(
      socket,
      rawResponse(405, { Allow: refusal.allow, 'Cache-Control': 'no-store', 'X-Content-Type-Options': 'nosniff', ...refusal.headers }, refusal.body ?? ''),
    );
  });
}
