import type { HttpClient, HttpResponse } from '../net/http-client';
import { SourceProblem } from './problems';
import { parseJson, REQUEST_TIMEOUT_MS, type ServerConnection } from './server-facts';

/** Navidrome's own REST API (docs/navidrome-api.md §2–3): JWT sign-in, list endpoints with X-Total-Count. */
export class NativeApi {
  private token = '';
  isAdmin = false;

  constructor(
    readonly http: HttpClient,
    readonly base: string,
    readonly conn: ServerConnection,
  ) {}

  /** `not-native`: something answered, but not Navidrome's sign-in (another Subsonic server, a proxy page). */
  async login(): Promise<'ok' | 'not-native'> {
    const res = await this.http.request({
      method: 'POST',
      url: `${this.base}/auth/login`,
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ username: this.conn.username, password: this.conn.password }),
      timeoutMs: REQUEST_TIMEOUT_MS,
      maxBytes: 64 * 1024,
    });
    if (res.status === 401) throw new SourceProblem('unauthorized');
    // Navidrome allows 5 sign-ins per 20 s per address (server/auth.go, httprate).
    if (res.status === 429) throw new SourceProblem('rate-limited');
    if (res.status >= 500) throw new SourceProblem('server-error');
    const body = parseJson(res.body);
    if (res.status !== 200 || typeof body?.token !== 'string') return 'not-native';
    this.token = body.token;
    this.isAdmin = body.isAdmin === true;
    return 'ok';
  }

  async get(path: string, query: Record<string, string> = {}, extra: { readUntil?: RegExp; timeoutMs?: number } = {}): Promise<HttpResponse> {
    const qs = new URLSearchParams(query).toString();
    const res = await this.http.request({
      method: 'GET',
      url: `${this.base}${path}${qs ? `?${qs}` : ''}`,
      headers: { 'x-nd-authorization': `Bearer ${this.token}`, accept: 'application/json' },
      timeoutMs: extra.timeoutMs ?? REQUEST_TIMEOUT_MS,
      ...(extra.readUntil ? { readUntil: extra.readUntil } : {}),
    });
    // Navidrome refreshes the token on every authenticated answer; keep the newest.
    const refreshed = res.headers['x-nd-authorization'];
    if (refreshed) this.token = refreshed.replace(/^Bearer\s+/i, '');
    if (res.status === 401) throw new SourceProblem('unauthorized');
    return res;
  }

  /** `X-Total-Count` of a list endpoint, asking for a single row. */
  async count(resource: string, filters: Record<string, string> = {}): Promise<number> {
    const res = await this.get(`/api/${resource}`, { _start: '0', _end: '1', ...filters });
    checkListStatus(res.status);
    const total = Number(res.headers['x-total-count']);
    if (!Number.isSafeInteger(total) || total < 0) throw new SourceProblem('not-a-music-server');
    return total;
  }

  async list(resource: string, pageSize = 500, maxRows = 20_000): Promise<Record<string, unknown>[]> {
    const rows: Record<string, unknown>[] = [];
    for (let start = 0; start < maxRows; start += pageSize) {
      const res = await this.get(`/api/${resource}`, { _start: String(start), _end: String(start + pageSize) });
      checkListStatus(res.status);
      const page = parseJson(res.body);
      if (!Array.isArray(page)) throw new SourceProblem('not-a-music-server');
      rows.push(...(page as Record<string, unknown>[]));
      const total = Number(res.headers['x-total-count']);
      if (page.length < pageSize || (Number.isFinite(total) && rows.length >= total)) break;
    }
    return rows;
  }
}

function checkListStatus(status: number): void {
  if (status === 404) throw new SourceProblem('endpoint-missing');
  if (status === 403) throw new SourceProblem('not-admin');
  if (status !== 200) throw new SourceProblem('server-error');
}
