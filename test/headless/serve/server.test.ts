import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { ApiError } from '../../../shared/api-contract';
import { CONTENT_SECURITY_POLICY, MAX_BODY_BYTES, SERVE_TIMEOUTS, ServeError, startServe, type ServeHandle } from '../../../headless/serve/server';
import { createFakeApi, type FakeCandorApi } from '../../support/fake-api';
import { parseJson } from '../../support/json';

/** A stand-in for the built renderer: the server only needs index.html and assets/. */
let staticDir: string;
beforeAll(() => {
  staticDir = mkdtempSync(path.join(os.tmpdir(), 'candor-serve-static-'));
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Candor</title><script type="module" src="./assets/app.js"></script>');
  mkdirSync(path.join(staticDir, 'assets'));
  writeFileSync(path.join(staticDir, 'assets/app.js'), 'console.log("candor")');
  writeFileSync(path.join(staticDir, '.env'), 'SECRET=1');
});

interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

function request(port: number, options: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = http.request(
      {
        host: '127.0.0.1',
        port,
        method: options.method ?? 'GET',
        path: options.path ?? '/',
        headers: { Host: `127.0.0.1:${port}`, ...options.headers },
        agent: false,
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (options.body !== undefined) req.write(options.body);
    req.end();
  });
}

let server: ServeHandle;
let fake: FakeCandorApi;
const TOKEN = 'test-secret-0123456789abcdefghijklmnop';

function api(method: string, body: unknown, headers: Record<string, string> = {}) {
  return request(server.port, {
    method: 'POST',
    path: `/api/${method}`,
    headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json', ...headers },
    body: JSON.stringify(body),
  });
}

describe('candor serve', () => {
  beforeAll(async () => {
    fake = createFakeApi({ storedChoice: 'share', history: 5 });
    server = await startServe({ api: fake, staticDir, token: TOKEN });
  });
  afterAll(() => server.close());

  it('listens on loopback and prints a URL holding the secret in its fragment', () => {
    expect(server.url).toBe(`http://127.0.0.1:${server.port}/#token=${TOKEN}`);
    expect(server.token).toBe(TOKEN);
  });

  describe('the page', () => {
    it('is served without the secret, under a strict CSP and safe headers', async () => {
      const res = await request(server.port, { path: '/' });
      expect(res.status).toBe(200);
      expect(res.headers['content-type']).toBe('text/html; charset=utf-8');
      expect(res.headers['content-security-policy']).toBe(CONTENT_SECURITY_POLICY);
      for (const directive of [
        "default-src 'none'",
        "script-src 'self'",
        "style-src 'self'",
        "connect-src 'self'",
        "img-src 'self' data:",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "form-action 'none'",
      ]) {
        expect(res.headers['content-security-policy']).toContain(directive);
      }
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['referrer-policy']).toBe('no-referrer');
      expect(res.headers['x-frame-options']).toBe('DENY');
      expect(res.headers['cache-control']).toBe('no-store');
      expect(res.headers['access-control-allow-origin']).toBeUndefined();
      const asset = await request(server.port, { path: '/assets/app.js' });
      expect(asset.status).toBe(200);
      expect(asset.headers['content-type']).toBe('text/javascript; charset=utf-8');
    });

    it('serves nothing outside the build: no traversal, no dotfiles', async () => {
      for (const p of ['/../package.json', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2fetc%2fpasswd', '/.env', '/assets/%00.js', '/nope.js', '/assets']) {
        const res = await request(server.port, { path: p });
        expect([400, 404], p).toContain(res.status);
        expect(res.body).not.toContain('SECRET');
      }
      expect((await request(server.port, { path: '/', method: 'POST' })).status).toBe(405);
    });

    it('may be opened by a link from another site (a top-level navigation), but not framed or fetched cross-site', async () => {
      const nav = await request(server.port, {
        path: '/',
        headers: { 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Dest': 'document' },
      });
      expect(nav.status).toBe(200);
      const frame = await request(server.port, {
        path: '/',
        headers: { 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'navigate', 'Sec-Fetch-Dest': 'iframe' },
      });
      expect(frame.status).toBe(403);
      const script = await request(server.port, {
        path: '/assets/app.js',
        headers: { 'Sec-Fetch-Site': 'cross-site', 'Sec-Fetch-Mode': 'no-cors', 'Sec-Fetch-Dest': 'script' },
      });
      expect(script.status).toBe(403);
    });
  });

  describe('the API', () => {
    it('answers a good request with the agent’s result', async () => {
      const res = await api('getStatus', null, { Origin: `http://127.0.0.1:${server.port}`, 'Sec-Fetch-Site': 'same-origin' });
      expect(res.status).toBe(200);
      expect(res.headers['cache-control']).toBe('no-store');
      const body = JSON.parse(res.body) as { ok: boolean; result: { consent: { sharing: boolean } } };
      expect(body.ok).toBe(true);
      expect(body.result.consent.sharing).toBe(true);
      const preview = JSON.parse((await api('getPreview', null)).body) as { result: { text: string } };
      expect(preview.result.text).toBe((await fake.getPreview()).text);
      const page = JSON.parse((await api('listHistory', { offset: 0, limit: 2 })).body) as { result: { total: number; entries: unknown[] } };
      expect(page.result).toMatchObject({ total: 5 });
      expect(page.result.entries).toHaveLength(2);
    });

    it('accepts localhost and [::1] with the right port as Host', async () => {
      for (const host of [`localhost:${server.port}`, `[::1]:${server.port}`, `LOCALHOST:${server.port}`]) {
        expect((await api('getStatus', null, { Host: host })).status, host).toBe(200);
      }
    });

    it('refuses requests without the secret, or with a wrong one (401)', async () => {
      const cases: Array<Record<string, string>> = [
        {},
        { Authorization: 'Bearer wrong-secret-0123456789abcdefghijk' },
        { Authorization: `Bearer ${TOKEN}x` },
        { Authorization: `Basic ${Buffer.from(`user:${TOKEN}`).toString('base64')}` },
        { Authorization: TOKEN },
      ];
      for (const headers of cases) {
        const res = await request(server.port, {
          method: 'POST',
          path: '/api/getStatus',
          headers: { 'Content-Type': 'application/json', ...headers },
          body: 'null',
        });
        expect(res.status, JSON.stringify(headers)).toBe(401);
        expect(JSON.parse(res.body)).toMatchObject({ ok: false, error: { code: 'unavailable' } });
        expect(res.headers['www-authenticate']).toMatch(/^Bearer/);
      }
      // Not in the query string either.
      const query = await request(server.port, {
        method: 'POST',
        path: `/api/getStatus?token=${TOKEN}`,
        headers: { 'Content-Type': 'application/json' },
        body: 'null',
      });
      expect(query.status).toBe(401);
      expect(fake.calls.filter((c) => c.method === 'setConsent')).toHaveLength(0);
    });

    it('refuses a foreign Host header even with the secret (DNS rebinding)', async () => {
      for (const host of [
        'evil.example',
        `evil.example:${server.port}`,
        `127.0.0.1:${server.port + 1}`,
        '127.0.0.1',
        `localhost.evil.example:${server.port}`,
        `192.168.1.10:${server.port}`,
      ]) {
        const res = await api('getStatus', null, { Host: host });
        expect(res.status, `Host: ${host}`).toBe(421);
      }
      const page = await request(server.port, { path: '/', headers: { Host: `attacker.example:${server.port}` } });
      expect(page.status).toBe(421);
      // No Host at all (HTTP/1.0, written by hand).
      const raw = await new Promise<string>((resolve, reject) => {
        const socket = net.connect(server.port, '127.0.0.1', () => socket.end(`GET / HTTP/1.0\r\nAuthorization: Bearer ${TOKEN}\r\n\r\n`));
        let text = '';
        socket.on('data', (c) => (text += c.toString()));
        socket.on('end', () => resolve(text));
        socket.on('error', reject);
      });
      expect(raw.split('\r\n')[0]).toMatch(/^HTTP\/1\.[01] 421 /);
    });

    it('refuses cross-origin requests even with the secret (CSRF)', async () => {
      const before = fake.calls.length;
      const cases: Array<Record<string, string>> = [
        { Origin: 'http://evil.example' },
        { Origin: `http://evil.example:${server.port}` },
        { Origin: `https://127.0.0.1:${server.port}` },
        { Origin: 'null' },
        { 'Sec-Fetch-Site': 'cross-site' },
        { 'Sec-Fetch-Site': 'same-site' },
        { Origin: `http://127.0.0.1:${server.port}`, 'Sec-Fetch-Site': 'cross-site' },
      ];
      for (const headers of cases) {
        const res = await api('setConsent', { choice: 'decline' }, headers);
        expect(res.status, JSON.stringify(headers)).toBe(403);
        expect(res.headers['access-control-allow-origin']).toBeUndefined();
      }
      expect(fake.calls.length).toBe(before);
      // A CORS preflight gets no permission either.
      const preflight = await request(server.port, {
        method: 'OPTIONS',
        path: '/api/setConsent',
        headers: { Origin: 'http://evil.example', 'Access-Control-Request-Method': 'POST' },
      });
      expect(preflight.status).toBe(403);
      expect(preflight.headers['access-control-allow-origin']).toBeUndefined();
    });

    it('validates every input through the contract and limits the body', async () => {
      const bad = await api('listHistory', { offset: -1, limit: 10 });
      expect(bad.status).toBe(400);
      expect(JSON.parse(bad.body)).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
      expect((await api('listHistory', { offset: 0, limit: 10, extra: 1 })).status).toBe(400);
      expect((await api('setConsent', { choice: 'maybe' })).status).toBe(400);
      expect((await api('getStatus', { unexpected: true })).status).toBe(400);
      expect((await api('noSuchMethod', null)).status).toBe(404);
      expect((await api('__proto__', null)).status).toBe(404);
      expect((await api('constructor', null)).status).toBe(404);
      const notJson = await request(server.port, {
        method: 'POST',
        path: '/api/getStatus',
        headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
        body: '{',
      });
      expect(notJson.status).toBe(400);
      const form = await request(server.port, {
        method: 'POST',
        path: '/api/getStatus',
        headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'text/plain' },
        body: 'null',
      });
      expect(form.status).toBe(415);
      const big = await request(server.port, {
        method: 'POST',
        path: '/api/approveFields',
        headers: { Authorization: `Bearer ${TOKEN}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ fields: ['x'.repeat(MAX_BODY_BYTES)] }),
      });
      expect(big.status).toBe(413);
      const get = await request(server.port, { path: '/api/getStatus', headers: { Authorization: `Bearer ${TOKEN}` } });
      expect(get.status).toBe(405);
    });

    it('passes the agent’s errors through as envelopes, and never leaks raw error text', async () => {
      fake.failNext('updateSettings', new ApiError('locked', 'endpoint is set by the config file and cannot be changed here.'));
      const locked = await api('updateSettings', { endpoint: 'https://collector.example/collect' });
      expect(locked.status).toBe(409);
      expect(JSON.parse(locked.body)).toEqual({
        ok: false,
        error: { code: 'locked', message: 'endpoint is set by the config file and cannot be changed here.' },
      });
      fake.failNext('getPreview', new Error('ENOENT: /home/alice/.local/share/candor/state.json') as ApiError);
      const internal = await api('getPreview', null);
      expect(internal.status).toBe(500);
      expect(internal.body).not.toContain('alice');
      expect(JSON.parse(internal.body)).toMatchObject({ ok: false, error: { code: 'internal' } });
    });
  });

  describe('live events', () => {
    it('pushes agent events over SSE to an authorized client, and unsubscribes when it leaves', async () => {
      const listenersBefore = fake.listenerCount;
      const events: Array<{ type: string; preview?: { sha256: string } }> = [];
      let buffer = '';
      const req = http.request({
        host: '127.0.0.1',
        port: server.port,
        path: '/api/events',
        headers: { Host: `127.0.0.1:${server.port}`, Authorization: `Bearer ${TOKEN}`, Accept: 'text/event-stream' },
        agent: false,
      });
      const response = await new Promise<http.IncomingMessage>((resolve, reject) => {
        req.on('response', resolve);
        req.on('error', reject);
        req.end();
      });
      expect(response.statusCode).toBe(200);
      expect(response.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => {
        buffer += chunk;
        let end: number;
        while ((end = buffer.indexOf('\n\n')) !== -1) {
          const block = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = block.split('\n').find((l) => l.startsWith('data: '));
          if (data) events.push(parseJson<(typeof events)[number]>(data.slice(6)));
        }
      });
      // The current status comes first, then whatever the agent pushes.
      await expect.poll(() => events.map((e) => e.type)).toEqual(['status']);
      expect(fake.listenerCount).toBe(listenersBefore + 1);
      const pushed = fake.tick();
      await expect.poll(() => events.at(-1)?.preview?.sha256).toBe(pushed.sha256);
      req.destroy();
      await expect.poll(() => fake.listenerCount).toBe(listenersBefore);
    });

    it('refuses the event stream without the secret or from another site', async () => {
      expect((await request(server.port, { path: '/api/events' })).status).toBe(401);
      expect((await request(server.port, { path: '/api/events', headers: { Authorization: `Bearer ${TOKEN}`, Origin: 'http://evil.example' } })).status).toBe(
        403,
      );
      expect((await request(server.port, { path: '/api/events', headers: { Authorization: `Bearer ${TOKEN}`, Host: 'evil.example' } })).status).toBe(421);
    });
  });
});

describe('startServe refuses unsafe or impossible set-ups with one clear line', () => {
  const handles: ServeHandle[] = [];
  afterEach(async () => {
    for (const h of handles.splice(0)) await h.close();
  });

  it('makes a fresh random secret per run', async () => {
    const a = await startServe({ api: createFakeApi(), staticDir });
    const b = await startServe({ api: createFakeApi(), staticDir });
    handles.push(a, b);
    expect(a.token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(a.token).not.toBe(b.token);
    expect(a.url).toContain(`#token=${a.token}`);
  });

  it('will not bind a non-loopback address without allowRemote', async () => {
    for (const host of ['0.0.0.0', '::', '192.168.1.10', 'example.org']) {
      const error = await startServe({ api: createFakeApi(), staticDir, host }).catch((e: unknown) => e);
      expect(error, host).toBeInstanceOf(ServeError);
      expect((error as ServeError).code).toBe('not-loopback');
      expect((error as ServeError).message).not.toContain('\n');
    }
  });

  it('binds 0.0.0.0 only with allowRemote, and still checks Host names', async () => {
    const remote = await startServe({ api: createFakeApi(), staticDir, host: '0.0.0.0', allowRemote: true, allowedHostNames: ['nas.lan'] });
    handles.push(remote);
    expect(remote.url.startsWith(`http://127.0.0.1:${remote.port}/#token=`)).toBe(true);
    const ok = (host: string) =>
      request(remote.port, {
        method: 'POST',
        path: '/api/getStatus',
        headers: { Host: host, Authorization: `Bearer ${remote.token}`, 'Content-Type': 'application/json' },
        body: 'null',
      });
    expect((await ok(`192.168.1.10:${remote.port}`)).status).toBe(200);
    expect((await ok(`nas.lan:${remote.port}`)).status).toBe(200);
    expect((await ok(`evil.example:${remote.port}`)).status).toBe(421);
  });

  it('says so in one line when the port is in use', async () => {
    const first = await startServe({ api: createFakeApi(), staticDir });
    handles.push(first);
    const error = await startServe({ api: createFakeApi(), staticDir, port: first.port }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ServeError);
    expect((error as ServeError).code).toBe('port-in-use');
    expect((error as ServeError).message).toBe(
      `Port ${first.port} on 127.0.0.1 is already in use (another candor serve?). Choose another with --port, or --port 0 for any free port.`,
    );
  });

  it('says so when the UI is not built, or the port is impossible', async () => {
    const empty = mkdtempSync(path.join(os.tmpdir(), 'candor-serve-empty-'));
    await expect(startServe({ api: createFakeApi(), staticDir: empty })).rejects.toMatchObject({ code: 'no-ui' });
    await expect(startServe({ api: createFakeApi(), staticDir, port: 70_000 })).rejects.toMatchObject({ code: 'bad-port' });
  });

  it('closes its event streams and stops answering on close()', async () => {
    const fakeApi = createFakeApi();
    const h = await startServe({ api: fakeApi, staticDir });
    const req = http.request({
      host: '127.0.0.1',
      port: h.port,
      path: '/api/events',
      headers: { Host: `127.0.0.1:${h.port}`, Authorization: `Bearer ${h.token}` },
      agent: false,
    });
    const res = await new Promise<http.IncomingMessage>((resolve) => {
      req.on('response', resolve);
      req.end();
    });
    const ended = new Promise<void>((resolve) => {
      res.on('end', resolve);
      res.on('close', resolve);
      res.resume();
    });
    await expect.poll(() => fakeApi.listenerCount).toBe(1);
    await h.close();
    await ended;
    expect(fakeApi.listenerCount).toBe(0);
    await expect(request(h.port, { path: '/' })).rejects.toThrow();
  });
});

describe('connection bounds', () => {
  /** Writes `text` one byte every `everyMs`; resolves with the first line answered and how many bytes had gone by then. */
  function trickle(port: number, text: string, everyMs: number): Promise<{ statusLine: string; sent: number }> {
    return new Promise((resolve) => {
      const socket = net.connect(port, '127.0.0.1');
      let sent = 0;
      const timer = setInterval(() => {
        if (sent < text.length) socket.write(text[sent++]!);
      }, everyMs);
      const done = (statusLine: string) => {
        clearInterval(timer);
        socket.destroy();
        resolve({ statusLine, sent });
      };
      socket.on('data', (chunk: Buffer) => done(chunk.toString('latin1').split('\r\n')[0]!));
      socket.on('error', () => done(''));
      socket.on('close', () => done(''));
    });
  }

  it("cuts a head sent a byte at a time at its own head timeout, not at Node's 30 s check", async () => {
    const h = await startServe({ api: createFakeApi(), staticDir, timeouts: { headMs: 1_000 } });
    try {
      // 40 s of bytes if nothing cut them; the head timeout is 1 s.
      const text = `GET / HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\nX-Slow: ${'a'.repeat(400)}\r\n\r\n`;
      const { statusLine, sent } = await trickle(h.port, text, 100);
      expect(statusLine).toBe('HTTP/1.1 408 Request Timeout');
      // Node checks head deadlines every 30 s unless told: by then some 300 bytes would have gone.
      expect(sent).toBeLessThan(150);
    } finally {
      await h.close();
    }
  });

  it('lets go of a socket answered early (its 408) though the client neither reads the answer nor closes', async () => {
    const h = await startServe({ api: createFakeApi(), staticDir, timeouts: { headMs: 1_000 } });
    try {
      const socket = net.connect(h.port, '127.0.0.1');
      socket.pause();
      // Half a head, then a byte now and then and never a read. Once the server has destroyed its
      // side (not merely ended it), the next byte is met with a reset: that is the proof.
      const reset = new Promise<string>((resolve) => socket.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? '')));
      socket.write(`GET / HTTP/1.1\r\nHost: 127.0.0.1:${h.port}\r\n`);
      const timer = setInterval(() => socket.write('x'), 200);
      try {
        expect(['ECONNRESET', 'EPIPE']).toContain(await reset);
      } finally {
        clearInterval(timer);
        socket.destroy();
      }
    } finally {
      await h.close();
    }
  });

  it('docs/ui.md quotes the bounds it applies', () => {
    const doc = readFileSync(path.resolve(import.meta.dirname, '../../../docs/ui.md'), 'utf8');
    const quoted = /(\d+) s for the request head, (\d+) s for the whole request, (\d+) s keep-alive idle/.exec(doc);
    expect(quoted, 'docs/ui.md must quote the connection bounds').not.toBeNull();
    expect(quoted!.slice(1).map(Number)).toEqual([SERVE_TIMEOUTS.headMs, SERVE_TIMEOUTS.requestMs, SERVE_TIMEOUTS.keepAliveMs].map((ms) => ms / 1000));
  });
});
