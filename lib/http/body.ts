/**
 * Reads a request body under two bounds: bytes (checked as they stream in, whatever the headers
 * said) and total time (a trickling body gets an answer, not a socket held for minutes).
 */
import type http from 'node:http';
import { discardThenClose } from './linger';

export type BodyResult = { ok: true; body: Buffer } | { ok: false; reason: 'too-large' | 'timeout' | 'aborted' };

/** True when the request declares a body larger than `maxBytes` (answer before reading a byte). */
export function declaresMoreThan(req: http.IncomingMessage, maxBytes: number): boolean {
  const declared = req.headers['content-length'];
  return declared !== undefined && Number(declared) > maxBytes;
}

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

/** After answering before the body was read (413, 408...): see `discardThenClose`. */
export function discardRestOfBody(req: http.IncomingMessage): void {
  if (!req.complete) discardThenClose(req, req.socket);
}
