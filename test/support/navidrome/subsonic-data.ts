/**
 * Subsonic payload builders (server/subsonic/*.go + responses/responses.go json tags) and the
 * response envelope in JSON, JSONP and XML.
 */
import type { NavidromeSeed, SeedAlbum, SeedArtist, SeedShare, SeedSong, SeedUser } from './seed';
import { libraryTotals, playlistVisible, userLibraryIds, type Json } from './entities';
import { goTime, scalarText } from './util';

export const SUBSONIC_API_VERSION = '1.16.1';

export const ERROR_MESSAGES: Record<number, string> = {
  0: 'A generic error',
  10: 'Required parameter is missing',
  20: 'Incompatible Subsonic REST protocol version. Client must upgrade',
  30: 'Incompatible Subsonic REST protocol version. Server must upgrade',
  40: 'Wrong username or password',
  50: 'User is not authorized for the given operation',
  60: 'The trial period for the Subsonic server is over. Please upgrade to Subsonic Premium. Visit subsonic.org for details',
  70: 'The requested data was not found',
};

export class SubsonicError extends Error {
  constructor(
    readonly code: number,
    message?: string,
  ) {
    super(message ?? ERROR_MESSAGES[code] ?? ERROR_MESSAGES[0]);
  }
}

export const missingParam = (name: string) => new SubsonicError(10, `missing parameter: '${name}'`);

export function envelope(seed: NavidromeSeed, payload: Json, failed?: SubsonicError): Json {
  const out: Json = { status: failed ? 'failed' : 'ok', version: SUBSONIC_API_VERSION, type: 'navidrome', serverVersion: seed.version, openSubsonic: true };
  if (failed) out.error = { code: failed.code, message: failed.message };
  return Object.assign(out, payload);
}

function xmlEscape(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&#34;').replace(/'/g, '&#39;');
}

/** Go's xml output for these structs: scalars are attributes, objects/arrays are child elements. */
function xmlElement(name: string, value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value !== 'object') return `<${name}>${xmlEscape(scalarText(value))}</${name}>`;
  if (Array.isArray(value)) return value.map((v) => xmlElement(name, v)).join('');
  let attrs = '';
  let children = '';
  for (const [k, v] of Object.entries(value as Json)) {
    if (v === null || v === undefined) continue;
    if (typeof v === 'object') children += xmlElement(k, v);
    else attrs += ` ${k}="${xmlEscape(scalarText(v))}"`;
  }
  return `<${name}${attrs}>${children}</${name}>`;
}

export function subsonicXml(body: Json): string {
  const root = xmlElement('subsonic-response', body);
  return root.replace('<subsonic-response', '<subsonic-response xmlns="http://subsonic.org/restapi"');
}

export function userResponse(seed: NavidromeSeed, u: SeedUser): Json {
  const conf = seed.config as { EnableDownloads?: boolean; EnableArtworkUpload?: boolean; Jukebox?: { Enabled?: boolean; AdminOnly?: boolean } };
  const out: Json = { username: u.userName };
  if (u.email) out.email = u.email;
  Object.assign(out, {
    scrobblingEnabled: true,
    adminRole: u.isAdmin,
    settingsRole: false,
    downloadRole: conf.EnableDownloads ?? true,
    uploadRole: false,
    playlistRole: false,
    coverArtRole: (conf.EnableArtworkUpload ?? true) || u.isAdmin,
    commentRole: false,
    podcastRole: false,
    streamRole: true,
    jukeboxRole: conf.Jukebox?.Enabled ? !conf.Jukebox.AdminOnly || u.isAdmin : false,
    shareRole: seed.enableSharing,
    videoConversionRole: false,
  });
  const folders = userLibraryIds(seed, u);
  if (folders.length) out.folder = folders;
  return out;
}

export function scanStatus(seed: NavidromeSeed): Json {
  const count = seed.libraries.reduce((t, l) => t + libraryTotals(seed, l.id).totalSongs, 0);
  const folderCount = seed.libraries.reduce((t, l) => t + l.totalFolders, 0);
  const out: Json = { scanning: seed.scan.scanning, count, folderCount, lastScan: goTime(seed.scan.lastScan) };
  if (seed.scan.error) out.error = seed.scan.error;
  if (seed.scan.scanType) out.scanType = seed.scan.scanType;
  if (seed.scan.elapsedTimeNs) out.elapsedTime = seed.scan.elapsedTimeNs;
  return out;
}

export function playlists(seed: NavidromeSeed, u: SeedUser): Json[] {
  return seed.playlists
    .filter((p) => playlistVisible(p, u))
    .sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)) // playlist.name: BINARY collation
    .map((p) => {
      const smart = p.rules !== null;
      const out: Json = { id: p.id, name: p.name };
      if (p.comment) out.comment = p.comment;
      out.songCount = p.songCount;
      out.duration = Math.trunc(p.duration);
      if (p.public) out.public = true; // json:"public,omitempty"
      out.owner = seed.users.find((x) => x.id === p.ownerId)?.userName ?? '';
      out.created = goTime(p.createdAt);
      out.changed = smart ? goTime(p.evaluatedAt ?? new Date().toISOString()) : goTime(p.updatedAt);
      out.coverArt = `pl-${p.id}`;
      out.readonly = smart || p.ownerId !== u.id || p.sync;
      if (smart && p.evaluatedAt) out.validUntil = goTime(Date.parse(p.evaluatedAt) + 5000);
      return out;
    });
}

export function radios(seed: NavidromeSeed): Json[] {
  return [...seed.radios]
    .sort((a, b) => (a.name.toLowerCase() < b.name.toLowerCase() ? -1 : a.name.toLowerCase() > b.name.toLowerCase() ? 1 : 0)) // NOCASE
    .map((r) => {
      const out: Json = { id: r.id, name: r.name, streamUrl: r.streamUrl };
      if (r.homePageUrl) out.homePageUrl = r.homePageUrl;
      out.coverArt = r.uploadedImage ? `ra-${r.id}` : ''; // OpenSubsonicRadio.CoverArt has no omitempty
      return out;
    });
}

function childFromSong(s: SeedSong): Json {
  return {
    id: s.id,
    parent: s.albumId,
    isDir: false,
    title: s.title,
    album: s.album,
    artist: s.artist,
    track: s.trackNumber,
    year: s.year,
    genre: s.genre,
    coverArt: `mf-${s.id}`,
    size: s.size,
    suffix: s.suffix.toLowerCase(),
    duration: Math.trunc(s.duration),
    bitRate: s.bitRate,
    path: `${s.albumArtist}/${s.album}/${s.title}.${s.suffix}`,
    discNumber: s.discNumber,
    created: goTime(s.createdAt),
    albumId: s.albumId,
    artistId: s.artistId,
    type: 'music',
    isVideo: false,
    mediaType: 'song',
  };
}

function childFromAlbum(a: SeedAlbum): Json {
  return {
    id: a.id,
    isDir: true,
    title: a.name,
    name: a.name,
    album: a.name,
    artist: a.albumArtist,
    year: a.maxYear,
    genre: a.genre,
    coverArt: `al-${a.id}`,
    duration: Math.trunc(a.duration),
    created: goTime(a.createdAt),
    artistId: a.albumArtistId,
    songCount: a.songCount,
    isVideo: false,
    mediaType: 'album',
  };
}

export function shares(seed: NavidromeSeed, u: SeedUser, baseUrl: string): Json[] {
  const libs = userLibraryIds(seed, u);
  const visible = seed.shares.filter((s) => seed.users.some((x) => x.id === s.userId) && (u.isAdmin || s.userId === u.id));
  return visible
    .sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt)) // Sort: "created_at desc"
    .map((s: SeedShare) => {
      const ids = s.resourceIds.split(',');
      const albums =
        s.resourceType === 'album' || s.resourceType === 'artist'
          ? seed.albums.filter(
              (a) => !a.missing && libs.includes(a.libraryId) && (s.resourceType === 'album' ? ids.includes(a.id) : ids.includes(a.albumArtistId)),
            )
          : [];
      const tracks =
        s.resourceType === 'media_file'
          ? ids.map((id) => seed.songs.find((x) => x.id === id && !x.missing && libs.includes(x.libraryId))).filter((x): x is SeedSong => Boolean(x))
          : [];
      const out: Json = {};
      const entry = albums.length ? albums.map(childFromAlbum) : tracks.map(childFromSong);
      if (entry.length) out.entry = entry;
      Object.assign(out, { id: s.id, url: `${baseUrl}/share/${s.id}` });
      const description = s.description || s.contents;
      if (description) out.description = description;
      out.username = seed.users.find((x) => x.id === s.userId)?.userName ?? '';
      out.created = goTime(s.createdAt);
      if (s.expiresAt) out.expires = goTime(s.expiresAt);
      if (s.lastVisitedAt) out.lastVisited = goTime(s.lastVisitedAt);
      out.visitCount = s.visitCount;
      return out;
    });
}

/** utils.ParseIndexGroups: "X-Z(XYZ)" is group X-Z for prefixes X, Y and Z. */
function indexGroups(spec: string): Array<[string, string]> {
  const out: Array<[string, string]> = [];
  for (const g of spec.split(/\s+/).filter(Boolean)) {
    const m = /^(.+)\((.+)\)$/.exec(g);
    if (m) for (const ch of m[2] as string) out.push([ch.toLowerCase(), m[1] as string]);
    else out.push([g.toLowerCase(), g]);
  }
  return out;
}

function orderName(name: string, articles: string[]): string {
  let n = name.toLowerCase();
  for (const a of articles)
    if (n.startsWith(`${a.toLowerCase()} `)) {
      n = n.slice(a.length + 1);
      break;
    }
  return n;
}

/** getArtists: album artists only, non-missing, in the selected/accessible libraries. */
export function artistIndexes(seed: NavidromeSeed, libIds: number[], baseUrl: string): Json | null {
  const conf = seed.config as { IgnoredArticles?: string; IndexGroups?: string };
  const articles = (conf.IgnoredArticles ?? '').split(/\s+/).filter(Boolean);
  const groups = indexGroups(conf.IndexGroups ?? '');
  const chosen = seed.artists
    .filter((a: SeedArtist) => !a.missing && a.roles.albumartist && a.libraryIds.some((id) => libIds.includes(id)))
    .map((a) => ({ a, order: orderName(a.name, articles) }))
    .sort((x, y) => (x.order < y.order ? -1 : x.order > y.order ? 1 : 0));
  if (chosen.length === 0) return null;
  const byKey = new Map<string, Json[]>();
  for (const { a, order } of chosen) {
    const key = groups.find(([prefix]) => order.startsWith(prefix))?.[1] ?? '#';
    const list = byKey.get(key) ?? [];
    list.push({
      id: a.id,
      name: a.name,
      coverArt: `ar-${a.id}`,
      albumCount: a.roles.albumartist?.albumCount ?? 0,
      artistImageUrl: `${baseUrl}/share/img/ar-${a.id}?size=600`,
      musicBrainzId: a.mbzArtistId ?? '',
      sortName: '',
      roles: Object.keys(a.roles),
    });
    byKey.set(key, list);
  }
  const index = [...byKey.entries()].sort(([x], [y]) => (x < y ? -1 : x > y ? 1 : 0)).map(([name, artist]) => ({ name, artist }));
  return { index, lastModified: Date.parse(seed.scan.lastScanStartedAt), ignoredArticles: conf.IgnoredArticles ?? '' };
}

export function albumID3(a: SeedAlbum): Json {
  const out: Json = {
    id: a.id,
    name: a.name,
    artist: a.albumArtist,
    artistId: a.albumArtistId,
    coverArt: `al-${a.id}`,
    songCount: a.songCount,
    duration: Math.trunc(a.duration),
  };
  if (a.playCount) out.playCount = a.playCount;
  out.created = goTime(a.createdAt);
  if (a.starred) out.starred = goTime(a.updatedAt);
  if (a.maxYear) out.year = a.maxYear;
  if (a.genre) out.genre = a.genre;
  if (a.playCount && a.playDate) out.played = goTime(a.playDate);
  return Object.assign(out, {
    userRating: a.rating ?? 0,
    genres: a.genre ? [{ name: a.genre }] : [],
    musicBrainzId: '',
    isCompilation: a.compilation,
    sortName: a.name.toLowerCase(),
    discTitles: [],
    originalReleaseDate: {},
    releaseDate: {},
    releaseTypes: [],
    recordLabels: [],
    moods: [],
    artists: [{ id: a.albumArtistId, name: a.albumArtist }],
    displayArtist: a.albumArtist,
    explicitStatus: '',
    version: '',
  });
}

/**
 * search3 (server/subsonic/searching.go, persistence/sql_search.go doSearch): an empty query or `""`
 * lists every non-missing row of the caller's libraries in natural (rowid) order; `<type>Count` 0
 * skips that type; other queries are approximated as "every word prefixes a word of the name".
 */
export function searchResult3(seed: NavidromeSeed, libIds: number[], params: URLSearchParams): Json {
  const intOr = (name: string, def: number) => (/^[+-]?\d+$/.test(params.get(name) ?? '') ? Number(params.get(name)) : def);
  const q = (params.get('query') ?? '""').toLowerCase().trim().replace(/\*$/, '');
  const all = q === '' || q === '""';
  const words = q.split(/\s+/).filter(Boolean);
  const matches = (name: string) =>
    all ||
    (q.length >= 2 &&
      words.every((w) =>
        name
          .toLowerCase()
          .split(/\s+/)
          .some((n) => n.startsWith(w)),
      ));
  const take = <T>(rows: T[], kind: string) => {
    const max = intOr(`${kind}Count`, 20);
    return max > 0 ? rows.slice(Math.max(0, intOr(`${kind}Offset`, 0))).slice(0, max) : [];
  };
  const songs = take(
    seed.songs.filter((s) => !s.missing && libIds.includes(s.libraryId) && matches(s.title)),
    'song',
  );
  const albums = take(
    seed.albums.filter((a) => !a.missing && libIds.includes(a.libraryId) && matches(a.name)),
    'album',
  );
  const artists = take(
    seed.artists.filter((a) => !a.missing && a.libraryIds.some((id) => libIds.includes(id)) && matches(a.name)),
    'artist',
  );
  const out: Json = {};
  if (artists.length) out.artist = artists.map((a) => ({ id: a.id, name: a.name, albumCount: a.albumCount }));
  if (albums.length) out.album = albums.map((a) => albumID3(a));
  if (songs.length) out.song = songs.map(childFromSong);
  return out;
}

export const OPEN_SUBSONIC_EXTENSIONS = [
  { name: 'transcodeOffset', versions: [1] },
  { name: 'formPost', versions: [1] },
  { name: 'songLyrics', versions: [1, 2] },
  { name: 'indexBasedQueue', versions: [1] },
  { name: 'transcoding', versions: [1] },
  { name: 'playbackReport', versions: [1] },
  { name: 'topSongsByArtistId', versions: [1] },
];
