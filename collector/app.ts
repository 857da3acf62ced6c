/**
 * The composition root: wires store, writer, limiters, purge, summaries and HTTP together, and
 * owns the clock's timers (purge, heartbeat, summaries) and the shutdown order.
 */
import { createHash, randomBytes } from 'node:crypto';
import type http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { TimerHandle } from '../electron/core/platform';
import type { OddValuePolicy } from '../electron/core/schema/dsl';
import { PAYLOAD_SCHEMA_VERSION } from '../electron/core/schema/payload';
import { DASHBOARD_CSP, renderDashboard } from './dashboard/page';
import { ProxyTrust } from './http/client-address';
import { sendJson, sendText } from './http/respond';
import { createHttpServer, type ReadHandlers } from './http/server';
import type { IngestContext } from './http/ingest';
import { DEFAULT_LIMITS, type Limits } from './limits';
import { Metrics } from './metrics';
import { realClock, type CollectorClock, type Logger } from './platform';
import { Purger } from './purge';
import { InstanceAdmissions, uncountedAdmissions } from './admission';
import { AddressLimiter } from './rate-limit';
import { SourceTagger } from './source-tag';
import { dayStart, expiresAt, RETENTION_DAYS, RETENTION_MS, utcDay } from './retention';
import type { Store } from './store/types';
import { K_ANONYMITY } from './summary/threshold';
import { Summarizer } from './summary/summarizer';
import type { DaySummary } from './summary/types';
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

const DEFAULT_SUMMARY_DAYS = 90;
/** A stored report shows in the summaries within about this long (longer only when passes are slow). */
export const DEFAULT_SUMMARY_MAX_AGE_MS = 1_000;

export async function createCollector(options: CollectorOptions): Promise<Collector> {
  const { store } = options;
  const clock = options.clock ?? realClock;
  const logger = options.logger ?? { log: () => {} };
  const limits: Limits = { ...DEFAULT_LIMITS, ...options.limits };
  const purgeIntervalMs = options.purgeIntervalMs ?? 3_600_000;
  const heartbeatMs = options.heartbeatMs ?? 60_000;
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
  });
  const writer = new Writer(
    store,
    {
      capacity: limits.queueCapacity,
      maxBatch: limits.maxBatch,
      instanceWritesPerDay: limits.instanceWritesPerDay,
      onCommit: (earliestWritten) => {
        summarizer.markDirty();
        refreshSoon();
        if (earliestWritten !== null) planPurge(expiresAt(earliestWritten) + 1);
      },
    },
    metrics,
    logger,
    clock,
  );
  const purger = new Purger(store, clock, metrics, logger);
  let refreshSoon = (): void => {};
  let planPurge = (_at: number): void => {};
  await store.saveRun(run);

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
  await forgetEndedSalts();

  let maintenanceRunning: Promise<void> | null = null;
  const maintenance = (): Promise<void> => {
    maintenanceRunning ??= (async () => {
      // Summaries first: a day about to lose its first rows is summarized while it is whole.
      await summarizer.refresh();
      await purger.runUnderLease(leaseHolder);
    })().finally(() => {
      maintenanceRunning = null;
    });
    return maintenanceRunning;
  };

  // No summary of an earlier format, which could hold exact values of small groups, is ever served.
  await summarizer.upgradeStored();
  // Start-up purge happens before the port opens: nothing expired is ever served or kept past a restart.
  await maintenance();

  const timers = new Set<TimerHandle>();
  const background = new Set<Promise<void>>();
  let closing = false;
  const schedule = (ms: number, task: () => Promise<void>): TimerHandle | null => {
    if (closing) return null;
    const handle = clock.setTimeout(() => {
      timers.delete(handle);
      const work = task().finally(() => background.delete(work));
      background.add(work);
    }, ms);
    handle.unref?.();
    timers.add(handle);
    return handle;
  };
  // The purge is planned for the moment the oldest row turns RETENTION_DAYS old (or in an hour if
  // that is later), and planned again sooner by whatever stores an older row: a commit of this
  // process (a report, an export file of an earlier day), and for another process's import, the
  // next heartbeat or UTC midnight, whichever comes first. An import's day must be whole, so its
  // row expires at a midnight or later: the midnight plan is never late.
  let purgeTimer: TimerHandle | null = null;
  let purgeAt = Infinity;
  planPurge = (at: number) => {
    if (closing || at >= purgeAt) return;
    if (purgeTimer) {
      clock.clearTimeout(purgeTimer);
      timers.delete(purgeTimer);
    }
    purgeAt = at;
    purgeTimer = schedule(Math.max(0, at - clock.now()), async () => {
      purgeTimer = null;
      purgeAt = Infinity;
      await maintenance().catch(() => logger.log('error', 'maintenance failed', { store: store.kind }));
      await planPurgeFromStore();
    });
  };
  const planPurgeFromStore = async () => {
    const oldest = await store.oldestReceivedAt().catch(() => null);
    const now = clock.now();
    const at = Math.min(now + purgeIntervalMs, oldest === null ? Infinity : expiresAt(oldest) + 1);
    // Already due (the last pass failed, the clock jumped): again in a second, never in a loop.
    planPurge(at > now ? at : now + 1_000);
  };
  const heartbeat = () =>
    schedule(heartbeatMs, async () => {
      run.aliveAt = clock.now();
      await store.saveRun(run).catch(() => logger.log('warn', 'heartbeat not saved', { store: store.kind }));
      // Another process may have left the deletion of an ended day's salt unfinished (or this one may have).
      await forgetEndedSalts();
      await planPurgeFromStore();
      // Another process may have written to the store (`candor-collector import`): the feed says so.
      if (!summarizer.stale && (await summarizer.behind().catch(() => false))) summarizer.markDirty();
      await summarizer.ensureFresh(summaryMaxAgeMs).catch(() => logger.log('error', 'summary refresh failed', { store: store.kind }));
      heartbeat();
    });
  // The day's source salt must not outlive its day, whether or not a report arrives after midnight.
  const forgetSaltAtMidnight = () =>
    schedule(dayStart(utcDay(clock.now()) + 1) - clock.now(), async () => {
      sources.forget();
      forgetSaltAtMidnight();
      await forgetEndedSalts();
      await planPurgeFromStore();
    });
  // After a commit, today's summary is recomputed as soon as the gap since the last pass allows.
  let refreshPending = false;
  refreshSoon = () => {
    if (refreshPending || closing) return;
    refreshPending = true;
    schedule(summarizer.dueIn(summaryMaxAgeMs), async () => {
      refreshPending = false;
      await summarizer.ensureFresh(summaryMaxAgeMs).catch(() => logger.log('error', 'summary refresh failed', { store: store.kind }));
      if (summarizer.stale) refreshSoon();
    });
  };
  await planPurgeFromStore();
  heartbeat();
  forgetSaltAtMidnight();

  const loadSummaries = async (days: number): Promise<string[]> => {
    await summarizer.ensureFresh(summaryMaxAgeMs);
    return (await store.summaries(utcDay(clock.now()) - days + 1)).map((s) => s.body);
  };

  const read: ReadHandlers = {
    async summary(req, res) {
      const requested = Number(new URL(req.url ?? '/', 'http://x').searchParams.get('days') ?? DEFAULT_SUMMARY_DAYS);
      const days = Number.isInteger(requested) && requested >= 1 && requested <= 3660 ? requested : DEFAULT_SUMMARY_DAYS;
      const bodies = await loadSummaries(days);
      // Stored bodies are deterministic JSON: concatenating them keeps the bytes (and the ETag) stable.
      const text = `{"retentionDays":${RETENTION_DAYS},"kAnonymity":${K_ANONYMITY},"days":[${bodies.join(',')}]}`;
      const etag = `"${createHash('sha256').update(text).digest('base64url').slice(0, 27)}"`;
      if (req.headers['if-none-match'] === etag) {
        res.writeHead(304, { etag, 'cache-control': 'no-cache' }).end();
        return;
      }
      sendText(res, 200, text, 'application/json; charset=utf-8', { etag, 'cache-control': 'no-cache' });
    },
    async dashboard(_req, res) {
      const days = (await loadSummaries(DEFAULT_SUMMARY_DAYS)).map((b) => JSON.parse(b) as DaySummary);
      sendText(res, 200, renderDashboard(days, { retentionDays: RETENTION_DAYS }), 'text/html; charset=utf-8', { 'content-security-policy': DASHBOARD_CSP });
    },
    meta(_req, res) {
      return Promise.resolve(
        sendJson(res, 200, {
          retentionDays: RETENTION_DAYS,
          retentionSeconds: RETENTION_MS / 1000,
          kAnonymity: K_ANONYMITY,
          payloadSchemaVersion: PAYLOAD_SCHEMA_VERSION,
          store: store.kind,
          maxBodyBytes: limits.maxBodyBytes,
          instanceWritesPerDay: limits.instanceWritesPerDay,
          storesIpAddresses: false,
        }),
      );
    },
    async metrics(_req, res) {
      const oldest = await store.oldestReceivedAt().catch(() => null);
      sendText(
        res,
        200,
        metrics.render({
          queueDepth: writer.depth,
          oldestRawAgeSeconds: oldest === null ? null : Math.max(0, (clock.now() - oldest) / 1000),
          retentionDays: RETENTION_DAYS,
          pendingDays: await store.pendingDays().catch(() => 0),
        }),
        'text/plain; version=0.0.4; charset=utf-8',
      );
    },
    async health(_req, res) {
      try {
        await store.ping();
        sendJson(res, 200, { status: 'ok', queueDepth: writer.depth });
      } catch {
        sendJson(res, 503, { status: 'store unavailable' });
      }
    },
  };

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
      closing = true;
      for (const t of timers) clock.clearTimeout(t);
      timers.clear();
      const serverClosed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      // Requests still receiving their body get a bounded moment to reach the queue.
      const deadline = performance.now() + 5_000;
      while (inFlight.count > 0 && performance.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      await writer.drain();
      await new Promise((r) => setImmediate(r));
      server.closeAllConnections();
      await serverClosed;
      await Promise.allSettled([...background]);
      await maintenanceRunning?.catch(() => {});
      sources.forget();
      run.aliveAt = clock.now();
      await store.saveRun(run).catch(() => {});
      await store.close();
    })());

  const idle = async () => {
    while (background.size > 0) await Promise.allSettled([...background]);
  };

  return { url, port: address.port, store, metrics, maintenance, idle, close };
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
