import type { SourceSet } from '../../core/sources/source-set';
import type { ServerFacts } from '../../core/sources/music-server';
import { health } from '../../core/sources/problems';
import { placeOfAddress } from '../../core/sources/server-location';

/** Fixed, fast sources for tests about scheduling and consent rather than collection. */
export function fakeSources(overrides: Partial<SourceSet> = {}): SourceSet {
  const server: ServerFacts = {
    api: 'native-api',
    serverType: 'navidrome',
    version: '0.58.0 (abcdef12)',
    startedAt: Date.UTC(2025, 11, 31),
    library: { tracks: 1200, albums: 100, artists: 40, playlists: 3, shares: 0, radios: 1, libraries: 1, activeUsers: 2 },
    health: health('server', 'ok'),
    sensitive: [],
  };
  return {
    hostFacts: () =>
      Promise.resolve({ os: { type: 'linux', arch: 'amd64', numCPU: 4, distro: 'debian', version: '12', containerized: false, containerSignals: [] } }),
    memory: () => Promise.resolve({ hostTotal: 8e9, hostAvailable: 4e9 }),
    serverProcess: () => Promise.resolve(null),
    filesystemType: () => Promise.resolve({ ok: true, type: 'ext2/ext3/ext4' }),
    server: () => Promise.resolve(structuredClone(server)),
    serverConfigFile: () => Promise.reject(new Error('no config file in this test')),
    // Where the server runs, decided for real: a loopback address is this machine.
    serverAddress: (url) => placeOfAddress(url),
    ...overrides,
  };
}
