/**
 * The day's salt for source tags lives in the store for that day only (SQLite here; PostgreSQL with
 * two processes in replicas.test.ts): a restart mid-day keeps it, so a network that reports before
 * and after counts once; the next day has another, and the old one is gone from the table and from
 * every file of the store.
 */
import { mkdtempSync, readFileSync, existsSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { DAY_MS, utcDay } from '../../collector/retention';
import { SQLITE_FILE } from '../../collector/store/sqlite';
import { FakeClock } from '../support/fake-clock';
import { candorReport, collectorsPerTest, getSummary, newId, post, scrape, sqliteRows } from './support/harness';
import { attackerFake, victimReport } from './support/small-group-attack';

const { start, stop } = collectorsPerTest({ trustProxy: ['127.0.0.1'], heartbeatMs: 6 * 3_600_000 });
const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
function dataDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'collector-salt-'));
  dirs.push(d);
  return d;
}
const from = (url: string, report: unknown, address: string) => post(url, report, { 'x-forwarded-for': address });

/** The salts table, read as an operator would (a second, read-only connection, closed at once). */
function storedSalts(dir: string): { day: number; salt: Buffer }[] {
  const db = new Database(path.join(dir, SQLITE_FILE), { readonly: true, fileMustExist: true });
  try {
    return db.prepare('SELECT day, salt FROM salts ORDER BY day').all() as { day: number; salt: Buffer }[];
  } finally {
    db.close();
  }
}

/** Whether `bytes` appear anywhere in the database's files (the database, its log, its shared memory). */
function inStoreFiles(dir: string, bytes: Buffer): boolean {
  return ['', '-wal', '-shm'].some((suffix) => {
    const file = path.join(dir, SQLITE_FILE + suffix);
    return existsSync(file) && readFileSync(file).includes(bytes);
  });
}

describe("the day's salt in the store (SQLite)", () => {
  it('survives a restart mid-day: one real network and two attacker networks posting before and after it stay three networks', async () => {
    const dir = dataDir();
    const clock = new FakeClock(Date.UTC(2026, 6, 1, 9));
    const first = await start({ clock, dataDir: dir });
    expect((await from(first.url, victimReport(), '198.51.100.7')).status).toBe(200);
    for (const address of ['203.0.113.5', '192.0.2.5']) expect((await from(first.url, attackerFake(), address)).status).toBe(200);
    await stop(first);
    await clock.advance(3_600_000);

    const second = await start({ clock, dataDir: dir });
    for (const address of ['203.0.113.6', '192.0.2.6']) expect((await from(second.url, attackerFake(), address)).status).toBe(200);
    expect(new Set(sqliteRows(dir).map((r) => r.source)).size).toBe(3);
    const day = (await getSummary(second.url)).days.at(-1)!;
    expect(day.instances).toBe(5);
    // Five reports with riscv64, from three networks: the victim's rare value stays hidden.
    expect(day.arch.values.map((v) => v.value)).not.toContain('riscv64');
    expect(day.osArch.values.map((v) => v.value)).not.toContain('linux/riscv64');
    expect(JSON.stringify(day)).not.toContain('riscv64');
    // The second run read the salt the first made.
    const m = await scrape(second.url);
    expect([m.get('collector_day_salts_total{action="made"}'), m.get('collector_day_salts_total{action="read"}')]).toEqual([0, 1]);
  });

  it("is the same after a restart; the next day's differs, and the old one is gone from the table and from the database's files", async () => {
    const dir = dataDir();
    const clock = new FakeClock(Date.UTC(2026, 6, 1, 9));
    const today = utcDay(clock.now());
    const id = newId();
    const first = await start({ clock, dataDir: dir });
    await from(first.url, candorReport({ id }), '198.51.100.7');
    const [made] = storedSalts(dir);
    expect(made!.day).toBe(today);
    expect(made!.salt).toHaveLength(32);
    await stop(first);

    const second = await start({ clock, dataDir: dir });
    await from(second.url, candorReport(), '198.51.100.8');
    expect(storedSalts(dir)).toEqual([made]);
    const [one, two] = sqliteRows(dir);
    expect(one!.source).toBe(two!.source);

    // Midnight passes with no report: the salt goes from memory and from the store.
    await clock.advance(Date.UTC(2026, 6, 2) - clock.now() + 1);
    await second.collector.idle();
    expect(storedSalts(dir)).toEqual([]);
    expect(inStoreFiles(dir, made!.salt)).toBe(false);

    await from(second.url, candorReport({ id }), '198.51.100.7');
    const salts = storedSalts(dir);
    expect(salts.map((s) => s.day)).toEqual([today + 1]);
    expect(salts[0]!.salt.equals(made!.salt)).toBe(false);
    const tomorrow = sqliteRows(dir).filter((r) => r.day === today + 1);
    expect(tomorrow[0]!.source).not.toBe(one!.source);

    // The next midnight, with that salt written in this run (its pages still in the write-ahead log).
    const tomorrowsSalt = salts[0]!.salt;
    await clock.advance(DAY_MS);
    await second.collector.idle();
    expect(storedSalts(dir)).toEqual([]);
    expect(inStoreFiles(dir, tomorrowsSalt)).toBe(false);

    // And with the collector stopped over midnight: deleted before the port opens.
    await from(second.url, candorReport(), '198.51.100.7');
    const [third] = storedSalts(dir);
    expect(third!.day).toBe(today + 2);
    await stop(second);
    await clock.advance(DAY_MS);
    await start({ clock, dataDir: dir });
    expect(storedSalts(dir).map((s) => s.day)).toEqual([today + 3]);
    expect(inStoreFiles(dir, third!.salt)).toBe(false);
  });
});
