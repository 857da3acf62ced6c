/**
 * The per-instance daily cap, enforced at admission: a report takes one of its places for its UTC
 * day before it is queued, synchronously, so pipelined or concurrent reports cannot all slip into
 * one batch. The counts start from the store (a restart does not reset them) and a report the store
 * does not keep gives its place back. The store still caps writes itself, as a backstop.
 *
 * The places are counted per instance *and deletion key* (the report's `candor.deletionKeyHash`,
 * or none): a day's row carrying a key keeps out reports of any other key (replacement.ts), and
 * someone sending under another's id must meet exactly the answers an unknown id gives: their own
 * 10 places, however many the owner used, and never the owner's. The same count tells whether a
 * report comes after an earlier one of its own that day (`earlier`), which is what
 * collector_reports_replaced_total counts: from the reports this collector accepted, never from
 * what the store holds for someone else.
 *
 * Today's counts are loaded once per day; an earlier day (an imported export file) is looked up per
 * instance when one of its reports arrives, and forgotten when the next day begins.
 */
import type { CollectorClock } from './platform';
import { DAY_MS, utcDay } from './retention';
import type { Store } from './store/types';

/** Whose places a report takes: its instance's, under its deletion key (null: none), on its day. */
export interface AdmissionSlot {
  day: number;
  instanceId: string;
  deletionKeyHash: string | null;
}

/** `earlier`: the places this slot had already used that day (0 when the report is its first). */
export type Admitted = { ok: true; earlier: number } | { ok: false };

/** What ingestion asks of the cap (InstanceAdmissions; `uncounted` only for measuring its cost). */
export interface Admissions {
  ready(day: number, instanceId: string): Promise<void> | null;
  take(slot: AdmissionSlot): Admitted;
  giveBack(slot: AdmissionSlot): void;
  markFull(slot: AdmissionSlot): void;
  retryAfterSeconds(): number;
}

/**
 * The map key of a slot. The key's first 16 hex digits tell keys apart: two reports whose keys
 * share them share one count, which costs nothing but that count (the store decides replacement on
 * the whole hash), and nobody finds a 64-bit match for a hash they do not know.
 */
const slotKey = (instanceId: string, deletionKeyHash: string | null): string =>
  deletionKeyHash === null ? instanceId : instanceId + deletionKeyHash.slice(0, 16);

export class InstanceAdmissions implements Admissions {
  private day = -1;
  private counts = new Map<string, number>();
  private loading: Promise<void> | null = null;
  /** Earlier days: `${day}/${instanceId}` looked up (or the lookup under way)... */
  private looked = new Map<string, Promise<void> | true>();
  /** ...and `${day}/${slotKey}` -> places used. */
  private earlier = new Map<string, number>();

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
    const known = this.looked.get(key);
    if (known === true) return null;
    if (known) return known;
    const lookup = this.store.findReport(day, instanceId).then(
      (row) => {
        if (this.looked.get(key) !== lookup) return;
        this.looked.set(key, true);
        if (row) {
          const slot = `${day}/${slotKey(instanceId, row.deletionKeyHash)}`;
          this.earlier.set(slot, (this.earlier.get(slot) ?? 0) + row.writes);
        }
      },
      (error: unknown) => {
        if (this.looked.get(key) === lookup) this.looked.delete(key);
        throw error;
      },
    );
    this.looked.set(key, lookup);
    return lookup;
  }

  private startDay(day: number): void {
    this.day = day;
    this.counts = new Map();
    this.looked = new Map();
    this.earlier = new Map();
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
    if (this.looked.get(`${slot.day}/${slot.instanceId}`) !== true) return null;
    return this.earlier.get(`${slot.day}/${key}`) ?? 0;
  }

  private set(slot: AdmissionSlot, used: number): void {
    const key = slotKey(slot.instanceId, slot.deletionKeyHash);
    if (slot.day === this.day) this.counts.set(key, used);
    else this.earlier.set(`${slot.day}/${key}`, used);
  }

  /** Takes a place for the slot (after `ready`); not ok when the day's places are used up. */
  take(slot: AdmissionSlot): Admitted {
    const used = this.used(slot);
    // A report whose day ended while it waited: the store's own cap is its limit.
    if (used === null) return { ok: true, earlier: 0 };
    if (used >= this.perDay) return { ok: false };
    this.set(slot, used + 1);
    return { ok: true, earlier: used };
  }

  /** The report was not stored (queue full, store error): its place is free again. */
  giveBack(slot: AdmissionSlot): void {
    const used = this.used(slot);
    if (used !== null && used > 0) this.set(slot, used - 1);
  }

  /** The store says the slot is at its cap (another writer, or rows this process never counted). */
  markFull(slot: AdmissionSlot): void {
    if (this.used(slot) !== null) this.set(slot, this.perDay);
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
    take: () => ({ ok: true, earlier: 0 }),
    giveBack: () => {},
    markFull: () => {},
    retryAfterSeconds: () => secondsToMidnight(clock.now()),
  };
}
