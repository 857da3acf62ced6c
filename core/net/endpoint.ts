import { isLoopbackHost } from './loopback';

/** HTTPS everywhere, plain HTTP only to this machine (a local collector, tests). */
export function checkEndpoint(endpoint: string): { ok: true; url: URL } | { ok: false; reason: string } {
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return { ok: false, reason: 'The endpoint is not a valid address.' };
  }
  if (url.username || url.password) return { ok: false, reason: 'The endpoint must not contain a user name or password.' };
  if (url.protocol === 'https:') return { ok: true, url };
  if (url.protocol === 'http:' && isLoopbackHost(url.hostname)) return { ok: true, url };
  return { ok: false, reason: 'The endpoint must use https:// (plain http:// is allowed only to this machine).' };
}
