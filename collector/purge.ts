/**
 * Retention: raw reports are deleted when they turn RETENTION_DAYS old. Runs at start-up (so a
 * restart after downtime catches up at once), every hour, and at the exact moment the oldest row
 * expires if that comes sooner, in small batches so ingestion keeps flowing; then gives the space
 * back, also a step at a time. Several processes on one store purge one at a time, under a lease.
 */
import type { Metrics } from './metrics';
import type { CollectorClock, Logger } from './platform';
import { DAY_MS, expiryCutoff } from './retention';
import type { Store } from './store/types';

/**
 * How long the purge lease holds without its holder: a process that dies purging delays the next
 * purge by at most this. A purge that runs longer loses nothing (another may start; both are idempotent).
 */
export const PURGE_LEASE_MS = 5 * 60_000;
const PURGE_LEASE = 'purge';

/** Rows deleted per step: a few milliseconds of SQLite's time (5,000 took 150 ms on the VM). */
export const PURGE_BATCH = 500;

export class Purger {
  constructor(
    private readonly store: Store,
    private readonly clock: CollectorClock,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

  /**
   * `run`, when no other process on the store is purging (the lease `purge`, taken for `holder`);
   * null when one is: it deletes the same rows.
   */
  async runUnderLease(holder: string): Promise<number | null> {
    const now = this.clock.now();
    if (!(await this.store.takeLease(PURGE_LEASE, holder, now, now + PURGE_LEASE_MS))) {
      this.metrics.purgeRuns.skipped++;
      this.logger.log('debug', 'purge left to the process holding its lease');
      return null;
    }
    try {
      const rows = await this.run();
      this.metrics.purgeRuns.done++;
      return rows;
    } finally {
      await this.store.releaseLease(PURGE_LEASE, holder).catch(() => {});
    }
  }

  /** Deletes every expired raw row; returns how many. */
  async run(): Promise<number> {
    const now = this.clock.now();
    const cutoff = expiryCutoff(now);
    let total = 0;
    for (;;) {
      const n = await this.store.purgeBatch(cutoff, PURGE_BATCH);
      total += n;
      this.metrics.purgedRows += n;
      if (n < PURGE_BATCH) break;
      await new Promise((resolve) => setImmediate(resolve));
    }
    // What the summaries kept of those rows goes with them (superseded versions, the days' tallies).
    await this.store.purgeDerived(cutoff);
    if (total > 0) {
      // Space given back a step at a time, requests answered between the steps.
      while (await this.store.reclaimSpace()) await new Promise((resolve) => setImmediate(resolve));
      this.logger.log('info', 'purged expired reports', { rows: total });
    }
    // Uptime records only matter for days whose summary can still be recomputed.
    await this.store.pruneRuns(cutoff - DAY_MS);
    this.metrics.lastPurgeAt = now;
    return total;
  }
}
