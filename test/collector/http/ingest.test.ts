import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { FakeClock } from '../../support/fake-clock';
import { DAY_MS } from '../../../collector/retention';
import type { Payload } from '../../../shared/schema/payload';
import { parseJson } from '../../support/json';
import { candorReport, collectorsPerTest, getSummary, holdCommits, newId, post, rejected, scrape, send, sqliteRows, testCollector } from '../support/harness';
import { NAVIDROME_SAMPLES } from '../support/navidrome';

const { start } = collectorsPerTest();

describe('POST /collect', () => {
  it('stores a valid report, answers 200 only after the commit, and drops unknown fields', async () => {
    const c = await start();
    const report = candorReport({ futureField: { nested: [1, 2, 3] } });
    const reply = await post(c.url, { ...report, os: { ...(report.os as object), kernelFlavour: 'new' } });
    expect(reply.status).toBe(200);
    // The 200 has been sent: the row is already readable by another connection.
    const rows = sqliteRows(c.dataDir!);
    expect(rows).toHaveLength(1);
    const stored = parseJson<Payload>(rows[0]!.payload);
    expect(stored.id).toBe(report.id);
    expect(stored).not.toHaveProperty('futureField');
    expect(stored.os).not.toHaveProperty('kernelFlavour');
    expect(stored.library?.tracks).toBe(12_000);
  });

  it('accepts nesting up to the cap (16) in a field it does not know, and drops the field', async () => {
    const c = await start();
    const nested = `${'{"a":'.repeat(15)}1${'}'.repeat(15)}`; // 15 levels inside the report's own object
    const body = JSON.stringify(candorReport()).replace(/}$/, `,"fromTheFuture":${nested}}`);
    const reply = await send(c.url, { body, headers: { 'content-type': 'application/json' } });
    expect(reply.status).toBe(200);
    expect(sqliteRows(c.dataDir!)[0]!.payload).not.toContain('fromTheFuture');
  });

  it('refuses a forbidden key hidden in a field it would drop, naming the path without echoing the unknown name', async () => {
    const c = await start();
    const body = `{"id":"${newId()}","secretName":{"list":[{"constructor":{}}]}}`;
    const reply = await send(c.url, { body, headers: { 'content-type': 'application/json' } });
    expect(reply.status).toBe(422);
    expect(JSON.parse(reply.body)).toMatchObject({ error: 'schema', path: '*.*[*].constructor', message: 'forbidden key' });
    expect(reply.body).not.toContain('secretName');
    expect(sqliteRows(c.dataDir!)).toHaveLength(0);
  });

  it('does not answer before the commit: a held commit holds the 200', async () => {
    const c = await start();
    const store = c.collector.store;
    const release = holdCommits(store);
    let answered = false;
    const reply = post(c.url, candorReport()).then((r) => ((answered = true), r));
    await new Promise((r) => setTimeout(r, 200));
    expect(answered).toBe(false);
    expect(sqliteRows(c.dataDir!)).toHaveLength(0);
    release();
    expect((await reply).status).toBe(200);
    expect(sqliteRows(c.dataDir!)).toHaveLength(1);
  });

  it('uses only the server clock: receive time and day come from it, not from anything the client says', async () => {
    const clock = new FakeClock(Date.UTC(2026, 2, 10, 23, 59, 0));
    const c = await start({ clock });
    await post(c.url, candorReport(), { date: 'Mon, 01 Jan 2001 00:00:00 GMT' });
    const [row] = sqliteRows(c.dataDir!);
    expect(row!.received_at).toBe(clock.now());
    expect(row!.day).toBe(Math.floor(clock.now() / DAY_MS));
  });

  it('keeps one row per instance per UTC day, the newest report winning, and a new row the next day', async () => {
    const clock = new FakeClock(Date.UTC(2026, 2, 10, 8));
    const c = await start({ clock });
    const id = newId();
    expect((await post(c.url, candorReport({ id, uptime: 1 }))).status).toBe(200);
    await clock.advance(3600_000);
    expect((await post(c.url, candorReport({ id, uptime: 2 }))).status).toBe(200);
    let rows = sqliteRows(c.dataDir!);
    expect(rows).toHaveLength(1);
    expect(parseJson<Payload>(rows[0]!.payload).uptime).toBe(2);
    const m = await scrape(c.url);
    expect(m.get('collector_reports_accepted_total')).toBe(2);
    expect(m.get('collector_reports_replaced_total')).toBe(1);

    await clock.advance(DAY_MS);
    expect((await post(c.url, candorReport({ id, uptime: 3 }))).status).toBe(200);
    rows = sqliteRows(c.dataDir!);
    expect(rows.map((r) => parseJson<Payload>(r.payload).uptime)).toEqual([2, 3]);
  });

  it('collapses duplicates that land in one batch: the last one wins', async () => {
    const c = await start();
    const id = newId();
    const replies = await Promise.all([1, 2, 3, 4, 5].map((uptime) => post(c.url, candorReport({ id, uptime }))));
    expect(replies.map((r) => r.status)).toEqual([200, 200, 200, 200, 200]);
    const rows = sqliteRows(c.dataDir!);
    expect(rows).toHaveLength(1);
    expect(rows[0]!.writes).toBe(5);
    const m = await scrape(c.url);
    expect(m.get('collector_reports_accepted_total')).toBe(5);
    expect(m.get('collector_reports_replaced_total')).toBe(4);
  });

  it.each(Object.entries(NAVIDROME_SAMPLES))('accepts a real Navidrome report (%s) and summarizes it', async (_name, make) => {
    const c = await start();
    const report = make();
    const reply = await post(c.url, report);
    expect(JSON.parse(reply.body)).toEqual({ status: 'stored', sha256: createHash('sha256').update(JSON.stringify(report)).digest('hex') });
    expect(reply.status).toBe(200);
    const { days } = await getSummary(c.url);
    expect(days).toHaveLength(1);
    const day = days[0]!;
    expect(day.instances).toBe(1);
    // One server is counted everywhere it answered, and published nowhere on its own.
    expect(day.agents).toEqual({ reported: 1, values: [{ value: 'Other', count: 1 }] });
    expect(day.osArch.reported).toBe(1);
    // Navidrome omits false flags: its config object still answers every flag.
    const lastfm = day.features.find((f) => f.flag === 'enableLastFM')!;
    expect(lastfm).toEqual({ flag: 'enableLastFM', enabled: null, reported: 1 });
  });

  it('summarizes a mixed day of Candor and Navidrome reports with correct denominators', async () => {
    const c = await start({ trustProxy: ['127.0.0.1'] });
    let network = 0;
    const from = (report: unknown) => post(c.url, report, { 'x-forwarded-for': `192.0.${network++}.1` });
    for (let i = 0; i < 6; i++) expect((await from(NAVIDROME_SAMPLES.docker())).status).toBe(200);
    // Candor could not read the config: the flags are unknown, not false.
    for (let i = 0; i < 5; i++) expect((await from(candorReport({ config: undefined }))).status).toBe(200);
    const day = (await getSummary(c.url)).days[0]!;
    expect(day.instances).toBe(11);
    expect(day.agents.values).toEqual([
      { value: 'navidrome', count: 6 },
      { value: 'candor', count: 5 },
    ]);
    expect(day.features.find((f) => f.flag === 'enableLastFM')).toEqual({ flag: 'enableLastFM', enabled: 6, reported: 6 });
    expect(day.versions.values).toEqual([{ value: '0.58.0', count: 11 }]);
    expect(day.library.tracks!.reported).toBe(11);
    expect(day.library.tracks!.bins.filter((b) => b.count !== null)).toEqual([
      { label: '10k–20k', from: 10_000, count: 5 },
      { label: '20k–50k', from: 20_000, count: 6 },
    ]);
  });
});

describe('DELETE /collect/{id}', () => {
  it('removes every raw row of an instance without a deletion key, across days (204); an id with nothing stored gets 403', async () => {
    const clock = new FakeClock(Date.UTC(2026, 2, 10, 8));
    const c = await start({ clock });
    const id = newId();
    const other = newId();
    await post(c.url, candorReport({ id }));
    await clock.advance(DAY_MS);
    await post(c.url, candorReport({ id }));
    await post(c.url, candorReport({ id: other }));
    expect(sqliteRows(c.dataDir!)).toHaveLength(3);
    expect((await send(c.url, { method: 'DELETE', path: `/collect/${id}` })).status).toBe(204);
    expect(sqliteRows(c.dataDir!).map((r) => r.instance_id)).toEqual([other]);
    // Nothing left under the id: the same refusal as a wrong key (docs/collector.md, "Deletion on request").
    expect((await send(c.url, { method: 'DELETE', path: `/collect/${id}` })).status).toBe(403);
    expect((await send(c.url, { method: 'DELETE', path: '/collect/not-an-id' })).status).toBe(400);
    expect((await scrape(c.url)).get('collector_deleted_rows_total')).toBe(2);
    // Today's summary is recomputed without the deleted instance.
    const days = (await getSummary(c.url)).days;
    expect(days.at(-1)!.instances).toBe(1);
  });
});

describe('abuse protection', () => {
  it('caps stored writes per instance per UTC day with 429 and a Retry-After until midnight', async () => {
    const clock = new FakeClock(Date.UTC(2026, 2, 10, 18));
    const c = await start({ clock, limits: { instanceWritesPerDay: 3 } });
    const id = newId();
    for (let i = 0; i < 3; i++) expect((await post(c.url, candorReport({ id }))).status).toBe(200);
    const limited = await post(c.url, candorReport({ id }));
    expect(limited.status).toBe(429);
    expect(limited.headers['retry-after']).toBe(String(6 * 3600));
    // Another instance behind the same address is not affected.
    expect((await post(c.url, candorReport())).status).toBe(200);
    await clock.advance(6 * 3600_000);
    expect((await post(c.url, candorReport({ id }))).status).toBe(200);
    const m = await scrape(c.url);
    expect(m.get('collector_rate_limited_total{scope="instance"}')).toBe(1);
  });

  it('limits one address loosely: a burst of distinct servers behind one NAT passes, a flood gets 429', async () => {
    const clock = new FakeClock();
    const c = await start({ clock, limits: { ipBurst: 20, ipRefillPerSecond: 1 } });
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await post(c.url, candorReport())).status);
    expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(20).every((s) => s === 429)).toBe(true);
    const limited = await post(c.url, candorReport());
    expect(Number(limited.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    await clock.advance(5_000);
    expect((await post(c.url, candorReport())).status).toBe(200);
    expect(sqliteRows(c.dataDir!)).toHaveLength(21);
  });

  it('believes X-Forwarded-For only from a configured proxy', async () => {
    const clock = new FakeClock();
    // Not trusted: forged headers do not buy a fresh bucket.
    const plain = await start({ clock, limits: { ipBurst: 2, ipRefillPerSecond: 0.001 } });
    const forged = (n: number) => post(plain.url, candorReport(), { 'x-forwarded-for': `198.51.100.${n}`, 'x-real-ip': `198.51.100.${n}` });
    expect([(await forged(1)).status, (await forged(2)).status, (await forged(3)).status]).toEqual([200, 200, 429]);

    // Trusted proxy: each forwarded client has its own bucket; IPv6 clients share theirs per /64.
    const proxied = await start({ clock, trustProxy: ['127.0.0.0/8'], limits: { ipBurst: 1, ipRefillPerSecond: 0.001 } });
    const via = (xff: string) => post(proxied.url, candorReport(), { 'x-forwarded-for': xff });
    expect((await via('198.51.100.1')).status).toBe(200);
    expect((await via('198.51.100.2')).status).toBe(200);
    expect((await via('198.51.100.1')).status).toBe(429);
    // The left part of the header is the client's to forge; the right-most untrusted hop counts.
    expect((await via('203.0.113.9, 198.51.100.2')).status).toBe(429);
    expect((await via('2001:db8:1:2::1')).status).toBe(200);
    expect((await via('2001:db8:1:2:ffff::7')).status).toBe(429);
    expect((await via('2001:db8:1:3::1')).status).toBe(200);
  });

  it('answers 503 with Retry-After when the write queue is full, and stores nothing for it', async () => {
    const c = await start({ limits: { queueCapacity: 2 } });
    // Hold the writer: the store's commit waits until released.
    const store = c.collector.store;
    const release = holdCommits(store);
    const first = post(c.url, candorReport()); // taken by the writer, waiting on the gate
    await new Promise((r) => setTimeout(r, 50));
    const queued = [post(c.url, candorReport()), post(c.url, candorReport())];
    await new Promise((r) => setTimeout(r, 50));
    const refused = await post(c.url, candorReport());
    expect(refused.status).toBe(503);
    expect(refused.headers['retry-after']).toBe('60');
    release();
    expect((await Promise.all([first, ...queued])).map((r) => r.status)).toEqual([200, 200, 200]);
    expect(sqliteRows(c.dataDir!)).toHaveLength(3);
    expect(rejected(await scrape(c.url), 'queue-full')).toBe(1);
  });

  it('answers 503 (not a client error, and not a crash) when the store fails a commit', async () => {
    const c = await start();
    c.collector.store.writeReports = () => Promise.reject(new Error('disk on fire'));
    const reply = await post(c.url, candorReport());
    expect(reply.status).toBe(503);
    expect(reply.body).not.toContain('fire');
    expect((await send(c.url, { method: 'GET', path: '/healthz' })).status).toBe(200);
  });
});

describe('address limiter memory', () => {
  it('stays bounded under a flood of fresh addresses and keeps limiting the recent ones', async () => {
    const { AddressLimiter } = await import('../../../collector/rate-limit');
    const limiter = new AddressLimiter(new FakeClock(), 2, 0.001, 1_000);
    for (let i = 0; i < 20_000; i++) limiter.take(`10.${i >> 16}.${(i >> 8) & 255}.${i & 255}`);
    expect(limiter.tracked).toBeLessThanOrEqual(1_000);
    expect(limiter.take('192.0.2.1').ok).toBe(true);
    expect(limiter.take('192.0.2.1').ok).toBe(true);
    expect(limiter.take('192.0.2.1')).toEqual({ ok: false, retryAfterSeconds: 1000 });
  });
});

/** Values real Navidrome servers send that an earlier, narrower schema refused (whole reports got 422). */
describe('real Navidrome values the schema once refused', () => {
  const withValue = (patch: (r: Record<string, unknown>) => void) => {
    const r = NAVIDROME_SAMPLES.docker();
    patch(r);
    return r;
  };
  /** One of the sample's objects (library, config, build, os), to change a value inside it. */
  const part = (r: Record<string, unknown>, key: string) => r[key] as Record<string, unknown>;
  const gaps: [string, Record<string, unknown>][] = [
    // core/players.go names web players "<client> [<browser>/<OS>]"; CountByClient reports that name.
    [
      'the web UI player name "NavidromeUI [Firefox/Linux]"',
      withValue((r) => (part(r, 'library').activePlayers = { 'NavidromeUI [Firefox/Linux]': 1, Symfonium: 1 })),
    ],
    // LogLevel is sent as configured; Navidrome itself parses it case-insensitively.
    ['logLevel "DEBUG"', withValue((r) => (part(r, 'config').logLevel = 'DEBUG'))],
    // Plugin manifests name plugins in words ("Crypto Ticker", "Discord Rich Presence (Rust)").
    ['a plugin named "Crypto Ticker"', withValue((r) => (r.plugins = { 'crypto-ticker': { name: 'Crypto Ticker', version: '1.0.0' } }))],
    ['a Go version with experiments', withValue((r) => (part(r, 'build').goVersion = 'go1.25.0 X:jsonv2'))],
    ['the raw Windows version text', withValue((r) => (part(r, 'os').version = 'Microsoft Windows [Version 10.0.19045.5247]'))],
  ];
  it.each(gaps)('accepts %s', async (_what, report) => {
    const c = await testCollector();
    try {
      expect((await post(c.url, report)).status).toBe(200);
    } finally {
      await c.close();
    }
  });
});
