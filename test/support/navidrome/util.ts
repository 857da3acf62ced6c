/**
 * Small helpers that reproduce Go/Navidrome wire formats: time.Time JSON, Go's shortest float
 * formatting (Prometheus text), HS256 JWTs (jwtauth), SQLite LIKE, and Go's map key ordering.
 */
import crypto from 'node:crypto';

/** Go marshals time.Time as RFC3339Nano: fractional seconds with trailing zeros trimmed. */
export function goTime(value: string | number | Date | null | undefined): string | null {
  if (value === null || value === undefined || value === '') return null;
  const d = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(d.getTime())) return null;
  const iso = d.toISOString(); // YYYY-MM-DDTHH:MM:SS.mmmZ
  const [main, frac = ''] = iso.slice(0, -1).split('.');
  const trimmed = frac.replace(/0+$/, '');
  return `${main}${trimmed ? `.${trimmed}` : ''}Z`;
}

/** The zero time.Time as Go marshals it (non-pointer time fields that were never set). */
export const GO_ZERO_TIME = '0001-01-01T00:00:00Z';

/** Go's `2006-01-02 15:04:05` layout, in UTC (the test server runs "in" UTC). */
export function goDateTimeLayout(d: Date): string {
  return d.toISOString().slice(0, 19).replace('T', ' ');
}

/** strconv.FormatFloat(f, 'g', -1, 64), which Prometheus' text exposition uses. */
export function goFloat(f: number): string {
  if (Number.isNaN(f)) return 'NaN';
  if (f === Infinity) return '+Inf';
  if (f === -Infinity) return '-Inf';
  if (f === 0) return Object.is(f, -0) ? '-0' : '0';
  const exp = f.toExponential(); // shortest round-trip digits, e.g. "1.71234567891e+9"
  const m = /^(-?)(\d)(?:\.(\d+))?e([+-]\d+)$/.exec(exp);
  if (!m) return String(f);
  const [, sign, d0, rest = '', e] = m;
  const x = Number(e);
  // With the shortest precision Go decides with eprec = 6: %e when exp < -4 || exp >= 6.
  if (x < -4 || x >= 6) {
    const ax = Math.abs(x);
    return `${sign}${d0}${rest ? `.${rest}` : ''}e${x < 0 ? '-' : '+'}${ax < 10 ? `0${ax}` : ax}`;
  }
  return String(f);
}

export function md5hex(s: string): string {
  return crypto.createHash('md5').update(s, 'utf8').digest('hex');
}

function b64url(buf: Buffer | string): string {
  return Buffer.from(buf).toString('base64url');
}

/** HS256 JWT, the way go-chi/jwtauth signs Navidrome's session tokens. */
export function signJwt(claims: Record<string, unknown>, secret: string): string {
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify(claims));
  const sig = crypto.createHmac('sha256', secret).update(`${header}.${payload}`).digest('base64url');
  return `${header}.${payload}.${sig}`;
}

/** Verifies signature and `exp`; returns the claims or null (jwtauth.Verify puts an error in ctx). */
export function verifyJwt(token: string, secret: string, nowMs = Date.now()): Record<string, unknown> | null {
  const parts = token.split('.');
  if (parts.length !== 3) return null;
  const [h, p, s] = parts as [string, string, string];
  const expected = crypto.createHmac('sha256', secret).update(`${h}.${p}`).digest('base64url');
  const a = Buffer.from(expected);
  const b = Buffer.from(s);
  if (a.length !== b.length || !crypto.timingSafeEqual(a, b)) return null;
  try {
    const claims = JSON.parse(Buffer.from(p, 'base64url').toString('utf8')) as Record<string, unknown>;
    if (typeof claims.exp === 'number' && claims.exp * 1000 <= nowMs) return null;
    return claims;
  } catch {
    return null;
  }
}

/** Navidrome's persistence toSnakeCase (persistence/helpers.go). */
export function toSnakeCase(s: string): string {
  return s
    .replace(/(.)([A-Z][a-z]+)/g, '$1_$2')
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .toLowerCase();
}

/** SQLite LIKE without ESCAPE: `%` any run, `_` one char, case-insensitive for ASCII letters only. */
export function sqliteLike(value: unknown, pattern: string): boolean {
  if (value === null || value === undefined) return false; // NULL LIKE x is NULL (false)
  const asciiLower = (t: string) => t.replace(/[A-Z]/g, (c) => c.toLowerCase());
  const text = asciiLower(sqliteText(value));
  let re = '^';
  for (const ch of asciiLower(pattern)) {
    if (ch === '%') re += '[\\s\\S]*';
    else if (ch === '_') re += '[\\s\\S]';
    else re += ch.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  }
  return new RegExp(`${re}$`).test(text);
}

/** How a value reads as text inside SQLite (booleans are stored as 0/1). */
export function sqliteText(value: unknown): string {
  if (typeof value === 'boolean') return value ? '1' : '0';
  if (value === null || value === undefined) return '';
  return scalarText(value);
}

/** A JSON scalar as text, as String() prints it; the fake's data holds no functions or symbols, so those are a bug in it. */
export function scalarText(value: unknown): string {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' || typeof value === 'boolean' || typeof value === 'bigint' || value === null || value === undefined) return String(value);
  throw new TypeError(`not a JSON scalar: ${typeof value}`);
}

/** Go's encoding/json sorts map keys; map[string]any round-trips come out sorted at every level. */
export function sortKeysDeep(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(sortKeysDeep);
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(value).sort()) {
      out[k] = sortKeysDeep((value as Record<string, unknown>)[k]);
    }
    return out;
  }
  return value;
}

export function deepClone<T>(v: T): T {
  return JSON.parse(JSON.stringify(v)) as T;
}

export function randomHex(bytes: number): string {
  return crypto.randomBytes(bytes).toString('hex');
}

/** Navidrome ids (id.NewRandom) are 22-char base62 strings. */
export function randomId(): string {
  const alphabet = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
  const bytes = crypto.randomBytes(22);
  let s = '';
  for (const b of bytes) s += alphabet[b % 62];
  return s;
}
