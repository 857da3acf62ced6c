import { readFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createAxiosHttpClient } from '../../../core/net/axios-http-client';
import type { HttpClient } from '../../../core/net/http-client';
import { ACTIVE_WINDOW_MS, PROBED_SUFFIXES, collectServerFacts, type ServerFacts } from '../../../core/sources/music-server';
import { defaultSeed, defaultServerConfig, startNavidromeTestServer, type NavidromeSeed, type NavidromeTestServer } from '../../support/navidrome';
import { closedPort } from '../../support/loopback';

const http = createAxiosHttpClient();
let server: NavidromeTestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function collect(seed: Partial<NavidromeSeed> = {}, user = 'canary-admin-alice', password = 'alice-canary-pass', client: HttpClient = http) {
  server = await startNavidromeTestServer(seed);
  const before = structuredClone(server.seed);
  const now = Date.now();
  const facts = await collectServerFacts(client, { url: server.url, username: user, password }, now);
  return { facts, seed: before, now };
}

const recent = (iso: string | null, now: number) => iso !== null && now - Date.parse(iso) < ACTIVE_WINDOW_MS;

function expectedActivePlayers(seed: NavidromeSeed, now: number): Record<string, number> {
  const out: Record<string, number> = {};
  for (const p of seed.players) if (recent(p.lastSeen, now)) out[p.client] = (out[p.client] ?? 0) + 1;
  return out;
}

describe('reading a Navidrome server through its native API', () => {
  it('reads every library count the policy lists, exactly as the server holds them', async () => {
    const { facts, seed, now } = await collect();
    expect(facts.api).toBe('native-api');
    expect(facts.health.state).toBe('ok');
    expect(facts.version).toBe(seed.version);
    expect(facts.serverType).toBe('navidrome');
    expect(facts.startedAt).toBe(Date.parse(seed.startTime));
    expect(facts.library).toMatchObject({
      tracks: seed.songs.length,
      albums: seed.albums.length,
      artists: seed.artists.length,
      playlists: seed.playlists.length,
      shares: seed.shares.length,
      radios: seed.radios.length,
      libraries: seed.libraries.length,
    });
    expect(facts.library.activePlayers).toEqual(expectedActivePlayers(seed, now));
    expect(facts.hasSmartPlaylists).toBe(seed.playlists.some((p) => p.rules !== null));
    const suffixes: Record<string, number> = {};
    for (const song of seed.songs) {
      const suffix = song.suffix.toLowerCase();
      if ((PROBED_SUFFIXES as readonly string[]).includes(suffix)) suffixes[suffix] = (suffixes[suffix] ?? 0) + 1;
    }
    expect(facts.library.fileSuffixes).toEqual(suffixes);
    expect(facts.serverConfig).toBeDefined();
  });

  it("counts active users as Navidrome does, without counting Candor's own sign-in", async () => {
    const { facts, seed, now } = await collect();
    const self = seed.users.find((u) => u.userName === 'canary-admin-alice')!;
    const selfPlayed = seed.players.some((p) => p.userId === self.id && recent(p.lastSeen, now));
    const others = seed.users.filter((u) => u.id !== self.id && recent(u.lastAccessAt, now)).length;
    expect(facts.library.activeUsers).toBe(others + (selfPlayed ? 1 : 0));

    // An admin account that only Candor uses is not "active", although Navidrome just marked it so.
    const {
      facts: idle,
      seed: idleSeed,
      now: idleNow,
    } = await collect({
      players: [],
    });
    expect(idle.library.activeUsers).toBe(idleSeed.users.filter((u) => u.userName !== 'canary-admin-alice' && recent(u.lastAccessAt, idleNow)).length);
  });

  it('never registers itself as a player or counts a Candor player', async () => {
    const { facts } = await collect();
    expect(server!.requests.some((r) => r.path.startsWith('/rest/') && r.query.u)).toBe(false);
    expect(Object.keys(facts.library.activePlayers ?? {})).not.toContain('candor');
  });

  it('groups player apps with unusual names as "Other" (a client name is free text)', async () => {
    const { facts } = await collect({
      players: [
        { id: 'p1', name: 'x', client: 'http://evil.example/?', userAgent: 'x', userId: 'u-canary-bob', ip: '192.0.2.1', lastSeen: new Date().toISOString() },
        { id: 'p2', name: 'y', client: 'Symfonium', userAgent: 'y', userId: 'u-canary-bob', ip: '192.0.2.2', lastSeen: new Date().toISOString() },
      ],
    });
    expect(facts.library.activePlayers).toEqual({ Other: 1, Symfonium: 1 });
  });

  it('reports a wrong password as such, with nothing but the reason', async () => {
    const { facts } = await collect({}, 'canary-admin-alice', 'wrong');
    expect(facts.health).toMatchObject({ state: 'failed', code: 'unauthorized' });
    expect(facts.library).toEqual({});
  });

  it('reports an unreachable server', async () => {
    const port = await closedPort();
    const facts = await collectServerFacts(http, { url: `http://127.0.0.1:${port}`, username: 'a', password: 'b' }, Date.now());
    expect(facts.health).toMatchObject({ state: 'failed', code: 'unreachable' });
  });

  it('reads what a non-admin may, and says why the rest is missing', async () => {
    const { facts } = await collect({}, 'canary-bob', 'bob-canary-pass');
    expect(facts.health).toMatchObject({ state: 'partial', code: 'not-admin' });
    expect(facts.library.activeUsers).toBeUndefined();
    expect(facts.library.libraries).toBeUndefined();
    expect(facts.library.tracks).toBeGreaterThan(0);
    expect(facts.health.omitted).toEqual(expect.arrayContaining(['library.activeUsers', 'library.libraries']));
  });

  it('leaves out shares when sharing is disabled, instead of guessing zero', async () => {
    const { facts } = await collect({ enableSharing: false });
    expect(facts.library.shares).toBeUndefined();
    expect(facts.health.omitted).toContain('library.shares');
  });

  it('copes with an older server without the library and config endpoints or the start event', async () => {
    const { facts } = await collect({ oldServer: true, prometheusEnabled: false });
    expect(facts.library.libraries).toBeUndefined();
    expect(facts.serverConfig).toBeUndefined();
    expect(facts.configProblem).toBe('config-hidden');
    expect(facts.startedAt).toBeUndefined();
    expect(facts.goSysBytes).toBeUndefined();
    expect(facts.library.tracks).toBeGreaterThan(0);
  });

  it("reads the server's own memory as Navidrome means it: Go's Sys from its metrics, not the resident size", async () => {
    const { facts, seed } = await collect({ memory: { goSysBytes: 52_428_800 + 4321, residentBytes: 123_456_789 } });
    expect(facts.goSysBytes).toBe(seed.memory.goSysBytes);
    // Behind a password (or off) the metrics say nothing: the memory is not guessed.
    const { facts: guarded } = await collect({
      config: { ...defaultServerConfig(), Prometheus: { Enabled: true, MetricsPath: '/metrics', Password: 'metrics-secret' } },
    });
    expect(guarded.goSysBytes).toBeUndefined();
  });

  it('names in the docs (docs/using.md) exactly the formats it counts by name', () => {
    const doc = readFileSync(path.resolve(import.meta.dirname, '../../../docs/using.md'), 'utf8');
    const listed = /names these formats, by file extension.*?: ([a-z0-9, \n]+)\./s.exec(doc)?.[1];
    expect(listed?.split(/,\s*/).map((s) => s.trim())).toEqual([...PROBED_SUFFIXES]);
  });

  it('counts each listed file format exactly, in any case: aif never includes aifc or aiff', async () => {
    const base = defaultSeed();
    const like = base.songs[0]!;
    const odd = ['aifc', 'AIFC', 'Aif', 'aif', 'mp3x', 'flac2', 'Wav'].map((suffix, i) => ({ ...like, id: `mf-odd-${i}`, suffix }));
    const { facts, seed } = await collect({ songs: [...base.songs, ...odd] });
    const exact: Record<string, number> = {};
    for (const song of seed.songs) {
      const suffix = song.suffix.toLowerCase();
      if ((PROBED_SUFFIXES as readonly string[]).includes(suffix)) exact[suffix] = (exact[suffix] ?? 0) + 1;
    }
    expect(exact.aif).toBe(3);
    expect(facts.library.fileSuffixes).toEqual(exact);
    const listed = Object.values(exact).reduce((a, b) => a + b, 0);
    expect(facts.unlistedSuffixTracks).toBe(seed.songs.length - listed);
  });

  it("falls back to Prometheus' process start time when the event stream is silent", async () => {
    const { facts, seed } = await collect({ oldServer: true, prometheusEnabled: true });
    expect(facts.startedAtSource).toBe('prometheus');
    expect(Math.abs(facts.startedAt! - Date.parse(seed.startTime))).toBeLessThan(1000);
  });

  it('turns server errors on some endpoints into omitted fields, not a failure', async () => {
    server = await startNavidromeTestServer();
    server.setFault({ kind: 'status', status: 500, paths: /^\/api\/(radio|playlist)/ });
    const facts = await collectServerFacts(http, { url: server.url, username: 'canary-admin-alice', password: 'alice-canary-pass' }, Date.now());
    expect(facts.health).toMatchObject({ state: 'partial', code: 'server-error' });
    expect(facts.library.radios).toBeUndefined();
    expect(facts.hasSmartPlaylists).toBeUndefined();
    expect(facts.library.tracks).toBeGreaterThan(0);
  });

  it('says "not a music server" for an HTML page (a proxy login screen)', async () => {
    server = await startNavidromeTestServer();
    server.setFault({ kind: 'html' });
    const facts = await collectServerFacts(http, { url: server.url, username: 'canary-admin-alice', password: 'alice-canary-pass' }, Date.now());
    expect(facts.health.state).toBe('failed');
    expect(facts.health.code).toBe('not-a-music-server');
  });

  it('gives up on a slow server within its timeout', async () => {
    server = await startNavidromeTestServer();
    server.setFault({ kind: 'delay', ms: 2000 });
    const quick: HttpClient = { request: (req) => http.request({ ...req, timeoutMs: 200 }) };
    const started = performance.now();
    const facts = await collectServerFacts(quick, { url: server.url, username: 'canary-admin-alice', password: 'alice-canary-pass' }, Date.now());
    expect(facts.health).toMatchObject({ state: 'failed', code: 'timeout' });
    expect(performance.now() - started).toBeLessThan(1500);
  });

  it('reads other OpenSubsonic servers through the Subsonic API and says so', async () => {
    server = await startNavidromeTestServer();
    // A server with no native API: its /auth/login does not exist.
    server.setFault({ kind: 'status', status: 404, paths: /^\/auth\// });
    const seed = server.seed;
    const facts: ServerFacts = await collectServerFacts(http, { url: server.url, username: 'canary-admin-alice', password: 'alice-canary-pass' }, Date.now());
    expect(facts.api).toBe('subsonic-api');
    expect(facts.version).toBe(seed.version);
    expect(facts.library.tracks).toBe(seed.songs.filter((s) => !s.missing).length);
    expect(facts.library.radios).toBe(seed.radios.length);
    expect(facts.library.playlists).toBeGreaterThan(0);
    expect(facts.library.activeUsers).toBeUndefined();
    expect(facts.health.state).toBe('partial');
  });
});
