/**
 * The composition root: wires store, writer, limiters, maintenance (maintenance.ts: the timers),
 * the read routes (http/read-routes.ts) and ingest into one server, and owns the shutdown order.
 */
import { randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { OddValuePolicy } from '../shared/schema/dsl';
import { InstanceAdmissions, uncountedAdmissions } from './admission';
import { ProxyTrust } from './http/client-address';
import type { IngestContext } from './http/ingest';
import { createReadHandlers } from './http/read-routes';
import { createHttpServer } from './http/server';
import { DEFAULT_LIMITS, type Limits } from './limits';
import { createMaintenance } from './maintenance';
import { Metrics } from './metrics';
import { realClock, type CollectorClock, type Logger } from './platform';
import { Purger } from './purge';
import { AddressLimiter } from './rate-limit';
import { utcDay } from './retention';
import { SourceTagger } from './source-tag';
import type { Store } from './store/types';
import { Summarizer } from './summary/summarizer';
import { Writer } from './writer';

export interface CollectorOptions {
  store: Store;
  host?: string;
  port?: number;
  /** Proxies whose X-Forwarded-For is believed (CIDRs or addresses). */
  trustProxy?: readonly string[];
  clock?: CollectorClock;
  logger?: Logger;
  limits?: Partial<Limits>;
  /** GET /api/summary and / recompute pending days when the last pass is older than this. */
  summaryMaxAgeMs?: number;
  purgeIntervalMs?: number;
  heartbeatMs?: number;
  /** Names this process in `/metrics`, its start-up line and the leases it takes; default 8 random hex digits. */
  processName?: string;
  /** Benchmark only: false leaves the per-instance cap to the store alone, to measure what counting costs. */
  countAdmissions?: boolean;
  /** Benchmark only: 'refuse' reads reports strictly (any odd value refuses the report), to measure what normalizing costs. */
  oddValues?: OddValuePolicy;
}

export interface Collector {
  url: string;
  port: number;
  store: Store;
  metrics: Metrics;
  /** Runs summaries + purge now (what the timers do). */
  maintenance(): Promise<void>;
  /** Resolves when the work started by timers so far has finished (tests with a fake clock await it). */
  idle(): Promise<void>;
  /** Stops listening, answers what is in flight, commits the queue, closes the store. */
  close(): Promise<void>;
}

/** A stored report shows in the summaries within about this long (longer only when passes are slow). */
export const DEFAULT_SUMMARY_MAX_AGE_MS = 1_000;

export async function createCollector(options: CollectorOptions): Promise<Collector> {
  const { store } = options;
  const clock = options.clock ?? realClock;
  const logger = options.logger ?? { log: () => {} };
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const summaryMaxAgeMs = options.summaryMaxAgeMs ?? DEFAULT_SUMMARY_MAX_AGE_MS;
  const trust = new ProxyTrust(options.trustProxy ?? []);
  const metrics = new Metrics();
  // Random by default: /metrics is public, and a host name says more about the operator than needed.
  const processName = options.processName ?? randomBytes(4).toString('hex');
  metrics.process = processName;
  // Unique even when two replicas are given one name: a lease must tell its holders apart.
  const leaseHolder = `${processName}/${randomBytes(4).toString('hex')}`;
  const run = { startedAt: clock.now(), aliveAt: clock.now() };
  const summarizer = new Summarizer(store, clock, logger, {
    runningSince: run.startedAt,
    onPass: (saved) => metrics.summaryPasses[saved ? 'saved' : 'superseded']++,
    onCounted: (how, commits) => (metrics.summaryCommits[how === 'in-hand' ? 'inHand' : 'feed'] += commits),
  });
  // The day's source salt lives in the store for its day only: one for every process, the same after
  // a restart. Salts of days that ended while no process ran are deleted before the port opens.
  const sources = new SourceTagger(async (day) => {
    const found = await store.daySalt(day, randomBytes(32));
    if (found) metrics.daySalts[found.made ? 'made' : 'read']++;
    return found?.salt ?? null;
  }, clock);
  const forgetEndedSalts = () =>
    store.forgetSalts(utcDay(clock.now())).then(
      (done) => {
        if (!done) logger.log('warn', 'an ended day salt may remain in the write-ahead log until the next try', { store: store.kind });
      },
      () => logger.log('error', 'ended day salts not deleted yet', { store: store.kind }),
    );
  const purger = new Purger(store, clock, metrics, logger);
  const maintenance = createMaintenance({
    store,
    clock,
    logger,
    summarizer,
    purge: () => purger.runUnderLease(leaseHolder),
    sources,
    forgetEndedSalts,
    run,
    purgeIntervalMs: options.purgeIntervalMs ?? 3_600_000,
    heartbeatMs: options.heartbeatMs ?? 60_000,
    summaryMaxAgeMs,
  });
  const writer = new Writer(
    store,
    {
      capacity: limits.queueCapacity,
      maxBatch: limits.maxBatch,
      instanceWritesPerDay: limits.instanceWritesPerDay,
      minCommitIntervalMs: limits.minCommitIntervalMs,
      onCommit: (earliestWritten, added) => maintenance.afterCommit(earliestWritten, added),
    },
    metrics,
    logger,
    clock,
  );
  await store.saveRun(run);
  await forgetEndedSalts();

  // No summary of an earlier format, which could hold exact values of small groups, is ever served.
  await summarizer.upgradeStored();
  // Start-up purge happens before the port opens: nothing expired is ever served or kept past a restart.
  await maintenance.pass();
  await maintenance.start();

  const read = createReadHandlers({
    store,
    limits,
    metrics,
    clock,
    queueDepth: () => writer.depth,
    summaries: async (days) => {
      await summarizer.ensureFresh(summaryMaxAgeMs);
      return (await store.summaries(utcDay(clock.now()) - days + 1)).map((s) => s.body);
    },
  });

  const inFlight = { count: 0 };
  const ingest: IngestContext = {
    limits,
    writer,
    store,
    addresses: new AddressLimiter(clock, limits.ipBurst, limits.ipRefillPerSecond, limits.ipMaxTracked),
    admissions: options.countAdmissions === false ? uncountedAdmissions(clock) : new InstanceAdmissions(store, clock, limits.instanceWritesPerDay),
    sources,
    trust,
    metrics,
    clock,
    inFlight,
    oddValues: options.oddValues ?? 'drop',
  };
  // Today's counts are read before the port opens: a day of 100,000 rows read while serving would
  // hold the first request for tens of milliseconds. A failure is tried again at the first report.
  await ingest.admissions
    .ready({ day: utcDay(clock.now()), instanceId: '', deletionKeyHash: null })
    ?.catch(() => logger.log('warn', 'admission counts not read yet', { store: store.kind }));
  // So is today's salt (made now if this process is the day's first).
  await sources.ready(clock.now())?.catch(() => logger.log('warn', "today's source salt not read yet", { store: store.kind }));
  const server = createHttpServer({ limits, ingest, read, metrics, logger, clock });
  await listen(server, options.host ?? '127.0.0.1', options.port ?? 0);
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  const url = `http://${host}:${address.port}`;

  let closed: Promise<void> | null = null;
  const close = () =>
    (closed ??= (async () => {
      maintenance.stop();
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Requests still receiving their body get a bounded moment to reach the queue.
      const deadline = performance.now() + 5_000;
      while (inFlight.count > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await writer.drain();
      await new Promise((r) => setImmediate(r));
      server.closeAllConnections();
      await serverClosed;
      await maintenance.finished();
      sources.forget();
      run.aliveAt = clock.now();
      await store.saveRun(run).catch(() => {});
      await store.close();
    })());

  return { url, port: address.port, store, metrics, maintenance: maintenance.pass, idle: maintenance.idle, close };
}

function listen(server: http.Server, host: string, port: number): Promise<void> {
  return new Promise((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(port, host, () => {
      server.off('error', onError);
      resolve();
    });
  });
}
