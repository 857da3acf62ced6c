import { afterEach, describe, expect, it } from 'vitest';
import { createAxiosHttpClient } from '../../../core/net/axios-http-client';
import type { HttpClient } from '../../../core/net/http-client';
import { PROBED_SUFFIXES, collectServerFacts, type CollectLimits, type ServerFacts } from '../../../core/sources/music-server';
import { PROBLEMS } from '../../../core/sources/problems';
import { startGonicTestServer, type NavidromeSeed, type NavidromeTestServer, type SeedSong } from '../../support/navidrome';

const http = createAxiosHttpClient();
const ALICE = { username: 'canary-admin-alice', password: 'alice-canary-pass' };
let server: NavidromeTestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

async function collect(seed: Partial<NavidromeSeed> = {}, limits: Partial<CollectLimits> = {}, client: HttpClient = http) {
  server = await startGonicTestServer(seed);
  const before = structuredClone(server.seed);
  const facts = await collectServerFacts(client, { url: server.url, ...ALICE }, Date.now(), limits);
  return { facts, seed: before };
}

/** What gonic holds: rows of files that still exist. */
const present = (seed: NavidromeSeed) => seed.songs.filter((s) => !s.missing);

function expectedSuffixes(songs: SeedSong[]): { counts: Record<string, number>; unlisted: number } {
  const counts: Record<string, number> = {};
  let unlisted = 0;
  for (const song of songs) {
    const suffix = song.suffix.toLowerCase();
    if ((PROBED_SUFFIXES as readonly string[]).includes(suffix)) counts[suffix] = (counts[suffix] ?? 0) + 1;
    else unlisted++;
  }
  return { counts, unlisted };
}

const reasons = (facts: ServerFacts) => Object.fromEntries((facts.leftOut ?? []).map((l) => [l.field, l.problem]));
const allText = (facts: ServerFacts) =>
  [facts.health.message, ...(facts.leftOut ?? []).map((l) => PROBLEMS[l.problem]), PROBLEMS[facts.configProblem!], PROBLEMS[facts.uptimeProblem!]].join('\n');

function songs(n: number, suffixes: string[]): SeedSong[] {
  return Array.from({ length: n }, (_, i) => ({
    id: `mf-bulk-${i}`,
    title: `Bulk ${i}`,
    path: `/srv/bulk/${i}`,
    suffix: suffixes[i % suffixes.length]!,
    libraryId: 1,
    missing: false,
    albumId: 'al-canary-1',
    album: 'Canary Songs Vol. 1',
    artistId: 'ar-canary-1',
    artist: 'The Canary Singers',
    albumArtistId: 'ar-canary-1',
    albumArtist: 'The Canary Singers',
    size: 1,
    duration: 1,
    bitRate: 1,
    year: 2020,
    genre: 'Pop',
    trackNumber: i,
    discNumber: 1,
    createdAt: new Date(0).toISOString(),
    updatedAt: new Date(0).toISOString(),
  }));
}

describe('reading a Subsonic-only server (gonic)', () => {
  it('reads the counts, the libraries and the file formats a Subsonic client can learn', async () => {
    const { facts, seed } = await collect();
    expect(facts.api).toBe('subsonic-api');
    expect(facts.serverType).toBe('gonic');
    expect(facts.version).toBe(seed.version);
    const albums = new Set(present(seed).map((s) => s.albumId));
    const albumArtists = new Set(seed.albums.filter((a) => albums.has(a.id)).map((a) => a.albumArtistId));
    expect(facts.library).toEqual({
      tracks: present(seed).length,
      albums: albums.size,
      artists: albumArtists.size,
      playlists: seed.playlists.filter((p) => p.ownerId === 'u-canary-alice' || p.public).length,
      radios: seed.radios.length,
      libraries: seed.libraries.length,
      fileSuffixes: expectedSuffixes(present(seed)).counts,
    });
    expect(facts.unlistedSuffixTracks).toBe(expectedSuffixes(present(seed)).unlisted);
  });

  it('gives every field it leaves out its own true reason, and no Navidrome-only advice', async () => {
    const { facts } = await collect();
    expect(facts.health.state).toBe('partial');
    expect(reasons(facts)).toEqual({
      'library.activeUsers': 'subsonic-no-users',
      'library.activePlayers': 'subsonic-no-players',
      'library.shares': 'endpoint-missing', // gonic has no share endpoints: error 70 "view not found"
      'config.hasSmartPlaylists': 'config-not-navidrome',
    });
    expect(facts.configProblem).toBe('config-not-navidrome');
    expect(facts.uptimeProblem).toBe('start-time-not-offered');
    expect(allText(facts)).not.toMatch(/DevUIShowConfig/);
  });

  it('counts each song once, skipping folder rows and repeated rows', async () => {
    const { facts, seed } = await collect({ subsonicSearchQuirks: { repeatedRows: true, directoryRows: true, literalQuery: false } }, { pageSize: 4 });
    expect(facts.library.fileSuffixes).toEqual(expectedSuffixes(present(seed)).counts);
    expect(facts.unlistedSuffixTracks).toBe(expectedSuffixes(present(seed)).unlisted);
  });

  it('pages through search3 and the album list in pages of the given size', async () => {
    const { facts, seed } = await collect({}, { pageSize: 5 });
    expect(facts.library.fileSuffixes).toEqual(expectedSuffixes(present(seed)).counts);
    const searches = server!.requests.filter((r) => r.path === '/rest/search3');
    // Full pages, the short last one, then an empty page that proves the end.
    const total = present(seed).length;
    const offsets = [...Array.from({ length: Math.ceil(total / 5) }, (_, i) => String(i * 5)), String(total)];
    expect(searches.map((r) => r.query.songOffset)).toEqual(offsets);
    expect(searches.every((r) => r.query.query === '""' && r.query.songCount === '5' && r.query.artistCount === '0')).toBe(true);
  });

  it('leaves the formats out, saying why, when a huge library does not fit the page cap', async () => {
    const { facts } = await collect({ songs: songs(60, ['flac', 'mp3']) }, { pageSize: 10, maxPages: 3 });
    expect(facts.library.fileSuffixes).toBeUndefined();
    expect(facts.unlistedSuffixTracks).toBeUndefined();
    expect(reasons(facts)['library.fileSuffixes']).toBe('library-too-large');
    expect(facts.library.tracks).toBe(60);
    // Known too large from the server's own count: not one search3 page was asked for.
    expect(server!.requests.some((r) => r.path === '/rest/search3')).toBe(false);
  });

  it('counts an empty library as empty (gonic leaves the scan count out when it is zero)', async () => {
    const { facts } = await collect({ songs: [], albums: [], playlists: [], radios: [] });
    expect(facts.library).toMatchObject({ tracks: 0, albums: 0, artists: 0, fileSuffixes: {} });
    expect(reasons(facts)['library.tracks']).toBeUndefined();
  });

  it('says so when the search cannot list everything, instead of reporting no formats', async () => {
    const { facts } = await collect({ subsonicSearchQuirks: { repeatedRows: false, directoryRows: false, literalQuery: true } });
    expect(facts.library.fileSuffixes).toBeUndefined();
    expect(reasons(facts)['library.fileSuffixes']).toBe('search-all-unsupported');
    expect(facts.library.tracks).toBeGreaterThan(0);
    // Both spellings of "everything" were tried.
    expect(server!.requests.filter((r) => r.path === '/rest/search3').map((r) => r.query.query)).toEqual(['""', '']);
  });

  it('leaves the formats out as "not offered" when the server has no search3', async () => {
    server = await startGonicTestServer();
    server.setFault({ kind: 'status', status: 404, paths: /^\/rest\/search3/ });
    const facts = await collectServerFacts(http, { url: server.url, ...ALICE }, Date.now());
    expect(reasons(facts)['library.fileSuffixes']).toBe('endpoint-missing');
    expect(facts.library.tracks).toBeGreaterThan(0);
  });

  it('reports a wrong password as such', async () => {
    server = await startGonicTestServer();
    const facts = await collectServerFacts(http, { url: server.url, username: ALICE.username, password: 'wrong' }, Date.now());
    expect(facts.health).toMatchObject({ state: 'failed', code: 'unauthorized', message: PROBLEMS.unauthorized });
    expect(facts.configProblem).toBe('unauthorized');
    expect(facts.library).toEqual({});
  });

  it('never sends the password itself, only a salted token', async () => {
    await collect();
    const restCalls = server!.requests.filter((r) => r.path.startsWith('/rest/'));
    expect(restCalls.length).toBeGreaterThan(0);
    for (const r of restCalls) {
      expect(r.query.p).toBeUndefined();
      expect(JSON.stringify(r.query)).not.toContain(ALICE.password);
      expect(r.query.t).toMatch(/^[0-9a-f]{32}$/);
    }
  });
});

describe('reading a Navidrome through its Subsonic API only', () => {
  it("names Navidrome's own API as the missing piece, not DevUIShowConfig", async () => {
    const { startNavidromeTestServer } = await import('../../support/navidrome');
    server = await startNavidromeTestServer();
    server.setFault({ kind: 'status', status: 404, paths: /^\/auth\// });
    const seed = server.seed;
    const facts = await collectServerFacts(http, { url: server.url, ...ALICE }, Date.now());
    expect(facts).toMatchObject({ api: 'subsonic-api', serverType: 'navidrome', configProblem: 'native-api-missing' });
    expect(facts.library.libraries).toBe(seed.libraries.length);
    expect(facts.library.fileSuffixes).toEqual(expectedSuffixes(seed.songs.filter((s) => !s.missing)).counts);
    expect(allText(facts)).not.toMatch(/DevUIShowConfig/);
  });
});
