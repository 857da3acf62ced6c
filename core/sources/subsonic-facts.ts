import type { SensitiveValue } from './sensitive-value';
import { PATTERNS } from '../../shared/schema/payload';
import { SourceProblem } from './problems';
import { failedFacts, LeftOutLedger, type CollectLimits, type ServerFacts } from './server-facts';
import { listOf, SubsonicFailure, type SubsonicBody, type SubsonicClient } from './subsonic-api';
import { countAlbums, tallySuffixes, type SuffixTally } from './subsonic-listings';

/**
 * What any Subsonic server (gonic, LMS, Airsonic…, or a Navidrome whose own API is out of reach)
 * tells a signed-in client: the counts, the libraries, the file formats. Users, players, settings
 * and the start time are not part of the Subsonic API; each is left out with that reason.
 */
export async function collectViaSubsonic(client: SubsonicClient, sensitive: SensitiveValue[], limits: CollectLimits): Promise<ServerFacts> {
  let ping: SubsonicBody;
  try {
    ping = (await client.call('ping')).body;
  } catch (error) {
    // A missing ping means nothing Subsonic lives at this address.
    const notThere = error instanceof SourceProblem && error.code === 'endpoint-missing';
    return failedFacts('subsonic-api', notThere ? new SourceProblem('not-a-music-server') : error, sensitive);
  }
  const serverType = typeof ping.type === 'string' && PATTERNS.token.test(ping.type) ? ping.type : undefined;
  const isNavidrome = serverType === 'navidrome';
  const facts: ServerFacts = {
    api: 'subsonic-api',
    library: {},
    leftOut: [],
    health: { source: 'server', state: 'ok', message: '' },
    sensitive,
    configProblem: isNavidrome ? 'native-api-missing' : 'config-not-navidrome',
    uptimeProblem: isNavidrome ? 'native-api-missing' : 'start-time-not-offered',
    ...(serverType ? { serverType } : {}),
  };
  const ledger = new LeftOutLedger();
  if (typeof ping.serverVersion === 'string' && PATTERNS.serverVersion.test(ping.serverVersion)) facts.version = ping.serverVersion;
  else ledger.leaveOut('version', 'version-unknown');
  ledger.leaveOut('library.activeUsers', 'subsonic-no-users');
  ledger.leaveOut('library.activePlayers', 'subsonic-no-players');
  ledger.leaveOut('config.hasSmartPlaylists', facts.configProblem!);

  const lib = facts.library;
  const call = async (method: string) => (await client.call(method)).body;
  const scanCount = call('getScanStatus').then((body) => {
    const count = (body.scanStatus as { count?: unknown } | undefined)?.count;
    return Number.isSafeInteger(count) ? (count as number) : undefined;
  });
  let tally: SuffixTally | undefined;
  await Promise.all([
    ledger.attempt(['library.playlists'], async () => {
      lib.playlists = listOf(await call('getPlaylists'), 'playlists', 'playlist').length;
    }),
    ledger.attempt(['library.radios'], async () => {
      lib.radios = listOf(await call('getInternetRadioStations'), 'internetRadioStations', 'internetRadioStation').length;
    }),
    ledger.attempt(['library.shares'], async () => {
      try {
        lib.shares = listOf(await call('getShares'), 'shares', 'share').length;
      } catch (error) {
        // Navidrome answers 501 on its share endpoints when sharing is switched off.
        if (isNavidrome && error instanceof SourceProblem && error.code === 'endpoint-missing') throw new SourceProblem('sharing-disabled');
        throw error;
      }
    }),
    ledger.attempt(['library.artists'], async () => {
      try {
        const indexes = listOf(await call('getArtists'), 'artists', 'index') as Array<{ artist?: unknown }>;
        lib.artists = indexes.reduce((sum, index) => sum + (Array.isArray(index.artist) ? index.artist.length : 0), 0);
      } catch (error) {
        // Navidrome's getArtists says 70 "Library not found or empty" for an empty library.
        if (isNavidrome && error instanceof SubsonicFailure && error.subsonicCode === 70) lib.artists = 0;
        else throw error;
      }
    }),
    ledger.attempt(['library.albums'], async () => {
      lib.albums = await countAlbums(client, limits);
    }),
    ledger.attempt(['library.libraries'], async () => {
      lib.libraries = listOf(await call('getMusicFolders'), 'musicFolders', 'musicFolder').length;
    }),
    ledger.attempt(['library.tracks'], async () => {
      const count = await scanCount;
      if (count !== undefined) lib.tracks = count;
    }),
    ledger.attempt(['library.fileSuffixes'], async () => {
      tally = await tallySuffixes(client, limits, await scanCount.catch(() => undefined));
      lib.fileSuffixes = tally.counts;
      facts.unlistedSuffixTracks = tally.unlisted;
    }),
  ]);

  // gonic leaves `count` out of an empty library's scan status: then the song listing is the count.
  if (lib.tracks === undefined && !ledger.has('library.tracks')) {
    if (tally && !(tally.tracks === 0 && (lib.albums ?? 0) > 0)) lib.tracks = tally.tracks;
    else ledger.leaveOut('library.tracks', ledger.list().find((f) => f.field === 'library.fileSuffixes')?.problem ?? 'search-all-unsupported');
  }
  // An empty song listing beside a non-empty album list is a search that cannot list everything.
  if (tally && tally.tracks === 0 && (lib.albums ?? 0) > 0) {
    delete lib.fileSuffixes;
    delete facts.unlistedSuffixTracks;
    ledger.leaveOut('library.fileSuffixes', 'search-all-unsupported');
  }
  facts.leftOut = ledger.list();
  facts.health = ledger.health();
  return facts;
}
