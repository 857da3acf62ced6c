import { describe, expect, it } from 'vitest';
import { validate } from '../../../shared/schema/dsl';
import { CANDOR_FIELD_PATHS, PAYLOAD_FIELDS, payloadSchema, type Payload } from '../../../shared/schema/payload';
import { encodePayload, PayloadRejected, sha256Hex } from '../../../core/report/encode';
import { guardPayload } from '../../../core/report/privacy-guard';
import { parseJson } from '../../support/json';

const valid = {
  id: '0b8a3d2e-4c1f-4a5b-9e7d-1234567890ab',
  version: '0.58.0 (abcdef12)',
  uptime: 3600,
  os: { type: 'linux', distro: 'debian', version: '12', containerized: true, arch: 'arm64', numCPU: 4 },
  fs: { music: { type: 'ext2/ext3/ext4' }, data: { type: 'unknown(0x-6edc97c2)' } },
  library: { tracks: 10, albums: 2, activePlayers: { Symfonium: 1, NavidromeUI: 2 }, fileSuffixes: { flac: 8, mp3: 2 } },
  config: { logLevel: 'info', scanSchedule: '@every 1h', transcodingCacheSize: '100MB', enableLastFM: false },
  candor: { agentVersion: '0.1.0', schemaVersion: 1, sources: { library: 'native-api', memory: 'host' }, hostMemory: { total: 8, available: 4 } },
};

describe('the payload schema', () => {
  it('documents every field with an explanation, a source and a category', () => {
    expect(PAYLOAD_FIELDS.length).toBeGreaterThan(60);
    for (const field of PAYLOAD_FIELDS) {
      expect(field.explain.length, field.path).toBeGreaterThan(15);
      expect(field.source, field.path).toBeTruthy();
      expect(field.category, field.path).toBeTruthy();
    }
  });

  it('lists what Candor can send without the fields only Navidrome sends', () => {
    expect(CANDOR_FIELD_PATHS).toContain('library.tracks');
    expect(CANDOR_FIELD_PATHS).toContain('fs.music.type');
    expect(CANDOR_FIELD_PATHS).not.toContain('mem.alloc');
    expect(CANDOR_FIELD_PATHS).not.toContain('build.goVersion');
  });

  it('encodes deterministically in schema order, whatever order the facts came in', () => {
    const shuffled = {
      library: valid.library,
      id: valid.id,
      candor: valid.candor,
      os: valid.os,
      version: valid.version,
      config: valid.config,
      fs: valid.fs,
      uptime: valid.uptime,
    };
    const a = encodePayload(valid as never);
    const b = encodePayload(shuffled as never);
    expect(a.text).toBe(b.text);
    expect(a.sha256).toBe(sha256Hex(a.text));
    expect(a.size).toBe(Buffer.byteLength(a.text));
    expect(Object.keys(parseJson<Payload>(a.text))).toEqual(['id', 'version', 'uptime', 'os', 'fs', 'library', 'config', 'candor']);
  });

  it.each([
    ['an unknown top-level field', { ...valid, hostname: 'x' }, 'hostname'],
    ['an unknown nested field', { ...valid, os: { ...valid.os, kernel: '6.1' } }, 'os.kernel'],
    ['a path in the version', { ...valid, version: '/home/alice/navidrome' }, 'version'],
    ['a negative count', { ...valid, library: { tracks: -1 } }, 'library.tracks'],
    ['a fractional count', { ...valid, library: { tracks: 1.5 } }, 'library.tracks'],
    ['an unknown OS name', { ...valid, os: { ...valid.os, type: 'Linux 6.1.0-generic' } }, 'os.type'],
    ['a URL as a player name', { ...valid, library: { activePlayers: { 'http://evil': 1 } } }, 'library.activePlayers.*'],
    ['a prototype key', JSON.parse('{"__proto__":{"x":1}}'), '__proto__'],
    ['a bad instance id', { ...valid, id: 'my-laptop' }, 'id'],
  ])('refuses %s and names the field', (_name, payload, field) => {
    const result = validate(payloadSchema, payload, { unknownKeys: 'reject' });
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.path).toBe(field);
    expect(() => encodePayload(payload as never)).toThrow(PayloadRejected);
  });

  it('lets the collector drop unknown fields instead', () => {
    const result = validate(payloadSchema, { ...valid, newField: 1, os: { ...valid.os, future: true } }, { unknownKeys: 'drop' });
    expect(result.ok).toBe(true);
    if (result.ok) {
      expect(result.value).not.toHaveProperty('newField');
      expect(result.value.os).not.toHaveProperty('future');
    }
  });

  it('caps nesting depth', () => {
    expect(validate(payloadSchema, valid, { unknownKeys: 'reject', maxDepth: 2 }).ok).toBe(false);
    expect(validate(payloadSchema, valid, { unknownKeys: 'reject', maxDepth: 5 }).ok).toBe(true);
  });
});

describe('the privacy guard', () => {
  it('passes an honest payload', () => {
    expect(guardPayload(valid, [{ kind: 'host name', value: 'tower-9000' }])).toEqual({ ok: true });
  });

  it('refuses a value the agent saw, naming the field but not the value', () => {
    const payload = { ...valid, library: { ...valid.library, activePlayers: { 'Alice Phone': 1 } } };
    const verdict = guardPayload(payload, [{ kind: 'name', value: 'alice phone' }]);
    expect(verdict).toMatchObject({ ok: false, field: 'library.activePlayers.*' });
    if (!verdict.ok) expect(verdict.reason).not.toMatch(/alice/i);
  });

  it('finds a user name hidden inside a path segment', () => {
    const payload = { ...valid, config: { ...valid.config, scanSchedule: 'zoidberg' } };
    expect(guardPayload(payload, [{ kind: 'path', value: '/home/zoidberg/Music' }]).ok).toBe(false);
  });

  it('does not mistake common words for identities (a host named "debian")', () => {
    expect(
      guardPayload(valid, [
        { kind: 'host name', value: 'debian' },
        { kind: 'user name', value: 'root' },
        { kind: 'path', value: '/music' },
      ]).ok,
    ).toBe(true);
  });

  it("matches what the agent saw against data, not against the schema's own field names or filesystem names", () => {
    const seen = [{ kind: 'path' as const, value: '/srv/music/playlists/ext4/road-trip.m3u' }];
    expect(guardPayload({ ...valid, library: { ...valid.library, playlists: 3 } }, seen)).toEqual({ ok: true });
    expect(guardPayload({ ...valid, library: { ...valid.library, activePlayers: { 'road-trip.m3u': 1 } } }, seen).ok).toBe(false);
  });

  it.each([
    ['an IPv4 address', '10.1.2.3'],
    ['an email', 'a@b.example'],
    ['a MAC address', '00:1a:2b:3c:4d:5e'],
    ['a URL', 'https://x'],
  ])('refuses %s even where the schema would allow text', (_kind, value) => {
    // activePlayers keys are the loosest text the schema allows; the pattern alone would stop most of these.
    const verdict = guardPayload({ ...valid, config: { ...valid.config, scanSchedule: value } }, []);
    expect(verdict.ok).toBe(false);
  });
});
