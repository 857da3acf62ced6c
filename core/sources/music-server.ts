import type { HttpClient } from '../net/http-client';
import { NativeApi } from './native-api';
import { collectViaNative } from './native-facts';
import { connectionSensitives, normalizeBaseUrl } from './server-address';
import type { ProblemCode } from './problems';
import { DEFAULT_LIMITS, failedFacts, type CollectLimits, type ServerConnection, type ServerFacts } from './server-facts';
import { SubsonicClient } from './subsonic-api';
import { collectViaSubsonic } from './subsonic-facts';

export { ACTIVE_WINDOW_MS } from './native-facts';
export { connectionSensitives, normalizeBaseUrl } from './server-address';
export { DEFAULT_LIMITS, PROBED_SUFFIXES } from './server-facts';
export type { CollectLimits, LeftOutField, LibraryCounts, ServerConnection, ServerFacts } from './server-facts';

/**
 * Reads everything the policy asks of the server through the best interface it offers: Navidrome's
 * own API when its sign-in answers, the Subsonic API otherwise. Never throws: a server that cannot
 * be read at all comes back `failed` with the true cause (address, reach, sign-in, kind of server).
 */
export async function collectServerFacts(http: HttpClient, conn: ServerConnection, now: number, limits: Partial<CollectLimits> = {}): Promise<ServerFacts> {
  const sensitive = connectionSensitives(conn);
  let base: string;
  try {
    base = normalizeBaseUrl(conn.url);
  } catch (error) {
    return failedFacts('native-api', error, sensitive);
  }
  const native = new NativeApi(http, base, conn);
  try {
    if ((await native.login()) === 'not-native') {
      return await collectViaSubsonic(new SubsonicClient(http, base, conn), sensitive, { ...DEFAULT_LIMITS, ...limits });
    }
  } catch (error) {
    return failedFacts('native-api', error, sensitive);
  }
  return collectViaNative(native, now, sensitive);
}

/** The server a report is about: how to reach it, or why it cannot be, and its config file. */
export interface ServerTarget {
  connection: ServerConnection | null;
  /** Why there is no connection, when it is not simply that none was set. */
  noConnectionBecause?: ProblemCode;
  /** The server's address when one is set but cannot be read with (no password): where it runs is still known. */
  url?: string | null;
  /** Navidrome's config file, when the server runs on this machine. */
  configFile: string | null;
}
