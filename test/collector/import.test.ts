/**
 * Air-gapped import: the agent writes an export file (the exact report bytes, their sha256, when
 * it was made); the file reaches the collector by `candor-collector import FILE...` or by POST
 * /collect. Both check the sha256, then validate the report exactly as a normal one; importing the
 * same file twice, on any day, stores one row.
 */
import { createHash, randomBytes } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { DAY_MS, RETENTION_DAYS, utcDay } from '../../collector/retention';
import { FakeClock } from '../support/fake-clock';
import type { Payload } from '../../shared/schema/payload';
import { parseJson } from '../support/json';
import { candorReport, collectorsPerTest, getSummary, newId, post, runCollectorCli, send, sqliteRows, type ErrorBody } from './support/harness';

const temps: string[] = [];
const { start } = collectorsPerTest();
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'collector-import-'));
  temps.push(d);
  return d;
}

/** An export file exactly as the agent writes it. */
function exportFile(report: unknown, createdAt: number, tamper: { sha256?: string; reportText?: string } = {}) {
  const text = tamper.reportText ?? JSON.stringify(report);
  return {
    candorExport: 1,
    level: 'full',
    categories: ['application', 'system', 'library', 'config'],
    createdAt: new Date(createdAt).toISOString(),
    sha256: tamper.sha256 ?? createHash('sha256').update(text).digest('hex'),
    report: text,
  };
}

const runCli = (args: string[]) => runCollectorCli(args);
const sha256 = (text: string | Buffer) => createHash('sha256').update(text).digest('hex');
/** What an import line ends with: the sha256 of the file's bytes and of the report inside. */
const receiptOf = (file: string) => `(sha256 ${sha256(readFileSync(file))}, report sha256 ${parseJson<{ sha256: string }>(readFileSync(file, 'utf8')).sha256})`;

describe('POST /collect with an export file', () => {
  it('stores the report on the day it was made, once, whatever day it arrives', async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 25, 15));
    const c = await start({ clock });
    const id = newId();
    const createdAt = Date.UTC(2026, 10, 24, 10);
    const file = JSON.stringify(exportFile(candorReport({ id, uptime: 77 }), createdAt));
    const first = await send(c.url, { body: file, headers: { 'content-type': 'application/json' } });
    expect(first.status).toBe(200);
    const receipt = { sha256: sha256(file), reportSha256: parseJson<{ sha256: string }>(file).sha256 };
    expect(JSON.parse(first.body)).toEqual({ status: 'stored', ...receipt });
    let rows = sqliteRows(c.dataDir!);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ instance_id: id, day: utcDay(createdAt), received_at: createdAt, writes: 1, source: 'import' });
    expect(parseJson<Payload>(rows[0]!.payload).uptime).toBe(77);

    // Again, days later: the same row with the same bytes and time (its second write), and the same
    // answer as the first time: an answer never says what the collector held before.
    await clock.advance(3 * DAY_MS);
    const again = await send(c.url, { body: file, headers: { 'content-type': 'application/json' } });
    expect(again.status).toBe(200);
    expect(JSON.parse(again.body)).toEqual({ status: 'stored', ...receipt });
    rows = sqliteRows(c.dataDir!);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ instance_id: id, day: utcDay(createdAt), received_at: createdAt, writes: 2 });
    expect(parseJson<Payload>(rows[0]!.payload).uptime).toBe(77);
  });

  it('keeps a newer report of the same instance and day', async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 25, 15));
    const c = await start({ clock });
    const id = newId();
    expect((await post(c.url, candorReport({ id, uptime: 2 }))).status).toBe(200);
    const older = exportFile(candorReport({ id, uptime: 1 }), Date.UTC(2026, 10, 25, 9));
    const reply = await post(c.url, older);
    // Answered as stored: whether the row held something newer is not the sender's to learn.
    expect(JSON.parse(reply.body)).toEqual({ status: 'stored', sha256: sha256(JSON.stringify(older)), reportSha256: older.sha256 });
    expect(parseJson<Payload>(sqliteRows(c.dataDir!)[0]!.payload).uptime).toBe(2);
  });

  it.each([
    ['a sha256 that does not match', () => exportFile(candorReport(), Date.now(), { sha256: 'a'.repeat(64) }), 422, 'sha256'],
    ['a sha256 that is not hex', () => exportFile(candorReport(), Date.now(), { sha256: 'xyz' }), 422, 'sha256'],
    ['an unknown export version', () => ({ ...exportFile(candorReport(), Date.now()), candorExport: 2 }), 422, 'candorExport'],
    ['the report as an object, not its bytes', () => ({ ...exportFile(candorReport(), Date.now()), report: candorReport() }), 422, 'report'],
    ['a time that is not an ISO instant', () => ({ ...exportFile(candorReport(), Date.now()), createdAt: 'yesterday' }), 422, 'createdAt'],
    ['a made-up level', () => ({ ...exportFile(candorReport(), Date.now()), level: 'Everything!' }), 422, 'level'],
    ['an unknown category', () => ({ ...exportFile(candorReport(), Date.now()), categories: ['application', 'contacts'] }), 422, 'categories'],
    ['a report out of range', () => exportFile(candorReport({ library: { tracks: -1 } }), Date.now()), 422, 'report.library.tracks'],
    ['a report without an id', () => exportFile({ ...candorReport(), id: undefined }, Date.now()), 422, 'report.id'],
    [
      'a forbidden key inside the report',
      () => exportFile(null, Date.now(), { reportText: JSON.stringify(candorReport()).replace(/}$/, ',"zz":{"__proto__":{}}}') }),
      422,
      'report.*.__proto__',
    ],
    ['a report that is not JSON', () => exportFile(null, Date.now(), { reportText: '{"id":' }), 400, 'report'],
    ['a report made in the future', () => exportFile(candorReport(), Date.now() + DAY_MS), 422, 'createdAt'],
    [`a report older than ${RETENTION_DAYS} days`, () => exportFile(candorReport(), Date.now() - (RETENTION_DAYS + 1) * DAY_MS), 422, 'createdAt'],
  ])('refuses %s', async (_what, make, status, where) => {
    const c = await start();
    const reply = await post(c.url, make());
    expect(reply.status).toBe(status);
    expect(parseJson<ErrorBody>(reply.body).path).toBe(where);
    expect(sqliteRows(c.dataDir!)).toHaveLength(0);
  });

  it('says why an old file is refused', async () => {
    const c = await start();
    const reply = await post(c.url, exportFile(candorReport(), Date.now() - (RETENTION_DAYS + 1) * DAY_MS));
    expect(parseJson<ErrorBody>(reply.body).message).toBe(
      `made more than ${RETENTION_DAYS - 1} days ago: past the ${RETENTION_DAYS}-day retention, it would be deleted at once`,
    );
  });
});

describe('candor-collector import', () => {
  it('imports files into the store (exit 0), and importing them again stores nothing more (exit 0)', async () => {
    const dir = tempDir();
    const files = [0, 1].map((i) => {
      const file = path.join(dir, `r${i}.candor.json`);
      writeFileSync(file, JSON.stringify(exportFile(candorReport(), Date.now() - i * DAY_MS)));
      return file;
    });
    const data = path.join(dir, 'data');
    const first = await runCli(['import', '--data-dir', data, ...files]);
    expect(first.stderr).toBe('');
    expect(first.code).toBe(0);
    expect(first.stdout.trim().split('\n')).toEqual(files.map((f) => `imported ${f} ${receiptOf(f)}`));
    const second = await runCli(['import', ...files, '--data-dir', data]);
    expect(second.code).toBe(0);
    expect(second.stdout.trim().split('\n')).toEqual(files.map((f) => `already present ${f} ${receiptOf(f)}`));
    expect(sqliteRows(data)).toHaveLength(2);
  });

  it('works beside a running collector on the same store, which shows the import after its next heartbeat', async () => {
    const dir = tempDir();
    const clock = new FakeClock(Date.now());
    const c = await start({ clock, dataDir: dir, heartbeatMs: 60_000 });
    clock.afterTimer = () => c.collector.idle();
    const file = path.join(dir, 'r.candor.json');
    writeFileSync(file, JSON.stringify(exportFile(candorReport(), clock.now() - 3_600_000)));
    expect((await runCli(['import', '--data-dir', dir, file])).code).toBe(0);
    await clock.advance(60_000);
    const days = (await getSummary(c.url)).days;
    expect(days.at(-1)!.instances).toBe(1);
  });

  it('imports what it can and names each file it could not, with the reason (exit 1)', async () => {
    const dir = tempDir();
    const good = path.join(dir, 'good.json');
    const tampered = path.join(dir, 'tampered.json');
    const old = path.join(dir, 'old.json');
    const notJson = path.join(dir, 'not-json.json');
    const big = path.join(dir, 'big.json');
    writeFileSync(good, JSON.stringify(exportFile(candorReport(), Date.now())));
    writeFileSync(tampered, JSON.stringify(exportFile(candorReport(), Date.now(), { sha256: createHash('sha256').update('other').digest('hex') })));
    writeFileSync(old, JSON.stringify(exportFile(candorReport(), Date.now() - 40 * DAY_MS)));
    writeFileSync(notJson, 'hello');
    writeFileSync(
      big,
      JSON.stringify(exportFile(null, Date.now(), { reportText: JSON.stringify({ ...candorReport(), pad: randomBytes(60 * 1024).toString('hex') }) })),
    );
    const missing = path.join(dir, 'missing.json');
    const data = path.join(dir, 'data');
    const r = await runCli(['import', '--data-dir', data, good, tampered, old, notJson, big, missing]);
    expect(r.code).toBe(1);
    expect(r.stdout.trim()).toBe(`imported ${good} ${receiptOf(good)}`);
    const lines = r.stderr.trim().split('\n');
    expect(lines).toEqual([
      `candor-collector import: ${tampered}: sha256: does not match the report`,
      `candor-collector import: ${old}: createdAt: made more than ${RETENTION_DAYS - 1} days ago: past the ${RETENTION_DAYS}-day retention, it would be deleted at once`,
      `candor-collector import: ${notJson}: not a JSON export file`,
      `candor-collector import: ${big}: report: larger than 102400 bytes`,
      `candor-collector import: ${missing}: cannot be read (ENOENT)`,
    ]);
    expect(sqliteRows(data)).toHaveLength(1);
  });

  it.each([
    [['import', '--data-dir', '/tmp/x'], /import needs at least one FILE/],
    [['import', 'f.json'], /one of --data-dir DIR or --database-url URL is required/],
    [['import', '--data-dir', '/tmp/x', '--port', '8080', 'f.json'], /--port is not used by import/],
    [['export', '--data-dir', '/tmp/x'], /unexpected argument|unknown command/i],
  ])('bad usage %j exits 2 with one line', async (args, message) => {
    const r = await runCli(args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
  });
});
