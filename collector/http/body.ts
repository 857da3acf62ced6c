/**
 * Reads a request body under two bounds: bytes (checked as they stream in, whatever the headers
 * said) and total time (a trickling body gets 408, not a socket held for minutes).
 */
import type http from 'node:http';

export type BodyResult = { ok: true; body: Buffer } | { ok: false; reason: 'too-large' | 'timeout' | 'aborted' };

export function readBody(req: http.IncomingMessage, maxBytes: number, timeoutMs: number): Promise<BodyResult> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let settled = false;
    const finish = (result: BodyResult) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('close', onClose);
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > maxBytes) finish({ ok: false, reason: 'too-large' });
      else chunks.push(chunk);
    };
    const onEnd = () => finish({ ok: true, body: chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, size) });
    const onClose = () => finish({ ok: false, reason: 'aborted' });
    const timer = setTimeout(() => finish({ ok: false, reason: 'timeout' }), timeoutMs);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('close', onClose);
  });
}

const LINGER_BYTES = 1024 * 1024;
const LINGER_MS = 2_000;

/**
 * After answering before the body was read (413, 408...), keep reading and discarding for a
 * moment before closing. Closing a socket that still has unread input makes the kernel send a
 * reset, and the reset can destroy our answer in the client's buffer before it reads it.
 */
export function discardRestOfBody(req: http.IncomingMessage): void {
  if (req.complete) return;
  let discarded = 0;
  const socket = req.socket;
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > LINGER_BYTES) socket.destroy();
  });
  req.on('end', () => clearTimeout(timer));
  req.on('close', () => clearTimeout(timer));
  req.resume();
}

const PARSER_REJECTED = Symbol('parser-rejected');
type Flagged = { [PARSER_REJECTED]?: boolean };

/** Node's parser refused this connection's request (bad framing) and the refusal was counted. */
export function markParserRejected(socket: object): void {
  (socket as Flagged)[PARSER_REJECTED] = true;
}

export function parserRejected(socket: object): boolean {
  return (socket as Flagged)[PARSER_REJECTED] === true;
}
