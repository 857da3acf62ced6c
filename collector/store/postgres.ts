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
import type { DeletionResult, DirtyDay, HeldReport, RawRow, ReportWrite, RowCursor, Run, Store, StoredRow, StoredSummary, WriteOutcome } from './types';

const SCHEMA = `
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
  -- One row per (day, instance, deletion key) (replacement.ts); tables made before had (day, instance) as their key.
  CREATE UNIQUE INDEX IF NOT EXISTS reports_day_instance_key ON reports (day, instance_id, (coalesce(deletion_key_hash, '')));
  ALTER TABLE reports DROP CONSTRAINT IF EXISTS reports_pkey;
  CREATE TABLE IF NOT EXISTS dirty_days (day integer PRIMARY KEY, version bigint NOT NULL);
  CREATE TABLE IF NOT EXISTS summaries (day integer PRIMARY KEY, final boolean NOT NULL, body text NOT NULL);
  CREATE TABLE IF NOT EXISTS runs (started_at bigint PRIMARY KEY, alive_at bigint NOT NULL);
`;

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
    await pool.query(SCHEMA);
  } catch (error) {
    await pool.end().catch(() => {});
    const e = error as { code?: string; message?: string };
    throw new StoreUnavailable(`database ${location} is unreachable or unusable (${e.code ?? e.message ?? 'error'})`);
  }
  return new PostgresStore(pool, location);
}

const n = (v: unknown): number => Number(v);

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

export class PostgresStore implements Store {
  readonly kind = 'postgres';
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

  async writeReports(batch: readonly ReportWrite[], cap: number): Promise<WriteOutcome[]> {
    if (batch.length === 0) return [];
    return this.tx(async (client) => {
      const result = await client.query<{ day: number; id: string; slot: string; writes: number }>(
        `INSERT INTO reports (day, instance_id, received_at, writes, payload, deletion_key_hash, source, received_sha256)
         SELECT d, i, r, w, p::jsonb, k, s, h FROM unnest($1::int[], $2::uuid[], $3::int8[], $4::int[], $5::text[], $7::text[], $8::text[], $9::text[]) AS t(d, i, r, w, p, k, s, h)
         ON CONFLICT (day, instance_id, (coalesce(deletion_key_hash, ''))) DO UPDATE SET
           received_at = excluded.received_at, payload = excluded.payload, writes = reports.writes + excluded.writes,
           source = excluded.source, received_sha256 = excluded.received_sha256
         WHERE reports.writes < $6 AND reports.received_at <= excluded.received_at
         RETURNING day, instance_id::text AS id, coalesce(deletion_key_hash, '') AS slot, writes`,
        [
          batch.map((w) => w.day),
          batch.map((w) => w.instanceId),
          batch.map((w) => w.receivedAt),
          batch.map((w) => w.count),
          batch.map((w) => w.payload),
          cap,
          batch.map((w) => w.deletionKeyHash),
          batch.map((w) => w.source),
          batch.map((w) => w.receivedSha256 ?? null),
        ],
      );
      const rowKey = (day: number, id: string, slot: string) => `${day}/${id}/${slot}`;
      const written = new Map(result.rows.map((r) => [rowKey(r.day, r.id, r.slot), r.writes]));
      // Not written: only now is it worth a look at why (the row keeps a newer report, or is full).
      const unwritten = batch.filter((w) => !written.has(rowKey(w.day, w.instanceId, keySlot(w.deletionKeyHash))));
      const stored = new Map<string, StoredRow>();
      if (unwritten.length > 0) {
        const found = await client.query<{ day: number; id: string; slot: string; r: string; writes: number }>(
          `SELECT day, instance_id::text AS id, coalesce(deletion_key_hash, '') AS slot, received_at AS r, writes FROM reports
           WHERE (day, instance_id, coalesce(deletion_key_hash, '')) IN (SELECT * FROM unnest($1::int[], $2::uuid[], $3::text[]))`,
          [unwritten.map((w) => w.day), unwritten.map((w) => w.instanceId), unwritten.map((w) => keySlot(w.deletionKeyHash))],
        );
        for (const row of found.rows) stored.set(rowKey(row.day, row.id, row.slot), { receivedAt: n(row.r), writes: row.writes });
      }
      const outcomes = batch.map((w): WriteOutcome => {
        const key = rowKey(w.day, w.instanceId, keySlot(w.deletionKeyHash));
        const writes = written.get(key);
        if (writes !== undefined) return writes === w.count ? 'inserted' : 'replaced';
        const row = stored.get(key);
        return row && !replaces(w, row) ? 'kept' : 'capped';
      });
      // An older report kept out marks its day as a written one would: the pending days do not tell them apart.
      const days = [...new Set(batch.filter((_, i) => outcomes[i] !== 'capped').map((w) => w.day))];
      if (days.length > 0) {
        await client.query(
          'INSERT INTO dirty_days (day, version) SELECT unnest($1::int[]), 1 ON CONFLICT (day) DO UPDATE SET version = dirty_days.version + 1',
          [days],
        );
      }
      return outcomes;
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
      const plan = planDeletion(await keysOf(client, instanceId, true), presentedKeyHash);
      if (!plan.allowed) return plan;
      const result = await client.query(
        `DELETE FROM reports WHERE instance_id = $1 AND (day, coalesce(deletion_key_hash, '')) IN (SELECT * FROM unnest($2::int[], $3::text[]))`,
        [instanceId, plan.rows.map((r) => r.day), plan.rows.map((r) => keySlot(r.keyHash))],
      );
      const days = [...new Set(plan.rows.map((r) => r.day))];
      if (days.length > 0) {
        await client.query(
          'INSERT INTO dirty_days (day, version) SELECT unnest($1::int[]), 1 ON CONFLICT (day) DO UPDATE SET version = dirty_days.version + 1',
          [days],
        );
      }
      return { allowed: true, removed: result.rowCount ?? 0 };
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

  async purgeBatch(cutoff: number, limit: number): Promise<number> {
    const result = await this.pool.query(
      'DELETE FROM reports WHERE ctid = ANY(ARRAY(SELECT ctid FROM reports WHERE day <= $1 AND received_at <= $2 LIMIT $3))',
      [utcDay(cutoff), cutoff, limit],
    );
    return result.rowCount ?? 0;
  }

  async reclaimSpace(): Promise<void> {
    // Plain VACUUM: the space becomes reusable without the exclusive lock VACUUM FULL would take.
    await this.pool.query('VACUUM (ANALYZE) reports');
  }

  async oldestReceivedAt(): Promise<number | null> {
    const { rows } = await this.pool.query<{ m: string | null }>('SELECT min(received_at) AS m FROM reports WHERE day = (SELECT min(day) FROM reports)');
    return rows[0]?.m == null ? null : n(rows[0].m);
  }

  async countReports(): Promise<number> {
    const { rows } = await this.pool.query<{ c: string }>('SELECT count(*) AS c FROM reports');
    return n(rows[0]?.c ?? 0);
  }

  async dirtyDays(): Promise<DirtyDay[]> {
    const { rows } = await this.pool.query<{ day: number; version: string }>('SELECT day, version FROM dirty_days ORDER BY day');
    return rows.map((r) => ({ day: r.day, version: n(r.version) }));
  }

  async readDay(day: number, after: RowCursor | null, limit: number): Promise<RawRow[]> {
    type Row = { id: string; slot: string; payload: string; source: string | null };
    const columns = "instance_id::text AS id, coalesce(deletion_key_hash, '') AS slot, payload::text AS payload, source";
    const order = "ORDER BY instance_id, coalesce(deletion_key_hash, '')";
    const { rows } =
      after === null
        ? await this.pool.query<Row>(`SELECT ${columns} FROM reports WHERE day = $1 ${order} LIMIT $2`, [day, limit])
        : await this.pool.query<Row>(
            `SELECT ${columns} FROM reports WHERE day = $1 AND (instance_id, coalesce(deletion_key_hash, '')) > ($2::uuid, $3) ${order} LIMIT $4`,
            [day, after.instanceId, after.keySlot, limit],
          );
    return rows.map((r) => ({ instanceId: r.id, keySlot: r.slot, payload: r.payload, source: r.source }));
  }

  async saveSummary(summary: StoredSummary, version: number | null): Promise<void> {
    await this.tx(async (client) => {
      await client.query(
        'INSERT INTO summaries (day, final, body) VALUES ($1, $2, $3) ON CONFLICT (day) DO UPDATE SET final = excluded.final, body = excluded.body',
        [summary.day, summary.final, summary.body],
      );
      if (version !== null) await client.query('DELETE FROM dirty_days WHERE day = $1 AND version = $2', [summary.day, version]);
    });
  }

  async clearDirty(day: number, version: number): Promise<void> {
    await this.pool.query('DELETE FROM dirty_days WHERE day = $1 AND version = $2', [day, version]);
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

  async ping(): Promise<void> {
    await this.pool.query('SELECT 1');
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
