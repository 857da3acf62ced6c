/**
 * Requests Node's parser refuses before (or while) a handler runs arrive as 'clientError' with
 * only a socket. Whether an answer can still be written depends on whether a response on that
 * socket has already started; Node keeps that in a private field, so we track it ourselves with
 * the public 'request' event and each response's `headersSent`.
 */
import type http from 'node:http';
import type { Duplex } from 'node:stream';
import { destroyAfterGrace } from './linger';
import { rawResponse } from './raw-response';

export interface ParserRefusal {
  status: number;
  headers?: Record<string, string>;
  body?: string;
}

/** The response in progress on each socket, from the moment its request arrives until it finishes. */
export class ResponseTracker {
  private readonly current = new WeakMap<object, http.ServerResponse>();

  constructor(server: http.Server) {
    server.on('request', (req: http.IncomingMessage, res: http.ServerResponse) => {
      const socket = req.socket;
      this.current.set(socket, res);
      const done = () => {
        if (this.current.get(socket) === res) this.current.delete(socket);
      };
      res.once('finish', done);
      res.once('close', done);
    });
  }

  /** True when a response on this socket has sent its head: nothing else may be written to it. */
  answering(socket: object): boolean {
    return this.current.get(socket)?.headersSent === true;
  }
}

/** The usual answers to parser errors: 431 for an oversized head, 408 for a slow one, 400 otherwise. */
export function statusForParserError(code: string | undefined): number {
  if (code === 'HPE_HEADER_OVERFLOW') return 431;
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT' || code === 'ERR_HTTP_HEADERS_TIMEOUT') return 408;
  return 400;
}

/** Answers a refused request on its socket if no response has started there, else drops the connection. */
export function answerParserError(tracker: ResponseTracker, socket: Duplex, refusal: ParserRefusal): void {
  if (!socket.writable || tracker.answering(socket)) {
    socket.destroy();
    return;
  }
  // Plain end, no lingering read: Node's parser still owns this socket's input and would parse it again.
  socket.end(rawResponse(refusal.status, refusal.headers, refusal.body));
  // Ending is only half a close: a client that never reads nor closes would keep the socket open.
  destroyAfterGrace(socket);
}
