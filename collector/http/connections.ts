/**
 * Open connections, bounded per source network (IPv4 /24, IPv6 /64) well below the server's own
 * limit: a few hosts holding sockets open (half-sent heads, bodies that never come) fill their own
 * network's share and no more, so /healthz and honest reports from elsewhere keep their way in.
 * A connection over the share is closed at once, before a byte is read: there is nobody to answer
 * that is not already holding a connection of that network.
 *
 * The peer is the socket's own address: X-Forwarded-For is not read yet when a connection opens.
 * Trusted proxies (--trust-proxy) carry everyone's connections and are not limited here; the proxy
 * in front limits its clients. The table holds a count per network with connections open now, and
 * nothing once they close.
 */
import type http from 'node:http';
import type { Socket } from 'node:net';
import type { ConnectionCounts } from '../metrics';
import { networkOf, normalizeAddress, type ProxyTrust } from './client-address';

/** Keeps `counts` (the metrics' own) up to date while it enforces the share. */
export function limitConnectionsPerNetwork(server: http.Server, perNetwork: number, trust: ProxyTrust, counts: ConnectionCounts): void {
  const byNetwork = new Map<string, number>();
  server.on('drop', () => counts.refusedServerFull++);
  server.on('connection', (socket: Socket) => {
    const address = normalizeAddress(socket.remoteAddress ?? '');
    const network = trust.trusts(address) ? null : networkOf(address);
    if (network !== null) {
      const held = byNetwork.get(network) ?? 0;
      if (held >= perNetwork) {
        counts.refusedPerNetwork++;
        socket.destroy();
        return;
      }
      byNetwork.set(network, held + 1);
    }
    counts.open++;
    socket.once('close', () => {
      counts.open--;
      if (network === null) return;
      const left = (byNetwork.get(network) ?? 1) - 1;
      if (left > 0) byNetwork.set(network, left);
      else byNetwork.delete(network);
    });
  });
}
