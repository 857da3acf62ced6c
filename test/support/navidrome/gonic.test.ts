import crypto from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startGonicTestServer, subsonicBody, type NavidromeSeed, type NavidromeTestServer, type SubsonicResponse } from './index';

const ALICE = { u: 'canary-admin-alice', p: 'alice-canary-pass' };
let server: NavidromeTestServer;
afterEach(async () => {
  await server?.close();
});

async function start(seed?: Partial<NavidromeSeed>) {
  server = await startGonicTestServer(seed);
  return server;
}

const token = (password: string, salt = 'c4n4ry') => ({
  t: crypto
    .createHash('md5')
    .update(password + salt)
    .digest('hex'),
  s: salt,
});

async function rest(method: string, params: Record<string, string>): Promise<{ status: number; headers: Headers; body: SubsonicResponse }> {
  const res = await fetch(`${server.url}/rest/${method}?${new URLSearchParams({ c: 'candor-test', f: 'json', ...params }).toString()}`);
  return { status: res.status, headers: res.headers, body: await subsonicBody(res) };
}
const signedIn = (method: string, params: Record<string, string> = {}) => rest(method, { u: ALICE.u, ...token(ALICE.p), ...params });

describe('Subsonic-only test server (gonic): sign-in and errors', () => {
  it('accepts a salted token, a plain or enc: password, and names itself gonic', async () => {
    await start();
    for (const creds of [token(ALICE.p), { p: ALICE.p }, { p: `enc:${Buffer.from(ALICE.p).toString('hex')}` }]) {
      const { body } = await rest('ping', { u: ALICE.u, ...creds });
      expect(body).toMatchObject({ status: 'ok', version: '1.16.1', type: 'gonic', serverVersion: server.seed.version, openSubsonic: true });
    }
  });

  it('answers HTTP 200 with error 40 for a wrong password or user, 10 for missing or conflicting parameters', async () => {
    await start();
    expect((await rest('ping', { u: ALICE.u, ...token('wrong') })).body.error).toEqual({ code: 40, message: 'invalid password' });
    expect((await rest('ping', { u: 'nobody', p: 'x' })).body.error?.code).toBe(40);
    // User names match exactly (gonic's GetUserByName), unlike Navidrome.
    expect((await rest('ping', { u: ALICE.u.toUpperCase(), p: ALICE.p })).body.error?.code).toBe(40);
    expect((await rest('ping', { u: ALICE.u, p: ALICE.p, ...token(ALICE.p) })).body.error?.code).toBe(10);
    expect((await rest('ping', { p: ALICE.p })).body.error).toEqual({ code: 10, message: 'please provide a "u" parameter' });
    const noClient = await fetch(`${server.url}/rest/ping?${new URLSearchParams({ u: ALICE.u, p: ALICE.p, f: 'json' }).toString()}`);
    expect((await subsonicBody(noClient)).error?.code).toBe(10);
  });

  it('keeps even the extension list behind sign-in, and answers 70 for what gonic lacks', async () => {
    await start();
    expect((await rest('getOpenSubsonicExtensions', {})).body.error?.code).toBe(10);
    expect((await signedIn('getOpenSubsonicExtensions')).body.openSubsonicExtensions?.map((e: { name: string }) => e.name)).toEqual([
      'transcodeOffset',
      'formPost',
      'songLyrics',
    ]);
    for (const missing of ['getUsers', 'getShares', 'getNowPlaying', 'createShare']) {
      const { status, body } = await signedIn(missing);
      expect(status).toBe(200);
      expect(body.error).toEqual({ code: 70, message: 'view not found' });
    }
    expect((await signedIn('ping.view')).body.status).toBe('ok');
  });

  it('has no native API: sign-in and /api redirect to the admin UI, /ping says ok', async () => {
    await start();
    const login = await fetch(`${server.url}/auth/login`, { method: 'POST', body: '{}', redirect: 'manual' });
    expect(login.status).toBe(303);
    expect(login.headers.get('location')).toBe('/admin/home');
    expect((await fetch(`${server.url}/api/song`, { redirect: 'manual' })).status).toBe(303);
    expect(await (await fetch(`${server.url}/ping`)).text()).toBe('ok\n');
  });
});

describe('Subsonic-only test server (gonic): counts', () => {
  it('scan status counts present tracks, and leaves count out of an empty library', async () => {
    await start();
    expect((await signedIn('getScanStatus')).body.scanStatus).toEqual({ scanning: false, count: server.seed.songs.filter((s) => !s.missing).length });
    await server.close();
    await start({ songs: [] });
    expect((await signedIn('getScanStatus')).body.scanStatus).toEqual({ scanning: false });
  });

  it('lists every music folder to every user, ids from 0', async () => {
    await start();
    const { body } = await rest('getMusicFolders', { u: 'canary-bob', p: 'bob-canary-pass' });
    expect(body.musicFolders?.musicFolder).toEqual(server.seed.libraries.map((l, i) => ({ id: i, name: l.name })));
  });

  it('search3 with query "" lists every song, paged by songCount/songOffset, suffixes as on disk', async () => {
    await start();
    const present = server.seed.songs.filter((s) => !s.missing);
    const first = (await signedIn('search3', { query: '""', songCount: '5', songOffset: '0', artistCount: '0', albumCount: '0' })).body.searchResult3!;
    expect(Object.keys(first)).toEqual(['song']);
    expect(first.song).toHaveLength(5);
    const rest3 = (await signedIn('search3', { query: '""', songCount: '500', songOffset: '5' })).body.searchResult3!;
    const suffixes = [...first.song!, ...rest3.song!].map((s: { suffix: string }) => s.suffix);
    expect(suffixes).toEqual(present.map((s) => s.suffix));
    expect(suffixes).toContain('MP3');
    expect((await signedIn('search3', { query: '""', songOffset: '500', artistCount: '0', albumCount: '0' })).body.searchResult3).toEqual({});
    expect((await signedIn('search3')).body.error?.code).toBe(10);
    // An empty query is LIKE '%%': every row as well.
    expect((await signedIn('search3', { query: '', songCount: '500' })).body.searchResult3?.song).toHaveLength(present.length);
  });

  it('getAlbumList2 needs a type, has no size cap and no x-total-count header', async () => {
    await start();
    expect((await signedIn('getAlbumList2')).body.error?.code).toBe(10);
    const { headers, body } = await signedIn('getAlbumList2', { type: 'alphabeticalByName', size: '1000' });
    expect(headers.get('x-total-count')).toBeNull();
    const withTracks = new Set(server.seed.songs.filter((s) => !s.missing).map((s) => s.albumId));
    expect(body.albumList2?.album).toHaveLength(withTracks.size);
  });

  it('getArtists indexes album artists by first letter; playlists are own or public', async () => {
    await start();
    const index = (await signedIn('getArtists')).body.artists!.index;
    expect(index.every((i) => /^[a-z#]$/.test(i.name))).toBe(true);
    expect(index.flatMap((i) => i.artist).length).toBeGreaterThan(0);
    const bob = await rest('getPlaylists', { u: 'canary-bob', p: 'bob-canary-pass' });
    const bobId = server.seed.users.find((u) => u.userName === 'canary-bob')!.id;
    expect(bob.body.playlists?.playlist).toHaveLength(server.seed.playlists.filter((p) => p.ownerId === bobId || p.public).length);
  });
});
