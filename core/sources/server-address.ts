import type { SensitiveValue } from './sensitive-value';
import { SourceProblem } from './problems';
import type { ServerConnection } from './server-facts';

/**
 * The server's base address without query, fragment or trailing slash. Anything but an http(s) URL
 * with a host ("navidrome.local:4533" parses as the scheme `navidrome.local:`) is refused with the
 * value attached for the user's own screen (see `problemMessage`).
 */
export function normalizeBaseUrl(url: string): string {
  let parsed: URL | null = null;
  try {
    parsed = new URL(url.trim());
  } catch {
    parsed = null;
  }
  if (!parsed || (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') || !parsed.hostname) throw new SourceProblem('bad-url', url);
  // Never quoted back: the value holds a password.
  if (parsed.username || parsed.password) throw new SourceProblem('credentials-in-url');
  parsed.hash = '';
  parsed.search = '';
  return parsed.toString().replace(/\/+$/, '');
}

/** Strings from the connection itself that must never appear in a payload. */
export function connectionSensitives(conn: Pick<ServerConnection, 'url' | 'username'>): SensitiveValue[] {
  const out: SensitiveValue[] = [
    { kind: 'server address', value: conn.url },
    { kind: 'user name', value: conn.username },
  ];
  try {
    out.push({ kind: 'host name', value: new URL(conn.url).hostname });
  } catch {
    // An unparsable URL fails elsewhere; the raw string is already listed.
  }
  return out;
}
