/**
 * Embedded store: one SQLite file in WAL mode. Durability is the operator's choice:
 * - 'normal' (default, synchronous=NORMAL): a committed batch survives the collector being killed
 *   at any instant; a power cut or kernel crash may lose the last commits, never the file.
 * - 'full' (synchronous=FULL): every batch is fsync'd before any of its reports is answered, so
 *   it survives a power cut too; throughput then follows the disk's fsync latency.
 */
import { accessSync, constants, mkdirSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { utcDay } from '../retention';
import { StoreUnavailable } from './errors';
import { planDeletion, type StoredKey } from '../deletion';
import { keySlot, replaces } from '../replacement';
import { IMPORT_SOURCE } from '../source-tag';
import type { DeletionResult, DirtyDay, HeldReport, RawRow, ReportWrite, RowCursor, Run, Store, StoredRow, StoredSummary, WriteOutcome } from './types';

export const SQLITE_FILE = 'collector.sqlite';
const SCHEMA_VERSION = 5;

export type SqliteDurability = 'normal' | 'full';

export function openSqliteStore(dataDir: string, durability: SqliteDurability = 'normal'): SqliteStore {
  const dir = path.resolve(dataDir);
  try {
    mkdirSync(dir, { recursive: true });
    if (!statSync(dir).isDirectory()) throw new Error('not a folder');
    accessSync(dir, constants.W_OK | constants.R_OK);
  } catch (error) {
    throw new StoreUnavailable(`data folder ${dir} is not usable (${reasonOf(error)})`);
  }
  const file = path.join(dir, SQLITE_FILE);
  try {
    // SQLite would wait on a FIFO forever, or write into a device: the database and its journals are regular files or absent.
    for (const name of [file, `${file}-wal`, `${file}-shm`]) {
      const stats = statSync(name, { throwIfNoEntry: false });
      if (stats && !stats.isFile()) throw new Error(`${path.basename(name)} is not a regular file`);
    }
    return new SqliteStore(new Database(file), file, durability);
  } catch (error) {
    throw new StoreUnavailable(`cannot open ${file} (${reasonOf(error)})`);
  }
}

function reasonOf(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return e.code ?? e.message ?? 'unknown error';
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  private readonly upsert: Database.Statement;
  private readonly findRow: Database.Statement;
  private readonly touchDay: Database.Statement;
  private readonly writeTx: (batch: readonly ReportWrite[], cap: number) => WriteOutcome[];

  constructor(
    private readonly db: Database.Database,
    readonly location: string,
    durability: SqliteDurability = 'normal',
  ) {
    // auto_vacuum only takes effect before the first table exists: set it first, every time.
    db.pragma('auto_vacuum = INCREMENTAL');
    db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${durability === 'full' ? 'FULL' : 'NORMAL'}`);
    db.pragma('busy_timeout = 5000');
    db.pragma('cache_size = -65536');
    db.pragma('journal_size_limit = 67108864');
    db.exec(`
      CREATE TABLE IF NOT EXISTS reports (
        day INTEGER NOT NULL,
        instance_id TEXT NOT NULL,
        received_at INTEGER NOT NULL,
        writes INTEGER NOT NULL,
        payload TEXT NOT NULL,
        deletion_key_hash TEXT,
        source TEXT,
        received_sha256 TEXT
      );
      CREATE TABLE IF NOT EXISTS dirty_days (day INTEGER PRIMARY KEY, version INTEGER NOT NULL);
      CREATE TABLE IF NOT EXISTS summaries (day INTEGER PRIMARY KEY, final INTEGER NOT NULL, body TEXT NOT NULL);
      CREATE TABLE IF NOT EXISTS runs (started_at INTEGER PRIMARY KEY, alive_at INTEGER NOT NULL);
    `);
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) throw new StoreUnavailable(`database was written by a newer collector (schema ${version})`);
    // Schema 2: the deletion-key hash beside each report; 3: the per-day source tag; 4: the receipt;
    // 5: one row per (day, instance, deletion key) (replacement.ts), where it was per (day, instance).
    const columns = new Set((db.pragma('table_info(reports)') as { name: string }[]).map((c) => c.name));
    if (!columns.has('deletion_key_hash')) db.exec('ALTER TABLE reports ADD COLUMN deletion_key_hash TEXT');
    if (!columns.has('source')) db.exec('ALTER TABLE reports ADD COLUMN source TEXT');
    if (!columns.has('received_sha256')) db.exec('ALTER TABLE reports ADD COLUMN received_sha256 TEXT');
    db.exec(`
      DROP INDEX IF EXISTS reports_day_instance;
      CREATE UNIQUE INDEX IF NOT EXISTS reports_day_instance_key ON reports (day, instance_id, ifnull(deletion_key_hash, ''));
    `);
    db.pragma(`user_version = ${SCHEMA_VERSION}`);

    this.upsert = db.prepare(`
      INSERT INTO reports (day, instance_id, received_at, writes, payload, deletion_key_hash, source, received_sha256) VALUES (?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (day, instance_id, ifnull(deletion_key_hash, '')) DO UPDATE SET
        received_at = excluded.received_at, payload = excluded.payload, writes = reports.writes + excluded.writes,
        source = excluded.source, received_sha256 = excluded.received_sha256
      WHERE reports.writes < ? AND reports.received_at <= excluded.received_at
      RETURNING writes`);
    this.findRow = db.prepare("SELECT received_at AS receivedAt, writes FROM reports WHERE day = ? AND instance_id = ? AND ifnull(deletion_key_hash, '') = ?");
    this.touchDay = db.prepare('INSERT INTO dirty_days (day, version) VALUES (?, 1) ON CONFLICT (day) DO UPDATE SET version = version + 1');
    this.writeTx = db.transaction((batch: readonly ReportWrite[], cap: number) => {
      const outcomes: WriteOutcome[] = [];
      const days = new Set<number>();
      for (const w of batch) {
        const row = this.upsert.get(w.day, w.instanceId, w.receivedAt, w.count, w.payload, w.deletionKeyHash, w.source, w.receivedSha256 ?? null, cap) as
          { writes: number } | undefined;
        if (!row) {
          // Not written: only now is it worth a look at why (the row keeps a newer report, or is full).
          const stored = this.findRow.get(w.day, w.instanceId, keySlot(w.deletionKeyHash)) as StoredRow | undefined;
          const kept = stored !== undefined && !replaces(w, stored);
          outcomes.push(kept ? 'kept' : 'capped');
          // An older report kept out marks its day as a written one would: the pending days do not tell them apart.
          if (kept) days.add(w.day);
        } else {
          outcomes.push(row.writes === w.count ? 'inserted' : 'replaced');
          days.add(w.day);
        }
      }
      for (const day of days) this.touchDay.run(day);
      return outcomes;
    });
  }

  writeReports(batch: readonly ReportWrite[], cap: number): Promise<WriteOutcome[]> {
    return settled(() => this.writeTx(batch, cap));
  }

  findReport(day: number, instanceId: string, deletionKeyHash: string | null): Promise<StoredRow | null> {
    return settled(() => (this.findRow.get(day, instanceId, keySlot(deletionKeyHash)) as StoredRow | undefined) ?? null);
  }

  writesOfDay(day: number): Promise<{ instanceId: string; writes: number; deletionKeyHash: string | null }[]> {
    return settled(
      () =>
        this.db.prepare('SELECT instance_id AS instanceId, writes, deletion_key_hash AS deletionKeyHash FROM reports WHERE day = ?').all(day) as {
          instanceId: string;
          writes: number;
          deletionKeyHash: string | null;
        }[],
    );
  }

  deleteInstance(instanceId: string, presentedKeyHash: Buffer | null): Promise<DeletionResult> {
    return settled(() => {
      const del = this.db.prepare("DELETE FROM reports WHERE day = ? AND instance_id = ? AND ifnull(deletion_key_hash, '') = ?");
      return this.db.transaction((): DeletionResult => {
        const plan = planDeletion(this.keysOf(instanceId), presentedKeyHash);
        if (!plan.allowed) return plan;
        for (const row of plan.rows) {
          del.run(row.day, instanceId, keySlot(row.keyHash));
          this.touchDay.run(row.day);
        }
        return { allowed: true, removed: plan.rows.length };
      })();
    });
  }

  instanceKeys(instanceId: string): Promise<StoredKey[]> {
    return settled(() => this.keysOf(instanceId));
  }

  /** A probe per retained day uses the (day, instance, key) index; no second index to maintain on every insert. */
  private keysOf(instanceId: string): StoredKey[] {
    const range = this.db.prepare('SELECT min(day) AS lo, max(day) AS hi FROM reports').get() as { lo: number | null; hi: number | null };
    const find = this.db.prepare(
      'SELECT deletion_key_hash AS keyHash, received_at AS receivedAt, source FROM reports WHERE day = ? AND instance_id = ? ORDER BY received_at',
    );
    const rows: StoredKey[] = [];
    if (range.lo === null || range.hi === null) return rows;
    for (let day = range.lo; day <= range.hi; day++) {
      for (const row of find.all(day, instanceId) as { keyHash: string | null; receivedAt: number; source: string | null }[])
        rows.push({ day, keyHash: row.keyHash, receivedAt: row.receivedAt, backdated: row.source === IMPORT_SOURCE });
    }
    return rows;
  }

  instanceReports(instanceId: string, days: readonly number[]): Promise<HeldReport[]> {
    return settled(() => {
      const find = this.db.prepare(
        'SELECT day, received_at AS receivedAt, received_sha256 AS receivedSha256, payload, deletion_key_hash AS deletionKeyHash FROM reports WHERE day = ? AND instance_id = ? ORDER BY received_at',
      );
      return [...new Set(days)].sort((a, b) => a - b).flatMap((day) => find.all(day, instanceId) as HeldReport[]);
    });
  }

  purgeBatch(cutoff: number, limit: number): Promise<number> {
    return settled(() => {
      return this.db
        .prepare('DELETE FROM reports WHERE rowid IN (SELECT rowid FROM reports WHERE day <= ? AND received_at <= ? LIMIT ?)')
        .run(utcDay(cutoff), cutoff, limit).changes;
    });
  }

  reclaimSpace(): Promise<void> {
    return settled(() => {
      this.db.exec('PRAGMA incremental_vacuum');
      this.db.pragma('wal_checkpoint(TRUNCATE)');
    });
  }

  oldestReceivedAt(): Promise<number | null> {
    return settled(() => {
      const row = this.db.prepare('SELECT min(received_at) AS m FROM reports WHERE day = (SELECT min(day) FROM reports)').get() as { m: number | null };
      return row.m;
    });
  }

  countReports(): Promise<number> {
    return settled(() => (this.db.prepare('SELECT count(*) AS n FROM reports').get() as { n: number }).n);
  }

  dirtyDays(): Promise<DirtyDay[]> {
    return settled(() => this.db.prepare('SELECT day, version FROM dirty_days ORDER BY day').all() as DirtyDay[]);
  }

  readDay(day: number, after: RowCursor | null, limit: number): Promise<RawRow[]> {
    return settled(() => {
      return this.db
        .prepare(
          `SELECT instance_id AS instanceId, ifnull(deletion_key_hash, '') AS keySlot, payload, source FROM reports
           WHERE day = ? AND (instance_id, ifnull(deletion_key_hash, '')) > (?, ?) ORDER BY instance_id, ifnull(deletion_key_hash, '') LIMIT ?`,
        )
        .all(day, after?.instanceId ?? '', after?.keySlot ?? '', limit) as RawRow[];
    });
  }

  saveSummary(summary: StoredSummary, version: number | null): Promise<void> {
    return settled(() => {
      this.db.transaction(() => {
        this.db
          .prepare('INSERT INTO summaries (day, final, body) VALUES (?, ?, ?) ON CONFLICT (day) DO UPDATE SET final = excluded.final, body = excluded.body')
          .run(summary.day, summary.final ? 1 : 0, summary.body);
        if (version !== null) this.db.prepare('DELETE FROM dirty_days WHERE day = ? AND version = ?').run(summary.day, version);
      })();
    });
  }

  clearDirty(day: number, version: number): Promise<void> {
    return settled(() => {
      this.db.prepare('DELETE FROM dirty_days WHERE day = ? AND version = ?').run(day, version);
    });
  }

  summaries(fromDay: number, toDay = Number.MAX_SAFE_INTEGER): Promise<StoredSummary[]> {
    return settled(() => {
      const rows = this.db.prepare('SELECT day, final, body FROM summaries WHERE day >= ? AND day <= ? ORDER BY day').all(fromDay, toDay) as {
        day: number;
        final: number;
        body: string;
      }[];
      return rows.map((r) => ({ day: r.day, final: r.final === 1, body: r.body }));
    });
  }

  unfinishedDays(beforeDay: number): Promise<number[]> {
    return settled(() =>
      (this.db.prepare('SELECT day FROM summaries WHERE final = 0 AND day < ? ORDER BY day').all(beforeDay) as { day: number }[]).map((r) => r.day),
    );
  }

  saveRun(run: Run): Promise<void> {
    return settled(() => {
      this.db
        .prepare('INSERT INTO runs (started_at, alive_at) VALUES (?, ?) ON CONFLICT (started_at) DO UPDATE SET alive_at = max(alive_at, excluded.alive_at)')
        .run(run.startedAt, run.aliveAt);
    });
  }

  runs(from: number, to: number): Promise<Run[]> {
    return settled(() => {
      return this.db
        .prepare('SELECT started_at AS startedAt, alive_at AS aliveAt FROM runs WHERE alive_at >= ? AND started_at <= ? ORDER BY started_at')
        .all(from, to) as Run[];
    });
  }

  pruneRuns(before: number): Promise<void> {
    return settled(() => {
      this.db.prepare('DELETE FROM runs WHERE alive_at < ?').run(before);
    });
  }

  ping(): Promise<void> {
    return settled(() => {
      this.db.prepare('SELECT 1').get();
    });
  }

  close(): Promise<void> {
    return settled(() => {
      if (!this.db.open) return;
      // Fold the WAL back into the main file so a stopped collector leaves one self-contained file.
      this.db.pragma('wal_checkpoint(TRUNCATE)');
      this.db.close();
    });
  }
}

/**
 * better-sqlite3 answers at once; the store interface is asynchronous because PostgreSQL's is. An
 * error still arrives as a rejection, as callers of an asynchronous store expect.
 */
function settled<T>(work: () => T): Promise<T> {
  try {
    return Promise.resolve(work());
  } catch (error) {
    return Promise.reject(error instanceof Error ? error : new Error(String(error)));
  }
}
