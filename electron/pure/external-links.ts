/**
 * The only web pages Candor opens in the user's browser: the policy it implements and its own
 * project pages. Links anywhere else are dropped, so a compromised or buggy page can never turn
 * `shell.openExternal` into a launcher for arbitrary URLs or local programs.
 */
export const EXTERNAL_LINK_HOSTS: readonly string[] = ['navidrome.org', 'www.navidrome.org', 'github.com'];

/** The normalized URL when `input` is an http(s) link to an allowlisted host, otherwise null. */
export function allowedExternalUrl(input: unknown): string | null {
  if (typeof input !== 'string' || input.length > 2048) return null;
  let url: URL;
  try {
    url = new URL(input);
  } catch {
    return null;
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return null;
  // Credentials in a link are a classic disguise (https://github.com@evil.example/).
  if (url.username || url.password) return null;
  if (url.port !== '') return null;
  return EXTERNAL_LINK_HOSTS.includes(url.hostname) ? url.href : null;
}
