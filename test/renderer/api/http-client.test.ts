import { afterEach, describe, expect, it } from 'vitest';
import { ApiError, API_METHODS, type AgentEvent, type CandorApi } from '../../../shared/api-contract';
import { NOT_ANSWERING, NOT_SIGNED_IN, createHttpClient, type HttpCandorApi, type LinkState } from '../../../renderer/api/http-client';
import { selectTransport } from '../../../renderer/api/transport';
import { createFakeApi } from '../../support/fake-api';
import { anyOf } from '../../support/matchers';

interface Seen {
  url: string;
  init: RequestInit;
}

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } });
}

const TOKEN = 'abcdefghijklmnopqrstuvwxyz012345';
const clients: HttpCandorApi[] = [];
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});

function client(fetchImpl: (url: string, init: RequestInit) => Promise<Response>, options: { reconnectMs?: number } = {}) {
  const c = createHttpClient({
    baseUrl: 'http://127.0.0.1:4000/',
    token: TOKEN,
    fetch: fetchImpl as typeof fetch,
    reconnectMs: options.reconnectMs ?? 10,
    maxReconnectMs: 20,
  });
  clients.push(c);
  return c;
}

describe('HTTP client', () => {
  it('posts JSON to /api/<method> with the bearer secret and returns the result', async () => {
    const seen: Seen[] = [];
    const api = client((url, init) => {
      seen.push({ url, init });
      return Promise.resolve(json(200, { ok: true, result: { total: 0, offset: 0, entries: [] } }));
    });
    await expect(api.listHistory({ offset: 0, limit: 10 })).resolves.toEqual({ total: 0, offset: 0, entries: [] });
    expect(seen[0]!.url).toBe('http://127.0.0.1:4000/api/listHistory');
    expect(seen[0]!.init.method).toBe('POST');
    expect(seen[0]!.init.body).toBe('{"offset":0,"limit":10}');
    expect(seen[0]!.init.headers).toMatchObject({ Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' });
    expect(seen[0]!.init.credentials).toBe('omit');
    await api.getStatus().catch(() => undefined);
    expect(seen[1]!.init.body).toBe('null');
  });

  it('exposes every contract method', () => {
    const api = client(() => Promise.resolve(json(200, { ok: true, result: null })));
    for (const method of API_METHODS) expect(typeof (api as unknown as Record<string, unknown>)[method]).toBe('function');
  });

  it('rebuilds error envelopes as ApiError with their code and message', async () => {
    const api = client(() => Promise.resolve(json(409, { ok: false, error: { code: 'locked', message: 'endpoint is set by the config file' } })));
    const error = await api.updateSettings({ endpoint: 'https://x.example/collect' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'locked', message: 'endpoint is set by the config file' });
  });

  it('turns network failures, a refused secret and non-JSON answers into clear ApiErrors', async () => {
    const down = client(() => Promise.reject(new TypeError('fetch failed')));
    await expect(down.getStatus()).rejects.toMatchObject({ code: 'unavailable', message: NOT_ANSWERING });
    const unauthorized = client(() => Promise.resolve(new Response('nope', { status: 401 })));
    await expect(unauthorized.getStatus()).rejects.toMatchObject({ code: 'unavailable', message: NOT_SIGNED_IN });
    const html = client(() => Promise.resolve(new Response('<html>', { status: 200 })));
    await expect(html.getStatus()).rejects.toBeInstanceOf(ApiError);
    const unknownCode = client(() => Promise.resolve(json(500, { ok: false, error: { code: 'weird', message: 'x' } })));
    await expect(unknownCode.getStatus()).rejects.toMatchObject({ code: 'internal' });
  });

  it('delivers events from one shared stream, reconnects when it ends, and stops when nobody listens', async () => {
    const fake = createFakeApi({ storedChoice: 'share' });
    const preview = await fake.getPreview();
    let streams = 0;
    const aborted: boolean[] = [];
    const api = client((url, init) => {
      expect(url).toBe('http://127.0.0.1:4000/api/events');
      expect(init.headers).toMatchObject({ Authorization: `Bearer ${TOKEN}` });
      const n = ++streams;
      init.signal?.addEventListener('abort', () => aborted.push(true));
      const event: AgentEvent = { type: 'preview', preview: { ...preview, sha256: `sha-${n}` } };
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          const bytes = new TextEncoder().encode(`: hi\n\ndata: ${JSON.stringify(event)}\n\ndata: not json\n\n`);
          controller.enqueue(bytes.slice(0, 17));
          controller.enqueue(bytes.slice(17));
          if (n === 1) controller.close(); // the first stream ends: the client must reconnect
        },
      });
      return Promise.resolve(new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } }));
    });
    const links: LinkState[] = [];
    api.onLinkChange((s) => links.push(s));
    const got: string[] = [];
    const second: string[] = [];
    const off = api.subscribe((e) => e.type === 'preview' && got.push(e.preview.sha256));
    const off2 = api.subscribe((e) => e.type === 'preview' && second.push(e.preview.sha256));
    await expect.poll(() => got).toEqual(['sha-1', 'sha-2']);
    expect(second).toEqual(['sha-1', 'sha-2']);
    expect(streams).toBe(2);
    expect(links).toEqual(['connecting', 'live', 'reconnecting', 'live']);
    off();
    off2();
    expect(aborted.length).toBeGreaterThan(0);
  });
});

describe('transport selection', () => {
  it('uses window.candor when the preload bridge exposes a CandorApi', () => {
    const bridge = createFakeApi();
    const t = selectTransport({ candor: bridge, location: { href: 'file:///app/index.html', origin: 'null' } });
    expect(t.kind).toBe('bridge');
    expect(t.link).toBeUndefined();
  });

  it("rebuilds the bridge's plain errors as ApiErrors that keep the agent's message", async () => {
    const bridge = createFakeApi();
    // What contextBridge delivers: an Error with the message only.
    const plain = Object.fromEntries(
      [...API_METHODS, 'subscribe'].map((m) => [m, (bridge as unknown as Record<string, (...a: unknown[]) => unknown>)[m]!.bind(bridge)]),
    ) as unknown as CandorApi;
    plain.updateSettings = () => Promise.reject(new Error('endpoint is set by the config file'));
    const t = selectTransport({ candor: plain, location: { href: 'file:///app/index.html', origin: 'null' } });
    const error = await t.api.updateSettings({ endpoint: 'https://x.example/collect' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect((error as ApiError).message).toBe('endpoint is set by the config file');
    await expect(t.api.getStatus()).resolves.toMatchObject({ consent: anyOf(Object) });
  });

  it('falls back to HTTP on the page origin with the secret from the URL, ignoring a half-made bridge', async () => {
    const seen: Seen[] = [];
    const replaced: string[] = [];
    const t = selectTransport({
      candor: { getStatus: () => null },
      location: { href: `http://127.0.0.1:4567/#token=${TOKEN}`, origin: 'http://127.0.0.1:4567' },
      history: { replaceState: (_d, _u, url) => void replaced.push(String(url)) },
      fetch: ((url: string, init: RequestInit) => {
        seen.push({ url, init });
        return Promise.resolve(json(200, { ok: true, result: null }));
      }) as unknown as typeof fetch,
    });
    expect(t.kind).toBe('http');
    await t.api.detectLocalServer();
    expect(seen[0]!.url).toBe('http://127.0.0.1:4567/api/detectLocalServer');
    expect(seen[0]!.init.headers).toMatchObject({ Authorization: `Bearer ${TOKEN}` });
    expect(replaced).toEqual(['/#/']);
    (t.api as HttpCandorApi).close();
  });
});
