/**
 * A fleet of servers as the collector sees them: reports that differ the way real ones do (versions,
 * OS and architecture, containers, filesystems, library sizes, players, formats, flags; Candor's
 * and Navidrome's shapes; some categories left out), drawn from a seeded generator so a test or a
 * benchmark can make the same fleet again. Every report passes the payload schema.
 */
import type { Payload } from '../../../shared/schema/payload';

/** A small, fast, seeded generator (mulberry32): the same seed gives the same fleet. */
export { seeded as seededRandom } from '../../support/random';

/** A random v4 UUID from `random` (the schema's id pattern). */
export function seededId(random: () => number): string {
  const hex = (n: number) => Array.from({ length: n }, () => Math.floor(random() * 16).toString(16)).join('');
  return `${hex(8)}-${hex(4)}-4${hex(3)}-${'89ab'[Math.floor(random() * 4)]}${hex(3)}-${hex(12)}`;
}

const pick = <T>(random: () => number, values: readonly T[]): T => values[Math.floor(random() * values.length)]!;
/** Skewed toward the first values, as real distributions are (most servers run a few versions). */
const skewed = <T>(random: () => number, values: readonly T[]): T => values[Math.floor(random() * random() * values.length)]!;

const VERSIONS = ['0.58.0 (734eb30a)', '0.57.0 (fd0e1b2c)', '0.58.0', '0.56.1 (5a6b7c8d)', '0.55.2', '0.59.0-SNAPSHOT (abcdef12)', '0.54.5'];
const SYSTEMS: readonly [string, string][] = [
  ['linux', 'amd64'],
  ['linux', 'arm64'],
  ['linux', 'arm'],
  ['darwin', 'arm64'],
  ['windows', 'amd64'],
  ['freebsd', 'amd64'],
  ['linux', 'riscv64'],
];
const DISTROS = ['debian', 'ubuntu', 'alpine', 'fedora', 'arch', 'raspbian', 'nixos', 'opensuse'];
const FILESYSTEMS = ['ext4', 'zfs', 'btrfs', 'xfs', 'nfs', 'overlayfs', 'cifs', 'NTFS', 'apfs'];
const PLAYERS = ['Symfonium', 'DSub', 'NavidromeUI', 'Feishin', 'substreamer', 'Ultrasonic', 'Tempo', 'Supersonic', 'Sonixd', 'Submariner'];
const SUFFIXES = ['flac', 'mp3', 'm4a', 'opus', 'ogg', 'wav', 'aac', 'wma', 'dsf', 'ape'];
const FLAGS = ['enableDownloads', 'enableSharing', 'enableStarRating', 'enableLastFM', 'enableListenBrainz', 'enableJukebox', 'enablePrometheus'];
const GiB = 2 ** 30;

function subset(random: () => number, values: readonly string[], most: number, count: () => number): Record<string, number> {
  const out: Record<string, number> = {};
  const n = 1 + Math.floor(random() * most);
  for (let i = 0; i < n; i++) out[skewed(random, values)] = count();
  return out;
}

/** One server's report of the day. */
export function fleetReport(random: () => number, id = seededId(random)): Payload & { id: string } {
  const candor = random() < 0.4;
  const [type, arch] = skewed(random, SYSTEMS);
  const containerized = type === 'linux' && random() < 0.5;
  const tracks = Math.floor(10 ** (random() * 6.2));
  const report: Payload & { id: string } = {
    id,
    version: skewed(random, VERSIONS),
    uptime: Math.floor(random() * 90 * 86_400),
    os: {
      type: type as 'linux',
      arch: arch as 'amd64',
      containerized,
      numCPU: pick(random, [1, 2, 4, 4, 8, 12, 16, 32]),
      ...(type === 'linux' ? { distro: containerized ? 'alpine' : skewed(random, DISTROS) } : {}),
    },
    mem: { sys: Math.floor(random() * 2 * GiB) },
    library: {
      tracks,
      albums: Math.floor(tracks / 12),
      artists: Math.floor(tracks / 30),
      playlists: Math.floor(random() * 40),
      shares: Math.floor(random() * 3),
      radios: Math.floor(random() * 5),
      libraries: 1 + Math.floor(random() * random() * 4),
      activeUsers: 1 + Math.floor(random() * 6),
      activePlayers: subset(random, PLAYERS, 3, () => 1 + Math.floor(random() * 3)),
      fileSuffixes: subset(random, SUFFIXES, 4, () => Math.floor(random() * tracks)),
    },
    fs: { music: { type: skewed(random, FILESYSTEMS) }, data: { type: skewed(random, FILESYSTEMS) } },
    config: Object.fromEntries(FLAGS.filter(() => random() < 0.8).map((flag) => [flag, random() < 0.5])),
  };
  if (candor) {
    report.candor = {
      agentVersion: '0.1.0',
      schemaVersion: 2,
      serverType: random() < 0.9 ? 'navidrome' : 'gonic',
      hostMemory: { total: pick(random, [1, 2, 4, 8, 16, 32]) * GiB },
    };
    // Candor's "basic" level: no library, configuration or filesystem types.
    if (random() < 0.2) {
      delete report.library;
      delete report.config;
      delete report.fs;
    }
  }
  return report;
}
