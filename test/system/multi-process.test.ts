/**
 * Many processes, one truth: the desktop app, `candor run`, `candor serve` and every CLI command
 * are separate processes over one data folder. These tests run real child processes on one folder
 * (agents on a simulated timeline they all share, and the real `bin/candor.js`), with real OS locks,
 * real files and a real HTTP receiver.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentStatus, HistoryEntry } from '../../shared/api-contract';
import { DAY_MS } from '../../core/schedule/schedule';
import { memoryHome } from '../support/agent-harness';
import { candor } from '../support/cli';
import { freshState, type PersistedState } from '../../core/state/state-schema';
import { FleetMember, bundleForChild } from '../support/fleet';
import { parseJson, readHistoryFile, readJson } from '../support/json';
import { loopbackServer } from '../support/loopback';
import { seeded } from '../support/random';
import { applyMutation, type Mutation } from '../support/state-mutations';
import { stateStoreAt } from '../support/storage';
import { textMatching } from '../support/matchers';

const execFileAsync = promisify(execFile);

const HOUR = 3600_000;
const T0 = Date.UTC(2026, 0, 1, 12);

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(cleanup.map((c) => c().catch(() => undefined)));
  cleanup = [];
});

async function receiver() {
  const server = await loopbackServer((_req, res) => res.writeHead(204).end());
  cleanup.push(server.close);
  return server;
}

/** A fleet of agents on one folder and one timeline, advanced together in steps. */
async function fleet(size: number, options: { seed: number; watchFiles?: boolean; folderPollMs?: number }) {
  const home = memoryHome('candor-fleet-');
  const collector = await receiver();
  let now = T0;
  const members: FleetMember[] = [];
  let spawned = 0;
  const spawnMember = async (index: number) => {
    const member = await FleetMember.spawn({
      home,
      endpoint: `${collector.url}/collect`,
      // Every process its own randomness, as real ones have: ids must never repeat across processes.
      seed: options.seed * 1000 + spawned++,
      bootStart: T0 - HOUR,
      now,
      label: `agent ${index}`,
      watchFiles: options.watchFiles ?? true,
      ...(options.folderPollMs !== undefined ? { folderPollMs: options.folderPollMs } : {}),
    });
    cleanup.push(() => member.kill());
    await member.start();
    return member;
  };
  for (let i = 0; i < size; i++) members.push(await spawnMember(i));
  return {
    home,
    collector,
    members,
    get now() {
      return now;
    },
    /** Moves every agent's clock to the same instant; they run concurrently, racing for real. */
    async step(ms: number) {
      now += ms;
      await Promise.all(members.map((m) => m.advance(now)));
    },
    async replace(index: number, how: 'kill' | 'stop') {
      await (how === 'kill' ? members[index]!.kill() : members[index]!.stop());
      members[index] = await spawnMember(index);
    },
    async keeperIndex(): Promise<number> {
      const statuses = await Promise.all(members.map((m) => m.status()));
      return statuses.findIndex((s) => s.scheduler.role === 'keeper');
    },
    history(): HistoryEntry[] {
      return readHistoryFile(home);
    },
    state(): PersistedState {
      return readJson<PersistedState>(path.join(home, 'state.json'));
    },
    stopAll: () => Promise.all(members.map((m) => m.stop())),
  };
}

describe('one data folder, several agents', () => {
  for (const size of [2, 4]) {
    it(`${size} agents racing for 60 simulated days deliver exactly one report per real 24 h, with keepers killed and replaced`, async () => {
      const rng = seeded(size * 7);
      const f = await fleet(size, { seed: size });
      await f.members[0]!.consent('share');
      const kills: number[] = [];
      while (f.now < T0 + 60 * DAY_MS) {
        // Within a step every agent fires its own timers at their exact instants, concurrently with
        // the others; kills and replacements happen between steps.
        await f.step(3 * HOUR);
        if (rng() < 0.02) {
          const keeper = await f.keeperIndex();
          if (keeper >= 0) {
            kills.push(keeper);
            await f.replace(keeper, rng() < 0.5 ? 'kill' : 'stop');
          }
        }
      }
      await f.stopAll();

      // Exactly one keeper at any time was the design; the receiver shows what really happened.
      const sent = f.history().filter((e) => e.outcome === 'sent');
      expect(f.collector.received).toHaveLength(sent.length);
      expect(new Set(f.collector.received.map((r) => r.body))).toEqual(new Set(sent.map((e) => e.body)));
      const times = sent.map((e) => Date.parse(e.at)).sort((a, b) => a - b);
      const gaps = times.slice(1).map((t, i) => t - times[i]!);
      for (const gap of gaps) expect(gap).toBeGreaterThanOrEqual(DAY_MS);
      // About daily: the jitter (up to an hour a day) and the takeovers cost hours, not days.
      expect(sent.length).toBeGreaterThanOrEqual(54);
      expect(sent.length).toBeLessThanOrEqual(60);
      expect(kills.length).toBeGreaterThan(0);
    }, 120_000);
  }

  it('a keeper killed mid-schedule is replaced by a standby that sends nothing early', async () => {
    const f = await fleet(2, { seed: 11 });
    await f.members[0]!.consent('share');
    await f.step(2 * HOUR);
    expect(f.collector.received).toHaveLength(1);
    const keeper = await f.keeperIndex();
    const standby = 1 - keeper;
    expect((await f.members[standby]!.status()).scheduler).toMatchObject({
      role: 'standby',
      keptBy: { label: `agent ${keeper}`, pid: f.members[keeper]!.pid },
    });
    await f.members[keeper]!.kill();
    f.members.splice(keeper, 1);
    await f.step(HOUR);
    expect((await f.members[0]!.status()).scheduler.role).toBe('keeper');
    // The report of the first day was sent: nothing more until a real day has passed.
    await f.step(20 * HOUR);
    expect(f.collector.received).toHaveLength(1);
    await f.step(6 * HOUR);
    expect(f.collector.received).toHaveLength(2);
    await f.stopAll();
  });
});

describe('an opt-out from another process', () => {
  for (const watchFiles of [true, false]) {
    it(`\`candor consent no\` while agents keep the schedule: nothing is sent after it, and it survives their shutdown (file events ${watchFiles ? 'on' : 'off'})`, async () => {
      const f = await fleet(2, { seed: watchFiles ? 21 : 22, watchFiles });
      await f.members[0]!.consent('share');
      for (let day = 0; day < 5; day++) await f.step(DAY_MS);
      expect(f.collector.received.length).toBeGreaterThanOrEqual(4);

      // The answer is given while the agents go on keeping the schedule.
      const answer = candor(['consent', 'no'], { CANDOR_HOME: f.home });
      let settled = false;
      void answer.then(() => (settled = true));
      while (!settled) await f.step(HOUR);
      expect((await answer).code).toBe(0);
      await f.step(HOUR);
      const afterAnswer = f.collector.received.length;

      for (let day = 0; day < 10; day++) await f.step(DAY_MS);
      expect(f.collector.received).toHaveLength(afterAnswer);
      for (const member of f.members) expect((await member.status()).consent).toMatchObject({ sharing: false, storedChoice: 'decline' });

      await f.stopAll();
      expect(f.state().consent.choice).toBe('decline');
      const status = await candor(['status', '--json'], { CANDOR_HOME: f.home });
      expect(parseJson<AgentStatus>(status.stdout).consent).toMatchObject({ sharing: false, storedChoice: 'decline' });
    }, 120_000);
  }

  it('a running agent hears of the change at once by file events, and by a stat each second without them', async () => {
    for (const [watchFiles, folderPollMs] of [
      [true, Infinity],
      [false, 1000],
    ] as const) {
      const f = await fleet(1, { seed: 31, watchFiles, folderPollMs });
      const [agent] = f.members;
      await agent!.consent('share');
      await agent!.events();
      expect((await candor(['consent', 'no'], { CANDOR_HOME: f.home })).code).toBe(0);
      if (!watchFiles) await f.step(1000);
      let seen: boolean[] = [];
      while (!seen.includes(false)) seen = [...seen, ...(await agent!.events())];
      expect(seen.at(-1)).toBe(false);
      await f.stopAll();
    }
  }, 60_000);
});

describe('concurrent changes to the shared state', () => {
  for (const kind of ['os', 'pid-file'] as const) {
    it(`4 processes × 40 changes each end in the state a serial run of the same changes gives (${kind} lock)`, async () => {
      const home = memoryHome('candor-mutate-');
      const journal = path.join(home, 'journal.jsonl');
      const script = await bundleForChild('state-mutator.ts');
      const children = [1, 2, 3, 4].map((seed) => execFileAsync(process.execPath, [script, home, journal, String(seed * 97), '40', kind]));
      await Promise.all(children);

      const applied = readFileSync(journal, 'utf8')
        .trim()
        .split('\n')
        .map((l) => JSON.parse(l) as Mutation);
      expect(applied).toHaveLength(160);
      const serial = freshState();
      for (const m of applied) applyMutation(serial, m);
      expect(stateStoreAt(home).read()).toEqual(serial);
      // No change was lost: every approval made it, and the counter counted each increment.
      expect(serial.consent.approvedFields?.length ?? 0).toBe(applied.filter((m) => m.op === 'approve').length);
    }, 60_000);
  }
});

describe('a report whose answer never came', () => {
  it('is recorded as a possible delivery when its sender dies mid-request, and the next keeper retries no sooner than the backoff', async () => {
    let answer = false;
    const held: Array<() => void> = [];
    const collector = await loopbackServer((_req, res) => {
      if (answer) res.writeHead(204).end();
      else held.push(() => res.destroy());
    });
    cleanup.push(() => {
      for (const release of held) release();
      return Promise.resolve();
    });
    cleanup.push(collector.close);
    const home = memoryHome('candor-noanswer-');
    const spawn = async (label: string, seed: number) => {
      const member = await FleetMember.spawn({ home, endpoint: `${collector.url}/collect`, seed, bootStart: T0 - HOUR, now: T0, label, watchFiles: true });
      cleanup.push(() => member.kill());
      await member.start();
      return member;
    };
    const sender = await spawn('sender', 1);
    const standby = await spawn('standby', 2);
    await sender.consent('share');
    void sender.send().catch(() => undefined);
    while (collector.received.length === 0) await new Promise((r) => setTimeout(r, 5));
    await sender.kill();

    // The standby takes the schedule over (at its next poll of the lease, within 15 minutes) and
    // finds the attempt that never got its answer.
    answer = true;
    let now = T0 + 15.5 * 60_000;
    await standby.advance(now);
    const status = await standby.status();
    expect(status.scheduler.role).toBe('keeper');
    expect(status.schedule.lastAttempt).toMatchObject({ ok: false, errorClass: 'no-answer', message: textMatching(/may have received it/) });
    const history = await standby.request<{ entries: Array<{ outcome: string; message: string }> }>({ type: 'history' });
    expect(history.entries[0]).toMatchObject({ outcome: 'no-answer', message: textMatching(/collector may have received it/) });
    expect(collector.received).toHaveLength(1);

    // Retried once the backoff from the lost attempt has passed (minutes), never at the takeover
    // instant, and not a day later either.
    expect(Date.parse(status.schedule.nextDueAt!)).toBeGreaterThan(now);
    await standby.advance((now += HOUR));
    expect(collector.received).toHaveLength(2);
    await standby.stop();
  }, 60_000);
});
