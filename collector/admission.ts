/**
 * The per-instance daily cap, enforced at admission: a report takes one of its instance's places
 * for the UTC day before it is queued, synchronously, so pipelined or concurrent reports of one
 * instance cannot all slip into one batch. The counts start from the store (a restart does not
 * reset them) and a report the store does not keep gives its place back. The store still caps
 * writes itself, as a backstop.
 */
import type { CollectorClock } from './platform';
import { DAY_MS, utcDay } from './retention';
import type { Store } from './store/types';

export class InstanceAdmissions {
  private day = -1;
  private counts = new Map<string, number>();
  private loading: Promise<void> | null = null;

  constructor(
    private readonly store: Pick<Store, 'writesOfDay'>,
    private readonly clock: Pick<CollectorClock, 'now'>,
    private readonly perDay: number,
  ) {}

  /** Null when `day`'s counts are in memory; otherwise a promise to await before `take`. */
  ready(day: number): Promise<void> | null {
    if (day === this.day && this.loading === null) return null;
    if (day !== this.day) {
      this.day = day;
      this.counts = new Map();
      const loading: Promise<void> = this.store.writesOfDay(day).then(
        (rows) => {
          if (this.day !== day) return;
          // Places taken while loading are added to what the store already holds.
          for (const row of rows) this.counts.set(row.instanceId, (this.counts.get(row.instanceId) ?? 0) + row.writes);
          if (this.loading === loading) this.loading = null;
        },
        (error: unknown) => {
          // Unknown counts: try again on the next report rather than admit blindly.
          if (this.day === day) this.day = -1;
          if (this.loading === loading) this.loading = null;
          throw error;
        },
      );
      this.loading = loading;
    }
    return this.loading;
  }

  /** Takes a place for `instanceId` on `day` (after `ready(day)`); false when the day's places are used up. */
  take(instanceId: string, day: number): boolean {
    // A report of a day that ended while it waited: the store's own cap is its limit.
    if (day !== this.day) return day < this.day;
    const used = this.counts.get(instanceId) ?? 0;
    if (used >= this.perDay) return false;
    this.counts.set(instanceId, used + 1);
    return true;
  }

  /** The report was not stored (queue full, store error): its place is free again. */
  giveBack(instanceId: string, day: number): void {
    if (day !== this.day) return;
    const used = this.counts.get(instanceId) ?? 0;
    if (used <= 1) this.counts.delete(instanceId);
    else this.counts.set(instanceId, used - 1);
  }

  /** The store says the instance is at its cap (another writer, or rows this process never counted). */
  markFull(instanceId: string, day: number): void {
    if (day === this.day) this.counts.set(instanceId, this.perDay);
  }

  /** Seconds until the next UTC midnight, when every instance's count starts again. */
  retryAfterSeconds(): number {
    const now = this.clock.now();
    return Math.max(1, Math.ceil(((utcDay(now) + 1) * DAY_MS - now) / 1000));
  }
}
