/**
 * Hostile requests to `candor serve`, one table: each must get its exact status, reach the agent
 * not at all, and never show a byte of the secret or of a file outside the build. `PORT` in a case
 * stands for the server's port. The suite counts what it tried and what was answered as documented;
 * docs/ui.md quotes those counts and the last test checks that it does.
 */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_BODY_BYTES, startServe, type ServeHandle } from '../../../headless/serve/server';
import { createFakeApi, type FakeCandorApi } from '../../support/fake-api';
import { head, raw } from '../../support/raw-http';

const TOKEN = 'hostile-secret-0123456789abcdefghijkl';
const AUTH = `Authorization: Bearer ${TOKEN}`;
const JSON_TYPE = 'Content-Type: application/json';

let server: ServeHandle;
let fake: FakeCandorApi;
let url: string;
beforeAll(async () => {
  const staticDir = mkdtempSync(path.join(os.tmpdir(), 'candor-serve-hostile-'));
  writeFileSync(path.join(staticDir, 'index.html'), '<!doctype html><title>Candor</title>');
  mkdirSync(path.join(staticDir, 'assets'));
  writeFileSync(path.join(staticDir, 'assets/app.js'), 'export {}');
  writeFileSync(path.join(staticDir, '.env'), 'SECRET=1');
  fake = createFakeApi({ storedChoice: 'share' });
  server = await startServe({ api: fake, staticDir, token: TOKEN });
  url = `http://127.0.0.1:${server.port}`;
});
afterAll(() => server.close());

interface Case {
  name: string;
  status: number;
  /** Request head lines (the request line first); PORT is replaced by the server's port. */
  lines: string[];
  body?: string;
}

const api = (method: string, extra: string[], body = 'null'): string[] => [
  `POST /api/${method} HTTP/1.1`,
  ...extra,
  `Content-Length: ${Buffer.byteLength(body)}`,
];
const host = (value: string) => `Host: ${value}`;
const OK_HOST = host('127.0.0.1:PORT');

const cases: Case[] = [
  // DNS rebinding: the Host must name this server, by a loopback name and its port, spelled canonically.
  ...['evil.example', 'evil.example:PORT', '127.0.0.1', '127.0.0.1:1', 'localhost.evil.example:PORT', '192.168.1.10:PORT', '127.1:PORT', '2130706433:PORT'].map(
    (h) => ({
      name: `Host ${h}`,
      status: 421,
      lines: api('getStatus', [host(h), AUTH, JSON_TYPE]),
      body: 'null',
    }),
  ),
  ...[
    '127.0.0.1:0PORT',
    '127.0.0.1:00PORT',
    '127.0.0.1:+PORT',
    'localhost:0PORT',
    '[::1]:0PORT',
    '127.0.0.1:PORT:PORT',
    '127.0.0.1:',
    '127.0.0.1:PORT.',
    '127.0.0.1:PORT/',
    '127.0.0.1:PORT ,evil.example',
  ].map((h) => ({
    name: `non-canonical Host ${h}`,
    status: 421,
    lines: api('getStatus', [host(h), AUTH, JSON_TYPE]),
    body: 'null',
  })),
  { name: 'no Host at all (HTTP/1.0)', status: 421, lines: ['GET / HTTP/1.0', AUTH] },
  { name: 'page with a foreign Host', status: 421, lines: ['GET / HTTP/1.1', host('attacker.example:PORT')] },
  // CSRF: another site's page, even holding the secret.
  ...[
    'http://evil.example',
    'http://evil.example:PORT',
    'https://127.0.0.1:PORT',
    'null',
    'http://127.0.0.1:0PORT',
    'http://127.0.0.1:PORT/',
    'http://127.0.0.1:PORT/x',
    'http://user@127.0.0.1:PORT',
    'http://127.0.0.1:PORT.',
  ].map((origin) => ({
    name: `Origin ${origin}`,
    status: 403,
    lines: api('setConsent', [OK_HOST, AUTH, JSON_TYPE, `Origin: ${origin}`], '{"choice":"decline"}'),
    body: '{"choice":"decline"}',
  })),
  ...['cross-site', 'same-site'].map((site) => ({
    name: `Sec-Fetch-Site: ${site}`,
    status: 403,
    lines: api('setConsent', [OK_HOST, AUTH, JSON_TYPE, `Sec-Fetch-Site: ${site}`], '{"choice":"decline"}'),
    body: '{"choice":"decline"}',
  })),
  {
    name: 'the page framed by another site',
    status: 403,
    lines: ['GET / HTTP/1.1', OK_HOST, 'Sec-Fetch-Site: cross-site', 'Sec-Fetch-Mode: navigate', 'Sec-Fetch-Dest: iframe'],
  },
  {
    name: 'a script included by another site',
    status: 403,
    lines: ['GET /assets/app.js HTTP/1.1', OK_HOST, 'Sec-Fetch-Site: cross-site', 'Sec-Fetch-Mode: no-cors', 'Sec-Fetch-Dest: script'],
  },
  {
    name: 'a CORS preflight',
    status: 403,
    lines: ['OPTIONS /api/setConsent HTTP/1.1', OK_HOST, 'Origin: http://evil.example', 'Access-Control-Request-Method: POST'],
  },
  // The secret.
  { name: 'no secret', status: 401, lines: api('getStatus', [OK_HOST, JSON_TYPE]), body: 'null' },
  {
    name: 'a wrong secret',
    status: 401,
    lines: api('getStatus', [OK_HOST, JSON_TYPE, 'Authorization: Bearer wrong-secret-0123456789abcdefghijk']),
    body: 'null',
  },
  { name: 'the secret with a byte more', status: 401, lines: api('getStatus', [OK_HOST, JSON_TYPE, `${AUTH}x`]), body: 'null' },
  {
    name: 'the secret as Basic credentials',
    status: 401,
    lines: api('getStatus', [OK_HOST, JSON_TYPE, `Authorization: Basic ${Buffer.from(`u:${TOKEN}`).toString('base64')}`]),
    body: 'null',
  },
  { name: 'the secret without a scheme', status: 401, lines: api('getStatus', [OK_HOST, JSON_TYPE, `Authorization: ${TOKEN}`]), body: 'null' },
  {
    name: 'the secret in the query string',
    status: 401,
    lines: [`POST /api/getStatus?token=${TOKEN} HTTP/1.1`, OK_HOST, JSON_TYPE, 'Content-Length: 4'],
    body: 'null',
  },
  { name: 'the event stream without the secret', status: 401, lines: ['GET /api/events HTTP/1.1', OK_HOST] },
  // Methods.
  { name: 'CONNECT', status: 405, lines: ['CONNECT example.com:443 HTTP/1.1', host('example.com:443')] },
  { name: 'CONNECT to this server', status: 405, lines: ['CONNECT 127.0.0.1:PORT HTTP/1.1', OK_HOST, AUTH] },
  { name: 'POST to the page', status: 405, lines: ['POST / HTTP/1.1', OK_HOST, 'Content-Length: 0'] },
  { name: 'GET an API method', status: 405, lines: ['GET /api/getStatus HTTP/1.1', OK_HOST, AUTH] },
  {
    name: 'PUT an API method',
    status: 405,
    lines: api('getStatus', [OK_HOST, AUTH, JSON_TYPE]).map((l, i) => (i === 0 ? 'PUT /api/getStatus HTTP/1.1' : l)),
    body: 'null',
  },
  { name: 'POST to the event stream', status: 405, lines: ['POST /api/events HTTP/1.1', OK_HOST, AUTH, 'Content-Length: 0'] },
  // Bodies.
  { name: 'not JSON', status: 400, lines: api('getStatus', [OK_HOST, AUTH, JSON_TYPE], '{'), body: '{' },
  { name: 'a text body', status: 415, lines: api('getStatus', [OK_HOST, AUTH, 'Content-Type: text/plain']), body: 'null' },
  { name: 'no content type', status: 415, lines: api('getStatus', [OK_HOST, AUTH]), body: 'null' },
  {
    name: 'a body over the limit',
    status: 413,
    lines: api('getStatus', [OK_HOST, AUTH, JSON_TYPE], `"${'x'.repeat(MAX_BODY_BYTES)}"`),
    body: `"${'x'.repeat(MAX_BODY_BYTES)}"`,
  },
  {
    name: 'a declared length over the limit',
    status: 413,
    lines: [`POST /api/getStatus HTTP/1.1`, OK_HOST, AUTH, JSON_TYPE, `Content-Length: ${MAX_BODY_BYTES + 1}`],
  },
  {
    name: 'an input the contract refuses',
    status: 400,
    lines: api('listHistory', [OK_HOST, AUTH, JSON_TYPE], '{"offset":-1,"limit":10}'),
    body: '{"offset":-1,"limit":10}',
  },
  { name: 'an extra input field', status: 400, lines: api('getStatus', [OK_HOST, AUTH, JSON_TYPE], '{"unexpected":true}'), body: '{"unexpected":true}' },
  {
    name: 'a query string on an API method',
    status: 400,
    lines: [`POST /api/getStatus?x=1 HTTP/1.1`, OK_HOST, AUTH, JSON_TYPE, 'Content-Length: 4'],
    body: 'null',
  },
  { name: 'an unknown method', status: 404, lines: api('noSuchMethod', [OK_HOST, AUTH, JSON_TYPE]), body: 'null' },
  { name: 'a prototype key as method', status: 404, lines: api('__proto__', [OK_HOST, AUTH, JSON_TYPE]), body: 'null' },
  { name: 'constructor as method', status: 404, lines: api('constructor', [OK_HOST, AUTH, JSON_TYPE]), body: 'null' },
  // Files outside the build.
  ...['/../package.json', '/%2e%2e/%2e%2e/etc/passwd', '/assets/..%2f..%2fetc%2fpasswd', '/.env', '/assets/%00.js', '/nope.js', '/assets', '/%E0%A4%A'].map(
    (p) => ({
      name: `GET ${p}`,
      status: p === '/%E0%A4%A' ? 400 : 404,
      lines: [`GET ${p} HTTP/1.1`, OK_HOST],
    }),
  ),
  // Framing Node's parser refuses.
  {
    name: 'both Content-Length and chunked',
    status: 400,
    lines: ['POST /api/getStatus HTTP/1.1', OK_HOST, AUTH, JSON_TYPE, 'Content-Length: 5', 'Transfer-Encoding: chunked'],
    body: '0\r\n\r\n',
  },
  { name: 'Content-Length not a number', status: 400, lines: ['POST /api/getStatus HTTP/1.1', OK_HOST, AUTH, JSON_TYPE, 'Content-Length: abc'], body: 'null' },
];

const tally = { tried: 0, answered: 0 };

describe('hostile requests to candor serve', () => {
  it.each(cases)('$name -> $status', async (testCase) => {
    tally.tried++;
    const callsBefore = fake.calls.length;
    const port = String(server.port);
    const lines = testCase.lines.map((l) => l.replaceAll('PORT', port));
    const reply = await raw(url, [head(lines), ...(testCase.body !== undefined ? [testCase.body] : [])]);
    expect(reply.status).toBe(testCase.status);
    expect(fake.calls.length).toBe(callsBefore);
    expect(reply.text).not.toContain(TOKEN);
    expect(reply.text).not.toContain('SECRET');
    expect(reply.text.toLowerCase()).not.toContain('access-control-allow-origin');
    if (testCase.status === 405) expect(reply.text).toMatch(/\r\nAllow: [A-Z, ]+\r\n/i);
    tally.answered++;
  });

  it('after all of that, a good request is still answered', async () => {
    const reply = await raw(url, [head(api('getStatus', [`Host: 127.0.0.1:${server.port}`, AUTH, JSON_TYPE]).map((l) => l)), 'null']);
    expect(reply.status).toBe(200);
  });

  it('docs/ui.md quotes the counts of this suite', () => {
    expect(tally.tried).toBe(cases.length);
    const doc = readFileSync(path.resolve(import.meta.dirname, '../../../docs/ui.md'), 'utf8');
    const quoted = /Hostile requests \(`test\/headless\/serve\/hostile\.test\.ts`\): \*\*(\d+) tried, (\d+) answered as documented\*\*/.exec(doc);
    expect(quoted, 'docs/ui.md must quote the hostile-request counts').not.toBeNull();
    expect([Number(quoted![1]), Number(quoted![2])]).toEqual([tally.tried, tally.answered]);
  });
});
