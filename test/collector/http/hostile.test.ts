/**
 * Hostile input: every request here must get its exact status, leave zero rows behind and move
 * exactly its rejection counter. Then a property-based fuzz: no input gets a 5xx or stops the service.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedCollector } from '../../../collector/index';
import { candorReport, head, newId, raw, rejected, scrape, send, sqliteRows, testCollector } from '../support/harness';

const BODY_LIMIT = 100 * 1024;
let c: StartedCollector;
beforeAll(async () => {
  c = await testCollector({ limits: { bodyTimeoutMs: 300, headersTimeoutMs: 500, maxBodyBytes: BODY_LIMIT } });
});
afterAll(() => c.close());

const json = 'application/json';
const valid = () => candorReport();
const withField = (path: string[], value: unknown) => {
  const report = valid();
  let node = report;
  // defineProperty: a key named __proto__ must become data, as JSON.parse would make it.
  const put = (target: Record<string, unknown>, key: string, v: unknown) =>
    Object.defineProperty(target, key, { value: v, enumerable: true, writable: true, configurable: true });
  for (const key of path.slice(0, -1)) {
    const next = Object.hasOwn(node, key) ? node[key] : undefined;
    if (typeof next === 'object' && next !== null && !Array.isArray(next)) node = next as Record<string, unknown>;
    else {
      const fresh = {};
      put(node, key, fresh);
      node = fresh;
    }
  }
  put(node, path.at(-1)!, value);
  return report;
};
const nest = (depth: number, open: string, close: string) => open.repeat(depth) + close.repeat(depth);

/** An export file around `reportText` (its sha256 computed unless given). */
const exportOf = (reportText: string, sha256 = createHash('sha256').update(reportText).digest('hex')) => ({
  candorExport: 1,
  level: 'full',
  categories: ['application', 'system', 'library', 'config'],
  createdAt: new Date().toISOString(),
  sha256,
  report: reportText,
});

type Case =
  | { name: string; status: number; reason: string; method?: string; path?: string; type?: string | null; body?: string | Buffer }
  | { name: string; status: number; reason: string; raw: (string | Buffer | { waitMs: number })[] };

const cases: Case[] = [
  // Method and route
  { name: 'GET /collect', status: 405, reason: 'method', method: 'GET' },
  { name: 'PUT /collect', status: 405, reason: 'method', method: 'PUT', body: JSON.stringify(valid()) },
  { name: 'PATCH /collect', status: 405, reason: 'method', method: 'PATCH', body: '{}' },
  { name: 'DELETE /collect without an id', status: 405, reason: 'method', method: 'DELETE' },
  { name: 'OPTIONS /collect', status: 405, reason: 'method', method: 'OPTIONS' },
  { name: 'CONNECT (a tunnel request)', status: 405, reason: 'method', raw: [head(['CONNECT example.com:443 HTTP/1.1', 'Host: example.com:443'])] },
  {
    name: 'CONNECT with tunnel bytes after the head',
    status: 405,
    reason: 'method',
    raw: [head(['CONNECT 127.0.0.1:22 HTTP/1.1', 'Host: 127.0.0.1:22']), 'SSH-2.0-OpenSSH_9.2\r\n'],
  },
  { name: 'POST to an unknown path', status: 404, reason: 'not-found', path: '/collect.php', body: JSON.stringify(valid()) },
  // Content type
  { name: 'no Content-Type', status: 415, reason: 'content-type', type: null, body: JSON.stringify(valid()) },
  { name: 'text/plain', status: 415, reason: 'content-type', type: 'text/plain', body: JSON.stringify(valid()) },
  { name: 'form encoding', status: 415, reason: 'content-type', type: 'application/x-www-form-urlencoded', body: 'id=1' },
  { name: 'JSON in Latin-1', status: 415, reason: 'content-type', type: 'application/json; charset=latin1', body: JSON.stringify(valid()) },
  { name: 'multipart', status: 415, reason: 'content-type', type: 'multipart/form-data; boundary=x', body: '--x--' },
  { name: 'look-alike type', status: 415, reason: 'content-type', type: 'application/jsonp', body: JSON.stringify(valid()) },
  {
    name: 'gzip-encoded body',
    status: 415,
    reason: 'content-type',
    raw: [head(['POST /collect HTTP/1.1', 'Host: x', 'Content-Type: application/json', 'Content-Encoding: gzip', 'Content-Length: 4']), '\x1f\x8b\x08\x00'],
  },
  // Size
  {
    name: 'declared length over the limit, nothing sent',
    status: 413,
    reason: 'too-large',
    raw: [head(['POST /collect HTTP/1.1', 'Host: x', 'Content-Type: application/json', `Content-Length: ${BODY_LIMIT + 1}`])],
  },
  {
    name: 'body one byte over the limit',
    status: 413,
    reason: 'too-large',
    body: JSON.stringify({ ...valid(), pad: 'x'.repeat(BODY_LIMIT) }).slice(0, BODY_LIMIT + 1),
  },
  {
    name: 'oversized chunked body without a length',
    status: 413,
    reason: 'too-large',
    raw: [
      head(['POST /collect HTTP/1.1', 'Host: x', 'Content-Type: application/json', 'Transfer-Encoding: chunked']),
      ...Array.from({ length: 30 }, () => `2000\r\n${'['.repeat(0x2000)}\r\n`),
      '0\r\n\r\n',
    ],
  },
  // Malformed JSON
  { name: 'empty body', status: 400, reason: 'malformed-json', body: '' },
  { name: 'truncated JSON', status: 400, reason: 'malformed-json', body: JSON.stringify(valid()).slice(0, 60) },
  {
    name: 'byte-order mark',
    status: 400,
    reason: 'malformed-json',
    body: Buffer.concat([Buffer.from([0xef, 0xbb, 0xbf]), Buffer.from(JSON.stringify(valid()))]),
  },
  { name: 'trailing second document', status: 400, reason: 'malformed-json', body: JSON.stringify(valid()) + '{}' },
  { name: 'trailing garbage', status: 400, reason: 'malformed-json', body: JSON.stringify(valid()) + 'x' },
  { name: 'single quotes', status: 400, reason: 'malformed-json', body: "{'id': 'x'}" },
  { name: 'NaN literal', status: 400, reason: 'malformed-json', body: '{"uptime": NaN}' },
  { name: 'comments', status: 400, reason: 'malformed-json', body: '{/* hi */ "uptime": 1}' },
  {
    name: 'invalid UTF-8',
    status: 400,
    reason: 'malformed-json',
    body: Buffer.concat([Buffer.from('{"version":"'), Buffer.from([0xff, 0xfe]), Buffer.from('"}')]),
  },
  { name: 'UTF-16 body', status: 400, reason: 'malformed-json', body: Buffer.from(JSON.stringify(valid()), 'utf16le') },
  // Schema: shape (a value of the right type outside its field's shape costs that field only: odd-values.test.ts)
  { name: 'null document', status: 422, reason: 'schema', body: 'null' },
  { name: 'array document', status: 422, reason: 'schema', body: '[]' },
  { name: 'string document', status: 422, reason: 'schema', body: '"report"' },
  { name: 'number document', status: 422, reason: 'schema', body: '42' },
  { name: 'no id', status: 422, reason: 'schema', body: JSON.stringify({ ...valid(), id: undefined }) },
  { name: 'id not a UUID', status: 422, reason: 'schema', body: JSON.stringify(withField(['id'], 'my-server')) },
  { name: 'id in capitals', status: 422, reason: 'schema', body: JSON.stringify(withField(['id'], '0B0E5A6E-5A5F-4B8E-9D4F-0C1C2D3E4F50')) },
  { name: 'id 50 KB long', status: 422, reason: 'schema', body: JSON.stringify(withField(['id'], 'a'.repeat(50_000))) },
  { name: 'id null', status: 422, reason: 'schema', body: JSON.stringify(withField(['id'], null)) },
  { name: 'library as a list', status: 422, reason: 'schema', body: JSON.stringify(withField(['library'], [1, 2])) },
  { name: 'os null', status: 422, reason: 'schema', body: JSON.stringify(withField(['os'], null)) },
  // Schema: numbers
  { name: 'huge number (1e400)', status: 422, reason: 'schema', body: JSON.stringify(valid()).replace('"uptime":3600', '"uptime":1e400') },
  { name: 'number beyond 2^53', status: 422, reason: 'schema', body: JSON.stringify(valid()).replace('"tracks":12000', '"tracks":9223372036854775807') },
  { name: 'negative count', status: 422, reason: 'schema', body: JSON.stringify(withField(['library', 'tracks'], -1)) },
  { name: 'fractional count', status: 422, reason: 'schema', body: JSON.stringify(withField(['library', 'albums'], 1.5)) },
  { name: 'count as text', status: 422, reason: 'schema', body: JSON.stringify(withField(['library', 'tracks'], '12')) },
  { name: 'zero CPUs', status: 422, reason: 'schema', body: JSON.stringify(withField(['os', 'numCPU'], 0)) },
  // Schema: strings and enums
  { name: 'flag as text', status: 422, reason: 'schema', body: JSON.stringify(withField(['config', 'enableLastFM'], 'true')) },
  { name: 'OS type as a number', status: 422, reason: 'schema', body: JSON.stringify(withField(['os', 'type'], 1)) },
  { name: 'duplicate key, the last one bad', status: 422, reason: 'schema', body: JSON.stringify(valid()).replace(/}$/, ',"uptime":"soon"}') },
  // Schema: maps and lists
  {
    name: 'player map over 100 entries',
    status: 422,
    reason: 'schema',
    body: JSON.stringify(withField(['library', 'activePlayers'], Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`p${i}`, 1])))),
  },
  {
    name: 'suffix map over 200 entries',
    status: 422,
    reason: 'schema',
    body: JSON.stringify(withField(['library', 'fileSuffixes'], Object.fromEntries(Array.from({ length: 201 }, (_, i) => [`s${i}`, 1])))),
  },
  { name: 'plugin entry of the wrong type', status: 422, reason: 'schema', body: JSON.stringify(withField(['plugins'], { p: 'v1' })) },
  { name: 'plugin name as a number', status: 422, reason: 'schema', body: JSON.stringify(withField(['plugins'], { p: { name: 1, version: '1.0.0' } })) },
  { name: 'negative player count', status: 422, reason: 'schema', body: JSON.stringify(withField(['library', 'activePlayers'], { Symfonium: -1 })) },
  { name: 'distro as a list', status: 422, reason: 'schema', body: JSON.stringify(withField(['os', 'distro'], ['debian'])) },
  // Schema: nesting and prototype keys
  {
    name: 'deep nesting in an unknown field (10k)',
    status: 422,
    reason: 'schema',
    body: JSON.stringify(valid()).replace(/}$/, `,"x":${nest(10_000, '[', ']')}}`),
  },
  { name: 'nesting one past the cap', status: 422, reason: 'schema', body: `{"x":${nest(16, '{"a":', '}').replace(/:}/, ':1}')}}` },
  { name: '__proto__ at the top', status: 422, reason: 'schema', body: JSON.stringify(valid()).replace(/^{/, '{"__proto__":{"admin":true},') },
  { name: 'constructor at the top', status: 422, reason: 'schema', body: JSON.stringify(valid()).replace(/^{/, '{"constructor":{"prototype":{}},') },
  { name: 'prototype inside os', status: 422, reason: 'schema', body: JSON.stringify(withField(['os', 'prototype'], {})) },
  { name: '__proto__ inside an unknown field', status: 422, reason: 'schema', body: JSON.stringify(valid()).replace(/}$/, ',"zz":{"__proto__":{}}}') },
  { name: '__proto__ alone beside the id', status: 422, reason: 'schema', body: `{"id":"${newId()}","zz":{"__proto__":{}}}` },
  {
    name: 'constructor deep in an unknown list',
    status: 422,
    reason: 'schema',
    body: JSON.stringify(valid()).replace(/}$/, ',"zz":[1,{"a":{"constructor":1}}]}'),
  },
  { name: 'prototype in an unknown field of os', status: 422, reason: 'schema', body: JSON.stringify(withField(['os', 'kernel'], { prototype: {} })) },
  { name: 'escaped __proto__ in an unknown field', status: 422, reason: 'schema', body: JSON.stringify(valid()).replace(/}$/, ',"zz":{"__pr\\u006fto__":1}}') },
  {
    name: '__proto__ as a map key',
    status: 422,
    reason: 'schema',
    body: JSON.stringify(valid()).replace('"fileSuffixes":{', '"fileSuffixes":{"__proto__":1,'),
  },
  // Export files (air-gapped import)
  { name: 'export file whose sha256 does not match', status: 422, reason: 'schema', body: JSON.stringify(exportOf(JSON.stringify(valid()), 'b'.repeat(64))) },
  {
    name: 'export file hiding __proto__ in its report',
    status: 422,
    reason: 'schema',
    body: JSON.stringify(exportOf(JSON.stringify(valid()).replace(/}$/, ',"zz":{"__proto__":1}}'))),
  },
  { name: 'export file with a report nested too deeply', status: 422, reason: 'schema', body: JSON.stringify(exportOf(`{"x":${nest(40, '[', ']')}}`)) },
  { name: 'export file with a report that is not JSON', status: 400, reason: 'malformed-json', body: JSON.stringify(exportOf('{"id":')) },
  { name: 'export file of version 2', status: 422, reason: 'schema', body: JSON.stringify({ ...exportOf(JSON.stringify(valid())), candorExport: 2 }) },
  {
    name: 'export file made 30 days ago (past the retention)',
    status: 422,
    reason: 'schema',
    body: JSON.stringify({ ...exportOf(JSON.stringify(valid())), createdAt: new Date(Date.now() - 30 * 86_400_000).toISOString() }),
  },
  {
    name: 'export file made tomorrow',
    status: 422,
    reason: 'schema',
    body: JSON.stringify({ ...exportOf(JSON.stringify(valid())), createdAt: new Date(Date.now() + 86_400_000).toISOString() }),
  },
  {
    name: 'export file with a time that is not canonical',
    status: 422,
    reason: 'schema',
    body: JSON.stringify({ ...exportOf(JSON.stringify(valid())), createdAt: new Date().toISOString().replace('Z', '+00:00') }),
  },
  { name: 'export file whose report is a list', status: 422, reason: 'schema', body: JSON.stringify(exportOf('[]')) },
  // Framing and timing
  {
    name: 'slow body',
    status: 408,
    reason: 'timeout',
    raw: [head(['POST /collect HTTP/1.1', 'Host: x', 'Content-Type: application/json', 'Content-Length: 500']), '{"id":', { waitMs: 700 }, '"x"'],
  },
  {
    name: 'slow headers',
    status: 408,
    reason: 'timeout',
    raw: ['POST /collect HTTP/1.1\r\nHost: x\r\n', { waitMs: 400 }, 'Content-Type: application/json\r\n', { waitMs: 2_000 }, 'Content-Length: 2\r\n\r\n{}'],
  },
  {
    name: 'head sent a few bytes at a time (never completing in time)',
    status: 408,
    reason: 'timeout',
    raw: [...'POST /collect HTTP/1.1\r\nHost: x\r\n'.match(/.{1,3}/gs)!.flatMap((bytes) => [bytes, { waitMs: 150 }]), 'Content-Length: 2\r\n\r\n{}'],
  },
  {
    name: 'header block over 8 KiB',
    status: 431,
    reason: 'header-too-large',
    raw: [head(['POST /collect HTTP/1.1', 'Host: x', `X-Pad: ${'a'.repeat(20_000)}`, 'Content-Length: 2']), '{}'],
  },
  {
    name: 'both Content-Length and chunked',
    status: 400,
    reason: 'bad-request',
    raw: [head(['POST /collect HTTP/1.1', 'Host: x', 'Content-Type: application/json', 'Content-Length: 5', 'Transfer-Encoding: chunked']), '0\r\n\r\n'],
  },
  {
    name: 'broken chunk framing',
    status: 400,
    reason: 'bad-request',
    raw: [head(['POST /collect HTTP/1.1', 'Host: x', 'Content-Type: application/json', 'Transfer-Encoding: chunked']), 'zz\r\n{}\r\n0\r\n\r\n'],
  },
  {
    name: 'Content-Length not a number',
    status: 400,
    reason: 'bad-request',
    raw: [head(['POST /collect HTTP/1.1', 'Host: x', 'Content-Type: application/json', 'Content-Length: abc']), '{}'],
  },
  { name: 'not HTTP at all', status: 400, reason: 'bad-request', raw: ['\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03 this is a TLS hello\r\n\r\n'] },
];

/** Inputs sent and inputs answered exactly as documented; docs/collector.md quotes both (checked last). */
const tally = { tried: 0, answered: 0 };
const FUZZ_RUNS = 250;

describe('hostile requests', () => {
  it('the table is as large as the issue asks', () => {
    expect(cases.length).toBeGreaterThanOrEqual(50);
  });

  it.each(cases)('$name -> $status', async (testCase) => {
    tally.tried++;
    const before = await scrape(c.url);
    let status: number;
    if ('raw' in testCase) {
      status = (await raw(c.url, testCase.raw)).status;
    } else {
      const type = testCase.type === undefined ? json : testCase.type;
      const reply = await send(c.url, {
        method: testCase.method ?? 'POST',
        path: testCase.path ?? '/collect',
        headers: type === null ? {} : { 'content-type': type },
        ...(testCase.body !== undefined ? { body: testCase.body } : {}),
      });
      status = reply.status;
      if (reply.status === 422) expect(JSON.parse(reply.body)).toHaveProperty('path');
    }
    expect(status).toBe(testCase.status);
    const after = await scrape(c.url);
    expect(rejected(after, testCase.reason) - rejected(before, testCase.reason)).toBe(1);
    expect(after.get('collector_reports_accepted_total')).toBe(0);
    expect(sqliteRows(c.dataDir!)).toHaveLength(0);
    tally.answered++;
  });

  it('a body the client cuts off is counted as aborted and stores nothing', async () => {
    tally.tried++;
    const before = rejected(await scrape(c.url), 'aborted');
    const result = await raw(c.url, [head(['POST /collect HTTP/1.1', 'Host: x', 'Content-Type: application/json', 'Content-Length: 400']), '{"id":"'], {
      timeoutMs: 100,
    });
    expect(result.status).toBe(0);
    await expect.poll(async () => rejected(await scrape(c.url), 'aborted')).toBe(before + 1);
    expect(sqliteRows(c.dataDir!)).toHaveLength(0);
    tally.answered++;
  });

  it('after all of that, a valid report is still accepted', async () => {
    const reply = await send(c.url, { body: JSON.stringify(valid()), headers: { 'content-type': json } });
    expect(reply.status).toBe(200);
    expect(sqliteRows(c.dataDir!)).toHaveLength(1);
  });
});

describe('fuzz', () => {
  it('no body, type or mutation of a valid report gets a 5xx or stops the service', async () => {
    const leaf = fc.oneof(fc.jsonValue({ maxDepth: 3 }), fc.string({ maxLength: 80 }), fc.double(), fc.bigInt().map(String), fc.constant('__proto__'));
    const pathInReport = fc.array(
      fc.constantFrom('id', 'version', 'os', 'type', 'library', 'tracks', 'fileSuffixes', 'config', 'fs', 'music', 'candor', '__proto__', 'x'),
      { minLength: 1, maxLength: 4 },
    );
    const mutated = fc.tuple(pathInReport, leaf).map(([path, value]) => JSON.stringify(withField(path, value)));
    const body = fc.oneof(
      mutated,
      fc.json({ maxDepth: 6 }),
      fc.string({ maxLength: 300 }),
      fc.uint8Array({ maxLength: 400 }).map((b) => Buffer.from(b)),
    );
    const type = fc.oneof(
      fc.constant(json),
      fc.constant('application/json; charset=utf-8'),
      fc.string({ maxLength: 30 }).filter((s) => /^[\x21-\x7e]*$/.test(s)),
    );
    const okStatuses = new Set([200, 400, 413, 415, 422]);
    await fc.assert(
      fc.asyncProperty(body, type, async (b, t) => {
        tally.tried++;
        const rowsBefore = sqliteRows(c.dataDir!).length;
        const reply = await send(c.url, { body: b, headers: t ? { 'content-type': t } : {} });
        expect(okStatuses.has(reply.status)).toBe(true);
        if (reply.status !== 200) expect(sqliteRows(c.dataDir!).length).toBe(rowsBefore);
        tally.answered++;
      }),
      // No shrinking: every run is one input tried, and a failure fails the suite anyway.
      { numRuns: FUZZ_RUNS, endOnFailure: true },
    );
    expect((await send(c.url, { method: 'GET', path: '/healthz' })).status).toBe(200);
  });
});

describe('docs/collector.md', () => {
  it('quotes the counts of this suite', () => {
    expect(tally.tried).toBe(cases.length + 1 + FUZZ_RUNS);
    const doc = readFileSync(path.resolve(import.meta.dirname, '../../../docs/collector.md'), 'utf8');
    const quoted =
      /Hostile input \(`test\/collector\/http\/hostile\.test\.ts`\): \*\*(\d+) inputs tried, (\d+) answered as documented\*\* \((\d+) crafted requests, (\d+) fuzzed\)/.exec(
        doc,
      );
    expect(quoted, 'docs/collector.md must quote the hostile-input counts').not.toBeNull();
    expect(quoted!.slice(1).map(Number)).toEqual([tally.tried, tally.answered, cases.length + 1, FUZZ_RUNS]);
  });
});
