/**
 * The data a Navidrome test server serves. Every default is realistic and distinctive ("canary")
 * so tests can grep outputs for leaks. Times are ISO strings, relative to when defaultSeed() ran.
 */
import { defaultServerConfig, type GoServerConfig } from './config';

export type Role =
  | 'artist'
  | 'albumartist'
  | 'composer'
  | 'conductor'
  | 'lyricist'
  | 'arranger'
  | 'producer'
  | 'director'
  | 'engineer'
  | 'mixer'
  | 'remixer'
  | 'djmixer'
  | 'performer'
  | 'maincredit';

export const ALL_ROLES: readonly Role[] = [
  'artist',
  'albumartist',
  'composer',
  'conductor',
  'lyricist',
  'arranger',
  'producer',
  'director',
  'engineer',
  'mixer',
  'remixer',
  'djmixer',
  'performer',
  'maincredit',
];

export interface SeedLibrary {
  id: number;
  name: string;
  path: string;
  remotePath?: string;
  lastScanAt: string;
  lastScanStartedAt: string;
  fullScanInProgress?: boolean;
  defaultNewUsers?: boolean;
  createdAt: string;
  updatedAt: string;
  /** Stored scan statistics not derivable from songs/albums. */
  totalFolders: number;
  totalFiles: number;
}
export interface SeedUser {
  id: string;
  userName: string;
  name: string;
  email: string;
  isAdmin: boolean;
  /** Plain text; Navidrome stores it reversibly encrypted and compares the decrypted value. */
  password: string;
  lastLoginAt: string | null;
  lastAccessAt: string | null;
  createdAt: string;
  updatedAt: string;
  /** Libraries a non-admin can see (user_library). Admins always get every library. */
  libraryIds: number[];
}
export interface SeedPlayer {
  id: string;
  name: string;
  client: string;
  userAgent: string;
  userId: string;
  ip: string;
  lastSeen: string;
  transcodingId?: string;
  maxBitRate?: number;
  reportRealPath?: boolean;
  scrobbleEnabled?: boolean;
}
export interface SeedSong {
  id: string;
  title: string;
  path: string;
  suffix: string;
  libraryId: number;
  missing: boolean;
  albumId: string;
  album: string;
  artistId: string;
  artist: string;
  albumArtistId: string;
  albumArtist: string;
  size: number;
  duration: number;
  bitRate: number;
  year: number;
  genre: string;
  trackNumber: number;
  discNumber: number;
  createdAt: string;
  updatedAt: string;
}
export interface SeedAlbum {
  id: string;
  name: string;
  albumArtist: string;
  albumArtistId: string;
  libraryId: number;
  songCount: number;
  duration: number;
  size: number;
  maxYear: number;
  genre: string;
  compilation: boolean;
  missing: boolean;
  createdAt: string;
  updatedAt: string;
  playCount?: number;
  playDate?: string | null;
  starred?: boolean;
  rating?: number;
}
export interface SeedArtistStats {
  songCount: number;
  albumCount: number;
  size: number;
}
export interface SeedArtist {
  id: string;
  name: string;
  libraryIds: number[];
  missing: boolean;
  /** "total" stats (artist.songCount/albumCount/size in the native API). */
  songCount: number;
  albumCount: number;
  size: number;
  /** Per-role stats; the `role` filter and Subsonic getArtists (albumartist only) use these. */
  roles: Partial<Record<Role, SeedArtistStats>>;
  mbzArtistId?: string;
}
export interface SeedPlaylist {
  id: string;
  name: string;
  comment: string;
  ownerId: string;
  public: boolean;
  songCount: number;
  duration: number;
  size: number;
  path: string;
  sync: boolean;
  /** null for regular playlists; a smart-playlist criteria object (as Criteria.MarshalJSON emits). */
  rules: Record<string, unknown> | null;
  evaluatedAt: string | null;
  createdAt: string;
  updatedAt: string;
}
export interface SeedShare {
  id: string;
  userId: string;
  description: string;
  resourceType: 'album' | 'playlist' | 'media_file' | 'artist';
  resourceIds: string;
  contents: string;
  downloadable: boolean;
  expiresAt: string | null;
  lastVisitedAt: string | null;
  visitCount: number;
  format: string;
  maxBitRate: number;
  createdAt: string;
  updatedAt: string;
}
export interface SeedRadio {
  id: string;
  name: string;
  streamUrl: string;
  homePageUrl: string;
  uploadedImage?: string;
  createdAt: string;
  updatedAt: string;
}
export interface SeedScanStatus {
  scanning: boolean;
  lastScan: string;
  lastScanStartedAt: string;
  scanType: string;
  elapsedTimeNs: number;
  error: string;
}

export interface NavidromeSeed {
  /** consts.Version: "<tag without v> (<short sha>)", or "dev". */
  version: string;
  /** consts.ServerStart, announced by the serverStart SSE event and process_start_time_seconds. */
  startTime: string;
  users: SeedUser[];
  players: SeedPlayer[];
  songs: SeedSong[];
  albums: SeedAlbum[];
  artists: SeedArtist[];
  playlists: SeedPlaylist[];
  shares: SeedShare[];
  radios: SeedRadio[];
  libraries: SeedLibrary[];
  /** conf.Server as marshalled. These flags below override their config counterparts when served. */
  config: GoServerConfig;
  /** conf.Server.ConfigFile (also the `configFile` of /api/config). */
  configFile: string;
  /** DevUIShowConfig: /api/config/* exists only when true. */
  devUIShowConfig: boolean;
  /** EnableSharing: /api/share exists (and Subsonic share endpoints aren't 501) only when true. */
  enableSharing: boolean;
  /** Prometheus.Enabled: mounts Prometheus.MetricsPath (default /metrics). */
  prometheusEnabled: boolean;
  /**
   * The process's memory as its metrics say it: Go's `runtime.MemStats.Sys` (`go_memstats_sys_bytes`,
   * the very figure Navidrome's insights send as `mem.sys`) and the resident size
   * (`process_resident_memory_bytes`), a different figure.
   */
  memory: { goSysBytes: number; residentBytes: number };
  /** DevActivityPanel: /api/events exists only when true (default true). */
  devActivityPanel: boolean;
  /** An older Navidrome: no /api/library (pre multi-library), no /api/config/*, no serverStart event. Set `version` to match. */
  oldServer: boolean;
  scan: SeedScanStatus;
  /** What GET /api/insights/* reports (EnableInsightsCollector comes from config). */
  insights: { lastRun: string | null; success: boolean };
  /** Navidrome sends keepAlive every 15 s; tests may shorten it. */
  sseKeepAliveMs: number;
  /**
   * `gonic`: a Subsonic-only server modelled on gonic (gonic.ts): only /rest, no native API, no
   * events, no metrics. Set `version` to a gonic version (e.g. 0.22.0) to match.
   */
  serverKind: 'navidrome' | 'gonic';
  /**
   * Subsonic-only mode, not gonic's behaviour: search3 as other servers get it wrong. `repeatedRows`:
   * every song twice (a join without grouping); `directoryRows`: folder rows (isDir) among the songs;
   * `literalQuery`: `""` and an empty query are searched for literally and find nothing.
   */
  subsonicSearchQuirks: { repeatedRows: boolean; directoryRows: boolean; literalQuery: boolean };
}

const DAY = 24 * 3600 * 1000;

export function defaultSeed(overrides: Partial<NavidromeSeed> = {}): NavidromeSeed {
  const now = Date.now();
  const ago = (ms: number) => new Date(now - ms).toISOString();
  const created = ago(400 * DAY);
  const albums: SeedAlbum[] = [];
  const songs: SeedSong[] = [];

  const albumDefs = [
    { id: 'al-canary-1', name: 'Canary Songs Vol. 1', artistId: 'ar-canary-1', artist: 'The Canary Singers', lib: 1, year: 2019, genre: 'Pop', missing: false },
    { id: 'al-canary-2', name: 'Lossless Canary', artistId: 'ar-canary-2', artist: 'Canary Quartet', lib: 1, year: 2021, genre: 'Classical', missing: false },
    { id: 'al-canary-3', name: 'AIFF Canary Sessions', artistId: 'ar-canary-3', artist: 'Bird Ensemble', lib: 1, year: 1998, genre: 'Jazz', missing: false },
    {
      id: 'al-canary-4',
      name: 'Canary Audiobook',
      artistId: 'ar-canary-4',
      artist: 'Narrator Canary',
      lib: 2,
      year: 2023,
      genre: 'Spoken Word',
      missing: false,
    },
    {
      id: 'al-canary-5',
      name: 'Missing Canary Album',
      artistId: 'ar-canary-2',
      artist: 'Canary Quartet',
      lib: 1,
      year: 2015,
      genre: 'Classical',
      missing: true,
    },
  ];
  // [title, suffix, albumIndex, missing]
  const songDefs: Array<[string, string, number, boolean]> = [
    ['Canary Morning', 'mp3', 0, false],
    ['Yellow Feathers', 'mp3', 0, false],
    ['LOUD CANARY', 'MP3', 0, false],
    ['Canary Lament', 'ogg', 0, false],
    ['Canary Quartet No. 1', 'flac', 1, false],
    ['Canary Quartet No. 2', 'FLAC', 1, false],
    ['Canary Quartet No. 3', 'flac', 1, true],
    ['Canary Adagio', 'wav', 1, false],
    ['AIF Take One', 'aif', 2, false],
    ['AIFF Take Two', 'aiff', 2, false],
    ['AIFF Take Three', 'AIFF', 2, false],
    ['Bird Opus', 'opus', 2, false],
    ['Chapter 1 (Canary)', 'm4b', 3, false],
    ['Chapter 2 (Canary)', 'm4a', 3, false],
    ['Lost Canary', 'mp3', 4, true],
  ];
  songDefs.forEach(([title, suffix, ai, missing], i) => {
    const a = albumDefs[ai]!;
    const libPath = a.lib === 1 ? '/srv/canary-music' : '/mnt/canary-nas/audiobooks';
    const n = i + 1;
    songs.push({
      id: `mf-canary-${String(n).padStart(2, '0')}`,
      title,
      suffix,
      libraryId: a.lib,
      missing: missing || a.missing,
      path: `${libPath}/${a.artist}/${a.name}/${String(n).padStart(2, '0')} - ${title}.${suffix}`,
      albumId: a.id,
      album: a.name,
      artistId: a.artistId,
      artist: a.artist,
      albumArtistId: a.artistId,
      albumArtist: a.artist,
      size: 3_000_000 + n * 250_000,
      duration: 180 + n * 7.5,
      bitRate: suffix.toLowerCase() === 'mp3' ? 320 : 1411,
      year: a.year,
      genre: a.genre,
      trackNumber: n,
      discNumber: 1,
      createdAt: ago((100 - n) * DAY),
      updatedAt: ago((50 - n) * DAY),
    });
  });
  for (const a of albumDefs) {
    const tracks = songs.filter((s) => s.albumId === a.id);
    albums.push({
      id: a.id,
      name: a.name,
      albumArtist: a.artist,
      albumArtistId: a.artistId,
      libraryId: a.lib,
      songCount: tracks.length,
      duration: tracks.reduce((t, s) => t + s.duration, 0),
      size: tracks.reduce((t, s) => t + s.size, 0),
      maxYear: a.year,
      genre: a.genre,
      compilation: false,
      missing: a.missing,
      createdAt: ago(100 * DAY),
      updatedAt: ago(40 * DAY),
    });
  }
  const stats = (songCount: number, albumCount: number, size: number) => ({ songCount, albumCount, size });
  const artists: SeedArtist[] = [
    {
      id: 'ar-canary-1',
      name: 'The Canary Singers',
      libraryIds: [1],
      missing: false,
      songCount: 4,
      albumCount: 1,
      size: 14_500_000,
      roles: { albumartist: stats(4, 1, 14_500_000), artist: stats(4, 1, 14_500_000), maincredit: stats(4, 1, 14_500_000) },
    },
    {
      id: 'ar-canary-2',
      name: 'Canary Quartet',
      libraryIds: [1],
      missing: false,
      songCount: 4,
      albumCount: 1,
      size: 17_500_000,
      roles: { albumartist: stats(4, 1, 17_500_000), artist: stats(4, 1, 17_500_000), maincredit: stats(4, 1, 17_500_000) },
    },
    {
      id: 'ar-canary-3',
      name: 'Bird Ensemble',
      libraryIds: [1],
      missing: false,
      songCount: 4,
      albumCount: 1,
      size: 22_000_000,
      roles: { albumartist: stats(4, 1, 22_000_000), artist: stats(4, 1, 22_000_000), maincredit: stats(4, 1, 22_000_000) },
    },
    {
      id: 'ar-canary-4',
      name: 'Narrator Canary',
      libraryIds: [2],
      missing: false,
      songCount: 2,
      albumCount: 1,
      size: 13_000_000,
      roles: { albumartist: stats(2, 1, 13_000_000), artist: stats(2, 1, 13_000_000), maincredit: stats(2, 1, 13_000_000) },
    },
    {
      id: 'ar-canary-5',
      name: 'Guest Canary',
      libraryIds: [1],
      missing: false,
      songCount: 2,
      albumCount: 1,
      size: 7_000_000,
      roles: { composer: stats(2, 1, 7_000_000) },
    },
    {
      id: 'ar-canary-6',
      name: 'Zz Missing Canary',
      libraryIds: [1],
      missing: true,
      songCount: 0,
      albumCount: 0,
      size: 0,
      roles: { albumartist: stats(0, 0, 0) },
    },
  ];
  const users: SeedUser[] = [
    {
      id: 'u-canary-alice',
      userName: 'canary-admin-alice',
      name: 'Alice Canary',
      email: 'alice.canary@example.invalid',
      isAdmin: true,
      password: 'alice-canary-pass',
      lastLoginAt: ago(1 * DAY),
      lastAccessAt: ago(1 * DAY),
      createdAt: created,
      updatedAt: ago(30 * DAY),
      libraryIds: [1, 2],
    },
    {
      id: 'u-canary-bob',
      userName: 'canary-bob',
      name: 'Bob Canary',
      email: 'bob.canary@example.invalid',
      isAdmin: false,
      password: 'bob-canary-pass',
      lastLoginAt: ago(3 * DAY),
      lastAccessAt: ago(3 * DAY),
      createdAt: created,
      updatedAt: ago(30 * DAY),
      libraryIds: [1],
    },
    {
      id: 'u-canary-carol',
      userName: 'canary-carol',
      name: 'Carol Canary',
      email: 'carol.canary@example.invalid',
      isAdmin: false,
      password: 'carol-canary-pass',
      lastLoginAt: ago(20 * DAY),
      lastAccessAt: ago(20 * DAY),
      createdAt: created,
      updatedAt: ago(60 * DAY),
      libraryIds: [1, 2],
    },
    {
      id: 'u-canary-dave',
      userName: 'canary-dave',
      name: 'Dave Canary',
      email: '',
      isAdmin: false,
      password: 'dave-canary-pass',
      lastLoginAt: null,
      lastAccessAt: null,
      createdAt: ago(10 * DAY),
      updatedAt: ago(10 * DAY),
      libraryIds: [1],
    },
    {
      id: 'u-canary-erin',
      userName: 'canary-erin',
      name: 'Erin Canary',
      email: 'erin.canary@example.invalid',
      isAdmin: true,
      password: 'erin-canary-pass',
      lastLoginAt: ago(6 * DAY),
      lastAccessAt: ago(6 * DAY),
      createdAt: created,
      updatedAt: ago(90 * DAY),
      libraryIds: [1, 2],
    },
  ];
  const players: SeedPlayer[] = [
    {
      id: 'pl-canary-1',
      name: 'NavidromeUI [Firefox/Linux]',
      client: 'NavidromeUI',
      userAgent: 'Firefox/Linux',
      userId: 'u-canary-alice',
      ip: '203.0.113.10',
      lastSeen: ago(1 * DAY),
    },
    {
      id: 'pl-canary-2',
      name: 'Substreamer [Substreamer/Android]',
      client: 'Substreamer',
      userAgent: 'Substreamer/Android',
      userId: 'u-canary-bob',
      ip: '198.51.100.23',
      lastSeen: ago(2 * DAY),
    },
    {
      id: 'pl-canary-3',
      name: 'DSub [DSub/Android]',
      client: 'DSub',
      userAgent: 'DSub/Android',
      userId: 'u-canary-carol',
      ip: '192.0.2.44',
      lastSeen: ago(30 * DAY),
    },
    {
      id: 'pl-canary-4',
      name: 'feishin [Electron/Windows]',
      client: 'feishin',
      userAgent: 'Electron/Windows',
      userId: 'u-canary-alice',
      ip: '203.0.113.77',
      lastSeen: ago(5 * DAY),
    },
    {
      id: 'pl-canary-5',
      name: 'NavidromeUI [Chrome/macOS]',
      client: 'NavidromeUI',
      userAgent: 'Chrome/macOS',
      userId: 'u-canary-bob',
      ip: '198.51.100.99',
      lastSeen: ago(10 * DAY),
    },
  ];
  const playlists: SeedPlaylist[] = [
    {
      id: 'pls-canary-1',
      name: 'Canary Secret Playlist',
      comment: 'alice private canary',
      ownerId: 'u-canary-alice',
      public: false,
      songCount: 3,
      duration: 620,
      size: 10_000_000,
      path: '',
      sync: false,
      rules: null,
      evaluatedAt: null,
      createdAt: ago(90 * DAY),
      updatedAt: ago(9 * DAY),
    },
    {
      id: 'pls-canary-2',
      name: 'Canary Road Trip',
      comment: '',
      ownerId: 'u-canary-bob',
      public: true,
      songCount: 5,
      duration: 1000,
      size: 18_000_000,
      path: '/srv/canary-music/playlists/road-trip.m3u',
      sync: true,
      rules: null,
      evaluatedAt: null,
      createdAt: ago(80 * DAY),
      updatedAt: ago(8 * DAY),
    },
    {
      id: 'pls-canary-3',
      name: 'Canary Smart Recent',
      comment: 'smart',
      ownerId: 'u-canary-alice',
      public: true,
      songCount: 7,
      duration: 1400,
      size: 25_000_000,
      path: '/srv/canary-music/playlists/recent.nsp',
      sync: false,
      rules: { all: [{ inTheLast: { lastPlayed: 30 } }], sort: 'lastPlayed', order: 'desc', limit: 100 },
      evaluatedAt: ago(1 * DAY),
      createdAt: ago(70 * DAY),
      updatedAt: ago(7 * DAY),
    },
    {
      id: 'pls-canary-4',
      name: 'Bob Private Canary',
      comment: '',
      ownerId: 'u-canary-bob',
      public: false,
      songCount: 2,
      duration: 400,
      size: 7_000_000,
      path: '',
      sync: false,
      rules: null,
      evaluatedAt: null,
      createdAt: ago(60 * DAY),
      updatedAt: ago(6 * DAY),
    },
    {
      id: 'pls-canary-5',
      name: 'Carol Smart Loved',
      comment: '',
      ownerId: 'u-canary-carol',
      public: false,
      songCount: 1,
      duration: 200,
      size: 3_000_000,
      path: '',
      sync: false,
      rules: { all: [{ is: { loved: true } }] },
      evaluatedAt: null,
      createdAt: ago(50 * DAY),
      updatedAt: ago(5 * DAY),
    },
  ];
  const shares: SeedShare[] = [
    {
      id: 'shCanary01',
      userId: 'u-canary-alice',
      description: 'Canary share for friends',
      resourceType: 'album',
      resourceIds: 'al-canary-1',
      contents: 'Canary Songs Vol. 1',
      downloadable: true,
      expiresAt: new Date(now + 300 * DAY).toISOString(),
      lastVisitedAt: ago(2 * DAY),
      visitCount: 4,
      format: 'mp3',
      maxBitRate: 192,
      createdAt: ago(20 * DAY),
      updatedAt: ago(2 * DAY),
    },
    {
      id: 'shCanary02',
      userId: 'u-canary-bob',
      description: '',
      resourceType: 'playlist',
      resourceIds: 'pls-canary-2',
      contents: 'Canary Road Trip',
      downloadable: false,
      expiresAt: null,
      lastVisitedAt: null,
      visitCount: 0,
      format: '',
      maxBitRate: 0,
      createdAt: ago(15 * DAY),
      updatedAt: ago(15 * DAY),
    },
    {
      id: 'shCanary03',
      userId: 'u-canary-alice',
      description: 'expired canary',
      resourceType: 'media_file',
      resourceIds: 'mf-canary-01,mf-canary-02',
      contents: 'Canary Morning',
      downloadable: false,
      expiresAt: ago(1 * DAY),
      lastVisitedAt: ago(3 * DAY),
      visitCount: 11,
      format: '',
      maxBitRate: 0,
      createdAt: ago(40 * DAY),
      updatedAt: ago(3 * DAY),
    },
  ];
  const radios: SeedRadio[] = [
    {
      id: 'ra-canary-1',
      name: 'Canary FM',
      streamUrl: 'http://canary-radio.internal.example:8000/stream',
      homePageUrl: 'http://canary-radio.internal.example',
      createdAt: ago(200 * DAY),
      updatedAt: ago(200 * DAY),
    },
    {
      id: 'ra-canary-2',
      name: 'Birdsong Radio',
      streamUrl: 'https://stream.canary-host.example/birdsong.mp3',
      homePageUrl: '',
      createdAt: ago(150 * DAY),
      updatedAt: ago(150 * DAY),
    },
    {
      id: 'ra-canary-3',
      name: 'aardvark Canary Jazz',
      streamUrl: 'http://192.0.2.150:8443/jazz',
      homePageUrl: 'https://jazz.canary-host.example',
      createdAt: ago(100 * DAY),
      updatedAt: ago(100 * DAY),
    },
  ];
  const libraries: SeedLibrary[] = [
    {
      id: 1,
      name: 'Canary Main Library',
      path: '/srv/canary-music',
      lastScanAt: ago(2 * 3600e3 - 12_500),
      lastScanStartedAt: ago(2 * 3600e3),
      defaultNewUsers: true,
      createdAt: created,
      updatedAt: ago(2 * 3600e3),
      totalFolders: 9,
      totalFiles: 31,
    },
    {
      id: 2,
      name: 'Canary Audiobooks',
      path: '/mnt/canary-nas/audiobooks',
      lastScanAt: ago(2 * 3600e3 - 12_500),
      lastScanStartedAt: ago(2 * 3600e3),
      defaultNewUsers: false,
      createdAt: ago(200 * DAY),
      updatedAt: ago(2 * 3600e3),
      totalFolders: 2,
      totalFiles: 4,
    },
  ];
  const configFile = '/etc/navidrome-canary/navidrome.toml';
  const config = defaultServerConfig();
  config.ConfigFile = configFile;
  return {
    version: '0.58.0 (a1b2c3d4)',
    startTime: ago(3 * DAY + 4 * 3600e3 + 1234),
    users,
    players,
    songs,
    albums,
    artists,
    playlists,
    shares,
    radios,
    libraries,
    config,
    configFile,
    devUIShowConfig: true,
    enableSharing: true,
    prometheusEnabled: true,
    memory: { goSysBytes: 47_839_496, residentBytes: 87_654_400 },
    devActivityPanel: true,
    oldServer: false,
    scan: {
      scanning: false,
      lastScan: ago(2 * 3600e3 - 12_500),
      lastScanStartedAt: ago(2 * 3600e3),
      scanType: 'quick',
      elapsedTimeNs: 12_500_000_000,
      error: '',
    },
    insights: { lastRun: ago(5 * 3600e3), success: true },
    sseKeepAliveMs: 15_000,
    serverKind: 'navidrome',
    subsonicSearchQuirks: { repeatedRows: false, directoryRows: false, literalQuery: false },
    ...overrides,
  };
}
