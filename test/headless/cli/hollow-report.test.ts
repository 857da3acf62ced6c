/**
 * No report without the server, through the real `bin/candor.js`: with a refused password, nothing
 * listening, or a page that is not a music server, `candor send` sends nothing, says the cause in one
 * line and exits 1; the history records the attempt as not sent with that cause, and the schedule
 * backs off as after a failure. (What used to go: a report of this machine's facts alone.)
 */
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AgentStatus, HistoryEntry } from '../../../shared/api-contract';
import { tempHome } from '../../support/agent-harness';
import { candor, candorJson, serverSection } from '../../support/cli';
import { closedPort, loopbackServer } from '../../support/loopback';
import { startNavidromeTestServer, type NavidromeTestServer } from '../../support/navidrome';

let collector: Awaited<ReturnType<typeof loopbackServer>>;
let navidrome: NavidromeTestServer;
let loginPage: Awaited<ReturnType<typeof loopbackServer>>;
beforeAll(async () => {
  collector = await loopbackServer((_req, res) => res.writeHead(200).end('{}'));
  navidrome = await startNavidromeTestServer();
  // A reverse proxy's sign-in page in front of the address: HTML to every request.
  loginPage = await loopbackServer((_req, res) => res.writeHead(200, { 'content-type': 'text/html' }).end('<!doctype html><title>Sign in</title>'));
});
afterAll(async () => {
  await Promise.all([collector.close(), navidrome.close(), loginPage.close()]);
});

const cases = [
  {
    name: 'a refused password',
    server: () => Promise.resolve(serverSection(navidrome.url, 'wrong-password')),
    cause: 'the server refused the user name or password',
  },
  {
    name: 'nothing listening at the address',
    server: async () => serverSection(`http://127.0.0.1:${await closedPort()}`),
    cause: "nothing answers at the server's address",
  },
  {
    name: 'a page that is not a music server',
    server: () => Promise.resolve(serverSection(loginPage.url)),
    cause: 'the address answered, but not as a Navidrome or Subsonic server',
  },
];

describe('a server that cannot be read', () => {
  for (const c of cases) {
    it(`${c.name}: nothing is sent, \`send\` says why in one line and exits 1, the history keeps the cause`, async () => {
      const home = tempHome('candor-hollow-');
      writeFileSync(path.join(home, 'candor.toml'), `[insights]\nendpoint = "${collector.url}/collect"\n${await c.server()}`);
      const env = { CANDOR_HOME: home };
      expect((await candor(['consent', 'yes'], env)).code).toBe(0);
      const before = collector.received.length;

      const send = await candor(['send'], env);
      expect(send.code).toBe(1);
      expect(send.stdout).toBe('');
      expect(send.stderr).toBe(`candor: Not sent: ${c.cause}; a report is sent only when the server was read.\n`);
      expect(collector.received).toHaveLength(before);

      const [entry] = await candorJson<HistoryEntry[]>(['history', '--json'], env);
      expect(entry).toMatchObject({ outcome: 'not-sent', errorClass: 'server-not-read', trigger: 'manual', message: `${c.cause}: nothing was sent` });
      expect((await candor(['history'], env)).stdout).toMatch(new RegExp(` not-sent +manual .* ${c.cause.replace(/[.'()]/g, '\\$&')}: nothing was sent$`, 'm'));

      expect((await candor(['status'], env)).stdout).toMatch(
        new RegExp(`^Last result: +not sent at \\S+: ${c.cause.replace(/[.'()]/g, '\\$&')}: nothing was sent$`, 'm'),
      );
      const { schedule } = await candorJson<AgentStatus>(['status', '--json'], env);
      expect(schedule).toMatchObject({ consecutiveFailures: 1, lastSuccessAt: null, lastAttempt: { ok: false, errorClass: 'server-not-read' } });
      // Retried as a failed send is: the first backoff, 5 minutes with equal jitter.
      const wait = Date.parse(schedule.nextDueAt!) - Date.parse(entry!.at);
      expect(wait).toBeGreaterThanOrEqual(150_000);
      expect(wait).toBeLessThanOrEqual(300_000);

      const exported = await candor(['export'], env);
      expect(exported.code).toBe(1);
      expect(exported.stderr).toBe(`candor: Not exported: ${c.cause}; a report is made only when the server was read.\n`);
    });
  }
});
