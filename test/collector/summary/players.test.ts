/**
 * Player names as the insights server groups them: one table (collector/summary/players.ts) maps
 * the client names servers report to the apps that are published; raw client text never is. The
 * agent's plain "NavidromeUI" and Navidrome's "NavidromeUI [<browser>/<OS>]" are one app.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { summarizeDay } from '../../../collector/summary/aggregate';
import { PLAYER_RULES, publishedPlayer, publishedPlayers } from '../../../collector/summary/players';
import { utcDay } from '../../../collector/retention';
import { candorReport, collectorsPerTest, getSummary, post, send } from '../support/harness';
import { navidromeDocker } from '../support/navidrome';

const { start } = collectorsPerTest({ trustProxy: ['127.0.0.1'] });

describe('the player table', () => {
  // The insights server's own cases (navidrome/insights summary_test.go), plus the ones it leaves raw.
  it.each([
    ['NavidromeUI [Firefox/Linux]', 'NavidromeUI'],
    ['NavidromeUI', 'NavidromeUI'],
    ['NavidromeUI_1.0', 'NavidromeUI'],
    ['Feishin', 'Feishin'],
    ['feishin_', null],
    ['playSub_iPhone11', 'play:Sub'],
    ['playSub', 'play:Sub'],
    ['eu.callcc.audrey', 'audrey'],
    ['DSubCC', null],
    ['DSub', 'DSub'],
    ['bonob', 'bonob'],
    ['bonob+ogg', null],
    ['http://airsonic.netlify.app', 'Airsonic Refix'],
    ['https://airsonic.github.io/', 'Airsonic Refix'],
    ['_hiby_', 'HiBy'],
    ['HiBy Music', 'HiBy'],
    ['microSub', 'AVSub'],
    ['Stream Music', 'Musiver'],
    ['AudioMuse-AI/v0.8.9', 'AudioMuse-AI'],
    ['psysonic/1.46.0', 'psysonic'],
    ['archiver', null],
    ['supersonic-desktop', 'Supersonic'],
    ['Symfonium', 'Symfonium'],
    ['symfonium', 'Symfonium'],
    ['DSub2000', 'DSub2000'],
    ['substreamer', 'Substreamer'],
    ['Sublime Music', 'Sublime Music'],
    ['Tempo/3.9.0', 'Tempo'],
    // What the insights server would publish as sent, never published here.
    ['ranchmusicarchiver', 'Other'],
    ['ArchiveTune', 'Other'],
    ['Zoidberg Phone', 'Other'],
    ['SymfoniumX', 'Other'],
    ['https://music.example.org/', 'Other'],
    ['Other', 'Other'],
  ])('%s -> %s', (client, published) => {
    expect(publishedPlayer(client)).toBe(published);
  });

  it('maps every name it publishes to itself, so a name stored or summarized earlier stays put', () => {
    for (const rule of PLAYER_RULES) if (rule.publish !== null) expect(publishedPlayer(rule.publish), rule.publish).toBe(rule.publish);
  });

  it("counts each app once per report, whatever the number of its browsers or builds, and leaves out what it doesn't count", () => {
    expect(publishedPlayers({ 'NavidromeUI [Firefox/Linux]': 2, 'NavidromeUI [Chrome/Windows]': 1, DSubCC: 4, Symfonium: 1, 'my phone': 1 })).toEqual({
      NavidromeUI: 3,
      Symfonium: 1,
      Other: 1,
    });
    expect(publishedPlayers(undefined)).toBeUndefined();
  });

  it('is the table docs/collector.md shows, rule for rule', () => {
    const doc = readFileSync(path.resolve(import.meta.dirname, '../../../docs/collector.md'), 'utf8');
    const section = doc.slice(doc.indexOf('<!-- player table -->'), doc.indexOf('<!-- /player table -->'));
    const rows = section.split('\n').filter((l) => l.startsWith('| `'));
    expect(rows).toEqual(
      PLAYER_RULES.map((r) => `| \`${r.match.source}\`${r.match.flags ? ` (${r.match.flags})` : ''} | ${r.publish ?? '(not counted)'} | ${r.why} |`),
    );
  });
});

describe('players in the summaries', () => {
  const FIVE_BROWSERS = [
    'NavidromeUI [Firefox/Linux]',
    'NavidromeUI [Chrome/Windows]',
    'NavidromeUI [Safari/macOS]',
    'NavidromeUI [Edge/Windows]',
    'NavidromeUI [Firefox/Android]',
  ];

  it('groups five different NavidromeUI [...] keys from five networks into one published player with 5 instances', async () => {
    const c = await start();
    for (const [i, client] of FIVE_BROWSERS.entries()) {
      const report = navidromeDocker();
      (report.library as Record<string, unknown>).activePlayers = { [client]: 1 };
      expect((await post(c.url, report, { 'x-forwarded-for': `203.0.${i}.9` })).status).toBe(200);
    }
    const summary = await send(c.url, { method: 'GET', path: '/api/summary' });
    const day = (await getSummary(c.url)).days[0]!;
    expect(day.players).toEqual({ reported: 5, values: [{ value: 'NavidromeUI', instances: 5 }] });
    const dashboard = (await send(c.url, { method: 'GET', path: '/' })).body;
    for (const client of FIVE_BROWSERS) {
      expect(summary.body).not.toContain(client);
      expect(dashboard).not.toContain(client.slice('NavidromeUI '.length));
    }
    expect(dashboard).toContain('NavidromeUI: 5 (100%)');
  });

  it("puts the agent's plain NavidromeUI and Navidrome's browser names in one bucket", async () => {
    const c = await start();
    let network = 0;
    const from = (report: Record<string, unknown>) => post(c.url, report, { 'x-forwarded-for': `203.0.${network++}.9` });
    for (const client of FIVE_BROWSERS.slice(0, 3)) {
      const report = navidromeDocker();
      (report.library as Record<string, unknown>).activePlayers = { [client]: 2, Symfonium: 1 };
      expect((await from(report)).status).toBe(200);
    }
    for (let i = 0; i < 2; i++) {
      const report = candorReport();
      (report.library as Record<string, unknown>).activePlayers = { NavidromeUI: 1 };
      expect((await from(report)).status).toBe(200);
    }
    const day = (await getSummary(c.url)).days[0]!;
    // Symfonium came from three networks only: withheld into Other.
    expect(day.players).toEqual({
      reported: 5,
      values: [
        { value: 'NavidromeUI', instances: 5 },
        { value: 'Other', instances: 3 },
      ],
    });
  });

  it('publishes no raw client string, however many networks report it', () => {
    const day = summarizeDay(
      Array.from({ length: 6 }, (_, i) => ({
        report: candorReport({ library: { activePlayers: { 'Zoidberg Phone': 1, 'https://airsonic.example.net/': 1, DSubCC: 1 } } }) as never,
        source: `net-${i}`,
      })),
      { day: utcDay(Date.UTC(2026, 0, 1)), final: true, incomplete: [] },
    );
    expect(day.players).toEqual({
      reported: 6,
      values: [
        { value: 'Airsonic Refix', instances: 6 },
        { value: 'Other', instances: 6 },
      ],
    });
  });
});
