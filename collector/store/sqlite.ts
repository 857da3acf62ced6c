/**
 * Embedded store: one SQLite file in WAL mode. Durability is the operator's choice:
 * - 'normal' (default, synchronous=NORMAL): a committed batch survives the collector being killed
 *   at any instant; a power cut or kernel crash may lose the last commits, never the file.
 * - 'full' (synchronous=FULL): every batch is fsync'd before any of its reports is answered, so
 *   it survives a power cut too; throughput then follows the disk's fsync latency.
 */
import { accessSync, chmodSync, closeSync, constants, existsSync, mkdirSync, openSync, statSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { utcDay } from '../retention';
import { StoreUnavailable } from './errors';
import { AUTOCHECKPOINT_PAGES, Checkpointer } from './sqlite-checkpointer';
import { planDeletion, type StoredKey } from '../deletion';
import { keySlot, replaces } from '../replacement';
import { IMPORT_SOURCE } from '../source-tag';
import type {
  DaySalt,
  DeletionResult,
  FeedCursor,
  FeedRow,
  WrittenRow,
  FeedState,
  HeldReport,
  RawRow,
  ReportWrite,
  RowCursor,
  Run,
  Store,
  StoredRow,
  StoredSummary,
  SummaryPass,
  SupersededFilter,
  SupersededRow,
  WriteCommit,
  WriteOutcome,
} from './types';

export const SQLITE_FILE = 'collector.sqlite';
const SCHEMA_VERSION = 6;
/** Raw reports and deletion-key hashes are nobody else's business on this machine. */
const PRIVATE_DIR_MODE = 0o700;
const PRIVATE_FILE_MODE = 0o600;
const VACUUM_STEP_PAGES = 256;
/** A store that has committed this often is a server's (not a one-off import): its log is copied back by a worker. */
const BACKGROUND_CHECKPOINT_AFTER_COMMITS = 50;
/**
 * With the worker checkpointing, a commit still checks at this log size (64 MiB, the size the log
 * is cut back to): it lets the log start over when no gap between commits did (a log that only
 * grows slows every read). That check syncs the log and the database, 5-15 ms on a virtual disk,
 * with requests waiting: at 16 MiB it came every second at 2,000 reports/s and set the p99; at
 * 64 MiB it comes every few seconds (docs/collector.md, Storage).
 */
const BACKSTOP_CHECKPOINT_PAGES = 16_000;

export type SqliteDurability = 'normal' | 'full';

export function openSqliteStore(dataDir: string, durability: SqliteDurability = 'normal'): SqliteStore {
  const dir = path.resolve(dataDir);
  try {
    // A folder the collector makes is private; one it is given keeps its mode (it may be `.`), the files in it do not.
    const created = mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    if (created !== undefined) chmodSync(dir, PRIVATE_DIR_MODE);
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
    makePrivate(file);
    return new SqliteStore(new Database(file), file, durability);
  } catch (error) {
    throw new StoreUnavailable(`cannot open ${file} (${reasonOf(error)})`);
  }
}

/**
 * The database file is created 0600 before SQLite opens it, and an existing one (or its WAL and
 * shared-memory files, left by a collector before this rule) is made 0600: SQLite gives the files
 * it creates beside the database the database's own mode.
 */
function makePrivate(file: string): void {
  closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  for (const f of [file, `${file}-wal`, `${file}-shm`]) if (existsSync(f)) chmodSync(f, PRIVATE_FILE_MODE);
}

function reasonOf(error: unknown): string {
  const e = error as { code?: string; message?: string };
  return e.code ?? e.message ?? 'unknown error';
}

export class SqliteStore implements Store {
  readonly kind = 'sqlite';
  private readonly writeTx: (batch: readonly ReportWrite[], cap: number) => WriteCommit;
  private readonly nextSeq: Database.Statement;
  private readonly oldestReceived: Database.Statement;
  private readonly pending: Database.Statement;
  private readonly findRow: Database.Statement;
  private readonly keepSuperseded: Database.Statement;
  private readonly rowsAfter: Database.Statement;
  private readonly supersededAfter: Database.Statement;
  private commits = 0;
  private checkpointer: Checkpointer | null = null;
  /** A deleted salt may still be in the write-ahead log (or was, when a process stopped before emptying it). */
  private saltInLog = true;

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
    // SQLite's default page cache (2 MiB), not a bigger one: every commit walks the cache's whole
    // hash table (pcache1TruncateUnsafe), so 64 MiB cost 3% of the collector's CPU under load, where a
    // page the cache no longer holds is one read from the operating system's cache (0.1% more).
    db.pragma('cache_size = -2000');
    db.pragma('journal_size_limit = 67108864');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version > SCHEMA_VERSION) throw new StoreUnavailable(`database was written by a newer collector (schema ${version})`);
    db.transaction(() => migrate(db))();

    // A row is (day, instance, key slot): the key slot is the deletion key hash or '' (replacement.ts).
    const insert = db.prepare(`
      INSERT INTO reports (day, instance_id, received_at, writes, payload, deletion_key_hash, source, received_sha256, seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)
      ON CONFLICT (day, instance_id, ifnull(deletion_key_hash, '')) DO NOTHING`);
    const current = db.prepare(
      "SELECT seq, received_at AS receivedAt, payload, source, writes FROM reports WHERE day = ? AND instance_id = ? AND ifnull(deletion_key_hash, '') = ?",
    );
    const replace = db.prepare(`
      UPDATE reports SET received_at = ?, payload = ?, writes = writes + ?, source = ?, received_sha256 = ?, seq = ?
      WHERE day = ? AND instance_id = ? AND ifnull(deletion_key_hash, '') = ?`);
    const restamp = db.prepare("UPDATE reports SET seq = ? WHERE day = ? AND instance_id = ? AND ifnull(deletion_key_hash, '') = ?");
    this.findRow = db.prepare("SELECT received_at AS receivedAt, writes FROM reports WHERE day = ? AND instance_id = ? AND ifnull(deletion_key_hash, '') = ?");
    this.nextSeq = db.prepare("UPDATE feed SET value = value + 1 WHERE name = 'head' RETURNING value");
    // A row's day is its received_at's UTC day, so the least received_at overall is the oldest day's:
    // read from the end of its index. Asked for the oldest day's least instead, SQLite read that day's
    // rows (about a second at 100,000, on the event loop, at every scrape of /metrics and heartbeat).
    this.oldestReceived = db.prepare('SELECT min(received_at) AS m FROM reports');
    // UNION ALL and count(DISTINCT): with UNION, SQLite merged the parts in day order and so walked
    // every row of the table by its (day, …) index instead of seeking the pending ones by their number
    // (seconds at 3 million rows, on the event loop, at every scrape of /metrics).
    this.pending = db.prepare(`SELECT count(DISTINCT day) AS n FROM (
      SELECT day FROM reports WHERE seq > (SELECT value FROM feed WHERE name = 'summarized')
      UNION ALL SELECT day FROM superseded WHERE seq > (SELECT value FROM feed WHERE name = 'summarized')
      UNION ALL SELECT day FROM tallies WHERE body IS NULL)`);
    const written = "SELECT rowid, seq, day, instance_id AS instanceId, ifnull(deletion_key_hash, '') AS keySlot, payload, source FROM reports";
    this.rowsAfter = db.prepare(`
      SELECT * FROM (SELECT * FROM (${written} WHERE seq = ? AND rowid > ? ORDER BY rowid LIMIT ?)
                     UNION ALL SELECT * FROM (${written} WHERE seq > ? AND seq <= ? ORDER BY seq, rowid LIMIT ?))
      ORDER BY seq, rowid LIMIT ?`);
    const left = `SELECT seq, day, instance_id AS instanceId, key_slot AS keySlot, written_seq AS writtenSeq, payload, source FROM superseded
      WHERE seq > ? AND seq <= ? AND written_seq > ? AND written_seq <= ? AND (? IS NULL OR day = ?)`;
    this.supersededAfter = db.prepare(`
      SELECT * FROM (SELECT * FROM (${left} AND seq = ? AND (day, instance_id, key_slot) > (?, ?, ?) ORDER BY day, instance_id, key_slot LIMIT ?)
                     UNION ALL SELECT * FROM (${left} AND seq > ? ORDER BY seq, day, instance_id, key_slot LIMIT ?))
      ORDER BY seq, day, instanceId, keySlot LIMIT ?`);
    this.keepSuperseded = db.prepare(
      'INSERT INTO superseded (seq, day, instance_id, key_slot, written_seq, received_at, payload, source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)',
    );
    this.writeTx = db.transaction((batch: readonly ReportWrite[], cap: number): WriteCommit => {
      const seq = (this.nextSeq.get() as { value: number }).value;
      const outcomes = batch.map((w): WriteOutcome => {
        const receipt = w.receivedSha256 ?? null;
        // run(), not RETURNING: the change count says the same, and a RETURNING insert cost a fifth more.
        if (insert.run(w.day, w.instanceId, w.receivedAt, w.count, w.payload, w.deletionKeyHash, w.source, receipt, seq).changes === 1) return 'inserted';
        // Replacing is rare (one report a day is the norm): the version it replaces is kept for the summaries.
        const slot = keySlot(w.deletionKeyHash);
        const old = current.get(w.day, w.instanceId, slot) as Stored;
        const kept = !replaces(w, old);
        // All of the batch's reports of this row, or none: never past the cap, whichever process counted them.
        if (!kept && old.writes + w.count > cap) return 'capped';
        this.keepSuperseded.run(seq, w.day, w.instanceId, slot, old.seq, old.receivedAt, old.payload, old.source);
        if (kept) {
          // Kept out by a newer report: the row is written again as it was, so its day is pending as
          // a stored report's would be (the summaries take the version back and add it again).
          restamp.run(seq, w.day, w.instanceId, slot);
          return 'kept';
        }
        replace.run(w.receivedAt, w.payload, w.count, w.source, receipt, seq, w.day, w.instanceId, slot);
        return 'replaced';
      });
      return { seq, outcomes };
    });
  }

  writeReports(batch: readonly ReportWrite[], cap: number): Promise<WriteCommit> {
    if (++this.commits === BACKGROUND_CHECKPOINT_AFTER_COMMITS) this.checkpointInBackground();
    return settled(() => this.writeTx(batch, cap));
  }

  /** From now on a worker copies the log back into the database (sqlite-checkpointer.ts), not the commits. */
  private checkpointInBackground(): void {
    try {
      this.checkpointer = new Checkpointer(this.location, () => {
        if (this.db.open) this.db.pragma(`wal_autocheckpoint = ${AUTOCHECKPOINT_PAGES}`);
      });
      this.db.pragma(`wal_autocheckpoint = ${BACKSTOP_CHECKPOINT_PAGES}`);
    } catch {
      // No worker: the commits go on checkpointing as SQLite does by default.
    }
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
      const del = this.db.prepare(
        "DELETE FROM reports WHERE day = ? AND instance_id = ? AND ifnull(deletion_key_hash, '') = ? RETURNING seq, received_at AS receivedAt, payload, source",
      );
      return this.db.transaction((): DeletionResult => {
        const plan = planDeletion(this.keysOf(instanceId), presentedKeyHash);
        if (!plan.allowed) return plan;
        const seq = (this.nextSeq.get() as { value: number }).value;
        for (const row of plan.rows) {
          // The version deleted is kept for the summaries, as a replaced one is.
          const slot = keySlot(row.keyHash);
          const old = del.get(row.day, instanceId, slot) as Stored;
          this.keepSuperseded.run(seq, row.day, instanceId, slot, old.seq, old.receivedAt, old.payload, old.source);
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
        .prepare('DELETE FROM reports WHERE rowid IN (SELECT rowid FROM reports WHERE received_at <= ? ORDER BY received_at LIMIT ?)')
        .run(cutoff, limit).changes;
    });
  }

  purgeDerived(cutoff: number): Promise<void> {
    return settled(() => {
      this.db.transaction(() => {
        this.db.prepare('DELETE FROM superseded WHERE received_at <= ?').run(cutoff);
        this.db.prepare('DELETE FROM tallies WHERE day <= ?').run(utcDay(cutoff));
      })();
    });
  }

  reclaimSpace(): Promise<boolean> {
    return settled(() => {
      if ((this.db.pragma('freelist_count', { simple: true }) as number) > 0) {
        // 256 free pages (1 MiB) a step: about 10 ms; the whole file at once took most of a second.
        this.db.exec(`PRAGMA incremental_vacuum(${VACUUM_STEP_PAGES})`);
        return true;
      }
      this.db.pragma('wal_checkpoint(TRUNCATE)');
      return false;
    });
  }

  oldestReceivedAt(): Promise<number | null> {
    return settled(() => {
      const row = this.oldestReceived.get() as { m: number | null };
      return row.m;
    });
  }

  countReports(): Promise<number> {
    return settled(() => (this.db.prepare('SELECT count(*) AS n FROM reports').get() as { n: number }).n);
  }

  readDay(day: number, after: RowCursor | null, limit: number): Promise<RawRow[]> {
    return settled(() => {
      return this.db
        .prepare(
          `SELECT instance_id AS instanceId, ifnull(deletion_key_hash, '') AS keySlot, payload, source, seq FROM reports
           WHERE day = ? AND (instance_id, ifnull(deletion_key_hash, '')) > (?, ?) ORDER BY instance_id, ifnull(deletion_key_hash, '') LIMIT ?`,
        )
        .all(day, after?.instanceId ?? '', after?.keySlot ?? '', limit) as RawRow[];
    });
  }

  feedState(): Promise<FeedState> {
    return settled(() => {
      const rows = this.db.prepare('SELECT name, value FROM feed').all() as { name: string; value: number }[];
      const value = (name: string) => rows.find((r) => r.name === name)?.value ?? 0;
      return { head: value('head'), summarized: value('summarized') };
    });
  }

  rowsWritten(after: number, through: number, next: string | null, limit: number): Promise<WrittenRow[]> {
    return settled(() => {
      // In commit order, then rowid: what the index on seq holds anyway (a wider one cost 40 us a row).
      // The rest of the bookmark's commit, then the commits after it: two seeks on that index. As one
      // condition, `(seq, rowid) > (?, ?)`, SQLite seeks on seq alone and reads every row of the
      // range before the bookmark again, page after page (190-350 ms a page at 3 million rows).
      const [seq, rowid] = next === null ? [after, Number.MAX_SAFE_INTEGER] : next.split(':').map(Number);
      const rows = this.rowsAfter.all(seq, rowid, limit, seq, through, limit, limit) as (FeedRow & { rowid: number })[];
      return rows.map((row) => ({
        seq: row.seq,
        day: row.day,
        instanceId: row.instanceId,
        keySlot: row.keySlot,
        payload: row.payload,
        source: row.source,
        next: `${row.seq}:${row.rowid}`,
      }));
    });
  }

  supersededRows(filter: SupersededFilter, cursor: FeedCursor | null, limit: number): Promise<SupersededRow[]> {
    return settled(() => {
      const from = cursor ?? { seq: filter.leftAfter, day: -1, instanceId: '', keySlot: '' };
      const matching = [
        filter.leftAfter,
        filter.leftThrough ?? Number.MAX_SAFE_INTEGER,
        filter.writtenAfter ?? -1,
        filter.writtenThrough,
        filter.day ?? null,
        filter.day ?? null,
      ];
      // The rest of the cursor's commit, then the commits after it (see rowsWritten).
      return this.supersededAfter.all(
        ...matching,
        from.seq,
        from.day,
        from.instanceId,
        from.keySlot,
        limit,
        ...matching,
        from.seq,
        limit,
        limit,
      ) as SupersededRow[];
    });
  }

  tallies(days: readonly number[]): Promise<Map<number, string | null>> {
    return settled(() => {
      const find = this.db.prepare('SELECT body FROM tallies WHERE day = ?');
      const found = new Map<number, string | null>();
      for (const day of days) {
        const row = find.get(day) as { body: string | null } | undefined;
        if (row) found.set(day, row.body);
      }
      return found;
    });
  }

  markForRecount(days: readonly number[]): Promise<void> {
    return settled(() => {
      const mark = this.db.prepare('INSERT INTO tallies (day, body) VALUES (?, NULL) ON CONFLICT (day) DO UPDATE SET body = NULL');
      this.db.transaction(() => days.forEach((day) => mark.run(day)))();
    });
  }

  daysToRecount(): Promise<number[]> {
    return settled(() => (this.db.prepare('SELECT day FROM tallies WHERE body IS NULL ORDER BY day').all() as { day: number }[]).map((r) => r.day));
  }

  pendingDays(): Promise<number> {
    return settled(() => {
      const row = this.pending.get() as { n: number };
      return row.n;
    });
  }

  saveSummaries(pass: SummaryPass): Promise<boolean> {
    return settled(() =>
      this.db.transaction((): boolean => {
        const at = this.db.prepare("SELECT value FROM feed WHERE name = 'summarized'").get() as { value: number };
        if (at.value !== pass.from) return false;
        const tally = this.db.prepare('INSERT INTO tallies (day, body) VALUES (?, ?) ON CONFLICT (day) DO UPDATE SET body = excluded.body');
        for (const t of pass.tallies) tally.run(t.day, t.body);
        for (const summary of pass.summaries) this.putSummary(summary);
        this.db.prepare("UPDATE feed SET value = ? WHERE name = 'summarized'").run(pass.to);
        this.db.prepare('DELETE FROM superseded WHERE seq <= ?').run(pass.to);
        return true;
      })(),
    );
  }

  saveSummary(summary: StoredSummary): Promise<void> {
    return settled(() => this.putSummary(summary));
  }

  private putSummary(summary: StoredSummary): void {
    this.db
      .prepare('INSERT INTO summaries (day, final, body) VALUES (?, ?, ?) ON CONFLICT (day) DO UPDATE SET final = excluded.final, body = excluded.body')
      .run(summary.day, summary.final ? 1 : 0, summary.body);
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

  daySalt(day: number, fresh: Buffer): Promise<DaySalt | null> {
    return settled(() => {
      // IMMEDIATE: the write lock first, so two processes asking at once cannot both read "none".
      const found = this.db
        .transaction((): { salt: DaySalt; forgot: number } | null => {
          if (this.db.prepare('SELECT 1 FROM salts WHERE day > ?').get(day)) return null;
          const made = this.db.prepare('INSERT INTO salts (day, salt) VALUES (?, ?) ON CONFLICT (day) DO NOTHING').run(day, fresh).changes === 1;
          const { salt } = this.db.prepare('SELECT salt FROM salts WHERE day = ?').get(day) as { salt: Buffer };
          return { salt: { salt, made }, forgot: this.deleteSalts(day) };
        })
        .immediate();
      if (found && found.forgot > 0) this.saltInLog = true;
      if (this.saltInLog) this.emptyLog();
      return found?.salt ?? null;
    });
  }

  forgetSalts(day: number): Promise<boolean> {
    return settled(() => {
      if (this.db.transaction(() => this.deleteSalts(day)).immediate() > 0) this.saltInLog = true;
      return this.saltInLog ? this.emptyLog() : true;
    });
  }

  /** Deletes the salts of days before `day`, their bytes overwritten with zeros in the database's pages. */
  private deleteSalts(day: number): number {
    this.db.pragma('secure_delete = ON');
    try {
      return this.db.prepare('DELETE FROM salts WHERE day < ?').run(day).changes;
    } finally {
      this.db.pragma('secure_delete = OFF');
    }
  }

  /**
   * Copies the log into the database and empties it, so the pages that held a deleted salt exist
   * only as overwritten. Never waits for a reader (requests would wait behind it): when one holds
   * the log, false, and the next call tries again.
   */
  private emptyLog(): boolean {
    const busyTimeout = this.db.pragma('busy_timeout', { simple: true }) as number;
    this.db.pragma('busy_timeout = 0');
    try {
      const [result] = this.db.pragma('wal_checkpoint(TRUNCATE)') as { busy: number }[];
      this.saltInLog = result?.busy !== 0;
    } catch {
      this.saltInLog = true;
    } finally {
      this.db.pragma(`busy_timeout = ${busyTimeout}`);
    }
    return !this.saltInLog;
  }

  takeLease(name: string, holder: string, now: number, until: number): Promise<boolean> {
    return settled(
      () =>
        this.db
          .prepare(
            `INSERT INTO leases (name, holder, until) VALUES (?, ?, ?)
             ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
             WHERE leases.until <= ? OR leases.holder = excluded.holder`,
          )
          .run(name, holder, until, now).changes === 1,
    );
  }

  releaseLease(name: string, holder: string): Promise<void> {
    return settled(() => {
      this.db.prepare('DELETE FROM leases WHERE name = ? AND holder = ?').run(name, holder);
    });
  }

  ping(): Promise<void> {
    return settled(() => {
      this.db.prepare('SELECT 1').get();
    });
  }

  async close(): Promise<void> {
    await this.checkpointer?.stop();
    return settled(() => {
      if (!this.db.open) return;
      // Fold the WAL back into the main file so a stopped collector leaves one self-contained file.
      this.db.pragma('wal_checkpoint(TRUNCATE)');
      this.db.close();
    });
  }
}

/** A stored version of a row, as the feed keeps it when the row is replaced or deleted. */
interface Stored {
  seq: number;
  receivedAt: number;
  payload: string;
  source: string | null;
  writes: number;
}

/** What several processes on one store share: the day's salt for source tags, and leases on work only one of them should do at a time. */
const SERVICE_TABLES = `
  CREATE TABLE IF NOT EXISTS salts (day INTEGER PRIMARY KEY, salt BLOB NOT NULL);
  CREATE TABLE IF NOT EXISTS leases (name TEXT PRIMARY KEY, holder TEXT NOT NULL, until INTEGER NOT NULL);
`;

/**
 * Creates the tables, or brings an earlier file up to date (any earlier schema: each step looks at
 * what the file has). Schema 2: the deletion-key hash beside each report; 3: the per-day source
 * tag; 4: the receipt; 5: one row per (day, instance, deletion key) (replacement.ts), where it was
 * per (day, instance); 6: the feed (a number on every row, superseded versions, per-day tallies).
 * Days stored before the feed existed are counted again from their rows once.
 */
function migrate(db: Database.Database): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS reports (
      day INTEGER NOT NULL,
      instance_id TEXT NOT NULL,
      received_at INTEGER NOT NULL,
      writes INTEGER NOT NULL,
      payload TEXT NOT NULL,
      deletion_key_hash TEXT,
      source TEXT,
      received_sha256 TEXT,
      seq INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE IF NOT EXISTS summaries (day INTEGER PRIMARY KEY, final INTEGER NOT NULL, body TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS runs (started_at INTEGER PRIMARY KEY, alive_at INTEGER NOT NULL);
  `);
  const columns = new Set((db.pragma('table_info(reports)') as { name: string }[]).map((c) => c.name));
  if (!columns.has('deletion_key_hash')) db.exec('ALTER TABLE reports ADD COLUMN deletion_key_hash TEXT');
  if (!columns.has('source')) db.exec('ALTER TABLE reports ADD COLUMN source TEXT');
  if (!columns.has('received_sha256')) db.exec('ALTER TABLE reports ADD COLUMN received_sha256 TEXT');
  const feedIsNew = !columns.has('seq');
  if (feedIsNew) db.exec('ALTER TABLE reports ADD COLUMN seq INTEGER NOT NULL DEFAULT 0');
  db.exec(`
    DROP INDEX IF EXISTS reports_day_instance;
    CREATE UNIQUE INDEX IF NOT EXISTS reports_day_instance_key ON reports (day, instance_id, ifnull(deletion_key_hash, ''));
    DROP INDEX IF EXISTS reports_feed;
    CREATE INDEX IF NOT EXISTS reports_seq ON reports (seq);
    CREATE INDEX IF NOT EXISTS reports_received ON reports (received_at);
    CREATE TABLE IF NOT EXISTS superseded (
      seq INTEGER NOT NULL,
      day INTEGER NOT NULL,
      instance_id TEXT NOT NULL,
      key_slot TEXT NOT NULL,
      written_seq INTEGER NOT NULL,
      received_at INTEGER NOT NULL,
      payload TEXT NOT NULL,
      source TEXT,
      PRIMARY KEY (seq, day, instance_id, key_slot)
    );
    CREATE TABLE IF NOT EXISTS feed (name TEXT PRIMARY KEY, value INTEGER NOT NULL);
    INSERT OR IGNORE INTO feed (name, value) VALUES ('head', 0), ('summarized', 0);
    CREATE TABLE IF NOT EXISTS tallies (day INTEGER PRIMARY KEY, body TEXT);
  `);
  if (feedIsNew) {
    const dirty = db.prepare("SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'dirty_days'").get() !== undefined;
    db.exec(`INSERT OR IGNORE INTO tallies (day, body) SELECT DISTINCT day, NULL FROM reports${dirty ? ' UNION SELECT day, NULL FROM dirty_days' : ''}`);
  }
  db.exec('DROP TABLE IF EXISTS dirty_days');
  db.exec(SERVICE_TABLES);
  db.pragma(`user_version = ${SCHEMA_VERSION}`);
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
