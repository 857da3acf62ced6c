// The two ends of the product together: a real agent reading a Navidrome-compatible server sends to a
// running collector, and the instance shows up in the public summary.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Agent } from '../electron/core/agent';
import { createAxiosHttpClient } from '../electron/core/http';
import { silentLogger, systemClock, systemRandom } from '../electron/core/platform';
import { startCollector, type DaySummary, type StartedCollector } from '../collector';
import { tempHome } from './support/agent-harness';
import { startNavidromeTestServer, type NavidromeTestServer } from './support/navidrome';

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

describe('agent to collector', () => {
  it('a report sent by Candor is accepted, stored and counted in the summary', async () => {
    const agent = await Agent.create({
      home: tempHome(),
      shell: 'headless',
      env: {},
      config: { path: null, unreadable: false, server: { url: navidrome.url, username: 'canary-admin-alice', password: 'alice-canary-pass' }, endpoint: `${collector.url}/collect`, problems: [] },
      clock: systemClock,
      random: systemRandom,
      logger: silentLogger,
      http: createAxiosHttpClient(),
    });
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
});
