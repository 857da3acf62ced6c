/**
 * Retention as an invariant, driven by an injected clock: a raw report lives exactly
 * RETENTION_DAYS × 24 h, a restart after downtime purges before the port opens, summaries stay.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, startCollector } from '../../collector/index';
import { importFiles } from '../../collector/import';
import { dayStart, DAY_MS, expiresAt, RETENTION_DAYS, RETENTION_MS, utcDay } from '../../collector/retention';
import { openStore } from '../../collector/store/open';
import { FakeClock } from '../support/fake-clock';
import { parseJson } from '../support/json';
import { candorReport, exportFileOf, getSummary, newId, post, scrape, send, sqliteRows } from './support/harness';

const dirs: string[] = [];
const running: { close(): Promise<void> }[] = [];
afterEach(async () => {
  for (const c of running.splice(0)) await c.close();
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function dataDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'collector-retention-'));
  dirs.push(d);
  return d;
}
async function start(clock: FakeClock, dir: string, extra: Parameters<typeof startCollector>[0] = {}) {
  // Long heartbeat so advancing the fake clock by weeks does not fire thousands of timers.
  const c = await startCollector({ clock, dataDir: dir, heartbeatMs: DAY_MS, ...extra });
  running.push(c);
  return c;
}
async function stop(c: { close(): Promise<void> }) {
  running.splice(running.indexOf(c), 1);
  await c.close();
}

describe('retention', () => {
  it('is 30 days, and /api/meta says so', async () => {
    expect(RETENTION_DAYS).toBe(30);
    const c = await start(new FakeClock(), dataDir());
    const meta = parseJson<{ retentionDays: number; retentionSeconds: number; storesIpAddresses: boolean }>(
      (await send(c.url, { method: 'GET', path: '/api/meta' })).body,
    );
    expect(meta.retentionDays).toBe(RETENTION_DAYS);
    expect(meta.retentionSeconds).toBe(RETENTION_MS / 1000);
    expect(meta.storesIpAddresses).toBe(false);
  });

  it('rows 31 and 30 days old are deleted at start-up, a row 29 days old is kept; the boundary is exact', async () => {
    const dir = dataDir();
    const clock = new FakeClock(Date.UTC(2026, 0, 1, 12));
    const [a, b, cId] = [newId(), newId(), newId()];
    let c = await start(clock, dir);
    expect((await post(c.url, candorReport({ id: a }))).status).toBe(200); // day -31
    await clock.advance(DAY_MS);
    expect((await post(c.url, candorReport({ id: b }))).status).toBe(200); // day -30
    await clock.advance(DAY_MS);
    expect((await post(c.url, candorReport({ id: cId }))).status).toBe(200); // day -29
    await stop(c);
    const receivedAt = new Map(sqliteRows(dir).map((r) => [r.instance_id, r.received_at]));

    // Downtime: the collector comes back when b is one millisecond short of 30 days.
    clock.real = receivedAt.get(b)! + RETENTION_MS - 1;
    c = await start(clock, dir);
    expect(
      sqliteRows(dir)
        .map((r) => r.instance_id)
        .sort(),
    ).toEqual([b, cId].sort());
    await stop(c);

    clock.real = receivedAt.get(b)! + RETENTION_MS;
    c = await start(clock, dir);
    // Purged before the port opened: nothing to wait for.
    expect(sqliteRows(dir).map((r) => r.instance_id)).toEqual([cId]);
    const m = await scrape(c.url);
    expect(m.get('collector_purged_rows_total')).toBe(1);
    expect(m.get('collector_oldest_raw_report_age_seconds')).toBe((29 * DAY_MS) / 1000);
  });

  it('while running, a row is deleted the moment it turns 30 days old, not at the next hourly pass', async () => {
    const dir = dataDir();
    const clock = new FakeClock(Date.UTC(2026, 0, 1, 12, 17));
    const c = await start(clock, dir, { purgeIntervalMs: 10 * DAY_MS });
    const id = newId();
    await post(c.url, candorReport({ id }));
    await clock.advance(RETENTION_MS - 1_000);
    expect(sqliteRows(dir)).toHaveLength(1);
    await clock.advance(2_000);
    await expect.poll(() => sqliteRows(dir).length).toBe(0);
    expect((await scrape(c.url)).get('collector_oldest_raw_report_age_seconds')).toBe(0);
  });

  it('deletes an export file’s report of an earlier day the moment it turns 30 days old, not at the next hourly pass', async () => {
    const dir = dataDir();
    const clock = new FakeClock(Date.UTC(2026, 0, 30, 12, 17));
    const c = await start(clock, dir, { purgeIntervalMs: 10 * DAY_MS });
    clock.afterTimer = () => c.collector.idle();
    // Made 29 days and 5 hours ago: its day is still whole, its 30 days end in 19 hours.
    const createdAt = clock.now() - 29 * DAY_MS - 5 * 3_600_000 + 1_234;
    expect((await post(c.url, exportFileOf(JSON.stringify(candorReport()), createdAt))).status).toBe(200);
    await clock.advance(expiresAt(createdAt) - clock.now() - 1);
    expect(sqliteRows(dir)).toHaveLength(1);
    await clock.advance(2);
    expect(sqliteRows(dir)).toHaveLength(0);
    expect((await scrape(c.url)).get('collector_purged_rows_total')).toBe(1);
  });

  it('deletes a report imported by another process beside it at its 30 days too (planned by the next midnight)', async () => {
    const dir = dataDir();
    const clock = new FakeClock(Date.UTC(2026, 0, 30, 12, 17));
    const c = await start(clock, dir, { purgeIntervalMs: 10 * DAY_MS });
    clock.afterTimer = () => c.collector.idle();
    // The oldest a file may be: made 1 s into the day 29 days ago, so it expires 1 s after the coming midnight.
    const createdAt = dayStart(utcDay(clock.now()) - 29) + 1_000;
    const file = path.join(dir, 'r.candor.json');
    writeFileSync(file, JSON.stringify(exportFileOf(JSON.stringify(candorReport()), createdAt)));
    const operator = await openStore({ kind: 'sqlite', dataDir: dir });
    try {
      expect(await importFiles([file], operator, DEFAULT_LIMITS, clock, { out: () => {}, err: (line) => expect.fail(line) })).toEqual({ failed: 0 });
    } finally {
      await operator.close();
    }
    await clock.advance(expiresAt(createdAt) - clock.now() - 1);
    expect(sqliteRows(dir).map((r) => r.received_at)).toEqual([createdAt]);
    await clock.advance(2);
    expect(sqliteRows(dir)).toHaveLength(0);
  });

  it('keeps the daily summary after the raw rows are gone, and never recomputes it from a partial day', async () => {
    const dir = dataDir();
    const clock = new FakeClock(Date.UTC(2026, 0, 1, 12));
    let c = await start(clock, dir);
    for (let i = 0; i < 6; i++) await post(c.url, candorReport());
    const before = (await getSummary(c.url)).days[0]!;
    expect(before.instances).toBe(6);
    await stop(c);

    clock.real += RETENTION_MS + DAY_MS;
    c = await start(clock, dir);
    expect(sqliteRows(dir)).toHaveLength(0);
    const after = (await getSummary(c.url, '?days=60')).days;
    const same = after.find((d: { day: string }) => d.day === before.day)!;
    expect(same.instances).toBe(6);
    // Finalized when it ended (the collector was down for the rest of that day: flagged, not dropped).
    expect(same.final).toBe(true);
    expect(same.incomplete).toContain('collector-down');
  });

  it('docs/collector.md quotes the same number as the code', () => {
    const doc = readFileSync(path.resolve(import.meta.dirname, '../../docs/collector.md'), 'utf8');
    const quoted = [...doc.matchAll(/RETENTION_DAYS = (\d+)/g)].map((m) => Number(m[1]));
    const promised = [...doc.matchAll(/kept for \*\*(\d+) days\*\*/g)].map((m) => Number(m[1]));
    expect(quoted.length).toBeGreaterThan(0);
    expect(promised.length).toBeGreaterThan(0);
    expect(new Set([...quoted, ...promised])).toEqual(new Set([RETENTION_DAYS]));
    // And the code's constant is written the way the doc quotes it.
    expect(readFileSync(path.resolve(import.meta.dirname, '../../collector/retention.ts'), 'utf8')).toContain(
      `export const RETENTION_DAYS = ${RETENTION_DAYS};`,
    );
  });
});
