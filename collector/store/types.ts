/**
 * What the service needs from storage. Two implementations (SQLite, PostgreSQL) pass one
 * conformance suite; nothing above this interface knows which one it talks to.
 *
 * Raw reports: one row per (UTC day, instance, deletion key); a report replaces only the row of
 * its own key, never with an older report (replacement.ts). Every commit that changes rows takes
 * the next number of the store's feed (one after another, in commit order, whichever process
 * commits) and writes it on the rows it writes; a row it replaces or deletes is kept aside as
 * "superseded" with that number. A report kept out by a newer one (`kept`) writes its row again as
 * it was, under the commit's number: its day is pending exactly as if it had been stored, so the
 * pending-days gauge does not tell a sender whether a row of the keyless slot already held a newer
 * report. From the feed, the summaries follow the rows one change at a time
 * (summary/summarizer.ts): per day a tally, stored beside its summary, and the feed number both
 * were brought to. Summaries: one aggregate document per UTC day, kept after the raw rows go.
 */

import type { StoredKey } from '../deletion';

/** `kept`: not written, its row keeps a newer report (replacement.ts); `capped`: the row has its day's writes. */
export type WriteOutcome = 'inserted' | 'replaced' | 'kept' | 'capped';

/** One commit of `writeReports`: each write's outcome, and the feed number it took (null: nothing was committed). */
export interface WriteCommit {
  seq: number | null;
  outcomes: WriteOutcome[];
}

/** What a row holds besides the report. */
export interface StoredRow {
  receivedAt: number;
  writes: number;
}

export interface ReportWrite {
  day: number;
  instanceId: string;
  receivedAt: number;
  /** The validated report as JSON (unknown fields already dropped). */
  payload: string;
  /** How many reports of this batch this write stands for (duplicates collapsed, the last kept). */
  count: number;
  /** `candor.deletionKeyHash` of the report (64 hex), kept beside it; null when it had none. */
  deletionKeyHash: string | null;
  /** Opaque tag of the network the report came from, valid for its day only (source-tag.ts). */
  source: string | null;
  /**
   * The sha256 (64 hex) of the report's bytes as received: the receipt its sender was given. Every
   * ingest path sets it; rows written without their bytes (seeded by tests and benches) have none.
   */
  receivedSha256?: string | null;
}

/** One stored report of an instance, as its owner may see it (`GET /collect/{id}`). */
export interface HeldReport {
  day: number;
  receivedAt: number;
  /** The receipt of the bytes received; null for rows stored before receipts existed. */
  receivedSha256: string | null;
  /** The stored report (validated JSON, without its deletion-key hash). */
  payload: string;
  /** The key of the row (whose report it is); null for a row without one. */
  deletionKeyHash: string | null;
}

/** What a deletion request did: nothing (refused), or removed this many rows. */
export type DeletionResult = { allowed: false } | { allowed: true; removed: number };

/** Where a page of a day's rows ended: rows are ordered by instance id, then key slot (replacement.ts). */
export interface RowCursor {
  instanceId: string;
  keySlot: string;
}

export interface RawRow extends RowCursor {
  payload: string;
  /** Null for rows stored before source tags existed. */
  source: string | null;
  /** The feed number of the commit that wrote this version of the row (0: before the feed existed). */
  seq: number;
}

/** A row as the commit numbered `seq` wrote it. */
export interface FeedRow extends RawRow {
  day: number;
}

/** A row written since a feed position, and where the page after it starts (the store's own bookmark). */
export interface WrittenRow extends FeedRow {
  next: string;
}

/** A version of a row that left the table (replaced or deleted) in the commit numbered `seq`. */
export interface SupersededRow extends FeedRow {
  /** The feed number of the commit that had written this version. */
  writtenSeq: number;
}

/** Where a page of the feed ended (feed order: seq, day, instance id, key slot). */
export interface FeedCursor extends RowCursor {
  seq: number;
  day: number;
}

/** Which superseded versions to read: left by a commit numbered in (leftAfter, leftThrough], written by one in (writtenAfter, writtenThrough]. */
export interface SupersededFilter {
  leftAfter: number;
  /** Unbounded when absent. */
  leftThrough?: number;
  /** Unbounded (from the start) when absent. */
  writtenAfter?: number;
  writtenThrough: number;
  /** One day only. */
  day?: number;
}

/** How far the feed has been written, and how far the stored tallies and summaries follow it. */
export interface FeedState {
  head: number;
  summarized: number;
}

/** One pass of the summaries, saved at once (see `saveSummaries`). */
export interface SummaryPass {
  /** The feed position the pass started from, and the one it brought the tallies to. */
  from: number;
  to: number;
  /** A null body asks for the day to be counted again (its stored tally did not parse). */
  tallies: { day: number; body: string | null }[];
  summaries: StoredSummary[];
}

export interface StoredSummary {
  day: number;
  final: boolean;
  body: string;
}

export interface Run {
  startedAt: number;
  aliveAt: number;
}

/** A day's salt for source tags (source-tag.ts), and whether this call made it. */
export interface DaySalt {
  salt: Buffer;
  made: boolean;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Where the data lives, for the start-up line: a file path or host/database, never a password. */
  readonly location: string;

  /**
   * Upserts in one transaction, under the next feed number (replaced rows kept as superseded);
   * outcomes in input order. Rows (day, instance, key) are unique within a batch. An existing row
   * is replaced only as `replaces` (replacement.ts) allows and while it has fewer than
   * `writesPerDayCap` writes; a row that keeps a newer report is written again as it was (`kept`).
   */
  writeReports(batch: readonly ReportWrite[], writesPerDayCap: number): Promise<WriteCommit>;
  /** The row of an instance, day and deletion key (null: none), if any. */
  findReport(day: number, instanceId: string, deletionKeyHash: string | null): Promise<StoredRow | null>;
  /** Stored writes per row on one day, with the row's deletion key hash: what admission counts start from. */
  writesOfDay(day: number): Promise<{ instanceId: string; writes: number; deletionKeyHash: string | null }[]>;
  /**
   * Removes the rows of an instance that `planDeletion` allows for the presented key hash (null:
   * none presented), in one transaction, under the next feed number (the rows kept as superseded).
   */
  deleteInstance(instanceId: string, presentedKeyHash: Buffer | null): Promise<DeletionResult>;
  /**
   * The deletion-key hash (and receive time) of each row of an instance, on every retained day.
   * The same probes run for any id, known or not: what the access check reads before it knows anything.
   */
  instanceKeys(instanceId: string): Promise<StoredKey[]>;
  /** An instance's rows of the given days, oldest first, with their keys. */
  instanceReports(instanceId: string, days: readonly number[]): Promise<HeldReport[]>;

  /** Deletes up to `limit` raw rows received at or before `cutoff`; returns how many. */
  purgeBatch(cutoff: number, limit: number): Promise<number>;
  /**
   * Deletes what was derived from expired rows: their superseded versions (received at or before
   * `cutoff`) and the tallies of days up to `cutoff`'s (their summaries are final and stay).
   */
  purgeDerived(cutoff: number): Promise<void>;
  /**
   * Gives some of the space of deleted rows back (SQLite: a step of incremental vacuum, then the WAL
   * truncated; PostgreSQL: VACUUM); true while there is more to give back.
   */
  reclaimSpace(): Promise<boolean>;
  oldestReceivedAt(): Promise<number | null>;
  countReports(): Promise<number>;

  /** Raw rows of one day, ordered by instance id and key slot, after `after`. */
  readDay(day: number, after: RowCursor | null, limit: number): Promise<RawRow[]>;

  feedState(): Promise<FeedState>;
  /** Rows as last written by commits numbered in (after, through], in feed order, from `next` (a row's bookmark) on. */
  rowsWritten(after: number, through: number, next: string | null, limit: number): Promise<WrittenRow[]>;
  /** Superseded versions matching `filter`, in feed order after `cursor`. */
  supersededRows(filter: SupersededFilter, cursor: FeedCursor | null, limit: number): Promise<SupersededRow[]>;
  /** The stored tallies of these days: a body, null (count the day again from its rows), or absent (none yet). */
  tallies(days: readonly number[]): Promise<Map<number, string | null>>;
  /** Asks for these days to be counted again from their rows (an upgrade, a repair). */
  markForRecount(days: readonly number[]): Promise<void>;
  /** Days asked to be counted again. */
  daysToRecount(): Promise<number[]>;
  /** Days with changes the summaries do not follow yet, or asked to be counted again. */
  pendingDays(): Promise<number>;
  /**
   * Saves tallies, summaries and the new feed position in one transaction, only if the stored
   * position is still `pass.from` (false otherwise: another process summarized meanwhile), and
   * forgets the superseded versions the pass took in.
   */
  saveSummaries(pass: SummaryPass): Promise<boolean>;
  /** Stores a summary as it is (an earlier format stripped of its exact values). */
  saveSummary(summary: StoredSummary): Promise<void>;
  summaries(fromDay: number, toDay?: number): Promise<StoredSummary[]>;
  /** Days whose stored summary was computed before the day ended. */
  unfinishedDays(beforeDay: number): Promise<number[]>;

  /** Which times the collector was up: incomplete days are flagged from the gaps. */
  saveRun(run: Run): Promise<void>;
  runs(from: number, to: number): Promise<Run[]>;
  /** Forgets runs that ended before `before` (they only matter while their days can be recomputed). */
  pruneRuns(before: number): Promise<void>;

  /**
   * The salt of `day` for source tags: the stored one, or `fresh` stored as the day's when there is
   * none, under the store's own lock, so every process of a deployment tags with the same salt all
   * day. Salts of earlier days are deleted in the same transaction (see `forgetSalts`). Null when a
   * later day's salt exists: a day the deployment has left never gets a salt again.
   */
  daySalt(day: number, fresh: Buffer): Promise<DaySalt | null>;
  /**
   * Deletes the salts of days before `day`, and then every copy the store itself keeps of them
   * (SQLite: overwritten in place, the write-ahead log emptied; PostgreSQL: the table rewritten).
   * True when that is done, false when a copy may remain in a log a reader held (try again later).
   */
  forgetSalts(day: number): Promise<boolean>;
  /**
   * Takes the lease `name` for `holder` until `until` when it is free, expired at `now`, or already
   * the holder's; false when another holder has it.
   */
  takeLease(name: string, holder: string, now: number, until: number): Promise<boolean>;
  releaseLease(name: string, holder: string): Promise<void>;

  ping(): Promise<void>;
  close(): Promise<void>;
}
