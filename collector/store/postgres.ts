/**
 * PostgreSQL store for larger deployments: the same tables and the same semantics as SQLite.
 * A batch is one multi-row upsert (UNNEST of arrays: one round trip, one plan, any batch size).
 */
import pg from 'pg';
import { utcDay } from '../retention';
import { StoreUnavailable } from './errors';
import { planDeletion, type StoredKey } from '../deletion';
import { keySlot, replaces } from '../replacement';
import { IMPORT_SOURCE } from '../source-tag';
import type {
  DaySalt,
  DeletionResult,
  FeedCursor,
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

/**
 * The tables, created or brought up to date in one transaction, from any earlier shape: one row per
 * (day, instance, deletion key) (replacement.ts; tables made before had (day, instance) as their
 * primary key), then the feed (a number on every row, superseded versions, per-day tallies), which
 * came with the incremental summaries: days stored before it are counted again from their rows
 * once. Several collectors starting together wait for each other (an advisory lock), so the feed
 * is made once.
 */
const SCHEMA = `
  BEGIN;
  SELECT pg_advisory_xact_lock(7225114);
  CREATE TABLE IF NOT EXISTS reports (
    day integer NOT NULL,
    instance_id uuid NOT NULL,
    received_at bigint NOT NULL,
    writes integer NOT NULL,
    payload jsonb NOT NULL
  );
  ALTER TABLE reports ADD COLUMN IF NOT EXISTS deletion_key_hash text;
  ALTER TABLE reports ADD COLUMN IF NOT EXISTS source text;
  ALTER TABLE reports ADD COLUMN IF NOT EXISTS received_sha256 text;
  CREATE UNIQUE INDEX IF NOT EXISTS reports_day_instance_key ON reports (day, instance_id, (coalesce(deletion_key_hash, '')));
  ALTER TABLE reports DROP CONSTRAINT IF EXISTS reports_pkey;
  CREATE TABLE IF NOT EXISTS summaries (day integer PRIMARY KEY, final boolean NOT NULL, body text NOT NULL);
  CREATE TABLE IF NOT EXISTS runs (started_at bigint PRIMARY KEY, alive_at bigint NOT NULL);
  CREATE TABLE IF NOT EXISTS tallies (day integer PRIMARY KEY, body text);
  DO $$ BEGIN
    IF NOT EXISTS (SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() AND table_name = 'reports' AND column_name = 'seq') THEN
      ALTER TABLE reports ADD COLUMN seq bigint NOT NULL DEFAULT 0;
      INSERT INTO tallies (day, body) SELECT DISTINCT day, NULL FROM reports ON CONFLICT DO NOTHING;
      IF to_regclass('dirty_days') IS NOT NULL THEN
        INSERT INTO tallies (day, body) SELECT day, NULL FROM dirty_days ON CONFLICT DO NOTHING;
      END IF;
    END IF;
  END $$;
  DROP TABLE IF EXISTS dirty_days;
  CREATE INDEX IF NOT EXISTS reports_feed ON reports (seq, day, instance_id, (coalesce(deletion_key_hash, '')));
  CREATE TABLE IF NOT EXISTS superseded (
    seq bigint NOT NULL,
    day integer NOT NULL,
    instance_id uuid NOT NULL,
    key_slot text NOT NULL,
    written_seq bigint NOT NULL,
    received_at bigint NOT NULL,
    payload jsonb NOT NULL,
    source text,
    PRIMARY KEY (seq, day, instance_id, key_slot)
  );
  CREATE TABLE IF NOT EXISTS feed (name text PRIMARY KEY, value bigint NOT NULL);
  INSERT INTO feed (name, value) VALUES ('head', 0), ('summarized', 0) ON CONFLICT DO NOTHING;
  CREATE TABLE IF NOT EXISTS salts (day integer PRIMARY KEY, salt bytea NOT NULL);
  CREATE TABLE IF NOT EXISTS leases (name text PRIMARY KEY, holder text NOT NULL, until bigint NOT NULL);
  COMMIT;
`;

/** The advisory lock under which a day's salt is made: one salt per day, whichever process asks first. */
const SALT_LOCK = 7225115;

/** Takes the next feed number; the row stays locked until the commit, so numbers follow commit order. */
const NEXT_SEQ = "UPDATE feed SET value = value + 1 WHERE name = 'head' RETURNING value";

/** `postgres://user@host:port/db`: what the start-up line and errors may show (no password, no query). */
export function describeDatabaseUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.username ? `${decodeURIComponent(u.username)}@` : ''}${u.host}${u.pathname}`;
  } catch {
    return '(unparseable database URL)';
  }
}

export async function openPostgresStore(url: string): Promise<PostgresStore> {
  const location = describeDatabaseUrl(url);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new StoreUnavailable('--database-url is not a URL');
  }
  if (parsed.protocol !== 'postgres:' && parsed.protocol !== 'postgresql:') throw new StoreUnavailable('--database-url must start with postgres://');
  const pool = new pg.Pool({ connectionString: url, max: 4, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 });
  // An idle client losing its server must not crash the process; the next query reports it.
  pool.on('error', () => {});
  try {
    const client = await pool.connect();
    try {
      await client.query(SCHEMA);
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  } catch (error) {
    await pool.end().catch(() => {});
    const e = error as { code?: string; message?: string };
    throw new StoreUnavailable(`database ${location} is unreachable or unusable (${e.code ?? e.message ?? 'error'})`);
  }
  return new PostgresStore(pool, location);
}

const n = (v: unknown): number => Number(v);
/** The smallest UUID: where a page of the feed starts within a feed number. */
const NIL_UUID = '00000000-0000-0000-0000-000000000000';

async function nextSeq(client: pg.PoolClient): Promise<number> {
  const { rows } = await client.query<{ value: string }>(NEXT_SEQ);
  return n(rows[0]!.value);
}

/** A deletion the key does not allow: the transaction is rolled back. */
class Refused extends Error {}

/**
 * The deletion-key hash of an instance's row on every retained day: one index probe per day
 * (PostgreSQL 15 has no skip scan over the leading column), the same probes for any id.
 */
async function keysOf(db: pg.Pool | pg.PoolClient, instanceId: string, forUpdate: boolean): Promise<StoredKey[]> {
  const found = await db.query<{ day: number; key: string | null; r: string; source: string | null }>(
    `SELECT day, deletion_key_hash AS key, received_at AS r, source FROM reports WHERE instance_id = $1
       AND day = ANY(ARRAY(SELECT generate_series((SELECT min(day) FROM reports), (SELECT max(day) FROM reports))))
     ORDER BY day, received_at${forUpdate ? ' FOR UPDATE' : ''}`,
    [instanceId],
  );
  return found.rows.map((r) => ({ day: r.day, keyHash: r.key, receivedAt: n(r.r), backdated: r.source === IMPORT_SOURCE }));
}

/** The key of a row within one statement's answer: (day, instance, key slot). */
const rowKey = (day: number, id: string, slot: string) => `${day}/${id}/${slot}`;

export class PostgresStore implements Store {
  readonly kind = 'postgres';
  /** A deleted salt may still sit in the table's file (a process that stopped before rewriting it): rewritten once at start. */
  private saltsToRewrite = true;
  constructor(
    private readonly pool: pg.Pool,
    readonly location: string,
  ) {}

  private async tx<T>(work: (client: pg.PoolClient) => Promise<T>): Promise<T> {
    const client = await this.pool.connect();
    try {
      await client.query('BEGIN');
      const result = await work(client);
      await client.query('COMMIT');
      return result;
    } catch (error) {
      await client.query('ROLLBACK').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }

  async writeReports(batch: readonly ReportWrite[], cap: number): Promise<WriteCommit> {
    if (batch.length === 0) return { seq: null, outcomes: [] };
    return this.tx(async (client) => {
      const seq = await nextSeq(client);
      // One statement: the versions about to be replaced are read (every part of a statement sees the
      // rows as they were before it), the batch upserted as replacement.ts allows, and the replaced
      // versions kept for the summaries. The rows not written come back with what they hold.
      const result = await client.query<{ written: boolean; day: number; id: string; slot: string; writes: number; r: string | null }>(
        `WITH input AS (
           SELECT *, coalesce(k, '') AS slot FROM unnest($1::int[], $2::uuid[], $3::int8[], $4::int[], $5::text[], $7::text[], $8::text[], $10::text[]) AS t(d, i, r, w, p, k, s, h)
         ), old AS (
           SELECT r.day, r.instance_id, input.slot, r.seq, r.received_at, r.writes, r.payload, r.source FROM reports r
           JOIN input ON r.day = input.d AND r.instance_id = input.i AND coalesce(r.deletion_key_hash, '') = input.slot
         ), up AS (
           INSERT INTO reports (day, instance_id, received_at, writes, payload, deletion_key_hash, source, received_sha256, seq)
           SELECT d, i, r, w, p::jsonb, k, s, h, $9 FROM input
           ON CONFLICT (day, instance_id, (coalesce(deletion_key_hash, ''))) DO UPDATE SET
             received_at = excluded.received_at, payload = excluded.payload, writes = reports.writes + excluded.writes,
             source = excluded.source, received_sha256 = excluded.received_sha256, seq = excluded.seq
           WHERE reports.writes + excluded.writes <= $6 AND reports.received_at <= excluded.received_at
           RETURNING day, instance_id, coalesce(deletion_key_hash, '') AS slot, writes
         ), left_table AS (
           INSERT INTO superseded (seq, day, instance_id, key_slot, written_seq, received_at, payload, source)
           SELECT $9, old.day, old.instance_id, old.slot, old.seq, old.received_at, old.payload, old.source FROM old JOIN up USING (day, instance_id, slot)
         )
         SELECT true AS written, day, instance_id::text AS id, slot, writes, NULL AS r FROM up
         UNION ALL SELECT false, day, instance_id::text, slot, writes, received_at FROM old`,
        [
          batch.map((w) => w.day),
          batch.map((w) => w.instanceId),
          batch.map((w) => w.receivedAt),
          batch.map((w) => w.count),
          batch.map((w) => w.payload),
          cap,
          batch.map((w) => w.deletionKeyHash),
          batch.map((w) => w.source),
          seq,
          batch.map((w) => w.receivedSha256 ?? null),
        ],
      );
      const written = new Map<string, number>();
      const stored = new Map<string, StoredRow>();
      for (const row of result.rows) {
        if (row.written) written.set(rowKey(row.day, row.id, row.slot), row.writes);
        else stored.set(rowKey(row.day, row.id, row.slot), { receivedAt: n(row.r), writes: row.writes });
      }
      const kept: ReportWrite[] = [];
      const outcomes = batch.map((w): WriteOutcome => {
        const key = rowKey(w.day, w.instanceId, keySlot(w.deletionKeyHash));
        const writes = written.get(key);
        if (writes !== undefined) return writes === w.count ? 'inserted' : 'replaced';
        const row = stored.get(key);
        if (!row || replaces(w, row)) return 'capped';
        kept.push(w);
        return 'kept';
      });
      // Kept out by a newer report: the row is written again as it was, so its day is pending as a
      // stored report's would be (the summaries take the version back and add it again).
      if (kept.length > 0) {
        await client.query(
          `WITH target AS (
             SELECT * FROM unnest($2::int[], $3::uuid[], $4::text[]) AS t(d, i, slot)
           ), old AS (
             SELECT r.day, r.instance_id, target.slot, r.seq, r.received_at, r.payload, r.source FROM reports r
             JOIN target ON r.day = target.d AND r.instance_id = target.i AND coalesce(r.deletion_key_hash, '') = target.slot
           ), left_table AS (
             INSERT INTO superseded (seq, day, instance_id, key_slot, written_seq, received_at, payload, source)
             SELECT $1, day, instance_id, slot, seq, received_at, payload, source FROM old
           )
           UPDATE reports r SET seq = $1 FROM target WHERE r.day = target.d AND r.instance_id = target.i AND coalesce(r.deletion_key_hash, '') = target.slot`,
          [seq, kept.map((w) => w.day), kept.map((w) => w.instanceId), kept.map((w) => keySlot(w.deletionKeyHash))],
        );
      }
      return { seq, outcomes };
    });
  }

  async findReport(day: number, instanceId: string, deletionKeyHash: string | null): Promise<StoredRow | null> {
    const { rows } = await this.pool.query<{ r: string; w: number }>(
      "SELECT received_at AS r, writes AS w FROM reports WHERE day = $1 AND instance_id = $2 AND coalesce(deletion_key_hash, '') = $3",
      [day, instanceId, keySlot(deletionKeyHash)],
    );
    return rows[0] ? { receivedAt: n(rows[0].r), writes: rows[0].w } : null;
  }

  async writesOfDay(day: number): Promise<{ instanceId: string; writes: number; deletionKeyHash: string | null }[]> {
    const { rows } = await this.pool.query<{ id: string; writes: number; key: string | null }>(
      'SELECT instance_id::text AS id, writes, deletion_key_hash AS key FROM reports WHERE day = $1',
      [day],
    );
    return rows.map((r) => ({ instanceId: r.id, writes: r.writes, deletionKeyHash: r.key }));
  }

  async deleteInstance(instanceId: string, presentedKeyHash: Buffer | null): Promise<DeletionResult> {
    return this.tx(async (client) => {
      // The feed number first, as every writer takes it: the same lock order everywhere.
      const seq = await nextSeq(client);
      const plan = planDeletion(await keysOf(client, instanceId, true), presentedKeyHash);
      // Refused: nothing changes, and the feed number taken goes with the rollback.
      if (!plan.allowed) throw new Refused();
      const result = await client.query(
        `WITH gone AS (
           DELETE FROM reports WHERE instance_id = $1 AND (day, coalesce(deletion_key_hash, '')) IN (SELECT * FROM unnest($2::int[], $3::text[]))
           RETURNING day, instance_id, coalesce(deletion_key_hash, '') AS slot, seq, received_at, payload, source
         )
         INSERT INTO superseded (seq, day, instance_id, key_slot, written_seq, received_at, payload, source)
         SELECT $4, day, instance_id, slot, seq, received_at, payload, source FROM gone`,
        [instanceId, plan.rows.map((r) => r.day), plan.rows.map((r) => keySlot(r.keyHash)), seq],
      );
      return { allowed: true as const, removed: result.rowCount ?? 0 };
    }).catch((error: unknown): DeletionResult => {
      if (error instanceof Refused) return { allowed: false };
      throw error;
    });
  }

  instanceKeys(instanceId: string): Promise<StoredKey[]> {
    return keysOf(this.pool, instanceId, false);
  }

  async instanceReports(instanceId: string, days: readonly number[]): Promise<HeldReport[]> {
    const { rows } = await this.pool.query<{ day: number; r: string; h: string | null; payload: string; key: string | null }>(
      `SELECT day, received_at AS r, received_sha256 AS h, payload::text AS payload, deletion_key_hash AS key FROM reports
       WHERE instance_id = $1 AND day = ANY($2::int[]) ORDER BY day, received_at`,
      [instanceId, [...days]],
    );
    return rows.map((row) => ({ day: row.day, receivedAt: n(row.r), receivedSha256: row.h, payload: row.payload, deletionKeyHash: row.key }));
  }

  async purgeDerived(cutoff: number): Promise<void> {
    await this.tx(async (client) => {
      await client.query('DELETE FROM superseded WHERE received_at <= $1', [cutoff]);
      await client.query('DELETE FROM tallies WHERE day <= $1', [utcDay(cutoff)]);
    });
  }

  async purgeBatch(cutoff: number, limit: number): Promise<number> {
    const result = await this.pool.query(
      'DELETE FROM reports WHERE ctid = ANY(ARRAY(SELECT ctid FROM reports WHERE day <= $1 AND received_at <= $2 LIMIT $3))',
      [utcDay(cutoff), cutoff, limit],
    );
    return result.rowCount ?? 0;
  }

  async reclaimSpace(): Promise<boolean> {
    // Plain VACUUM: the space becomes reusable without the exclusive lock VACUUM FULL would take.
    await this.pool.query('VACUUM (ANALYZE) reports');
    return false;
  }

  async oldestReceivedAt(): Promise<number | null> {
    // No index on received_at here (purges go by day): the oldest day's rows, found by the (day, …) index.
    const { rows } = await this.pool.query<{ m: string | null }>('SELECT min(received_at) AS m FROM reports WHERE day = (SELECT min(day) FROM reports)');
    return rows[0]?.m == null ? null : n(rows[0].m);
  }

  async countReports(): Promise<number> {
    const { rows } = await this.pool.query<{ c: string }>('SELECT count(*) AS c FROM reports');
    return n(rows[0]?.c ?? 0);
  }

  async readDay(day: number, after: RowCursor | null, limit: number): Promise<RawRow[]> {
    type Row = { id: string; slot: string; payload: string; source: string | null; seq: string };
    const columns = "instance_id::text AS id, coalesce(deletion_key_hash, '') AS slot, payload::text AS payload, source, seq";
    const order = "ORDER BY instance_id, coalesce(deletion_key_hash, '')";
    const { rows } =
      after === null
        ? await this.pool.query<Row>(`SELECT ${columns} FROM reports WHERE day = $1 ${order} LIMIT $2`, [day, limit])
        : await this.pool.query<Row>(
            `SELECT ${columns} FROM reports WHERE day = $1 AND (instance_id, coalesce(deletion_key_hash, '')) > ($2::uuid, $3) ${order} LIMIT $4`,
            [day, after.instanceId, after.keySlot, limit],
          );
    return rows.map((r) => ({ instanceId: r.id, keySlot: r.slot, payload: r.payload, source: r.source, seq: n(r.seq) }));
  }

  async feedState(): Promise<FeedState> {
    const { rows } = await this.pool.query<{ name: string; value: string }>('SELECT name, value FROM feed');
    const value = (name: string) => n(rows.find((r) => r.name === name)?.value ?? 0);
    return { head: value('head'), summarized: value('summarized') };
  }

  async rowsWritten(after: number, through: number, next: string | null, limit: number): Promise<WrittenRow[]> {
    // The bookmark is the row's place in feed order; a key slot is 64 hex or empty, never a '/'.
    const [seq, day, instanceId, slot] = next === null ? [after, -1, NIL_UUID, ''] : next.split('/');
    const { rows } = await this.pool.query<{ seq: string; day: number; id: string; slot: string; payload: string; source: string | null }>(
      `SELECT seq, day, instance_id::text AS id, coalesce(deletion_key_hash, '') AS slot, payload::text AS payload, source FROM reports
       WHERE seq > $1 AND seq <= $2 AND (seq, day, instance_id, coalesce(deletion_key_hash, '')) > ($3::bigint, $4::int, $5::uuid, $6::text)
       ORDER BY seq, day, instance_id, coalesce(deletion_key_hash, '') LIMIT $7`,
      [after, through, seq, day, instanceId, slot, limit],
    );
    return rows.map((r) => ({
      seq: n(r.seq),
      day: r.day,
      instanceId: r.id,
      keySlot: r.slot,
      payload: r.payload,
      source: r.source,
      next: `${r.seq}/${r.day}/${r.id}/${r.slot}`,
    }));
  }

  async supersededRows(filter: SupersededFilter, cursor: FeedCursor | null, limit: number): Promise<SupersededRow[]> {
    const from = cursor ?? { seq: filter.leftAfter, day: -1, instanceId: NIL_UUID, keySlot: '' };
    const { rows } = await this.pool.query<{ seq: string; day: number; id: string; slot: string; written: string; payload: string; source: string | null }>(
      `SELECT seq, day, instance_id::text AS id, key_slot AS slot, written_seq AS written, payload::text AS payload, source FROM superseded
       WHERE seq > $1 AND seq <= $2 AND written_seq > $3 AND written_seq <= $4 AND ($5::int IS NULL OR day = $5)
         AND (seq, day, instance_id, key_slot) > ($6::bigint, $7::int, $8::uuid, $9::text)
       ORDER BY seq, day, instance_id, key_slot LIMIT $10`,
      [
        filter.leftAfter,
        filter.leftThrough ?? Number.MAX_SAFE_INTEGER,
        filter.writtenAfter ?? -1,
        filter.writtenThrough,
        filter.day ?? null,
        from.seq,
        from.day,
        from.instanceId,
        from.keySlot,
        limit,
      ],
    );
    return rows.map((r) => ({
      seq: n(r.seq),
      day: r.day,
      instanceId: r.id,
      keySlot: r.slot,
      writtenSeq: n(r.written),
      payload: r.payload,
      source: r.source,
    }));
  }

  async tallies(days: readonly number[]): Promise<Map<number, string | null>> {
    const { rows } = await this.pool.query<{ day: number; body: string | null }>('SELECT day, body FROM tallies WHERE day = ANY($1::int[])', [days]);
    return new Map(rows.map((r) => [r.day, r.body]));
  }

  async markForRecount(days: readonly number[]): Promise<void> {
    await this.pool.query('INSERT INTO tallies (day, body) SELECT unnest($1::int[]), NULL ON CONFLICT (day) DO UPDATE SET body = NULL', [days]);
  }

  async daysToRecount(): Promise<number[]> {
    const { rows } = await this.pool.query<{ day: number }>('SELECT day FROM tallies WHERE body IS NULL ORDER BY day');
    return rows.map((r) => r.day);
  }

  async pendingDays(): Promise<number> {
    const { rows } = await this.pool.query<{ n: string }>(
      `WITH at AS (SELECT value FROM feed WHERE name = 'summarized')
       SELECT count(*) AS n FROM (
         SELECT day FROM reports WHERE seq > (SELECT value FROM at)
         UNION SELECT day FROM superseded WHERE seq > (SELECT value FROM at)
         UNION SELECT day FROM tallies WHERE body IS NULL) AS pending`,
    );
    return n(rows[0]?.n ?? 0);
  }

  async saveSummaries(pass: SummaryPass): Promise<boolean> {
    return this.tx(async (client) => {
      const moved = await client.query("UPDATE feed SET value = $2 WHERE name = 'summarized' AND value = $1", [pass.from, pass.to]);
      if (moved.rowCount !== 1) return false;
      if (pass.tallies.length > 0) {
        await client.query('INSERT INTO tallies (day, body) SELECT * FROM unnest($1::int[], $2::text[]) ON CONFLICT (day) DO UPDATE SET body = excluded.body', [
          pass.tallies.map((t) => t.day),
          pass.tallies.map((t) => t.body),
        ]);
      }
      if (pass.summaries.length > 0) {
        await client.query(
          `INSERT INTO summaries (day, final, body) SELECT * FROM unnest($1::int[], $2::boolean[], $3::text[])
           ON CONFLICT (day) DO UPDATE SET final = excluded.final, body = excluded.body`,
          [pass.summaries.map((x) => x.day), pass.summaries.map((x) => x.final), pass.summaries.map((x) => x.body)],
        );
      }
      await client.query('DELETE FROM superseded WHERE seq <= $1', [pass.to]);
      return true;
    });
  }

  async saveSummary(summary: StoredSummary): Promise<void> {
    await this.pool.query(
      'INSERT INTO summaries (day, final, body) VALUES ($1, $2, $3) ON CONFLICT (day) DO UPDATE SET final = excluded.final, body = excluded.body',
      [summary.day, summary.final, summary.body],
    );
  }

  async summaries(fromDay: number, toDay = 2_147_483_647): Promise<StoredSummary[]> {
    const { rows } = await this.pool.query<StoredSummary>('SELECT day, final, body FROM summaries WHERE day >= $1 AND day <= $2 ORDER BY day', [
      fromDay,
      toDay,
    ]);
    return rows;
  }

  async unfinishedDays(beforeDay: number): Promise<number[]> {
    const { rows } = await this.pool.query<{ day: number }>('SELECT day FROM summaries WHERE NOT final AND day < $1 ORDER BY day', [beforeDay]);
    return rows.map((r) => r.day);
  }

  async saveRun(run: Run): Promise<void> {
    await this.pool.query(
      'INSERT INTO runs (started_at, alive_at) VALUES ($1, $2) ON CONFLICT (started_at) DO UPDATE SET alive_at = greatest(runs.alive_at, excluded.alive_at)',
      [run.startedAt, run.aliveAt],
    );
  }

  async runs(from: number, to: number): Promise<Run[]> {
    const { rows } = await this.pool.query<{ s: string; a: string }>(
      'SELECT started_at AS s, alive_at AS a FROM runs WHERE alive_at >= $1 AND started_at <= $2 ORDER BY started_at',
      [from, to],
    );
    return rows.map((r) => ({ startedAt: n(r.s), aliveAt: n(r.a) }));
  }

  async pruneRuns(before: number): Promise<void> {
    await this.pool.query('DELETE FROM runs WHERE alive_at < $1', [before]);
  }

  async daySalt(day: number, fresh: Buffer): Promise<DaySalt | null> {
    const result = await this.tx(async (client) => {
      await client.query('SELECT pg_advisory_xact_lock($1)', [SALT_LOCK]);
      if ((await client.query('SELECT 1 FROM salts WHERE day > $1 LIMIT 1', [day])).rowCount) return null;
      const made = (await client.query('INSERT INTO salts (day, salt) VALUES ($1, $2) ON CONFLICT (day) DO NOTHING', [day, fresh])).rowCount === 1;
      const { rows } = await client.query<{ salt: Buffer }>('SELECT salt FROM salts WHERE day = $1', [day]);
      const forgot = (await client.query('DELETE FROM salts WHERE day < $1', [day])).rowCount ?? 0;
      return { salt: { salt: rows[0]!.salt, made }, forgot };
    });
    if (result && result.forgot > 0) this.saltsToRewrite = true;
    // Not a reason to refuse reports: forgetSalts, each minute, tries again and says why it cannot.
    if (this.saltsToRewrite) await this.rewriteSalts().catch(() => {});
    return result?.salt ?? null;
  }

  async forgetSalts(day: number): Promise<boolean> {
    const forgot = (await this.pool.query('DELETE FROM salts WHERE day < $1', [day])).rowCount ?? 0;
    if (forgot > 0) this.saltsToRewrite = true;
    if (this.saltsToRewrite) await this.rewriteSalts();
    return true;
  }

  /**
   * A deleted row stays in the table's file until its space is reused: VACUUM FULL writes the table
   * (a row or two) to a new file and removes the old one. Its lock makes a concurrent daySalt wait a moment.
   */
  private async rewriteSalts(): Promise<void> {
    await this.pool.query('VACUUM FULL salts');
    this.saltsToRewrite = false;
  }

  async takeLease(name: string, holder: string, now: number, until: number): Promise<boolean> {
    const result = await this.pool.query(
      `INSERT INTO leases (name, holder, until) VALUES ($1, $2, $4)
       ON CONFLICT (name) DO UPDATE SET holder = excluded.holder, until = excluded.until
       WHERE leases.until <= $3 OR leases.holder = excluded.holder`,
      [name, holder, now, until],
    );
    return result.rowCount === 1;
  }

  async releaseLease(name: string, holder: string): Promise<void> {
    await this.pool.query('DELETE FROM leases WHERE name = $1 AND holder = $2', [name, holder]);
  }

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
