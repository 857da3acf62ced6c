import { createHash, randomBytes } from 'node:crypto';
import type { SourceHealth } from '../api/contract';
import type { HttpClient, HttpResponse } from '../http';
import type { SensitiveValue } from '../report/privacy-guard';
import { PATTERNS } from '../schema/payload';
import { health, SourceProblem, toProblem, type ProblemCode } from './problems';

export interface ServerConnection {
  url: string;
  username: string;
  password: string;
}

export type LibraryCounts = {
  tracks?: number;
  albums?: number;
  artists?: number;
  playlists?: number;
  shares?: number;
  radios?: number;
  libraries?: number;
  activeUsers?: number;
  activePlayers?: Record<string, number>;
  fileSuffixes?: Record<string, number>;
};

/** What the server itself can tell, before any host or config facts are added. */
export interface ServerFacts {
  api: 'native-api' | 'subsonic-api';
  serverType?: string;
  version?: string;
  /** Epoch ms the server process started, when it said so, and how we learned it. */
  startedAt?: number;
  startedAtSource?: 'event-stream' | 'prometheus';
  library: LibraryCounts;
  hasSmartPlaylists?: boolean;
  unlistedSuffixTracks?: number;
  /** Navidrome's own configuration as its admin endpoint returns it, if exposed. */
  serverConfig?: Record<string, unknown>;
  configProblem?: ProblemCode;
  uptimeProblem?: ProblemCode;
  health: SourceHealth;
  /** Every identifying string the server showed us, so the guard can prove none is sent. */
  sensitive: SensitiveValue[];
}

const REQUEST_TIMEOUT_MS = 5000;
/** Navidrome sends `serverStart` the moment a client connects; silence this long means it never will. */
const EVENT_WAIT_MS = 1500;
/** Navidrome counts users and players "active" when seen within the last 7 days (core/metrics/insights.go). */
export const ACTIVE_WINDOW_MS = 7 * 24 * 3600 * 1000;
/** Player clients outside this shape are grouped: a client name is free text set by any app. */
const OTHER_CLIENT = 'Other';

/**
 * Suffixes asked about one by one: the native API has no group-by, only a "starts with" filter,
 * so longer suffixes sharing a prefix (aiff/aif) are asked first and subtracted.
 */
export const PROBED_SUFFIXES = [
  'mp3', 'flac', 'm4a', 'm4b', 'aac', 'alac', 'ogg', 'oga', 'opus', 'wav', 'wma', 'aiff', 'aif', 'ape', 'wv',
  'dsf', 'dff', 'mpc', 'mka', 'webm', 'mp4', 'tta', 'shn', 'spx',
] as const;

export function normalizeBaseUrl(url: string): string {
  const parsed = new URL(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new SourceProblem('not-a-music-server');
  parsed.hash = '';
  parsed.search = '';
  return parsed.toString().replace(/\/+$/, '');
}

/** Strings from the connection itself that must never appear in a payload. */
export function connectionSensitives(conn: Pick<ServerConnection, 'url' | 'username'>): SensitiveValue[] {
  const out: SensitiveValue[] = [{ kind: 'server address', value: conn.url }, { kind: 'user name', value: conn.username }];
  try {
    out.push({ kind: 'host name', value: new URL(conn.url).hostname });
  } catch {
    // An unparsable URL fails elsewhere; the raw string is already listed.
  }
  return out;
}

class NativeApi {
  private token = '';
  isAdmin = false;

  constructor(
    readonly http: HttpClient,
    readonly base: string,
    readonly conn: ServerConnection,
  ) {}

  async login(): Promise<'ok' | 'not-native'> {
    let res: HttpResponse;
    res = await this.http.request({
      method: 'POST',
      url: `${this.base}/auth/login`,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ username: this.conn.username, password: this.conn.password }),
      timeoutMs: REQUEST_TIMEOUT_MS,
      maxBytes: 64 * 1024,
    });
    if (res.status === 401) throw new SourceProblem('unauthorized');
    // Navidrome allows 5 sign-ins per 20 s per address (server/auth.go, httprate).
    if (res.status === 429) throw new SourceProblem('rate-limited');
    if (res.status === 404 || res.status === 405) return 'not-native';
    if (res.status >= 500) throw new SourceProblem('server-error');
    const body = parseJson(res.body);
    if (res.status !== 200 || typeof body?.token !== 'string') return 'not-native';
    this.token = body.token;
    this.isAdmin = body.isAdmin === true;
    return 'ok';
  }

  async get(path: string, query: Record<string, string> = {}, extra: { readUntil?: RegExp; timeoutMs?: number } = {}): Promise<HttpResponse> {
    const qs = new URLSearchParams(query).toString();
    const res = await this.http.request({
      method: 'GET',
      url: `${this.base}${path}${qs ? `?${qs}` : ''}`,
      headers: { 'x-nd-authorization': `Bearer ${this.token}`, accept: 'application/json' },
      timeoutMs: extra.timeoutMs ?? REQUEST_TIMEOUT_MS,
      ...(extra.readUntil ? { readUntil: extra.readUntil } : {}),
    });
    // Navidrome refreshes the token on every authenticated answer; keep the newest.
    const refreshed = res.headers['x-nd-authorization'];
    if (refreshed) this.token = refreshed.replace(/^Bearer\s+/i, '');
    if (res.status === 401) throw new SourceProblem('unauthorized');
    return res;
  }

  /** `X-Total-Count` of a list endpoint, asking for a single row. */
  async count(resource: string, filters: Record<string, string> = {}): Promise<number> {
    const res = await this.get(`/api/${resource}`, { _start: '0', _end: '1', ...filters });
    if (res.status === 404) throw new SourceProblem('endpoint-missing');
    if (res.status === 403) throw new SourceProblem('not-admin');
    if (res.status !== 200) throw new SourceProblem('server-error');
    const total = Number(res.headers['x-total-count']);
    if (!Number.isSafeInteger(total) || total < 0) throw new SourceProblem('not-a-music-server');
    return total;
  }

  async list(resource: string, pageSize = 500, maxRows = 20_000): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = [];
    for (let start = 0; start < maxRows; start += pageSize) {
      const res = await this.get(`/api/${resource}`, { _start: String(start), _end: String(start + pageSize) });
      if (res.status === 404) throw new SourceProblem('endpoint-missing');
      if (res.status === 403) throw new SourceProblem('not-admin');
      if (res.status !== 200) throw new SourceProblem('server-error');
      const page = parseJson(res.body);
      if (!Array.isArray(page)) throw new SourceProblem('not-a-music-server');
      rows.push(...(page as Record<string, unknown>[]));
      const total = Number(res.headers['x-total-count']);
      if (page.length < pageSize || (Number.isFinite(total) && rows.length >= total)) break;
    }
    return rows;
  }
}

/**
 * Reads everything the policy asks of the server, part by part: a part that fails leaves its
 * fields out and says why; nothing throws through.
 */
export async function collectServerFacts(http: HttpClient, conn: ServerConnection, now: number): Promise<ServerFacts> {
  const sensitive = connectionSensitives(conn);
  let base: string;
  try {
    base = normalizeBaseUrl(conn.url);
  } catch {
    return failed('native-api', 'not-a-music-server', sensitive);
  }
  const native = new NativeApi(http, base, conn);
  try {
    const login = await native.login();
    if (login === 'not-native') return await collectViaSubsonic(http, base, conn, sensitive);
  } catch (error) {
    return failed('native-api', toProblem(error), sensitive);
  }
  return collectViaNative(native, base, now, sensitive);
}

function failed(api: ServerFacts['api'], code: ProblemCode, sensitive: SensitiveValue[]): ServerFacts {
  return { api, library: {}, health: health('server', 'failed', code), sensitive };
}

async function collectViaNative(api: NativeApi, base: string, now: number, sensitive: SensitiveValue[]): Promise<ServerFacts> {
  const facts: ServerFacts = { api: 'native-api', serverType: 'navidrome', library: {}, health: health('server', 'ok'), sensitive };
  const omitted: string[] = [];
  const problems: ProblemCode[] = [];
  const attempt = async <T>(fields: string[], run: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await run();
    } catch (error) {
      omitted.push(...fields);
      problems.push(toProblem(error));
      return undefined;
    }
  };
  const lib = facts.library;
  let players: Promise<Record<string, unknown>[]> | null = null;
  const playersOnce = () => (players ??= api.list('player'));
  // Navidrome marks every account that calls its API as active (UpdateLastAccessMiddleware), Candor's
  // own included: that account counts only if it also played through some app in the window.
  const isSelf = (user: Record<string, unknown>) => typeof user.userName === 'string' && user.userName.toLowerCase() === api.conn.username.toLowerCase();
  const countInto = (key: keyof LibraryCounts, resource: string, problemOn404?: ProblemCode) =>
    attempt([`library.${key}`], async () => {
      try {
        (lib as Record<string, number>)[key] = await api.count(resource);
      } catch (error) {
        if (problemOn404 && error instanceof SourceProblem && error.code === 'endpoint-missing') throw new SourceProblem(problemOn404);
        throw error;
      }
    });

  await Promise.all([
    countInto('tracks', 'song'),
    countInto('albums', 'album'),
    countInto('artists', 'artist'),
    countInto('playlists', 'playlist'),
    countInto('shares', 'share', 'sharing-disabled'),
    countInto('radios', 'radio'),
    countInto('libraries', 'library'),
    attempt(['library.activeUsers'], async () => {
      if (!api.isAdmin) throw new SourceProblem('not-admin');
      const users = await api.list('user');
      for (const user of users) {
        for (const key of ['userName', 'name', 'email', 'id']) {
          if (typeof user[key] === 'string') sensitive.push({ kind: key === 'email' ? 'email' : 'user name', value: user[key] as string });
        }
      }
      const players = await playersOnce();
      lib.activeUsers = users.filter((u) => isWithin(u.lastAccessAt, now) && (!isSelf(u) || selfActiveElsewhere(u, players, now))).length;
    }),
    attempt(['library.activePlayers'], async () => {
      if (!api.isAdmin) throw new SourceProblem('not-admin');
      const players = await playersOnce();
      const byClient: Record<string, number> = {};
      for (const player of players) {
        for (const key of ['name', 'userAgent', 'ip', 'userName', 'id']) {
          if (typeof player[key] === 'string') sensitive.push({ kind: key === 'ip' ? 'address' : 'name', value: player[key] as string });
        }
        if (!isWithin(player.lastSeen, now) || player.client === CANDOR_CLIENT) continue;
        const client = typeof player.client === 'string' && PATTERNS.playerClient.test(player.client) ? player.client : OTHER_CLIENT;
        byClient[client] = (byClient[client] ?? 0) + 1;
      }
      lib.activePlayers = byClient;
    }),
    attempt(['config.hasSmartPlaylists'], async () => {
      const playlists = await api.list('playlist');
      for (const playlist of playlists) {
        for (const key of ['name', 'comment', 'ownerName', 'path']) {
          if (typeof playlist[key] === 'string') sensitive.push({ kind: key === 'path' ? 'path' : 'name', value: playlist[key] as string });
        }
      }
      facts.hasSmartPlaylists = playlists.some((p) => p.rules !== null && p.rules !== undefined && p.rules !== '');
    }),
    attempt(['library.fileSuffixes'], async () => {
      const result = await countSuffixes(api);
      lib.fileSuffixes = result.counts;
      facts.unlistedSuffixTracks = result.unlisted;
    }),
    (async () => {
      try {
        const res = await api.get('/api/config/', {});
        if (res.status === 404 || res.status === 405) facts.configProblem = 'config-hidden';
        else if (res.status === 403) facts.configProblem = 'not-admin';
        else if (res.status !== 200) facts.configProblem = 'server-error';
        else {
          const body = parseJson(res.body);
          if (body && typeof body.config === 'object' && body.config !== null) facts.serverConfig = body.config as Record<string, unknown>;
          else facts.configProblem = 'config-hidden';
        }
      } catch (error) {
        facts.configProblem = toProblem(error);
      }
    })(),
    (async () => {
      try {
        const start = (await serverStartFromEvents(api).catch(() => null)) ?? (await serverStartFromPrometheus(api));
        if (start) {
          facts.startedAt = start.startedAt;
          facts.startedAtSource = start.source;
          if (!facts.version && start.version) facts.version = start.version;
        } else facts.uptimeProblem = 'start-time-unknown';
      } catch (error) {
        facts.uptimeProblem = toProblem(error) === 'unauthorized' ? 'unauthorized' : 'start-time-unknown';
      }
    })(),
  ]);

  if (!facts.version) {
    const about = await openSubsonicAbout(api.http, base).catch(() => null);
    if (about?.serverVersion) facts.version = about.serverVersion;
    else omitted.push('version');
  }

  // A count we asked for in parallel with the one for the total may drift; never report more than the total.
  if (lib.fileSuffixes && lib.tracks !== undefined && facts.unlistedSuffixTracks !== undefined) {
    const listed = Object.values(lib.fileSuffixes).reduce((a, b) => a + b, 0);
    facts.unlistedSuffixTracks = Math.max(0, lib.tracks - listed);
  }
  if (facts.version && !PATTERNS.serverVersion.test(facts.version)) {
    delete facts.version;
    omitted.push('version');
  }
  if (omitted.length > 0) {
    const first = problems.find((p) => p !== 'sharing-disabled') ?? problems[0]!;
    facts.health = health('server', 'partial', first, omitted);
  }
  return facts;
}

/** The client name Candor gives itself on the Subsonic API, so its own visits are never counted as a player. */
const CANDOR_CLIENT = 'candor';

function selfActiveElsewhere(user: Record<string, unknown>, players: Record<string, unknown>[], now: number): boolean {
  return players.some((p) => p.userId === user.id && p.client !== CANDOR_CLIENT && isWithin(p.lastSeen, now));
}

function isWithin(value: unknown, now: number): boolean {
  if (typeof value !== 'string') return false;
  const at = Date.parse(value);
  return Number.isFinite(at) && now - at < ACTIVE_WINDOW_MS && at - now < ACTIVE_WINDOW_MS;
}

async function countSuffixes(api: NativeApi): Promise<{ counts: Record<string, number>; unlisted: number }> {
  const raw: Record<string, number> = {};
  await Promise.all(PROBED_SUFFIXES.map(async (suffix) => (raw[suffix] = await api.count('song', { suffix }))));
  // "starts with" matching: `aif` also counted the `aiff` files.
  for (const suffix of PROBED_SUFFIXES) {
    for (const longer of PROBED_SUFFIXES) {
      if (longer !== suffix && longer.startsWith(suffix)) raw[suffix] = Math.max(0, (raw[suffix] ?? 0) - (raw[longer] ?? 0));
    }
  }
  const counts: Record<string, number> = {};
  for (const suffix of PROBED_SUFFIXES) if ((raw[suffix] ?? 0) > 0) counts[suffix] = raw[suffix]!;
  return { counts, unlisted: 0 };
}

type StartTime = { startedAt: number; version?: string; source: 'event-stream' | 'prometheus' };

/** Navidrome announces its start time to every new event-stream client (server/events/sse.go). */
async function serverStartFromEvents(api: NativeApi): Promise<StartTime | null> {
  const res = await api.get('/api/events', {}, { readUntil: /event:\s*serverStart[\s\S]*?\n\n/, timeoutMs: EVENT_WAIT_MS });
  if (res.status !== 200) return null;
  const match = /event:\s*serverStart\s*\n(?:[^\n]*\n)*?data:\s*(\{[^\n]*\})/.exec(res.body);
  const data = match ? parseJson(match[1]!) : null;
  const startedAt = typeof data?.startTime === 'string' ? Date.parse(data.startTime) : NaN;
  if (!Number.isFinite(startedAt)) return null;
  return { startedAt, source: 'event-stream', ...(typeof data?.version === 'string' ? { version: data.version } : {}) };
}

/** Prometheus' standard process metric, when the server exposes metrics at the default path without a password. */
async function serverStartFromPrometheus(api: NativeApi): Promise<StartTime | null> {
  const res = await api.http.request({ method: 'GET', url: `${api.base}/metrics`, timeoutMs: REQUEST_TIMEOUT_MS, maxBytes: 4 * 1024 * 1024 }).catch(() => null);
  if (!res || res.status !== 200) return null;
  const match = /^process_start_time_seconds(?:\{[^}]*\})?\s+([0-9.eE+]+)\s*$/m.exec(res.body);
  const seconds = match ? Number(match[1]) : NaN;
  return Number.isFinite(seconds) && seconds > 0 ? { startedAt: Math.round(seconds * 1000), source: 'prometheus' } : null;
}

// ---------------------------------------------------------------------------------------------
// Subsonic: the fallback for servers without Navidrome's native API.

type SubsonicBody = Record<string, unknown> & { status?: string; serverVersion?: string; type?: string; version?: string };

/**
 * The server's version without signing in: OpenSubsonic's extension list needs no credentials and,
 * unlike an authenticated call, does not register Candor as a player.
 */
async function openSubsonicAbout(http: HttpClient, base: string): Promise<{ serverVersion?: string; type?: string }> {
  const res = await http.request({ method: 'GET', url: `${base}/rest/getOpenSubsonicExtensions?f=json`, timeoutMs: REQUEST_TIMEOUT_MS, maxBytes: 256 * 1024 });
  const body = parseJson(res.body)?.['subsonic-response'] as SubsonicBody | undefined;
  return {
    ...(typeof body?.serverVersion === 'string' ? { serverVersion: body.serverVersion } : {}),
    ...(typeof body?.type === 'string' ? { type: body.type } : {}),
  };
}

async function subsonicCall(http: HttpClient, base: string, method: string, auth: Record<string, string>, params: Record<string, string> = {}): Promise<SubsonicBody> {
  const qs = new URLSearchParams({ ...auth, v: '1.16.1', c: CANDOR_CLIENT, f: 'json', ...params });
  const res = await http.request({ method: 'GET', url: `${base}/rest/${method}?${qs}`, timeoutMs: REQUEST_TIMEOUT_MS, maxBytes: 32 * 1024 * 1024 });
  if (res.status === 404) throw new SourceProblem('not-a-music-server');
  if (res.status >= 500) throw new SourceProblem('server-error');
  const body = parseJson(res.body)?.['subsonic-response'] as SubsonicBody | undefined;
  if (!body || typeof body !== 'object') throw new SourceProblem('not-a-music-server');
  if (body.status !== 'ok') {
    const code = Number((body.error as { code?: unknown } | undefined)?.code);
    if (code === 40 || code === 41 || code === 44) throw new SourceProblem('unauthorized');
    if (code === 50) throw new SourceProblem('not-admin');
    if (code === 70 || code === 0) throw new SourceProblem('endpoint-missing');
    throw new SourceProblem('server-error');
  }
  return body;
}

function subsonicAuth(conn: ServerConnection): Record<string, string> {
  const salt = randomBytes(6).toString('hex');
  const token = createHash('md5').update(conn.password + salt).digest('hex');
  return { u: conn.username, t: token, s: salt };
}

async function collectViaSubsonic(http: HttpClient, base: string, conn: ServerConnection, sensitive: SensitiveValue[]): Promise<ServerFacts> {
  const auth = subsonicAuth(conn);
  let ping: SubsonicBody;
  try {
    ping = await subsonicCall(http, base, 'ping', auth);
  } catch (error) {
    return failed('subsonic-api', toProblem(error), sensitive);
  }
  const facts: ServerFacts = { api: 'subsonic-api', library: {}, health: health('server', 'ok'), sensitive, uptimeProblem: 'start-time-unknown' };
  if (typeof ping.type === 'string' && PATTERNS.token.test(ping.type)) facts.serverType = ping.type;
  if (typeof ping.serverVersion === 'string' && PATTERNS.serverVersion.test(ping.serverVersion)) facts.version = ping.serverVersion;
  facts.configProblem = 'config-hidden';
  const lib = facts.library;
  const omitted: string[] = ['library.activeUsers', 'library.activePlayers', 'library.fileSuffixes', 'library.libraries'];
  const problems: ProblemCode[] = [];
  const call = (method: string, params: Record<string, string> = {}) => subsonicCall(http, base, method, auth, params);
  const attempt = async (field: string, run: () => Promise<void>) => {
    try {
      await run();
    } catch (error) {
      omitted.push(field);
      problems.push(toProblem(error));
    }
  };
  await Promise.all([
    attempt('library.tracks', async () => {
      const body = await call('getScanStatus');
      const count = Number((body.scanStatus as { count?: unknown } | undefined)?.count);
      if (!Number.isSafeInteger(count)) throw new SourceProblem('endpoint-missing');
      lib.tracks = count;
    }),
    attempt('library.playlists', async () => {
      lib.playlists = listOf(await call('getPlaylists'), 'playlists', 'playlist').length;
    }),
    attempt('library.radios', async () => {
      lib.radios = listOf(await call('getInternetRadioStations'), 'internetRadioStations', 'internetRadioStation').length;
    }),
    attempt('library.shares', async () => {
      lib.shares = listOf(await call('getShares'), 'shares', 'share').length;
    }),
    attempt('library.artists', async () => {
      const indexes = listOf(await call('getArtists'), 'artists', 'index') as Array<{ artist?: unknown[] }>;
      lib.artists = indexes.reduce((sum, index) => sum + (Array.isArray(index.artist) ? index.artist.length : 0), 0);
    }),
    attempt('library.albums', async () => {
      let total = 0;
      for (let offset = 0; offset < 1_000_000; offset += 500) {
        const page = listOf(await call('getAlbumList2', { type: 'alphabeticalByName', size: '500', offset: String(offset) }), 'albumList2', 'album');
        total += page.length;
        if (page.length < 500) break;
      }
      lib.albums = total;
    }),
  ]);
  facts.health = health('server', 'partial', problems[0] ?? 'endpoint-missing', omitted);
  return facts;
}

function listOf(body: SubsonicBody, container: string, item: string): unknown[] {
  const holder = body[container] as Record<string, unknown> | undefined;
  const list = holder?.[item];
  return Array.isArray(list) ? list : [];
}

function parseJson(text: string): Record<string, any> | null {
  try {
    const value = JSON.parse(text);
    return value && typeof value === 'object' ? value : null;
  } catch {
    return null;
  }
}

