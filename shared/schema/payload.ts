/**
 * The payload: the single source of truth for every byte Candor may send.
 *
 * Key names and JSON types match Navidrome's own insights payload (core/metrics/insights/data.go),
 * so every existing consumer of Navidrome reports can read Candor's. Fields marked
 * `navidrome-only` are what Navidrome's built-in collector sends and Candor never does; the
 * collector accepts them so it can ingest reports from both.
 *
 * Adding a field: add it here with `since: PAYLOAD_SCHEMA_VERSION + 1`, bump the version, and
 * users who already agreed will be asked to approve the new field before anything more is sent.
 */
import { documented, type Category, type FieldDoc, type Infer, type SchemaNode, optional, s, listFields } from './dsl';

export const PAYLOAD_SCHEMA_VERSION = 2;

function field<N extends SchemaNode>(node: N, category: Category, source: FieldDoc['source'], explain: string, since = 1) {
  return optional(documented(node, { explain, source, category, since }));
}

const COUNT = s.int(0, 1_000_000_000_000);
const BYTES = s.int(0, Number.MAX_SAFE_INTEGER);
const SECONDS = s.int(0, 100 * 365 * 24 * 3600);

/** Go's GOOS values: the names Navidrome reports, so both agents' reports aggregate together. */
export const GO_OS = [
  'aix',
  'android',
  'darwin',
  'dragonfly',
  'freebsd',
  'illumos',
  'ios',
  'js',
  'linux',
  'netbsd',
  'openbsd',
  'plan9',
  'solaris',
  'wasip1',
  'windows',
] as const;
/** Go's GOARCH values. */
export const GO_ARCH = [
  '386',
  'amd64',
  'arm',
  'arm64',
  'loong64',
  'mips',
  'mipsle',
  'mips64',
  'mips64le',
  'ppc64',
  'ppc64le',
  'riscv64',
  's390x',
  'wasm',
] as const;

/** Patterns are deliberately narrow: a value outside them cannot carry a path, address or name. */
export const PATTERNS = {
  uuid: /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  serverVersion: /^[0-9A-Za-z][0-9A-Za-z.+_ ()-]{0,63}$/,
  agentVersion: /^[0-9]{1,4}\.[0-9]{1,4}\.[0-9]{1,4}(?:-[0-9A-Za-z.]{1,32})?$/,
  token: /^[a-z0-9][a-z0-9._-]{0,31}$/,
  // Navidrome on Windows may send the raw `ver` text ("Microsoft Windows [Version 10.0.19045]").
  osVersion: /^[0-9A-Za-z][0-9A-Za-z._ ()[\]-]{0,63}$/,
  // Windows names its filesystems in capitals (NTFS, ReFS, exFAT), and Navidrome reports them as is.
  fsType: /^(?:[A-Za-z0-9][A-Za-z0-9./+_-]{0,31}|unknown\(0x-?[0-9a-f]{1,16}\))$/,
  cron: /^[@A-Za-z0-9 */,?#-]{0,64}$/,
  size: /^[0-9][0-9 .,]{0,11}[A-Za-z]{0,4}$/,
  // Navidrome reports its web player as "NavidromeUI [Firefox/Linux]" (persistence/player_repository.go).
  playerClient: /^[A-Za-z0-9][A-Za-z0-9 ._()+/[\]-]{0,63}$/,
  fileSuffix: /^[a-z0-9]{1,10}$/,
  pluginKey: /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/,
  /** Semantic versions may carry build metadata after a `+` ("1.0.0+build.5"). */
  pluginVersion: /^[A-Za-z0-9][A-Za-z0-9._+-]{0,63}$/,
  /** Plugin manifests name plugins in words: "Discord Rich Presence (Rust)". */
  pluginName: /^[A-Za-z0-9][A-Za-z0-9 ._()+-]{0,63}$/,
  goVersion: /^go[0-9][0-9A-Za-z .:,_+-]{0,47}$/,
  buildKey: /^[A-Za-z0-9_./-]{1,64}$/,
  buildValue: /^[\x20-\x7e]{0,512}$/,
  sha256Hex: /^[0-9a-f]{64}$/,
} as const;

// How the collector reads a received value before checking it (the agent's own values are never
// rewritten): every text is trimmed first; the fields below name one more step.

/** A name from a fixed vocabulary, compared in lower case: Navidrome sends some as typed ("TrueNAS", "DEBUG", "NTFS"). */
const lowerCase = (value: string): string => value.toLowerCase();
/**
 * Navidrome's scheduler (robfig/cron) takes a leading "CRON_TZ=<zone> " or "TZ=<zone> ". A time zone
 * tells where a server is: the schedule is kept, the zone is not.
 */
const withoutTimeZone = (schedule: string): string => schedule.replace(/^(?:CRON_)?TZ=\S*\s+/, '');

/**
 * Which machine a field about a machine describes, and when it is left out: said in every such
 * field's explanation, so the preview, the docs and the collector all say it.
 */
const ON_SERVER_MACHINE =
  "It describes the machine the server runs on, so Candor sends it only when the server runs on the machine Candor runs on (its address is this machine's own, or its process is visible here); otherwise it is left out, with the reason.";

const fsInfo = (folder: string, since = 1) =>
  optional(
    s.object({
      type: field(
        s.string(PATTERNS.fsType, 48, lowerCase),
        'config',
        'host',
        `Kind of filesystem the server's ${folder} folder is on (for example ext4, zfs, nfs). Only the type name is sent, never the folder's path. ${ON_SERVER_MACHINE}`,
        since,
      ),
    }),
  );

export const payloadSchema = s.object({
  id: field(
    s.string(PATTERNS.uuid, 36),
    'agent',
    'agent',
    'A random anonymous ID made on this machine when you first agreed. It is not derived from your hardware, host name or server, and you can reset it at any time.',
  ),
  version: field(s.string(PATTERNS.serverVersion, 64), 'application', 'server-api', "The music server's version, for example 0.58.0."),
  uptime: field(SECONDS, 'application', 'server-process', 'Seconds since the music server was last started.'),
  platform: field(s.string(PATTERNS.token, 32, lowerCase), 'system', 'navidrome-only', 'App store or hosting provider the server declares itself to run on.'),
  build: optional(
    s.object({
      settings: field(
        s.map(PATTERNS.buildKey, s.string(PATTERNS.buildValue, 512), 64),
        'application',
        'navidrome-only',
        'Settings the Go compiler used to build the server.',
      ),
      goVersion: field(s.string(PATTERNS.goVersion, 48), 'application', 'navidrome-only', 'Go version the server was built with.'),
    }),
  ),
  os: optional(
    s.object({
      type: field(s.enum(GO_OS), 'system', 'host', `Operating system family (Go names: linux, darwin for macOS, windows…). ${ON_SERVER_MACHINE}`),
      distro: field(
        s.string(PATTERNS.token, 32, lowerCase),
        'system',
        'host',
        `Linux distribution identifier from /etc/os-release (for example debian, alpine). ${ON_SERVER_MACHINE}`,
      ),
      version: field(s.string(PATTERNS.osVersion, 64), 'system', 'host', `Operating system version number (for example 12 or 14.5). ${ON_SERVER_MACHINE}`),
      containerized: field(s.bool(), 'system', 'host', `Whether the server runs inside a container such as Docker or Podman. ${ON_SERVER_MACHINE}`),
      arch: field(s.enum(GO_ARCH), 'system', 'host', `Processor architecture (Go names: amd64, arm64, arm…). ${ON_SERVER_MACHINE}`),
      numCPU: field(s.int(1, 65_536), 'system', 'host', `Number of processor cores available. ${ON_SERVER_MACHINE}`),
      package: field(s.string(PATTERNS.token, 32, lowerCase), 'system', 'navidrome-only', 'Installer package format the server was installed with.'),
    }),
  ),
  mem: optional(
    s.object({
      alloc: field(BYTES, 'system', 'navidrome-only', 'Bytes of memory the server has allocated right now (Go runtime figure).'),
      totalAlloc: field(BYTES, 'system', 'navidrome-only', 'Bytes the server has allocated since it started (Go runtime figure).'),
      sys: field(
        BYTES,
        'system',
        'server-process',
        "Memory the server process holds, in bytes. As Navidrome means it, Go's runtime.MemStats.Sys: Candor reads it from the server's Prometheus metrics (go_memstats_sys_bytes) wherever the server runs. Without them, when the server's process is visible on this machine, its resident memory stands in, and candor.sources.memory says which of the two this is. Otherwise it is left out, with the reason.",
      ),
      numGC: field(s.int(0, 4_294_967_295), 'system', 'navidrome-only', 'Garbage-collection cycles since the server started (Go runtime figure).'),
    }),
  ),
  fs: optional(
    s.object({
      music: fsInfo('music'),
      data: fsInfo('data'),
      cache: fsInfo('cache'),
      backup: fsInfo('backup'),
    }),
  ),
  library: optional(
    s.object({
      tracks: field(COUNT, 'library', 'server-api', 'How many tracks your library has. Only the number; no titles.'),
      albums: field(COUNT, 'library', 'server-api', 'How many albums your library has. Only the number; no names.'),
      artists: field(COUNT, 'library', 'server-api', 'How many artists your library has. Only the number; no names.'),
      playlists: field(COUNT, 'library', 'server-api', 'How many playlists exist. Only the number; no names.'),
      shares: field(COUNT, 'library', 'server-api', 'How many share links exist. Only the number; no links.'),
      radios: field(COUNT, 'library', 'server-api', 'How many internet radio stations are configured. Only the number.'),
      libraries: field(COUNT, 'library', 'server-api', 'How many separate music libraries the server manages.'),
      activeUsers: field(COUNT, 'library', 'server-api', 'How many user accounts were used in the last 7 days. A count only: no names, no IDs.'),
      activePlayers: field(
        s.map(PATTERNS.playerClient, COUNT, 100),
        'library',
        'server-api',
        'How many players were seen in the last 7 days, per app (for example "Symfonium: 2"). Unusual app names are grouped as "Other".',
      ),
      fileSuffixes: field(
        s.map(PATTERNS.fileSuffix, COUNT, 200, lowerCase),
        'library',
        'server-api',
        'How many tracks use each file format, counted exactly by file extension in any case (for example "flac: 1200"; aif never includes aiff or aifc). Only the formats Candor lists are named; the rest are counted in candor.unlistedSuffixTracks. No file names.',
      ),
    }),
  ),
  config: optional(
    s.object({
      logLevel: field(s.string(/^[A-Za-z]{1,10}$/, 10, lowerCase), 'config', 'server-config', 'Server log verbosity (error, warn, info, debug or trace).'),
      logFileConfigured: field(s.bool(), 'config', 'server-config', 'Whether the server writes its log to a file (the file name is not sent).'),
      tlsConfigured: field(s.bool(), 'config', 'server-config', 'Whether the server serves HTTPS itself (certificates are not sent).'),
      scannerEnabled: field(s.bool(), 'config', 'server-config', 'Whether the library scanner runs.'),
      scannerExtractor: field(s.string(PATTERNS.token, 16, lowerCase), 'config', 'server-config', 'Which tag reader the scanner uses.'),
      scanSchedule: field(
        s.string(PATTERNS.cron, 64, withoutTimeZone),
        'config',
        'server-config',
        'How often the library is rescanned (a schedule such as "@every 1h").',
      ),
      scanWatcherWait: field(SECONDS, 'config', 'server-config', 'Seconds the file watcher waits before rescanning after a change.'),
      scanOnStartup: field(s.bool(), 'config', 'server-config', 'Whether the server scans the library when it starts.'),
      enableScheduledDBAnalyze: field(s.bool(), 'config', 'server-config', 'Whether the server periodically optimises its database.'),
      transcodingCacheSize: field(s.string(PATTERNS.size, 16), 'config', 'server-config', 'Size limit of the transcoding cache (for example "100MB").'),
      imageCacheSize: field(s.string(PATTERNS.size, 16), 'config', 'server-config', 'Size limit of the image cache.'),
      enableArtworkPrecache: field(s.bool(), 'config', 'server-config', 'Whether artwork is prepared in advance.'),
      enableDownloads: field(s.bool(), 'config', 'server-config', 'Whether users may download music.'),
      enableSharing: field(s.bool(), 'config', 'server-config', 'Whether share links are enabled.'),
      enableStarRating: field(s.bool(), 'config', 'server-config', 'Whether star ratings are enabled.'),
      enableLastFM: field(s.bool(), 'config', 'server-config', 'Whether Last.fm integration is enabled (keys are never sent).'),
      enableListenBrainz: field(s.bool(), 'config', 'server-config', 'Whether ListenBrainz integration is enabled.'),
      enableDeezer: field(s.bool(), 'config', 'server-config', 'Whether Deezer artist images are enabled.'),
      enableMediaFileCoverArt: field(s.bool(), 'config', 'server-config', 'Whether per-track cover art is used.'),
      enableJukebox: field(s.bool(), 'config', 'server-config', 'Whether jukebox mode (playing on the server) is enabled.'),
      enablePrometheus: field(s.bool(), 'config', 'server-config', 'Whether the Prometheus metrics endpoint is enabled (its address is never sent).'),
      enableArtworkUpload: field(s.bool(), 'config', 'server-config', 'Whether users may upload artwork.'),
      coverArtQuality: field(s.int(0, 100), 'config', 'server-config', 'JPEG quality used for resized cover art.'),
      enableWebPEncoding: field(s.bool(), 'config', 'server-config', 'Whether images are encoded as WebP.'),
      uiCoverArtSize: field(s.int(0, 10_000), 'config', 'server-config', 'Cover art size the web interface requests, in pixels.'),
      enableCoverAnimation: field(s.bool(), 'config', 'server-config', 'Whether the player animates the cover.'),
      enableNowPlaying: field(s.bool(), 'config', 'server-config', 'Whether "now playing" is shown to other users.'),
      sessionTimeout: field(SECONDS, 'config', 'server-config', 'How long a login lasts, in seconds.'),
      searchFullString: field(s.bool(), 'config', 'server-config', 'Whether search matches anywhere in a word.'),
      searchBackend: field(s.string(PATTERNS.token, 16, lowerCase), 'config', 'server-config', 'Which search engine the server uses.'),
      recentlyAddedByModTime: field(s.bool(), 'config', 'server-config', '"Recently added" uses file modification times.'),
      preferSortTags: field(s.bool(), 'config', 'server-config', 'Whether sort tags are preferred for ordering.'),
      backupSchedule: field(
        s.string(PATTERNS.cron, 64, withoutTimeZone),
        'config',
        'server-config',
        'How often the server backs up its database (a schedule).',
      ),
      backupCount: field(s.int(0, 100_000), 'config', 'server-config', 'How many database backups are kept.'),
      devActivityPanel: field(s.bool(), 'config', 'server-config', 'Whether the activity panel is shown in the web interface.'),
      defaultBackgroundURL: field(s.bool(), 'config', 'server-config', 'Whether the login page uses the default background images (the address is not sent).'),
      hasSmartPlaylists: field(s.bool(), 'config', 'server-api', 'Whether at least one smart (rule-based) playlist exists.'),
      reverseProxyConfigured: field(s.bool(), 'config', 'server-config', 'Whether a reverse proxy is trusted for logins (its address is not sent).'),
      hasCustomPID: field(s.bool(), 'config', 'server-config', 'Whether custom track or album identity rules are configured.'),
      hasCustomTags: field(s.bool(), 'config', 'server-config', 'Whether custom tag mappings are configured.'),
    }),
  ),
  plugins: field(
    s.map(PATTERNS.pluginKey, s.object({ name: s.string(PATTERNS.pluginName, 64), version: s.string(PATTERNS.pluginVersion, 64) }), 100),
    'config',
    'navidrome-only',
    'Names and versions of installed server plugins.',
  ),
  candor: optional(
    s.object({
      agentVersion: field(s.string(PATTERNS.agentVersion, 48), 'agent', 'agent', 'Version of Candor that made this report.'),
      schemaVersion: field(s.int(1, 10_000), 'agent', 'agent', 'Version of this report format.'),
      serverType: field(
        s.string(PATTERNS.token, 32, lowerCase),
        'agent',
        'server-api',
        'Which server software answered (navidrome, gonic…), as it names itself.',
      ),
      sources: optional(
        s.object({
          // Each source note belongs to the category of what it describes: it leaves only with it.
          library: field(s.enum(['native-api', 'subsonic-api']), 'library', 'agent', 'Which server interface the library counts came from.'),
          config: field(s.enum(['config-endpoint', 'config-file']), 'config', 'agent', "Where the server's settings were read from."),
          uptime: field(s.enum(['event-stream', 'prometheus', 'local-process']), 'application', 'agent', "How the server's start time was learned."),
          memory: field(
            s.enum(['prometheus', 'server-process', 'host']),
            'system',
            'agent',
            "What mem.sys is: prometheus, Go's Sys from the server's metrics (Navidrome's own figure); server-process, the resident memory of the server's process seen on this machine (a different figure); host, no server figure, only the machine's memory.",
          ),
        }),
      ),
      hostMemory: optional(
        s.object({
          total: field(BYTES, 'system', 'host', `Total memory of the machine the server runs on, in bytes. ${ON_SERVER_MACHINE}`),
          available: field(BYTES, 'system', 'host', `Memory still available on that machine, in bytes. ${ON_SERVER_MACHINE}`),
        }),
      ),
      unlistedSuffixTracks: field(
        COUNT,
        'library',
        'server-api',
        'Tracks whose file format is not in the list Candor counts by name (counted, not named). The list is fixed because the server can only be asked about one format at a time.',
      ),
      // sha256 of 32 random bytes the agent keeps; the collector deletes protected reports only for
      // that secret (docs/collector.md, "Deletion on request").
      deletionKeyHash: field(
        s.string(PATTERNS.sha256Hex, 64),
        'agent',
        'agent',
        'A fingerprint of a secret kept only on your machine: it proves a later request to delete your reports comes from you. The secret itself never leaves.',
        2,
      ),
    }),
  ),
});

export type Payload = Infer<typeof payloadSchema>;

/** Every documented field, in payload order. */
export const PAYLOAD_FIELDS = listFields(payloadSchema);

/** The fields this version of Candor can send: what a user approves when agreeing. */
export const CANDOR_FIELD_PATHS: readonly string[] = PAYLOAD_FIELDS.filter((f) => f.source !== 'navidrome-only').map((f) => f.path);

/**
 * What makes a report worth sending: the fields that say what it is about. A report without one of
 * them would count a server nobody knows anything about, so it never leaves this machine (the
 * attempt is kept in the history as not sent, with the cause); every other field may be left out
 * with its reason. This list is the one place that says so: the agent, the docs and the tests read it.
 */
export const REQUIRED_FIELDS = ['version'] as const satisfies ReadonlyArray<keyof Payload>;

/** The required fields a report lacks: none when it is worth sending. */
export function missingRequired(payload: Payload): string[] {
  return REQUIRED_FIELDS.filter((field) => payload[field] === undefined);
}

export const CATEGORY_TITLES: Record<Category, string> = {
  application: 'Application details',
  system: 'System information',
  library: 'Library statistics',
  config: 'Configuration settings (non-sensitive only)',
  agent: 'About this report',
};

/** From the policy, in plain words: shown next to the preview so the absence is as visible as the presence. */
export const NEVER_COLLECTED: readonly string[] = [
  'Names, user names or email addresses',
  'IP addresses, host names, location or device fingerprints',
  'What anyone listened to, or when',
  'Names of songs, artists, albums or playlists',
  'Folder paths, server addresses or URLs',
  'Passwords, tokens, keys or server logs',
  'Error messages or free-form text of any kind',
];
