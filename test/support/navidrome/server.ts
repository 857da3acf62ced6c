/**
 * The HTTP layer: Navidrome's default middleware chain (server/server.go initRoutes) in the order
 * that matters to a client: secure headers + CORS Vary, Heartbeat("/ping"), RealIP, Compress(5, ...),
 * then the mounted routers: /api/events, Prometheus, /auth, /api, /rest, /app, and the "/*" redirect.
 */
import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import zlib from 'node:zlib';
import type { NavidromeSeed, SeedPlayer, SeedUser } from './seed';
import type { GoServerConfig } from './config';
import { EventBroker } from './events';
import { metricsAuthFailure, metricsReply } from './metrics';
import { LoginRateLimiter, authenticate, handleNative, login, refreshToken, type HttpIn, type NativeDeps } from './native';
import { gonicOutsideRest, handleGonic } from './gonic';
import { handleSubsonic } from './subsonic';
import { notFound, restError, textError, type Reply } from './rest';
import { deepClone, randomHex, randomId, verifyJwt } from './util';

export type Fault =
  | { kind: 'status'; status: number; paths?: RegExp }
  | { kind: 'delay'; ms: number; paths?: RegExp }
  | { kind: 'reset'; paths?: RegExp }
  | { kind: 'html'; paths?: RegExp };

export interface RecordedRequest {
  method: string;
  path: string;
  query: Record<string, string>;
  headers: Record<string, string | undefined>;
}

export interface RunningServer {
  url: string;
  requests: RecordedRequest[];
  setFault(fault: Fault | null): void;
  close(): Promise<void>;
}

const COMPRESSIBLE = [
  'application/xml',
  'application/json',
  'application/javascript',
  'text/html',
  'text/plain',
  'text/css',
  'text/javascript',
  'text/event-stream',
];
const ACCESS_FREQUENCY_MS = 60_000; // consts.UpdateLastAccessFrequency and UpdatePlayerFrequency

/** conf.Server with the seed's flags applied. */
export function effectiveConfig(seed: NavidromeSeed): GoServerConfig {
  const c = deepClone(seed.config);
  c.ConfigFile = seed.configFile;
  c.EnableSharing = seed.enableSharing;
  c.DevUIShowConfig = seed.devUIShowConfig;
  c.DevActivityPanel = seed.devActivityPanel;
  c.Prometheus = { ...(c.Prometheus ?? {}), Enabled: seed.prometheusEnabled };
  return c;
}

/** chi Compress: gzip preferred over deflate (raw flate), matched by substring in Accept-Encoding. */
function pickEncoding(accept: string | undefined): 'gzip' | 'deflate' | null {
  const parts = (accept ?? '').toLowerCase().split(',');
  if (parts.some((p) => p.includes('gzip'))) return 'gzip';
  if (parts.some((p) => p.includes('deflate'))) return 'deflate';
  return null;
}

function parseCookies(header: string | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const part of (header ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0) out[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return out;
}

/** mileusna/useragent, roughly: "<Browser>/<OS>", or the first product token for non-browsers. */
export function canonicalUserAgent(ua: string): string {
  const name = /Edg\//.test(ua)
    ? 'Edge'
    : /OPR\//.test(ua)
      ? 'Opera'
      : /Firefox\//.test(ua)
        ? 'Firefox'
        : /Chrome\//.test(ua)
          ? 'Chrome'
          : /Safari\//.test(ua) && /Version\//.test(ua)
            ? 'Safari'
            : (/^[^\s/]+/.exec(ua)?.[0] ?? '');
  const os = /Android/.test(ua)
    ? 'Android'
    : /iPhone|iPad/.test(ua)
      ? 'iOS'
      : /Windows/.test(ua)
        ? 'Windows'
        : /Mac OS X/.test(ua)
          ? 'macOS'
          : /Linux/.test(ua)
            ? 'Linux'
            : '';
  return os ? `${name}/${os}` : name;
}

function secureHeaders(res: http.ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('X-Frame-Options', 'DENY');
  res.setHeader('Referrer-Policy', 'same-origin');
  res.setHeader('Permissions-Policy', 'autoplay=(), camera=(), microphone=(), usb=()');
  res.setHeader('Vary', 'Origin');
}

function write(req: http.IncomingMessage, res: http.ServerResponse, reply: Reply, compress: boolean): void {
  for (const [k, v] of Object.entries(reply.headers)) res.setHeader(k, v);
  let body = Buffer.from(reply.body, 'utf8');
  const type = (reply.headers['content-type'] ?? '').split(';')[0]?.trim() ?? '';
  const enc = compress && COMPRESSIBLE.includes(type) ? pickEncoding(req.headers['accept-encoding']) : null;
  if (enc) {
    body = enc === 'gzip' ? zlib.gzipSync(body, { level: 5 }) : zlib.deflateRawSync(body, { level: 5 });
    res.setHeader('Content-Encoding', enc);
    res.appendHeader('Vary', 'Accept-Encoding');
  }
  res.statusCode = reply.status;
  res.end(req.method === 'HEAD' ? undefined : body);
}

const PROXY_LOGIN_PAGE =
  '<!DOCTYPE html>\n<html><head><title>Sign in - Canary SSO</title></head><body>' +
  '<form method="post" action="/oauth2/sign_in"><input name="username"><input type="password" name="password">' +
  '<button>Sign in</button></form></body></html>\n';

/** Where the server listens: 127.0.0.1 unless a test puts it on another of this machine's addresses. */
export interface ListenOptions {
  host?: string;
}

export async function startServer(seed: NavidromeSeed, listen: ListenOptions = {}): Promise<RunningServer> {
  const secret = randomHex(16); // JWTSecret: random per server, like a fresh DB
  const broker = new EventBroker(seed);
  const requests: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  const accessTouched = new Map<string, number>();
  const playerTouched = new Map<string, number>();
  let fault: Fault | null = null;
  const config = () => effectiveConfig(seed);
  const conf0 = config();
  const limiter = new LoginRateLimiter(Number(conf0.AuthRequestLimit ?? 5), Number(conf0.AuthWindowLength ?? 20e9) / 1e6);

  const touchUser = (u: SeedUser) => {
    const now = Date.now();
    if (now - (accessTouched.get(u.id) ?? -Infinity) < ACCESS_FREQUENCY_MS) return;
    accessTouched.set(u.id, now);
    u.lastAccessAt = new Date(now).toISOString();
  };
  const nativeDeps: NativeDeps = { seed, secret, config, touchUser };

  function registerPlayer(u: SeedUser, client: string, userAgent: string, ip: string, cookieId: string | undefined): SeedPlayer {
    let player = cookieId ? seed.players.find((p) => p.id === cookieId) : undefined;
    if (player && player.client !== client) player = undefined;
    player ??= seed.players.find((p) => p.userId === u.id && p.client === client && p.userAgent === userAgent);
    const updated: SeedPlayer = player
      ? { ...player }
      : {
          id: randomId(),
          name: '',
          client,
          userAgent,
          userId: u.id,
          ip,
          lastSeen: '',
          scrobbleEnabled: true,
          reportRealPath: false,
          maxBitRate: 0,
          transcodingId: '',
        };
    Object.assign(updated, { name: `${client} [${userAgent}]`, userAgent, ip, lastSeen: new Date().toISOString() });
    const now = Date.now();
    if (now - (playerTouched.get(updated.id) ?? -Infinity) >= ACCESS_FREQUENCY_MS) {
      playerTouched.set(updated.id, now); // players.Register saves at most once a minute per player
      if (player) Object.assign(player, updated);
      else seed.players.push(updated);
    }
    return updated;
  }

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://navidrome.invalid');
    const path = url.pathname;
    const headers: Record<string, string | undefined> = {};
    for (const [k, v] of Object.entries(req.headers)) headers[k] = Array.isArray(v) ? v.join(', ') : v;
    requests.push({ method: req.method ?? '', path, query: Object.fromEntries(url.searchParams), headers });

    const f = fault;
    if (f && (!f.paths || f.paths.test(path))) {
      if (f.kind === 'delay') await new Promise((r) => setTimeout(r, f.ms));
      else if (f.kind === 'reset') {
        req.socket.destroy();
        return;
      } else if (f.kind === 'status') {
        res.writeHead(f.status, { 'content-type': 'text/plain; charset=utf-8' });
        res.end(`${f.status} injected fault\n`);
        return;
      } else {
        res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
        res.end(PROXY_LOGIN_PAGE);
        return;
      }
    }

    const chunks: Buffer[] = [];
    for await (const c of req) chunks.push(c as Buffer);
    const body = Buffer.concat(chunks).toString('utf8');
    const method = req.method ?? 'GET';
    if (seed.serverKind === 'gonic') {
      if (!path.startsWith('/rest/')) return write(req, res, gonicOutsideRest(path), false);
      const params = new URLSearchParams(url.searchParams);
      if (method === 'POST' && (headers['content-type'] ?? '').includes('application/x-www-form-urlencoded')) {
        for (const [k, v] of new URLSearchParams(body)) params.append(k, v); // params.New: r.ParseForm
      }
      return write(req, res, handleGonic(seed, path.slice('/rest/'.length), params), false);
    }
    secureHeaders(res);

    if ((method === 'GET' || method === 'HEAD') && path.toLowerCase() === '/ping') {
      res.writeHead(200, { 'content-type': 'text/plain' }); // middleware.Heartbeat, before Compress
      res.end(method === 'HEAD' ? undefined : '.');
      return;
    }
    const realIp = headers['true-client-ip'] ?? headers['x-real-ip'] ?? headers['x-forwarded-for']?.split(',')[0]?.trim();
    // With a RealIP header RemoteAddr has no port, so net.SplitHostPort fails and player IP is "".
    const playerIp = realIp ? '' : (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
    const host = headers['x-forwarded-host']?.split(',')[0] ?? headers.host ?? '';
    const scheme = headers['x-forwarded-proto'] ?? headers['x-forwarded-scheme'] ?? 'http';
    const baseUrl = `${scheme}://${host}`;
    const cookies = parseCookies(headers.cookie);
    const hin: HttpIn = { method, path, query: url.searchParams, headers, cookies };
    const send = (reply: Reply) => write(req, res, reply, true);

    if (path === '/api/events' && seed.devActivityPanel) {
      const auth = authenticate(nativeDeps, hin);
      if (!auth) return send(restError(401, 'Not authenticated'));
      const enc = pickEncoding(headers['accept-encoding']);
      broker.serve(req, res, { 'X-ND-Authorization': refreshToken(nativeDeps, auth.user, auth.claims) }, enc);
      return;
    }
    const prom = config().Prometheus as { MetricsPath?: string; Password?: string };
    const metricsPath = (prom.MetricsPath || '/metrics').replace(/\/+$/, '');
    if (seed.prometheusEnabled && (path === metricsPath || path.startsWith(`${metricsPath}/`))) {
      // Mounted router: "/metrics" and "/metrics/" reach promhttp, deeper paths are a 404.
      if (path.length > metricsPath.length + 1) return send(notFound());
      return send(metricsAuthFailure(headers.authorization, prom.Password ?? '') ?? metricsReply(seed, headers.accept));
    }
    if (path === '/auth/login' || path === '/auth/createAdmin') {
      if (method !== 'POST') return send({ status: 405, headers: {}, body: '' });
      if (path === '/auth/createAdmin') return send(seed.users.length ? restError(403, 'Cannot create another first admin') : restError(500, 'not modelled'));
      const rl = limiter.check(realIp ?? req.socket.remoteAddress ?? '');
      for (const [k, v] of Object.entries(rl.headers)) res.setHeader(k, v);
      return send(rl.limited ? textError(429, 'Too Many Requests') : login(nativeDeps, body));
    }
    if (path === '/api' || path.startsWith('/api/')) return send(handleNative(nativeDeps, hin));
    if (path === '/rest' || path.startsWith('/rest/')) {
      const name = path.slice('/rest/'.length);
      if (!name || name.includes('/')) return send(notFound());
      const params = new URLSearchParams();
      const ctype = headers['content-type'] ?? '';
      if (method === 'POST' && ctype.includes('application/x-www-form-urlencoded')) {
        for (const [k, v] of new URLSearchParams(body)) params.append(k, v); // postFormToQueryParams
      }
      for (const [k, v] of url.searchParams) params.append(k, v);
      const ua = canonicalUserAgent(headers['user-agent'] ?? '');
      const result = handleSubsonic(
        {
          seed,
          baseUrl,
          touchUser,
          registerPlayer: (u, client, cookieId) => registerPlayer(u, client, ua, playerIp, cookieId),
          jwtSubject: (t) => {
            const c = verifyJwt(t, secret);
            return typeof c?.sub === 'string' ? c.sub : null;
          },
        },
        { name, params, cookies },
      );
      if (result.playerCookie) {
        res.setHeader('Set-Cookie', `${result.playerCookie.name}=${result.playerCookie.value}; Path=/; Max-Age=31536000; HttpOnly; SameSite=Strict`);
      }
      return send(result.reply);
    }
    if (path === '/app' && method === 'GET')
      return send({ status: 302, headers: { location: '/app/', 'content-type': 'text/html; charset=utf-8' }, body: '<a href="/app/">Found</a>.\n\n' });
    if (path === '/app/' && method === 'GET') return send(indexPage(seed));
    if (path.startsWith('/app/')) return send(notFound());
    if (method === 'GET')
      return send({ status: 302, headers: { location: '/app/', 'content-type': 'text/html; charset=utf-8' }, body: '<a href="/app/">Found</a>.\n\n' });
    return send({ status: 405, headers: {}, body: '' });
  }

  const server = http.createServer((req, res) => {
    handle(req, res).catch((e: unknown) => {
      if (!res.headersSent) {
        res.statusCode = 500;
        res.end(String(e));
      } else res.destroy();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  const host = listen.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, resolve);
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    requests,
    setFault: (f) => {
      fault = f;
    },
    close: () =>
      new Promise<void>((resolve) => {
        broker.close();
        for (const s of sockets) s.destroy();
        server.close(() => resolve());
      }),
  };
}

/** ui/index.html with window.__APP_CONFIG__ injected (server/serve_index.go), abridged. */
function indexPage(seed: NavidromeSeed): Reply {
  const appConfig = {
    version: seed.version,
    firstTime: seed.users.length === 0,
    devActivityPanel: seed.devActivityPanel,
    devUIShowConfig: seed.devUIShowConfig,
    enableSharing: seed.enableSharing,
    baseURL: '',
  };
  // html/template renders the JSON string as a quoted JS string literal with \u-escapes.
  const js = `"${JSON.stringify(appConfig).replace(/["\\<>&']/g, (c) => `\\u00${c.charCodeAt(0).toString(16)}`)}"`;
  const body =
    `<!DOCTYPE html>\n<html lang="en"><head><meta name="description" content="Navidrome Music Server - v${seed.version}"/>` +
    `<title>Navidrome</title><script>window.__APP_CONFIG__ = ${js}</script></head><body><div id="root"></div></body></html>\n`;
  return { status: 200, headers: { 'content-type': 'text/html', 'cache-control': 'no-store, no-cache, must-revalidate' }, body };
}
