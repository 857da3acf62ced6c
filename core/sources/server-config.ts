import { MIB, readRegularText } from '../storage/regular-file';
import { parse as parseToml } from 'smol-toml';
import type { Payload } from '../../shared/schema/payload';
import { PATTERNS } from '../../shared/schema/payload';
import type { SensitiveValue } from './sensitive-value';
import { SourceProblem } from './problems';

export type ConfigFlags = NonNullable<Payload['config']>;

export interface ServerFolders {
  music?: string;
  data?: string;
  cache?: string;
  backup?: string;
}

export interface ServerConfigFacts {
  flags: ConfigFlags;
  folders: ServerFolders;
  sensitive: SensitiveValue[];
  /** Navidrome's own collector (EnableInsightsCollector, on by default): with Candor too, the server is counted twice. */
  builtInCollectorOn?: boolean;
}

/** Navidrome's defaults (conf/configuration.go setViperDefaults), used where a config file is silent. */
const DEFAULTS: Record<string, unknown> = {
  musicfolder: './music',
  datafolder: '.',
  cachefolder: '',
  loglevel: 'info',
  logfile: '',
  sessiontimeout: '48h',
  tlscert: '',
  tlskey: '',
  uiloginbackgroundurl: '/backgrounds',
  transcodingcachesize: '100MB',
  imagecachesize: '100MB',
  enableartworkprecache: true,
  enabledownloads: true,
  enablemediafilecoverart: true,
  'search.fullstring': false,
  'search.backend': 'fts',
  recentlyaddedbymodtime: false,
  prefersorttags: false,
  coverartquality: 75,
  enablewebpencoding: false,
  enablestarrating: true,
  uicoverartsize: 300,
  enablecoveranimation: true,
  enablenowplaying: true,
  enableartworkupload: true,
  enablesharing: true,
  enablescheduleddbanalyze: true,
  'extauth.trustedsources': '',
  'prometheus.enabled': false,
  'jukebox.enabled': false,
  'scanner.enabled': true,
  'scanner.schedule': '0',
  'scanner.extractor': 'taglib',
  'scanner.watcherwait': '5s',
  'scanner.scanonstartup': true,
  'lastfm.enabled': true,
  'lastfm.apikey': '',
  'lastfm.secret': '',
  'deezer.enabled': true,
  'listenbrainz.enabled': true,
  'backup.path': '',
  'backup.schedule': '',
  'backup.count': 0,
  'pid.track': 'musicbrainz_trackid|albumid,discnumber,tracknumber,title',
  'pid.album': 'musicbrainz_albumid|albumartistid,album,albumversion,releasedate',
  devactivitypanel: true,
};

/** Config keys whose string values name a place, a person, a machine or a secret. */
const IDENTIFYING_KEY = /folder|path|file|dir|url|address|host|user|name|email|key|secret|password|token|cert|sources|id$/i;

/** Keys are case-insensitive in Navidrome's config (viper), so everything is looked up lower-cased and dotted. */
function flatten(value: unknown, prefix = '', out: Map<string, unknown> = new Map()): Map<string, unknown> {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) flatten(child, prefix ? `${prefix}.${key.toLowerCase()}` : key.toLowerCase(), out);
    // Keep the container too: `Tags` is a table whose presence is the fact.
    if (prefix) out.set(prefix, value);
  } else if (prefix) {
    out.set(prefix, value);
  }
  return out;
}

/** Go's time.Duration marshals as integer nanoseconds in JSON and is written as "48h" in files. */
export function durationSeconds(value: unknown): number | undefined {
  if (typeof value === 'number' && Number.isFinite(value)) return Math.trunc(value / 1e9);
  if (typeof value !== 'string') return undefined;
  if (/^\d+$/.test(value)) return Math.trunc(Number(value) / 1e9);
  const units: Record<string, number> = { ns: 1e-9, us: 1e-6, µs: 1e-6, ms: 1e-3, s: 1, m: 60, h: 3600 };
  let total = 0;
  let rest = value.trim();
  if (!rest) return undefined;
  while (rest) {
    const match = /^(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/.exec(rest);
    if (!match) return undefined;
    total += Number(match[1]) * units[match[2]!]!;
    rest = rest.slice(match[0].length);
  }
  return Math.trunc(total);
}

function folderPath(value: unknown): string | undefined {
  // Navidrome's Dir type may marshal as a plain string or as an object holding the path.
  if (typeof value === 'string') return value || undefined;
  if (value && typeof value === 'object') {
    for (const candidate of Object.values(value)) if (typeof candidate === 'string' && candidate) return candidate;
  }
  return undefined;
}

/**
 * Derives the non-sensitive flags exactly as Navidrome's own insights do (core/metrics/insights.go),
 * from a configuration map. `masked` says secrets arrive masked (the admin endpoint): a masked
 * non-empty value still proves the setting is set.
 */
export function deriveServerConfig(raw: Record<string, unknown>, options: { applyDefaults: boolean }): ServerConfigFacts {
  const map = flatten(raw);
  const get = (key: string): unknown => (map.has(key) ? map.get(key) : options.applyDefaults ? DEFAULTS[key] : undefined);
  const str = (key: string): string | undefined => {
    const v = get(key);
    return typeof v === 'string' ? v : typeof v === 'number' ? String(v) : undefined;
  };
  const bool = (key: string): boolean | undefined => {
    const v = get(key);
    if (typeof v === 'boolean') return v;
    if (typeof v === 'string' && /^(true|false)$/i.test(v)) return v.toLowerCase() === 'true';
    return undefined;
  };
  const int = (key: string): number | undefined => {
    const v = get(key);
    const n = typeof v === 'string' ? Number(v) : v;
    return typeof n === 'number' && Number.isInteger(n) ? n : undefined;
  };
  const set = (key: string) => (str(key) ?? '') !== '';

  const flags: Partial<Record<keyof ConfigFlags, unknown>> = {};
  const put = <K extends keyof ConfigFlags>(key: K, value: ConfigFlags[K] | undefined, pattern?: RegExp) => {
    if (value === undefined) return;
    if (typeof value === 'string' && pattern && !pattern.test(value)) return;
    flags[key] = value;
  };
  put('logLevel', str('loglevel')?.toLowerCase(), /^[a-z]{1,10}$/);
  put('logFileConfigured', set('logfile'));
  put('tlsConfigured', set('tlscert') && set('tlskey'));
  put('scannerEnabled', bool('scanner.enabled'));
  put('scannerExtractor', str('scanner.extractor'), PATTERNS.token);
  put('scanSchedule', str('scanner.schedule'), PATTERNS.cron);
  put('scanWatcherWait', durationSeconds(get('scanner.watcherwait')));
  put('scanOnStartup', bool('scanner.scanonstartup'));
  put('enableScheduledDBAnalyze', bool('enablescheduleddbanalyze'));
  put('transcodingCacheSize', str('transcodingcachesize'), PATTERNS.size);
  put('imageCacheSize', str('imagecachesize'), PATTERNS.size);
  put('enableArtworkPrecache', bool('enableartworkprecache'));
  put('enableDownloads', bool('enabledownloads'));
  put('enableSharing', bool('enablesharing'));
  put('enableStarRating', bool('enablestarrating'));
  const lastfm = bool('lastfm.enabled');
  put('enableLastFM', lastfm === undefined ? undefined : lastfm && set('lastfm.apikey') && set('lastfm.secret'));
  put('enableListenBrainz', bool('listenbrainz.enabled'));
  put('enableDeezer', bool('deezer.enabled'));
  put('enableMediaFileCoverArt', bool('enablemediafilecoverart'));
  put('enableJukebox', bool('jukebox.enabled'));
  put('enablePrometheus', bool('prometheus.enabled'));
  put('enableArtworkUpload', bool('enableartworkupload'));
  put('coverArtQuality', int('coverartquality'));
  put('enableWebPEncoding', bool('enablewebpencoding'));
  put('uiCoverArtSize', int('uicoverartsize'));
  put('enableCoverAnimation', bool('enablecoveranimation'));
  put('enableNowPlaying', bool('enablenowplaying'));
  put('sessionTimeout', durationSeconds(get('sessiontimeout')));
  put('searchFullString', bool('search.fullstring'));
  put('searchBackend', str('search.backend'), PATTERNS.token);
  put('recentlyAddedByModTime', bool('recentlyaddedbymodtime'));
  put('preferSortTags', bool('prefersorttags'));
  put('backupSchedule', str('backup.schedule'), PATTERNS.cron);
  put('backupCount', int('backup.count'));
  put('devActivityPanel', bool('devactivitypanel'));
  const background = str('uiloginbackgroundurl');
  put('defaultBackgroundURL', background === undefined ? undefined : background === '/backgrounds');
  put('reverseProxyConfigured', str('extauth.trustedsources') === undefined ? undefined : set('extauth.trustedsources'));
  const track = str('pid.track');
  const album = str('pid.album');
  if (track !== undefined && album !== undefined) put('hasCustomPID', track !== DEFAULTS['pid.track'] || album !== DEFAULTS['pid.album']);
  const tags = get('tags');
  put('hasCustomTags', tags && typeof tags === 'object' ? Object.keys(tags).length > 0 : options.applyDefaults ? false : undefined);

  const folders: ServerFolders = {};
  const music = folderPath(get('musicfolder'));
  const data = folderPath(get('datafolder'));
  let cache = folderPath(get('cachefolder'));
  const backup = folderPath(get('backup.path'));
  // Navidrome puts the cache inside the data folder unless told otherwise (conf/configuration.go).
  if (!cache && data) cache = data.replace(/[\\/]+$/, '') + '/cache';
  if (music) folders.music = music;
  if (data) folders.data = data;
  if (cache) folders.cache = cache;
  if (backup) folders.backup = backup;

  const sensitive: SensitiveValue[] = [];
  for (const [key, value] of map) {
    // Strings that can point at a person or a place (paths, addresses, names, secrets) teach the guard
    // what must never be sent. Format and mode names ("opus", "fts") identify nobody and are skipped.
    if (typeof value !== 'string' || value.length < 4) continue;
    const identifyingKey = IDENTIFYING_KEY.test(key.split('.').at(-1) ?? key);
    const identifyingShape = /[\\/@:]/.test(value);
    if (identifyingKey || identifyingShape) sensitive.push({ kind: /folder|path|file|cert|dir/i.test(key) ? 'path' : 'name', value });
  }
  // Values we deliberately send (a schedule, a cache size, the log level) are not leaks.
  const sent = new Set(
    Object.values(flags)
      .filter((v): v is string => typeof v === 'string')
      .map((v) => v.toLowerCase()),
  );
  const builtIn = map.has('enableinsightscollector') ? map.get('enableinsightscollector') : options.applyDefaults ? true : undefined;
  return {
    flags: flags as ConfigFlags,
    folders,
    sensitive: sensitive.filter((s) => !sent.has(s.value.toLowerCase())),
    ...(typeof builtIn === 'boolean' ? { builtInCollectorOn: builtIn } : {}),
  };
}

/** Reads Navidrome's own config file when the server runs on this machine. */
export async function readServerConfigFile(path: string): Promise<ServerConfigFacts> {
  let text: string;
  try {
    text = await readRegularText(path, MIB);
  } catch {
    throw new SourceProblem('config-file-unreadable');
  }
  let parsed: Record<string, unknown>;
  try {
    parsed = parseToml(text);
  } catch {
    throw new SourceProblem('config-file-invalid');
  }
  const facts = deriveServerConfig(parsed, { applyDefaults: true });
  facts.sensitive.push({ kind: 'path', value: path });
  return facts;
}
