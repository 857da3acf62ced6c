/**
 * Keeps the stored summaries in step with the raw rows, incrementally: only days marked dirty by a
 * write or a deletion, and days last computed before they ended, are recomputed. A day is read in
 * pages, yielding between them, so a large day never stalls ingestion.
 */
import type { Payload } from '../../shared/schema/payload';
import type { CollectorClock, Logger } from '../platform';
import { DAY_MS, dayStart, expiryCutoff, utcDay } from '../retention';
import type { RowCursor, Run, Store } from '../store/types';
import { DayAggregator } from './aggregate';
import type { DaySummary, IncompleteReason } from './types';
import { isCurrentFormat, withoutExactValues, withoutMixedMemory, withPublishedPlayers } from './upgrade';

/** Summarizing may take at most this share of the time: a pass that took 2 s waits 40 s for the next. */
const MAX_SUMMARY_SHARE = 0.05;
/** A gap this long in the collector's own uptime marks a day incomplete. */
const DOWN_TOLERANCE_MS = 15 * 60_000;
/** A run counts as up until its last heartbeat plus this slack. */
export const HEARTBEAT_SLACK_MS = 2 * 60_000;
const DROP_RATIO = 0.8;

export function uncoveredMs(runs: readonly Run[], from: number, to: number): number {
  let covered = 0;
  let cursor = from;
  for (const run of [...runs].sort((a, b) => a.startedAt - b.startedAt)) {
    const start = Math.max(cursor, run.startedAt);
    const end = Math.min(to, run.aliveAt + HEARTBEAT_SLACK_MS);
    if (end > start) {
      covered += end - start;
      cursor = end;
    }
  }
  return Math.max(0, to - from - covered);
}

export class Summarizer {
  private inFlight: Promise<void> | null = null;
  private dirty = true;
  private lastRefreshAt = -Infinity;
  private lastRefreshDay = -1;
  private lastPassMs = 0;
  /** Today's stored summary predates this process: its uptime (collector-down) is out of date. */
  private todayPredatesStart = true;

  constructor(
    private readonly store: Store,
    private readonly clock: CollectorClock,
    private readonly logger: Logger,
    /** When this process started: it is up right now, whatever its last stored heartbeat says. */
    private readonly runningSince: number | null = null,
    private readonly pageSize = 2_000,
  ) {}

  /** Called by the writer after each commit. */
  markDirty(): void {
    this.dirty = true;
  }

  /** Whether something changed (or the day rolled over) since the last pass. */
  get stale(): boolean {
    return this.dirty || utcDay(this.clock.now()) !== this.lastRefreshDay;
  }

  /**
   * The shortest time between two passes: `maxAgeMs`, stretched when passes are slow so that
   * summarizing never takes more than a twentieth of the time. 0 means "always fresh" (tests).
   */
  private minGap(maxAgeMs: number): number {
    return maxAgeMs === 0 ? 0 : Math.max(maxAgeMs, this.lastPassMs / MAX_SUMMARY_SHARE);
  }

  /** Milliseconds until `ensureFresh(maxAgeMs)` would recompute a stale summary. */
  dueIn(maxAgeMs: number): number {
    return Math.max(0, this.lastRefreshAt + this.minGap(maxAgeMs) - this.clock.now());
  }

  /** Recomputes if something changed (or the day rolled over) and the last pass is older than the gap. */
  async ensureFresh(maxAgeMs: number): Promise<void> {
    if (this.stale && this.dueIn(maxAgeMs) === 0) await this.refresh();
    else if (this.inFlight) await this.inFlight;
  }

  /** One pass over pending days; concurrent callers share it. `throughDay` limits it to older days. */
  refresh(throughDay?: number): Promise<void> {
    if (this.inFlight) return this.inFlight;
    this.inFlight = this.pass(throughDay).finally(() => {
      this.inFlight = null;
    });
    return this.inFlight;
  }

  private async pass(throughDay: number | undefined): Promise<void> {
    const started = this.clock.monotonic();
    try {
      await this.recomputePending(throughDay);
    } finally {
      this.lastPassMs = this.clock.monotonic() - started;
    }
  }

  private async recomputePending(throughDay: number | undefined): Promise<void> {
    const now = this.clock.now();
    const today = utcDay(now);
    if (throughDay === undefined) {
      // Cleared before reading so a write landing during the pass marks it dirty again.
      this.dirty = false;
      this.lastRefreshAt = now;
      this.lastRefreshDay = today;
    }
    const dirty = new Map((await this.store.dirtyDays()).map((d) => [d.day, d.version]));
    const unfinished = new Set(await this.store.unfinishedDays(today));
    const pending = [...dirty.keys(), ...unfinished];
    if (throughDay === undefined && this.todayPredatesStart) {
      this.todayPredatesStart = false;
      if ((await this.store.summaries(today, today)).length > 0) pending.push(today);
    }
    const days = [...new Set(pending)].filter((d) => throughDay === undefined || d <= throughDay).sort((a, b) => a - b);
    // A day's rows start to be purged once its first hour is older than the retention: recomputing it
    // after that would count a fraction of it. Its stored summary is kept as it was.
    const firstIntactDay = utcDay(expiryCutoff(now)) + 1;
    for (const day of days) {
      const version = dirty.get(day) ?? null;
      if (day < firstIntactDay && !unfinished.has(day)) {
        if (version !== null) await this.store.clearDirty(day, version);
        continue;
      }
      await this.computeDay(day, version, now);
    }
  }

  /**
   * Brings summaries of an earlier format up to this one (upgrade.ts): recomputed where the day's
   * raw reports are all still kept, stripped of exact values and mixed memory figures, and players
   * regrouped, where they are not.
   */
  async upgradeStored(): Promise<void> {
    const now = this.clock.now();
    const firstIntactDay = utcDay(expiryCutoff(now)) + 1;
    for (const stored of await this.store.summaries(0)) {
      if (isCurrentFormat(stored.body)) continue;
      if (stored.day >= firstIntactDay) await this.computeDay(stored.day, null, now);
      else {
        const body = withoutMixedMemory(withPublishedPlayers(withoutExactValues(stored.body)));
        if (body !== stored.body) await this.store.saveSummary({ ...stored, body }, null);
      }
    }
  }

  private async computeDay(day: number, version: number | null, now: number): Promise<void> {
    const aggregator = new DayAggregator();
    let after: RowCursor | null = null;
    for (;;) {
      const rows = await this.store.readDay(day, after, this.pageSize);
      for (const row of rows) aggregator.add(JSON.parse(row.payload) as Payload, row.source);
      const last = rows[rows.length - 1];
      if (!last || rows.length < this.pageSize) break;
      after = { instanceId: last.instanceId, keySlot: last.keySlot };
      await new Promise((resolve) => setImmediate(resolve));
    }
    const final = day < utcDay(now);
    const incomplete: IncompleteReason[] = [];
    if (!final) incomplete.push('in-progress');
    const from = dayStart(day);
    const to = Math.min(from + DAY_MS, now);
    const runs = await this.store.runs(from, to);
    if (this.runningSince !== null) runs.push({ startedAt: this.runningSince, aliveAt: now });
    // Before the collector's first recorded start it did not exist: that is not downtime.
    const firstStart = Math.min(...(await this.store.runs(0, to)).map((r) => r.startedAt), this.runningSince ?? Infinity);
    const gap = uncoveredMs(runs, Math.max(from, Math.min(firstStart, to)), to);
    if (gap > DOWN_TOLERANCE_MS) incomplete.push('collector-down');
    let summary = aggregator.result({ day, final, incomplete, ...(gap > DOWN_TOLERANCE_MS ? { collectorDownMinutes: Math.round(gap / 60_000) } : {}) });
    const previous = (await this.store.summaries(day - 1, day - 1))[0];
    if (final && previous && previous.day === day - 1) {
      const before = JSON.parse(previous.body) as DaySummary;
      if (summary.instances < before.instances * DROP_RATIO) {
        incomplete.push('drop');
        summary = { ...summary, complete: false, incomplete };
      }
    }
    await this.store.saveSummary({ day, final, body: JSON.stringify(summary) }, version);
    this.logger.log('debug', 'summary computed', { day: summary.day, instances: summary.instances, final });
  }
}
