/**
 * Trust, but verify, through the real `bin/candor.js` against the real collector: each send keeps
 * the collector's receipt, a receipt that differs is a failure with its cause, and `candor verify`
 * says what the collector holds about this machine, naming what it never sent.
 */
import { createHash } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type StartedCollector } from '../../../collector';
import type { AgentStatus, HistoryEntry, VerifyReport } from '../../../shared/api-contract';
import { DAY_MS } from '../../../collector/retention';
import { tempHome } from '../../support/agent-harness';
import { FakeClock } from '../../support/fake-clock';
import { candor, candorJson } from '../../support/cli';
import { candorReport, post } from '../../collector/support/harness';
import { startNavidromeTestServer, type NavidromeTestServer } from '../../support/navidrome';

let collector: StartedCollector;
const servers: NavidromeTestServer[] = [];
const receivers: http.Server[] = [];
beforeAll(async () => {
  collector = await startCollector();
});
afterAll(async () => {
  await collector.close();
  await Promise.all(servers.map((s) => s.close()));
  for (const r of receivers) r.close();
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** A data folder that shares with `endpoint`, reading a Navidrome-compatible server of its own. */
async function home(endpoint = `${collector.url}/collect`): Promise<Record<string, string>> {
  const navidrome = await startNavidromeTestServer();
  servers.push(navidrome);
  const dir = tempHome('candor-verify-');
  const server = `[server]\nurl = "${navidrome.url}"\nusername = "canary-admin-alice"\npassword = "alice-canary-pass"\n`;
  writeFileSync(path.join(dir, 'candor.toml'), `[insights]\nendpoint = "${endpoint}"\n${server}`);
  const env = { CANDOR_HOME: dir };
  expect((await candor(['consent', 'full'], env)).code).toBe(0);
  return env;
}

/** A loopback endpoint that answers every report 200 with a receipt of other bytes. */
async function lyingReceiver(): Promise<string> {
  const server = http.createServer((req, res) => {
    req.resume();
    req.on('end', () => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ status: 'stored', sha256: sha256('other bytes') })));
  });
  receivers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/collect`;
}

describe('receipts in the history', () => {
  it('a send records the collector’s receipt beside its own sha256', async () => {
    const env = await home();
    const sent = await candor(['send'], env);
    expect(sent).toMatchObject({ code: 0 });
    expect(sent.stdout).toMatch(/^Sent: accepted \(HTTP 200\), receipt matches\.$/m);
    const [entry] = await candorJson<HistoryEntry[]>(['history', '--json'], env);
    expect(entry).toMatchObject({ outcome: 'sent', sha256: sha256(entry!.body), receipt: sha256(entry!.body) });
  });

  it('a receipt for other bytes is a failure with its cause, never "sent"', async () => {
    const env = await home(await lyingReceiver());
    const sent = await candor(['send'], env);
    expect(sent.code).toBe(1);
    expect(sent.stderr.trim().split('\n').at(-1)).toBe('candor: Not sent: the collector received different bytes (HTTP 200).');
    const [entry] = await candorJson<HistoryEntry[]>(['history', '--json'], env);
    expect(entry).toMatchObject({ outcome: 'failed', errorClass: 'receipt-mismatch', receipt: sha256('other bytes') });
    expect(entry!.receipt).not.toBe(entry!.sha256);
    const status = await candorJson<AgentStatus>(['status', '--json'], env);
    expect(status.schedule.lastAttempt).toMatchObject({ ok: false, errorClass: 'receipt-mismatch' });
    expect(status.schedule.lastSuccessAt).toBeNull();
  });
});

describe('candor verify', () => {
  it('after a send, finds everything held was sent from here (exit 0), in words and in JSON', async () => {
    const env = await home();
    const before = await candor(['verify'], env);
    expect(before).toMatchObject({ code: 0, stdout: 'Nothing to check: no report has been made on this machine yet.\n' });
    expect((await candor(['send'], env)).code).toBe(0);
    const [entry] = await candorJson<HistoryEntry[]>(['history', '--json'], env);

    const verified = await candor(['verify'], env);
    expect(verified.code).toBe(0);
    expect(verified.stdout).toMatch(/^Everything the collector holds about this machine was sent from here \(one report\)\.$/m);
    expect(verified.stdout).toContain(`sha256 ${entry!.sha256}  sent from here (sent at `);
    const report = await candorJson<VerifyReport>(['verify', '--json'], env);
    expect(report).toMatchObject({ ok: true, asked: 'answered', ids: 1, missing: [] });
    expect(report.held).toEqual([
      expect.objectContaining({ sha256: entry!.sha256, verdict: 'sent-from-here', ownKey: true, entry: { id: entry!.id, at: entry!.at, outcome: 'sent' } }),
    ]);
  });

  it('names a report someone else posted under this machine’s id (exit 1)', async () => {
    // A collector of its own, whose clock the test moves on to the next UTC day.
    const clock = new FakeClock(Date.now());
    const own = await startCollector({ clock, heartbeatMs: DAY_MS });
    try {
      const env = await home(`${own.url}/collect`);
      expect((await candor(['send'], env)).code).toBe(0);
      const id = (await candorJson<AgentStatus>(['status', '--json'], env)).instanceId!;
      // The next day, someone who learned the id posts under it, with a deletion key of their own.
      clock.jumpWall(DAY_MS);
      const base = candorReport({ id, uptime: 424_242 });
      const reply = await post(own.url, { ...base, candor: { ...(base.candor as object), schemaVersion: 2, deletionKeyHash: sha256('their secret') } });
      expect(reply.status).toBe(200);
      const theirs = (JSON.parse(reply.body) as { sha256: string }).sha256;
      const day = new Date(clock.now()).toISOString().slice(0, 10);

      const verified = await candor(['verify'], env);
      expect(verified.code).toBe(1);
      expect(verified.stdout).toMatch(/^The collector holds one report under this machine’s IDs that was never sent from here\.$/m);
      expect(verified.stdout).toContain(`${day}  sha256 ${theirs}  NEVER SENT FROM HERE`);
      const report = await candorJson<VerifyReport>(['verify', '--json'], env);
      expect(report).toMatchObject({ ok: false, missing: [] });
      expect(report.held.map((h) => [h.verdict, h.ownKey])).toEqual([
        ['sent-from-here', true],
        ['not-from-here', false],
      ]);
      expect(report.held[1]).toMatchObject({ day, sha256: theirs });
      expect(report.held[1]).not.toHaveProperty('entry');
    } finally {
      await own.close();
    }
  });

  it('a collector that is down: exit 1 with one line', async () => {
    const closed = http.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const env = await home(`${collector.url}/collect`);
    expect((await candor(['send'], env)).code).toBe(0);
    writeFileSync(
      path.join(env.CANDOR_HOME!, 'candor.toml'),
      `[insights]\nendpoint = "http://127.0.0.1:${port}/collect"\n[server]\nurl = "http://127.0.0.1:1"\nusername = "a"\npassword = "b"\n`,
    );
    const verified = await candor(['verify'], env);
    expect(verified).toMatchObject({ code: 1, stdout: '', stderr: 'candor: The collector could not be asked: could not connect.\n' });
  });
});
