/**
 * Trust, but verify, at the collector: every 2xx of POST /collect carries the sha256 of exactly the
 * bytes received (a receipt), the row keeps it, and GET /collect/{id} shows an instance's owner
 * what is held about it, proven by the deletion key, with deletion's very refusal for anyone else.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AccessAnswer } from '../../../collector/http/access';
import { DAY_MS, RETENTION_MS } from '../../../collector/retention';
import type { Payload } from '../../../shared/schema/payload';
import { FakeClock } from '../../support/fake-clock';
import { parseJson } from '../../support/json';
import {
  askHeld,
  candorReport,
  collectorsPerTest,
  deleteReports,
  exportFileOf,
  newId,
  newKey,
  post,
  protectedReport,
  rejected,
  runCollectorCli,
  scrape,
  send,
  type Reply,
} from '../support/harness';
import { navidromeDocker } from '../support/navidrome';

const { start, stop } = collectorsPerTest();

const sha256 = (bytes: string | Buffer) => createHash('sha256').update(bytes).digest('hex');
const postText = (url: string, text: string) => send(url, { body: text, headers: { 'content-type': 'application/json' } });
const access = askHeld;
const del = deleteReports;
const exportFile = exportFileOf;

/** What identifies an answer to a client: status, body, and every header but the date. */
const shape = (r: Reply) => {
  const { date: _date, ...headers } = r.headers;
  return { status: r.status, body: r.body, headers };
};

describe('receipts: every 2xx of POST /collect carries the sha256 of exactly the bytes received', () => {
  it('for a posted report, whatever its spacing and key order (the stored form differs; the receipt does not)', async () => {
    const c = await start();
    const report = protectedReport(newId(), newKey().hash, { unknownField: { x: 1 } });
    const text = `  ${JSON.stringify(report, null, 3)}\n`;
    const reply = await postText(c.url, text);
    expect(reply.status).toBe(200);
    expect(JSON.parse(reply.body)).toEqual({ status: 'stored', sha256: sha256(text) });
    // The bytes as sent, escapes included: not the report they parse to.
    const escaped = JSON.stringify(candorReport()).replace('"linux"', '"\\u006cinux"');
    const again = await postText(c.url, escaped);
    expect(again.status).toBe(200);
    expect(parseJson<{ sha256: string }>(again.body).sha256).toBe(sha256(escaped));
    expect(sha256(escaped)).not.toBe(sha256(JSON.stringify(JSON.parse(escaped))));
  });

  it('for an export file: the sha256 of the file as received, and of the report inside it', async () => {
    const clock = new FakeClock(Date.UTC(2026, 10, 25, 15));
    const c = await start({ clock });
    const reportText = JSON.stringify(protectedReport(newId(), newKey().hash));
    const file = JSON.stringify(exportFile(reportText, Date.UTC(2026, 10, 25, 9)), null, 2);
    const first = await postText(c.url, file);
    expect(JSON.parse(first.body)).toEqual({ status: 'stored', sha256: sha256(file), reportSha256: sha256(reportText) });
    // Posted again: the same answer (an answer never depends on what is stored).
    const again = await postText(c.url, file);
    expect(JSON.parse(again.body)).toEqual({ status: 'stored', sha256: sha256(file), reportSha256: sha256(reportText) });
  });

  it('for `candor-collector import`: the line names both, and the row keeps the report’s', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'collector-receipt-'));
    const c = await start({ dataDir: dir });
    try {
      const id = newId();
      const key = newKey();
      const reportText = JSON.stringify(protectedReport(id, key.hash));
      const file = path.join(dir, 'r.candor.json');
      writeFileSync(file, `${JSON.stringify(exportFile(reportText, Date.now() - 3_600_000), null, 2)}\n`);
      const imported = await runCollectorCli(['import', '--data-dir', dir, file]);
      expect(imported.stdout).toBe(`imported ${file} (sha256 ${sha256(readFileSync(file))}, report sha256 ${sha256(reportText)})\n`);
      const held = parseJson<AccessAnswer>((await access(c.url, id, key.secret)).body).reports;
      expect(held.map((r) => [r.sha256, r.key])).toEqual([[sha256(reportText), 'this']]);
    } finally {
      await stop(c);
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refusals carry no receipt', async () => {
    const c = await start();
    const reply = await post(c.url, { ...candorReport(), uptime: -1 });
    expect(reply.status).toBe(422);
    expect(JSON.parse(reply.body)).not.toHaveProperty('sha256');
  });
});

describe('GET /collect/{id}: what the collector holds about me', () => {
  it('shows the owner every report held under the id: day, sha256 of the bytes received, the stored report, when it will be deleted', async () => {
    const start0 = Date.UTC(2026, 6, 1, 9);
    const clock = new FakeClock(start0);
    const c = await start({ clock });
    const id = newId();
    const key = newKey();
    const first = JSON.stringify(protectedReport(id, key.hash, { uptime: 11 }));
    expect((await postText(c.url, first)).status).toBe(200);
    await clock.advance(DAY_MS);
    const second = JSON.stringify(protectedReport(id, key.hash, { uptime: 22 }), null, 1);
    expect((await postText(c.url, second)).status).toBe(200);
    // An export of the same id, made earlier, stored under the day it was made.
    const exported = JSON.stringify(protectedReport(id, key.hash, { uptime: 5 }));
    expect((await post(c.url, exportFile(exported, start0 - 2 * DAY_MS))).status).toBe(200);
    await post(c.url, protectedReport(newId(), newKey().hash));

    const reply = await access(c.url, id, key.secret);
    expect(reply.status).toBe(200);
    expect(reply.headers['cache-control']).toBe('no-store');
    const answer = parseJson<AccessAnswer>(reply.body);
    expect(answer).toMatchObject({ id, retentionDays: 30 });
    expect(answer.reports.map((r) => [r.day, r.sha256, r.key])).toEqual([
      ['2026-06-29', sha256(exported), 'this'],
      ['2026-07-01', sha256(first), 'this'],
      ['2026-07-02', sha256(second), 'this'],
    ]);
    const [, day1, day2] = answer.reports;
    expect(day1).toMatchObject({ receivedAt: new Date(start0).toISOString(), expiresAt: new Date(start0 + RETENTION_MS).toISOString() });
    expect(day2).toMatchObject({ receivedAt: new Date(start0 + DAY_MS).toISOString() });
    const stored = (day2 as { report: Payload }).report;
    expect(stored.uptime).toBe(22);
    // The stored report, as stored: its deletion-key hash is kept apart and never shown.
    expect(JSON.stringify(answer)).not.toContain(key.hash);
  });

  it('shows the owner what someone else stored under the id by day and sha256 only, and nothing of the owner to them', async () => {
    const clock = new FakeClock(Date.UTC(2026, 6, 1, 9));
    const c = await start({ clock });
    const id = newId();
    const owner = newKey();
    const intruder = newKey();
    await post(c.url, protectedReport(id, owner.hash, { uptime: 1 }));
    await clock.advance(DAY_MS);
    const foreign = JSON.stringify(protectedReport(id, intruder.hash, { uptime: 999_999 }));
    await postText(c.url, foreign);
    await clock.advance(DAY_MS);
    const unprotected = JSON.stringify(candorReport({ id, uptime: 888_888 }));
    await postText(c.url, unprotected);

    const seen = parseJson<AccessAnswer>((await access(c.url, id, owner.secret)).body).reports;
    expect(seen.map((r) => r.key)).toEqual(['this', 'other', 'other']);
    expect(seen[1]).toEqual({ day: '2026-07-02', sha256: sha256(foreign), key: 'other' });
    expect(seen[2]).toEqual({ day: '2026-07-03', sha256: sha256(unprotected), key: 'other' });
    expect(JSON.stringify(seen)).not.toMatch(/999999|888888/);

    // The intruder reported under the id after its owner: they see their own report and the keyless
    // one (no owner to protect), as under an id nobody else used; nothing of the owner's.
    const theirs = parseJson<AccessAnswer>((await access(c.url, id, intruder.secret)).body).reports;
    expect(theirs.map((r) => [r.day, r.key])).toEqual([
      ['2026-07-02', 'this'],
      ['2026-07-03', 'other'],
    ]);
  });

  it('answers no key, a wrong key, a malformed key, an unknown id and an unprotected id exactly as deletion refuses', async () => {
    const c = await start();
    const id = newId();
    const key = newKey();
    await post(c.url, protectedReport(id, key.hash));
    const navidrome = newId();
    await post(c.url, navidromeDocker(navidrome));
    const refusal = await del(c.url, id, newKey().secret);
    expect(refusal.status).toBe(403);
    expect(JSON.parse(refusal.body)).toEqual({ error: 'forbidden', message: 'deletion key missing or wrong' });
    const tries = [
      await access(c.url, id),
      await access(c.url, id, newKey().secret),
      await access(c.url, id, key.hash),
      await access(c.url, id, 'zz'.repeat(32)),
      await access(c.url, newId(), key.secret),
      await access(c.url, newId()),
      // Reports without a key are deleted by id alone, but never shown by id alone.
      await access(c.url, navidrome),
      await access(c.url, navidrome, key.secret),
    ];
    for (const reply of tries) expect(shape(reply)).toEqual(shape(refusal));
    expect(rejected(await scrape(c.url), 'forbidden')).toBe(1 + tries.length);
    // Nothing was deleted or changed by looking.
    expect((await access(c.url, id, key.secret)).status).toBe(200);
  });

  it('shows a report the retention purge has deleted no more', async () => {
    const clock = new FakeClock(Date.UTC(2026, 6, 1, 9));
    const c = await start({ clock, heartbeatMs: DAY_MS });
    clock.afterTimer = () => c.collector.idle();
    const id = newId();
    const key = newKey();
    await post(c.url, protectedReport(id, key.hash));
    await clock.advance(DAY_MS);
    await post(c.url, protectedReport(id, key.hash));
    const shown = async () => parseJson<AccessAnswer>((await access(c.url, id, key.secret)).body).reports.map((r) => r.day);
    expect(await shown()).toEqual(['2026-07-01', '2026-07-02']);
    await clock.advance(RETENTION_MS - DAY_MS);
    await c.collector.maintenance();
    expect(await shown()).toEqual(['2026-07-02']);
  });

  it('takes GET and DELETE only, refuses a malformed id, and counts against the address budget', async () => {
    const c = await start({ limits: { ipBurst: 2, ipRefillPerSecond: 0.001 } });
    const put = await send(c.url, { method: 'PUT', path: `/collect/${newId()}` });
    expect(put.status).toBe(405);
    expect(put.headers.allow).toBe('GET, DELETE');
    expect((await access(c.url, 'not-a-uuid', newKey().secret)).status).toBe(400);
    expect((await access(c.url, newId(), newKey().secret)).status).toBe(403);
    expect((await access(c.url, newId(), newKey().secret)).status).toBe(429);
  });
});
