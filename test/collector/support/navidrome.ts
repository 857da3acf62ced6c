/**
 * Reports shaped exactly as Navidrome's own collector marshals them (core/metrics/insights/data.go
 * and insights.go at navidrome/navidrome): Go field order, `omitempty` fields left out when zero,
 * `fs` entries possibly `{}` or missing, non-omitempty zeros present, build settings from a release.
 * The one sample of each install: the collector's tests, the agent-to-collector test and the ingest
 * benches (bench/ingest/report.ts: the Docker one) all send these.
 */
import { randomUUID } from 'node:crypto';

const releaseBuild = { '-buildmode': 'exe', '-compiler': 'gc', '-tags': 'netgo,sqlite_fts5', CGO_ENABLED: '1', GOARCH: 'amd64', GOOS: 'linux', GOAMD64: 'v1' };
/** A Docker install on Linux: containerized, Alpine, music on ext4 through the container layer. */
export function navidromeDocker(id: string = randomUUID()): Record<string, unknown> {
  return {
    id,
    version: '0.58.0 (734eb30a)',
    uptime: 86_412,
    build: { settings: releaseBuild, goVersion: 'go1.24.4' },
    os: { type: 'linux', distro: 'alpine', version: '3.21.3', containerized: true, arch: 'amd64', numCPU: 4 },
    mem: { alloc: 48_113_232, totalAlloc: 9_811_223_408, sys: 112_452_872, numGC: 1893 },
    fs: { music: { type: 'ext2/ext3/ext4' }, data: { type: 'overlayfs' }, cache: { type: 'overlayfs' } },
    library: {
      tracks: 45_210,
      albums: 3_402,
      artists: 1_877,
      playlists: 12,
      shares: 0,
      radios: 3,
      libraries: 1,
      activeUsers: 2,
      activePlayers: { Symfonium: 2, DSub: 1 },
      fileSuffixes: { flac: 30_110, mp3: 14_900, m4a: 200 },
    },
    config: {
      logLevel: 'info',
      scannerEnabled: true,
      scannerExtractor: 'taglib',
      scanSchedule: '@every 1h',
      scanWatcherWait: 5,
      scanOnStartup: true,
      transcodingCacheSize: '100MB',
      imageCacheSize: '100MB',
      enableArtworkPrecache: true,
      enableDownloads: true,
      enableSharing: true,
      enableStarRating: true,
      enableLastFM: true,
      enableListenBrainz: true,
      enableDeezer: true,
      enableMediaFileCoverArt: true,
      coverArtQuality: 75,
      uiCoverArtSize: 300,
      enableCoverAnimation: true,
      enableNowPlaying: true,
      sessionTimeout: 172_800,
      searchBackend: 'fts',
      defaultBackgroundURL: true,
      hasSmartPlaylists: true,
    },
  };
}

/** A bare-metal Debian package install with most features off: Go leaves every false flag out. */
export function navidromeDebianMinimal(id: string = randomUUID()): Record<string, unknown> {
  return {
    id,
    version: '0.57.0 (2bd2a3a1)',
    uptime: 120,
    build: { settings: { '-buildmode': 'exe', '-compiler': 'gc', GOARCH: 'arm64', GOOS: 'linux' }, goVersion: 'go1.24.2' },
    os: { type: 'linux', distro: 'debian', version: '12', containerized: false, arch: 'arm64', numCPU: 4, package: 'deb' },
    mem: { alloc: 20_000_000, totalAlloc: 80_000_000, sys: 60_000_000, numGC: 12 },
    // Statfs failed for every folder: Go writes the struct with nothing in it.
    fs: {},
    library: { tracks: 0, albums: 0, artists: 0, playlists: 0, shares: 0, radios: 0, libraries: 1, activeUsers: 1 },
    config: {
      logLevel: 'info',
      scanSchedule: '0 */6 * * *',
      transcodingCacheSize: '1 GB',
      imageCacheSize: '500MiB',
      sessionTimeout: 86_400,
      scannerExtractor: 'taglib',
    },
  };
}

/** Windows: filesystem names in capitals, version from `ver`, no distro. */
export function navidromeWindows(id: string = randomUUID()): Record<string, unknown> {
  return {
    id,
    version: '0.58.0 (734eb30a)',
    uptime: 5_000,
    build: { settings: { '-compiler': 'gc', GOARCH: 'amd64', GOOS: 'windows' }, goVersion: 'go1.24.4' },
    os: { type: 'windows', version: '10.0.26100.1742', containerized: false, arch: 'amd64', numCPU: 8, package: 'msi' },
    mem: { alloc: 1, totalAlloc: 2, sys: 3, numGC: 0 },
    fs: { music: { type: 'NTFS' }, data: { type: 'NTFS' } },
    library: { tracks: 800, albums: 60, artists: 40, playlists: 0, shares: 0, radios: 0, libraries: 1, activeUsers: 1 },
    config: { logLevel: 'info', enableDownloads: true, scannerExtractor: 'taglib' },
  };
}

/** macOS: a music folder whose type could not be read ({} inside fs), a network data folder. */
export function navidromeMac(id: string = randomUUID()): Record<string, unknown> {
  return {
    id,
    version: '0.58.0 (734eb30a)',
    uptime: 42,
    build: { settings: {}, goVersion: 'go1.24.4' },
    os: { type: 'darwin', version: '14.5', containerized: false, arch: 'arm64', numCPU: 10 },
    mem: { alloc: 1, totalAlloc: 2, sys: 3, numGC: 1 },
    fs: { music: {}, data: { type: 'apfs' }, backup: { type: 'smbfs' } },
    library: {
      tracks: 120_000,
      albums: 9_000,
      artists: 5_000,
      playlists: 40,
      shares: 2,
      radios: 0,
      libraries: 2,
      activeUsers: 4,
      fileSuffixes: { flac: 120_000 },
    },
    config: { logLevel: 'warn', enablePrometheus: true, backupSchedule: '@daily', backupCount: 7 },
    plugins: { 'webhook-rs': { name: 'webhook-rs', version: '1.0.0' } },
    platform: 'pikapods',
  };
}

export const NAVIDROME_SAMPLES = { docker: navidromeDocker, debianMinimal: navidromeDebianMinimal, windows: navidromeWindows, mac: navidromeMac };
