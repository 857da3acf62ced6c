import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { openSqliteStore, type SqliteStore } from '../../../collector/store/sqlite';

/**
 * Plans of the statements that must stay cheap at 3 million rows. The feed is read a page at a time from a bookmark. Written as one row-value condition, SQLite
 * seeked on the commit number alone and read every row before the bookmark again for each page
 * (190-350 ms a page at 3 million rows): these plans must seek to the bookmark itself.
 */
describe('the SQLite feed pages', () => {
  const dirs: string[] = [];
  const open = (): SqliteStore => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'feed-seek-'));
    dirs.push(dir);
    return openSqliteStore(dir);
  };
  afterEach(() => {
    for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
  });

  const plan = (store: SqliteStore, statement: 'rowsAfter' | 'supersededAfter' | 'oldestReceived' | 'pending'): string[] => {
    // The statements are private; their plans are the point of this test.
    const internals = store as unknown as Record<string, { source: string }> & { db: { prepare(sql: string): { all(...p: unknown[]): { detail: string }[] } } };
    const sql = internals[statement]!.source;
    return internals.db
      .prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .all(...Array.from({ length: sql.split('?').length - 1 }, () => 1))
      .map((row) => row.detail);
  };

  it('start a page of written rows at the bookmark: commit number and row', async () => {
    const store = open();
    try {
      expect(plan(store, 'rowsAfter')).toContain('SEARCH reports USING INDEX reports_seq (seq=? AND rowid>?)');
    } finally {
      await store.close();
    }
  });

  it('start a page of superseded versions at the bookmark: commit number, day, instance and key', async () => {
    const store = open();
    try {
      expect(plan(store, 'supersededAfter')).toContain(
        'SEARCH superseded USING INDEX sqlite_autoindex_superseded_1 (seq=? AND (day,instance_id,key_slot)>(?,?,?))',
      );
    } finally {
      await store.close();
    }
  });

  it('read the oldest receive time (metrics, heartbeat, purge planning) from the end of its index, not from a day of rows', async () => {
    const store = open();
    try {
      expect(plan(store, 'oldestReceived')).toEqual(['SEARCH reports USING COVERING INDEX reports_received']);
    } finally {
      await store.close();
    }
  });

  it('count the days waiting for the summaries (/metrics) from the rows after the feed position, not from every row', async () => {
    const store = open();
    try {
      const steps = plan(store, 'pending');
      expect(steps).toContain('SEARCH reports USING INDEX reports_seq (seq>?)');
      expect(steps.filter((step) => step.startsWith('SCAN reports'))).toEqual([]);
    } finally {
      await store.close();
    }
  });
});
