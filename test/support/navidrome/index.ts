/**
 * A Navidrome-compatible HTTP server for tests (plain node:http on 127.0.0.1, or a given address, port 0).
 * Behaviour, with source references, is written up in docs/navidrome-api.md.
 *
 * The seed is the server's live "database": logins update users' lastLoginAt, authenticated API
 * calls update lastAccessAt (at most once a minute per user) and Subsonic calls register players,
 * exactly as Navidrome does. Tests compute expectations from `server.seed`.
 */
import { defaultSeed, type NavidromeSeed } from './seed';
import { startServer, type Fault, type ListenOptions, type RecordedRequest } from './server';

export type { NavidromeSeed, SeedAlbum, SeedArtist, SeedLibrary, SeedPlayer, SeedPlaylist, SeedRadio, SeedShare, SeedSong, SeedUser, Role } from './seed';
export type { Fault, ListenOptions, RecordedRequest } from './server';
export type { GoServerConfig } from './config';
export { defaultSeed } from './seed';
export { defaultServerConfig, redactValue } from './config';
export { libraryTotals } from './entities';
export { subsonicBody, type SubsonicResponse } from './subsonic-response';

export interface NavidromeTestServer {
  /** e.g. http://127.0.0.1:PORT (no trailing slash) */
  url: string;
  /** The data it serves (mutated by the side effects real Navidrome has, see above). */
  seed: NavidromeSeed;
  requests: RecordedRequest[];
  setFault(fault: Fault | null): void;
  close(): Promise<void>;
}

export async function startNavidromeTestServer(seed?: Partial<NavidromeSeed>, listen?: ListenOptions): Promise<NavidromeTestServer> {
  const full = defaultSeed(seed);
  const running = await startServer(full, listen);
  return { url: running.url, seed: full, requests: running.requests, setFault: (fault) => running.setFault(fault), close: () => running.close() };
}

/** A Subsonic-only server modelled on gonic (gonic.ts), serving the same seed. */
export function startGonicTestServer(seed: Partial<NavidromeSeed> = {}): Promise<NavidromeTestServer> {
  return startNavidromeTestServer({ version: '0.22.0', ...seed, serverKind: 'gonic' });
}
