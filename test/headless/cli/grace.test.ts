/**
 * The headless grace period and the first preview, through the real `bin/candor.js`: only `run` and
 * `serve` start the grace period; every message says when it ends and how to skip it, in words
 * and ISO 8601 with the offset; the id a first `preview --json` shows is the id later sent.
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempHome } from '../../support/agent-harness';
import type { PersistedState } from '../../../core/state/state-schema';
import type { Payload } from '../../../shared/schema/payload';
import { candor, candorJson, candorLongRunning, serverSection } from '../../support/cli';
import { parseJson, readJson } from '../../support/json';
import { receiverAndServer } from '../../support/receiver-and-server';

const servers = receiverAndServer((_req, res) => res.writeHead(200).end('{}'));

/** India has no daylight saving: +05:30 all year, an offset no test machine has by accident. */
const TZ = 'Asia/Kolkata';
const ISO_IN_TZ = /\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+05:30/;
const GRACE_MS = 30 * 60_000;

function home(server = ''): Record<string, string> {
  const dir = tempHome('candor-grace-');
  writeFileSync(path.join(dir, 'candor.toml'), `[insights]\nendpoint = "${servers.collector.url}/collect"\n${server}`);
  return { CANDOR_HOME: dir, TZ };
}

const firstStartAt = (env: Record<string, string>): number | undefined => readJson<PersistedState>(path.join(env.CANDOR_HOME!, 'state.json')).firstStartAt;

describe('the grace period, through the real bin', () => {
  it('is not started by `status`, `preview`, `send`, `history` or a typo; `run` starts it and says when it ends', async () => {
    const env = home();
    for (const args of [['status'], ['preview'], ['send'], ['history'], ['frobnicate'], ['status', '--colour']]) await candor(args, env);
    expect(firstStartAt(env)).toBeUndefined();

    const before = Date.now();
    const run = candorLongRunning(['run'], env, /To opt out/);
    try {
      await run.started;
      const started = firstStartAt(env)!;
      expect(started).toBeGreaterThanOrEqual(before - 1000);
      const out = run.output().stdout;
      const sentence =
        /Not sent: the first report waits until (\S+) \(30 minutes after first start, so the notice can be read\); `candor consent yes` sends now\./.exec(out);
      expect(sentence, out).not.toBeNull();
      expect(sentence![1]).toMatch(ISO_IN_TZ);
      expect(Date.parse(sentence![1]!)).toBe(Math.floor((started + GRACE_MS) / 1000) * 1000);
      expect(run.output().stdout + run.output().stderr).not.toMatch(/headless-grace/);
      expect(await run.stop()).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
    }

    // Every other command now names the same end, in words.
    const status = await candor(['status'], env);
    expect(status.stdout).toMatch(/^Sharing: +on, paused: the first report waits until \S+\+05:30 \(30 minutes after first start/m);
    const send = await candor(['send'], env);
    expect(send.code).toBe(1);
    expect(send.stderr).toMatch(/^candor: Not sent: the first report waits until \S+\+05:30 .*`candor consent yes` sends now\.$/m);
    for (const text of [status.stdout, send.stderr]) expect(text).not.toMatch(/headless-grace/);
  });

  it('`serve` starts it too', async () => {
    const env = home();
    const serve = candorLongRunning(['serve'], env, /Candor admin UI: http/);
    try {
      await serve.started;
      expect(firstStartAt(env)).toBeTypeOf('number');
      expect(await serve.stop()).toBe(0);
    } finally {
      serve.child.kill('SIGKILL');
    }
  });
});

describe('`candor run` says when it will next send', () => {
  it('the keeper names the time; a second `run` names the keeper instead of a plan it does not keep', async () => {
    const env = home();
    expect((await candor(['consent', 'yes'], env)).code).toBe(0);
    const keeper = candorLongRunning(['run'], env, /To opt out/);
    let standby: ReturnType<typeof candorLongRunning> | undefined;
    try {
      await keeper.started;
      const next = new RegExp(`^Next report: (${ISO_IN_TZ.source}) at the earliest\\.$`, 'm').exec(keeper.output().stdout);
      expect(next, keeper.output().stdout).not.toBeNull();
      expect(Date.parse(next![1]!)).toBeGreaterThan(Date.now());
      // Started once the first holds the lease, so which one keeps the schedule is known.
      standby = candorLongRunning(['run'], env, /stands by/);
      await standby.started;
      expect(standby.output().stdout).toMatch(/^The daily schedule is kept by candor run, pid \d+; this process stands by/m);
      expect(standby.output().stdout).not.toMatch(/Next report/);
      expect(await standby.stop()).toBe(0);
      expect(await keeper.stop()).toBe(0);
    } finally {
      keeper.child.kill('SIGKILL');
      standby?.child.kill('SIGKILL');
    }
  });
});

describe('the first preview is exact', () => {
  it('`preview --json` before any answer shows the id that is later sent', async () => {
    const env = home(serverSection(servers.navidrome.url));
    const first = await candorJson<Payload>(['preview', '--json'], env);
    expect(first.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect((await candor(['consent', 'yes'], env)).code).toBe(0);
    const before = servers.collector.received.length;
    const sent = await candor(['send'], env);
    expect(sent.code).toBe(0);
    expect(parseJson<Payload>(servers.collector.received[before]!.body).id).toBe(first.id);

    // Times people read are ISO 8601 with the offset: the last result and the history.
    const status = await candor(['status'], env);
    expect(status.stdout).toMatch(new RegExp(`^Last result: +sent at ${ISO_IN_TZ.source}`, 'm'));
    const history = await candor(['history'], env);
    expect(history.stdout).toMatch(new RegExp(`^${ISO_IN_TZ.source} +sent +manual`, 'm'));
  });
});
