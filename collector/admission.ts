/**
 * The per-instance daily cap, enforced at admission: a report takes one of its places for its UTC
 * day before it is queued, synchronously, so pipelined or concurrent reports cannot all slip into
 * one batch. The counts start from the store (a restart does not reset them) and a report the store
 * does not keep gives its place back.
 *
 * Several processes on one store each count what they admit; the store is the authority: it never
 * writes a report past the cap, whichever process admitted it (Store.writeReports). When it refuses
 * one, this process reads the row's count back from the store before admitting another report of
 * it, so a count another process raised is learnt at the first refusal.
 *
 * The places are counted per row: instance *and deletion key* (the report's
 * `candor.deletionKeyHash`, or none; replacement.ts). Someone sending under another's id meets
 * exactly the answers an unknown id gives: their own 10 places, however many the owner used, and
 * never the owner's.
 *
 * Today's counts are loaded once per day; an earlier day (an imported export file) is looked up per
 * row when one of its reports arrives, and forgotten when the next day begins.
 */
import type { CollectorClock } from './platform';
import { DAY_MS, utcDay } from './retention';
import type { Store } from './store/types';

/** Whose places a report takes: its row's (instance, deletion key or none), on its day. */
export interface AdmissionSlot {
  day: number;
  instanceId: string;
  deletionKeyHash: string | null;
}

/** What ingestion asks of the cap (InstanceAdmissions; `uncounted` only for measuring its cost). */
export interface Admissions {
  ready(slot: AdmissionSlot): Promise<void> | null;
  take(slot: AdmissionSlot): boolean;
  giveBack(slot: AdmissionSlot): void;
  reconcile(slot: AdmissionSlot): void;
  retryAfterSeconds(): number;
}

/**
 * The map key of a slot. The key's first 16 hex digits tell keys apart: two reports whose keys
 * share them share one count, which costs nothing but that count (the store's rows and its own cap
 * go by the whole hash), and nobody finds a 64-bit match for a hash they do not know.
 */
const slotKey = (instanceId: string, deletionKeyHash: string | null): string =>
  deletionKeyHash === null ? instanceId : instanceId + deletionKeyHash.slice(0, 16);

export class InstanceAdmissions implements Admissions {
  private day = -1;
  private counts = new Map<string, number>();
  private loading: Promise<void> | null = null;
  /** `${day}/${slotKey}` of earlier days -> places used, or the lookup under way. */
  private earlier = new Map<string, number | Promise<void>>();
  /** `${day}/${slotKey}` -> the store's count being read back after a refusal. */
  private reconciling = new Map<string, Promise<void>>();

  constructor(
    private readonly store: Pick<Store, 'writesOfDay' | 'findReport'>,
    private readonly clock: Pick<CollectorClock, 'now'>,
    private readonly perDay: number,
  ) {}

  /** Null when the slot's count is in memory; otherwise a promise to await before `take`. */
  ready(slot: AdmissionSlot): Promise<void> | null {
    const today = utcDay(this.clock.now());
    if (today !== this.day) this.startDay(today);
    const key = `${slot.day}/${slotKey(slot.instanceId, slot.deletionKeyHash)}`;
    const reading = this.reconciling.get(key);
    if (reading) return reading;
    if (slot.day === this.day) return this.loading;
    const known = this.earlier.get(key);
    if (typeof known === 'number') return null;
    if (known) return known;
    const lookup = this.store.findReport(slot.day, slot.instanceId, slot.deletionKeyHash).then(
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
        if (this.day === day)
          for (const row of rows) {
            const slot = slotKey(row.instanceId, row.deletionKeyHash);
            this.counts.set(slot, (this.counts.get(slot) ?? 0) + row.writes);
          }
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

  private used(slot: AdmissionSlot): number | null {
    const key = slotKey(slot.instanceId, slot.deletionKeyHash);
    if (slot.day === this.day) return this.counts.get(key) ?? 0;
    const known = this.earlier.get(`${slot.day}/${key}`);
    return typeof known === 'number' ? known : null;
  }

  private set(slot: AdmissionSlot, used: number): void {
    const key = slotKey(slot.instanceId, slot.deletionKeyHash);
    if (slot.day === this.day) this.counts.set(key, used);
    else this.earlier.set(`${slot.day}/${key}`, used);
  }

  /** Takes a place for the slot (after `ready`); false when the day's places are used up. */
  take(slot: AdmissionSlot): boolean {
    const used = this.used(slot);
    // A report whose day ended while it waited: the store's own cap is its limit.
    if (used === null) return true;
    if (used >= this.perDay) return false;
    this.set(slot, used + 1);
    return true;
  }

  /** The report was not stored (queue full, store error): its place is free again. */
  giveBack(slot: AdmissionSlot): void {
    const used = this.used(slot);
    if (used !== null && used > 0) this.set(slot, used - 1);
  }

  /**
   * The store refused a report of the slot (its cap reached, by another process or by rows this one
   * never counted): no place for it until the store's count is read back.
   */
  reconcile(slot: AdmissionSlot): void {
    if (this.used(slot) === null) return;
    this.set(slot, this.perDay);
    const key = `${slot.day}/${slotKey(slot.instanceId, slot.deletionKeyHash)}`;
    if (this.reconciling.has(key)) return;
    const reading: Promise<void> = this.store.findReport(slot.day, slot.instanceId, slot.deletionKeyHash).then(
      (row) => {
        if (this.reconciling.get(key) !== reading) return;
        this.reconciling.delete(key);
        if (this.used(slot) !== null) this.set(slot, row?.writes ?? 0);
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
  return {
    ready: () => null,
    take: () => true,
    giveBack: () => {},
    reconcile: () => {},
    retryAfterSeconds: () => secondsToMidnight(clock.now()),
  };
}
