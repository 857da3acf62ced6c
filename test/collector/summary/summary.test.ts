/**
 * Summaries: what a day's reports turn into. Pure aggregation tested directly (determinism,
 * thresholds by network, denominators, bins); the incremental recomputation and the incomplete-day flags
 * through the running service with an injected clock.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Payload } from '../../../shared/schema/payload';
import { FEATURE_FLAGS, summarizeDay, type SourcedReport } from '../../../collector/summary/aggregate';
import { K_ANONYMITY, OTHER } from '../../../collector/summary/threshold';
import type { DaySummary } from '../../../collector/summary/types';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_SUMMARY_MAX_AGE_MS } from '../../../collector/app';
import { DAY_MS, utcDay } from '../../../collector/retention';
import { FakeClock } from '../../support/fake-clock';
import { parseJson } from '../../support/json';
import { candorReport, getSummary, post, scrape, send, testCollector, type SummaryBody } from '../support/harness';
import { navidromeDebianMinimal, navidromeDocker } from '../support/navidrome';

const ctx = { day: utcDay(Date.UTC(2026, 4, 1)), final: true, incomplete: [] };
const report = (overrides: Record<string, unknown> = {}) => candorReport(overrides) as Payload;
/** Each report from its own network, unless the test says otherwise. */
const sourced = (reports: Payload[], network = (i: number) => `net-${i}`): SourcedReport[] => reports.map((r, i) => ({ report: r, source: network(i) }));
const times = <T>(n: number, make: () => T): T[] => Array.from({ length: n }, make);

describe('daily aggregation', () => {
  it('is deterministic: any order of the same reports gives the same bytes', () => {
    const reports = sourced([
      ...times(7, () => report()),
      ...times(5, () => navidromeDocker() as Payload),
      navidromeDebianMinimal(),
      report({ version: '0.59.0-SNAPSHOT (ffff)', os: { type: 'darwin', arch: 'arm64', numCPU: 8 } }),
    ]);
    const expected = JSON.stringify(summarizeDay(reports, ctx));
    fc.assert(
      fc.property(fc.shuffledSubarray(reports, { minLength: reports.length, maxLength: reports.length }), (shuffled) => {
        expect(JSON.stringify(summarizeDay(shuffled, ctx))).toBe(expected);
      }),
      { numRuns: 50 },
    );
  });

  it(`shows a value only when ${K_ANONYMITY} networks reported it; the rest is "${OTHER}", well-known names included`, () => {
    const reports = sourced([
      ...times(K_ANONYMITY, () => report({ version: '0.58.0', os: { type: 'linux', distro: 'debian', containerized: false, arch: 'amd64' } })),
      ...times(K_ANONYMITY - 1, () => report({ version: '0.57.1', os: { type: 'linux', distro: 'mylittledistro', containerized: false, arch: 'amd64' } })),
      report({ version: '9.9.9-alice', os: { type: 'linux', distro: 'nixos', containerized: false, arch: 'riscv64' }, fs: { music: { type: 'weirdfs' } } }),
    ]);
    const s = summarizeDay(reports, ctx);
    expect(s.versions.values).toEqual([
      { value: '0.58.0', count: 5 },
      { value: OTHER, count: 5 },
    ]);
    // nixos is a well-known name, but one server with it is one server: withheld like any other.
    expect(s.distros.values).toEqual([
      { value: 'debian', count: 5 },
      { value: OTHER, count: 5 },
    ]);
    expect(s.arch.values).toEqual([
      { value: 'amd64', count: 9 },
      { value: OTHER, count: 1 },
    ]);
    expect(s.fs.music!.values).toContainEqual({ value: OTHER, count: 1 });
    for (const hidden of ['alice', 'weirdfs', 'nixos', 'riscv64', 'mylittledistro']) expect(JSON.stringify(s)).not.toContain(hidden);
  });

  it('counts networks, not reports: many reports from one network are one source', () => {
    const s = summarizeDay(
      sourced(
        times(50, () => report({ version: '0.60.0' })),
        () => 'one-network',
      ),
      ctx,
    );
    expect(s.instances).toBe(50);
    expect(s.versions.values).toEqual([{ value: OTHER, count: 50 }]);
    expect(s.library.tracks!.bins.every((b) => b.count === null)).toBe(true);
  });

  it('gives "N of M reported" denominators that respect how each agent omits fields, and never counts an absent field', () => {
    const nd = times(5, () => navidromeDebianMinimal() as Payload); // config present, every flag false (omitted)
    const candorOn = times(5, () => report({ config: { enableLastFM: true } })); // only one flag known
    const basic = times(5, () => report({ config: undefined, library: undefined, fs: undefined })); // "basic": categories left out
    const s = summarizeDay(sourced([...nd, ...candorOn, ...basic]), ctx);
    const flag = (name: string) => s.features.find((f) => f.flag === name);
    expect(flag('enableLastFM')).toEqual({ flag: 'enableLastFM', enabled: 5, reported: 10 });
    expect(flag('enableJukebox')).toEqual({ flag: 'enableJukebox', enabled: 0, reported: 5 });
    expect(s.features.map((f) => f.flag)).toEqual(FEATURE_FLAGS);
    expect(s.instances).toBe(15);
    expect(s.library.tracks!.reported).toBe(10);
    expect(s.library.tracks!.bins.find((b) => b.label === '0')!.count).toBe(5);
    expect(s.fs.music!.reported).toBe(5);
    expect(s.containerized).toEqual({ reported: 15, values: [{ value: 'no', count: 15 }] });
  });

  it('withholds a flag when its "on" or its "off" is too small a group, since the denominator would give it away', () => {
    const s = summarizeDay(sourced([...times(9, () => report({ config: { enableJukebox: false } })), report({ config: { enableJukebox: true } })]), ctx);
    expect(s.features.find((f) => f.flag === 'enableJukebox')).toEqual({ flag: 'enableJukebox', enabled: null, reported: 10 });
  });

  it('bins numbers with Navidrome-compatible edges, publishes no exact value, and withholds small bins', () => {
    const sizes = [0, 1, 99, 100, 4_999, 1_000_000, 2_000_000];
    const s = summarizeDay(sourced(sizes.flatMap((tracks) => times(K_ANONYMITY, () => report({ library: { tracks } })))), ctx);
    const bins = Object.fromEntries(s.library.tracks!.bins.map((b) => [b.label, b.count]));
    expect(bins).toEqual({
      '0': 5,
      '1–100': 10,
      '100–500': 5,
      '500–1k': null,
      '1k–5k': 5,
      '5k–10k': null,
      '10k–20k': null,
      '20k–50k': null,
      '50k–100k': null,
      '100k–500k': null,
      '500k–1M': null,
      '1M+': 10,
    });
    expect(s.library.tracks!.withheld).toBe(0);
    expect(s.library.tracks).not.toHaveProperty('percentiles');
    expect(s.library.tracks).not.toHaveProperty('mean');
    const one = summarizeDay(sourced([...times(K_ANONYMITY, () => report({ library: { tracks: 50 } })), report({ library: { tracks: 3_000_000 } })]), ctx);
    expect(one.library.tracks!.bins.find((b) => b.label === '1M+')!.count).toBeNull();
    expect(one.library.tracks!.withheld).toBe(1);
  });

  it('withholds one more bin when the withheld remainder could only sit in one bin', () => {
    // Every CPU bin but one reported by five networks: the lone 64+ server would be the remainder.
    const cpus = [1, 2, 4, 8, 16, 32];
    const s = summarizeDay(
      sourced([
        ...cpus.flatMap((numCPU) => times(K_ANONYMITY + numCPU, () => report({ os: { type: 'linux', arch: 'amd64', numCPU } }))),
        report({ os: { type: 'linux', arch: 'amd64', numCPU: 96 } }),
      ]),
      ctx,
    );
    const counts = s.cpus.bins.map((b) => b.count);
    expect(counts.filter((c) => c === null)).toHaveLength(2);
    expect(counts[0]).toBeNull(); // the smallest published bin (1 core, 6 servers) joined the remainder
    expect(s.cpus.withheld).toBe(K_ANONYMITY + 1 + 1);
  });

  it('bins memory and uptime, and leaves out what a report did not carry', () => {
    const s = summarizeDay(
      sourced([
        ...times(5, () => report({ mem: { sys: 300 * 2 ** 20 }, uptime: 2 * 86_400 })),
        ...times(5, () => report({ mem: undefined, uptime: undefined })),
      ]),
      ctx,
    );
    expect(s.memory!.reported).toBe(5);
    expect(s.memory!.bins.find((b) => b.label === '256 MiB–512 MiB')!.count).toBe(5);
    expect(s.uptime!.bins.find((b) => b.label === '1 d–7 d')!.count).toBe(5);
    expect(s.hostMemory!.reported).toBe(0);
  });

  it("summarizes Go's Sys and a resident size as two figures, never one histogram", () => {
    const candor = (memory: string | undefined, sys: number) =>
      report({ mem: { sys }, candor: { agentVersion: '0.1.0', schemaVersion: 2, serverType: 'navidrome', sources: memory ? { memory } : {} } });
    const s = summarizeDay(
      sourced([
        // Navidrome's own reports and Candor's from Prometheus: Go's Sys, 100 MiB.
        ...times(3, () => navidromeDocker() as Payload).map((r) => ({ ...r, mem: { ...r.mem, sys: 100 * 2 ** 20 } })),
        ...times(3, () => candor('prometheus', 100 * 2 ** 20)),
        // Candor's resident sizes, 600 MiB: apart.
        ...times(5, () => candor('server-process', 600 * 2 ** 20)),
        // A Candor report that does not say which figure it is: neither.
        ...times(5, () => candor(undefined, 3 * 2 ** 30)),
        ...times(5, () => candor('host', 3 * 2 ** 30)),
      ]),
      ctx,
    );
    expect(s.memory!.reported).toBe(6);
    expect(s.memory!.bins.find((b) => b.label === '64 MiB–128 MiB')!.count).toBe(6);
    expect(s.residentMemory!.reported).toBe(5);
    expect(s.residentMemory!.bins.find((b) => b.label === '512 MiB–1 GiB')!.count).toBe(5);
    expect(s.memory!.bins.find((b) => b.label === '512 MiB–1 GiB')?.count ?? 0).toBe(0);
  });

  it('counts players and file formats by reports listing them, without totals', () => {
    const s = summarizeDay(
      sourced([
        ...times(5, () => report({ library: { activePlayers: { Symfonium: 2, DSub: 1 }, fileSuffixes: { flac: 10 } } })),
        ...times(5, () => report({ library: { activePlayers: { Symfonium: 1 }, fileSuffixes: { flac: 5, mp3: 1 } } })),
        report({ library: {} }),
      ]),
      ctx,
    );
    expect(s.players).toEqual({
      reported: 10,
      values: [
        { value: 'Symfonium', instances: 10 },
        { value: 'DSub', instances: 5 },
      ],
    });
    expect(s.fileSuffixes.values).toEqual([
      { value: 'flac', instances: 10 },
      { value: 'mp3', instances: 5 },
    ]);
  });
});

describe('summaries in the running service', () => {
  const running: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const c of running.splice(0)) await c.close();
  });
  const days = async (url: string): Promise<DaySummary[]> => (await getSummary(url)).days;

  it('flags incomplete days (in progress, collector down, a sudden drop) instead of dropping them', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'collector-summary-'));
    const clock = new FakeClock(Date.UTC(2026, 4, 1, 6)); // first started at 06:00: before that it did not exist, it was not down
    let c = await testCollector({ clock, heartbeatMs: 30 * 60_000, dataDir: dir });
    running.push(c);
    clock.afterTimer = () => c.collector.idle();
    for (let i = 0; i < 10; i++) await post(c.url, candorReport());
    let [first] = await days(c.url);
    expect(first).toMatchObject({ final: false, complete: false, incomplete: ['in-progress'] });

    // Stopped at 06:00, back at 12:00: those six hours were missed.
    running.splice(running.indexOf(c), 1);
    await c.close();
    await clock.advance(6 * 3600_000);
    c = await testCollector({ clock, heartbeatMs: 30 * 60_000, dataDir: dir });
    running.push(c);
    clock.afterTimer = () => c.collector.idle();
    [first] = await days(c.url);
    expect(first).toMatchObject({ incomplete: ['in-progress', 'collector-down'] });

    await clock.advance(DAY_MS); // 12:00 next day, up the whole time
    for (let i = 0; i < 10; i++) await post(c.url, candorReport());
    await clock.advance(DAY_MS);
    for (let i = 0; i < 4; i++) await post(c.url, candorReport());
    await clock.advance(DAY_MS);
    const all = await days(c.url);
    [first] = all;
    expect(first).toMatchObject({ final: true, incomplete: ['collector-down'], instances: 10 });
    expect(first!.collectorDownMinutes).toBeGreaterThanOrEqual(330);
    expect(first!.collectorDownMinutes).toBeLessThanOrEqual(360);
    expect(all[1]).toMatchObject({ final: true, complete: true, incomplete: [], instances: 10 });
    expect(all[2]).toMatchObject({ final: true, complete: false, incomplete: ['drop'], instances: 4 });
    rmSync(dir, { recursive: true, force: true });
  });

  it('shows a stored report within seconds with the default settings, without summarizing on every request', async () => {
    const clock = new FakeClock(Date.UTC(2026, 4, 1, 10));
    const c = await testCollector({ clock, summaryMaxAgeMs: DEFAULT_SUMMARY_MAX_AGE_MS });
    running.push(c);
    clock.afterTimer = () => c.collector.idle();
    const store = c.collector.store;
    let passes = 0;
    const readDay = store.readDay.bind(store);
    store.readDay = (...args) => {
      if (args[1] === null) passes++;
      return readDay(...args);
    };
    expect((await post(c.url, candorReport())).status).toBe(200);
    await clock.advance(2_000);
    // Summarized by then whether or not anyone asked: the stored summary already counts it.
    const stored = (await store.summaries(utcDay(clock.now()))).map((row) => JSON.parse(row.body) as DaySummary);
    expect(stored.at(-1)!.instances).toBe(1);
    expect((await days(c.url)).at(-1)!.instances).toBe(1);

    // Many reads of an unchanged day recompute nothing.
    const before = passes;
    for (let i = 0; i < 20; i++) await days(c.url);
    expect(passes).toBe(before);
    // Writes and reads within one second: at most one pass for all of them.
    for (let i = 0; i < 5; i++) {
      await post(c.url, candorReport());
      await days(c.url);
    }
    expect(passes - before).toBeLessThanOrEqual(1);
    await clock.advance(2_000);
    expect((await days(c.url)).at(-1)!.instances).toBe(6);
  });

  it("counts its own new reports from the reports in hand, from its day's first: none is read back from the store", async () => {
    const clock = new FakeClock(Date.UTC(2026, 4, 1, 10));
    const c = await testCollector({ clock, summaryMaxAgeMs: DEFAULT_SUMMARY_MAX_AGE_MS });
    running.push(c);
    clock.afterTimer = () => c.collector.idle();
    // The pass at start-up opened today's tally, before its first report.
    expect((await post(c.url, candorReport())).status).toBe(200);
    await clock.advance(2_000);
    for (let i = 0; i < 6; i++) expect((await post(c.url, candorReport())).status).toBe(200);
    await clock.advance(2_000);
    expect((await days(c.url)).at(-1)!.instances).toBe(7);
    expect(c.collector.metrics.summaryCommits).toEqual({ inHand: 7, feed: 0 });
    // Not on /metrics: a commit read back from the store would tell that a report's id had a row already.
    expect([...(await scrape(c.url)).keys()].filter((name) => name.includes('commits'))).toEqual([]);
  });

  it('recomputes only what changed, serves an ETag, and answers 304 when nothing did', async () => {
    const clock = new FakeClock(Date.UTC(2026, 4, 1, 0, 1));
    const c = await testCollector({ clock, heartbeatMs: DAY_MS });
    running.push(c);
    await post(c.url, candorReport());
    const first = await send(c.url, { method: 'GET', path: '/api/summary' });
    const etag = first.headers.etag!;
    expect(etag).toMatch(/^"[\w-]+"$/);
    const again = await send(c.url, { method: 'GET', path: '/api/summary', headers: { 'if-none-match': etag } });
    expect(again.status).toBe(304);
    await post(c.url, candorReport());
    const changed = await send(c.url, { method: 'GET', path: '/api/summary', headers: { 'if-none-match': etag } });
    expect(changed.status).toBe(200);
    expect(parseJson<SummaryBody>(changed.body).days[0]!.instances).toBe(2);
    expect(changed.headers.etag).not.toBe(etag);
  });
});
