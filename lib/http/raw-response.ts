/**
 * A complete HTTP/1.1 response as bytes, for the moments Node gives us a socket and no response
 * object (a CONNECT request, a request its parser refused). The connection is always closed after it.
 */
import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { discardThenClose } from './linger';

export function rawResponse(status: number, headers: Record<string, string> = {}, body = ''): string {
  const lines = [`HTTP/1.1 ${status} ${STATUS_CODES[status] ?? 'Unknown'}`];
  for (const [name, value] of Object.entries({ ...headers, 'Content-Length': String(Buffer.byteLength(body)), Connection: 'close' }))
    lines.push(`${name}: ${value}`);
  return `${lines.join('\r\n')}\r\n\r\n${body}`;
}

/**
 * Writes the answer and closes the connection once the client has had time to read it. Only for
 * sockets Node has let go of (CONNECT): a socket its parser still reads would parse the rest again.
 */
export function answerAndClose(socket: Duplex, response: string): void {
  if (!socket.writable) {
    socket.destroy();
    return;
  }
  socket.on('error', () => socket.destroy());
  socket.end(response);
  discardThenClose(socket, socket);
}
