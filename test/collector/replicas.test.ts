/**
 * The collector as a service: replicas on one PostgreSQL (a throwaway cluster the suite starts, as
 * the conformance suite does), and restarts. Two real `candor-collector` processes share the
 * database: the 5-networks rule holds for three networks posting through both and across a restart
 * of one, and the per-instance daily cap holds across both. Two collectors summarizing and purging
 * at once leave what one leaves, on either store. The store makes one salt per day whoever asks.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { startCollector, type StartedCollector, type StartOptions } from '../../collector/index';
import { DAY_MS, utcDay } from '../../collector/retention';
import { openStore, type StoreConfig } from '../../collector/store/open';
import type { ReportWrite, Store } from '../../collector/store/types';
import { FakeClock } from '../support/fake-clock';
import { candorReport, clusterPerFile, collectorProcesses, getSummary, holdCommits, newId, post, scrape, type Reply } from './support/harness';
import { fleetReport, seededRandom } from './support/fleet';
import { attackerFake, victimReport } from './support/small-group-attack';

const postgres = clusterPerFile();
const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

const spawnCollector = collectorProcesses();
const from = (url: string, report: unknown, address: string) => post(url, report, { 'x-forwarded-for': address });
const statuses = (replies: Reply[]) => replies.map((r) => r.status);
const count = (list: number[], status: number) => list.filter((s) => s === status).length;

async function query<T>(url: string, sql: string, values: unknown[] = []): Promise<T[]> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query(sql, values)).rows as T[];
  } finally {
    await client.end();
  }
}

describe('two collector processes on one PostgreSQL', () => {
  it('count three networks as three, through both and across a restart of one: the victim of a small group stays hidden', async (ctx) => {
    if (!postgres.cluster) return ctx.skip(postgres.skip);
    const url = await postgres.cluster.createDatabase();
    const args = ['--port', '0', '--database-url', url, '--trust-proxy', '127.0.0.1'];
    let a = await spawnCollector([...args, '--name', 'replica-a']);
    const b = await spawnCollector([...args, '--name', 'replica-b']);
    expect((await from(a.url, victimReport(), '198.51.100.7')).status).toBe(200);
    // Two attacker networks, each through both replicas.
    const attack = async (first: string, second: string, round: number) => {
      for (const [replica, network] of [
        [first, '203.0.113'],
        [second, '203.0.113'],
        [first, '192.0.2'],
        [second, '192.0.2'],
      ] as const)
        expect((await from(replica, attackerFake(), `${network}.${10 + round}`)).status).toBe(200);
    };
    await attack(a.url, b.url, 0);
    // One salt for the day: made by the first process, read by the second (each names itself).
    const salts = async (replica: string) => {
      const m = await scrape(replica);
      const name = [...m.keys()].find((k) => k.startsWith('collector_process_info'));
      return [name, m.get('collector_day_salts_total{action="made"}'), m.get('collector_day_salts_total{action="read"}')];
    };
    expect([await salts(a.url), await salts(b.url)]).toEqual([
      ['collector_process_info{process="replica-a"}', 1, 0],
      ['collector_process_info{process="replica-b"}', 0, 1],
    ]);

    a.child.kill('SIGTERM');
    expect((await a.exited).code).toBe(0);
    a = await spawnCollector([...args, '--name', 'replica-a']);
    expect(await salts(a.url)).toEqual(['collector_process_info{process="replica-a"}', 0, 1]);
    await attack(a.url, b.url, 1);

    const today = utcDay(Date.now());
    const sources = await query<{ n: string }>(url, 'SELECT count(DISTINCT source) AS n FROM reports WHERE day = $1', [today]);
    expect(Number(sources[0]!.n)).toBe(3);
    // Each replica publishes its own commits within a pass; the stored summary holds all nine.
    let day = (await getSummary(a.url)).days.at(-1)!;
    await expect.poll(async () => (day = (await getSummary(b.url)).days.at(-1)!).instances, { timeout: 30_000, interval: 200 }).toBe(9);
    expect(JSON.stringify(day)).not.toContain('riscv64');
    expect(day.osArch.values.map((v) => v.value)).not.toContain('linux/riscv64');
    b.child.kill('SIGTERM');
    a.child.kill('SIGTERM');
    expect([(await a.exited).code, (await b.exited).code]).toEqual([0, 0]);
  });

  it('hold the per-instance daily cap between them: one after the other, exactly 10 stored; all at once, never more than 10 in the row', async (ctx) => {
    if (!postgres.cluster) return ctx.skip(postgres.skip);
    const url = await postgres.cluster.createDatabase();
    const args = ['--port', '0', '--database-url', url];
    const [a, b] = await Promise.all([spawnCollector(args), spawnCollector(args)]);
    const writesOf = async (id: string) => Number((await query<{ w: number }>(url, 'SELECT writes AS w FROM reports WHERE instance_id = $1', [id]))[0]?.w ?? 0);

    // In turn, each process believing the other's reports were never sent.
    const inTurn = newId();
    const oneByOne: number[] = [];
    for (let i = 0; i < 16; i++) oneByOne.push((await post(i % 2 ? b.url : a.url, candorReport({ id: inTurn, uptime: i }))).status);
    expect(count(oneByOne, 200)).toBe(10);
    expect(count(oneByOne, 429)).toBe(6);
    expect(await writesOf(inTurn)).toBe(10);

    // At once: 15 through each, on separate connections. A report older than the one its row holds
    // by the time it is written is kept out (answered as any stored report, not counted:
    // replacement.ts), so the answers may say more than the row holds; the row never holds more than 10.
    const atOnce = newId();
    const burst = statuses(await Promise.all(Array.from({ length: 30 }, (_, i) => post(i % 2 ? b.url : a.url, candorReport({ id: atOnce, uptime: i })))));
    expect(count(burst, 200) + count(burst, 429)).toBe(30);
    expect(count(burst, 200)).toBeGreaterThan(0);
    expect(await writesOf(atOnce)).toBeLessThanOrEqual(10);
    b.child.kill('SIGTERM');
    a.child.kill('SIGTERM');
    expect([(await a.exited).code, (await b.exited).code]).toEqual([0, 0]);
  });
});

/** Where one test's data lives: a fresh SQLite folder or a fresh PostgreSQL database. */
const backends: { name: 'sqlite' | 'postgres'; location(): Promise<Pick<StartOptions, 'dataDir' | 'databaseUrl'>> }[] = [
  {
    name: 'sqlite',
    location() {
      const dir = mkdtempSync(path.join(os.tmpdir(), 'collector-replicas-'));
      temps.push(dir);
      return Promise.resolve({ dataDir: dir });
    },
  },
  { name: 'postgres', location: async () => ({ databaseUrl: await postgres.cluster!.createDatabase() }) },
];
/** Two collectors on one store, both closed once `use` is done. */
async function twoCollectors(options: [StartOptions, StartOptions], use: (a: StartedCollector, b: StartedCollector) => Promise<void>): Promise<void> {
  const [a, b] = await Promise.all(options.map((o) => startCollector(o)));
  try {
    await use(a!, b!);
  } finally {
    await a!.close();
    await b!.close();
  }
}
const storeConfig = (where: Pick<StartOptions, 'dataDir' | 'databaseUrl'>): StoreConfig =>
  where.databaseUrl ? { kind: 'postgres', url: where.databaseUrl } : { kind: 'sqlite', dataDir: where.dataDir! };

describe.each(backends)('several collectors on one store: $name', (backend) => {
  const skip = () => backend.name === 'postgres' && postgres.cluster === null;

  /** Reports of five days (two past the retention), from seven networks, as the collector stored them. */
  async function seed(where: Pick<StartOptions, 'dataDir' | 'databaseUrl'>, now: number): Promise<void> {
    const store = await openStore(storeConfig(where));
    try {
      const random = seededRandom(23);
      for (const age of [31, 30, 2, 1, 0]) {
        const day = utcDay(now) - age;
        const batch: ReportWrite[] = Array.from({ length: 40 }, (_, i) => ({
          day,
          instanceId: newId(),
          receivedAt: Math.min(now - age * DAY_MS, day * DAY_MS + 1000 * (i + 1)),
          payload: JSON.stringify(fleetReport(random)),
          count: 1,
          deletionKeyHash: null,
          source: `net-${i % 7}`,
        }));
        await store.writeReports(batch, 10);
      }
    } finally {
      await store.close();
    }
  }
  const outcome = async (store: Store) => ({ rows: await store.countReports(), summaries: await store.summaries(0) });

  it('two summarizing and purging at once leave what one leaves: the same rows, the same summary bytes; the metrics say who did what', async (ctx) => {
    if (skip()) return ctx.skip(postgres.skip);
    const now = Date.UTC(2026, 9, 10, 12);
    const options = (where: Pick<StartOptions, 'dataDir' | 'databaseUrl'>, name: string): StartOptions => ({
      ...where,
      clock: new FakeClock(now),
      heartbeatMs: DAY_MS,
      processName: name,
    });

    const alone = await backend.location();
    await seed(alone, now);
    const one = await startCollector(options(alone, 'alone'));
    await one.collector.maintenance();
    const expected = await outcome(one.collector.store);
    const purgedAlone = one.collector.metrics.purgedRows;
    await one.close();
    expect(purgedAlone).toBe(80);
    expect(expected.rows).toBe(120);

    const shared = await backend.location();
    await seed(shared, now);
    // Both start (each summarizes and purges before its port opens), then both run maintenance at once.
    await twoCollectors([options(shared, 'a'), options(shared, 'b')], async (a, b) => {
      await Promise.all([a.collector.maintenance(), b.collector.maintenance()]);
      expect(await outcome(a.collector.store)).toEqual(expected);
      const [ma, mb] = [a.collector.metrics, b.collector.metrics];
      // Every expired row deleted once, by whichever process held the lease.
      expect(ma.purgedRows + mb.purgedRows).toBe(80);
      expect(ma.purgeRuns.done + mb.purgeRuns.done + ma.purgeRuns.skipped + mb.purgeRuns.skipped).toBe(4);
      expect(ma.summaryPasses.saved + mb.summaryPasses.saved).toBeGreaterThanOrEqual(1);
      const text = await scrape(a.url);
      expect(text.get('collector_process_info{process="a"}')).toBe(1);
      expect(text.get('collector_purge_runs_total{result="done"}')).toBe(ma.purgeRuns.done);
      expect(text.get('collector_summary_passes_total{result="superseded"}')).toBe(ma.summaryPasses.superseded);
    });
  });

  it("learns another process's count of an instance from the store's refusal, and uses the day's remaining places", async (ctx) => {
    if (skip()) return ctx.skip(postgres.skip);
    const where = await backend.location();
    await twoCollectors(
      [
        { ...where, heartbeatMs: DAY_MS },
        { ...where, heartbeatMs: DAY_MS },
      ],
      async (a, b) => {
        const id = newId();
        // b stores seven; then five newer ones wait in a's queue, admitted by a's count (it has seen none).
        for (let i = 0; i < 7; i++) expect((await post(b.url, candorReport({ id }))).status).toBe(200);
        const release = holdCommits(a.collector.store);
        const held = Promise.all(Array.from({ length: 5 }, () => post(a.url, candorReport({ id }))));
        await new Promise((r) => setTimeout(r, 200));
        release();
        const first = statuses(await held);
        // The store never goes past ten, whatever a admitted.
        const storedByA = count(first, 200);
        expect(storedByA).toBeLessThanOrEqual(3);
        const rest: number[] = [];
        for (let i = 0; i < 5; i++) rest.push((await post(a.url, candorReport({ id }))).status);
        expect(storedByA + count(rest, 200)).toBe(3);
        expect((await a.collector.store.findReport(utcDay(Date.now()), id, null))!.writes).toBe(10);
      },
    );
  });

  it('makes one salt per day whoever asks first, never one for a day the deployment has left, and forgets ended days', async (ctx) => {
    if (skip()) return ctx.skip(postgres.skip);
    const where = await backend.location();
    const stores = [await openStore(storeConfig(where)), await openStore(storeConfig(where))];
    try {
      const day = 20_000;
      const fresh = (byte: number) => Buffer.alloc(32, byte);
      const asked = await Promise.all([stores[0]!.daySalt(day, fresh(1)), stores[1]!.daySalt(day, fresh(2)), stores[1]!.daySalt(day, fresh(3))]);
      expect(asked.filter((s) => s!.made)).toHaveLength(1);
      expect(new Set(asked.map((s) => s!.salt.toString('hex'))).size).toBe(1);
      // The next day's salt replaces it; the ended day never gets one again.
      expect((await stores[0]!.daySalt(day + 1, fresh(4)))!.salt).toEqual(fresh(4));
      expect(await stores[1]!.daySalt(day, fresh(5))).toBeNull();
      expect(await stores[0]!.forgetSalts(day + 2)).toBe(true);
      expect((await stores[1]!.daySalt(day + 2, fresh(6)))!.made).toBe(true);

      // A lease: one holder until it expires or is released.
      expect(await stores[0]!.takeLease('purge', 'a', 1_000, 2_000)).toBe(true);
      expect(await stores[1]!.takeLease('purge', 'b', 1_500, 2_500)).toBe(false);
      expect(await stores[0]!.takeLease('purge', 'a', 1_500, 3_000)).toBe(true);
      expect(await stores[1]!.takeLease('purge', 'b', 3_000, 4_000)).toBe(true);
      await stores[1]!.releaseLease('purge', 'b');
      expect(await stores[0]!.takeLease('purge', 'a', 3_100, 4_000)).toBe(true);
    } finally {
      for (const store of stores) await store.close();
    }
  });
});
