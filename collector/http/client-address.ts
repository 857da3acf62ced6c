/**
 * Which address a request comes from, for rate limiting only (it is never stored or logged).
 * Forwarded-for headers are believed only from configured proxies; X-Real-IP, True-Client-IP and
 * friends are ignored, since any client can write them.
 */
import net from 'node:net';

export class InvalidProxyList extends Error {}

/** `::ffff:192.0.2.1` (an IPv4 client on a dual-stack socket) is the IPv4 address it wraps. */
export function normalizeAddress(address: string): string {
  const zoneless = address.replace(/%.*$/, '');
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(zoneless);
  return mapped ? mapped[1]! : zoneless.toLowerCase();
}

export class ProxyTrust {
  private readonly list = new net.BlockList();
  /**
   * The same list as [network, mask] pairs while it holds IPv4 entries only: a forwarded hop is
   * checked on every request, and BlockList makes two objects a check. An IPv6 entry may cover
   * IPv4-mapped addresses, so with one the BlockList answers.
   */
  private ipv4: [number, number][] | null = [];
  readonly size: number;

  /** `cidrs`: `10.0.0.0/8`, `2001:db8::/32`, or a bare address (one host). Throws InvalidProxyList. */
  constructor(cidrs: readonly string[]) {
    for (const raw of cidrs) {
      const entry = raw.trim();
      const [address = '', prefixText] = entry.split('/');
      const family = net.isIP(address);
      const max = family === 4 ? 32 : 128;
      const prefix = prefixText === undefined ? max : Number(prefixText);
      if (family === 0 || !/^\d{1,3}$/.test(prefixText ?? String(max)) || prefix > max) throw new InvalidProxyList(`not an address or CIDR: ${entry}`);
      this.list.addSubnet(address, prefix, family === 4 ? 'ipv4' : 'ipv6');
      if (family === 4 && this.ipv4) {
        const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
        this.ipv4.push([(ipv4Number(address) & mask) >>> 0, mask]);
      } else this.ipv4 = null;
    }
    this.size = cidrs.length;
  }

  /** Per connection: a keep-alive socket's peer does not change, and BlockList checks are not free. */
  private readonly peerTrusted = new WeakMap<object, boolean>();

  trustsPeer(socket: object, address: string): boolean {
    let trusted = this.peerTrusted.get(socket);
    if (trusted === undefined) {
      trusted = this.trusts(address);
      this.peerTrusted.set(socket, trusted);
    }
    return trusted;
  }

  trusts(address: string): boolean {
    if (this.ipv4) {
      const n = ipv4Number(address);
      if (n >= 0) return this.ipv4.some(([network, mask]) => (n & mask) >>> 0 === network);
    }
    const family = net.isIP(address);
    return family !== 0 && this.list.check(address, family === 4 ? 'ipv4' : 'ipv6');
  }

  /**
   * The socket's peer, unless that peer is a trusted proxy: then the right-most address in
   * X-Forwarded-For that is not itself a trusted proxy (the left part is the client's to forge).
   */
  clientAddress(socketAddress: string | undefined, forwardedFor: string | string[] | undefined, socket?: object): string {
    let client = normalizeAddress(socketAddress ?? '');
    if (this.size === 0 || forwardedFor === undefined || !(socket ? this.trustsPeer(socket, client) : this.trusts(client))) return client;
    const hops = (Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor).split(',');
    for (let i = hops.length - 1; i >= 0; i--) {
      const hop = normalizeAddress(hops[i]!.trim());
      if (net.isIP(hop) === 0) break;
      client = hop;
      if (!this.trusts(hop)) break;
    }
    return client;
  }
}

/** A dotted-quad IPv4 address as an unsigned 32-bit number; -1 for anything else. */
export function ipv4Number(address: string): number {
  let n = 0;
  let part = 0;
  let digits = 0;
  let dots = 0;
  for (let i = 0; i < address.length; i++) {
    const c = address.charCodeAt(i);
    if (c === 46) {
      if (digits === 0 || ++dots > 3) return -1;
      n = n * 256 + part;
      part = 0;
      digits = 0;
    } else if (c >= 48 && c <= 57) {
      // No leading zeros (net.isIP refuses them too: `010` could be read as octal).
      if ((digits > 0 && part === 0) || ++digits > 3) return -1;
      part = part * 10 + (c - 48);
      if (part > 255) return -1;
    } else return -1;
  }
  return dots === 3 && digits > 0 ? n * 256 + part : -1;
}

/** The rate-limit key of an address: IPv4 as is, IPv6 by its /64 (one household or host gets one /64). */
export function limitKey(address: string): string {
  if (net.isIP(address) !== 6) return address;
  return ipv6Prefix64(address);
}

/**
 * The network an address belongs to, for counting distinct sources: IPv4 by its /24, IPv6 by its
 * /64. One attacker rarely holds many of these; a household or a small office holds one.
 */
export function networkOf(address: string): string {
  const family = net.isIP(address);
  if (family === 4) return `${address.slice(0, address.lastIndexOf('.'))}.0/24`;
  if (family === 6) return ipv6Prefix64(address);
  return 'unknown';
}

function ipv6Prefix64(address: string): string {
  const [head = '', tail] = address.split('::');
  const left = head ? head.split(':') : [];
  const right = tail ? tail.split(':') : [];
  // An embedded IPv4 tail stands for two groups; only the first four groups matter here anyway.
  const fill = tail === undefined ? [] : new Array<string>(Math.max(0, 8 - left.length - right.length)).fill('0');
  const groups = [...left, ...fill, ...right];
  return `${groups
    .slice(0, 4)
    .map((g) => (parseInt(g, 16) || 0).toString(16))
    .join(':')}::/64`;
}
