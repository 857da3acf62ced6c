/**
 * Who may talk to `candor serve`: the Host must name this server (against DNS rebinding), and a
 * request must not come from another site's page (against CSRF). Names and ports are compared in
 * their canonical spelling only (lib/http/host).
 */
import type http from 'node:http';
import { isIP } from 'node:net';
import { effectivePort, parseAuthority, parseOrigin } from '../../lib/http/host';

export interface SourceRules {
  /** The port actually bound (known once listening). */
  port(): number;
  /** The bound address as it appears in a Host header (e.g. 127.0.0.2 or [::1]). */
  boundName: string;
  allowRemote: boolean;
  allowedHostNames: readonly string[];
}

export type SourceVerdict = { ok: true } | { ok: false; status: 421 | 403; reason: 'host' | 'cross-site' | 'origin'; site?: string };

export function createSourceCheck(rules: SourceRules) {
  const allowedNames = new Set(rules.allowedHostNames.map((h) => h.toLowerCase()));

  /** Host header values that name this server. */
  const namesThisServer = (value: string | undefined): boolean => {
    const authority = parseAuthority(value);
    if (!authority || effectivePort(authority) !== rules.port()) return false;
    const { name } = authority;
    if (name === 'localhost' || name === '127.0.0.1' || name === '[::1]' || name === rules.boundName) return true;
    if (!rules.allowRemote) return false;
    // An IP literal cannot be a rebinding attack (that needs a DNS name); named hosts must be listed.
    return isIP(name.replace(/^\[|\]$/g, '')) !== 0 || allowedNames.has(name);
  };

  const sameOrigin = (value: string): boolean => {
    const origin = parseOrigin(value);
    return origin !== null && origin.scheme === 'http' && namesThisServer(origin.port === null ? origin.name : `${origin.name}:${origin.port}`);
  };

  return (req: http.IncomingMessage, isApi: boolean): SourceVerdict => {
    if (!namesThisServer(req.headers.host)) return { ok: false, status: 421, reason: 'host' };
    const fetchSite = req.headers['sec-fetch-site'];
    // A top-level navigation to the page itself (a link clicked elsewhere) is harmless: the page
    // holds no data until it has the secret. Nothing else may come cross-site.
    const topLevelNavigation =
      !isApi && (req.method === 'GET' || req.method === 'HEAD') && req.headers['sec-fetch-mode'] === 'navigate' && req.headers['sec-fetch-dest'] === 'document';
    if (typeof fetchSite === 'string' && fetchSite !== 'same-origin' && fetchSite !== 'none' && !topLevelNavigation) {
      return { ok: false, status: 403, reason: 'cross-site', site: fetchSite.slice(0, 16) };
    }
    const origin = req.headers.origin;
    if (typeof origin === 'string' && !sameOrigin(origin)) return { ok: false, status: 403, reason: 'origin' };
    return { ok: true };
  };
}
