/**
 * Retention: raw reports are deleted when they turn RETENTION_DAYS old. Runs at start-up (so a
 * restart after downtime catches up at once), every hour, and at the exact moment the oldest row
 * expires if that comes sooner, in batches so ingestion keeps flowing; then gives the space back.
 */
import type { Metrics } from './metrics';
import type { CollectorClock, Logger } from './platform';
import { DAY_MS, expiryCutoff } from './retention';
import type { Store } from './store/types';

export const PURGE_BATCH = 5_000;

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
      await this.store.reclaimSpace();
      this.logger.log('info', 'purged expired reports', { rows: total });
    }
    // Uptime records only matter for days whose summary can still be recomputed.
    await this.store.pruneRuns(cutoff - DAY_MS);
    this.metrics.lastPurgeAt = now;
    return total;
  }
}
