import { describe, expect, it } from 'vitest';
import type { ServerProcess } from '../../../core/sources/host';
import { canonicalAddress, decideLocation, locationView, notFromHere, placeOfAddress, type AddressDeps } from '../../../core/sources/server-location';

/** This machine as the tests describe it: loopback, a LAN address on each family, a link-local one. */
const OWN = ['127.0.0.1', '::1', '192.168.1.20', 'fd00::20', 'fe80::1c:ff:fe00:20'];

function deps(names: Record<string, string[] | 'fails' | 'hangs'> = {}, asked: string[] = []): AddressDeps {
  return {
    interfaceAddresses: () => OWN,
    resolve: (host) => {
      asked.push(host);
      const answer = names[host];
      if (answer === 'hangs') return new Promise<string[]>(() => {});
      if (answer === undefined || answer === 'fails') return Promise.reject(new Error(`ENOTFOUND ${host}`));
      return Promise.resolve(answer);
    },
    timeoutMs: 50,
  };
}

describe('where the server runs, from its address', () => {
  it('is this machine for loopback, without a lookup', async () => {
    const asked: string[] = [];
    for (const url of ['http://127.0.0.1:4533', 'http://127.8.9.10', 'http://localhost:4533/', 'http://[::1]:4533', 'http://[::ffff:127.0.0.1]/']) {
      expect(await placeOfAddress(url, deps({}, asked)), url).toBe('loopback');
    }
    expect(asked).toEqual([]);
  });

  it('is this machine for one of its own interface addresses, however the address is spelled (a LAN address counts)', async () => {
    for (const url of [
      'http://192.168.1.20:4533',
      'http://[fd00:0:0:0:0:0:0:20]:4533',
      'http://[FD00::20]/',
      'http://[::ffff:192.168.1.20]/',
      'http://0.0.0.0:4533',
    ]) {
      expect(await placeOfAddress(url, deps()), url).toBe('own-address');
    }
  });

  it('is another machine for any other address, and a name is resolved first', async () => {
    expect(await placeOfAddress('http://192.168.1.21:4533', deps())).toBe('other-address');
    expect(await placeOfAddress('https://[2001:db8::7]/', deps())).toBe('other-address');
    const asked: string[] = [];
    const names = {
      'nas.lan': ['192.168.1.50'],
      'me.lan': ['192.168.1.20', 'fd00::20'],
      'me.local': ['127.0.1.1'],
      'both.lan': ['192.168.1.20', '192.168.1.50'],
    };
    expect(await placeOfAddress('http://nas.lan:4533', deps(names, asked))).toBe('other-address');
    expect(await placeOfAddress('http://me.lan:4533', deps(names, asked))).toBe('own-address');
    expect(await placeOfAddress('http://me.local:4533', deps(names, asked))).toBe('loopback');
    expect(await placeOfAddress('http://both.lan:4533', deps(names, asked))).toBe('mixed');
    expect(asked).toEqual(['nas.lan', 'me.lan', 'me.local', 'both.lan']);
  });

  it('cannot tell for a name that does not resolve, or not in time, or an address that is not one', async () => {
    expect(await placeOfAddress('http://gone.lan:4533', deps({ 'gone.lan': 'fails' }))).toBe('unresolved');
    expect(await placeOfAddress('http://slow.lan:4533', deps({ 'slow.lan': 'hangs' }))).toBe('unresolved');
    expect(await placeOfAddress('http://empty.lan:4533', deps({ 'empty.lan': [] }))).toBe('unresolved');
    expect(await placeOfAddress('not a url', deps())).toBe('unresolved');
  });

  it('compares addresses in one spelling', () => {
    expect(canonicalAddress('FE80::1C:FF:FE00:20%eth0')).toBe('fe80::1c:ff:fe00:20');
    expect(canonicalAddress('[::ffff:c0a8:114]')).toBe('192.168.1.20');
    expect(canonicalAddress('192.168.1.20')).toBe('192.168.1.20');
  });
});

describe('the decision, address and process together', () => {
  const started = Date.parse('2026-12-01T08:00:00Z');
  const process: ServerProcess = { pid: 4321, rssBytes: 90_000_000, startTime: new Date(started + 700) };

  it('keeps the host facts for a server on loopback or on an own address, with its process when it is the one that answered', () => {
    expect(decideLocation('loopback', null, started)).toEqual({ where: 'this-machine', basis: 'loopback', process: null });
    expect(decideLocation('own-address', process, started)).toEqual({ where: 'this-machine', basis: 'own-address', process });
    // Another server's process (started at another time) is not this one's.
    expect(decideLocation('own-address', process, started - 3_600_000).process).toBeNull();
  });

  it("counts a server whose process is visible here as this machine's, whatever its address (a container's), when it started when the server says it did", () => {
    expect(decideLocation('other-address', process, started)).toEqual({ where: 'this-machine', basis: 'server-process', process });
    // A server that does not say when it started may be another one: its machine's facts are not risked.
    expect(decideLocation('other-address', process, undefined).where).toBe('another-machine');
    expect(decideLocation('loopback', process, undefined).process).toBe(process);
    expect(decideLocation('other-address', process, started + 3_600_000)).toEqual({ where: 'another-machine', basis: 'other-address', process: null });
  });

  it('says another machine, or that it cannot tell, and why, in one plain reason', () => {
    const elsewhere = decideLocation('other-address', null, started);
    expect(elsewhere.where).toBe('another-machine');
    const view = locationView(elsewhere);
    expect(view.message).toMatch(/^The server runs on another machine/);
    expect(view.advice).toMatch(/candor run/);
    for (const path of ['os', 'fs', 'mem', 'candor.hostMemory'] as const) {
      const reason = notFromHere(elsewhere, path);
      expect(reason).toMatch(/^The server runs on another machine, /);
      expect(reason).toMatch(/candor run.*candor serve --host … --allow-remote/);
    }
    // One reason for every fact about the machine (said once), one more way in for the server's memory.
    expect(notFromHere(elsewhere, 'fs')).toBe(notFromHere(elsewhere, 'os'));
    expect(notFromHere(elsewhere, 'candor.hostMemory')).toBe(notFromHere(elsewhere, 'os'));
    expect(notFromHere(elsewhere, 'mem')).toMatch(/Prometheus\.Enabled/);
    expect(notFromHere(decideLocation('unresolved', null), 'os')).toMatch(
      /^Candor cannot tell which machine the server runs on \(its name could not be resolved\)/,
    );
    expect(notFromHere(decideLocation('mixed', null), 'os')).toMatch(/stands for this machine and for others/);
    expect(locationView(decideLocation('loopback', null)).advice).toBeUndefined();
    expect(locationView(decideLocation('own-address', null)).message).toBe("The server runs on this machine (its address is one of this machine's own).");
  });
});

describe('without an address', () => {
  it("counts the server's config file read here as this machine, unless an address says otherwise", () => {
    expect(decideLocation(null, null, undefined, true)).toEqual({ where: 'this-machine', basis: 'config-file', process: null });
    expect(decideLocation(null, null, undefined, false).where).toBe('unknown');
    expect(decideLocation('other-address', null, undefined, true).where).toBe('another-machine');
  });
});
