/**
 * Someone who knows an instance's id (who saw one of its reports, or guessed it) and sends under
 * it: their reports get rows of their own (one row per day, instance and deletion key), never the
 * owner's. The owner's report of every day stays, deletable only with the owner's key, and nothing
 * the sender is told (status, body, every metric, what GET /collect/{id} shows them) depends on
 * whether the owner reported. The collector's clock is driven across days.
 */
import { describe, expect, it } from 'vitest';
import { dayStart, DAY_MS, utcDay } from '../../collector/retention';
import type { AccessAnswer } from '../../collector/http/access';
import type { Payload } from '../../shared/schema/payload';
import { FakeClock } from '../support/fake-clock';
import { parseJson } from '../support/json';
import {
  askHeld,
  collectorsPerTest,
  deleteReports,
  exportFileOf,
  holdCommits,
  newId,
  newKey,
  post,
  protectedReport,
  candorReport,
  scrape,
  sqliteRows,
  type Reply,
} from './support/harness';

const { start } = collectorsPerTest();
const START = Date.UTC(2026, 10, 20, 9);
const uptimeOf = (row: { payload: string }) => parseJson<Payload>(row.payload).uptime;

describe('a report under a known id, with another key', () => {
  it('neither replaces the owner’s report of an earlier day nor lets its key delete it (an export file dated late that day)', async () => {
    const clock = new FakeClock(START);
    const c = await start({ clock });
    const id = newId();
    const owner = newKey();
    const stranger = newKey();
    expect((await post(c.url, protectedReport(id, owner.hash, { uptime: 1 }))).status).toBe(200);
    await clock.advance(DAY_MS);
    expect((await post(c.url, protectedReport(id, owner.hash, { uptime: 2 }))).status).toBe(200);
    await clock.advance(DAY_MS);
    const firstDay = utcDay(START);

    // Two days later: a file dated the last millisecond of the owner's first day, with the stranger's key.
    const text = JSON.stringify(protectedReport(id, stranger.hash, { uptime: 666 }));
    const reply = await post(c.url, exportFileOf(text, dayStart(firstDay + 1) - 1));
    expect(reply.status).toBe(200);
    expect(parseJson<{ status: string }>(reply.body).status).toBe('stored');
    // And the same day, a report posted under the id.
    expect((await post(c.url, protectedReport(id, stranger.hash, { uptime: 667 }))).status).toBe(200);

    const ofKey = (hash: string) => sqliteRows(c.dataDir!).filter((r) => r.deletion_key_hash === hash);
    expect(ofKey(owner.hash).map((r) => [r.day, uptimeOf(r)])).toEqual([
      [firstDay, 1],
      [firstDay + 1, 2],
    ]);
    expect(ofKey(stranger.hash).map((r) => [r.day, uptimeOf(r)])).toEqual([
      [firstDay, 666],
      [firstDay + 2, 667],
    ]);

    // The stranger's key deletes the stranger's reports: the owner's stay.
    expect((await deleteReports(c.url, id, stranger.secret)).status).toBe(204);
    expect(ofKey(stranger.hash)).toEqual([]);
    expect(ofKey(owner.hash)).toHaveLength(2);
    expect((await deleteReports(c.url, id, stranger.secret)).status).toBe(403);
    expect((await deleteReports(c.url, id)).status).toBe(403);
    // The owner's key deletes the owner's.
    expect((await deleteReports(c.url, id, owner.secret)).status).toBe(204);
    expect(sqliteRows(c.dataDir!)).toEqual([]);
  });

  it('does not keep the owner’s later report of that day out either: each key has its row', async () => {
    const clock = new FakeClock(START);
    const c = await start({ clock });
    const id = newId();
    const owner = newKey();
    // The stranger gets there first, at the start of the day, then the owner reports.
    expect((await post(c.url, protectedReport(id, newKey().hash, { uptime: 666 }))).status).toBe(200);
    await clock.advance(3_600_000);
    expect((await post(c.url, protectedReport(id, owner.hash, { uptime: 5 }))).status).toBe(200);
    const rows = sqliteRows(c.dataDir!);
    expect(rows.map((r) => uptimeOf(r)).sort()).toEqual([5, 666]);
    expect(rows.find((r) => r.deletion_key_hash === owner.hash)).toBeDefined();
  });

  it('replaces the owner’s report only with the owner’s own newer report, never with an older export of it', async () => {
    const clock = new FakeClock(START);
    const c = await start({ clock });
    const id = newId();
    const owner = newKey();
    await post(c.url, protectedReport(id, owner.hash, { uptime: 1 }));
    await clock.advance(60_000);
    await post(c.url, protectedReport(id, owner.hash, { uptime: 2 }));
    expect(sqliteRows(c.dataDir!).map((r) => [uptimeOf(r), r.writes])).toEqual([[2, 2]]);
    // An export of the owner's, made before the report already there: the newer report stays.
    await post(c.url, exportFileOf(JSON.stringify(protectedReport(id, owner.hash, { uptime: 0 })), START - 60_000));
    expect(sqliteRows(c.dataDir!).map((r) => uptimeOf(r))).toEqual([2]);
    expect((await scrape(c.url)).get('collector_reports_replaced_total')).toBe(1);
  });

  it('gives the owner’s and a stranger’s reports of one batch their own rows, in either order', async () => {
    const c = await start();
    const id = newId();
    const [owner, stranger] = [newKey(), newKey()];
    const release = holdCommits(c.collector.store);
    const replies = Promise.all([
      post(c.url, protectedReport(id, owner.hash, { uptime: 1 })),
      post(c.url, protectedReport(id, stranger.hash, { uptime: 666 })),
      post(c.url, protectedReport(id, owner.hash, { uptime: 2 })),
    ]);
    await new Promise((resolve) => setTimeout(resolve, 200));
    release();
    expect((await replies).map((r) => r.status)).toEqual([200, 200, 200]);
    const rows = sqliteRows(c.dataDir!);
    expect(rows.find((r) => r.deletion_key_hash === owner.hash)).toMatchObject({ writes: 2 });
    expect(uptimeOf(rows.find((r) => r.deletion_key_hash === owner.hash)!)).toBe(2);
    expect(uptimeOf(rows.find((r) => r.deletion_key_hash === stranger.hash)!)).toBe(666);
  });
});

describe('what a sender under a known id is told', () => {
  /** Everything a client sees of one answer: status, body and headers but the date. */
  const seen = (r: Reply) => {
    const { date: _date, ...headers } = r.headers;
    return { status: r.status, body: r.body, headers };
  };
  /** Every metric but the commit times (how long a batch took, not what it held) and the process's random name. */
  const metricsSeen = async (url: string) =>
    [...(await scrape(url))].filter(([name]) => !name.startsWith('collector_flush_duration_seconds') && !name.startsWith('collector_process_info'));

  it('is the same whether or not the owner reported: status, body, every metric, and what GET /collect/{id} shows them', async () => {
    const known = newId();
    const stranger = newKey();
    // Two collectors on the same clock, with the same history: in one the id's owner reported on three
    // days, in the other some other instance did. Then the same requests about the id, to each.
    const worlds = await Promise.all(
      [known, newId()].map(async (ownerId) => {
        const clock = new FakeClock(START);
        const c = await start({ clock, heartbeatMs: DAY_MS });
        const key = newKey();
        for (let day = 0; day < 3; day++) {
          expect((await post(c.url, protectedReport(ownerId, key.hash, { uptime: day }))).status).toBe(200);
          expect((await post(c.url, protectedReport(ownerId, key.hash, { uptime: 10 + day }))).status).toBe(200);
          if (day < 2) await clock.advance(DAY_MS);
        }
        return c;
      }),
    );
    const today = utcDay(START) + 2;
    const report = (extra: Record<string, unknown>) => JSON.stringify(protectedReport(known, stranger.hash, extra));
    const keyless = (extra: Record<string, unknown>) => JSON.stringify(candorReport({ id: known, ...extra }));
    const probes: { name: string; send: (url: string) => Promise<Reply> }[] = [
      // Finding 3's probe: an export file made at 00:00:00.000 of a day the owner reported.
      { name: 'keyless export at midnight of a reported day', send: (url) => post(url, exportFileOf(keyless({ uptime: 7 }), dayStart(today - 1))) },
      { name: 'keyed export at midnight of a reported day', send: (url) => post(url, exportFileOf(report({ uptime: 7 }), dayStart(today - 1))) },
      { name: 'keyed export late on the first day', send: (url) => post(url, exportFileOf(report({ uptime: 8 }), dayStart(today - 1) - 1)) },
      { name: 'the same file again', send: (url) => post(url, exportFileOf(report({ uptime: 8 }), dayStart(today - 1) - 1)) },
      { name: 'a keyed report today', send: (url) => post(url, protectedReport(known, stranger.hash, { uptime: 9 })) },
      { name: 'a keyless report today', send: (url) => post(url, candorReport({ id: known, uptime: 9 })) },
      // Up to the cap and past it: the stranger's places are their own, whatever the owner used.
      ...Array.from({ length: 10 }, (_, i) => ({
        name: `keyed report ${i + 2} today`,
        send: (url: string) => post(url, protectedReport(known, stranger.hash, { uptime: i })),
      })),
      { name: 'what is held, asked with the stranger’s key', send: (url) => askHeld(url, known, stranger.secret) },
      { name: 'what is held, asked without a key', send: (url) => askHeld(url, known) },
      { name: 'deletion with the stranger’s key', send: (url) => deleteReports(url, known, stranger.secret) },
      { name: 'what is held afterwards', send: (url) => askHeld(url, known, stranger.secret) },
      { name: 'deletion again', send: (url) => deleteReports(url, known, stranger.secret) },
    ];
    const answers = new Map<string, Reply>();
    for (const probe of probes) {
      const [inKnown, inUnknown] = await Promise.all(worlds.map((c) => probe.send(c.url)));
      expect(seen(inKnown!), probe.name).toEqual(seen(inUnknown!));
      const [metricsKnown, metricsUnknown] = await Promise.all(worlds.map((c) => metricsSeen(c.url)));
      expect(metricsKnown, probe.name).toEqual(metricsUnknown);
      answers.set(probe.name, inKnown!);
    }
    // The probes were real: the cap was reached, the stranger saw their own rows (and the keyless
    // ones), the deletion took theirs, and the owner's reports stay.
    expect(answers.get('keyed report 11 today')!.status).toBe(429);
    const theirs = parseJson<AccessAnswer>(answers.get('what is held, asked with the stranger’s key')!.body).reports;
    expect(theirs.map((r) => [r.day, r.key])).toEqual([
      ['2026-11-20', 'this'],
      ['2026-11-21', 'other'],
      ['2026-11-21', 'this'],
      ['2026-11-22', 'other'],
      ['2026-11-22', 'this'],
    ]);
    expect(answers.get('deletion with the stranger’s key')!.status).toBe(204);
    expect(answers.get('what is held afterwards')!.status).toBe(403);
    const left = sqliteRows(worlds[0]!.dataDir!).filter((r) => r.instance_id === known);
    expect(left.map((r) => [r.day, uptimeOf(r)])).toEqual([
      [today - 2, 10],
      [today - 1, 11],
      [today, 12],
    ]);
  });

  it('is the same when its report is kept out by a newer one of the id’s keyless row: the day is pending as a stored report’s would be', async () => {
    const known = newId();
    // In one collector the id reported today without a key (as Navidrome does), in the other another id did.
    const worlds = await Promise.all(
      [known, newId()].map(async (ownerId) => {
        const c = await start({ clock: new FakeClock(START), heartbeatMs: DAY_MS });
        expect((await post(c.url, candorReport({ id: ownerId, uptime: 1 }))).status).toBe(200);
        await c.collector.maintenance();
        return c;
      }),
    );
    const [before, beforeOther] = await Promise.all(worlds.map((c) => metricsSeen(c.url)));
    expect(before).toEqual(beforeOther);
    expect(new Map(before).get('collector_summary_pending_days')).toBe(0);
    // A keyless export file under the id, made at 00:00 today: older than the id's report of today.
    const file = exportFileOf(JSON.stringify(candorReport({ id: known, uptime: 7 })), dayStart(utcDay(START)));
    const [inKnown, inUnknown] = await Promise.all(worlds.map((c) => post(c.url, file)));
    expect(seen(inKnown!)).toEqual(seen(inUnknown!));
    // Every metric but the oldest row's age, which the file (older than any row in the second) sets in one only.
    const butAge = (metrics: [string, number][]) => metrics.filter(([name]) => name !== 'collector_oldest_raw_report_age_seconds');
    const [after, afterOther] = await Promise.all(worlds.map(async (c) => butAge(await metricsSeen(c.url))));
    expect(after).toEqual(afterOther);
    expect(new Map(after).get('collector_summary_pending_days')).toBe(1);
    // The probe was real: the id's newer report was kept in one, the file stored in the other.
    expect(
      sqliteRows(worlds[0]!.dataDir!)
        .filter((r) => r.instance_id === known)
        .map(uptimeOf),
    ).toEqual([1]);
    expect(
      sqliteRows(worlds[1]!.dataDir!)
        .filter((r) => r.instance_id === known)
        .map(uptimeOf),
    ).toEqual([7]);
  });
});
