/**
 * The corpus: one report per Navidrome release that changed the insights payload, as that release
 * marshals it (test/collector/fixtures/navidrome/*.json: Go's field order, `omitempty` fields left
 * out, map keys sorted), each from a different kind of install and carrying the odd values real
 * installs send. Facts from navidrome/navidrome `core/metrics/insights/data.go` and
 * `core/metrics/insights*.go` at each tag; the odd values from the code that makes them.
 *
 * Navidrome 0.53 and earlier send no insights at all (the collector arrived in 0.54), so the
 * corpus starts at 0.54. 0.56 sends what 0.55 does, 0.59 what 0.58.5 does, 0.62 what 0.63 does.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';

export interface ReleaseShape {
  file: string;
  release: string;
  /** What this release added or changed in the payload. */
  changed: string;
  /** The field paths the collector's answer lists as dropped. */
  dropped: string[];
  /** Values as stored, by dotted path, where normalization changed what was sent. */
  normalized: Record<string, unknown>;
  /** Text that was sent and must never be stored or echoed. */
  neverStored: string[];
}

export const NAVIDROME_RELEASES: readonly ReleaseShape[] = [
  {
    file: '0.54.1-windows-spanish.json',
    release: '0.54',
    changed: 'first release with insights',
    // 0.54 parses `ver` only in English; otherwise the raw output goes out, CRLF and all.
    dropped: ['os.version'],
    normalized: { 'fs.music.type': 'ntfs', 'fs.data.type': 'ntfs' },
    neverStored: ['Microsoft Windows'],
  },
  {
    file: '0.55.2-docker.json',
    release: '0.55',
    changed: 'scannerEnabled, scanWatcherWait, scanOnStartup',
    dropped: [],
    normalized: {
      'config.scanSchedule': '0 3 * * *',
      'library.activePlayers': { 'Airsonic Refix': 1, HiBy: 1, 'NavidromeUI [Firefox/Linux]': 2, Symfonium: 3 },
    },
    neverStored: ['America/New_York', 'CRON_TZ', 'https://airsonic.github.io/', '_hiby_'],
  },
  {
    file: '0.57.0-debian-arm64.json',
    release: '0.57',
    changed: 'enableNowPlaying',
    dropped: [],
    normalized: { 'config.logLevel': 'debug' },
    neverStored: ['DEBUG'],
  },
  {
    file: '0.58.0-macos.json',
    release: '0.58.0',
    changed: 'libraries, enableDeezer, hasSmartPlaylists, reverseProxyConfigured, hasCustomPID, hasCustomTags, plugins',
    // A plugin entry without its name is no entry: the odd name takes its plugin with it.
    dropped: ['plugins.*.name'],
    normalized: { plugins: { 'discord-rich-presence': { name: 'Discord Rich Presence', version: '1.0.0+build.5' } } },
    neverStored: ['Crypto Ticker', 'crypto-ticker'],
  },
  {
    file: '0.58.5-windows-msi.json',
    release: '0.58.5',
    changed: 'os.package',
    dropped: [],
    normalized: { 'os.package': 'msi', 'fs.music.type': 'ntfs', 'fs.data.type': 'ntfs' },
    neverStored: ['msi\\n'],
  },
  {
    file: '0.60.3-freebsd.json',
    release: '0.60',
    changed: 'library.fileSuffixes, scannerExtractor',
    dropped: [],
    normalized: {},
    neverStored: [],
  },
  {
    file: '0.61.2-windows-msi.json',
    release: '0.61',
    changed: 'enableArtworkUpload, coverArtQuality, searchBackend; enableSpotify removed',
    dropped: [],
    normalized: { 'os.package': 'msi', 'fs.music.type': 'ntfs', 'fs.data.type': 'refs' },
    neverStored: ['msi\\n'],
  },
  {
    file: '0.63.2-docker-arm.json',
    release: '0.63 (and 0.62)',
    changed: 'enableWebPEncoding, uiCoverArtSize',
    dropped: [],
    normalized: {},
    neverStored: [],
  },
  {
    file: 'main-truenas.json',
    release: 'main after 0.63.2 (unreleased)',
    changed: 'platform (ND_PLATFORM, as typed), enableScheduledDBAnalyze; os.package trimmed',
    dropped: [],
    normalized: { platform: 'truenas' },
    neverStored: ['TrueNAS'],
  },
];

const dir = path.resolve(import.meta.dirname, '../fixtures/navidrome');

/** The fixture's exact bytes, as Navidrome would post them. */
export function releaseBytes(shape: ReleaseShape): Buffer {
  return readFileSync(path.join(dir, shape.file));
}

/** The fixture parsed, with a fresh id when one is given (to post it more than once). */
export function releaseReport(shape: ReleaseShape, id?: string): Record<string, unknown> {
  const report = JSON.parse(releaseBytes(shape).toString('utf8')) as Record<string, unknown>;
  return id === undefined ? report : { ...report, id };
}

/** The value at a dotted path (`os.package`). */
export function at(value: unknown, dotted: string): unknown {
  let node = value;
  for (const key of dotted.split('.')) node = typeof node === 'object' && node !== null ? (node as Record<string, unknown>)[key] : undefined;
  return node;
}
