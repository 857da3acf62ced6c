/**
 * Raw bytes on a socket, for what an HTTP client library will not send (bad framing, stalls,
 * CONNECT, non-canonical Host headers). Resolves with the status of the first response, or 0 if
 * the server closed without one.
 */
import net from 'node:net';

export type RawPart = string | Buffer | { waitMs: number };

export function raw(url: string, parts: RawPart[], options: { timeoutMs?: number } = {}): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(url);
  return new Promise((resolve) => {
    const socket = net.connect(Number(port), hostname.replace(/^\[|\]$/g, ''));
    let text = '';
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.destroy();
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(text);
      resolve({ status: m ? Number(m[1]) : 0, text });
    };
    const timer = setTimeout(finish, options.timeoutMs ?? 10_000);
    socket.on('data', (chunk) => {
      text += chunk.toString('latin1');
      const headEnd = text.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const length = /\r\ncontent-length: (\d+)/i.exec(text.slice(0, headEnd));
      if (!length || text.length >= headEnd + 4 + Number(length[1])) finish();
    });
    socket.on('error', finish);
    socket.on('close', finish);
    const writeParts = async () => {
      for (const part of parts) {
        if (done) return;
        if (typeof part === 'object' && 'waitMs' in part) await new Promise((r) => setTimeout(r, part.waitMs));
        else socket.write(part);
      }
    };
    socket.on('connect', () => void writeParts());
  });
}

/** A request head: lines joined by CRLF, ending with the blank line. */
export const head = (lines: string[]): string => `${lines.join('\r\n')}\r\n\r\n`;
