/**
 * The per-instance daily cap, enforced at admission: a report takes one of its instance's places
 * for its UTC day before it is queued, synchronously, so pipelined or concurrent reports of one
 * instance cannot all slip into one batch. The counts start from the store (a restart does not
 * reset them) and a report the store does not keep gives its place back. The store still caps
 * writes itself, as a backstop.
 *
 * Today's counts are loaded once per day; an earlier day (an imported export file) is looked up per
 * instance when one of its reports arrives, and forgotten when the next day begins.
 */
import type { CollectorClock } from './platform';
import { DAY_MS, utcDay } from './retention';
import type { Store } from './store/types';

/** What ingestion asks of the cap (InstanceAdmissions; `uncounted` only for measuring its cost). */
export interface Admissions {
  ready(day: number, instanceId: string): Promise<void> | null;
  take(instanceId: string, day: number): boolean;
  giveBack(instanceId: string, day: number): void;
  markFull(instanceId: string, day: number): void;
  retryAfterSeconds(): number;
}

export class InstanceAdmissions implements Admissions {
  private day = -1;
  private counts = new Map<string, number>();
  private loading: Promise<void> | null = null;
  /** `${day}/${instanceId}` of earlier days -> places used, or the lookup under way. */
  private earlier = new Map<string, number | Promise<void>>();

  constructor(
    private readonly store: Pick<Store, 'writesOfDay' | 'findReport'>,
    private readonly clock: Pick<CollectorClock, 'now'>,
    private readonly perDay: number,
  ) {}

  /** Null when the counts for (`day`, `instanceId`) are in memory; otherwise a promise to await before `take`. */
  ready(day: number, instanceId: string): Promise<void> | null {
    const today = utcDay(this.clock.now());
    if (today !== this.day) this.startDay(today);
    if (day === this.day) return this.loading;
    const key = `${day}/${instanceId}`;
    const known = this.earlier.get(key);
    if (typeof known === 'number') return null;
    if (known) return known;
    const lookup = this.store.findReport(day, instanceId).then(
      (row) => {
        if (this.earlier.get(key) === lookup) this.earlier.set(key, row?.writes ?? 0);
      },
      (error: unknown) => {
        if (this.earlier.get(key) === lookup) this.earlier.delete(key);
        throw error;
      },
    );
    this.earlier.set(key, lookup);
    return lookup;
  }

  private startDay(day: number): void {
    this.day = day;
    this.counts = new Map();
    this.earlier = new Map();
    const loading: Promise<void> = this.store.writesOfDay(day).then(
      (rows) => {
        // Places taken while loading are added to what the store already holds.
        if (this.day === day) for (const row of rows) this.counts.set(row.instanceId, (this.counts.get(row.instanceId) ?? 0) + row.writes);
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

  private used(day: number, instanceId: string): number | null {
    if (day === this.day) return this.counts.get(instanceId) ?? 0;
    const known = this.earlier.get(`${day}/${instanceId}`);
    return typeof known === 'number' ? known : null;
  }

  private set(day: number, instanceId: string, used: number): void {
    if (day === this.day) this.counts.set(instanceId, used);
    else this.earlier.set(`${day}/${instanceId}`, used);
  }

  /** Takes a place for `instanceId` on `day` (after `ready`); false when the day's places are used up. */
  take(instanceId: string, day: number): boolean {
    const used = this.used(day, instanceId);
    // A report whose day ended while it waited: the store's own cap is its limit.
    if (used === null) return true;
    if (used >= this.perDay) return false;
    this.set(day, instanceId, used + 1);
    return true;
  }

  /** The report was not stored (queue full, store error): its place is free again. */
  giveBack(instanceId: string, day: number): void {
    const used = this.used(day, instanceId);
    if (used !== null && used > 0) this.set(day, instanceId, used - 1);
  }

  /** The store says the instance is at its cap (another writer, or rows this process never counted). */
  markFull(instanceId: string, day: number): void {
    if (this.used(day, instanceId) !== null) this.set(day, instanceId, this.perDay);
  }

  retryAfterSeconds(): number {
    return secondsToMidnight(this.clock.now());
  }
}

/** Seconds until the next UTC midnight, when every instance's count starts again. */
function secondsToMidnight(now: number): number {
  return Math.max(1, Math.ceil(((utcDay(now) + 1) * DAY_MS - now) / 1000));
}

/**
 * No count at admission: the store's own cap alone, as before admission counting existed. Only the
 * benchmark uses it, to measure what the count costs against the same pipeline without it.
 */
export function uncountedAdmissions(clock: Pick<CollectorClock, 'now'>): Admissions {
  return { ready: () => null, take: () => true, giveBack: () => {}, markFull: () => {}, retryAfterSeconds: () => secondsToMidnight(clock.now()) };
}
