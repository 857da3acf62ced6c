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
import { afterAll, describe, expect, it } from 'vitest';
import { startCollector, type StartOptions } from '../../../collector/index';
import { Metrics } from '../../../collector/metrics';
import { PURGE_BATCH, Purger } from '../../../collector/purge';
import { DAY_MS, RETENTION_MS, utcDay } from '../../../collector/retention';
import { openStore } from '../../../collector/store/open';
import { IMPORT_SOURCE } from '../../../collector/source-tag';
import { SQLITE_FILE } from '../../../collector/store/sqlite';
import type { RawRow, Store } from '../../../collector/store/types';
import { onlyAdded, Writer, type AddedRows } from '../../../collector/writer';
import { summarizeDay } from '../../../collector/summary/aggregate';
import { Summarizer } from '../../../collector/summary/summarizer';
import type { DaySummary } from '../../../collector/summary/types';
import fc from 'fast-check';
import { FakeClock } from '../../support/fake-clock';
import type { Payload } from '../../../shared/schema/payload';
import { parseJson } from '../../support/json';
import { candorReport, captureLogger, clusterPerFile, newId, newKey, post, send, type SummaryBody } from '../support/harness';
import { NAVIDROME_SAMPLES } from '../support/navidrome';
import { fleetReport, seededId, seededRandom } from '../support/fleet';

const postgres = clusterPerFile();
const temps: string[] = [];
afterAll(() => {
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
      return { databaseUrl: await postgres.cluster!.createDatabase() };
    },
  },
];

const summaries = new Map<string, string>();
const FIXED_IDS = Array.from({ length: 12 }, (_, i) => `00000000-0000-4000-8000-${String(i).padStart(12, '0')}`);

describe.each(backends)('conformance: $name', (backend) => {
  const skip = () => backend.name === 'postgres' && postgres.cluster === null;
  const start = async (where: Pick<StartOptions, 'dataDir' | 'databaseUrl'>, options: StartOptions = {}) =>
    startCollector({ ...where, heartbeatMs: DAY_MS, limits: { ipBurst: 1e6, ipRefillPerSecond: 1e6, ...options.limits }, ...options });
  const rows = async (store: Store) => store.countReports();

  it('stores, dedups per UTC day (newest wins), drops unknown fields, caps per instance, deletes on request', async (ctx) => {
    if (skip()) return ctx.skip(postgres.skip);
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
    if (skip()) return ctx.skip(postgres.skip);
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
    if (skip()) return ctx.skip(postgres.skip);
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
    if (skip()) return ctx.skip(postgres.skip);
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
      const first = await store.writeReports([write(a.hash, t, 1), write(b.hash, t, 2), write(null, t, 3)], 10);
      expect(first.outcomes).toEqual(['inserted', 'inserted', 'inserted']);
      // Each commit takes the next feed number, and says which (the writer hands it to the summaries).
      expect(await store.writeReports([write(a.hash, t + 1, 4), write(b.hash, t - 1, 5), write(null, t + 1, 6)], 10)).toEqual({
        seq: first.seq! + 1,
        outcomes: ['replaced', 'kept', 'replaced'],
      });
      expect(await store.writeReports([write(a.hash, t + 2, 7)], 2)).toEqual({ seq: first.seq! + 2, outcomes: ['capped'] });
      expect((await store.feedState()).head).toBe(first.seq! + 2);
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

  it('takes a store of the schema before the feed (one row per day, instance and key; days marked dirty) and its summaries follow on', async (ctx) => {
    if (skip()) return ctx.skip(postgres.skip);
    const where = await backend.location();
    const clock = new FakeClock(Date.UTC(2026, 4, 2, 12));
    const today = utcDay(clock.now());
    const id = newId();
    const [a, b] = [newKey(), newKey()];
    // Yesterday: the instance's rows under key a, key b and none; today: four other instances.
    const seeded = [
      ...[a.hash, b.hash, null].map((key, i) => ({ day: today - 1, id, key, at: (today - 1) * DAY_MS + 3_600_000, seed: i, source: `net-${i}` })),
      ...[0, 1, 2, 3].map((i) => ({
        day: today,
        id: newId(),
        key: null,
        at: today * DAY_MS + 1_000,
        seed: 10 + i,
        source: i === 3 ? IMPORT_SOURCE : `net-${i}`,
      })),
    ].map((r) => ({ ...r, payload: JSON.stringify(fleetReport(seededRandom(r.seed), r.id)) }));
    if (where.dataDir) {
      const db = new Database(path.join(where.dataDir, SQLITE_FILE));
      db.exec(`CREATE TABLE reports (day INTEGER NOT NULL, instance_id TEXT NOT NULL, received_at INTEGER NOT NULL, writes INTEGER NOT NULL,
          payload TEXT NOT NULL, deletion_key_hash TEXT, source TEXT, received_sha256 TEXT);
        CREATE UNIQUE INDEX reports_day_instance_key ON reports (day, instance_id, ifnull(deletion_key_hash, ''));
        CREATE TABLE dirty_days (day INTEGER PRIMARY KEY, version INTEGER NOT NULL);
        CREATE TABLE summaries (day INTEGER PRIMARY KEY, final INTEGER NOT NULL, body TEXT NOT NULL);
        CREATE TABLE runs (started_at INTEGER PRIMARY KEY, alive_at INTEGER NOT NULL);
        PRAGMA user_version = 5;`);
      const insert = db.prepare('INSERT INTO reports VALUES (?, ?, ?, 1, ?, ?, ?, NULL)');
      for (const r of seeded) insert.run(r.day, r.id, r.at, r.payload, r.key, r.source);
      db.prepare('INSERT INTO dirty_days VALUES (?, 3)').run(today);
      db.close();
    } else {
      const client = new pg.Client({ connectionString: where.databaseUrl });
      await client.connect();
      await client.query(`CREATE TABLE reports (day integer NOT NULL, instance_id uuid NOT NULL, received_at bigint NOT NULL, writes integer NOT NULL,
          payload jsonb NOT NULL, deletion_key_hash text, source text, received_sha256 text);
        CREATE UNIQUE INDEX reports_day_instance_key ON reports (day, instance_id, (coalesce(deletion_key_hash, '')));
        CREATE TABLE dirty_days (day integer PRIMARY KEY, version bigint NOT NULL);
        CREATE TABLE summaries (day integer PRIMARY KEY, final boolean NOT NULL, body text NOT NULL);
        CREATE TABLE runs (started_at bigint PRIMARY KEY, alive_at bigint NOT NULL);`);
      for (const r of seeded)
        await client.query('INSERT INTO reports VALUES ($1, $2, $3, 1, $4::jsonb, $5, $6, NULL)', [r.day, r.id, r.at, r.payload, r.key, r.source]);
      await client.query('INSERT INTO dirty_days VALUES ($1, 3)', [today]);
      await client.end();
    }
    const store = await openStore(where.databaseUrl ? { kind: 'postgres', url: where.databaseUrl } : { kind: 'sqlite', dataDir: where.dataDir! });
    const logger = captureLogger();
    const summarizer = new Summarizer(store, clock, logger, { pageSize: 2 });
    /** Every day's published summary is what counting its rows at once publishes. */
    const followed = async () => {
      for (let i = 0; i < 5 && (await store.pendingDays()) > 0; i++) await summarizer.refresh();
      expect(await store.pendingDays()).toBe(0);
      for (const day of [today - 1, today]) {
        const rows = await store.readDay(day, null, 100);
        const published = JSON.parse((await store.summaries(day, day))[0]!.body) as DaySummary;
        const recounted = summarizeDay(
          rows.map((r) => ({ report: JSON.parse(r.payload) as Payload, source: r.source })),
          { day, final: published.final, incomplete: published.incomplete },
        );
        expect(published).toEqual(recounted);
        expect(published.instances).toBe(rows.length);
      }
    };
    try {
      // Both days are counted from their rows once: the store had no feed to follow.
      expect(await store.pendingDays()).toBe(2);
      await followed();
      // Then each key's row goes its own way: a's replaced, b's older report kept out, b's key deletes b's and the keyless row.
      const write = (key: string, receivedAt: number, seed: number) => ({
        day: today - 1,
        instanceId: id,
        receivedAt,
        payload: JSON.stringify(fleetReport(seededRandom(seed), id)),
        count: 1,
        deletionKeyHash: key,
        source: 'net-9',
      });
      const at = (today - 1) * DAY_MS + 3_600_000;
      expect((await store.writeReports([write(a.hash, at + 1, 20), write(b.hash, at - 1, 21)], 10)).outcomes).toEqual(['replaced', 'kept']);
      await followed();
      expect(await store.deleteInstance(id, createHash('sha256').update(Buffer.from(b.secret, 'hex')).digest())).toEqual({ allowed: true, removed: 2 });
      await followed();
      expect((await store.readDay(today - 1, null, 100)).map((r) => r.keySlot)).toEqual([a.hash]);
      expect(logger.lines.filter((line) => line.startsWith('warn'))).toEqual([]);
    } finally {
      await store.close();
    }
    if (where.dataDir) {
      const db = new Database(path.join(where.dataDir, SQLITE_FILE), { readonly: true });
      expect(db.pragma('user_version', { simple: true })).toBe(6);
      db.close();
    }
  });

  it('purges rows 31 and 30 days old at start-up and keeps the one 29 days old', async (ctx) => {
    if (skip()) return ctx.skip(postgres.skip);
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
    if (skip()) return ctx.skip(postgres.skip);
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
        expect((await store.writeReports(batch, 10)).outcomes.every((o) => o === 'inserted')).toBe(true);
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
    if (skip()) return ctx.skip(postgres.skip);
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

/**
 * Few instances over two days: most commits replace a row, and commits land while a pass reads the
 * same rows. An instance's rows of a day are one per key slot (none, or one of its two keys), a
 * report made earlier than its row's is kept out (written again as it was), and some rows come from
 * imports (no source).
 */
const INSTANCES = Array.from({ length: 10 }, (_, i) => seededId(seededRandom(i + 1)));
const KEYS = INSTANCES.map(() => [newKey(), newKey()] as const);
const key = fc.record({ instance: fc.nat(9), day: fc.nat(1), slot: fc.nat(2), at: fc.nat(3), seed: fc.nat(), network: fc.nat(7) });
const rowOf = (k: { day: number; instance: number; slot: number }) => `${k.day}/${k.instance}/${k.slot}`;
const feedOps = fc.array(
  fc.oneof(
    {
      weight: 5,
      arbitrary: fc.record({
        kind: fc.constant('write' as const),
        keys: fc.uniqueArray(key, { minLength: 1, maxLength: 6, selector: rowOf }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), instance: fc.nat(9), slot: fc.nat(2) }) },
    {
      weight: 2,
      arbitrary: fc.record({
        kind: fc.constant('pass' as const),
        by: fc.constantFrom(0 as const, 1 as const),
        during: fc.uniqueArray(key, { maxLength: 6, selector: rowOf }),
      }),
    },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('recount' as const), day: fc.nat(1) }) },
  ),
  { minLength: 1, maxLength: 40 },
);

/** Another connection to a backend's store: another process. */
const openAt = (where: Pick<StartOptions, 'dataDir' | 'databaseUrl'>) =>
  openStore(where.databaseUrl ? { kind: 'postgres', url: where.databaseUrl } : { kind: 'sqlite', dataDir: where.dataDir! });

/** Each of `days` is published as counting its rows again publishes (or neither has anything). */
async function expectPublishedAsRecounted(store: Store, days: number[]): Promise<void> {
  for (const day of days) {
    const rows = await store.readDay(day, null, 1_000);
    const stored = (await store.summaries(day, day))[0];
    if (rows.length === 0 && !stored) continue;
    const published = JSON.parse(stored!.body) as DaySummary;
    const context = { day, final: published.final, incomplete: published.incomplete };
    expect(published).toEqual(
      summarizeDay(
        rows.map((r) => ({ report: JSON.parse(r.payload) as Payload, source: r.source })),
        context,
      ),
    );
  }
}

describe.each(backends)('summaries follow the rows: $name', (backend) => {
  it('a pass after random writes, replacements, kept-out reports and deletions, by two processes, publishes what counting every day again publishes', async (ctx) => {
    if (backend.name === 'postgres' && postgres.cluster === null) return ctx.skip(postgres.skip);
    const clock = new FakeClock(Date.UTC(2026, 4, 2, 12));
    const today = utcDay(clock.now());
    const outcomes = new Set<string>();
    let countedInHand = 0;
    /** A process's writer: its commits that only added rows are handed to its own summarizer (writer.ts). */
    const write = async (
      store: Store,
      summarizer: Summarizer,
      keys: { instance: number; day: number; slot: number; at: number; seed: number; network: number }[],
    ) => {
      const batch = keys.map((k) => {
        const stored = fleetReport(seededRandom(k.seed), INSTANCES[k.instance]) as Payload;
        return {
          day: today - k.day,
          instanceId: INSTANCES[k.instance]!,
          receivedAt: (today - k.day) * DAY_MS + 1000 + k.at * 60_000,
          payload: JSON.stringify(stored),
          stored,
          count: 1,
          deletionKeyHash: k.slot === 0 ? null : KEYS[k.instance]![k.slot - 1]!.hash,
          // Network 0: a row from before source tags existed; 7: an import (no source).
          source: k.network === 0 ? null : k.network === 7 ? IMPORT_SOURCE : `net-${k.network}`,
        };
      });
      const commit = await store.writeReports(batch, 1_000);
      for (const outcome of commit.outcomes) outcomes.add(outcome);
      const added = onlyAdded(commit, batch);
      if (added) summarizer.counted(added);
    };
    /** Slot 0 presents no key (allowed only while the instance has no keyed row), 1 and 2 its keys. */
    const presented = (instance: number, slot: number) =>
      slot === 0
        ? null
        : createHash('sha256')
            .update(Buffer.from(KEYS[instance]![slot - 1]!.secret, 'hex'))
            .digest();
    await fc.assert(
      fc.asyncProperty(feedOps, async (ops) => {
        const where = await backend.location();
        // Two processes on one store: each its own connection and its own summarizer (and cache).
        const stores = [await openAt(where), await openAt(where)] as const;
        const logger = captureLogger();
        const onCounted = (how: 'in-hand' | 'feed', n: number) => void (how === 'in-hand' && (countedInHand += n));
        const summarizers = [
          new Summarizer(stores[0], clock, logger, { pageSize: 2, onCounted }),
          new Summarizer(stores[1], clock, logger, { pageSize: 2, onCounted }),
        ] as const;
        try {
          for (const op of ops) {
            if (op.kind === 'write') await write(stores[0], summarizers[0], op.keys);
            else if (op.kind === 'delete') await stores[1].deleteInstance(INSTANCES[op.instance]!, presented(op.instance, op.slot));
            else if (op.kind === 'recount') await stores[0].markForRecount([today - op.day]);
            else {
              // Commits land between the pages of a pass (it yields after each page of two rows).
              const writes = (async () => {
                for (const k of op.during) {
                  await new Promise((r) => setImmediate(r));
                  await write(stores[1], summarizers[1], [k]);
                }
              })();
              await Promise.all([summarizers[op.by].refresh(), writes]);
            }
          }
          // Until every commit and every asked recount is in (one recount per pass).
          for (let i = 0; i < 10 && (await stores[0].pendingDays()) > 0; i++) await summarizers[i % 2]!.refresh();
          expect(await stores[0].pendingDays()).toBe(0);
          // Never by the way of a recount: a tally that does not add up is a fault of the feed.
          expect(logger.lines.filter((line) => line.startsWith('warn'))).toEqual([]);
          await expectPublishedAsRecounted(stores[0], [today - 1, today]);
        } finally {
          for (const store of stores) await store.close();
        }
      }),
      { numRuns: backend.name === 'postgres' ? 12 : 25 },
    );
    // The runs wrote rows of every kind: a row's own key replaced it, or its newer report kept an older one out.
    expect([...outcomes].sort()).toEqual(['inserted', 'kept', 'replaced']);
    // And commits were counted from the reports in hand, not only read from the feed.
    expect(countedInHand).toBeGreaterThan(0);
  }, 120_000);
});

/** A process's writer at work: reports of 60 instances over two days, deletions, passes, and another process's commits. */
const report = fc.record({ instance: fc.nat(59), day: fc.nat(1), at: fc.nat(3), seed: fc.nat(), network: fc.nat(4) });
const writerOps = fc.array(
  fc.oneof(
    { weight: 6, arbitrary: fc.record({ kind: fc.constant('reports' as const), reports: fc.array(report, { minLength: 1, maxLength: 9 }) }) },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('pass' as const), during: fc.array(report, { maxLength: 6 }) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('delete' as const), instance: fc.nat(59) }) },
    { weight: 1, arbitrary: fc.record({ kind: fc.constant('elsewhere' as const), report }) },
  ),
  { minLength: 1, maxLength: 40 },
);

describe.each(backends)('summaries count the writer’s own commits in hand: $name', (backend) => {
  it('counted at once or read from the feed, every day publishes what counting it again publishes', async (ctx) => {
    if (backend.name === 'postgres' && postgres.cluster === null) return ctx.skip(postgres.skip);
    const clock = new FakeClock(Date.UTC(2026, 4, 2, 12));
    const today = utcDay(clock.now());
    const ids = Array.from({ length: 60 }, (_, i) => seededId(seededRandom(100 + i)));
    const pending = (r: { instance: number; day: number; at: number; seed: number; network: number }) => {
      const stored = fleetReport(seededRandom(r.seed), ids[r.instance]) as Payload;
      const payload = JSON.stringify(stored);
      const day = today - r.day;
      return {
        day,
        instanceId: ids[r.instance]!,
        receivedAt: day * DAY_MS + 1000 + r.at * 60_000,
        payload,
        stored,
        deletionKeyHash: null,
        source: `net-${r.network}`,
        receivedSha256: '0'.repeat(64),
      };
    };
    let commits = 0;
    let countedInHand = 0;
    await fc.assert(
      fc.asyncProperty(writerOps, async (ops) => {
        const where = await backend.location();
        const store = await openAt(where);
        const other = await openAt(where);
        const logger = captureLogger();
        const summarizer = new Summarizer(store, clock, logger, { pageSize: 3, onCounted: (how, n) => void (how === 'in-hand' && (countedInHand += n)) });
        const onCommit = (_earliest: number | null, added: AddedRows | null) => {
          commits++;
          if (added) summarizer.counted(added);
          summarizer.markDirty();
        };
        const writer = new Writer(store, { capacity: 1_000, maxBatch: 4, instanceWritesPerDay: 1_000, onCommit }, new Metrics(), logger, clock);
        const enqueue = (r: Parameters<typeof pending>[0]) => writer.enqueueReport(pending(r))!;
        try {
          for (const op of ops) {
            if (op.kind === 'reports') await Promise.all(op.reports.map(enqueue));
            else if (op.kind === 'delete') await writer.enqueueDelete(ids[op.instance]!, null);
            else if (op.kind === 'elsewhere') await other.writeReports([{ ...pending(op.report), count: 1 }], 1_000);
            else {
              // The writer commits while the pass runs between its pages: those commits wait for it.
              const during = (async () => {
                for (const r of op.during) {
                  await new Promise((resolve) => setImmediate(resolve));
                  await enqueue(r);
                }
              })();
              await Promise.all([summarizer.refresh(), during]);
            }
          }
          await writer.drain();
          for (let i = 0; i < 5 && (await store.pendingDays()) > 0; i++) await summarizer.refresh();
          expect(await store.pendingDays()).toBe(0);
          expect(logger.lines.filter((line) => line.startsWith('warn'))).toEqual([]);
          await expectPublishedAsRecounted(store, [today - 1, today]);
        } finally {
          await other.close();
          await store.close();
        }
      }),
      { numRuns: backend.name === 'postgres' ? 8 : 25 },
    );
    // Commits were counted from the reports in hand; the rest (replacements, deletions, commits after
    // one of those or another process's, a day not opened yet) were read from the feed.
    expect(countedInHand).toBeGreaterThan(0);
    expect(countedInHand).toBeLessThan(commits);
  }, 120_000);
});

describe('conformance across stores', () => {
  it('SQLite and PostgreSQL give byte-identical summaries', (ctx) => {
    if (postgres.cluster === null) return ctx.skip(postgres.skip);
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
    while (await store.reclaimSpace());
    const full = statSync(path.join(dir, SQLITE_FILE)).size;
    await new Purger(store, new FakeClock(old + RETENTION_MS), new Metrics(), { log: () => {} }).run();
    const after = statSync(path.join(dir, SQLITE_FILE)).size;
    await store.close();
    expect(full).toBeGreaterThan(5_000_000);
    expect(after).toBeLessThan(full / 10);
  });
});
