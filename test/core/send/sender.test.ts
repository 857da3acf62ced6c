import { afterEach, describe, expect, it } from 'vitest';
import { createAxiosHttpClient } from '../../../core/net/axios-http-client';
import { encodePayload } from '../../../core/report/encode';
import { checkEndpoint } from '../../../core/net/endpoint';
import { sendReport } from '../../../core/send/sender';
import { closedPort, loopbackServer } from '../../support/loopback';

const report = encodePayload({ id: '0b8a3d2e-4c1f-4a5b-9e7d-1234567890ab', version: '0.58.0', library: { tracks: 3 } });
const http = createAxiosHttpClient();
const send = (url: string) => sendReport(http, url, report, Date.now, () => performance.now());
let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.map((c) => c()));
  cleanup = [];
});

async function serve(handler: Parameters<typeof loopbackServer>[0]) {
  const server = await loopbackServer(handler);
  cleanup.push(server.close);
  return server;
}

describe('sending a report', () => {
  it('posts exactly the encoded bytes as JSON', async () => {
    const server = await serve((_req, res) => res.writeHead(204).end());
    const result = await send(`${server.url}/collect`);
    expect(result).toMatchObject({ ok: true, status: 204 });
    expect(server.received[0]!.body).toBe(report.text);
    expect(server.received[0]!.headers['content-type']).toBe('application/json');
  });

  it('reports an endpoint that is down, without throwing or leaking the address', async () => {
    const port = await closedPort();
    const result = await send(`http://127.0.0.1:${port}/collect`);
    expect(result).toMatchObject({ ok: false, errorClass: 'unreachable' });
    expect(result.message).not.toContain('127.0.0.1');
    expect(result.message).not.toContain(String(port));
  });

  it.each([
    [400, 'http-4xx'],
    [413, 'http-4xx'],
    [500, 'http-5xx'],
    [502, 'http-5xx'],
  ] as const)('classifies HTTP %i as %s', async (status, errorClass) => {
    const server = await serve((_req, res) => res.writeHead(status).end('internal detail /var/secret'));
    const result = await send(`${server.url}/collect`);
    expect(result).toMatchObject({ ok: false, status, errorClass });
    expect(result.message).not.toContain('/var/secret');
  });

  it('reads Retry-After on 429, in seconds and as a date', async () => {
    const inSeconds = await serve((_req, res) => res.writeHead(429, { 'retry-after': '120' }).end());
    expect(await send(`${inSeconds.url}/collect`)).toMatchObject({ ok: false, errorClass: 'rate-limited', retryAfterMs: 120_000 });
    const asDate = await serve((_req, res) => res.writeHead(429, { 'retry-after': new Date(Date.now() + 3_600_000).toUTCString() }).end());
    const result = await send(`${asDate.url}/collect`);
    expect(result.retryAfterMs).toBeGreaterThan(3_500_000);
    expect(result.retryAfterMs).toBeLessThanOrEqual(3_600_000);
  });

  it('gives up on a connection that is reset', async () => {
    const server = await serve((req) => req.socket.destroy());
    expect(await send(`${server.url}/collect`)).toMatchObject({ ok: false, errorClass: 'connection-reset' });
  });

  it('has a hard total timeout for an endpoint that never answers', async () => {
    const { SEND_TIMEOUT_MS } = await import('../../../core/send/sender');
    const server = await serve(() => {
      /* never answers */
    });
    const fast = createAxiosHttpClient();
    const started = performance.now();
    const result = await sendReport({ request: (req) => fast.request({ ...req, timeoutMs: 300 }) }, `${server.url}/collect`, report, Date.now, () =>
      performance.now(),
    );
    expect(result).toMatchObject({ ok: false, errorClass: 'timeout' });
    expect(performance.now() - started).toBeLessThan(SEND_TIMEOUT_MS);
  });

  it('does not follow redirects (the bytes go only where the user said)', async () => {
    const target = await serve((_req, res) => res.writeHead(204).end());
    const redirecting = await serve((_req, res) => res.writeHead(307, { location: `${target.url}/collect` }).end());
    const result = await send(`${redirecting.url}/collect`);
    expect(result.ok).toBe(false);
    expect(target.received).toHaveLength(0);
  });

  it('goes through the proxy named in the environment', async () => {
    const target = await serve((_req, res) => res.writeHead(204).end());
    // A forward proxy sees the absolute URL in the request line; this one answers for the target.
    const proxy = await serve((req, res) => res.writeHead(req.url?.startsWith(`${target.url}/collect`) ? 202 : 400).end());
    const saved = { HTTP_PROXY: process.env.HTTP_PROXY, http_proxy: process.env.http_proxy, NO_PROXY: process.env.NO_PROXY, no_proxy: process.env.no_proxy };
    Object.assign(process.env, { HTTP_PROXY: proxy.url, http_proxy: proxy.url, NO_PROXY: '', no_proxy: '' });
    try {
      const result = await sendReport(createAxiosHttpClient(), `${target.url}/collect`, report, Date.now, () => performance.now());
      expect(result).toMatchObject({ ok: true, status: 202 });
      expect(proxy.received[0]!.body).toBe(report.text);
      expect(target.received).toHaveLength(0);
    } finally {
      for (const [key, value] of Object.entries(saved)) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });

  it('requires https except to this machine', () => {
    expect(checkEndpoint('https://insights.example.org/collect').ok).toBe(true);
    expect(checkEndpoint('http://127.0.0.1:8080/collect').ok).toBe(true);
    expect(checkEndpoint('http://localhost/collect').ok).toBe(true);
    expect(checkEndpoint('http://[::1]:81/collect').ok).toBe(true);
    expect(checkEndpoint('http://insights.example.org/collect').ok).toBe(false);
    expect(checkEndpoint('http://192.168.1.5/collect').ok).toBe(false);
    expect(checkEndpoint('https://user:pw@example.org/collect').ok).toBe(false);
    expect(checkEndpoint('ftp://example.org').ok).toBe(false);
    expect(checkEndpoint('not a url').ok).toBe(false);
  });

  it('refuses a disallowed endpoint without touching the network', async () => {
    const result = await sendReport(
      { request: () => Promise.reject(new Error('must not be called')) },
      'http://example.org/collect',
      report,
      Date.now,
      () => 0,
    );
    expect(result).toMatchObject({ ok: false, errorClass: 'invalid-endpoint' });
  });
});
