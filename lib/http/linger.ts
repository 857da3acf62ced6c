/**
 * After answering early (before the request's bytes were all read), keep reading and discarding
 * for a moment before the connection closes. Closing a socket that still has unread input makes
 * the kernel send a reset, and the reset can destroy the answer in the client's buffer before the
 * client reads it.
 */
import type { Duplex, Readable } from 'node:stream';

const LINGER_BYTES = 1024 * 1024;
const LINGER_MS = 2_000;

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
