/**
 * The config file as the agent reads it while it runs: one stat per use and a parse only when the
 * file changed; a file that appears, disappears or breaks read exactly as at start-up; the server,
 * the password file and the history's retention followed; a report about a server that could not
 * be read never leaves, and is retried with the normal backoff.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../../shared/api-contract';
import { createAxiosHttpClient } from '../../../core/net/axios-http-client';
import { REQUIRED_FIELDS } from '../../../shared/schema/payload';
import { CandorConfigFile } from '../../../core/settings/config-source';
import { health } from '../../../core/sources/problems';
import type { ServerConnection, ServerFacts } from '../../../core/sources/music-server';
import { makeAgent, tempHome } from '../../support/agent-harness';
import { FakeClock } from '../../support/fake-clock';
import { fakeSources } from '../../support/fake-sources';
import { loopbackServer } from '../../support/loopback';

const http = createAxiosHttpClient();
const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;
let cleanup: Array<() => Promise<void>> = [];
afterEach(async () => {
  await Promise.all(cleanup.map((c) => c()));
  cleanup = [];
});

async function receiver() {
  const server = await loopbackServer((_req, res) => res.writeHead(204).end());
  cleanup.push(server.close);
  return server;
}

describe('the config source', () => {
  it('parses again only when the file changed, and reads a file that appears, breaks or disappears as at start-up', () => {
    const home = tempHome();
    const file = path.join(home, 'candor.toml');
    const source = new CandorConfigFile({}, home);
    const none = source.current();
    expect(none).toMatchObject({ path: null, unreadable: false });
    expect(source.current()).toBe(none);

    writeFileSync(file, '[insights]\nenabled = false\n');
    const written = source.current();
    expect(written).toMatchObject({ path: file, insightsEnabled: false });
    // Unchanged on disk: the very same parse, from one stat.
    expect(source.current()).toBe(written);

    writeFileSync(file, '[insights\nenabled = false\n');
    expect(source.current()).toMatchObject({
      unreadable: true,
      problems: [`The config file ${file} is not valid TOML (line 1): sharing is held off until it is fixed.`],
    });

    rmSync(file);
    expect(source.current()).toMatchObject({ path: null, unreadable: false });
  });

  it('a file CANDOR_CONFIG names that disappears holds sharing off, as a missing one does at start-up', () => {
    const dir = tempHome();
    const file = path.join(dir, 'candor.toml');
    writeFileSync(file, '[insights]\nenabled = true\n');
    const source = new CandorConfigFile({ CANDOR_CONFIG: file }, tempHome());
    expect(source.current()).toMatchObject({ unreadable: false, insightsEnabled: true });
    rmSync(file);
    expect(source.current()).toMatchObject({ path: file, unreadable: true, missing: true });
  });

  it('names the files to watch: itself, and the password file it names (relative to itself)', () => {
    const dir = tempHome();
    const file = path.join(dir, 'candor.toml');
    const source = new CandorConfigFile({ CANDOR_CONFIG: file }, tempHome());
    expect(source.files()).toEqual([file]);
    writeFileSync(file, '[server]\npassword_file = "secrets/navidrome"\n');
    expect(source.files()).toEqual([file, path.join(dir, 'secrets', 'navidrome')]);
  });
});

/** An agent on a real config file, hearing it by a stat each second of its fake clock. */
async function agentOnConfig(text: string, sources = fakeSources()) {
  const home = tempHome();
  const configDir = path.join(tempHome(), 'etc');
  mkdirSync(configDir);
  const file = path.join(configDir, 'candor.toml');
  writeFileSync(file, text);
  const clock = new FakeClock();
  const made = await makeAgent({
    http,
    home,
    clock,
    sources,
    config: new CandorConfigFile({ CANDOR_CONFIG: file }, home),
    pollMs: { folder: 1000, lease: 60_000 },
  });
  clock.afterTimer = () => made.agent.idle();
  const statuses: AgentStatus[] = [];
  made.agent.watchStatus((s) => statuses.push(s));
  await made.agent.start();
  cleanup.push(() => made.agent.stop());
  return { ...made, file, configDir, statuses };
}

/** Fake sources whose server answers as told, recording each connection it was read with. */
function recordingSources(answer: (conn: ServerConnection) => Partial<ServerFacts> = () => ({})) {
  const reads: ServerConnection[] = [];
  const base = fakeSources();
  return {
    reads,
    sources: fakeSources({
      server: async (conn, now) => {
        reads.push(conn);
        return { ...(await base.server(conn, now)), ...answer(conn) };
      },
    }),
  };
}

describe('a running agent follows its config file', () => {
  it('reads the server again when the config names another one, or when the password file is edited', async () => {
    const { reads, sources } = recordingSources();
    const { agent, clock, file, configDir } = await agentOnConfig(
      '[server]\nurl = "http://127.0.0.1:4533"\nusername = "admin"\npassword_file = "pw"\n',
      sources,
    );
    writeFileSync(path.join(configDir, 'pw'), 'first\n');
    await agent.getPreview();
    expect(reads.at(-1)).toMatchObject({ url: 'http://127.0.0.1:4533', password: 'first' });

    writeFileSync(path.join(configDir, 'pw'), 'second\n');
    await clock.advance(1000);
    expect(reads.at(-1)).toMatchObject({ password: 'second' });

    writeFileSync(file, '[server]\nurl = "http://127.0.0.1:4534"\nusername = "admin"\npassword_file = "pw"\n');
    await clock.advance(1000);
    expect(reads.at(-1)).toMatchObject({ url: 'http://127.0.0.1:4534', password: 'second' });
    expect((await agent.getStatus()).settings.server.url).toBe('http://127.0.0.1:4534');
  });

  it('applies a new history retention from the config file', async () => {
    const collector = await receiver();
    const endpoint = `[insights]\nendpoint = "${collector.url}/collect"\n[server]\nurl = "http://127.0.0.1:4533"\nusername = "admin"\npassword = "pw"\n`;
    const { agent, clock, file } = await agentOnConfig(endpoint);
    await agent.setConsent({ choice: 'share' });
    const old = await agent.sendNow();
    expect(old.ok).toBe(true);
    // Ten days asleep: no timers to fire on the way, the entry is ten days old all the same.
    clock.sleep(10 * DAY);
    await expect(agent.getHistoryEntry({ id: old.entry!.id })).resolves.toMatchObject({ outcome: 'sent' });
    writeFileSync(file, `${endpoint}[history]\nretention_days = 5\n`);
    await clock.advance(1000);
    await expect(agent.getHistoryEntry({ id: old.entry!.id })).rejects.toMatchObject({ code: 'not-found' });
  });

  it('the tray’s status pushes do not keep the preview rebuilding once the window is gone', async () => {
    let builds = 0;
    const base = fakeSources();
    // A server on this machine, so every build reads this machine's memory: what is counted here.
    const { agent, clock } = await agentOnConfig(
      '[server]\nurl = "http://127.0.0.1:4533"\nusername = "admin"\npassword = "pw"\n',
      fakeSources({ memory: () => ((builds += 1), base.memory()) }),
    );
    await agent.getPreview();
    const window = agent.subscribe(() => {});
    await clock.advance(20_000);
    expect(builds).toBeGreaterThan(1);
    window();
    // One tick already armed may still run; after it, nothing while only the tray listens.
    await clock.advance(10_000);
    const after = builds;
    await clock.advance(60_000);
    expect(builds).toBe(after);
  });
});

describe('a report about a server that could not be read', () => {
  it(`is not sent (it lacks ${REQUIRED_FIELDS.join(', ')}): recorded with its cause, retried with the normal backoff, sent once the server answers`, async () => {
    const collector = await receiver();
    let refusing = true;
    const { sources } = recordingSources(() =>
      refusing ? { version: undefined, library: {}, health: health('server', 'failed', 'unauthorized', ['version', 'library']) } : {},
    );
    const { agent, clock, statuses } = await agentOnConfig(
      `[insights]\nendpoint = "${collector.url}/collect"\n[server]\nurl = "http://127.0.0.1:4533"\nusername = "admin"\npassword = "wrong"\n`,
      sources,
    );
    await agent.setConsent({ choice: 'share' });
    // The first scheduled attempt, after the start-up delay.
    await clock.advance(11 * MINUTE);
    expect(collector.received).toHaveLength(0);
    const [entry] = (await agent.listHistory({ offset: 0, limit: 5 })).entries;
    expect(entry).toMatchObject({
      outcome: 'not-sent',
      errorClass: 'server-not-read',
      trigger: 'schedule',
      message: 'the server refused the user name or password: nothing was sent',
    });
    const status = await agent.getStatus();
    expect(status.schedule).toMatchObject({ consecutiveFailures: 1, lastAttempt: { ok: false, errorClass: 'server-not-read' } });
    // The first retry: 5 minutes, with at least half of it waited (equal jitter).
    const wait = Date.parse(status.schedule.nextDueAt!) - Date.parse(entry!.at);
    expect(wait).toBeGreaterThanOrEqual(2.5 * MINUTE);
    expect(wait).toBeLessThanOrEqual(5 * MINUTE);
    expect(statuses.at(-1)?.schedule.lastAttempt?.errorClass).toBe('server-not-read');

    refusing = false;
    await clock.advance(5 * MINUTE);
    expect(collector.received).toHaveLength(1);
    expect((await agent.listHistory({ offset: 0, limit: 5 })).entries[0]).toMatchObject({ outcome: 'sent', trigger: 'retry' });
  });

  it('is not exported to a file either', async () => {
    const { sources } = recordingSources(() => ({ version: undefined, health: health('server', 'failed', 'unreachable', ['version']) }));
    const { agent } = await agentOnConfig('[server]\nurl = "http://127.0.0.1:4533"\nusername = "admin"\npassword = "pw"\n', sources);
    await agent.setConsent({ choice: 'share' });
    await expect(agent.exportReport()).rejects.toMatchObject({
      code: 'unavailable',
      message: "Not exported: nothing answers at the server's address; a report is made only when the server was read.",
    });
    expect((await agent.listHistory({ offset: 0, limit: 5 })).total).toBe(0);
  });
});
