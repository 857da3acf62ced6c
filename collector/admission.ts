/**
 * The per-instance daily cap, enforced at admission: a report takes one of its instance's places
 * for its UTC day before it is queued, synchronously, so pipelined or concurrent reports of one
 * instance cannot all slip into one batch. The counts start from the store (a restart does not
 * reset them) and a report the store does not keep gives its place back.
 *
 * Several processes on one store each count what they admit; the store is the authority: it never
 * writes a report past the cap, whichever process admitted it (Store.writeReports). When it refuses
 * one, this process reads the instance's count back from the store before admitting another of its
 * reports, so a count another process raised is learnt at the first refusal.
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
  reconcile(instanceId: string, day: number): void;
  retryAfterSeconds(): number;
}

export class InstanceAdmissions implements Admissions {
  private day = -1;
  private counts = new Map<string, number>();
  private loading: Promise<void> | null = null;
  /** `${day}/${instanceId}` of earlier days -> places used, or the lookup under way. */
  private earlier = new Map<string, number | Promise<void>>();
  /** `${day}/${instanceId}` -> the store's count being read back after a refusal. */
  private reconciling = new Map<string, Promise<void>>();

  constructor(
    private readonly store: Pick<Store, 'writesOfDay' | 'findReport'>,
    private readonly clock: Pick<CollectorClock, 'now'>,
    private readonly perDay: number,
  ) {}

  /** Null when the counts for (`day`, `instanceId`) are in memory; otherwise a promise to await before `take`. */
  ready(day: number, instanceId: string): Promise<void> | null {
    const today = utcDay(this.clock.now());
    if (today !== this.day) this.startDay(today);
    const key = `${day}/${instanceId}`;
    const reading = this.reconciling.get(key);
    if (reading) return reading;
    if (day === this.day) return this.loading;
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
    this.reconciling = new Map();
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

  /**
   * The store refused a report of the instance (its cap reached, by another process or by rows this
   * one never counted): no place for it until the store's count is read back.
   */
  reconcile(instanceId: string, day: number): void {
    if (this.used(day, instanceId) === null) return;
    this.set(day, instanceId, this.perDay);
    const key = `${day}/${instanceId}`;
    if (this.reconciling.has(key)) return;
    const reading: Promise<void> = this.store.findReport(day, instanceId).then(
      (row) => {
        if (this.reconciling.get(key) !== reading) return;
        this.reconciling.delete(key);
        if (this.used(day, instanceId) !== null) this.set(day, instanceId, row?.writes ?? 0);
      },
      () => {
        // Unread, the count stays full in this process for the day: a 429 rather than a guess.
        if (this.reconciling.get(key) === reading) this.reconciling.delete(key);
      },
    );
    this.reconciling.set(key, reading);
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
  return { ready: () => null, take: () => true, giveBack: () => {}, reconcile: () => {}, retryAfterSeconds: () => secondsToMidnight(clock.now()) };
}
