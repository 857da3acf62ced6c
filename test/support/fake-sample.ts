/**
 * The fake agent's data: a realistic payload from a few facts (keys in schema order, so the bytes
 * are the ones `encodePayload` makes), the fixed wording of each send result, and a generated
 * history of daily attempts.
 */
import type { ErrorClass, HistorySummary, Trigger } from '../../shared/api-contract';
import { sha256Hex } from '../../core/report/encode';
import { POLICY_CATEGORIES } from '../../shared/schema/levels';
import type { Payload } from '../../shared/schema/payload';
import { seeded } from './random';

export const DAY = 24 * 3600 * 1000;

export interface SampleFacts {
  instanceId: string | null;
  uptime: number;
  memSys: number;
  hostAvailable: number;
  tracks: number;
  albums: number;
  artists: number;
  playlists: number;
  activeUsers: number;
  /** Which parts the sources could deliver. */
  server: boolean;
  serverConfig: boolean;
  /** Whether the server runs on the agent's machine: its machine facts are sent only then. */
  onThisMachine?: boolean;
}

/** What the agent's reports carry for an id: the sha256 of the secret that lets this machine delete them. */
export function deletionKeyHashOf(instanceId: string): string {
  return sha256Hex(`fake deletion key of ${instanceId}`);
}

/** A realistic payload, keys in schema order (so `JSON.stringify` gives the same bytes `encodePayload` does). */
export function samplePayload(f: SampleFacts): Payload {
  const p: Payload = {};
  if (f.instanceId) p.id = f.instanceId;
  if (f.server) {
    p.version = '0.58.0 (fa2cf362)';
    p.uptime = f.uptime;
  }
  const here = f.onThisMachine !== false;
  if (here) {
    p.os = { type: 'linux', distro: 'debian', version: '12', containerized: true, arch: 'amd64', numCPU: 4 };
    p.mem = { sys: f.memSys };
  }
  if (f.serverConfig && here) {
    p.fs = { music: { type: 'ext2/ext3/ext4' }, data: { type: 'ext2/ext3/ext4' }, cache: { type: 'tmpfs' }, backup: { type: 'nfs' } };
  }
  if (f.server) {
    p.library = {
      tracks: f.tracks,
      albums: f.albums,
      artists: f.artists,
      playlists: f.playlists,
      shares: 3,
      radios: 5,
      libraries: 1,
      activeUsers: f.activeUsers,
      activePlayers: { NavidromeUI: 3, Symfonium: 2, Feishin: 1 },
      fileSuffixes: {
        flac: Math.round(f.tracks * 0.62),
        mp3: Math.round(f.tracks * 0.36),
        m4a: f.tracks - Math.round(f.tracks * 0.62) - Math.round(f.tracks * 0.36),
      },
    };
  }
  if (f.serverConfig) {
    p.config = {
      logLevel: 'info',
      logFileConfigured: false,
      tlsConfigured: false,
      scannerEnabled: true,
      scannerExtractor: 'taglib',
      scanSchedule: '@every 1h',
      scanWatcherWait: 5,
      scanOnStartup: true,
      enableScheduledDBAnalyze: true,
      transcodingCacheSize: '100MB',
      imageCacheSize: '100MB',
      enableArtworkPrecache: true,
      enableDownloads: true,
      enableSharing: true,
      enableStarRating: true,
      enableLastFM: true,
      enableListenBrainz: false,
      enableDeezer: true,
      enableMediaFileCoverArt: true,
      enableJukebox: false,
      enablePrometheus: false,
      enableArtworkUpload: true,
      coverArtQuality: 75,
      enableWebPEncoding: true,
      uiCoverArtSize: 600,
      enableCoverAnimation: true,
      enableNowPlaying: true,
      sessionTimeout: 172800,
      searchFullString: false,
      searchBackend: 'fts',
      recentlyAddedByModTime: false,
      preferSortTags: false,
      backupSchedule: '',
      backupCount: 0,
      devActivityPanel: true,
      defaultBackgroundURL: true,
      hasSmartPlaylists: true,
      reverseProxyConfigured: false,
      hasCustomPID: false,
      hasCustomTags: false,
    };
  }
  p.candor = {
    agentVersion: '0.1.0',
    schemaVersion: 1,
    ...(f.server ? { serverType: 'navidrome' } : {}),
    sources: {
      ...(f.server ? { library: 'native-api' as const } : {}),
      ...(f.serverConfig ? { config: 'config-endpoint' as const } : {}),
      ...(f.server ? { uptime: 'event-stream' as const } : {}),
      ...(here ? { memory: 'server-process' as const } : {}),
    },
    ...(here ? { hostMemory: { total: 8_254_394_368, available: f.hostAvailable } } : {}),
    ...(f.server ? { unlistedSuffixTracks: 0 } : {}),
    ...(f.instanceId ? { deletionKeyHash: deletionKeyHashOf(f.instanceId) } : {}),
  };
  return p;
}

export interface StoredEntry extends HistorySummary {
  /** Lazily made for generated entries. */
  body?: string;
  facts?: SampleFacts;
}

export const SEND_MESSAGES: Record<ErrorClass, { status?: number; message: string }> = {
  timeout: { message: 'The endpoint did not answer in time' },
  unreachable: { message: 'The endpoint could not be reached' },
  dns: { message: "The endpoint's name could not be resolved" },
  'connection-reset': { message: 'The connection was reset' },
  tls: { message: 'The secure connection failed (certificate problem)' },
  'http-4xx': { status: 400, message: 'The endpoint refused the report (HTTP 400)' },
  'http-5xx': { status: 503, message: 'The endpoint had a server error (HTTP 503)' },
  'rate-limited': { status: 429, message: 'The endpoint asked to slow down (HTTP 429)' },
  'refused-by-guard': { message: 'refused by the privacy guard' },
  'invalid-endpoint': { message: 'The endpoint address is not valid' },
  'no-answer': { message: 'no answer: the collector may have received it' },
  'server-not-read': { message: 'the server refused the user name or password: nothing was sent' },
  'receipt-mismatch': { status: 200, message: 'the collector received different bytes (HTTP 200)' },
  unexpected: { message: 'An unexpected error happened' },
};

/** Generates `count` history entries, oldest first, ending shortly before `now`. */
export function generateHistory(
  count: number,
  now: number,
  seed = 7,
  instanceId = '5f0c1b2e-8a7d-4c3b-a1e2-9d8c7b6a5f40',
  endpoint = 'https://insights.navidrome.org/collect',
): StoredEntry[] {
  const rnd = seeded(seed);
  // Daily for small histories; denser for big ones so the chart spans about two years.
  const spacing = count <= 400 ? DAY : Math.max(10 * 60 * 1000, Math.floor((730 * DAY) / count));
  const out: StoredEntry[] = [];
  let tracks = 42_000;
  let albums = 3_400;
  let artists = 1_500;
  for (let i = 0; i < count; i++) {
    const at = now - (count - i) * spacing - Math.floor(rnd() * 3600 * 1000);
    if (rnd() < 0.08) {
      tracks += Math.floor(rnd() * 60);
      albums += rnd() < 0.5 ? 1 : 0;
      artists += rnd() < 0.3 ? 1 : 0;
    }
    const roll = rnd();
    const failed = roll < 0.09;
    const refused = !failed && roll < 0.1;
    const trigger: Trigger = failed && rnd() < 0.5 ? 'retry' : roll > 0.97 ? 'manual' : 'schedule';
    const errorClass: ErrorClass | undefined = failed
      ? ((['timeout', 'http-5xx', 'dns', 'rate-limited'] as const)[Math.floor(rnd() * 4)] ?? 'timeout')
      : refused
        ? 'refused-by-guard'
        : undefined;
    const facts: SampleFacts = {
      instanceId,
      uptime: 3600 + Math.floor(rnd() * 30 * 86400),
      memSys: 90_000_000 + Math.floor(rnd() * 60_000_000),
      hostAvailable: 3_000_000_000 + Math.floor(rnd() * 2_000_000_000),
      tracks,
      albums,
      artists,
      playlists: 27,
      activeUsers: 2 + Math.floor(rnd() * 3),
      server: true,
      serverConfig: true,
    };
    const sendInfo = errorClass ? SEND_MESSAGES[errorClass] : { status: 200, message: 'accepted (HTTP 200)' };
    out.push({
      id: `h${String(i).padStart(6, '0')}`,
      at: new Date(at).toISOString(),
      trigger,
      level: 'full',
      categories: [...POLICY_CATEGORIES],
      endpoint,
      sha256: '',
      size: 0,
      durationMs: refused ? 0 : 80 + Math.floor(rnd() * (failed ? 9000 : 600)),
      outcome: failed ? 'failed' : refused ? 'refused' : 'sent',
      ...(sendInfo.status !== undefined ? { status: sendInfo.status } : {}),
      ...(errorClass ? { errorClass } : {}),
      message: refused ? 'refused by the privacy guard: library.activePlayers looks like a host name' : sendInfo.message,
      counts: { tracks, albums, artists },
      facts,
    });
  }
  return out;
}

export function countsOf(body: string): HistorySummary['counts'] {
  const library = (JSON.parse(body) as { library?: Record<string, unknown> }).library ?? {};
  const out: NonNullable<HistorySummary['counts']> = {};
  for (const key of ['tracks', 'albums', 'artists'] as const) if (typeof library[key] === 'number') out[key] = library[key];
  return out;
}
