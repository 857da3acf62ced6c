/**
 * Closing a connection after an answer given early (before the request's bytes were all read), so
 * that the answer reaches an honest client and a hostile one holds nothing:
 * - keep reading and discarding for a moment before the connection closes. Closing a socket that
 *   still has unread input makes the kernel send a reset, and the reset can destroy the answer in
 *   the client's buffer before the client reads it;
 * - but never wait on the client for longer than that moment. A client that neither reads nor
 *   closes its side would otherwise keep a half-closed socket, counted against the server's
 *   connection limits, for as long as it likes.
 */
import type { Duplex, Readable } from 'node:stream';

const LINGER_BYTES = 1024 * 1024;
/** How long an answered client has to read the answer before its socket is destroyed. */
export const LINGER_MS = 2_000;

/** Destroys `socket` after LINGER_MS unless it closed before (the answer is written and our side ended). */
export function destroyAfterGrace(socket: Duplex): void {
  if (socket.destroyed) return;
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
}

/** Reads and drops what `source` still sends; closes `socket` after 2 s or 1 MiB, whichever is first. */
export function discardThenClose(source: Readable, socket: Duplex): void {
  let discarded = 0;
  const timer = setTimeout(() => socket.destroy(), LINGER_MS);
  timer.unref();
  const stop = () => clearTimeout(timer);
  source.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > LINGER_BYTES) socket.destroy();
  });
  source.on('end', stop);
  source.on('close', stop);
  source.resume();
}
