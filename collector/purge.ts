/**
 * Retention: raw reports are deleted when they turn RETENTION_DAYS old. Runs at start-up (so a
 * restart after downtime catches up at once), every hour, and at the exact moment the oldest row
 * expires if that comes sooner, in small batches so ingestion keeps flowing; then gives the space
 * back, also a step at a time.
 */
import type { Metrics } from './metrics';
import type { CollectorClock, Logger } from './platform';
import { DAY_MS, expiryCutoff } from './retention';
import type { Store } from './store/types';

/** Rows deleted per step: a few milliseconds of SQLite's time (5,000 took 150 ms on the VM). */
export const PURGE_BATCH = 500;

export class Purger {
  constructor(
    private readonly store: Store,
    private readonly clock: CollectorClock,
    private readonly metrics: Metrics,
    private readonly logger: Logger,
  ) {}

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
