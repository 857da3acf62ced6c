/**
 * GET /: a server-rendered page of inline SVG charts under a strict CSP, with no script and no
 * external request, labelled for screen readers, escaping whatever it draws.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedCollector } from '../../../collector/index';
import { renderDashboard } from '../../../collector/dashboard/page';
import { summarizeDay } from '../../../collector/summary/aggregate';
import { DAY_MS, utcDay } from '../../../collector/retention';
import { FakeClock } from '../../support/fake-clock';
import { candorReport, post, send, testCollector } from '../support/harness';
import { navidromeDocker, navidromeMac } from '../support/navidrome';

let c: StartedCollector;
let page: { status: number; headers: Record<string, unknown>; body: string };
beforeAll(async () => {
  const clock = new FakeClock(Date.UTC(2026, 4, 1, 0, 1));
  c = await testCollector({ clock, heartbeatMs: 6 * 3600_000, trustProxy: ['127.0.0.1'] });
  clock.afterTimer = () => c.collector.idle();
  // Every server from its own network: counts are published from five networks up.
  let network = 0;
  const from = (report: unknown) => post(c.url, report, { 'x-forwarded-for': `10.${network >> 8}.${network++ & 255}.1` });
  for (let day = 0; day < 3; day++) {
    for (let i = 0; i < 6; i++) await from(navidromeDocker());
    for (let i = 0; i < 5 + day; i++) await from(candorReport({ version: day === 2 ? '0.59.0' : '0.58.0' }));
    for (let i = 0; i < 5; i++) await from(navidromeMac());
    // "Basic" sharing: no library, no config, no filesystems. Counted as servers, nowhere else.
    await from(candorReport({ library: undefined, config: undefined, fs: undefined }));
    await clock.advance(DAY_MS);
  }
  page = await send(c.url, { method: 'GET', path: '/' });
});
afterAll(() => c.close());

describe('dashboard', () => {
  it('is HTML under a CSP that allows exactly its own stylesheet and nothing else', () => {
    expect(page.status).toBe(200);
    expect(page.headers['content-type']).toBe('text/html; charset=utf-8');
    const csp = String(page.headers['content-security-policy']);
    const style = /<style>([\s\S]*?)<\/style>/.exec(page.body)![1]!;
    const hash = createHash('sha256').update(style).digest('base64');
    expect(csp).toBe(`default-src 'none'; style-src 'sha256-${hash}'; img-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'`);
    expect(page.body.match(/<style>/g)).toHaveLength(1);
  });

  it('makes no external request and runs no script', () => {
    expect(page.body).not.toMatch(/<script|<link|<img|<iframe|@import|url\(/i);
    expect(page.body).not.toMatch(/\s(?:src|srcset)=/i);
    expect(page.body).not.toMatch(/\sstyle=/i); // inline style attributes would be blocked by the CSP
    expect(page.body).not.toMatch(/\son[a-z]+=/i);
    const hrefs = [...page.body.matchAll(/href="([^"]*)"/g)].map((m) => m[1]);
    expect(hrefs.every((h) => h!.startsWith('/'))).toBe(true);
  });

  it('draws the promised charts, each labelled for assistive technology with a data table beside it', () => {
    const svgs = [...page.body.matchAll(/<svg [^>]*role="img" aria-labelledby="(\w+) (\w+)"[^>]*>/g)];
    expect(svgs.length).toBeGreaterThanOrEqual(6);
    for (const [, title, desc] of svgs) {
      expect(page.body).toMatch(new RegExp(`<title id="${title}">[^<]+</title><desc id="${desc}">[^<]+</desc>`));
    }
    for (const name of [
      'Server versions over time',
      'Operating system and architecture',
      'Filesystem of the music folder',
      'Tracks per library',
      'Servers with each feature enabled',
      'Reporting servers per UTC day',
      'Processor cores',
      'Server uptime',
      'Player apps in use',
    ]) {
      expect(page.body).toContain(`<figcaption>${name}</figcaption>`);
      expect(page.body).toContain(`<summary>Data table: ${name}</summary>`);
    }
    expect(page.body).toContain('enableLastFM');
    // Shares of each flag's own denominator: Navidrome answers every flag, Candor only those it read.
    expect(page.body).toContain('enableLastFM: 72% (13 of 18 reported)');
    expect(page.body).toContain('enableJukebox: 0% (0 of 11 reported)');
    expect(page.body).toContain('0.59.0');
  });

  it('says how many reports each chart stands on, so a category left out is never read as zero', () => {
    // 19 servers on the last day; the one sharing "basic" carried no library and no filesystems, and
    // Navidrome on macOS could not read its music folder's type.
    expect(page.body).toMatch(/Filesystem type of the music folder on 2026-05-03; 13 of 19 reports carried this\./);
    expect(page.body).toMatch(/How many servers fall in each library-size range on 2026-05-03; 18 of 19 reports carried this/);
    expect(page.body).toMatch(/Servers by OS and processor architecture on 2026-05-03; 19 of 19 reports carried this\./);
    // Only Navidrome's Docker servers listed players (Symfonium and DSub, six networks each).
    expect(page.body).toMatch(/Servers where each app played in the 7 days before their report on 2026-05-03; 6 of 19 reports carried this\./);
    expect(page.body).toContain('Symfonium: 6 (100%)');
  });

  it('draws withheld bins empty and says why, with no exact number anywhere', () => {
    expect(page.body).toContain(`withheld (fewer than 5 networks)`);
    expect(page.body).not.toMatch(/percentile|Median/);
  });

  it('is readable in light and dark: both palettes are defined and text uses them', () => {
    expect(page.body).toContain('color-scheme: light dark');
    expect(page.body).toMatch(/@media \(prefers-color-scheme: dark\) \{\s*:root \{ --fg: #e6edf3;/);
    expect(page.body).toContain('svg text { fill: var(--fg)');
  });

  it('states the retention and the grouping rule in words', () => {
    expect(page.body).toContain('Raw reports are deleted after 30 days');
    expect(page.body).toContain('reported from fewer than 5 networks is withheld');
  });

  it('escapes every drawn string, and says so when there is nothing to draw', () => {
    const hostile = summarizeDay(
      Array.from({ length: 6 }, (_, i) => ({ report: candorReport({ version: '<script>x</script>' }), source: `net-${i}` })),
      { day: utcDay(Date.UTC(2026, 0, 1)), final: true, incomplete: [] },
    );
    const html = renderDashboard([hostile], { retentionDays: 30 });
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    expect(renderDashboard([], { retentionDays: 30 })).toContain('No reports yet.');
  });
});
