/**
 * GET /api/events, as server/events/sse.go serves it: one broker, a serverStart event (id 0) to
 * every new client, a keepAlive to all clients every 15 s (ids from one global counter), and the
 * wire format `id: N\nevent: name\ndata: json\n\n`.
 */
import type http from 'node:http';
import zlib from 'node:zlib';
import type { NavidromeSeed } from './seed';
import { goTime } from './util';

interface Client {
  write(chunk: string): void;
  end(): void;
}

export class EventBroker {
  private clients = new Set<Client>();
  private eventId = 0;
  private timer: NodeJS.Timeout | null = null;

  constructor(private readonly seed: NavidromeSeed) {}

  get clientCount(): number {
    return this.clients.size;
  }

  /** Streams events to `res`. `headers` carries what earlier middlewares set (e.g. X-ND-Authorization). */
  serve(req: http.IncomingMessage, res: http.ServerResponse, headers: Record<string, string>, encoding: 'gzip' | 'deflate' | null): void {
    res.statusCode = 200;
    for (const [k, v] of Object.entries(headers)) res.setHeader(k, v);
    res.setHeader('Content-Type', 'text/event-stream');
    res.setHeader('Cache-Control', 'no-cache, no-transform');
    res.setHeader('Connection', 'keep-alive');
    res.setHeader('X-Accel-Buffering', 'no');
    let write: (s: string) => void;
    let end: () => void;
    if (encoding) {
      // chi's Compress middleware includes text/event-stream; each Flush is a zlib sync flush.
      res.setHeader('Content-Encoding', encoding);
      res.appendHeader('Vary', 'Accept-Encoding');
      const z = encoding === 'gzip' ? zlib.createGzip({ level: 5 }) : zlib.createDeflateRaw({ level: 5 });
      z.pipe(res);
      write = (s) => {
        z.write(s);
        z.flush(zlib.constants.Z_SYNC_FLUSH);
      };
      end = () => z.end();
    } else {
      res.flushHeaders();
      write = (s) => res.write(s);
      end = () => res.end();
    }
    const client: Client = { write, end };
    this.clients.add(client);
    const drop = () => {
      this.clients.delete(client);
      if (this.clients.size === 0) this.stopTimer();
    };
    req.on('close', drop);
    res.on('close', drop);
    if (!this.seed.oldServer) {
      // prepareMessage never assigns an id to serverStart, so it always goes out as "id: 0".
      client.write(format(0, 'serverStart', JSON.stringify({ startTime: goTime(this.seed.startTime), version: this.seed.version })));
    }
    this.startTimer();
  }

  /** Sends an event to every client, as SendBroadcastMessage does (ids increment globally). */
  broadcast(event: string, data: unknown): void {
    const msg = format(++this.eventId, event, typeof data === 'string' ? data : JSON.stringify(data));
    for (const c of this.clients) c.write(msg);
  }

  private startTimer(): void {
    if (this.timer) return;
    this.timer = setInterval(() => {
      if (this.clients.size === 0) return;
      this.broadcast('keepAlive', { ts: Math.floor(Date.now() / 1000) });
    }, this.seed.sseKeepAliveMs);
    this.timer.unref();
  }

  private stopTimer(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }

  close(): void {
    this.stopTimer();
    for (const c of this.clients) c.end();
    this.clients.clear();
  }
}

function format(id: number, event: string, data: string): string {
  return `id: ${id}\nevent: ${event}\ndata: ${data}\n\n`;
}
