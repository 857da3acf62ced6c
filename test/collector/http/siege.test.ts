/**
 * The collector under a siege of held connections: clients that send part of a request and then
 * neither read nor close. One network holds its share of connections and no more (the rest are
 * closed on arrival), /healthz and honest reports from elsewhere keep getting through, and every
 * held socket is closed by the server a moment after its early answer, whatever the client does.
 *
 * Loopback is a /8 on Linux: 127.0.0.2 stands for the attacker's network (127.0.0.0/24) and
 * 127.0.1.1 for everyone else's (127.0.1.0/24).
 */
import net from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { head } from '../../support/raw-http';
import { candorReport, collectorsPerTest, rejected, send, sqliteRows, type Reply } from '../support/harness';

const ATTACKER = '127.0.0.2';
const HONEST = '127.0.1.1';
/** Small enough to siege in a test: the server's limit, and one network's share of it. */
const SERVER = 60;
const SHARE = 20;
const { start } = collectorsPerTest({ limits: { maxConnections: SERVER, maxConnectionsPerNetwork: SHARE, headersTimeoutMs: 1_000 } });

const held: net.Socket[] = [];
afterEach(() => {
  for (const socket of held.splice(0)) socket.destroy();
});

/**
 * Opens `count` connections from `localAddress`, writes `bytes` on each and then does nothing:
 * never reads (paused), never ends. Resolves once every one is connected or already closed.
 */
async function holdOpen(url: string, count: number, localAddress: string, bytes: string): Promise<net.Socket[]> {
  const { port } = new URL(url);
  const sockets = Array.from({ length: count }, () => {
    const socket = net.connect({ port: Number(port), host: '127.0.0.1', localAddress });
    socket.on('error', () => {});
    socket.on('connect', () => {
      socket.write(bytes);
      socket.pause();
    });
    held.push(socket);
    return socket;
  });
  await Promise.all(sockets.map((s) => new Promise((resolve) => (s.once('connect', resolve), s.once('close', resolve)))));
  return sockets;
}

const fromElsewhere = (url: string, path: string): Promise<Reply> => send(url, { method: 'GET', path, localAddress: HONEST });
const reportFromElsewhere = (url: string): Promise<Reply> =>
  send(url, { localAddress: HONEST, headers: { 'content-type': 'application/json' }, body: JSON.stringify(candorReport()) });

/** GET /metrics from the honest network, as name -> value. */
async function metricsFromElsewhere(url: string): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const line of (await fromElsewhere(url, '/metrics')).body.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}
const openConnections = async (url: string) => (await metricsFromElsewhere(url)).get('collector_open_connections');

describe('a siege of half-sent requests', () => {
  it('holds one network to its share, keeps /healthz and honest reports answering, and closes every held socket after its 408', async () => {
    const c = await start();
    // Three times the whole server's limit, from one network: more than enough to fill it without the share.
    const sockets = await holdOpen(c.url, 3 * SERVER, ATTACKER, 'POST /collect HTTP/1.1\r\nHost: x\r\n');
    const during = await metricsFromElsewhere(c.url);
    expect(during.get('collector_connections_refused_total{limit="network"}')).toBe(3 * SERVER - SHARE);
    expect(during.get('collector_connections_refused_total{limit="server"}')).toBe(0);

    expect((await fromElsewhere(c.url, '/healthz')).status).toBe(200);
    expect((await reportFromElsewhere(c.url)).status).toBe(200);
    expect(sqliteRows(c.dataDir!)).toHaveLength(1);

    // Each held head gets its 408; the client neither reads it nor closes, and still the server lets go.
    await expect.poll(() => openConnections(c.url), { timeout: 20_000, interval: 250 }).toBe(1);
    expect(rejected(await metricsFromElsewhere(c.url), 'timeout')).toBe(SHARE);
    expect(sockets.filter((s) => s.writableEnded).length).toBe(0);
  });

  it('without the share, the same siege shuts everyone else out (what the share is for)', async () => {
    const c = await start({ limits: { maxConnections: SERVER, maxConnectionsPerNetwork: 10 * SERVER, headersTimeoutMs: 5_000 } });
    await holdOpen(c.url, 3 * SERVER, ATTACKER, 'POST /collect HTTP/1.1\r\nHost: x\r\n');
    await expect.poll(() => c.collector.metrics.connections.refusedServerFull).toBe(2 * SERVER);
    expect(c.collector.metrics.connections.open).toBe(SERVER);
    await expect(fromElsewhere(c.url, '/healthz')).rejects.toThrow();
    expect(c.collector.metrics.connections.refusedServerFull).toBe(2 * SERVER + 1);
  });

  it('does not hold a trusted proxy to a network share: it carries everyone’s connections', async () => {
    const c = await start({ trustProxy: [ATTACKER] });
    await holdOpen(c.url, 2 * SHARE, ATTACKER, 'POST /collect HTTP/1.1\r\nHost: x\r\n');
    const during = await metricsFromElsewhere(c.url);
    expect(during.get('collector_connections_refused_total{limit="network"}')).toBe(0);
    expect(during.get('collector_open_connections')).toBe(2 * SHARE + 1);
  });

  it('closes a socket answered before its body (415) though the client neither sends the rest, reads nor closes', async () => {
    const c = await start();
    const partial = head(['POST /collect HTTP/1.1', 'Host: x', 'Content-Type: text/plain', 'Content-Length: 5000']) + '{"id":';
    await holdOpen(c.url, SHARE, ATTACKER, partial);
    await expect.poll(async () => rejected(await metricsFromElsewhere(c.url), 'content-type')).toBe(SHARE);
    await expect.poll(() => openConnections(c.url), { timeout: 20_000, interval: 250 }).toBe(1);
  });

  it('closes an idle kept-alive connection after its keep-alive time, whatever the load', async () => {
    const c = await start({ limits: { maxConnections: SERVER, maxConnectionsPerNetwork: SHARE, keepAliveTimeoutMs: 500 } });
    // A complete request, answered, then silence: the client keeps the socket and never reads the answer.
    await holdOpen(c.url, SHARE, ATTACKER, head(['GET /healthz HTTP/1.1', 'Host: x']));
    await expect.poll(() => openConnections(c.url), { timeout: 20_000, interval: 250 }).toBe(1);
  });
});
