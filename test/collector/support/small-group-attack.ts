/**
 * The attack the 5-networks rule stops: one real report with rare values, and fakes beside it that
 * copy its rare architecture so that its cell would reach the threshold if the fakes' networks
 * counted more than once.
 */
import { candorReport } from './harness';

/** A lone server with values nobody else has. */
export const victimReport = (): Record<string, unknown> =>
  candorReport({
    uptime: 1_234_567,
    os: { type: 'linux', distro: 'debian', version: '12', containerized: false, arch: 'riscv64', numCPU: 48 },
    mem: { sys: 987_654_321 },
    library: {
      tracks: 123_457,
      albums: 4_321,
      artists: 2_345,
      playlists: 77,
      shares: 3,
      radios: 9,
      libraries: 2,
      activeUsers: 13,
      activePlayers: { Symfonium: 3 },
      fileSuffixes: { flac: 123_457 },
    },
    config: { logLevel: 'info', enableJukebox: true, enableDownloads: true },
  });

/** A fake on the victim's rare architecture, under a new instance id each time. */
export const attackerFake = (): Record<string, unknown> =>
  candorReport({ os: { type: 'linux', distro: 'debian', version: '12', containerized: false, arch: 'riscv64', numCPU: 1 } });
