import type { SensitiveValue } from './sensitive-value';
import { PATTERNS } from '../../shared/schema/payload';
import type { NativeApi } from './native-api';
import { SourceProblem, toProblem, type ProblemCode } from './problems';
import { CANDOR_CLIENT, LeftOutLedger, parseJson, PROBED_SUFFIXES, type LibraryCounts, type ServerFacts } from './server-facts';
import { readServerRuntime } from './server-start';
import { readOpenSubsonicAbout } from './subsonic-api';

/** Navidrome counts users and players "active" when seen within the last 7 days (core/metrics/insights.go). */
export const ACTIVE_WINDOW_MS = 7 * 24 * 3600 * 1000;
/** Player clients outside this shape are grouped: a client name is free text set by any app. */
const OTHER_CLIENT = 'Other';

/**
 * Everything the policy asks of a signed-in Navidrome, part by part: a part that fails leaves its
 * fields out with its own reason; nothing throws through.
 */
export async function collectViaNative(api: NativeApi, now: number, sensitive: SensitiveValue[]): Promise<ServerFacts> {
  const facts: ServerFacts = {
    api: 'native-api',
    serverType: 'navidrome',
    library: {},
    leftOut: [],
    health: { source: 'server', state: 'ok', message: '' },
    sensitive,
  };
  const ledger = new LeftOutLedger();
  const lib = facts.library;
  let players: Promise<Record<string, unknown>[]> | null = null;
  const playersOnce = () => (players ??= api.list('player'));
  // Navidrome marks every account that calls its API as active (UpdateLastAccessMiddleware), Candor's
  // own included: that account counts only if it also played through some app in the window.
  const isSelf = (user: Record<string, unknown>) => typeof user.userName === 'string' && user.userName.toLowerCase() === api.conn.username.toLowerCase();
  const countInto = (key: keyof LibraryCounts, resource: string, problemOn404?: ProblemCode) =>
    ledger.attempt([`library.${key}`], async () => {
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
    ledger.attempt(['library.activeUsers'], async () => {
      if (!api.isAdmin) throw new SourceProblem('not-admin');
      const users = await api.list('user');
      for (const user of users) {
        for (const key of ['userName', 'name', 'email', 'id']) {
          if (typeof user[key] === 'string') sensitive.push({ kind: key === 'email' ? 'email' : 'user name', value: user[key] });
        }
      }
      const players = await playersOnce();
      lib.activeUsers = users.filter((u) => isWithin(u.lastAccessAt, now) && (!isSelf(u) || selfActiveElsewhere(u, players, now))).length;
    }),
    ledger.attempt(['library.activePlayers'], async () => {
      if (!api.isAdmin) throw new SourceProblem('not-admin');
      lib.activePlayers = activePlayersByClient(await playersOnce(), now, sensitive);
    }),
    ledger.attempt(['config.hasSmartPlaylists'], async () => {
      const playlists = await api.list('playlist');
      for (const playlist of playlists) {
        for (const key of ['name', 'comment', 'ownerName', 'path']) {
          if (typeof playlist[key] === 'string') sensitive.push({ kind: key === 'path' ? 'path' : 'name', value: playlist[key] });
        }
      }
      facts.hasSmartPlaylists = playlists.some((p) => p.rules !== null && p.rules !== undefined && p.rules !== '');
    }),
    ledger.attempt(['library.fileSuffixes'], async () => {
      lib.fileSuffixes = await countSuffixes(api);
      facts.unlistedSuffixTracks = 0;
    }),
    readConfig(api).then((result) => Object.assign(facts, result)),
    (async () => {
      try {
        const { start, goSysBytes } = await readServerRuntime(api);
        if (goSysBytes !== undefined) facts.goSysBytes = goSysBytes;
        if (start) {
          facts.startedAt = start.startedAt;
          facts.startedAtSource = start.source;
          if (start.version) facts.version = start.version;
        } else facts.uptimeProblem = 'start-time-unknown';
      } catch (error) {
        facts.uptimeProblem = toProblem(error) === 'unauthorized' ? 'unauthorized' : 'start-time-unknown';
      }
    })(),
  ]);

  if (!facts.version) {
    const about = await readOpenSubsonicAbout(api.http, api.base).catch(() => null);
    if (about?.serverVersion) facts.version = about.serverVersion;
  }
  if (facts.version && !PATTERNS.serverVersion.test(facts.version)) delete facts.version;
  if (!facts.version) ledger.leaveOut('version', 'version-unknown');

  // The suffix counts only cover PROBED_SUFFIXES: every other track is "unlisted". Counts asked in
  // parallel with the total may drift; never report more than the total.
  if (lib.fileSuffixes && lib.tracks !== undefined) {
    const listed = Object.values(lib.fileSuffixes).reduce((a, b) => a + b, 0);
    facts.unlistedSuffixTracks = Math.max(0, lib.tracks - listed);
  }
  facts.leftOut = ledger.list();
  facts.health = ledger.health();
  return facts;
}

/** `/api/config/`: 404 means this Navidrome hides its settings (DevUIShowConfig off, or too old). */
async function readConfig(api: NativeApi): Promise<Pick<ServerFacts, 'serverConfig' | 'configProblem'>> {
  try {
    const res = await api.get('/api/config/', {});
    if (res.status === 404 || res.status === 405) return { configProblem: 'config-hidden' };
    if (res.status === 403) return { configProblem: 'not-admin' };
    if (res.status !== 200) return { configProblem: 'server-error' };
    const body = parseJson(res.body);
    if (body && typeof body.config === 'object' && body.config !== null) return { serverConfig: body.config as Record<string, unknown> };
    return { configProblem: 'config-hidden' };
  } catch (error) {
    return { configProblem: toProblem(error) };
  }
}

function activePlayersByClient(players: Record<string, unknown>[], now: number, sensitive: SensitiveValue[]): Record<string, number> {
  const byClient: Record<string, number> = {};
  for (const player of players) {
    for (const key of ['name', 'userAgent', 'ip', 'userName', 'id']) {
      if (typeof player[key] === 'string') sensitive.push({ kind: key === 'ip' ? 'address' : 'name', value: player[key] });
    }
    if (!isWithin(player.lastSeen, now) || player.client === CANDOR_CLIENT) continue;
    const client = typeof player.client === 'string' && PATTERNS.playerClient.test(player.client) ? player.client : OTHER_CLIENT;
    byClient[client] = (byClient[client] ?? 0) + 1;
  }
  return byClient;
}

function selfActiveElsewhere(user: Record<string, unknown>, players: Record<string, unknown>[], now: number): boolean {
  return players.some((p) => p.userId === user.id && p.client !== CANDOR_CLIENT && isWithin(p.lastSeen, now));
}

function isWithin(value: unknown, now: number): boolean {
  if (typeof value !== 'string') return false;
  const at = Date.parse(value);
  return Number.isFinite(at) && now - at < ACTIVE_WINDOW_MS && at - now < ACTIVE_WINDOW_MS;
}

/**
 * The native API has no group-by, only a "starts with" filter (`LIKE 'value%'`, docs/navidrome-api.md
 * §3): `suffix=aif` also counts aiff, aifc and any other suffix that begins with aif. In that LIKE an
 * underscore stands for any one character, so `suffix=aif_` counts exactly the longer ones, and the
 * difference is the tracks whose suffix is aif and nothing more, in any case, as Navidrome's own
 * insights count them (`lower(suffix)`, persistence/mediafile_repository.go `CountBySuffix`).
 * The longer ones are asked only for a suffix that has tracks at all.
 */
async function countSuffixes(api: NativeApi): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  await Promise.all(
    PROBED_SUFFIXES.map(async (suffix) => {
      const startingWith = await api.count('song', { suffix });
      if (startingWith === 0) return;
      const exact = startingWith - (await api.count('song', { suffix: `${suffix}_` }));
      // Counts asked a moment apart may drift while a scan runs: never below zero.
      if (exact > 0) counts[suffix] = exact;
    }),
  );
  return Object.fromEntries(PROBED_SUFFIXES.filter((suffix) => counts[suffix] !== undefined).map((suffix) => [suffix, counts[suffix]!]));
}
