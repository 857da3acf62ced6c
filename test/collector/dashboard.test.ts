/**
 * GET /: a server-rendered page of inline SVG charts under a strict CSP, with no script and no
 * external request, labelled for screen readers, escaping whatever it draws.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StartedCollector } from '../../collector/index';
import { renderDashboard } from '../../collector/dashboard/page';
import { summarizeDay } from '../../collector/summary/aggregate';
import type { Payload } from '../../electron/core/schema/payload';
import { DAY_MS, utcDay } from '../../collector/retention';
import { FakeClock } from '../support/fake-clock';
import { candorReport, post, send, testCollector } from './support/harness';
import { navidromeDocker, navidromeMac } from './support/navidrome';

let c: StartedCollector;
let page: { status: number; headers: Record<string, unknown>; body: string };
beforeAll(async () => {
  const clock = new FakeClock(Date.UTC(2026, 4, 1, 0, 1));
  c = await testCollector({ clock, heartbeatMs: 6 * 3600_000 });
  clock.afterTimer = () => c.collector.idle();
  for (let day = 0; day < 3; day++) {
    for (let i = 0; i < 6; i++) await post(c.url, navidromeDocker());
    for (let i = 0; i < 5 + day; i++) await post(c.url, candorReport({ version: day === 2 ? '0.59.0' : '0.58.0' }));
    await post(c.url, navidromeMac());
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
    for (const name of ['Server versions over time', 'Operating system and architecture', 'Filesystem of the music folder', 'Tracks per library', 'Servers with each feature enabled', 'Reporting servers per UTC day']) {
      expect(page.body).toContain(`<figcaption>${name}</figcaption>`);
      expect(page.body).toContain(`<summary>Data table: ${name}</summary>`);
    }
    expect(page.body).toContain('enableLastFM');
    // Shares of each flag's own denominator: Navidrome answers every flag, Candor only those it read.
    expect(page.body).toContain('enableLastFM: 93% (13 of 14 reported)');
    expect(page.body).toContain('enableJukebox: 0% (0 of 7 reported)');
    expect(page.body).toContain('0.59.0');
  });

  it('is readable in light and dark: both palettes are defined and text uses them', () => {
    expect(page.body).toContain('color-scheme: light dark');
    expect(page.body).toMatch(/@media \(prefers-color-scheme: dark\) \{\s*:root \{ --fg: #e6edf3;/);
    expect(page.body).toContain('svg text { fill: var(--fg)');
  });

  it('states the retention and the grouping rule in words', () => {
    expect(page.body).toContain('Raw reports are deleted after 30 days');
    expect(page.body).toContain('fewer than 5 servers is shown as “Other”');
  });

  it('escapes every drawn string, and says so when there is nothing to draw', () => {
    const hostile = summarizeDay(Array.from({ length: 6 }, () => candorReport({ version: '<script>x</script>' }) as Payload), { day: utcDay(Date.UTC(2026, 0, 1)), final: true, incomplete: [] });
    const html = renderDashboard([hostile], { retentionDays: 30 });
    expect(html).not.toContain('<script>');
    expect(html).toContain('&lt;script&gt;');
    expect(renderDashboard([], { retentionDays: 30 })).toContain('No reports yet.');
  });
});
