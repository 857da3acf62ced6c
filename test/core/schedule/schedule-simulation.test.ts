import { describe, expect, it } from 'vitest';
import { HttpFailure, type HttpClient, type HttpRequest, type HttpResponse } from '../../../core/net/http-client';
import { DAY_MS, DEFAULT_SCHEDULE } from '../../../core/schedule/schedule';
import { FakeClock } from '../../support/fake-clock';
import { makeAgent, memoryHome, seededRandom } from '../../support/agent-harness';

const HOUR = 3600_000;
const MINUTE = 60_000;

/** An endpoint that fails on demand and records the real time of every request it sees. */
function flakyEndpoint(clock: FakeClock, random: () => number, failureRate: number) {
  const attempts: number[] = [];
  const successes: number[] = [];
  const http: HttpClient = {
    request(req: HttpRequest): Promise<HttpResponse> {
      attempts.push(clock.real);
      const roll = random();
      if (roll < failureRate * 0.4) return Promise.reject(new HttpFailure('timeout'));
      if (roll < failureRate * 0.7) return Promise.resolve({ status: 503, headers: {}, body: '' });
      if (roll < failureRate) return Promise.resolve({ status: 429, headers: { 'retry-after': '7200' }, body: '' });
      expect(req.method).toBe('POST');
      successes.push(clock.real);
      return Promise.resolve({ status: 204, headers: {}, body: '' });
    },
  };
  return { http, attempts, successes };
}

describe('the daily schedule over 60 simulated days', () => {
  for (const seed of [1, 2, 3]) {
    it(`sends at most once per real 24 h and about once a day, with restarts, sleep, clock jumps and failures (seed ${seed})`, async () => {
      const rng = seededRandom(seed * 7919);
      const clock = new FakeClock();
      const home = memoryHome();
      const endpoint = flakyEndpoint(clock, () => rng.next(), 0.2);
      const starts: number[] = [];
      const boot = async () => {
        const { agent } = await makeAgent({ clock, home, http: endpoint.http, random: seededRandom(seed * 31 + starts.length) });
        await agent.setConsent({ choice: 'share' });
        clock.afterTimer = () => agent.idle();
        starts.push(clock.real);
        await agent.start();
        return agent;
      };
      let agent = await boot();
      const end = clock.real + 60 * DAY_MS;
      while (clock.real < end) {
        await clock.advance(Math.floor(rng.next() * 10 * HOUR));
        const event = rng.next();
        if (event < 0.1) {
          await agent.stop();
          clock.dropTimers();
          agent = await boot();
        } else if (event < 0.15) {
          await agent.stop();
          clock.reboot(Math.floor(rng.next() * 12 * HOUR));
          agent = await boot();
        } else if (event < 0.25) {
          clock.sleep(Math.floor(rng.next() * 30 * HOUR));
          agent.onResume();
        } else if (event < 0.3) {
          clock.jumpWall((rng.next() < 0.5 ? -1 : 1) * Math.floor(rng.next() * 3 * DAY_MS));
        }
      }
      await agent.stop();

      const gaps = endpoint.successes.slice(1).map((t, i) => t - endpoint.successes[i]!);
      // Never twice within a real day, whatever the wall clock said.
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(DAY_MS);
      // And still about daily: failures, sleeps and restarts cost hours, not days.
      expect(endpoint.successes.length).toBeGreaterThanOrEqual(45);
      expect(endpoint.successes.length).toBeLessThanOrEqual(60);
      // No bursts: never two attempts within the smallest backoff, never an attempt right at start-up.
      const attemptGaps = endpoint.attempts.slice(1).map((t, i) => t - endpoint.attempts[i]!);
      for (const gap of attemptGaps) expect(gap).toBeGreaterThanOrEqual(DEFAULT_SCHEDULE.backoffBaseMs / 2);
      for (const start of starts) {
        for (const at of endpoint.attempts) expect(at < start || at >= start + DEFAULT_SCHEDULE.startupDelayMs).toBe(true);
      }
    }, 120_000);
  }

  it('does not send a catch-up burst after a week of downtime', async () => {
    const clock = new FakeClock();
    const home = memoryHome();
    const endpoint = flakyEndpoint(clock, () => 1, 0);
    let { agent } = await makeAgent({ clock, home, http: endpoint.http });
    await agent.setConsent({ choice: 'share' });
    clock.afterTimer = () => agent.idle();
    await agent.start();
    await clock.advance(2 * HOUR);
    expect(endpoint.successes).toHaveLength(1);
    await agent.stop();
    clock.reboot(7 * DAY_MS);
    ({ agent } = await makeAgent({ clock, home, http: endpoint.http }));
    clock.afterTimer = () => agent.idle();
    await agent.start();
    await clock.advance(DAY_MS - 2 * HOUR);
    expect(endpoint.successes).toHaveLength(2);
    await agent.stop();
  });

  it('honours Retry-After on 429 and backs off exponentially, capped', async () => {
    const clock = new FakeClock();
    const attempts: number[] = [];
    const http: HttpClient = {
      request(): Promise<HttpResponse> {
        attempts.push(clock.real);
        return Promise.resolve<HttpResponse>(
          attempts.length === 1 ? { status: 429, headers: { 'retry-after': String(5 * 3600) }, body: '' } : { status: 500, headers: {}, body: '' },
        );
      },
    };
    const { agent } = await makeAgent({ clock, http, home: memoryHome() });
    await agent.setConsent({ choice: 'share' });
    clock.afterTimer = () => agent.idle();
    await agent.start();
    await clock.advance(3 * DAY_MS);
    await agent.stop();
    expect(attempts[1]! - attempts[0]!).toBeGreaterThanOrEqual(5 * HOUR);
    const later = attempts.slice(2).map((t, i) => t - attempts[i + 1]!);
    for (const gap of later) expect(gap).toBeLessThanOrEqual(DEFAULT_SCHEDULE.backoffCapMs + MINUTE);
    // Grows: the second retry waits longer than the first (equal jitter keeps at least half).
    expect(later.at(-1)!).toBeGreaterThan(later[0]!);
  });

  it('cancels the pending report at once when sharing is turned off', async () => {
    const clock = new FakeClock();
    const endpoint = flakyEndpoint(clock, () => 1, 0);
    const { agent } = await makeAgent({ clock, http: endpoint.http, home: memoryHome() });
    await agent.setConsent({ choice: 'share' });
    clock.afterTimer = () => agent.idle();
    await agent.start();
    await clock.advance(MINUTE);
    await agent.setConsent({ choice: 'decline' });
    await clock.advance(10 * DAY_MS);
    expect(endpoint.attempts).toHaveLength(0);
    expect((await agent.getStatus()).schedule.nextDueAt).toBeNull();
    await agent.stop();
  });
});

describe('attempts whose answer never comes', () => {
  it('count as possible deliveries: retried after the usual backoff, never more than 3 in a real day', async () => {
    const clock = new FakeClock();
    const attempts: number[] = [];
    const http: HttpClient = {
      request(): Promise<HttpResponse> {
        attempts.push(clock.real);
        return Promise.reject(new HttpFailure('timeout'));
      },
    };
    const { agent } = await makeAgent({ clock, http, home: memoryHome() });
    await agent.setConsent({ choice: 'share' });
    clock.afterTimer = () => agent.idle();
    await agent.start();
    await clock.advance(4 * DAY_MS);
    await agent.stop();
    expect(attempts.length).toBeGreaterThanOrEqual(6);
    for (const [i, at] of attempts.entries()) {
      expect(attempts.filter((t) => t > at - DAY_MS && t <= at).length, `attempt ${i}`).toBeLessThanOrEqual(3);
      if (i > 0) expect(at - attempts[i - 1]!).toBeGreaterThanOrEqual(DEFAULT_SCHEDULE.backoffBaseMs / 2);
    }
    const { entries } = await agent.listHistory({ offset: 0, limit: 100 });
    expect(entries.every((e) => e.outcome === 'no-answer' && /collector may have received it/.test(e.message))).toBe(true);
  });
});
