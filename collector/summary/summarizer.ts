/**
 * Keeps the stored summaries in step with the raw rows by following the store's feed (store/types.ts):
 * each pass takes the commits since the last one, takes back from each day's tally the versions
 * those commits replaced or deleted, adds the versions they wrote, and publishes the days that
 * changed, with the tallies and the new feed position saved in one transaction. A pass costs what
 * changed, never the size of the day, and it works in small pages, yielding between them, so a
 * request never waits behind it for more than a few milliseconds.
 *
 * A day is counted again from its rows only when asked (an earlier format, a store from before the
 * feed) or when its tally can no longer tell a cell's sources (cell.ts): one such day per pass.
 *
 * Several processes may write the store and summarize it: the feed numbers commits in commit order
 * whoever makes them, and a pass is saved only if no other pass was saved since it began (it is
 * then dropped and the tallies read again).
 *
 * This process's own commits that only added rows are counted at once from the reports in hand
 * (`counted`), when the tallies stand right before them: the feed is then not read for them, and
 * the next pass only publishes and saves. Any other commit, or one that finds the tallies elsewhere,
 * is read from the feed by the next pass, as before.
 */
import type { Payload } from '../../shared/schema/payload';
import type { CollectorClock, Logger } from '../platform';
import type { AddedRows } from '../writer';
import { DAY_MS, dayStart, expiryCutoff, utcDay } from '../retention';
import type { FeedCursor, RowCursor, Run, Store, StoredSummary, SupersededFilter } from '../store/types';
import { DayTally } from './aggregate';
import type { DaySummary, IncompleteReason } from './types';
import { isCurrentFormat, withoutExactValues, withoutMixedMemory, withPublishedPlayers } from './upgrade';

/** Summarizing may take at most this share of the time: a pass that was busy 200 ms waits 2 s for the next. */
const MAX_SUMMARY_SHARE = 0.1;
/** Commits one pass takes in at most; the next pass goes on from there. */
const MAX_COMMITS_PER_PASS = 2_000;
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

const parse = (payload: string) => JSON.parse(payload) as Payload;
const yieldToRequests = () => new Promise<void>((resolve) => setImmediate(resolve));
/**
 * Rows of commits held while a pass runs, counted at once after it: half a second at 2,000 reports/s,
 * a few milliseconds to count. The commits past them are read from the feed by the next pass, a
 * page at a time.
 */
const MAX_HELD_ROWS = 1_000;
/** A row of the store: its day, instance and key slot (replacement.ts). */
const keyOf = (day: number, row: RowCursor) => `${day}/${row.instanceId}/${row.keySlot}`;

export interface SummarizerOptions {
  /** When this process started: it is up right now, whatever its last stored heartbeat says. */
  runningSince?: number | null;
  /** Rows read and counted between two yields. */
  pageSize?: number;
  /** After each pass that reached the store: saved, or dropped because another process saved one first. */
  onPass?: (saved: boolean) => void;
  /** Commits counted: from the reports in hand (one at a time), or read from the feed by a saved pass. */
  onCounted?: (how: 'in-hand' | 'feed', commits: number) => void;
}

export class Summarizer {
  private inFlight: Promise<void> | null = null;
  private dirty = true;
  private lastRefreshAt = -Infinity;
  private lastRefreshDay = -1;
  /** Time the last pass spent working (not waiting for its turn between pages). */
  private lastPassMs = 0;
  /** Today's stored summary predates this process: its uptime (collector-down) is out of date. */
  private todayPredatesStart = true;
  /**
   * Tallies at feed position `cachedAt`: as saved (or read) at `savedAt`, plus the commits counted
   * since (`counted`), which changed the days in `unsaved`. No need to read them again while no
   * other process saved a pass.
   */
  private cache = new Map<number, DayTally>();
  private cachedAt = -1;
  private savedAt = -1;
  private readonly unsaved = new Set<number>();
  /** This process's commits that arrived while a pass ran. */
  private held: AddedRows[] = [];
  private heldRows = 0;
  private readonly runningSince: number | null;
  private readonly pageSize: number;
  private readonly onPass: (saved: boolean) => void;
  private readonly onCounted: (how: 'in-hand' | 'feed', commits: number) => void;

  constructor(
    private readonly store: Store,
    private readonly clock: CollectorClock,
    private readonly logger: Logger,
    options: SummarizerOptions = {},
  ) {
    this.runningSince = options.runningSince ?? null;
    // 100 rows take 2-5 ms to read and count on this VM: the longest a request waits behind a page.
    this.pageSize = options.pageSize ?? 100;
    this.onPass = options.onPass ?? (() => {});
    this.onCounted = options.onCounted ?? (() => {});
  }

  /** Called by the writer after each commit. */
  markDirty(): void {
    this.dirty = true;
  }

  /** Whether the store holds commits the summaries do not follow yet, or days to count again (two small reads). */
  async behind(): Promise<boolean> {
    const feed = await this.store.feedState();
    return feed.head > feed.summarized || (await this.store.daysToRecount()).length > 0;
  }

  /** Whether something changed (or the day rolled over) since the last pass. */
  get stale(): boolean {
    return this.dirty || utcDay(this.clock.now()) !== this.lastRefreshDay;
  }

  /**
   * The shortest time between two passes: `maxAgeMs`, stretched when passes are busy so that
   * summarizing never takes more than a tenth of the time. 0 means "always fresh" (tests).
   */
  private minGap(maxAgeMs: number): number {
    return maxAgeMs === 0 ? 0 : Math.max(maxAgeMs, this.lastPassMs / MAX_SUMMARY_SHARE);
  }

  /** Milliseconds until `ensureFresh(maxAgeMs)` would run a pass over stale summaries. */
  dueIn(maxAgeMs: number): number {
    return Math.max(0, this.lastRefreshAt + this.minGap(maxAgeMs) - this.clock.now());
  }

  /** Runs a pass if something changed (or the day rolled over) and the last pass is older than the gap. */
  async ensureFresh(maxAgeMs: number): Promise<void> {
    if (this.stale && this.dueIn(maxAgeMs) === 0) await this.refresh();
    else if (this.inFlight) await this.inFlight;
  }

  /** One pass; concurrent callers share it. */
  refresh(): Promise<void> {
    this.inFlight ??= this.pass().finally(() => {
      this.inFlight = null;
      // In commit order; once one cannot be counted here, nor can any after it (the feed has them).
      for (const added of this.held.splice(0)) this.count(added);
      this.heldRows = 0;
    });
    return this.inFlight;
  }

  /**
   * The writer's commit that only added rows (writer.ts): counted at once from the reports in hand
   * if the tallies stand right before it; otherwise the next pass reads it from the feed. A running
   * pass changes the tallies, so a commit arriving meanwhile waits for it to end.
   */
  counted(added: AddedRows): void {
    if (!this.inFlight) this.count(added);
    else if (this.heldRows + added.rows.length <= MAX_HELD_ROWS) {
      this.held.push(added);
      this.heldRows += added.rows.length;
    }
  }

  private count(added: AddedRows): void {
    // Another commit between (another process's, or one the feed has to tell), or none counted yet.
    if (this.cachedAt < 0 || added.seq !== this.cachedAt + 1) return;
    const firstIntactDay = utcDay(expiryCutoff(this.clock.now())) + 1;
    const tallies: DayTally[] = [];
    for (const row of added.rows) {
      // A day not in hand (a new day, a day past retention, one read from the store) is the pass's to open.
      const tally = row.day >= firstIntactDay ? this.cache.get(row.day) : undefined;
      if (!tally) return;
      tallies.push(tally);
    }
    added.rows.forEach((row, i) => {
      tallies[i]!.add(row.report, row.source);
      this.unsaved.add(row.day);
    });
    this.cachedAt = added.seq;
    this.onCounted('in-hand', 1);
  }

  /**
   * The tallies in hand are not to be trusted (a pass failed, another process saved one): none are
   * held, and the next are read from the store as saved at `at` (-1: not known yet).
   */
  private forget(at = -1): void {
    this.cache.clear();
    this.unsaved.clear();
    this.cachedAt = this.savedAt = at;
  }

  /**
   * Brings summaries of an earlier format up to this one (upgrade.ts): stripped of exact values and
   * mixed memory figures and players regrouped at once, and counted again from their rows where the
   * day's raw reports are all still kept.
   */
  async upgradeStored(): Promise<void> {
    const firstIntactDay = utcDay(expiryCutoff(this.clock.now())) + 1;
    const recount: number[] = [];
    for (const stored of await this.store.summaries(0)) {
      if (isCurrentFormat(stored.body)) continue;
      const body = withoutMixedMemory(withPublishedPlayers(withoutExactValues(stored.body)));
      if (body !== stored.body) await this.store.saveSummary({ ...stored, body });
      if (stored.day >= firstIntactDay) recount.push(stored.day);
    }
    if (recount.length > 0) {
      await this.store.markForRecount(recount);
      this.dirty = true;
    }
  }

  private async pass(): Promise<void> {
    const now = this.clock.now();
    const today = utcDay(now);
    // Cleared before reading so a commit landing during the pass marks it dirty again.
    this.dirty = false;
    this.lastRefreshAt = now;
    this.lastRefreshDay = today;
    const work = new PassWork(this.clock);
    try {
      const more = await this.run(work, now);
      if (more) this.dirty = true;
    } catch (error) {
      this.forget();
      this.dirty = true;
      throw error;
    } finally {
      this.lastPassMs = work.busyMs;
    }
  }

  /** One pass; true when there is more to do (more commits than one pass takes, days still to count again). */
  private async run(work: PassWork, now: number): Promise<boolean> {
    const today = utcDay(now);
    // A day's rows start to be purged once its first hour is older than the retention: from then on
    // its summary stays as it was (counting it again would count a fraction of it).
    const firstIntactDay = utcDay(expiryCutoff(now)) + 1;
    const feed = await work.timed(() => this.store.feedState());
    const saved = feed.summarized;
    if (this.savedAt !== saved) this.forget(saved);
    // The commits counted since the last save are in the tallies already: the feed is read after them.
    const from = this.cachedAt;
    const to = Math.max(from, Math.min(feed.head, from + MAX_COMMITS_PER_PASS));
    const asked = new Set(await work.timed(() => this.store.daysToRecount()));
    const waiting = [...asked].filter((day) => day >= firstIntactDay);
    const recount = waiting.slice(0, 1);
    const days = new PassTallies(this.store, this.cache, work, firstIntactDay, (day) => asked.has(day) && !recount.includes(day));
    for (const day of this.unsaved) await days.carry(day);

    // Versions replaced or deleted since `from` that the tallies hold: taken back.
    await this.eachSuperseded({ leftAfter: from, leftThrough: to, writtenThrough: from }, work, async (old) => {
      (await days.tally(old.day))?.remove(parse(old.payload), old.source);
    });
    // Versions written since `from`, as they stood at `to`: still in the table, or superseded after `to`.
    const seen = new Set<string>();
    let next: string | null = null;
    for (;;) {
      const rows = await work.timed(() => this.store.rowsWritten(from, to, next, this.pageSize));
      await work.timed(async () => {
        for (const row of rows) {
          seen.add(keyOf(row.day, row));
          // Rows of a page share a few days: once a day's tally is open, no await per row.
          (days.opened(row.day) ?? (await days.tally(row.day)))?.add(parse(row.payload), row.source);
        }
      });
      if (rows.length < this.pageSize) break;
      next = rows[rows.length - 1]!.next;
      await yieldToRequests();
    }
    await this.eachSuperseded({ leftAfter: to, writtenAfter: from, writtenThrough: to }, work, async (old) => {
      if (!seen.has(keyOf(old.day, old))) (await days.tally(old.day))?.add(parse(old.payload), old.source);
    });
    for (const day of recount) days.replace(day, await this.recount(day, to, work));
    // Today's tally in hand from this pass on, also before its first row: otherwise the writer's
    // commits until the next pass (a second of them, at start-up and after every forget) could not be
    // counted as they come, and that pass, reading them back, would hold up the next ones in turn.
    await days.read(today);

    const publish = new Set(days.changed);
    // A day that ended while the collector was down is published final from its tally, which holds
    // the whole day even if its first rows have expired since.
    const unfinished = await work.timed(() => this.store.unfinishedDays(today));
    for (const day of unfinished) publish.add(day);
    if (this.todayPredatesStart) {
      this.todayPredatesStart = false;
      if ((await work.timed(() => this.store.summaries(today, today))).length > 0) publish.add(today);
    }
    const summaries: StoredSummary[] = [];
    for (const day of [...publish].sort((a, b) => a - b)) {
      if (day < firstIntactDay && !unfinished.includes(day)) continue;
      let tally = await days.read(day);
      if (!tally) continue;
      const context = await work.timed(() => this.context(day, now));
      let summary = work.time(() => tally!.result(context));
      if (summary === null) {
        // A cell can no longer tell its sources, or (a fault) the tally does not add up: count the day again.
        if (tally.consistent) this.logger.log('info', 'summary counted again from the rows: a cell could not tell its sources', { day });
        else this.logger.log('warn', 'summary counted again from the rows: its tally did not add up', { day });
        tally = await this.recount(day, to, work);
        days.replace(day, tally);
        summary = tally.result(context)!;
      }
      summary = await work.timed(() => this.withDrop(summary!, day, summaries));
      summaries.push({ day, final: summary.final, body: work.time(() => JSON.stringify(summary)) });
    }

    const tallies = work.time(() => days.toSave());
    const stored = await work.timed(() => this.store.saveSummaries({ from: saved, to, tallies, summaries }));
    this.onPass(stored);
    if (!stored) {
      // Another process summarized meanwhile: its tallies are the ones to go on from.
      this.forget();
      return true;
    }
    this.cache = days.kept(firstIntactDay);
    this.unsaved.clear();
    this.cachedAt = this.savedAt = to;
    if (to > from) this.onCounted('feed', to - from);
    for (const s of summaries) this.logger.log('debug', 'summary published', { day: s.day, final: s.final });
    return to < feed.head || waiting.length > recount.length;
  }

  /** Calls `each` for every superseded version matching `filter`, a page at a time. */
  private async eachSuperseded(
    filter: SupersededFilter,
    work: PassWork,
    each: (row: { day: number; instanceId: string; keySlot: string; payload: string; source: string | null }) => Promise<void>,
  ): Promise<void> {
    let cursor: FeedCursor | null = null;
    for (;;) {
      const rows = await work.timed(() => this.store.supersededRows(filter, cursor, this.pageSize));
      await work.timed(async () => {
        for (const row of rows) await each(row);
      });
      if (rows.length < this.pageSize) return;
      cursor = rows[rows.length - 1]!;
      await yieldToRequests();
    }
  }

  /**
   * A day counted again from its rows, as they stood at feed position `through`: the rows written by
   * then, and the versions of that time replaced or deleted since (each row once).
   */
  private async recount(day: number, through: number, work: PassWork): Promise<DayTally> {
    const tally = new DayTally();
    const seen = new Set<string>();
    let after: RowCursor | null = null;
    for (;;) {
      const rows = await work.timed(() => this.store.readDay(day, after, this.pageSize));
      work.time(() => {
        for (const row of rows) {
          if (row.seq > through) continue;
          seen.add(keyOf(day, row));
          tally.add(parse(row.payload), row.source);
        }
      });
      if (rows.length < this.pageSize) break;
      const last = rows[rows.length - 1]!;
      after = { instanceId: last.instanceId, keySlot: last.keySlot };
      await yieldToRequests();
    }
    await this.eachSuperseded({ leftAfter: through, writtenThrough: through, day }, work, (old) => {
      if (!seen.has(keyOf(day, old))) {
        seen.add(keyOf(day, old));
        tally.add(parse(old.payload), old.source);
      }
      return Promise.resolve();
    });
    return tally;
  }

  /** What a day's summary says about itself: final or in progress, and whether the collector was down. */
  private async context(day: number, now: number) {
    const final = day < utcDay(now);
    const incomplete: IncompleteReason[] = final ? [] : ['in-progress'];
    const from = dayStart(day);
    const to = Math.min(from + DAY_MS, now);
    const runs = await this.store.runs(from, to);
    if (this.runningSince !== null) runs.push({ startedAt: this.runningSince, aliveAt: now });
    // Before the collector's first recorded start it did not exist: that is not downtime.
    const firstStart = Math.min(...(await this.store.runs(0, to)).map((r) => r.startedAt), this.runningSince ?? Infinity);
    const gap = uncoveredMs(runs, Math.max(from, Math.min(firstStart, to)), to);
    if (gap > DOWN_TOLERANCE_MS) incomplete.push('collector-down');
    return { day, final, incomplete, ...(gap > DOWN_TOLERANCE_MS ? { collectorDownMinutes: Math.round(gap / 60_000) } : {}) };
  }

  /** A final day with 20% fewer instances than the day before is flagged `drop`. */
  private async withDrop(summary: DaySummary, day: number, published: readonly StoredSummary[]): Promise<DaySummary> {
    if (!summary.final) return summary;
    const previous = published.find((s) => s.day === day - 1) ?? (await this.store.summaries(day - 1, day - 1))[0];
    if (!previous) return summary;
    const before = JSON.parse(previous.body) as DaySummary;
    if (summary.instances >= before.instances * DROP_RATIO) return summary;
    return { ...summary, complete: false, incomplete: [...summary.incomplete, 'drop'] };
  }
}

/** What one pass has spent working: its share of the time is bounded (minGap). */
class PassWork {
  busyMs = 0;

  constructor(private readonly clock: CollectorClock) {}

  time<T>(work: () => T): T {
    const started = this.clock.monotonic();
    try {
      return work();
    } finally {
      this.busyMs += this.clock.monotonic() - started;
    }
  }

  async timed<T>(work: () => Promise<T>): Promise<T> {
    const started = this.clock.monotonic();
    try {
      return await work();
    } finally {
      this.busyMs += this.clock.monotonic() - started;
    }
  }
}

/** The tallies one pass reads and changes, from the process's cache or the store. */
class PassTallies {
  private readonly open = new Map<number, DayTally | null>();
  readonly changed = new Set<number>();
  /** Days whose stored tally did not parse: asked to be counted again. */
  private readonly unreadable = new Set<number>();

  constructor(
    private readonly store: Store,
    private readonly cache: ReadonlyMap<number, DayTally>,
    private readonly work: PassWork,
    /** Days before this one are past their retention: their tallies change no more. */
    private readonly firstIntactDay: number,
    /** Days waiting to be counted again: their tallies are not read. */
    private readonly waiting: (day: number) => boolean,
  ) {}

  /** The day's tally, to be changed; null for a day this pass leaves alone. */
  async tally(day: number): Promise<DayTally | null> {
    const open = this.opened(day);
    if (open !== undefined) return open;
    const tally = await this.read(day);
    if (tally) this.changed.add(day);
    return tally;
  }

  /** A day the tallies in hand changed since they were saved: to be saved and published with the pass's. */
  async carry(day: number): Promise<void> {
    if (day >= this.firstIntactDay && (await this.read(day))) this.changed.add(day);
  }

  /** As tally(), without waiting, for a day this pass has opened already; undefined for one it has not. */
  opened(day: number): DayTally | null | undefined {
    if (day < this.firstIntactDay) return null;
    const tally = this.open.get(day);
    if (tally) this.changed.add(day);
    return tally;
  }

  /** The day's tally, to publish from; null for a day this pass leaves alone. */
  async read(day: number): Promise<DayTally | null> {
    let tally = this.open.get(day);
    if (tally === undefined) {
      tally = this.waiting(day) ? null : (this.cache.get(day) ?? (await this.load(day)));
      this.open.set(day, tally);
    }
    return tally;
  }

  private async load(day: number): Promise<DayTally | null> {
    const stored = (await this.store.tallies([day])).get(day);
    // None stored: the day had no rows before.
    if (stored === undefined) return new DayTally();
    const tally = stored === null ? null : this.work.time(() => DayTally.fromStored(stored));
    if (!tally) this.unreadable.add(day);
    return tally;
  }

  replace(day: number, tally: DayTally): void {
    this.open.set(day, tally);
    this.unreadable.delete(day);
    this.changed.add(day);
  }

  toSave(): { day: number; body: string | null }[] {
    const out: { day: number; body: string | null }[] = [];
    for (const day of this.changed) out.push({ day, body: this.open.get(day)!.stored() });
    for (const day of this.unreadable) out.push({ day, body: null });
    return out;
  }

  /** What the next pass may start from without reading the store: every tally seen, as saved. */
  kept(firstIntactDay: number): Map<number, DayTally> {
    const kept = new Map<number, DayTally>();
    for (const [day, tally] of this.cache) if (day >= firstIntactDay && !this.open.has(day)) kept.set(day, tally);
    for (const [day, tally] of this.open) if (tally && day >= firstIntactDay) kept.set(day, tally);
    return kept;
  }
}
