/**
 * One conformance suite, two stores: every behaviour the service promises is run against SQLite
 * and against a real PostgreSQL (a throwaway cluster on loopback), and both must produce the same
 * summary bytes from the same reports.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type StartOptions } from '../../collector/index';
import { Metrics } from '../../collector/metrics';
import { PURGE_BATCH, Purger } from '../../collector/purge';
import { DAY_MS, RETENTION_MS, utcDay } from '../../collector/retention';
import { openStore } from '../../collector/store/open';
import { SQLITE_FILE } from '../../collector/store/sqlite';
import type { RawRow, Store } from '../../collector/store/types';
import { FakeClock } from '../support/fake-clock';
import type { Payload } from '../../electron/core/schema/payload';
import { parseJson } from '../support/json';
import { candorReport, newId, newKey, post, send, type SummaryBody } from './support/harness';
import { NAVIDROME_SAMPLES } from './support/navidrome';
import { startCluster, type Cluster } from './support/postgres';

let cluster: Cluster | null = null;
let pgSkip = '';
const temps: string[] = [];
beforeAll(async () => {
  const started = await startCluster();
  if ('skip' in started) pgSkip = started.skip;
  else cluster = started;
}, 90_000);
afterAll(async () => {
  await cluster?.stop();
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

/** Where one test's data lives: a fresh SQLite folder or a fresh PostgreSQL database. */
interface Backend {
  name: 'sqlite' | 'postgres';
  location(): Promise<Pick<StartOptions, 'dataDir' | 'databaseUrl'>>;
}
const backends: Backend[] = [
  {
    name: 'sqlite',
    location() {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'collector-conf-'));
      temps.push(dir);
      return Promise.resolve({ dataDir: dir });
    },
  },
  {
    name: 'postgres',
    async location() {
      return { databaseUrl: await cluster!.createDatabase() };
    },
  },
];

const summaries = new Map<string, string>();
const FIXED_IDS = Array.from({ length: 12 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);

describe.each(backends)('conformance: $name', (backend) => {
  const skip = () => backend.name === 'postgres' && cluster === null;
  const start = async (where: Pick<StartOptions, 'dataDir' | 'databaseUrl'>, options: StartOptions = {}) =>
    startCollector({ ...where, heartbeatMs: DAY_MS, limits: { ipBurst: 1e6, ipRefillPerSecond: 1e6, ...options.limits }, ...options });
  const rows = async (store: Store) => store.countReports();

  it('stores, dedups per UTC day (newest wins), drops unknown fields, caps per instance, deletes on request', async (ctx) => {
    if (skip()) return ctx.skip(pgSkip);
    const clock = new FakeClock(Date.UTC(2026, 4, 1, 9));
    const c = await start(await backend.location(), { clock, limits: { instanceWritesPerDay: 3 } });
    try {
      const store = c.collector.store;
      const id = newId();
      expect((await post(c.url, candorReport({ id, uptime: 1, extra: { x: 1 } }))).status).toBe(200);
      expect((await post(c.url, candorReport({ id, uptime: 2 }))).status).toBe(200);
      expect((await post(c.url, candorReport({ id, uptime: 3 }))).status).toBe(200);
      expect((await post(c.url, candorReport({ id, uptime: 4 }))).status).toBe(429);
      const today = utcDay(clock.now());
      const [row] = await store.readDay(today, null, 10);
      expect(parseJson<Payload>(row!.payload).uptime).toBe(3);
      expect(JSON.parse(row!.payload)).not.toHaveProperty('extra');
      expect(await rows(store)).toBe(1);
      await clock.advance(DAY_MS);
      expect((await post(c.url, candorReport({ id }))).status).toBe(200);
      expect((await post(c.url, NAVIDROME_SAMPLES.docker())).status).toBe(200);
      expect(await rows(store)).toBe(3);
      expect((await send(c.url, { method: 'DELETE', path: `/collect/${id}` })).status).toBe(204);
      expect(await rows(store)).toBe(1);
      const m = c.collector.metrics;
      expect([m.accepted, m.replaced, m.rateLimited.instance, m.deletedRows]).toEqual([5, 2, 1, 2]);
    } finally {
      await c.close();
    }
  });

  it('deletes a protected instance only with its key, and an unprotected one by id alone', async (ctx) => {
    if (skip()) return ctx.skip(pgSkip);
    const clock = new FakeClock(Date.UTC(2026, 4, 1, 9));
    const c = await start(await backend.location(), { clock });
    try {
      const { secret, hash } = newKey();
      const id = newId();
      const report = candorReport({ id });
      const protectedReport = { ...report, candor: { ...(report.candor as object), deletionKeyHash: hash } };
      expect((await post(c.url, candorReport({ id }))).status).toBe(200);
      await clock.advance(DAY_MS);
      expect((await post(c.url, protectedReport)).status).toBe(200);
      const navidrome = newId();
      expect((await post(c.url, NAVIDROME_SAMPLES.docker(navidrome))).status).toBe(200);
      const del = (target: string, key?: string) =>
        send(c.url, { method: 'DELETE', path: `/collect/${target}`, headers: key ? { 'x-candor-deletion-key': key } : {} });
      expect((await del(id)).status).toBe(403);
      expect((await del(id, newKey().secret)).status).toBe(403);
      expect((await del(newId())).status).toBe(403);
      expect(await rows(c.collector.store)).toBe(3);
      expect((await del(id, secret)).status).toBe(204);
      expect((await del(navidrome)).status).toBe(204);
      expect(await rows(c.collector.store)).toBe(0);
    } finally {
      await c.close();
    }
  });

  it('keeps each report’s receipt and shows an instance’s reports to its key only (GET /collect/{id})', async (ctx) => {
    if (skip()) return ctx.skip(pgSkip);
    const clock = new FakeClock(Date.UTC(2026, 4, 1, 9));
    const c = await start(await backend.location(), { clock });
    try {
      const { secret, hash } = newKey();
      const id = newId();
      const base = candorReport({ id });
      const texts: string[] = [];
      for (const uptime of [1, 2]) {
        const text = JSON.stringify({ ...base, uptime, candor: { ...(base.candor as object), deletionKeyHash: hash } }, null, uptime);
        const reply = await send(c.url, { body: text, headers: { 'content-type': 'application/json' } });
        expect(parseJson<{ sha256: string }>(reply.body).sha256).toBe(createHash('sha256').update(text).digest('hex'));
        texts.push(text);
        await clock.advance(DAY_MS);
      }
      const look = (key?: string) => send(c.url, { method: 'GET', path: `/collect/${id}`, headers: key ? { 'x-candor-deletion-key': key } : {} });
      const answer = parseJson<{ reports: { day: string; sha256: string; key: string; report: Payload }[] }>((await look(secret)).body);
      expect(answer.reports.map((r) => [r.day, r.sha256, r.key, r.report.uptime])).toEqual(
        texts.map((t, i) => [`2026-05-0${i + 1}`, createHash('sha256').update(t).digest('hex'), 'this', i + 1]),
      );
      expect((await look()).status).toBe(403);
      expect((await look(newKey().secret)).status).toBe(403);
    } finally {
      await c.close();
    }
  });

  it('keeps one row per day, instance and deletion key: a report replaces only its key’s row, never with an older one', async (ctx) => {
    if (skip()) return ctx.skip(pgSkip);
    const where = await backend.location();
    // A table of the previous schema first, keyed by (day, instance): opening the store moves it to the new key.
    if (where.dataDir) {
      const db = new Database(path.join(where.dataDir, SQLITE_FILE));
      db.exec(`CREATE TABLE reports (day INTEGER NOT NULL, instance_id TEXT NOT NULL, received_at INTEGER NOT NULL, writes INTEGER NOT NULL,
        payload TEXT NOT NULL, deletion_key_hash TEXT, source TEXT, received_sha256 TEXT);
        CREATE UNIQUE INDEX reports_day_instance ON reports (day, instance_id); PRAGMA user_version = 4;`);
      db.close();
    } else {
      const client = new pg.Client({ connectionString: where.databaseUrl });
      await client.connect();
      await client.query(
        'CREATE TABLE reports (day integer NOT NULL, instance_id uuid NOT NULL, received_at bigint NOT NULL, writes integer NOT NULL, payload jsonb NOT NULL, PRIMARY KEY (day, instance_id))',
      );
      await client.end();
    }
    const store = await openStore(where.databaseUrl ? { kind: 'postgres', url: where.databaseUrl } : { kind: 'sqlite', dataDir: where.dataDir! });
    try {
      const id = newId();
      const [a, b] = [newKey(), newKey()];
      const t = Date.UTC(2026, 4, 1, 9);
      const day = utcDay(t);
      const write = (key: string | null, receivedAt: number, uptime: number) => ({
        day,
        instanceId: id,
        receivedAt,
        payload: JSON.stringify({ id, uptime }),
        count: 1,
        deletionKeyHash: key,
        source: null,
      });
      expect(await store.writeReports([write(a.hash, t, 1), write(b.hash, t, 2), write(null, t, 3)], 10)).toEqual(['inserted', 'inserted', 'inserted']);
      expect(await store.writeReports([write(a.hash, t + 1, 4), write(b.hash, t - 1, 5), write(null, t + 1, 6)], 10)).toEqual(['replaced', 'kept', 'replaced']);
      expect(await store.writeReports([write(a.hash, t + 2, 7)], 2)).toEqual(['capped']);
      expect(await store.findReport(day, id, a.hash)).toEqual({ receivedAt: t + 1, writes: 2 });
      expect(await store.findReport(day, id, b.hash)).toEqual({ receivedAt: t, writes: 1 });
      expect(await store.findReport(day, id, null)).toEqual({ receivedAt: t + 1, writes: 2 });
      expect(await store.findReport(day, id, newKey().hash)).toBeNull();
      // Read a page at a time, one row per page: each row once.
      const uptimes: number[] = [];
      for (let after = null as RawRow | null; ;) {
        const page = await store.readDay(day, after, 1);
        if (page.length === 0) break;
        uptimes.push(parseJson<{ uptime: number }>(page[0]!.payload).uptime);
        after = page[0]!;
      }
      expect(uptimes.sort()).toEqual([2, 4, 6]);
      // A's key deletes A's row and the keyless one; B's stays.
      const presented = createHash('sha256').update(Buffer.from(a.secret, 'hex')).digest();
      expect(await store.deleteInstance(id, presented)).toEqual({ allowed: true, removed: 2 });
      expect(await store.instanceKeys(id)).toEqual([{ day, keyHash: b.hash, receivedAt: t, backdated: false }]);
      expect(await store.countReports()).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('purges rows 31 and 30 days old at start-up and keeps the one 29 days old', async (ctx) => {
    if (skip()) return ctx.skip(pgSkip);
    const where = await backend.location();
    const clock = new FakeClock(Date.UTC(2026, 4, 1, 9));
    const ids = [newId(), newId(), newId()];
    let c = await start(where, { clock });
    for (const id of ids) {
      expect((await post(c.url, candorReport({ id }))).status).toBe(200);
      await clock.advance(DAY_MS);
    }
    await c.close();
    // Now: the first report is 31 days old, the second exactly 30, the third 29.
    clock.real = Date.UTC(2026, 4, 1, 9) + RETENTION_MS + DAY_MS;
    c = await start(where, { clock });
    try {
      const store = c.collector.store;
      expect(await rows(store)).toBe(1);
      expect(await store.oldestReceivedAt()).toBe(Date.UTC(2026, 4, 3, 9));
      expect(c.collector.metrics.purgedRows).toBe(2);
    } finally {
      await c.close();
    }
  });

  it('purges in batches until nothing expired is left', async (ctx) => {
    if (skip()) return ctx.skip(pgSkip);
    const where = await backend.location();
    const store = await openStore(where.databaseUrl ? { kind: 'postgres', url: where.databaseUrl } : { kind: 'sqlite', dataDir: where.dataDir! });
    try {
      const old = Date.UTC(2026, 0, 1);
      const n = PURGE_BATCH * 2 + 17;
      const payload = JSON.stringify({ id: newId(), pad: 'x'.repeat(400) });
      for (let i = 0; i < n; i += 1000) {
        const batch = Array.from({ length: Math.min(1000, n - i) }, () => ({
          day: utcDay(old),
          instanceId: newId(),
          receivedAt: old,
          payload,
          count: 1,
          deletionKeyHash: null,
          source: null,
        }));
        expect((await store.writeReports(batch, 10)).every((o) => o === 'inserted')).toBe(true);
      }
      await store.writeReports(
        [{ day: utcDay(old) + 20, instanceId: newId(), receivedAt: old + 20 * DAY_MS, payload, count: 1, deletionKeyHash: null, source: null }],
        10,
      );
      const clock = new FakeClock(old + RETENTION_MS + DAY_MS);
      const purged = await new Purger(store, clock, new Metrics(), { log: () => {} }).run();
      expect(purged).toBe(n);
      expect(await store.countReports()).toBe(1);
    } finally {
      await store.close();
    }
  });

  it('summarizes a fixed set of reports into the same bytes (compared across stores below)', async (ctx) => {
    if (skip()) return ctx.skip(pgSkip);
    const clock = new FakeClock(Date.UTC(2026, 4, 1, 0, 5));
    const c = await start(await backend.location(), { clock, heartbeatMs: 3_600_000 });
    clock.afterTimer = () => c.collector.idle();
    try {
      const samples = Object.values(NAVIDROME_SAMPLES);
      for (const [i, id] of FIXED_IDS.entries()) {
        const report = i % 2 === 0 ? samples[i % samples.length]!(id) : candorReport({ id, version: `0.5${i % 3}.0 (abc)` });
        expect((await post(c.url, report)).status).toBe(200);
      }
      await clock.advance(DAY_MS);
      const body = (await send(c.url, { method: 'GET', path: '/api/summary' })).body;
      const day = parseJson<SummaryBody>(body).days[0];
      expect(day).toMatchObject({ day: '2026-05-01', final: true, instances: 12 });
      summaries.set(backend.name, body);
    } finally {
      await c.close();
    }
  });
});

describe('conformance across stores', () => {
  it('SQLite and PostgreSQL give byte-identical summaries', (ctx) => {
    if (cluster === null) return ctx.skip(pgSkip);
    expect(summaries.get('sqlite')).toBeDefined();
    expect(summaries.get('postgres')).toBe(summaries.get('sqlite'));
  });

  it('SQLite gives purged space back to the file system', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'collector-vacuum-'));
    temps.push(dir);
    const store = await openStore({ kind: 'sqlite', dataDir: dir });
    const old = Date.UTC(2026, 0, 1);
    const payload = JSON.stringify({ pad: 'x'.repeat(2_000) });
    await store.writeReports(
      Array.from({ length: 3_000 }, () => ({ day: utcDay(old), instanceId: newId(), receivedAt: old, payload, count: 1, deletionKeyHash: null, source: null })),
      10,
    );
    await store.reclaimSpace();
    const full = statSync(path.join(dir, SQLITE_FILE)).size;
    await new Purger(store, new FakeClock(old + RETENTION_MS), new Metrics(), { log: () => {} }).run();
    const after = statSync(path.join(dir, SQLITE_FILE)).size;
    await store.close();
    expect(full).toBeGreaterThan(5_000_000);
    expect(after).toBeLessThan(full / 10);
  });
});
