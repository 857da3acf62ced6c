/**
 * The collector at fleet scale (`npm run bench -- fleet`, or `npm run bench:scale`): a store holding
 * 30 days of 100,000 instances (3 million rows), on SQLite and on PostgreSQL (a throwaway server
 * started from Debian's binaries, as the conformance tests do). The size is a parameter:
 * CANDOR_SCALE_DAYS, CANDOR_SCALE_INSTANCES, CANDOR_SCALE_STORES=sqlite,postgres.
 *
 * Per store:
 * 1. seeds the days before today straight into the store, and has the summaries follow them
 *    offline: summarizing speed, and the longest a summary pass kept the event loop (what a request
 *    would wait) next to a full recount of one day (what every pass cost before the feed);
 * 2. starts the real collector on that store (pinned to CPU 0, the load on CPU 1) and sends today's
 *    reports of the whole fleet: a closed-loop burst (reports/s), then the rest at a fixed 2,000/s
 *    (p50/p99/max from each request's due time, and the server's longest event-loop stall) while
 *    the summaries follow; then how long they took to hold every report after the last answer;
 * 3. times the dashboard and /api/summary, measures the disk per million rows, and purges the
 *    oldest day (its 100,000 rows), timing the whole purge and its longest batch.
 * Same run, for comparison: the simple receiver of bench/collector.ts at the same fixed rate.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { Metrics } from '../collector/metrics';
import { realClock } from '../collector/platform';
import { Purger } from '../collector/purge';
import { DAY_MS, dayStart, utcDay } from '../collector/retention';
import { openStore, type StoreConfig } from '../collector/store/open';
import type { ReportWrite, RowCursor, Store } from '../collector/store/types';
import { DayTally } from '../collector/summary/aggregate';
import { Summarizer } from '../collector/summary/summarizer';
import type { Payload } from '../shared/schema/payload';
import { FakeClock } from '../test/support/fake-clock';
import { fleetReport, seededId, seededRandom } from '../test/collector/support/fleet';
import { startCluster, type Cluster } from '../test/collector/support/postgres';
import { closedLoopOf, Connection, fixedRate, reportRequest, round, type FixedRateResult } from './ingest/load';
import { BASELINE_SERVER, canPin, startServer, stopServer } from './ingest/servers';
import { summariesFollow, timeGet, todayInstances } from './collector-reads';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const noLog = { log: () => {} };

export interface ScaleOptions {
  days: number;
  instances: number;
  stores: ('sqlite' | 'postgres')[];
  rate: number;
  connections: number;
}

export function scaleOptions(env: NodeJS.ProcessEnv = process.env): ScaleOptions {
  const stores = (env.CANDOR_SCALE_STORES ?? 'sqlite,postgres').split(',').filter((s): s is 'sqlite' | 'postgres' => s === 'sqlite' || s === 'postgres');
  return {
    days: Number(env.CANDOR_SCALE_DAYS ?? 30),
    instances: Number(env.CANDOR_SCALE_INSTANCES ?? 100_000),
    stores,
    rate: 2_000,
    connections: 50,
  };
}

export interface ScaleFigures {
  store: 'sqlite' | 'postgres';
  rows: number;
  seedSeconds: number;
  /** Rows per second the summaries take in, offline, and the longest event-loop stall of those passes. */
  summarizeRowsPerSecond: number;
  summaryPassStallMs: number;
  /** One day counted again from its rows at once: what every summary pass cost before the feed. */
  fullRecountSeconds: number;
  burstReportsPerSecond: number;
  fixed: FixedRateResult;
  serverStallMs: number;
  summaryFollowMs: number | null;
  summaryComplete: boolean;
  /** The collector's commits its summaries counted from the reports in hand, and read back from the feed. */
  commitsCountedInHand: number;
  commitsReadFromFeed: number;
  dashboard: { medianMs: number; maxMs: number };
  apiSummary: { medianMs: number; maxMs: number };
  bytesPerMillionRows: number;
  purge: { rows: number; seconds: number; longestBatchMs: number };
  loadAverage: string;
}

/** One server of the fleet: its id, and the network it reports from (several servers share some). */
interface Server {
  id: string;
  network: number;
}

const fleetOf = (instances: number): Server[] =>
  Array.from({ length: instances }, (_, i) => ({ id: seededId(seededRandom(i + 1)), network: Math.floor(seededRandom(-i - 1)() * instances * 0.8) }));
const reportOf = (server: Server, i: number, day: number) => fleetReport(seededRandom(day * 1_000_003 + i), server.id);
const addressOf = (network: number) => `10.${(network >> 16) & 255}.${(network >> 8) & 255}.${1 + (network % 250)}`;
const loadAverage = () =>
  os
    .loadavg()
    .map((l) => l.toFixed(2))
    .join(' ');

async function seed(store: Store, fleet: Server[], days: number[]): Promise<number> {
  let rows = 0;
  for (const day of days) {
    for (let i = 0; i < fleet.length; i += 1_000) {
      const batch: ReportWrite[] = fleet.slice(i, i + 1_000).map((server, j) => ({
        day,
        instanceId: server.id,
        receivedAt: dayStart(day) + 1 + Math.floor(((i + j) / fleet.length) * (DAY_MS - 2)),
        payload: JSON.stringify(reportOf(server, i + j, day)),
        count: 1,
        deletionKeyHash: null,
        source: `seed-${day}-${server.network}`,
      }));
      await store.writeReports(batch, 10);
      rows += batch.length;
    }
  }
  return rows;
}

/** The summaries catch up with everything seeded, as the collector's passes would, here without their pauses. */
async function catchUp(store: Store): Promise<{ seconds: number; stallMs: number }> {
  const summarizer = new Summarizer(store, realClock, noLog);
  const stalls = monitorEventLoopDelay({ resolution: 1 });
  stalls.enable();
  const started = performance.now();
  // Asked as the collector's heartbeat asks (two small reads): pendingDays() reads every pending row.
  while (await summarizer.behind()) await summarizer.refresh();
  const seconds = (performance.now() - started) / 1000;
  stalls.disable();
  if ((await store.pendingDays()) > 0) throw new Error('the summaries did not take in every seeded row');
  return { seconds, stallMs: stalls.max / 1e6 };
}

/** What every pass did before the feed: the whole day read and counted again. */
async function fullRecount(store: Store, day: number): Promise<number> {
  const started = performance.now();
  const tally = new DayTally();
  let after: RowCursor | null = null;
  for (;;) {
    const rows = await store.readDay(day, after, 2_000);
    for (const row of rows) tally.add(JSON.parse(row.payload) as Payload, row.source);
    if (rows.length < 2_000) break;
    const last = rows[rows.length - 1]!;
    after = { instanceId: last.instanceId, keySlot: last.keySlot };
  }
  tally.result({ day, final: true, incomplete: [] });
  return (performance.now() - started) / 1000;
}

async function diskBytes(config: StoreConfig): Promise<number> {
  if (config.kind === 'sqlite') {
    return readdirSync(config.dataDir)
      .filter((f) => f.startsWith('collector.sqlite'))
      .reduce((sum, f) => sum + statSync(path.join(config.dataDir, f)).size, 0);
  }
  const client = new pg.Client({ connectionString: config.url });
  await client.connect();
  try {
    const { rows } = await client.query<{ size: string }>('SELECT pg_database_size(current_database()) AS size');
    return Number(rows[0]!.size);
  } finally {
    await client.end();
  }
}

/** Purges the oldest seeded day (the clock moved so all of it, and nothing after it, has expired). */
async function purgeOldest(config: StoreConfig, oldest: number): Promise<ScaleFigures['purge']> {
  const store = await openStore(config);
  try {
    let longest = 0;
    const purgeBatch = store.purgeBatch.bind(store);
    store.purgeBatch = async (...args) => {
      const started = performance.now();
      try {
        return await purgeBatch(...args);
      } finally {
        longest = Math.max(longest, performance.now() - started);
      }
    };
    const started = performance.now();
    const rows = await new Purger(store, new FakeClock(dayStart(oldest + 31)), new Metrics(), noLog).run();
    return { rows, seconds: (performance.now() - started) / 1000, longestBatchMs: longest };
  } finally {
    await store.close();
  }
}

async function scaleRun(kind: 'sqlite' | 'postgres', options: ScaleOptions, pinned: boolean, log: (line: string) => void): Promise<ScaleFigures> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-scale-'));
  let cluster: Cluster | null = null;
  try {
    let config: StoreConfig;
    if (kind === 'sqlite') config = { kind, dataDir: path.join(dir, 'data') };
    else {
      const started = await startCluster();
      if ('skip' in started) throw new Error(started.skip);
      cluster = started;
      config = { kind, url: await cluster.createDatabase() };
    }
    const today = utcDay(Date.now());
    const seeded = Array.from({ length: options.days - 1 }, (_, i) => today - options.days + 1 + i);
    const fleet = fleetOf(options.instances);

    const store = await openStore(config);
    const seedStarted = performance.now();
    const rows = await seed(store, fleet, seeded);
    const seedSeconds = (performance.now() - seedStarted) / 1000;
    const caught = await catchUp(store);
    const fullRecountSeconds = await fullRecount(store, seeded[seeded.length - 1]!);
    await store.close();
    log(
      `${kind}: ${rows} rows seeded in ${seedSeconds.toFixed(0)} s; summaries took them in at ${Math.round(rows / caught.seconds)} rows/s, ` +
        `longest stall ${caught.stallMs.toFixed(1)} ms; one day counted again at once: ${fullRecountSeconds.toFixed(2)} s`,
    );

    const env: Record<string, string> = config.kind === 'sqlite' ? { BENCH_DIR: config.dataDir } : { BENCH_DATABASE_URL: config.url };
    const server = await startServer(['--import=tsx', path.join(root, 'bench/collector-server.ts')], env, pinned);
    const url = `http://127.0.0.1:${server.port}`;
    const stalls: number[] = [];
    let commits = { inHand: NaN, feed: NaN };
    server.child.stdout!.on('data', (chunk: Buffer) => {
      for (const m of chunk.toString().matchAll(/^stall ([\d.]+)$/gm)) stalls.push(Number(m[1]));
      for (const m of chunk.toString().matchAll(/^commits (\d+) (\d+)$/gm)) commits = { inHand: Number(m[1]), feed: Number(m[2]) };
    });
    try {
      const conns = Array.from({ length: options.connections }, () => new Connection(server.port));
      await Promise.all(conns.map((c) => c.ready()));
      let next = 0;
      const request = () => {
        const i = next++ % fleet.length;
        return reportRequest(JSON.stringify(reportOf(fleet[i]!, i, today)), addressOf(fleet[i]!.network));
      };
      const burstMs = Math.min(5_000, (options.instances / 4 / options.rate) * 1000);
      const burst = await closedLoopOf(conns, request, burstMs);
      server.child.kill('SIGUSR2');
      const fixed = await fixedRate(conns, request, options.rate, Math.max(0, fleet.length - next));
      server.child.kill('SIGUSR2');
      const lastAnswer = performance.now();
      for (const c of conns) c.close();
      const followed = await summariesFollow(url, 300_000);
      const summaryFollowMs = followed === null ? null : performance.now() - lastAnswer;
      const summaryComplete = (await todayInstances(url)) === options.instances;
      const dashboard = await timeGet(url, '/', 10);
      const apiSummary = await timeGet(url, '/api/summary', 10);
      server.child.kill('SIGUSR2');
      await new Promise((r) => setTimeout(r, 200));
      const figures = {
        burstReportsPerSecond: Math.round(burst.ok / (burstMs / 1000)),
        fixed,
        // The second report: the longest stall during the fixed rate (the first closed the burst).
        serverStallMs: stalls[1] ?? NaN,
        summaryFollowMs,
        summaryComplete,
        commitsCountedInHand: commits.inHand,
        commitsReadFromFeed: commits.feed,
        dashboard,
        apiSummary,
      };
      log(
        `${kind}: burst ${figures.burstReportsPerSecond} reports/s; at ${options.rate}/s p50 ${round(fixed.p50)} / p99 ${round(fixed.p99)} / max ${round(fixed.max)} ms, ` +
          `errors ${burst.errors + fixed.errors}, server stall ${figures.serverStallMs} ms; summaries followed ` +
          `${summaryFollowMs === null ? 'NOT within 300 s' : `${Math.round(summaryFollowMs)} ms`} after the last answer (${summaryComplete ? 'all' : 'NOT all'} counted; ` +
          `commits counted in hand ${commits.inHand}, read from the feed ${commits.feed}); ` +
          `/ ${round(dashboard.medianMs)} ms, /api/summary ${round(apiSummary.medianMs)} ms (median of 10)`,
      );
      await stopServer(server.child);
      const bytes = await diskBytes(config);
      const total = rows + options.instances;
      const purge = await purgeOldest(config, seeded[0]!);
      log(
        `${kind}: ${(bytes / 2 ** 20).toFixed(0)} MiB for ${total} rows; purge of the oldest day: ${purge.rows} rows in ${purge.seconds.toFixed(2)} s, longest batch ${round(purge.longestBatchMs)} ms`,
      );
      return {
        store: kind,
        rows: total,
        seedSeconds,
        summarizeRowsPerSecond: Math.round(rows / caught.seconds),
        summaryPassStallMs: round(caught.stallMs),
        fullRecountSeconds: round(fullRecountSeconds),
        ...figures,
        bytesPerMillionRows: Math.round((bytes / total) * 1e6),
        purge,
        loadAverage: loadAverage(),
      };
    } finally {
      if (server.child.exitCode === null) await stopServer(server.child);
    }
  } finally {
    await cluster?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The simple receiver of bench/collector.ts at the same fixed rate, on an empty file: this run's floor. */
async function baseline(options: ScaleOptions, pinned: boolean): Promise<FixedRateResult> {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-scale-base-'));
  const server = await startServer([BASELINE_SERVER], { BENCH_ROOT: root, BENCH_DB: path.join(dir, 'baseline.sqlite') }, pinned);
  try {
    // The fleet first: connections left idle while it is made would pass the server's keep-alive time.
    const fleet = fleetOf(Math.min(options.instances, 20_000));
    const conns = Array.from({ length: options.connections }, () => new Connection(server.port));
    await Promise.all(conns.map((c) => c.ready()));
    let next = 0;
    const request = () => {
      const i = next++ % fleet.length;
      return reportRequest(JSON.stringify(reportOf(fleet[i]!, i, 0)), addressOf(fleet[i]!.network));
    };
    const result = await fixedRate(conns, request, options.rate, options.rate * 10);
    for (const c of conns) c.close();
    return result;
  } finally {
    await stopServer(server.child);
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function benchCollectorScale(
  options: ScaleOptions = scaleOptions(),
  log: (line: string) => void = (l) => process.stdout.write(l + '\n'),
): Promise<ScaleFigures[]> {
  const pinned = canPin();
  log(
    `fleet: ${options.days} days x ${options.instances} instances per store (${options.stores.join(', ')}); ${os.cpus().length} CPUs (${os.cpus()[0]?.model ?? '?'}), ` +
      `Node ${process.version}, collector ${pinned ? 'pinned to CPU 0, load on CPU 1' : 'NOT pinned'}; PostgreSQL not pinned; load average ${loadAverage()}`,
  );
  const base = await baseline(options, pinned);
  log(`baseline (simple receiver, empty SQLite file) at ${options.rate}/s: p50 ${round(base.p50)} / p99 ${round(base.p99)} / max ${round(base.max)} ms`);
  const results: ScaleFigures[] = [];
  for (const kind of options.stores) results.push(await scaleRun(kind, options, pinned, log));
  const table = [
    [
      '',
      'rows',
      'burst/s',
      'p50 ms',
      'p99 ms',
      'max ms',
      'stall ms',
      'follow s',
      'pass stall ms',
      'recount s',
      '/ ms',
      'summary ms',
      'MiB/1M rows',
      'purge s',
      'load',
    ],
    ['baseline', '', '', round(base.p50), round(base.p99), round(base.max), '', '', '', '', '', '', '', '', ''],
    ...results.map((r) => [
      r.store,
      r.rows,
      r.burstReportsPerSecond,
      round(r.fixed.p50),
      round(r.fixed.p99),
      round(r.fixed.max),
      r.serverStallMs,
      r.summaryFollowMs === null ? 'never' : round(r.summaryFollowMs / 1000),
      r.summaryPassStallMs,
      r.fullRecountSeconds,
      round(r.dashboard.medianMs),
      round(r.apiSummary.medianMs),
      round(r.bytesPerMillionRows / 2 ** 20, 0),
      round(r.purge.seconds),
      r.loadAverage,
    ]),
  ].map((row) => row.map(String));
  const widths = table[0]!.map((_, i) => Math.max(...table.map((row) => row[i]!.length)));
  for (const row of table) log(row.map((cell, i) => cell.padStart(widths[i]!)).join('  '));
  return results;
}

const invokedDirectly = process.argv[1] !== undefined && existsSync(process.argv[1]) && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  await benchCollectorScale();
  process.exit(0);
}
