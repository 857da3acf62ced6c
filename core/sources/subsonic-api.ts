import { createHash, randomBytes } from 'node:crypto';
import type { HttpClient } from '../net/http-client';
import { SourceProblem, type ProblemCode } from './problems';
import { CANDOR_CLIENT, parseJson, REQUEST_TIMEOUT_MS, type ServerConnection } from './server-facts';

export type SubsonicBody = Record<string, unknown> & { status?: string; serverVersion?: string; type?: string; version?: string };

/** A Subsonic error document, kept with its numeric code so a caller can read a code its server gives a meaning. */
export class SubsonicFailure extends SourceProblem {
  constructor(
    code: ProblemCode,
    readonly subsonicCode: number | null,
  ) {
    super(code);
  }
}

/**
 * Error codes of the Subsonic API (subsonic.org api.jsp, OpenSubsonic) as causes. 0 is a generic
 * error: a real fault, not proof the method is missing. Unknown methods are 70 on gonic
 * (ServeNotFound), HTTP 404 on Navidrome, 501 where a feature is switched off.
 */
function problemOf(subsonicCode: number): ProblemCode {
  if (subsonicCode === 40 || subsonicCode === 44) return 'unauthorized';
  if (subsonicCode === 41 || subsonicCode === 42) return 'token-auth-unsupported';
  if (subsonicCode === 50) return 'not-admin';
  if (subsonicCode === 70) return 'endpoint-missing';
  return 'server-error';
}

/** The Subsonic API under `/rest`, signed in with a salted token (md5(password + salt)), JSON answers. */
export class SubsonicClient {
  private readonly auth: Record<string, string>;

  constructor(
    readonly http: HttpClient,
    readonly base: string,
    conn: ServerConnection,
  ) {
    const salt = randomBytes(6).toString('hex');
    this.auth = {
      u: conn.username,
      t: createHash('md5')
        .update(conn.password + salt)
        .digest('hex'),
      s: salt,
    };
  }

  /** One call; `headers` are the answer's, for servers that put totals there. */
  async call(method: string, params: Record<string, string> = {}): Promise<{ body: SubsonicBody; headers: Record<string, string> }> {
    const qs = new URLSearchParams({ ...this.auth, v: '1.16.1', c: CANDOR_CLIENT, f: 'json', ...params });
    const res = await this.http.request({
      method: 'GET',
      url: `${this.base}/rest/${method}?${qs.toString()}`,
      timeoutMs: REQUEST_TIMEOUT_MS,
      maxBytes: 32 * 1024 * 1024,
    });
    const body = parseJson(res.body)?.['subsonic-response'] as SubsonicBody | undefined;
    if (body && typeof body === 'object' && body.status === 'ok') return { body, headers: res.headers };
    if (body && typeof body === 'object' && body.status === 'failed') {
      const code = Number((body.error as { code?: unknown } | undefined)?.code);
      throw new SubsonicFailure(problemOf(code), Number.isInteger(code) ? code : null);
    }
    // No Subsonic document: the HTTP status is all there is.
    if (res.status === 404 || res.status === 410 || res.status === 501) throw new SubsonicFailure('endpoint-missing', null);
    if (res.status === 401) throw new SubsonicFailure('unauthorized', null);
    if (res.status >= 500) throw new SubsonicFailure('server-error', null);
    throw new SubsonicFailure('not-a-music-server', null);
  }
}

/** `<container>.<item>` as a list: servers send an empty object, null or nothing for "none". */
export function listOf(body: SubsonicBody, container: string, item: string): unknown[] {
  const holder = body[container] as Record<string, unknown> | undefined;
  const list = holder?.[item];
  return Array.isArray(list) ? list : [];
}

/**
 * The server's version without signing in: OpenSubsonic's extension list needs no credentials on
 * Navidrome and, unlike an authenticated call, does not register Candor as a player.
 */
export async function readOpenSubsonicAbout(http: HttpClient, base: string): Promise<{ serverVersion?: string; type?: string }> {
  const res = await http.request({ method: 'GET', url: `${base}/rest/getOpenSubsonicExtensions?f=json`, timeoutMs: REQUEST_TIMEOUT_MS, maxBytes: 256 * 1024 });
  const body = parseJson(res.body)?.['subsonic-response'] as SubsonicBody | undefined;
  return {
    ...(typeof body?.serverVersion === 'string' ? { serverVersion: body.serverVersion } : {}),
    ...(typeof body?.type === 'string' ? { type: body.type } : {}),
  };
}
