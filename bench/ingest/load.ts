/**
 * The load generator: keep-alive connections with a minimal HTTP parser, a closed loop (every
 * connection busy) and a fixed rate measured from each request's due time.
 */
import { randomUUID } from 'node:crypto';
import net from 'node:net';

/**
 * One keep-alive connection that sends a request and reads the answer, with a minimal parser. A
 * connection the server closed while idle (its keep-alive timeout) is opened again for the next
 * request, as HTTP clients do; one that closes with a request in flight counts that request as an
 * error (status 0) rather than waiting forever.
 */
export class Connection {
  private buffer = '';
  private pending: ((status: number) => void) | null = null;
  private stopped = false;
  socket: net.Socket;

  constructor(private readonly port: number) {
    this.socket = this.open();
  }

  private open(): net.Socket {
    const socket = net.connect(this.port, '127.0.0.1');
    socket.setNoDelay(true);
    socket.setEncoding('latin1');
    socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      for (;;) {
        const end = this.buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/content-length: (\d+)/i.exec(this.buffer.slice(0, end))?.[1] ?? 0);
        if (this.buffer.length < end + 4 + length) return;
        const status = Number(this.buffer.slice(9, 12));
        this.buffer = this.buffer.slice(end + 4 + length);
        const done = this.pending;
        this.pending = null;
        done?.(status);
      }
    });
    const fail = () => {
      const done = this.pending;
      this.pending = null;
      this.buffer = '';
      done?.(0);
    };
    socket.on('error', fail);
    socket.on('close', fail);
    return socket;
  }

  ready(): Promise<void> {
    return new Promise((resolve) => this.socket.once('connect', () => resolve()));
  }

  request(text: string): Promise<number> {
    if (this.stopped) return Promise.resolve(0);
    if (this.socket.destroyed || this.socket.readyState === 'closed') this.socket = this.open();
    return new Promise((resolve) => {
      this.pending = resolve;
      this.socket.write(text);
    });
  }

  /** Closes the connection for good. */
  close(): void {
    this.stopped = true;
    this.socket.destroy();
  }
}

/** A report POSTed to /collect through the trusted proxy, from `address`. */
export function reportRequest(body: string, address: string): string {
  return `POST /collect HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nX-Forwarded-For: ${address}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

export function requestText(template: { before: string; after: string }, address: string): string {
  return reportRequest(template.before + randomUUID() + template.after, address);
}

let addressCounter = 0;
/** A different client address per request (through the trusted proxy), as a real population would be. */
export function nextAddress(): string {
  const n = addressCounter++;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

export async function closedLoop(conns: Connection[], template: { before: string; after: string }, ms: number): Promise<{ ok: number; errors: number }> {
  return closedLoopOf(conns, () => requestText(template, nextAddress()), ms);
}

/** Every connection sends `next()` and waits for its answer, again and again, for `ms`. */
export async function closedLoopOf(conns: Connection[], next: () => string, ms: number): Promise<{ ok: number; errors: number }> {
  const end = performance.now() + ms;
  let ok = 0;
  let errors = 0;
  await Promise.all(
    conns.map(async (c) => {
      while (performance.now() < end) {
        const status = await c.request(next());
        if (status === 200) ok++;
        else errors++;
      }
    }),
  );
  return { ok, errors };
}

export interface FixedRateResult {
  ok: number;
  errors: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * `total` requests at `rate` per second, each latency measured from the moment it was due (no
 * coordinated omission: a request that waits for a free connection waits on the clock).
 */
export async function fixedRate(conns: Connection[], next: () => string, rate: number, total: number): Promise<FixedRateResult> {
  const latencies: number[] = [];
  let errors = 0;
  let ok = 0;
  const idle = [...conns];
  const waiting: number[] = [];
  const start = performance.now();
  let scheduled = 0;
  let finished = 0;
  await new Promise<void>((resolve) => {
    const fire = (conn: Connection, due: number) => {
      void conn.request(next()).then((status) => {
        latencies.push(performance.now() - due);
        if (status === 200) ok++;
        else errors++;
        finished++;
        const queued = waiting.shift();
        if (queued !== undefined) fire(conn, queued);
        else idle.push(conn);
        if (finished === total) resolve();
      });
    };
    const tick = () => {
      const now = performance.now();
      while (scheduled < total && start + (scheduled * 1000) / rate <= now) {
        const due = start + (scheduled * 1000) / rate;
        scheduled++;
        const conn = idle.pop();
        if (conn) fire(conn, due);
        else waiting.push(due);
      }
      if (scheduled < total) setTimeout(tick, 1);
    };
    tick();
  });
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] ?? NaN;
  return { ok, errors, p50: at(50), p99: at(99), max: latencies[latencies.length - 1] ?? NaN };
}

export function fixedRateRun(conns: Connection[], template: { before: string; after: string }, rate: number, ms: number): Promise<FixedRateResult> {
  return fixedRate(conns, () => requestText(template, nextAddress()), rate, Math.floor((rate * ms) / 1000));
}

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;
