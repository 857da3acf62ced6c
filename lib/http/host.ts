/**
 * Host and Origin headers, read strictly: only the canonical spelling of a name and port is
 * understood. `127.0.0.1:080` or `127.0.0.1:+80` may reach the same socket, but a server that
 * accepts them also accepts whatever a confused proxy or cache keyed differently; refusing them
 * keeps "which server is this request for" a plain string comparison.
 */

export interface Authority {
  /** Lower-cased host name, IPv4 literal, or bracketed IPv6 literal (`[::1]`). */
  name: string;
  /** The port as written, or null when none was written (the scheme's default). */
  port: number | null;
}

const AUTHORITY = /^(\[[0-9a-f:.]+\]|[a-z0-9](?:[a-z0-9.-]{0,251}[a-z0-9])?)(?::([1-9][0-9]{0,4}))?$/;

/** `name[:port]` as a Host header carries it, or null when it is not spelled canonically. */
export function parseAuthority(value: string | undefined): Authority | null {
  if (value === undefined) return null;
  const match = AUTHORITY.exec(value.toLowerCase());
  if (!match) return null;
  const port = match[2] === undefined ? null : Number(match[2]);
  if (port !== null && port > 65_535) return null;
  return { name: match[1]!, port };
}

export interface Origin extends Authority {
  scheme: 'http' | 'https';
}

/**
 * An Origin header as browsers serialize it (`http://127.0.0.1:8080`: no path, no user, no
 * trailing slash, the default port left out), or null for anything else, `null` included.
 */
export function parseOrigin(value: string | undefined): Origin | null {
  const match = value === undefined ? null : /^(https?):\/\/([^/?#@]+)$/.exec(value);
  if (!match) return null;
  const authority = parseAuthority(match[2]);
  if (!authority) return null;
  let serialized: string;
  try {
    serialized = new URL(value!).origin;
  } catch {
    return null;
  }
  // The URL parser drops a default port and normalizes numbers; a canonical origin survives it unchanged.
  if (serialized !== value!.toLowerCase()) return null;
  return { scheme: match[1] as 'http' | 'https', ...authority };
}

/** The port a request to this authority reaches, filling in the scheme's default. */
export function effectivePort(authority: Authority, scheme: 'http' | 'https' = 'http'): number {
  return authority.port ?? (scheme === 'https' ? 443 : 80);
}
