/**
 * The collector's work on the clock: summaries and the purge (one maintenance pass), the purge
 * planned for the moment the oldest row expires, the heartbeat, the day's source salt forgotten at
 * UTC midnight, and today's summary refreshed soon after a commit. Every timer is the injected
 * clock's, so tests drive them; `stop` and `finished` are the two halves of a shutdown.
 */
import type { TimerHandle } from '../shared/clock';
import type { CollectorClock, Logger } from './platform';
import { dayStart, expiresAt, utcDay } from './retention';
import type { SourceTagger } from './source-tag';
import type { Run, Store } from './store/types';
import type { Summarizer } from './summary/summarizer';
import type { AddedRows } from './writer';

export interface MaintenanceDeps {
  store: Store;
  clock: CollectorClock;
  logger: Logger;
  summarizer: Summarizer;
  /** One purge pass (under the store's lease, so one process among replicas purges at a time). */
  purge: () => Promise<unknown>;
  sources: SourceTagger;
  /** Deletes the stored salts of days that have ended (another process may have left one). */
  forgetEndedSalts: () => Promise<void>;
  /** This process's run record, saved by each heartbeat. */
  run: Run;
  purgeIntervalMs: number;
  heartbeatMs: number;
  summaryMaxAgeMs: number;
}

export function createMaintenance(deps: MaintenanceDeps) {
  const { store, clock, logger, summarizer, purge, sources, forgetEndedSalts, run, purgeIntervalMs, heartbeatMs, summaryMaxAgeMs } = deps;

  let maintenanceRunning: Promise<void> | null = null;
  /** Summaries and the purge, now (what the timers do). */
  const pass = (): Promise<void> => {
    maintenanceRunning ??= (async () => {
      // Summaries first: a day about to lose its first rows is summarized while it is whole.
      await summarizer.refresh();
      await purge();
    })().finally(() => {
      maintenanceRunning = null;
    });
    return maintenanceRunning;
  };

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
  const planPurge = (at: number) => {
    if (closing || at >= purgeAt) return;
    if (purgeTimer) {
      clock.clearTimeout(purgeTimer);
      timers.delete(purgeTimer);
    }
    purgeAt = at;
    purgeTimer = schedule(Math.max(0, at - clock.now()), async () => {
      purgeTimer = null;
      purgeAt = Infinity;
      await pass().catch(() => logger.log('error', 'maintenance failed', { store: store.kind }));
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
  const refreshSoon = () => {
    if (refreshPending || closing) return;
    refreshPending = true;
    schedule(summarizer.dueIn(summaryMaxAgeMs), async () => {
      refreshPending = false;
      await summarizer.ensureFresh(summaryMaxAgeMs).catch(() => logger.log('error', 'summary refresh failed', { store: store.kind }));
      if (summarizer.stale) refreshSoon();
    });
  };

  return {
    pass,
    /** Plans the purge and starts the heartbeat and the midnight timer. */
    async start() {
      await planPurgeFromStore();
      heartbeat();
      forgetSaltAtMidnight();
    },
    /** The writer committed reports, the earliest received at `earliestWritten` (null: none new); `added`: rows it only added. */
    afterCommit(earliestWritten: number | null, added: AddedRows | null) {
      if (added) summarizer.counted(added);
      summarizer.markDirty();
      refreshSoon();
      if (earliestWritten !== null) planPurge(expiresAt(earliestWritten) + 1);
    },
    /** Resolves when the work started by timers so far has finished (tests with a fake clock await it). */
    idle: async () => {
      while (background.size > 0) await Promise.allSettled([...background]);
    },
    /** No timer fires and none is planned from now on. */
    stop() {
      closing = true;
      for (const t of timers) clock.clearTimeout(t);
      timers.clear();
    },
    /** Resolves when the work already started has ended. */
    async finished() {
      await Promise.allSettled([...background]);
      await maintenanceRunning?.catch(() => {});
    },
  };
}
