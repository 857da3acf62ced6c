/**
 * The Subsonic API under /rest (server/subsonic/api.go, middlewares.go): every endpoint answers on
 * `/rest/<name>` and `/rest/<name>.view`; errors are HTTP 200 with status "failed"; unknown names 404.
 */
import type { NavidromeSeed, SeedPlayer, SeedUser } from './seed';
import { findUserByName, userLibraryIds, type Json } from './entities';
import { md5hex } from './util';
import { notFound, type Reply } from './rest';
import {
  OPEN_SUBSONIC_EXTENSIONS,
  SubsonicError,
  albumID3,
  artistIndexes,
  envelope,
  missingParam,
  playlists,
  radios,
  scanStatus,
  searchResult3,
  shares,
  subsonicXml,
  userResponse,
} from './subsonic-data';

export interface SubsonicDeps {
  seed: NavidromeSeed;
  baseUrl: string;
  /** UpdateLastAccessMiddleware */
  touchUser(u: SeedUser): void;
  /** getPlayer middleware -> players.Register; returns the player to put in the nd-player cookie. */
  registerPlayer(u: SeedUser, client: string, cookiePlayerId: string | undefined): SeedPlayer;
  /** jwt= parameter: a valid UI token whose subject is the user. */
  jwtSubject(token: string): string | null;
}

export interface SubsonicRequest {
  name: string;
  params: URLSearchParams;
  cookies: Record<string, string>;
}

type Handler = (ctx: { deps: SubsonicDeps; user: SeedUser; params: URLSearchParams }) => Json | Reply;

const isReply = (v: Json | Reply): v is Reply => typeof (v as Reply).status === 'number' && typeof (v as Reply).body === 'string';

function notImplemented(): Reply {
  return { status: 501, headers: { 'cache-control': 'no-cache' }, body: 'This endpoint is not implemented, but may be in future releases' };
}
function gone(): Reply {
  return { status: 410, headers: {}, body: 'This endpoint will not be implemented' };
}

/** selectedMusicFolderIds: musicFolderId values must all be accessible, else error 70. */
function musicFolders(deps: SubsonicDeps, user: SeedUser, params: URLSearchParams): number[] {
  const accessible = userLibraryIds(deps.seed, user);
  const asked = params
    .getAll('musicFolderId')
    .map(Number)
    .filter((n) => Number.isInteger(n));
  for (const id of asked) if (!accessible.includes(id)) throw new SubsonicError(70, `Library ${id} not found or not accessible`);
  return asked.length ? asked : accessible;
}

const HANDLERS: Record<string, { handler: Handler; adminOnly?: boolean; player?: boolean }> = {
  ping: { handler: () => ({}), player: true },
  getLicense: { handler: () => ({ license: { valid: true } }), player: true },
  getScanStatus: { handler: ({ deps }) => ({ scanStatus: scanStatus(deps.seed) }), player: true },
  getUser: {
    player: true,
    handler: ({ deps, user, params }) => {
      const username = params.get('username');
      if (!username) throw missingParam('username');
      if (username.toLowerCase() !== user.userName.toLowerCase()) throw new SubsonicError(50);
      return { user: userResponse(deps.seed, user) };
    },
  },
  // Only ever the logged-in user, even for admins.
  getUsers: { adminOnly: true, player: true, handler: ({ deps, user }) => ({ users: { user: [userResponse(deps.seed, user)] } }) },
  getMusicFolders: {
    player: true,
    handler: ({ deps, user }) => {
      const ids = userLibraryIds(deps.seed, user);
      const folder = deps.seed.libraries.filter((l) => ids.includes(l.id)).map((l) => ({ id: l.id, name: l.name }));
      return { musicFolders: folder.length ? { musicFolder: folder } : {} };
    },
  },
  getPlaylists: {
    player: true,
    handler: ({ deps, user }) => {
      const list = playlists(deps.seed, user);
      return { playlists: list.length ? { playlist: list } : {} };
    },
  },
  getInternetRadioStations: {
    player: true,
    handler: ({ deps }) => {
      const list = radios(deps.seed);
      return { internetRadioStations: list.length ? { internetRadioStation: list } : {} };
    },
  },
  getArtists: {
    player: true,
    handler: ({ deps, user, params }) => {
      const res = artistIndexes(deps.seed, musicFolders(deps, user, params), deps.baseUrl);
      if (!res) throw new SubsonicError(70, 'Library not found or empty');
      return { artists: res };
    },
  },
  getAlbumList2: {
    player: true,
    handler: ({ deps, user, params }) => {
      const type = params.get('type');
      if (!type) throw missingParam('type');
      let albums = deps.seed.albums.filter((a) => !a.missing); // filter.addDefaultFilters: missing = false
      const byName = (x: string, y: string) => (x < y ? -1 : x > y ? 1 : 0);
      switch (type) {
        case 'alphabeticalByName':
          albums.sort((a, b) => byName(a.name.toLowerCase(), b.name.toLowerCase()) || byName(a.albumArtist.toLowerCase(), b.albumArtist.toLowerCase()));
          break;
        case 'alphabeticalByArtist':
          albums.sort(
            (a, b) =>
              Number(a.compilation) - Number(b.compilation) ||
              byName(a.albumArtist.toLowerCase(), b.albumArtist.toLowerCase()) ||
              byName(a.name.toLowerCase(), b.name.toLowerCase()),
          );
          break;
        case 'newest':
          albums.sort((a, b) => Date.parse(b.createdAt) - Date.parse(a.createdAt));
          break;
        case 'random':
          albums.sort(() => Math.random() - 0.5);
          break;
        case 'frequent':
          albums = albums.filter((a) => (a.playCount ?? 0) > 0).sort((a, b) => (b.playCount ?? 0) - (a.playCount ?? 0));
          break;
        case 'recent':
          albums = albums.filter((a) => a.playDate).sort((a, b) => Date.parse(b.playDate ?? '') - Date.parse(a.playDate ?? ''));
          break;
        case 'starred':
          albums = albums.filter((a) => a.starred);
          break;
        case 'highest':
          albums = albums.filter((a) => (a.rating ?? 0) > 0).sort((a, b) => (b.rating ?? 0) - (a.rating ?? 0));
          break;
        case 'byGenre': {
          const genre = params.get('genre');
          if (!genre) throw missingParam('genre');
          albums = albums.filter((a) => a.genre === genre);
          break;
        }
        case 'byYear': {
          const from = params.get('fromYear');
          const to = params.get('toYear');
          if (!from) throw missingParam('fromYear');
          if (!to) throw missingParam('toYear');
          const [lo, hi] = [Math.min(Number(from), Number(to)), Math.max(Number(from), Number(to))];
          albums = albums.filter((a) => a.maxYear >= lo && a.maxYear <= hi).sort((a, b) => a.maxYear - b.maxYear);
          break;
        }
        default:
          throw new SubsonicError(0, `type '${type}' not implemented`);
      }
      const libs = musicFolders(deps, user, params);
      albums = albums.filter((a) => libs.includes(a.libraryId));
      const intOr = (name: string, def: number) => (/^[+-]?\d+$/.test(params.get(name) ?? '') ? Number(params.get(name)) : def);
      const offset = Math.max(0, intOr('offset', 0));
      const size = Math.min(intOr('size', 10), 500);
      const page = size > 0 ? albums.slice(offset, offset + size) : albums.slice(offset);
      const json = { albumList2: page.length ? { album: page.map((a) => albumID3(a)) } : {} };
      return { __headers: { 'x-total-count': String(albums.length) }, ...json };
    },
  },
  search3: {
    player: true,
    handler: ({ deps, user, params }) => ({ searchResult3: searchResult3(deps.seed, musicFolders(deps, user, params), params) }),
  },
  getShares: {
    player: true,
    handler: ({ deps, user }) => {
      const list = shares(deps.seed, user, deps.baseUrl);
      return { shares: list.length ? { share: list } : {} };
    },
  },
};

const NOT_IMPLEMENTED = [
  'getPodcasts',
  'getNewestPodcasts',
  'refreshPodcasts',
  'createPodcastChannel',
  'deletePodcastChannel',
  'deletePodcastEpisode',
  'downloadPodcastEpisode',
  'createUser',
  'updateUser',
  'deleteUser',
  'changePassword',
];
const GONE = ['search', 'getChatMessages', 'addChatMessage', 'getVideos', 'getVideoInfo', 'getCaptions', 'hls'];

function render(deps: SubsonicDeps, params: URLSearchParams, payload: Json, err?: SubsonicError): Reply {
  const headers: Record<string, string> = { ...((payload.__headers as Record<string, string>) ?? {}) };
  delete payload.__headers;
  const body = envelope(deps.seed, payload, err);
  const f = params.get('f') ?? '';
  if (f === 'json') return { status: 200, headers: { ...headers, 'content-type': 'application/json' }, body: JSON.stringify({ 'subsonic-response': body }) };
  if (f === 'jsonp') {
    const cb = params.get('callback') ?? '';
    if (!/^[a-zA-Z_$][a-zA-Z0-9_$.]*$/.test(cb)) {
      const e = envelope(deps.seed, {}, new SubsonicError(0, 'invalid callback parameter'));
      return { status: 200, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ 'subsonic-response': e }) };
    }
    return { status: 200, headers: { ...headers, 'content-type': 'application/javascript' }, body: `${cb}(${JSON.stringify({ 'subsonic-response': body })})` };
  }
  return { status: 200, headers: { ...headers, 'content-type': 'application/xml' }, body: subsonicXml(body) };
}

/** validateCredentials: jwt, then p (plain or enc:hex), then t = md5(password + s). */
function authenticate(deps: SubsonicDeps, params: URLSearchParams): SeedUser | null {
  const user = findUserByName(deps.seed, params.get('u') ?? '');
  if (!user) return null;
  const jwt = params.get('jwt') ?? '';
  let pass = params.get('p') ?? '';
  const token = params.get('t') ?? '';
  if (jwt) return deps.jwtSubject(jwt) === user.userName ? user : null;
  if (pass) {
    if (pass.startsWith('enc:') && /^([0-9a-fA-F]{2})*$/.test(pass.slice(4))) pass = Buffer.from(pass.slice(4), 'hex').toString('utf8');
    return pass === user.password ? user : null;
  }
  if (token) return md5hex(user.password + (params.get('s') ?? '')) === token ? user : null;
  return null;
}

export interface SubsonicResult {
  reply: Reply;
  playerCookie?: { name: string; value: string };
}

export function handleSubsonic(deps: SubsonicDeps, req: SubsonicRequest): SubsonicResult {
  const name = req.name.replace(/\.view$/, '');
  const params = req.params;
  if (name === 'getOpenSubsonicExtensions') {
    return { reply: render(deps, params, { openSubsonicExtensions: OPEN_SUBSONIC_EXTENSIONS }) };
  }
  const conf = deps.seed.config as { Jukebox?: { Enabled?: boolean } };
  // h501 stand-ins registered when sharing / the jukebox are disabled (no getPlayer on those).
  const disabled =
    (!deps.seed.enableSharing && ['getShares', 'createShare', 'updateShare', 'deleteShare'].includes(name)) ||
    (name === 'jukeboxControl' && !conf.Jukebox?.Enabled);
  const entry = disabled ? undefined : HANDLERS[name];
  if (!entry && !disabled && !NOT_IMPLEMENTED.includes(name) && !GONE.includes(name)) return { reply: notFound() };
  // checkRequiredParameters, then authenticate: both answer with a Subsonic error document.
  for (const p of ['u', 'v', 'c']) {
    if (!params.get(p)) return { reply: render(deps, params, {}, missingParam(p)) };
  }
  const user = authenticate(deps, params);
  if (!user) return { reply: render(deps, params, {}, new SubsonicError(40)) };
  deps.touchUser(user);
  if (!entry) return { reply: disabled || NOT_IMPLEMENTED.includes(name) ? notImplemented() : gone() };
  let playerCookie: SubsonicResult['playerCookie'];
  if (entry.player) {
    const cookieName = `nd-player-${Buffer.from(user.userName, 'utf8').toString('hex')}`;
    const player = deps.registerPlayer(user, params.get('c') ?? '', req.cookies[cookieName]);
    playerCookie = { name: cookieName, value: player.id };
  }
  if (entry.adminOnly && !user.isAdmin) return { reply: render(deps, params, {}, new SubsonicError(50)), playerCookie };
  try {
    const out = entry.handler({ deps, user, params });
    return { reply: isReply(out) ? out : render(deps, params, out), playerCookie };
  } catch (e) {
    const err = e instanceof SubsonicError ? e : new SubsonicError(0, `Internal Server Error: ${String(e)}`);
    return { reply: render(deps, params, {}, err), playerCookie };
  }
}
