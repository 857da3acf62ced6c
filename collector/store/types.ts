/**
 * What the service needs from storage. Two implementations (SQLite, PostgreSQL) pass one
 * conformance suite; nothing above this interface knows which one it talks to.
 *
 * Raw reports: one row per (UTC day, instance, deletion key), written only by the single writer;
 * a report replaces only the row of its own key, never with an older report (replacement.ts).
 * Summaries: one aggregate document per UTC day, kept after the raw rows go.
 */

import type { StoredKey } from '../deletion';

/** `kept`: not written, its row keeps a newer report (replacement.ts); `capped`: the row has its day's writes. */
export type WriteOutcome = 'inserted' | 'replaced' | 'kept' | 'capped';

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
}

export interface DirtyDay {
  day: number;
  /** Bumped by every write to the day; a summary clears the mark only if no write came after it. */
  version: number;
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

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /** Where the data lives, for the start-up line: a file path or host/database, never a password. */
  readonly location: string;

  /**
   * Upserts in one transaction, marking the days dirty; outcomes in input order. Rows (day,
   * instance, key) are unique within a batch. An existing row is replaced only as `replaces`
   * (replacement.ts) allows and while it has fewer than `writesPerDayCap` writes.
   */
  writeReports(batch: readonly ReportWrite[], writesPerDayCap: number): Promise<WriteOutcome[]>;
  /** The row of an instance, day and deletion key (null: none), if any. */
  findReport(day: number, instanceId: string, deletionKeyHash: string | null): Promise<StoredRow | null>;
  /** Stored writes per row on one day, with the row's deletion key hash: what admission counts start from. */
  writesOfDay(day: number): Promise<{ instanceId: string; writes: number; deletionKeyHash: string | null }[]>;
  /**
   * Removes the rows of an instance that `planDeletion` allows for the presented key hash (null:
   * none presented), in one transaction, and marks their days dirty.
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
  /** Gives the space of deleted rows back (SQLite incremental vacuum, PostgreSQL VACUUM). */
  reclaimSpace(): Promise<void>;
  oldestReceivedAt(): Promise<number | null>;
  countReports(): Promise<number>;

  dirtyDays(): Promise<DirtyDay[]>;
  /** Raw rows of one day, ordered by instance id and key slot, after `after`. */
  readDay(day: number, after: RowCursor | null, limit: number): Promise<RawRow[]>;
  /** Stores a summary; clears the day's dirty mark if its version is still `version`. */
  saveSummary(summary: StoredSummary, version: number | null): Promise<void>;
  clearDirty(day: number, version: number): Promise<void>;
  summaries(fromDay: number, toDay?: number): Promise<StoredSummary[]>;
  /** Days whose stored summary was computed before the day ended. */
  unfinishedDays(beforeDay: number): Promise<number[]>;

  /** Which times the collector was up: incomplete days are flagged from the gaps. */
  saveRun(run: Run): Promise<void>;
  runs(from: number, to: number): Promise<Run[]>;
  /** Forgets runs that ended before `before` (they only matter while their days can be recomputed). */
  pruneRuns(before: number): Promise<void>;

  ping(): Promise<void>;
  close(): Promise<void>;
}
