import crypto from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { startNavidromeTestServer, subsonicBody, type NavidromeSeed, type NavidromeTestServer } from './index';

const ADMIN = { username: 'canary-admin-alice', password: 'alice-canary-pass' };
const REGULAR = { username: 'canary-bob', password: 'bob-canary-pass' };

let server: NavidromeTestServer;
afterEach(async () => {
  await server?.close();
});

async function start(seed?: Partial<NavidromeSeed>) {
  server = await startNavidromeTestServer(seed);
  return server;
}

async function login(creds = ADMIN): Promise<string> {
  const res = await fetch(`${server.url}/auth/login`, { method: 'POST', body: JSON.stringify(creds) });
  expect(res.status).toBe(200);
  return ((await res.json()) as { token: string }).token;
}

function api(path: string, token?: string, init: RequestInit = {}) {
  const headers = new Headers(init.headers);
  if (token) headers.set('X-ND-Authorization', `Bearer ${token}`);
  return fetch(`${server.url}${path}`, { ...init, headers });
}

async function total(path: string, token: string): Promise<number> {
  const res = await api(path, token);
  expect(res.status).toBe(200);
  return Number(res.headers.get('x-total-count'));
}

function subsonic(method: string, params: Record<string, string>) {
  const qs = new URLSearchParams({ v: '1.16.1', c: 'candor-test', f: 'json', ...params });
  return fetch(`${server.url}/rest/${method}?${qs.toString()}`);
}
const tokenAuth = (user: string, password: string, salt = 'c4n4ry') => ({
  u: user,
  s: salt,
  t: crypto
    .createHash('md5')
    .update(password + salt)
    .digest('hex'),
});

/** Reads an event stream until `until` matches the accumulated text. */
async function readStream(res: Response, until: RegExp, timeoutMs = 3000): Promise<string> {
  const reader = res.body!.getReader() as ReadableStreamDefaultReader<Uint8Array>;
  const decoder = new TextDecoder();
  let text = '';
  const deadline = Date.now() + timeoutMs;
  while (!until.test(text) && Date.now() < deadline) {
    const chunk = await Promise.race([reader.read(), new Promise<null>((r) => setTimeout(() => r(null), deadline - Date.now()))]);
    if (!chunk || chunk.done) break;
    text += decoder.decode(chunk.value, { stream: true });
  }
  await reader.cancel().catch(() => undefined);
  return text;
}

describe('Navidrome test server: /auth/login', () => {
  it('returns the session payload with a Navidrome-style JWT and Subsonic salt/token', async () => {
    await start();
    const res = await fetch(`${server.url}/auth/login`, { method: 'POST', body: JSON.stringify(ADMIN) });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, string | boolean>;
    expect(Object.keys(body)).toEqual(['id', 'isAdmin', 'name', 'subsonicSalt', 'subsonicToken', 'token', 'username']);
    expect(body).toMatchObject({ id: 'u-canary-alice', isAdmin: true, name: 'Alice Canary', username: 'canary-admin-alice' });
    expect(body.subsonicToken).toBe(crypto.createHash('md5').update(`${ADMIN.password}${body.subsonicSalt}`).digest('hex'));
    const claims = JSON.parse(Buffer.from(String(body.token).split('.')[1]!, 'base64url').toString()) as Record<string, unknown>;
    expect(claims).toMatchObject({ iss: 'ND', sub: 'canary-admin-alice', uid: 'u-canary-alice', adm: true });
    expect(Number(claims.exp) - Number(claims.iat)).toBe(48 * 3600);
    expect(server.seed.users[0]!.lastLoginAt).not.toBeNull();
  });

  it('rejects bad credentials with 401 and a malformed body with 422', async () => {
    await start();
    const bad = await fetch(`${server.url}/auth/login`, { method: 'POST', body: JSON.stringify({ username: ADMIN.username, password: 'nope' }) });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toEqual({ error: 'Invalid username or password' });
    const malformed = await fetch(`${server.url}/auth/login`, { method: 'POST', body: '{"username": 42}' });
    expect(malformed.status).toBe(422);
    expect(await malformed.json()).toEqual({ error: 'invalid request payload' });
  });

  it('rate-limits logins per IP (AuthRequestLimit 5 per 20 s)', async () => {
    await start();
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await fetch(`${server.url}/auth/login`, { method: 'POST', body: JSON.stringify({ username: 'x', password: 'y' }) });
      statuses.push(res.status);
    }
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429]);
  });
});

describe('Navidrome test server: native API', () => {
  it('answers 401 without or with an invalid token, 404 (text) for unknown routes', async () => {
    await start();
    const missing = await api('/api/song');
    expect(missing.status).toBe(401);
    expect(await missing.json()).toEqual({ error: 'Not authenticated' });
    expect((await api('/api/song', 'not.a.jwt')).status).toBe(401);
    const unknown = await api('/api/nothing-here');
    expect(unknown.status).toBe(404);
    expect(await unknown.text()).toBe('404 page not found\n');
  });

  it('counts every entity through X-Total-Count and refreshes the token', async () => {
    const { seed } = await start();
    const token = await login();
    const res = await api('/api/song?_start=0&_end=1', token);
    const refreshed = res.headers.get('x-nd-authorization');
    expect(refreshed).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    expect((await api('/api/radio?_end=1', refreshed!)).status).toBe(200);
    expect(await total('/api/song?_start=0&_end=1', token)).toBe(seed.songs.length); // missing files included
    expect(await total('/api/song?_start=0&_end=1&missing=false', token)).toBe(seed.songs.filter((s) => !s.missing).length);
    expect(await total('/api/album?_end=1', token)).toBe(seed.albums.length);
    expect(await total('/api/artist?_end=1', token)).toBe(seed.artists.length);
    expect(await total('/api/playlist?_end=1', token)).toBe(seed.playlists.length);
    expect(await total('/api/share?_end=1', token)).toBe(seed.shares.length);
    expect(await total('/api/radio?_end=1', token)).toBe(seed.radios.length);
    expect(await total('/api/library?_end=1', token)).toBe(seed.libraries.length);
    expect(await total('/api/player?_end=1', token)).toBe(seed.players.length);
    expect(await total('/api/user?_end=1', token)).toBe(seed.users.length);
  });

  it('paginates with _start/_end and fails (500) on _start without _end', async () => {
    const { seed } = await start();
    const token = await login();
    const page = (await (await api('/api/song?_start=4&_end=7', token)).json()) as Array<{ id: string }>;
    expect(page.map((s) => s.id)).toEqual(seed.songs.slice(4, 7).map((s) => s.id));
    const all = (await (await api('/api/song', token)).json()) as unknown[];
    expect(all).toHaveLength(seed.songs.length); // no _end: no LIMIT
    const broken = await api('/api/song?_start=3', token);
    expect(broken.status).toBe(500);
    expect(broken.headers.get('x-total-count')).toBeNull();
    const sorted = (await (await api('/api/radio?_sort=name&_order=desc', token)).json()) as Array<{ name: string }>;
    expect(sorted.map((r) => r.name)).toEqual(['Canary FM', 'Birdsong Radio', 'aardvark Canary Jazz']);
  });

  it('filters columns with a case-insensitive "starts with" and ignores non-snake_case keys', async () => {
    const { seed } = await start();
    const token = await login();
    const startsWith = (p: string) => seed.songs.filter((s) => s.suffix.toLowerCase().startsWith(p)).length;
    expect(await total('/api/song?_end=1&suffix=aif', token)).toBe(startsWith('aif'));
    expect(startsWith('aif')).toBe(3); // aif, aiff, AIFF
    expect(await total('/api/song?_end=1&suffix=MP3', token)).toBe(startsWith('mp3'));
    expect(await total('/api/song?_end=1&library_id=2', token)).toBe(seed.songs.filter((s) => s.libraryId === 2).length);
    expect(await total('/api/song?_end=1&libraryId=2', token)).toBe(seed.songs.length); // "libraryid" is not a column
    expect(await total('/api/playlist?_end=1&smart=true', token)).toBe(seed.playlists.filter((p) => p.rules === null).length);
  });

  it('restricts a non-admin: 403s, own players, public + own playlists, own libraries', async () => {
    const { seed } = await start();
    const token = await login(REGULAR);
    const lib = await api('/api/library', token);
    expect(lib.status).toBe(403);
    expect(await lib.text()).toBe('Access denied: admin privileges required\n');
    const users = await api('/api/user', token);
    expect(users.status).toBe(403);
    expect(await users.json()).toEqual({ error: 'Error reading user: Permission denied' });
    expect((await api('/api/config/', token)).status).toBe(403);
    const bob = seed.users.find((u) => u.userName === REGULAR.username)!;
    expect(await total('/api/player?_end=1', token)).toBe(seed.players.filter((p) => p.userId === bob.id).length);
    expect(await total('/api/playlist?_end=1', token)).toBe(seed.playlists.filter((p) => p.public || p.ownerId === bob.id).length);
    expect(await total('/api/song?_end=1', token)).toBe(seed.songs.filter((s) => bob.libraryIds.includes(s.libraryId)).length);
  });

  it('serves /api/config/* masked exactly like server/nativeapi/config.go', async () => {
    const { seed } = await start({ prometheusEnabled: true });
    seed.config.Prometheus = { Enabled: true, MetricsPath: '/metrics', Password: 'canary-prom-secret' };
    const token = await login();
    expect((await api('/api/config', token)).status).toBe(404); // the route is /config/*
    const res = await api('/api/config/config', token);
    expect(res.status).toBe(200);
    type Section = Record<string, unknown>;
    const body = (await res.json()) as { id: string; configFile: string; config: Section & Record<'LastFM' | 'Scanner' | 'ExtAuth', Section> };
    expect(body.id).toBe('config');
    expect(body.configFile).toBe(seed.configFile);
    const c = body.config;
    expect(Object.keys(c)).toEqual(Object.keys(c).sort());
    expect(c.LastFM.ApiKey).toBe(`c${'*'.repeat(30)}d`);
    expect(c.LastFM.Secret).toMatch(/^c\*+c$/);
    expect(c.Prometheus).toEqual({ Enabled: true, MetricsPath: '/******s', Password: '****' });
    expect(c.PasswordEncryptionKey).toBe('****');
    expect(c.DevAutoLoginUsername).toBe('');
    expect(c.SessionTimeout).toBe(172_800_000_000_000);
    expect(c.Scanner.WatcherWait).toBe(5_000_000_000);
    expect(c.DataFolder).toBe('/var/lib/navidrome-canary');
    expect(c.ExtAuth.TrustedSources).toBe('10.66.0.0/16,192.0.2.77');
    expect(c.ConfigFile).toBe(seed.configFile);
  });

  it('drops routes behind flags: no config, no share, no events, old server', async () => {
    await start({ devUIShowConfig: false, enableSharing: false, devActivityPanel: false });
    let token = await login();
    expect((await api('/api/config/config', token)).status).toBe(404);
    expect((await api('/api/share', token)).status).toBe(404);
    expect((await api('/api/events', token)).status).toBe(404);
    const shares = await subsonic('getShares', { u: ADMIN.username, p: ADMIN.password });
    expect(shares.status).toBe(501);
    await server.close();
    await start({ oldServer: true, sseKeepAliveMs: 50 });
    token = await login();
    expect((await api('/api/library', token)).status).toBe(404);
    expect((await api('/api/config/', token)).status).toBe(404);
    const text = await readStream(await api('/api/events', token), /event: keepAlive/);
    expect(text).not.toContain('serverStart');
    expect(text).toMatch(/^id: 1\nevent: keepAlive\ndata: \{"ts":\d+\}\n\n/);
  });

  it('answers keepalive and insights with their literal bodies', async () => {
    await start();
    const token = await login();
    expect(await (await api('/api/keepalive/keepalive', token)).text()).toBe('{"response":"ok", "id":"keepalive"}');
    const insights = JSON.parse(await (await api('/api/insights/insights_status', token)).text()) as Record<string, unknown>;
    expect(insights).toMatchObject({ id: 'insights_status', success: true });
    expect(insights.lastRun).toMatch(/^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d$/);
  });

  it('updates lastAccessAt of the caller, as UpdateLastAccessMiddleware does', async () => {
    const { seed } = await start();
    const dave = seed.users.find((u) => u.userName === 'canary-dave')!;
    expect(dave.lastAccessAt).toBeNull();
    const token = await login({ username: 'canary-dave', password: 'dave-canary-pass' });
    await api('/api/song?_end=1', token);
    expect(Date.now() - Date.parse(dave.lastAccessAt!)).toBeLessThan(5000);
  });
});

describe('Navidrome test server: events, metrics, ping', () => {
  it('sends serverStart (id 0) first, to a header or ?jwt= token, and 401 without one', async () => {
    const { seed } = await start();
    const token = await login();
    expect((await api('/api/events')).status).toBe(401);
    const res = await api(`/api/events?jwt=${token}`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const text = await readStream(res, /\n\n/);
    const m = /^id: 0\nevent: serverStart\ndata: (.*)\n\n/.exec(text);
    expect(m).not.toBeNull();
    const data = JSON.parse(m![1]!) as { startTime: string; version: string };
    expect(data.version).toBe(seed.version);
    expect(Date.parse(data.startTime)).toBe(Date.parse(seed.startTime));
  });

  it('exposes process_start_time_seconds on /metrics only when Prometheus is enabled', async () => {
    const { seed } = await start({ prometheusEnabled: true });
    const res = await fetch(`${server.url}/metrics`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    const line = /^process_start_time_seconds (\S+)$/m.exec(await res.text());
    expect(Math.abs(Number(line![1]) - Date.parse(seed.startTime) / 1000)).toBeLessThan(0.01);
    await server.close();
    await start({ prometheusEnabled: false });
    const off = await fetch(`${server.url}/metrics`, { redirect: 'manual' });
    expect(off.status).toBe(302); // falls through to the "/*" -> /app/ redirect
    expect(off.headers.get('location')).toBe('/app/');
  });

  it('answers the /ping heartbeat without auth', async () => {
    await start();
    const res = await fetch(`${server.url}/ping`);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('.');
  });
});

describe('Navidrome test server: Subsonic API', () => {
  const body = subsonicBody;

  it('pings with token auth and reports wrong passwords and missing parameters as HTTP 200 errors', async () => {
    const { seed } = await start();
    const ok = await body(await subsonic('ping.view', tokenAuth(ADMIN.username, ADMIN.password)));
    expect(ok).toEqual({ status: 'ok', version: '1.16.1', type: 'navidrome', serverVersion: seed.version, openSubsonic: true });
    const wrong = await subsonic('ping', tokenAuth(ADMIN.username, 'wrong'));
    expect(wrong.status).toBe(200);
    expect((await body(wrong)).error).toEqual({ code: 40, message: 'Wrong username or password' });
    const noUser = await body(await subsonic('ping', {}));
    expect(noUser.error).toEqual({ code: 10, message: "missing parameter: 'u'" });
    const enc = await body(await subsonic('ping', { u: ADMIN.username, p: `enc:${Buffer.from(ADMIN.password).toString('hex')}` }));
    expect(enc.status).toBe('ok');
    const xml = await (await fetch(`${server.url}/rest/ping?u=${ADMIN.username}&p=${ADMIN.password}&v=1.16.1&c=x`)).text();
    expect(xml).toMatch(/^<subsonic-response xmlns="http:\/\/subsonic.org\/restapi" status="ok"/);
    expect(seed.players.some((p) => p.client === 'candor-test')).toBe(true); // getPlayer registered us
  });

  it('serves counts: scan status, album list paging, users (self only), extensions without auth', async () => {
    const { seed } = await start();
    const auth = { u: ADMIN.username, p: ADMIN.password };
    const scan = await body(await subsonic('getScanStatus', auth));
    expect(scan.scanStatus?.count).toBe(seed.songs.filter((s) => !s.missing).length);
    const list = await subsonic('getAlbumList2', { ...auth, type: 'alphabeticalByName', size: '2', offset: '1' });
    expect(list.headers.get('x-total-count')).toBe(String(seed.albums.filter((a) => !a.missing).length));
    expect((await body(list)).albumList2?.album.map((a: { name: string }) => a.name)).toEqual(['Canary Audiobook', 'Canary Songs Vol. 1']);
    const users = await body(await subsonic('getUsers', auth));
    expect(users.users?.user).toHaveLength(1);
    const denied = await body(await subsonic('getUsers', { u: REGULAR.username, p: REGULAR.password }));
    expect(denied.error?.code).toBe(50);
    const ext = await body(await fetch(`${server.url}/rest/getOpenSubsonicExtensions?f=json`));
    expect(ext.openSubsonicExtensions?.length).toBeGreaterThan(0);
    const folders = await body(await subsonic('getMusicFolders', auth));
    expect(folders.musicFolders?.musicFolder).toHaveLength(seed.libraries.length);
  });
});

describe('Navidrome test server: faults', () => {
  it('injects status, delay, reset and reverse-proxy HTML, optionally per path', async () => {
    await start();
    server.setFault({ kind: 'status', status: 503, paths: /^\/api\// });
    expect((await api('/api/song')).status).toBe(503);
    expect((await fetch(`${server.url}/ping`)).status).toBe(200);
    server.setFault({ kind: 'delay', ms: 150 });
    const t0 = Date.now();
    expect((await fetch(`${server.url}/ping`)).status).toBe(200);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    server.setFault({ kind: 'reset' });
    await expect(fetch(`${server.url}/ping`)).rejects.toThrow();
    server.setFault({ kind: 'html' });
    const html = await api('/api/song');
    expect(html.status).toBe(200);
    expect(html.headers.get('content-type')).toMatch(/^text\/html/);
    server.setFault(null);
    expect((await api('/api/song')).status).toBe(401);
    expect(server.requests.filter((r) => r.path === '/api/song').length).toBe(3);
  });
});
