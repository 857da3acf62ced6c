/**
 * conf.Server as Navidrome marshals it with encoding/json (conf/configuration.go): Go field names,
 * time.Duration as integer nanoseconds, conf.Dir as its plain path string (MarshalText), `Tags` and
 * `DevLogLevels` omitted when empty (omitempty). Defaults follow setViperDefaults(); a few values
 * are distinctive "canary" strings so tests can prove they never leak.
 */
import { scalarText, sortKeysDeep } from './util';

export type GoServerConfig = Record<string, unknown>;

const NS = 1;
const SECOND = 1_000_000_000 * NS;
const MINUTE = 60 * SECOND;
const HOUR = 60 * MINUTE;

export function defaultServerConfig(): GoServerConfig {
  const dataFolder = '/var/lib/navidrome-canary';
  return {
    ConfigFile: '/etc/navidrome-canary/navidrome.toml',
    Address: '0.0.0.0',
    Port: 4533,
    UnixSocketPerm: '0660',
    EnforceNonRootUser: false,
    MusicFolder: '/srv/canary-music',
    DataFolder: dataFolder,
    CacheFolder: `${dataFolder}/cache`,
    DbPath: `${dataFolder}/navidrome.db?cache=shared&_busy_timeout=15000&_journal_mode=WAL&_foreign_keys=on&synchronous=normal`,
    LogLevel: 'info',
    LogFile: '/var/log/navidrome-canary/navidrome.log',
    SessionTimeout: 48 * HOUR,
    BaseURL: '',
    BasePath: '',
    BaseHost: '',
    BaseScheme: '',
    TLSCert: '/etc/ssl/canary-navidrome.crt',
    TLSKey: '/etc/ssl/private/canary-navidrome.key',
    UILoginBackgroundURL: '/backgrounds',
    UIWelcomeMessage: '',
    MaxSidebarPlaylists: 100,
    EnableTranscodingConfig: false,
    EnableDownloads: true,
    EnableExternalServices: true,
    EnableM3UExternalAlbumArt: false,
    EnableInsightsCollector: true,
    EnableScheduledDBAnalyze: true,
    EnableMediaFileCoverArt: true,
    TranscodingCacheSize: '100MB',
    ImageCacheSize: '100MB',
    AlbumPlayCountMode: 'absolute',
    EnableArtworkPrecache: true,
    AutoImportPlaylists: true,
    DefaultPlaylistPublicVisibility: false,
    PlaylistsPath: '',
    SmartPlaylistRefreshDelay: 5 * SECOND,
    AutoTranscodeDownload: false,
    DefaultDownsamplingFormat: 'opus',
    Search: { Backend: 'fts', FullString: false },
    Matcher: { PreferStarred: true, FuzzyThreshold: 85 },
    RecentlyAddedByModTime: false,
    PreferSortTags: false,
    IgnoredArticles: 'The El La Los Las Le Les Os As O A',
    IndexGroups: 'A B C D E F G H I J K L M N O P Q R S T U V W X-Z(XYZ) [Unknown]([)',
    FFmpegPath: '',
    MPVPath: '',
    MPVCmdTemplate: 'mpv --audio-device=%d --no-audio-display %f --input-ipc-server=%s',
    CoverArtPriority: 'cover.*, folder.*, front.*, embedded, external',
    CoverArtQuality: 75,
    EnableWebPEncoding: false,
    ArtistArtPriority: 'artist.*, album/artist.*, external',
    ArtistImageFolder: '',
    DiscArtPriority: 'disc*.*, cd*.*, cover.*, folder.*, front.*, discsubtitle, embedded',
    LyricsPriority: '.ttml,.yaml,.yml,.elrc,.lrc,.srt,.txt,embedded',
    EnableGravatar: false,
    EnableFavourites: true,
    EnableStarRating: true,
    EnableUserEditing: true,
    EnableArtworkUpload: true,
    MaxImageUploadSize: '10MB',
    MaxImageSize: '20MB',
    EnableSharing: true,
    ShareURL: '',
    DefaultShareExpiration: 8760 * HOUR,
    DefaultDownloadableShare: false,
    DefaultTheme: 'Dark',
    DefaultLanguage: '',
    DefaultUIVolume: 100,
    UISearchDebounceMs: 200,
    UICoverArtSize: 300,
    EnableReplayGain: true,
    EnableCoverAnimation: true,
    EnableNowPlaying: true,
    UIPlaybackReportInterval: MINUTE,
    GATrackingID: '',
    EnableLogRedacting: true,
    AuthRequestLimit: 5,
    AuthWindowLength: 20 * SECOND,
    PasswordEncryptionKey: 'canary-encryption-key-0xDEADBEEF',
    ExtAuth: { TrustedSources: '10.66.0.0/16,192.0.2.77', UserHeader: 'Remote-User', LogoutURL: '' },
    Plugins: { Enabled: true, Folder: `${dataFolder}/plugins`, CacheSize: '200MB', AutoReload: false, LogLevel: '' },
    HTTPHeaders: { FrameOptions: 'DENY' },
    Prometheus: { Enabled: false, MetricsPath: '/metrics', Password: '' },
    Scanner: {
      Enabled: true,
      Schedule: '@every 6h',
      WatcherWait: 5 * SECOND,
      ScanOnStartup: true,
      Extractor: 'taglib',
      ArtistJoiner: ' • ',
      ArtistSplitExceptions: [],
      GenreSeparators: '',
      GroupAlbumReleases: false,
      FollowSymlinks: true,
      IgnoreDotFolders: true,
      PurgeMissing: 'never',
    },
    Jukebox: { Enabled: false, Devices: [], Default: '', AdminOnly: true },
    Backup: { Count: 7, Path: '/mnt/canary-backups/navidrome', Schedule: '0 3 * * *' },
    PID: {
      Track: 'musicbrainz_trackid|albumid,discnumber,tracknumber,title',
      Album: 'musicbrainz_albumid|albumartistid,album,albumversion,releasedate',
    },
    Inspect: { Enabled: true, MaxRequests: 1, BacklogLimit: 100, BacklogTimeout: MINUTE },
    Subsonic: {
      AppendSubtitle: true,
      AppendAlbumVersion: true,
      ArtistParticipations: false,
      DefaultReportRealPath: false,
      EnableAverageRating: true,
      LegacyClients: 'DSub',
      MinimalClients: 'SubMusic',
    },
    Transcoding: { MaxConcurrent: 0, MaxConcurrentPerUser: 0, EnableCancellation: false },
    LastFM: {
      Enabled: true,
      ApiKey: 'canarylastfmapikey0123456789abcd',
      Secret: 'canarylastfmsecret9876543210fedc',
      Language: 'en',
      ScrobbleFirstArtistOnly: false,
      Languages: ['en'],
    },
    Deezer: { Enabled: true, Language: 'en', Languages: ['en'] },
    ListenBrainz: {
      Enabled: true,
      BaseURL: 'https://api.listenbrainz.org/1/',
      ArtistAlgorithm: 'session_based_days_9000_session_300_contribution_5_threshold_15_limit_50_skip_30',
      TrackAlgorithm: 'session_based_days_9000_session_300_contribution_5_threshold_15_limit_50_skip_30',
    },
    Jellyfin: { Enabled: false, ServerName: '', ExposedPublicUsers: '', MaxConcurrentStreams: 4 },
    EnableScrobbleHistory: true,
    Agents: 'deezer,lastfm,listenbrainz',
    DevLogSourceLine: false,
    DevEnableProfiler: false,
    DevAutoCreateAdminPassword: '',
    DevAutoLoginUsername: '',
    DevActivityPanel: true,
    DevActivityPanelUpdateRate: 300_000_000,
    DevSidebarPlaylists: true,
    DevShowArtistPage: true,
    DevUIShowConfig: true,
    DevNewEventStream: true,
    DevOffsetOptimize: 50000,
    DevArtworkMaxRequests: 2,
    DevArtworkThrottleBacklogLimit: 100,
    DevArtworkThrottleBacklogTimeout: MINUTE,
    DevArtworkThrottleBuffered: true,
    DevArtworkWorkerConcurrency: 2,
    DevArtworkExternalMaxRPS: 2,
    DevArtistInfoTimeToLive: 24 * HOUR,
    DevAlbumInfoTimeToLive: 7 * 24 * HOUR,
    DevExternalScanner: true,
    DevScannerThreads: 5,
    DevSelectiveWatcher: true,
    DevInsightsInitialDelay: 30 * MINUTE,
    DevEnablePlayerInsights: true,
    DevEnablePluginsInsights: true,
    DevPluginCompilationTimeout: MINUTE,
    DevExternalArtistFetchMultiplier: 1.5,
    DevPreserveUnicodeInExternalCalls: false,
    DevEnableMediaFileProbe: true,
  };
}

/** server/nativeapi/config.go: sensitiveFieldsPartialMask / sensitiveFieldsFullMask. */
export const PARTIAL_MASK = ['LastFM.ApiKey', 'LastFM.Secret', 'Prometheus.MetricsPath', 'DevAutoLoginUsername'];
export const FULL_MASK = ['DevAutoCreateAdminPassword', 'PasswordEncryptionKey', 'Prometheus.Password'];

/** redactValue: empty stays empty; full mask -> "****"; partial -> first + "*"… + last (or "****" if < 7 bytes). */
export function redactValue(key: string, value: string): string {
  if (value.length === 0) return value;
  if (FULL_MASK.includes(key)) return '****';
  if (PARTIAL_MASK.includes(key)) {
    const bytes = Buffer.from(value, 'utf8'); // Go slices bytes, not characters
    if (bytes.length < 7) return '****';
    return (
      Buffer.from([bytes[0] as number]).toString('latin1') + '*'.repeat(bytes.length - 2) + Buffer.from([bytes[bytes.length - 1] as number]).toString('latin1')
    );
  }
  return value;
}

/** applySensitiveFieldMasking: recurses into objects (not arrays); non-strings masked via fmt.Sprint. */
function mask(config: Record<string, unknown>, prefix: string): void {
  for (const [key, value] of Object.entries(config)) {
    const fullKey = prefix ? `${prefix}.${key}` : key;
    if (value && typeof value === 'object' && !Array.isArray(value)) {
      mask(value as Record<string, unknown>, fullKey);
    } else if (typeof value === 'string') {
      config[key] = redactValue(fullKey, value);
    } else {
      const str = value === null ? '<nil>' : Array.isArray(value) ? `[${value.join(' ')}]` : scalarText(value);
      if (str !== '') {
        const masked = redactValue(fullKey, str);
        if (masked !== str) config[key] = masked;
      }
    }
  }
}

/** The body of GET /api/config/*: {id, configFile, config} with config keys sorted (Go map). */
export function configResponseBody(config: GoServerConfig): string {
  const copy = sortKeysDeep(JSON.parse(JSON.stringify(config))) as Record<string, unknown>;
  mask(copy, '');
  const configFile = typeof config.ConfigFile === 'string' ? config.ConfigFile : '';
  // json.NewEncoder(w).Encode appends a newline.
  return `${JSON.stringify({ id: 'config', configFile, config: copy })}\n`;
}
