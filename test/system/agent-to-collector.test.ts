// The two ends of the product together: a real agent reading a Navidrome-compatible server sends to a
// running collector, and the instance shows up in the public summary.
import path from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../../core/agent';
import { createAxiosHttpClient } from '../../core/net/axios-http-client';
import { silentLogger, systemClock, systemRandom } from '../../core/platform';
import { fixedConfig } from '../../core/settings/config-source';
import { startCollector, type DaySummary, type StartedCollector } from '../../collector';
import type { Payload } from '../../shared/schema/payload';
import { tempHome } from '../support/agent-harness';
import { post } from '../collector/support/harness';
import { navidromeDocker } from '../collector/support/navidrome';
import { parseJson } from '../support/json';
import { startNavidromeTestServer, type NavidromeTestServer } from '../support/navidrome';

let navidrome: NavidromeTestServer;
let collector: StartedCollector;
beforeAll(async () => {
  navidrome = await startNavidromeTestServer();
  collector = await startCollector();
});
afterAll(async () => {
  await navidrome.close();
  await collector.close();
});

/** A real agent in `home`, reading the test server and sending to the running collector (or `to`). */
function realAgent(home: string, to: StartedCollector = collector): Promise<Agent> {
  return Agent.create({
    home,
    shell: 'headless',
    env: {},
    config: fixedConfig({
      path: null,
      unreadable: false,
      server: { url: navidrome.url, username: 'canary-admin-alice', password: 'alice-canary-pass' },
      endpoint: `${to.url}/collect`,
      problems: [],
    }),
    clock: systemClock,
    random: systemRandom,
    logger: silentLogger,
    http: createAxiosHttpClient(),
  });
}

describe('agent to collector', () => {
  it('a report sent by Candor is accepted, stored and counted in the summary', async () => {
    const agent = await realAgent(tempHome());
    await agent.setConsent({ choice: 'share' });
    const outcome = await agent.sendNow();
    expect(outcome).toMatchObject({ ok: true });
    const res = await fetch(`${collector.url}/api/summary`);
    expect(res.status).toBe(200);
    const summary = (await res.json()) as { retentionDays: number; days: DaySummary[] };
    expect(summary.retentionDays).toBe(30);
    const today = summary.days.at(-1)!;
    expect(today.instances).toBe(1);
    expect(today.library.tracks?.reported).toBe(1);
    // A second report the same day replaces the first: still one instance.
    expect((await agent.sendNow()).ok).toBe(true);
    const again = (await (await fetch(`${collector.url}/api/summary`)).json()) as { days: DaySummary[] };
    expect(again.days.at(-1)!.instances).toBe(1);
    await agent.stop();
  });

  it("the agent's plain NavidromeUI and Navidrome's per-browser names are one published player", async () => {
    const shared = await startCollector({ trustProxy: ['127.0.0.1'] });
    try {
      const agent = await realAgent(tempHome(), shared);
      await agent.setConsent({ choice: 'share' });
      expect((await agent.sendNow()).ok).toBe(true);
      const sent = parseJson<Payload>((await agent.getPreview()).text);
      // The agent names the web player by its client alone: no browser, no OS.
      expect(Object.keys(sent.library?.activePlayers ?? {})).toContain('NavidromeUI');
      expect(JSON.stringify(sent)).not.toContain('Firefox');
      await agent.stop();
      // Four Navidrome servers on other networks, each with its own browser in the name.
      for (const [i, browser] of ['Firefox/Linux', 'Chrome/Windows', 'Safari/macOS', 'Edge/Windows'].entries()) {
        const report = navidromeDocker();
        (report.library as Record<string, unknown>).activePlayers = { [`NavidromeUI [${browser}]`]: 1 };
        expect((await post(shared.url, report, { 'x-forwarded-for': `192.0.2${i}.1` })).status).toBe(200);
      }
      const today = ((await (await fetch(`${shared.url}/api/summary`)).json()) as { days: DaySummary[] }).days.at(-1)!;
      expect(today.players.values.find((v) => v.value === 'NavidromeUI')).toEqual({ value: 'NavidromeUI', instances: 5 });
      expect(today.players.values.map((v) => v.value)).toEqual(['NavidromeUI', 'Other']);
    } finally {
      await shared.close();
    }
  });

  it('"delete my data" removes this machine’s reports, under every id it had, and no one else can', async () => {
    const mine = await realAgent(tempHome());
    await mine.setConsent({ choice: 'share' });
    expect((await mine.sendNow()).ok).toBe(true);
    const firstId = (await mine.getStatus()).instanceId!;
    const sent = parseJson<Payload>((await mine.getPreview()).text);
    expect(sent.candor?.deletionKeyHash).toMatch(/^[0-9a-f]{64}$/);
    // A new id, a second report: both are this machine's.
    await mine.resetInstanceId();
    expect((await mine.sendNow()).ok).toBe(true);
    const ids = [firstId, (await mine.getStatus()).instanceId!];
    // What the collector really holds, read from its own database file.
    const stored = (id: string) => {
      const db = new Database(path.join(collector.dataDir!, 'collector.sqlite'), { readonly: true });
      try {
        return (db.prepare('SELECT count(*) AS n FROM reports WHERE instance_id = ?').get(id) as { n: number }).n;
      } finally {
        db.close();
      }
    };
    expect(ids.map(stored)).toEqual([1, 1]);

    // Someone who learned the id but not the secret cannot delete it.
    const stranger = await fetch(`${collector.url}/collect/${ids[0]}`, { method: 'DELETE', headers: { 'x-candor-deletion-key': 'ab'.repeat(32) } });
    expect(stranger.status).toBe(403);

    const outcome = await mine.deleteRemoteData();
    expect(outcome).toMatchObject({ ok: true, ids: 2 });
    expect(outcome.message).toMatch(/holds nothing of this machine/);
    // Asked again, the collector has nothing left of either id.
    expect(ids.map(stored)).toEqual([0, 0]);
    await mine.stop();
  });
});
