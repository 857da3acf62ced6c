/**
 * deluan/rest GetAll/Get over seed rows, with Navidrome's filter and sort rules
 * (persistence/sql_restful.go, sql_base_repository.go and each *_repository.go).
 */
import type { NavidromeSeed, SeedUser } from './seed';
import { ALL_ROLES, type Role } from './seed';
import {
  albumJson,
  artistJson,
  artistVisible,
  libraryJson,
  playerJson,
  playlistJson,
  playlistVisible,
  radioJson,
  shareJson,
  songJson,
  userJson,
  userLibraryIds,
  type Json,
} from './entities';
import { sqliteLike, sqliteText, toSnakeCase } from './util';

export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

export function jsonReply(status: number, payload: unknown, headers: Record<string, string> = {}): Reply {
  return { status, headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(payload) };
}
/** rest.RespondWithError */
export function restError(status: number, message: string): Reply {
  return jsonReply(status, { error: message });
}
/** http.Error / http.NotFound: text/plain, nosniff, trailing newline. */
export function textError(status: number, message: string): Reply {
  return { status, headers: { 'content-type': 'text/plain; charset=utf-8', 'x-content-type-options': 'nosniff' }, body: `${message}\n` };
}
export const notFound = (): Reply => textError(404, '404 page not found');

interface Row {
  json: Json;
  cols: Record<string, unknown>;
}
type Pred = (row: Row, value: unknown) => boolean;
type SortKey = (row: Row) => unknown[];

interface ResourceDef {
  entity: string;
  /** Rows this user may see, or 'denied' (rest.ErrPermissionDenied -> 403). */
  rows(seed: NavidromeSeed, user: SeedUser): Row[] | 'denied';
  filters: Record<string, Pred>;
  sorts: Record<string, SortKey>;
  /** What GetAll writes after the error JSON when the SQL fails (nil slice -> null, empty -> []). */
  errorTail: 'null' | '[]';
  /** Read(id) of an unknown id: most repositories return model.ErrNotFound, which rest maps to 500. */
  readNotFound(id: string): Reply;
}

const ANNOTATIONS = { play_count: 0, play_date: null, rating: 0, rated_at: null, starred: false, starred_at: null, average_rating: 0 };

/** Column values as SQLite holds them: snake_case json keys, minus joined/computed ones, plus annotations. */
function row(json: Json, exclude: string[] = [], extra: Record<string, unknown> = {}): Row {
  const cols: Record<string, unknown> = { ...ANNOTATIONS };
  for (const [k, v] of Object.entries(json)) {
    const c = toSnakeCase(k);
    if (!exclude.includes(c)) cols[c] = v;
  }
  return { json, cols: { ...cols, ...extra } };
}

/** Go formats a multi-valued filter with %s: []string{"a","b"} -> "[a b]". */
const goStr = (v: unknown) => (Array.isArray(v) ? `[${v.join(' ')}]` : String(v));
const eq =
  (col: string): Pred =>
  (r, v) =>
    (Array.isArray(v) ? v : [v]).some((x) => sqliteText(r.cols[col]) === String(x));
const startsWith =
  (col: string): Pred =>
  (r, v) =>
    sqliteLike(r.cols[col], `${goStr(v)}%`);
const contains =
  (col: string): Pred =>
  (r, v) =>
    sqliteLike(r.cols[col], `%${goStr(v)}%`);
const bool =
  (col: string): Pred =>
  (r, v) =>
    Boolean(r.cols[col]) === (String(Array.isArray(v) ? v[0] : v).toLowerCase() === 'true');
const never: Pred = () => false;
/** Approximates the FTS search: every word must prefix some word of the searched fields. */
const fullText =
  (...cols: string[]): Pred =>
  (r, v) => {
    const words = cols
      .flatMap((c) =>
        sqliteText(r.cols[c])
          .toLowerCase()
          .split(/[^\p{L}\p{N}]+/u),
      )
      .filter(Boolean);
    const tokens = String(v)
      .toLowerCase()
      .split(/[^\p{L}\p{N}]+/u)
      .filter(Boolean);
    return tokens.every((t) => words.some((w) => w.startsWith(t)));
  };
/** substringFilter: every whitespace-separated part must be contained (LIKE %part%). */
const substring =
  (col: string): Pred =>
  (r, v) =>
    String(v)
      .split(/\s+/)
      .filter(Boolean)
      .every((p) => sqliteLike(r.cols[col], `%${p}%`));
const lower = (col: string) => (r: Row) => sqliteText(r.cols[col]).toLowerCase();

function sortBy(...cols: Array<string | ((r: Row) => unknown)>): SortKey {
  return (r) => cols.map((c) => (typeof c === 'string' ? r.cols[c] : c(r)));
}

const song: ResourceDef = {
  entity: 'mediafile',
  rows: (seed, user) => {
    const libs = userLibraryIds(seed, user);
    return seed.songs.filter((s) => libs.includes(s.libraryId)).map((s) => row(songJson(seed, s), ['library_path', 'library_name']));
  },
  filters: {
    id: eq('id'),
    title: fullText('title', 'album', 'artist', 'album_artist'),
    starred: bool('starred'),
    has_rating: (r, v) => Number(r.cols.rating) > 0 === (String(v).toLowerCase() === 'true'),
    missing: bool('missing'),
    artists_id: (r, v) => eq('artist_id')(r, v) || eq('album_artist_id')(r, v),
    library_id: eq('library_id'),
    path: startsWith('path'),
  },
  sorts: {
    title: sortBy(lower('title')),
    artist: sortBy('order_artist_name', 'order_album_name', 'disc_number', 'track_number'),
    album_artist: sortBy('order_album_artist_name', 'order_album_name', 'disc_number', 'track_number'),
    album: sortBy('order_album_name', 'album_id', 'disc_number', 'track_number', 'order_artist_name', 'title'),
    random: () => [Math.random()],
    created_at: sortBy('created_at'),
    recently_added: sortBy('created_at', 'id'),
    year: sortBy('year'),
    genre: sortBy('genre'),
    duration: sortBy('duration'),
    path: sortBy('path'),
    play_count: sortBy('play_count'),
  },
  errorTail: 'null',
  readNotFound: () => restError(500, 'data not found'),
};

const album: ResourceDef = {
  entity: 'album',
  rows: (seed, user) => {
    const libs = userLibraryIds(seed, user);
    return seed.albums.filter((a) => libs.includes(a.libraryId)).map((a) => row(albumJson(seed, a), ['library_path', 'library_name', 'genres']));
  },
  filters: {
    id: eq('id'),
    name: fullText('name', 'album_artist'),
    compilation: bool('compilation'),
    artist_id: eq('album_artist_id'),
    year: (r, v) => Number(r.cols.min_year) <= Number(v) && Number(r.cols.max_year) >= Number(v),
    starred: bool('starred'),
    missing: bool('missing'),
    library_id: eq('library_id'),
  },
  sorts: {
    name: sortBy('order_album_name', 'order_album_artist_name'),
    artist: sortBy('compilation', 'order_album_artist_name', 'order_album_name'),
    album_artist: sortBy('compilation', 'order_album_artist_name', 'order_album_name'),
    max_year: sortBy('max_year', 'name'),
    random: () => [Math.random()],
    recently_added: sortBy('created_at', 'id'),
  },
  errorTail: 'null',
  readNotFound: () => restError(500, 'data not found'),
};

const artist: ResourceDef = {
  entity: 'artist',
  rows: (seed, user) => {
    const libs = userLibraryIds(seed, user);
    return seed.artists
      .filter((a) => artistVisible(a, libs))
      .map((a) => {
        const r = row(artistJson(a), ['stats', 'size', 'album_count', 'song_count'], { sort_artist_name: '', mbz_artist_id: a.mbzArtistId ?? '' });
        return { json: r.json, cols: { ...r.cols, _roles: a.roles, _libs: a.libraryIds, _stats: a } };
      });
  },
  filters: {
    id: eq('id'),
    name: fullText('name'),
    starred: bool('starred'),
    missing: bool('missing'),
    role: (r, v) => typeof v === 'string' && (ALL_ROLES as readonly string[]).includes(v) && Boolean((r.cols._roles as Record<string, unknown>)[v as Role]),
    library_id: (r, v) => (Array.isArray(v) ? v : [v]).some((x) => (r.cols._libs as number[]).map(String).includes(String(x))),
  },
  sorts: {
    name: sortBy('order_artist_name'),
    song_count: (r) => [(r.cols._stats as { songCount: number }).songCount],
    album_count: (r) => [(r.cols._stats as { albumCount: number }).albumCount],
    size: (r) => [(r.cols._stats as { size: number }).size],
  },
  errorTail: 'null',
  readNotFound: () => restError(500, 'data not found'),
};

const user: ResourceDef = {
  entity: 'user',
  rows: (seed, u) => (u.isAdmin ? seed.users.map((x) => row(userJson(seed, x), ['libraries'], { password: x.password })) : 'denied'),
  filters: { id: eq('id'), password: never, name: startsWith('name') },
  sorts: { name: sortBy(lower('name')) }, // user.name is COLLATE NOCASE
  errorTail: 'null',
  readNotFound: (id) => restError(404, `user(id:${id}) not found`),
};

const player: ResourceDef = {
  entity: 'player',
  rows: (seed, u) =>
    seed.players
      .filter((p) => seed.users.some((x) => x.id === p.userId)) // JOIN user
      .filter((p) => u.isAdmin || p.userId === u.id) // ownerFilter
      .map((p) => row(playerJson(seed, p), ['user_name'], { username: seed.users.find((x) => x.id === p.userId)?.userName })),
  filters: { name: contains('name') },
  sorts: { user_name: sortBy('username') },
  errorTail: '[]',
  readNotFound: () => restError(500, 'data not found'),
};

const playlist: ResourceDef = {
  entity: 'playlist',
  rows: (seed, u) =>
    seed.playlists.filter((p) => playlistVisible(p, u)).map((p) => row(playlistJson(seed, p), ['owner_name'], { owner_name: playlistJson(seed, p).ownerName })),
  filters: {
    id: eq('id'),
    q: (r, v) => substring('name')(r, v) || substring('comment')(r, v),
    starred: bool('starred'),
    // smartPlaylistFilter ignores its value and keeps the playlists WITHOUT rules.
    smart: (r) => r.cols.rules === null || r.cols.rules === '',
  },
  sorts: { owner_name: sortBy('owner_name') },
  errorTail: 'null',
  readNotFound: () => restError(500, 'data not found'),
};

const share: ResourceDef = {
  entity: 'share',
  rows: (seed, u) =>
    seed.shares
      .filter((s) => seed.users.some((x) => x.id === s.userId))
      .filter((s) => u.isAdmin || s.userId === u.id)
      .map((s) => row(shareJson(seed, s), ['username'], { username: shareJson(seed, s).username })),
  filters: {},
  sorts: { username: sortBy('username') },
  errorTail: '[]',
  readNotFound: () => restError(500, 'data not found'),
};

const radio: ResourceDef = {
  entity: 'radio',
  rows: (seed) => seed.radios.map((r) => row(radioJson(r))),
  filters: { name: contains('name') },
  sorts: { name: sortBy(lower('name')) }, // radio.name is COLLATE NOCASE
  errorTail: '[]',
  readNotFound: () => restError(500, 'data not found'),
};

const library: ResourceDef = {
  entity: 'library',
  rows: (seed) => seed.libraries.map((l) => row(libraryJson(seed, l))),
  filters: {},
  sorts: {},
  errorTail: '[]',
  readNotFound: (id) => (/^[+-]?\d+$/.test(id) ? restError(500, 'data not found') : restError(404, `library(id:${id}) not found`)),
};

export const RESOURCES: Record<string, ResourceDef> = { song, album, artist, user, player, playlist, share, radio, library };

/** strconv.Atoi: anything but an optionally signed decimal is 0. */
function atoi(s: string | null): number {
  return s !== null && /^[+-]?\d+$/.test(s) ? Number(s) : 0;
}

function compare(a: unknown, b: unknown): number {
  const rank = (v: unknown) => (v === null || v === undefined ? 0 : typeof v === 'number' || typeof v === 'boolean' ? 1 : 2);
  const ra = rank(a);
  const rb = rank(b);
  if (ra !== rb) return ra - rb; // SQLite: NULL < numbers < text
  if (ra === 1) return Number(a) - Number(b);
  if (ra === 2) {
    const sa = String(a);
    const sb = String(b);
    return sa < sb ? -1 : sa > sb ? 1 : 0;
  }
  return 0;
}

/** rest.Controller.parseFilters: `_filters` JSON first, then every non-underscore query param. */
export function parseFilters(query: URLSearchParams): Record<string, unknown> {
  const filters: Record<string, unknown> = {};
  const raw = query.get('_filters');
  if (raw) {
    try {
      const parsed = JSON.parse(decodeURIComponent(raw)) as unknown;
      if (parsed && typeof parsed === 'object' && !Array.isArray(parsed)) Object.assign(filters, parsed);
    } catch {
      /* rest logs "Invalid filter specification" and continues */
    }
  }
  for (const key of new Set(query.keys())) {
    if (key.startsWith('_')) continue;
    const values = query.getAll(key);
    filters[key] = values.length === 1 ? values[0] : values;
  }
  delete filters.seed;
  return filters;
}

function select(def: ResourceDef, rows: Row[], filters: Record<string, unknown>): Row[] {
  const whitelist = new Set(rows.flatMap((r) => Object.keys(r.cols).filter((k) => !k.startsWith('_'))));
  let out = rows;
  for (const [key, value] of Object.entries(filters)) {
    if (value === '') continue; // "Ignore filters with empty values"
    const f = key.toLowerCase(); // lower-cased, NOT snake-cased: libraryId becomes "libraryid"
    const custom = def.filters[f];
    if (custom) out = out.filter((r) => custom(r, value));
    else if (!whitelist.has(f))
      continue; // "Ignoring filter not whitelisted"
    else if (f.endsWith('id')) out = out.filter((r) => eq(f)(r, value));
    else out = out.filter((r) => startsWith(f)(r, value)); // default: "starts with" (LIKE 'v%')
  }
  return out;
}

function sortRows(def: ResourceDef, rows: Row[], sortParam: string | null, orderParam: string | null): Row[] {
  if (!sortParam) return rows;
  const sort = toSnakeCase(sortParam);
  const camel = sort.replace(/_([A-Za-z])/g, (_, c: string) => c.toUpperCase());
  const whitelisted = rows.some((r) => sort in r.cols && !sort.startsWith('_'));
  const key: SortKey | undefined = def.sorts[sort] ?? def.sorts[camel] ?? (whitelisted ? sortBy(sort) : undefined);
  if (!key) return rows; // "Ignoring sort not whitelisted" (comma lists always end up here)
  const dir = (orderParam ?? '').toLowerCase() === 'desc' ? -1 : 1;
  return rows
    .map((r, i) => ({ r, i, k: key(r) }))
    .sort((a, b) => {
      for (let j = 0; j < a.k.length; j++) {
        const c = compare(a.k[j], b.k[j]);
        if (c !== 0) return c * dir;
      }
      return a.i - b.i;
    })
    .map((x) => x.r);
}

/** rest.GetAll: X-Total-Count is the filtered count, pagination via _start/_end (Max = end - start). */
export function getAll(def: ResourceDef, seed: NavidromeSeed, u: SeedUser, query: URLSearchParams): Reply {
  const all = def.rows(seed, u);
  if (all === 'denied') return restError(403, `Error reading ${def.entity}: Permission denied`);
  const start = atoi(query.get('_start'));
  const end = atoi(query.get('_end'));
  const max = Math.max(0, end - start);
  const filtered = sortRows(def, select(def, all, parseFilters(query)), query.get('_sort'), query.get('_order'));
  if (max === 0 && start > 0) {
    // squirrel emits "OFFSET n" without LIMIT, which SQLite rejects; GetAll then writes the error
    // (status 500, no X-Total-Count) and, not returning, appends the nil/empty result to the body.
    const err = JSON.stringify({ error: 'near "OFFSET": syntax error' });
    return { status: 500, headers: { 'content-type': 'application/json' }, body: `${err}${def.errorTail}` };
  }
  const offset = Math.max(0, start);
  const page = max > 0 ? filtered.slice(offset, offset + max) : filtered.slice(offset);
  return jsonReply(
    200,
    page.map((r) => r.json),
    { 'x-total-count': String(filtered.length) },
  );
}

/** rest.Get */
export function getOne(def: ResourceDef, seed: NavidromeSeed, u: SeedUser, id: string): Reply {
  if (def === user && !u.isAdmin && u.id !== id) return restError(403, `Reading user(id:${id}): Permission denied`);
  const rows = def === user ? seed.users.map((x) => row(userJson(seed, x))) : def.rows(seed, u);
  if (rows === 'denied') return restError(403, `Reading ${def.entity}(id:${id}): Permission denied`);
  const found = rows.find((r) => String(r.cols.id) === id);
  return found ? jsonReply(200, found.json) : def.readNotFound(id);
}
