/**
 * /auth/login and the native API under /api (server/auth.go, server/nativeapi/native_api.go).
 * Order of checks, as chi runs them: route exists (else 404 text) -> method (else 405) ->
 * Authenticator (401 JSON) -> JWTRefresher (X-ND-Authorization response header) ->
 * UpdateLastAccess -> adminOnly (403 text) -> handler.
 */
import crypto from 'node:crypto';
import type { NavidromeSeed, SeedUser } from './seed';
import { findUserByName } from './entities';
import { configResponseBody, type GoServerConfig } from './config';
import { RESOURCES, getAll, getOne, jsonReply, notFound, restError, textError, type Reply } from './rest';
import { goDateTimeLayout, md5hex, signJwt, verifyJwt } from './util';

export interface NativeDeps {
  seed: NavidromeSeed;
  secret: string;
  config(): GoServerConfig;
  touchUser(u: SeedUser): void;
}

export interface HttpIn {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: Record<string, string | undefined>;
  cookies: Record<string, string>;
}

function sessionTimeoutSeconds(deps: NativeDeps): number {
  const ns = Number(deps.config().SessionTimeout ?? 48 * 3600e9);
  return Math.trunc(ns / 1e9);
}

/** auth.CreateToken / TouchToken: iss "ND", sub = username, uid, adm (only when true), iat, exp. */
export function createToken(deps: NativeDeps, u: SeedUser, iat = Math.floor(Date.now() / 1000)): string {
  const claims: Record<string, unknown> = {};
  if (u.isAdmin) claims.adm = true;
  claims.exp = Math.floor(Date.now() / 1000) + sessionTimeoutSeconds(deps);
  claims.iat = iat;
  claims.iss = 'ND';
  claims.sub = u.userName;
  claims.uid = u.id;
  return signJwt(claims, deps.secret);
}

/** jwtauth.Verify(tokenFromHeader, TokenFromCookie("jwt"), TokenFromQuery("jwt")): first non-empty wins. */
export function authenticate(deps: NativeDeps, req: HttpIn): { user: SeedUser; claims: Record<string, unknown> } | null {
  const bearer = req.headers['x-nd-authorization'] ?? '';
  let token = bearer.length > 7 && bearer.slice(0, 6).toUpperCase() === 'BEARER' ? bearer.slice(7) : '';
  if (!token) token = req.cookies.jwt ?? '';
  if (!token) token = req.query.get('jwt') ?? '';
  if (!token) return null;
  const claims = verifyJwt(token, deps.secret);
  if (!claims || typeof claims.sub !== 'string') return null;
  const user = findUserByName(deps.seed, claims.sub);
  return user ? { user, claims } : null;
}

export function refreshToken(deps: NativeDeps, user: SeedUser, claims: Record<string, unknown>): string {
  return createToken(deps, user, typeof claims.iat === 'number' ? claims.iat : undefined);
}

// ---- /auth/login ------------------------------------------------------------------------------

/** map[string]string decoding: an object whose values are strings (or null). */
function credentials(body: string): { username: string; password: string } | null {
  try {
    const v = JSON.parse(body) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) return null;
    const m = v as Record<string, unknown>;
    if (Object.values(m).some((x) => x !== null && typeof x !== 'string')) return null;
    return { username: (m.username as string | null) ?? '', password: (m.password as string | null) ?? '' };
  } catch {
    return null;
  }
}

export function login(deps: NativeDeps, body: string): Reply {
  const creds = credentials(body);
  if (!creds) return restError(422, 'invalid request payload');
  const user = findUserByName(deps.seed, creds.username);
  if (!user || user.password !== creds.password) return restError(401, 'Invalid username or password');
  user.lastLoginAt = new Date().toISOString(); // UpdateLastLoginAt
  const salt = crypto.randomBytes(3).toString('hex');
  // A Go map[string]any marshals with sorted keys.
  const payload: Record<string, unknown> = {};
  const conf = deps.config();
  if (conf.EnableGravatar === true && user.email) {
    const hash = crypto.createHash('sha256').update(user.email.trim().toLowerCase()).digest('hex');
    payload.avatar = `https://www.gravatar.com/avatar/${hash}?s=50`;
  }
  Object.assign(payload, {
    id: user.id,
    isAdmin: user.isAdmin,
    name: user.name,
    subsonicSalt: salt,
    subsonicToken: md5hex(user.password + salt),
    token: createToken(deps, user),
    username: user.userName,
  });
  return jsonReply(200, payload);
}

/** httprate.LimitByIP(AuthRequestLimit, AuthWindowLength): sliding window over two fixed windows. */
export class LoginRateLimiter {
  private counts = new Map<string, Map<number, number>>();
  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
  ) {}

  check(ip: string, now = Date.now()): { limited: boolean; headers: Record<string, string> } {
    if (this.limit <= 0) return { limited: false, headers: {} };
    const current = Math.floor(now / this.windowMs) * this.windowMs;
    const byWindow = this.counts.get(ip) ?? new Map<number, number>();
    this.counts.set(ip, byWindow);
    const curr = byWindow.get(current) ?? 0;
    const prev = byWindow.get(current - this.windowMs) ?? 0;
    const rate = Math.round((prev * (this.windowMs - (now - current))) / this.windowMs + curr);
    const headers: Record<string, string> = {
      'x-ratelimit-limit': String(this.limit),
      'x-ratelimit-reset': String(Math.floor((current + this.windowMs) / 1000)),
    };
    if (rate + 1 > this.limit) {
      headers['x-ratelimit-remaining'] = String(this.limit - rate);
      headers['retry-after'] = String(Math.floor(this.windowMs / 1000));
      return { limited: true, headers };
    }
    byWindow.set(current, curr + 1);
    headers['x-ratelimit-remaining'] = String(this.limit - rate - 1);
    return { limited: false, headers };
  }
}

// ---- /api -------------------------------------------------------------------------------------

type Route = { admin: boolean; run: (user: SeedUser) => Reply };

function route(deps: NativeDeps, path: string, query: URLSearchParams): Route | null {
  const seed = deps.seed;
  const parts = path.slice('/api/'.length).split('/');
  const [head = '', second, third] = parts;
  const wildcard = parts.length >= 2; // chi "/name/*" needs the slash after the name
  if (head === 'keepalive' && wildcard) {
    return {
      admin: false,
      run: () => ({ status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: '{"response":"ok", "id":"keepalive"}' }),
    };
  }
  if (head === 'insights' && wildcard) {
    return {
      admin: false,
      run: () => {
        const enabled = deps.config().EnableInsightsCollector !== false;
        const last = seed.insights.lastRun ? new Date(seed.insights.lastRun) : new Date(0); // time.UnixMilli(0) when never run
        const body = enabled
          ? `{"id":"insights_status", "lastRun":"${goDateTimeLayout(last)}", "success":${seed.insights.success}}`
          : '{"id":"insights_status", "lastRun":"disabled", "success":false}';
        return { status: 200, headers: { 'content-type': 'text/plain; charset=utf-8' }, body }; // no Content-Type set: Go sniffs
      },
    };
  }
  if (head === 'config' && wildcard) {
    if (!seed.devUIShowConfig || seed.oldServer) return null;
    return { admin: true, run: () => ({ status: 200, headers: { 'content-type': 'application/json' }, body: configResponseBody(deps.config()) }) };
  }
  const def = RESOURCES[head];
  if (!def) return null;
  if (head === 'share' && !seed.enableSharing) return null;
  if (head === 'library' && seed.oldServer) return null;
  const admin = head === 'library';
  if (parts.length === 1 || (parts.length === 2 && second === '')) {
    return { admin, run: (u) => getAll(def, seed, u, query) };
  }
  if ((parts.length === 2 && second) || (parts.length === 3 && second && third === '')) {
    return { admin, run: (u) => getOne(def, seed, u, second) };
  }
  return null;
}

export function handleNative(deps: NativeDeps, req: HttpIn): Reply {
  const r = req.path.startsWith('/api/') ? route(deps, req.path, req.query) : null;
  if (!r) return notFound();
  if (req.method !== 'GET') return { status: 405, headers: {}, body: '' }; // only the read side is modelled
  const auth = authenticate(deps, req);
  if (!auth) return restError(401, 'Not authenticated');
  const refreshed = refreshToken(deps, auth.user, auth.claims);
  deps.touchUser(auth.user);
  const reply = r.admin && !auth.user.isAdmin ? textError(403, 'Access denied: admin privileges required') : r.run(auth.user);
  return { ...reply, headers: { 'x-nd-authorization': refreshed, ...reply.headers } };
}
