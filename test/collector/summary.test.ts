/**
 * Summaries: what a day's reports turn into. Pure aggregation tested directly (determinism,
 * k-anonymity, denominators, bins); the incremental recomputation and the incomplete-day flags
 * through the running service with an injected clock.
 */
import fc from 'fast-check';
import { afterEach, describe, expect, it } from 'vitest';
import type { Payload } from '../../electron/core/schema/payload';
import { FEATURE_FLAGS, summarizeDay } from '../../collector/summary/aggregate';
import { K_ANONYMITY, OTHER } from '../../collector/summary/allowlists';
import type { DaySummary } from '../../collector/summary/types';
import { DAY_MS, utcDay } from '../../collector/retention';
import { FakeClock } from '../support/fake-clock';
import { candorReport, post, send, testCollector } from './support/harness';
import { navidromeDebianMinimal, navidromeDocker } from './support/navidrome';

const ctx = { day: utcDay(Date.UTC(2026, 4, 1)), final: true, incomplete: [] };
const report = (overrides: Record<string, unknown> = {}) => candorReport(overrides) as Payload;

describe('daily aggregation', () => {
  it('is deterministic: any order of the same reports gives the same bytes', () => {
    const reports = [
      ...Array.from({ length: 7 }, () => report()),
      ...Array.from({ length: 5 }, () => navidromeDocker() as Payload),
      navidromeDebianMinimal() as Payload,
      report({ version: '0.59.0-SNAPSHOT (ffff)', os: { type: 'darwin', arch: 'arm64', numCPU: 8 } }),
    ];
    const expected = JSON.stringify(summarizeDay(reports, ctx));
    fc.assert(
      fc.property(fc.shuffledSubarray(reports, { minLength: reports.length, maxLength: reports.length }), (shuffled) => {
        expect(JSON.stringify(summarizeDay(shuffled, ctx))).toBe(expected);
      }),
      { numRuns: 50 },
    );
  });

  it(`shows a client string only when ${K_ANONYMITY} instances report it or it is allowlisted; the rest is "${OTHER}"`, () => {
    const reports = [
      ...Array.from({ length: K_ANONYMITY }, () => report({ version: '0.58.0', os: { type: 'linux', distro: 'debian', containerized: false, arch: 'amd64' } })),
      ...Array.from({ length: K_ANONYMITY - 1 }, () => report({ version: '0.57.1', os: { type: 'linux', distro: 'mylittledistro', containerized: false, arch: 'amd64' } })),
      report({ version: '9.9.9-alice', os: { type: 'linux', distro: 'nixos', containerized: false, arch: 'riscv64' }, fs: { music: { type: 'weirdfs' } } }),
    ];
    const s = summarizeDay(reports, ctx);
    expect(s.versions.values).toEqual([
      { value: '0.58.0', count: 5 },
      { value: OTHER, count: 5 },
    ]);
    // nixos is on the distro allowlist even with one instance; the unknown distro is not.
    expect(s.distros.values).toEqual([
      { value: 'debian', count: 5 },
      { value: 'nixos', count: 1 },
      { value: OTHER, count: 4 },
    ]);
    // Schema enums are allowlisted by the schema itself.
    expect(s.arch.values).toContainEqual({ value: 'riscv64', count: 1 });
    expect(s.fs.music!.values).toContainEqual({ value: OTHER, count: 1 });
    expect(JSON.stringify(s)).not.toContain('alice');
    expect(JSON.stringify(s)).not.toContain('weirdfs');
  });

  it('gives "N of M reported" denominators that respect how each agent omits fields', () => {
    const nd = navidromeDebianMinimal() as Payload; // config present, every flag false (omitted)
    const candorUnknown = report({ config: { enableLastFM: true } }); // only one flag known
    const noConfig = report({ config: undefined });
    const s = summarizeDay([nd, candorUnknown, noConfig], ctx);
    const flag = (name: string) => s.features.find((f) => f.flag === name);
    expect(flag('enableLastFM')).toEqual({ flag: 'enableLastFM', enabled: 1, reported: 2 });
    expect(flag('enableJukebox')).toEqual({ flag: 'enableJukebox', enabled: 0, reported: 1 });
    expect(s.features.map((f) => f.flag)).toEqual(FEATURE_FLAGS);
    expect(s.containerized).toEqual({ reported: 3, values: [{ value: 'no', count: 3 }] });
  });

  it('bins library sizes with Navidrome-compatible edges and publishes percentiles only from K instances up', () => {
    const sizes = [0, 1, 99, 100, 4_999, 1_000_000, 2_000_000];
    const s = summarizeDay(
      sizes.map((tracks) => report({ library: { tracks } })),
      ctx,
    );
    const bins = Object.fromEntries(s.library.tracks!.bins.map((b) => [b.label, b.count]));
    expect(bins).toEqual({ '0': 1, '1–100': 2, '100–500': 1, '500–1k': 0, '1k–5k': 1, '5k–10k': 0, '10k–20k': 0, '20k–50k': 0, '50k–100k': 0, '100k–500k': 0, '500k–1M': 0, '1M+': 2 });
    expect(s.library.tracks!.percentiles).toEqual({ p25: 1, p50: 100, p75: 1_000_000, p90: 2_000_000, p99: 2_000_000 });
    const few = summarizeDay([report(), report()], ctx);
    expect(few.library.tracks!.reported).toBe(2);
    expect(few.library.tracks).not.toHaveProperty('percentiles');
    expect(few.library.tracks).not.toHaveProperty('mean');
  });

  it('counts players and file formats by instances and totals', () => {
    const s = summarizeDay(
      [
        report({ library: { activePlayers: { Symfonium: 2, DSub: 1 }, fileSuffixes: { flac: 10 } } }),
        report({ library: { activePlayers: { Symfonium: 1 }, fileSuffixes: { flac: 5, mp3: 1 } } }),
        report({ library: {} }),
      ],
      ctx,
    );
    expect(s.players).toEqual({ reported: 2, values: [{ value: 'Symfonium', instances: 2, total: 3 }, { value: 'DSub', instances: 1, total: 1 }] });
    expect(s.fileSuffixes.values).toEqual([{ value: 'flac', instances: 2, total: 15 }, { value: 'mp3', instances: 1, total: 1 }]);
  });
});

describe('summaries in the running service', () => {
  const running: { close(): Promise<void> }[] = [];
  afterEach(async () => {
    for (const c of running.splice(0)) await c.close();
  });
  const days = async (url: string): Promise<DaySummary[]> => JSON.parse((await send(url, { method: 'GET', path: '/api/summary' })).body).days;

  it('flags incomplete days (in progress, collector down, a sudden drop) instead of dropping them', async () => {
    const clock = new FakeClock(Date.UTC(2026, 4, 1, 6)); // started at 06:00: the first six hours were missed
    const c = await testCollector({ clock, heartbeatMs: 30 * 60_000 });
    running.push(c);
    clock.afterTimer = () => c.collector.idle();
    for (let i = 0; i < 10; i++) await post(c.url, candorReport());
    let [first] = await days(c.url);
    expect(first).toMatchObject({ final: false, complete: false, incomplete: ['in-progress', 'collector-down'] });

    await clock.advance(DAY_MS); // 06:00 next day, up the whole time
    for (let i = 0; i < 10; i++) await post(c.url, candorReport());
    await clock.advance(DAY_MS);
    for (let i = 0; i < 4; i++) await post(c.url, candorReport());
    await clock.advance(DAY_MS);
    const all = await days(c.url);
    [first] = all;
    expect(first).toMatchObject({ final: true, incomplete: ['collector-down'], collectorDownMinutes: 360, instances: 10 });
    expect(all[1]).toMatchObject({ final: true, complete: true, incomplete: [], instances: 10 });
    expect(all[2]).toMatchObject({ final: true, complete: false, incomplete: ['drop'], instances: 4 });
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
    expect(JSON.parse(changed.body).days[0].instances).toBe(2);
    expect(changed.headers.etag).not.toBe(etag);
  });
});
