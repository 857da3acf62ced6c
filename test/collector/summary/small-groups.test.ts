/**
 * Summaries must not single out one instance, even with fakes beside it. Numbers are published as
 * bins, never exact values; a bin or value appears only when at least K_ANONYMITY distinct networks
 * (IPv4 /24, IPv6 /64) reported it that day, so fakes sent from one address cannot make the group.
 * Through the running service, with client addresses given by a trusted proxy.
 */
import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEFAULT_LIMITS, startCollector } from '../../../collector/index';
import { importFiles } from '../../../collector/import';
import { DAY_MS, utcDay } from '../../../collector/retention';
import { SaltUnavailable, SourceTagger } from '../../../collector/source-tag';
import { openStore } from '../../../collector/store/open';
import { K_ANONYMITY } from '../../../collector/summary/threshold';
import { SUMMARY_FORMAT, type DaySummary } from '../../../collector/summary/types';
import { FakeClock } from '../../support/fake-clock';
import { parseJson } from '../../support/json';
import { victimReport } from '../support/small-group-attack';
import { candorReport, collectorsPerTest, exportFileOf, getSummary, newId, post, send, sqliteRows, type SummaryBody } from '../support/harness';

const { start } = collectorsPerTest({ trustProxy: ['127.0.0.1'] });
const from = (url: string, report: unknown, address: string) => post(url, report, { 'x-forwarded-for': address });
async function today(url: string): Promise<DaySummary> {
  return (await getSummary(url)).days.at(-1)!;
}

/** What an attacker sends beside it: known values, to subtract. */
const fake = () =>
  candorReport({
    library: { tracks: 1, albums: 1, artists: 1, playlists: 0, shares: 0, radios: 0, libraries: 1, activeUsers: 1 },
    config: { enableJukebox: false, enableDownloads: false },
  });

describe('summaries of small groups', () => {
  it('one real report and four fakes from one address give away nothing about the real one', async () => {
    const c = await start();
    expect((await from(c.url, victimReport(), '198.51.100.7')).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await from(c.url, fake(), '203.0.113.' + (10 + i))).status).toBe(200);
    const day = await today(c.url);
    expect(day.instances).toBe(5);
    const text = JSON.stringify(day);
    for (const exact of ['123457', '4321', '2345', '1234567', '987654321']) expect(text).not.toContain(exact);
    // No bin of any number reached five networks: every count is withheld, only the totals remain.
    for (const binned of [day.library.tracks!, day.library.albums!, day.cpus, day.memory!, day.uptime!]) {
      expect(binned.bins.every((b) => b.count === null)).toBe(true);
      expect(binned.withheld).toBe(binned.reported);
    }
    expect(day.osArch.values.map((v) => v.value)).not.toContain('linux/riscv64');
    expect(day.arch.values.map((v) => v.value)).not.toContain('riscv64');
    expect(day.features.find((f) => f.flag === 'enableJukebox')).toEqual({ flag: 'enableJukebox', enabled: null, reported: 5 });
    expect(day.players.values.map((v) => v.value)).not.toContain('Symfonium');
  });

  it('publishes a bin once five networks reported it, as a count and never as an exact value', async () => {
    const c = await start();
    for (let i = 0; i < K_ANONYMITY; i++) expect((await from(c.url, victimReport(), `198.51.${100 + i}.7`)).status).toBe(200);
    const day = await today(c.url);
    const bin = day.library.tracks!.bins.find((b) => b.label === '100k–500k');
    expect(bin).toEqual({ label: '100k–500k', from: 100_000, count: K_ANONYMITY });
    expect(day.library.tracks).not.toHaveProperty('percentiles');
    expect(day.library.tracks).not.toHaveProperty('mean');
    expect(JSON.stringify(day)).not.toContain('123457');
    expect(day.osArch.values).toContainEqual({ value: 'linux/riscv64', count: K_ANONYMITY });
    // All five have it on, and "off" is empty: a share of five networks may be published.
    expect(day.features.find((f) => f.flag === 'enableJukebox')).toEqual({ flag: 'enableJukebox', enabled: K_ANONYMITY, reported: K_ANONYMITY });
    expect(day.players.values).toEqual([{ value: 'Symfonium', instances: K_ANONYMITY }]);
  });

  it('counts an IPv4 /24 or an IPv6 /64 as one network, however many addresses it uses', async () => {
    const c = await start();
    const addresses = ['198.51.100.1', '198.51.100.2', '198.51.100.250', '2001:db8:1:2::1', '2001:db8:1:2:ffff::9', '2001:db8:1:2::abcd'];
    for (const address of addresses) expect((await from(c.url, victimReport(), address)).status).toBe(200);
    const day = await today(c.url);
    expect(day.instances).toBe(6);
    expect(day.library.tracks!.bins.every((b) => b.count === null)).toBe(true);
    expect(new Set(sqliteRows(c.dataDir!).map((r) => r.source)).size).toBe(2);
  });

  it('hides the last of two cells too when the other alone is withheld (no answer by subtraction)', async () => {
    const c = await start();
    // Six networks run in a container, one does not: "no" would be 1 = reported - "yes".
    for (let i = 0; i < 6; i++) await from(c.url, candorReport({ os: { type: 'linux', containerized: true, arch: 'amd64' } }), `198.51.${100 + i}.1`);
    await from(c.url, victimReport(), '192.0.2.1');
    const day = await today(c.url);
    expect(day.containerized.values).toEqual([{ value: 'Other', count: 7 }]);
    // Many other values of a long list are possible: the one withheld cannot be told apart.
    expect(day.os.values).toEqual([{ value: 'linux', count: 7 }]);
  });

  it('keeps a stored tag per report that changes with the UTC day, and no address', async () => {
    const clock = new FakeClock(Date.UTC(2026, 7, 1, 12));
    const c = await start({ clock });
    const id = newId();
    await from(c.url, candorReport({ id }), '198.51.100.7');
    await from(c.url, candorReport(), '198.51.100.8');
    await clock.advance(DAY_MS);
    await from(c.url, candorReport({ id }), '198.51.100.7');
    const rows = sqliteRows(c.dataDir!);
    expect(rows.every((r) => /^[A-Za-z0-9_-]{16}$/.test(r.source ?? ''))).toBe(true);
    const [dayOne, dayTwo] = [rows.filter((r) => r.day === rows[0]!.day), rows.filter((r) => r.day !== rows[0]!.day)];
    expect(dayOne[0]!.source).toBe(dayOne[1]!.source);
    expect(dayTwo[0]!.source).not.toBe(dayOne[0]!.source);
  });
});

describe('source tags', () => {
  it("are HMAC-SHA256 of the network under the day's salt from the store, cut to 96 bits: the same salt once forgotten in memory, another the next day", async () => {
    const clock = new FakeClock(Date.UTC(2026, 4, 1, 12));
    const stored = new Map<number, Buffer>();
    // A store that keeps one salt per day; the tagger wipes the copy it is given.
    const tagger = new SourceTagger((day) => {
      if (!stored.has(day)) stored.set(day, Buffer.alloc(32, day % 251));
      return Promise.resolve(Buffer.from(stored.get(day)!));
    }, clock);
    const hmac = (salt: Buffer, network: string) => createHmac('sha256', salt).update(network).digest().subarray(0, 12).toString('base64url');
    const noon = clock.now();
    const today = utcDay(noon);
    for (const network of ['192.0.2.0/24', '2001:db8:1:2::/64', 'unknown']) expect(await tagger.tag(network, noon)).toBe(hmac(stored.get(today)!, network));
    // In memory from then on: no store round trip per report.
    expect(typeof tagger.tag('192.0.2.0/24', noon)).toBe('string');
    tagger.forget();
    expect(await tagger.tag('192.0.2.0/24', noon)).toBe(hmac(stored.get(today)!, '192.0.2.0/24'));
    await clock.advance(DAY_MS);
    const tomorrow = await tagger.tag('192.0.2.0/24', clock.now());
    expect(tomorrow).toBe(hmac(stored.get(today + 1)!, '192.0.2.0/24'));
    expect(tomorrow).not.toBe(hmac(stored.get(today)!, '192.0.2.0/24'));
    // A report of a day that has ended is not tagged at all (its salt is not asked for again).
    await expect(tagger.tag('192.0.2.0/24', noon)).rejects.toBeInstanceOf(SaltUnavailable);
  });
});

describe('export files and imports in the publication rule', () => {
  /** The victim's bin of library.tracks on the day of `clock`: published (a count) or withheld (null). */
  const victimBin = async (url: string, day: string) =>
    (await getSummary(url, '?days=3')).days.find((d) => d.day === day)!.library.tracks!.bins.find((b) => b.label === '100k–500k')?.count ?? null;
  const VICTIM = '192.0.2.7';
  const ATTACKERS = ['198.51.100.9', '198.51.101.9', '198.51.102.9', '198.51.103.9'];
  const fileOf = (createdAt: number) => exportFileOf(JSON.stringify(victimReport()), createdAt);

  it(`needs ${K_ANONYMITY - 1} networks of the attacker's own beside a lone report: three and an export file publish nothing`, async () => {
    const clock = new FakeClock(Date.UTC(2026, 7, 3, 12));
    const c = await start({ clock });
    const day = '2026-08-03';
    expect((await from(c.url, victimReport(), VICTIM)).status).toBe(200);
    for (const address of ATTACKERS.slice(0, 3)) expect((await from(c.url, victimReport(), address)).status).toBe(200);
    // An export file made today counts as the network that posts it: one the attacker already used.
    expect((await from(c.url, fileOf(clock.now() - 60_000), ATTACKERS[0]!)).status).toBe(200);
    expect(await victimBin(c.url, day)).toBeNull();
    // A file made that day, posted the next day from a network not used yet, counts as no network.
    await clock.advance(DAY_MS);
    expect((await from(c.url, fileOf(clock.now() - DAY_MS), ATTACKERS[3]!)).status).toBe(200);
    expect(await victimBin(c.url, day)).toBeNull();
    // And so do imports by the operator.
    const store = c.collector.store;
    const dir = mkdtempSync(path.join(os.tmpdir(), 'collector-threshold-'));
    try {
      const files = [0, 1, 2].map((i) => {
        const file = path.join(dir, `${i}.candor.json`);
        writeFileSync(file, JSON.stringify(fileOf(clock.now() - DAY_MS + i)));
        return file;
      });
      const io = { out: () => {}, err: (line: string) => expect.fail(line) };
      expect(await importFiles(files, store, DEFAULT_LIMITS, clock, io)).toEqual({ failed: 0 });
      await c.collector.maintenance();
      const summary = (await getSummary(c.url, '?days=3')).days.find((d) => d.day === day)!;
      expect(summary.instances).toBe(9);
      expect(await victimBin(c.url, day)).toBeNull();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it(`publishes once the attacker has ${K_ANONYMITY - 1} networks of their own (which is what the threat model says)`, async () => {
    const clock = new FakeClock(Date.UTC(2026, 7, 3, 12));
    const c = await start({ clock });
    expect((await from(c.url, victimReport(), VICTIM)).status).toBe(200);
    for (const address of ATTACKERS) expect((await from(c.url, victimReport(), address)).status).toBe(200);
    expect(await victimBin(c.url, '2026-08-03')).toBe(K_ANONYMITY);
  });
});

describe('summaries stored by an earlier version', () => {
  it('are recomputed where the raw reports are kept, and lose every exact value and raw client name where they are not', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'collector-upgrade-'));
    try {
      const now = Date.UTC(2026, 8, 1, 12);
      const recent = utcDay(now) - 3;
      const old = utcDay(now) - 45;
      const formatOne = (day: number, instances: number) =>
        JSON.stringify({
          day: new Date(day * DAY_MS).toISOString().slice(0, 10),
          final: true,
          complete: true,
          incomplete: [],
          instances,
          ...Object.fromEntries(
            ['agents', 'serverTypes', 'versions', 'os', 'arch', 'osArch', 'distros', 'containerized'].map((k) => [
              k,
              { reported: instances, values: [{ value: 'Other', count: instances }] },
            ]),
          ),
          fs: {},
          features: [{ flag: 'enableLastFM', enabled: 1, reported: instances }],
          cpus: {
            reported: instances,
            bins: [{ label: '4–8', from: 4, count: instances }],
            percentiles: { p25: 4, p50: 4, p75: 4, p90: 4, p99: 48 },
            mean: 4.4,
          },
          library: { tracks: { reported: instances, bins: [], percentiles: { p25: 1, p50: 2, p75: 3, p90: 4, p99: 123_457 }, mean: 17_654.3 } },
          // Client names as reported, before the player table.
          players: {
            reported: instances,
            values: [
              { value: 'NavidromeUI [Firefox/Linux]', instances: 6, total: 9 },
              { value: 'NavidromeUI [Chrome/Windows]', instances: 5, total: 5 },
              { value: 'DSubCC', instances: 5, total: 5 },
              { value: 'Symfonium', instances: 1, total: 3 },
              { value: 'Other', instances: 2 },
            ],
          },
          fileSuffixes: { reported: 1, values: [{ value: 'flac', instances: 1, total: 123_457 }] },
        });
      const store = await openStore({ kind: 'sqlite', dataDir: dir });
      await store.writeReports(
        [
          {
            day: recent,
            instanceId: newId(),
            receivedAt: recent * DAY_MS + 1000,
            payload: JSON.stringify(candorReport()),
            count: 1,
            deletionKeyHash: null,
            source: null,
          },
        ],
        10,
      );
      await store.saveSummary({ day: recent, final: true, body: formatOne(recent, 1) });
      await store.saveSummary({ day: old, final: true, body: formatOne(old, 7) });
      // Format 3 binned Go's Sys and resident sizes together: the mix cannot be split again.
      const mixed = { reported: 5, withheld: 0, bins: [{ label: '64 MiB–128 MiB', from: 64 * 2 ** 20, count: 5 }] };
      await store.saveSummary({
        day: old - 1,
        final: true,
        body: JSON.stringify({ ...parseJson<object>(formatOne(old - 1, 5)), format: 3, memory: mixed }),
      });
      await store.close();

      const c = await startCollector({ clock: new FakeClock(now), dataDir: dir });
      try {
        const body = (await send(c.url, { method: 'GET', path: '/api/summary?days=60' })).body;
        for (const exact of ['percentiles', 'mean', 'total', '123457', '17654']) expect(body).not.toContain(exact);
        const days = parseJson<SummaryBody>(body).days;
        const byDay = new Map(days.map((d) => [d.day, d]));
        const recentSummary = byDay.get(new Date(recent * DAY_MS).toISOString().slice(0, 10))!;
        expect(recentSummary.format).toBe(SUMMARY_FORMAT);
        expect(recentSummary.library.tracks!.bins.every((b) => b.count === null)).toBe(true);
        const oldSummary = byDay.get(new Date(old * DAY_MS).toISOString().slice(0, 10))!;
        expect(byDay.get(new Date((old - 1) * DAY_MS).toISOString().slice(0, 10))).not.toHaveProperty('memory');
        expect(oldSummary.instances).toBe(7);
        expect(oldSummary.cpus.bins).toEqual([{ label: '4–8', from: 4, count: 7 }]);
        expect(oldSummary.players.values).toEqual([
          { value: 'NavidromeUI', instances: 6 },
          { value: 'Symfonium', instances: 1 },
          { value: 'Other', instances: 2 },
        ]);
        expect(body).not.toContain('[Firefox');
        expect(body).not.toContain('DSubCC');
        const page = (await send(c.url, { method: 'GET', path: '/' })).status;
        expect(page).toBe(200);
      } finally {
        await c.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
