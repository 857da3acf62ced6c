/**
 * Subsonic-only mode, modelled on gonic (github.com/sentriz/gonic, server/ctrlsubsonic/, facts in
 * docs/navidrome-api.md "Subsonic-only servers"): no native API, no event stream, no players, no
 * users list, no shares. Serves the same seed, reduced to what gonic's database would hold (gonic's
 * scanner deletes rows of vanished files, so `missing` rows do not exist here).
 */
import type { NavidromeSeed, SeedAlbum, SeedSong, SeedUser } from './seed';
import type { Json } from './entities';
import type { Reply } from './rest';
import { md5hex } from './util';
import { subsonicXml } from './subsonic-data';

export const GONIC_NAME = 'gonic';

class GonicError extends Error {
  constructor(
    readonly code: number,
    message: string,
  ) {
    super(message);
  }
}

/** spec.NewResponse: type "gonic", serverVersion from version.txt, openSubsonic true. */
function envelope(seed: NavidromeSeed, payload: Json, failed?: GonicError): Json {
  const out: Json = { status: failed ? 'failed' : 'ok', version: '1.16.1', type: GONIC_NAME, serverVersion: seed.version, openSubsonic: true };
  if (failed) out.error = { code: failed.code, message: failed.message };
  return Object.assign(out, payload);
}

/** writeResp: json, jsonp (callback defaults to "cb", body ends in ");"), XML otherwise. */
function render(seed: NavidromeSeed, params: URLSearchParams, payload: Json, failed?: GonicError): Reply {
  const body = JSON.stringify({ 'subsonic-response': envelope(seed, payload, failed) });
  const f = params.get('f');
  if (f === 'json') return { status: 200, headers: { 'content-type': 'application/json' }, body };
  if (f === 'jsonp') return { status: 200, headers: { 'content-type': 'application/javascript' }, body: `${params.get('callback') ?? 'cb'}(${body});` };
  return { status: 200, headers: { 'content-type': 'application/xml' }, body: subsonicXml(envelope(seed, payload, failed)) };
}

/** withUser (ctrl.go): `t`+`s` or `p` (plain or enc:hex), exactly one of the two; user names match exactly. */
function authenticate(seed: NavidromeSeed, params: URLSearchParams): SeedUser {
  const name = params.get('u') ?? '';
  const password = params.get('p') ?? '';
  const token = params.get('t') ?? '';
  const salt = params.get('s') ?? '';
  const passwordAuth = token === '' && salt === '';
  const tokenAuth = password === '';
  if (tokenAuth === passwordAuth) throw new GonicError(10, 'please provide `t` and `s`, or just `p`');
  const user = seed.users.find((u) => u.userName === name);
  if (!user) throw new GonicError(40, `invalid username "${name}"`);
  const given = password.startsWith('enc:') ? Buffer.from(password.slice(4), 'hex').toString('utf8') : password;
  const ok = tokenAuth ? md5hex(user.password + salt) === token : user.password === given;
  if (!ok) throw new GonicError(40, 'invalid password');
  return user;
}

/** What gonic's database would hold: no rows for vanished files. */
function tracks(seed: NavidromeSeed): SeedSong[] {
  return seed.songs.filter((s) => !s.missing);
}
function albums(seed: NavidromeSeed): SeedAlbum[] {
  const withTracks = new Set(tracks(seed).map((s) => s.albumId));
  return seed.albums.filter((a) => !a.missing && withTracks.has(a.id));
}

const positions = new WeakMap<Array<{ id: string }>, Map<string, number>>();

/** specid: gonic's ids are "<type>-<integer row id>" (the seed position stands for the row id). */
function rowId(prefix: string, list: Array<{ id: string }>, id: string): string {
  let byId = positions.get(list);
  if (!byId || byId.size !== list.length) positions.set(list, (byId = new Map(list.map((x, i) => [x.id, i + 1]))));
  return `${prefix}-${byId.get(id) ?? 0}`;
}

function intOr(params: URLSearchParams, name: string, fallback: number): number {
  const raw = params.get(name);
  return raw !== null && /^[+-]?\d+$/.test(raw) ? Number(raw) : fallback;
}

/** gorm v1: Offset(n) Limit(m); a negative limit means none, LIMIT 0 means no rows. */
function page<T>(rows: T[], offset: number, limit: number): T[] {
  const from = Math.max(0, offset);
  return limit < 0 ? rows.slice(from) : rows.slice(from, from + limit);
}

function trackChild(seed: NavidromeSeed, s: SeedSong): Json {
  const out: Json = {
    id: rowId('tr', seed.songs, s.id),
    album: s.album,
    albumId: rowId('al', seed.albums, s.albumId),
    artist: s.artist,
    bitRate: s.bitRate,
    created: s.createdAt,
    duration: Math.trunc(s.duration),
    isDir: false,
    isVideo: false,
    parent: rowId('al', seed.albums, s.albumId),
    path: `${s.albumArtist}/${s.album}/${s.title}.${s.suffix}`,
    size: s.size,
    title: s.title,
    track: s.trackNumber,
    type: 'music',
    mediaType: 'song',
    musicBrainzId: '',
    isrc: [],
    played: '',
  };
  // spec.formatExt(filepath.Ext(filename)): the extension as on disk, case kept; omitted when empty.
  if (s.suffix) out.suffix = s.suffix;
  return out;
}

function albumJson(seed: NavidromeSeed, a: SeedAlbum): Json {
  const count = tracks(seed).filter((s) => s.albumId === a.id).length;
  return {
    id: rowId('al', seed.albums, a.id),
    created: a.createdAt,
    artist: a.albumArtist,
    artists: [],
    displayArtist: a.albumArtist,
    title: a.name,
    album: a.name,
    name: a.name,
    songCount: count,
    duration: Math.trunc(a.duration),
    playCount: 0,
    played: '',
  };
}

function albumArtists(seed: NavidromeSeed) {
  const credited = new Set(albums(seed).map((a) => a.albumArtistId));
  return seed.artists.filter((a) => credited.has(a.id)).sort((x, y) => x.name.toLowerCase().localeCompare(y.name.toLowerCase()));
}

type Handler = (seed: NavidromeSeed, user: SeedUser, params: URLSearchParams) => Json;

const HANDLERS: Record<string, Handler> = {
  ping: () => ({}),
  getLicense: () => ({ license: { valid: true } }),
  // Behind authentication in gonic, unlike Navidrome.
  getOpenSubsonicExtensions: () => ({
    openSubsonicExtensions: [
      { name: 'transcodeOffset', versions: [1] },
      { name: 'formPost', versions: [1] },
      { name: 'songLyrics', versions: [1] },
    ],
  }),
  // One entry per configured music path, ids 0..n-1, the same for every user.
  getMusicFolders: (seed) => ({ musicFolders: { musicFolder: seed.libraries.map((l, i) => ({ id: i, name: l.name })) } }),
  // `count` is every track row; json:"count,omitempty", so an empty library has no count at all.
  getScanStatus: (seed) => {
    const count = tracks(seed).length;
    return { scanStatus: { scanning: seed.scan.scanning, ...(count ? { count } : {}) } };
  },
  // Always the caller, whatever `username` says.
  getUser: (_seed, user) => ({ user: { username: user.userName, scrobblingEnabled: true, adminRole: user.isAdmin, downloadRole: true, folder: [1] } }),
  getPlaylists: (seed, user) => ({
    playlists: {
      playlist: seed.playlists
        .filter((p) => p.ownerId === user.id || p.public)
        .map((p) => ({
          id: p.id,
          name: p.name,
          comment: p.comment,
          owner: seed.users.find((u) => u.id === p.ownerId)?.userName ?? '',
          songCount: p.songCount,
          created: p.createdAt,
          changed: p.updatedAt,
          duration: Math.trunc(p.duration),
          ...(p.public ? { public: true } : {}),
        })),
    },
  }),
  getInternetRadioStations: (seed) => ({
    internetRadioStations: {
      internetRadioStation: seed.radios.map((r, i) => ({ id: `ir-${i + 1}`, name: r.name, streamUrl: r.streamUrl, homePageUrl: r.homePageUrl })),
    },
  }),
  // Album artists by name (COLLATE NOCASE), indexed by their first lower-cased letter or "#".
  getArtists: (seed) => {
    const index = new Map<string, Json[]>();
    for (const a of albumArtists(seed)) {
      const first = a.name.charAt(0).toLowerCase();
      const key = /\p{L}/u.test(first) ? first : '#';
      index.set(key, [
        ...(index.get(key) ?? []),
        {
          id: rowId('ar', seed.artists, a.id),
          name: a.name,
          albumCount: a.roles.albumartist?.albumCount ?? 0,
          musicBrainzId: '',
          disambiguation: '',
          roles: ['albumartist'],
        },
      ]);
    }
    return { artists: { ignoredArticles: '', index: [...index].map(([name, artist]) => ({ name, artist })) } };
  },
  // No size cap and no x-total-count header (unlike Navidrome); an unknown type is error 10.
  getAlbumList2: (seed, _user, params) => {
    const type = params.get('type');
    if (type === null) throw new GonicError(10, 'please provide a `type` parameter');
    const list = albums(seed);
    if (type === 'alphabeticalByName') list.sort((x, y) => (x.name < y.name ? -1 : x.name > y.name ? 1 : 0));
    else if (type === 'newest') list.sort((x, y) => Date.parse(y.createdAt) - Date.parse(x.createdAt));
    else if (type !== 'random') throw new GonicError(10, `unknown value "${type}" for parameter 'type'`);
    return { albumList2: { album: page(list, intOr(params, 'offset', 0), intOr(params, 'size', 10)).map((a) => albumJson(seed, a)) } };
  },
  search3: (seed, _user, params) => {
    const query = params.get('query');
    if (query === null) throw new GonicError(10, 'please provide a `query` parameter');
    // `""` (two quote characters) means everything; anything else is LIKE %word%word% on titles, and
    // an empty value becomes `%%`, which matches every row too.
    const words = query === '""' ? [] : query.toLowerCase().split(/\s+/).filter(Boolean);
    const like = (text: string) => {
      const lower = text.toLowerCase();
      let at = 0;
      for (const word of words) {
        const found = lower.indexOf(word, at);
        if (found < 0) return false;
        at = found + word.length;
      }
      return true;
    };
    const quirks = seed.subsonicSearchQuirks;
    let songs = tracks(seed).filter((s) => like(s.title) && !(quirks.literalQuery && words.length === 0));
    // Not gonic: stands in for servers whose song query joins a many-to-many table without grouping.
    if (quirks.repeatedRows) songs = songs.flatMap((s) => [s, s]);
    const songRows = page(songs, intOr(params, 'songOffset', 0), intOr(params, 'songCount', 20)).map((s) => trackChild(seed, s));
    // Not gonic either: servers that mix folder rows (isDir) into song results.
    if (quirks.directoryRows)
      songRows.splice(
        0,
        0,
        ...albums(seed)
          .slice(0, 2)
          .map((a) => ({ ...albumJson(seed, a), isDir: true })),
      );
    const albumRows = page(
      albums(seed).filter((a) => like(a.name)),
      intOr(params, 'albumOffset', 0),
      intOr(params, 'albumCount', 20),
    );
    const artistRows = page(
      albumArtists(seed).filter((a) => like(a.name)),
      intOr(params, 'artistOffset', 0),
      intOr(params, 'artistCount', 20),
    );
    const result: Json = {};
    if (artistRows.length) result.artist = artistRows.map((a) => ({ id: rowId('ar', seed.artists, a.id), name: a.name, albumCount: 0 }));
    if (albumRows.length) result.album = albumRows.map((a) => albumJson(seed, a));
    if (songRows.length) result.song = songRows;
    return { searchResult3: result };
  },
};

/** The /rest router after StripPrefix + TrimPathSuffix(".view"): withParams, withRequiredParams (u, c), withUser. */
export function handleGonic(seed: NavidromeSeed, name: string, params: URLSearchParams): Reply {
  try {
    for (const required of ['u', 'c']) if (!params.get(required)) throw new GonicError(10, `please provide a "${required}" parameter`);
    const user = authenticate(seed, params);
    const handler = HANDLERS[name.replace(/\.view$/, '')];
    // Routes gonic lacks (getUsers, getShares, getNowPlaying, ...) fall through to ServeNotFound.
    if (!handler) throw new GonicError(70, 'view not found');
    return render(seed, params, handler(seed, user, params));
  } catch (error) {
    if (!(error instanceof GonicError)) throw error;
    return render(seed, params, {}, error);
  }
}

/** Outside /rest: `/ping` says "ok", everything else is a 303 to the admin UI (cmd/gonic/gonic.go). */
export function gonicOutsideRest(path: string): Reply {
  if (path === '/ping') return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: 'ok\n' };
  if (path.startsWith('/admin/'))
    return {
      status: 200,
      headers: { 'content-type': 'text/html; charset=utf-8' },
      body: '<!DOCTYPE html><html><head><title>gonic</title></head><body><form method="post" action="/admin/login_do"></form></body></html>\n',
    };
  return { status: 303, headers: { location: '/admin/home', 'content-type': 'text/html; charset=utf-8' }, body: '<a href="/admin/home">See Other</a>.\n\n' };
}
