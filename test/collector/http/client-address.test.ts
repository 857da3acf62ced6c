import net from 'node:net';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ipv4Number, ProxyTrust } from '../../../collector/http/client-address';

const octet = fc.integer({ min: 0, max: 300 });
/** Dotted quads, some out of range, some with leading zeros, some with a part missing or extra. */
const addressLike = fc.oneof(
  fc.tuple(octet, octet, octet, octet).map((parts) => parts.join('.')),
  fc.tuple(octet, octet, octet, octet, fc.nat({ max: 3 })).map(([a, b, c, d, i]) => [a, b, c, d].map((p, j) => (j === i ? `0${p}` : String(p))).join('.')),
  fc.array(octet, { minLength: 1, maxLength: 6 }).map((parts) => parts.join('.')),
  fc.string({ maxLength: 16 }),
);
const cidr = fc
  .tuple(fc.nat({ max: 255 }), fc.nat({ max: 255 }), fc.nat({ max: 255 }), fc.nat({ max: 255 }), fc.integer({ min: 0, max: 32 }))
  .map(([a, b, c, d, prefix]) => `${a}.${b}.${c}.${d}/${prefix}`);

describe('which hop is a trusted proxy', () => {
  it('reads an IPv4 address exactly as net.isIP does (leading zeros, out-of-range parts and odd text refused)', () => {
    fc.assert(
      fc.property(addressLike, (address) => {
        expect(ipv4Number(address) >= 0).toBe(net.isIP(address) === 4);
      }),
      { numRuns: 5_000 },
    );
    expect(ipv4Number('10.1.2.3')).toBe(((10 << 24) | (1 << 16) | (2 << 8) | 3) >>> 0);
    expect(ipv4Number('255.255.255.255')).toBe(0xffffffff);
  });

  it('trusts an IPv4 hop exactly when Node’s BlockList of the same list does', () => {
    fc.assert(
      fc.property(fc.array(cidr, { minLength: 1, maxLength: 4 }), fc.array(fc.tuple(octet, octet, octet, octet), { maxLength: 20 }), (list, hops) => {
        const trust = new ProxyTrust(list);
        const reference = new net.BlockList();
        for (const entry of list) {
          const [address, prefix] = entry.split('/');
          reference.addSubnet(address!, Number(prefix), 'ipv4');
        }
        for (const hop of hops.map((parts) => parts.join('.'))) {
          expect(trust.trusts(hop)).toBe(net.isIP(hop) === 4 && reference.check(hop, 'ipv4'));
        }
      }),
      { numRuns: 500 },
    );
  });

  it('leaves a list with an IPv6 entry to the BlockList, IPv4-mapped subnets included', () => {
    const trust = new ProxyTrust(['10.0.0.0/8', '::ffff:192.0.2.0/120']);
    const reference = new net.BlockList();
    reference.addSubnet('10.0.0.0', 8, 'ipv4');
    reference.addSubnet('::ffff:192.0.2.0', 120, 'ipv6');
    for (const hop of ['10.9.8.7', '192.0.2.5', '203.0.113.1']) expect(trust.trusts(hop)).toBe(reference.check(hop, 'ipv4'));
    expect(trust.trusts('10.9.8.7')).toBe(true);
    expect(trust.trusts('203.0.113.1')).toBe(false);
  });
});
