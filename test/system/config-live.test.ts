/**
 * The config file is part of the one truth: a running `candor run` or `candor serve` hears an edit of
 * it within a second and applies it as at start-up (consent, level, endpoint; a file deleted or made
 * unparseable holds sharing off). The commands run in child processes with their own code on a
 * clock the test drives (test/support/shell-child.ts), and then as the real `bin/candor.js` on the
 * real clock; the music server and the receivers are real loopback servers.
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryEntry, SendOutcome } from '../../shared/api-contract';
import type { PersistedState } from '../../core/state/state-schema';
import { memoryHome, tempHome } from '../support/agent-harness';
import { candor, candorLongRunning, serveApi, serverSection } from '../support/cli';
import { FleetMember } from '../support/fleet';
import { readHistoryFile, readJson } from '../support/json';
import { loopbackServer } from '../support/loopback';
import { textMatching } from '../support/matchers';
import { defaultServerConfig, startNavidromeTestServer, type NavidromeTestServer } from '../support/navidrome';
import type { Pushed } from '../support/shell-child';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const RENDERER = path.resolve(import.meta.dirname, '../../dist/renderer');

type Receiver = Awaited<ReturnType<typeof loopbackServer>>;
let navidrome: NavidromeTestServer;
let cleanup: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  // Every edit that changes the server reads it again: no sign-in limit on this one.
  navidrome = await startNavidromeTestServer({ config: { ...defaultServerConfig(), AuthRequestLimit: 0 } });
});
afterAll(() => navidrome.close());
afterEach(async () => {
  await Promise.all(cleanup.map((c) => c().catch(() => undefined)));
  cleanup = [];
});

async function receiver(): Promise<Receiver> {
  const server = await loopbackServer((_req, res) => res.writeHead(204).end());
  cleanup.push(server.close);
  return server;
}

/** A data folder, and a config file in a folder of its own (CANDOR_CONFIG) naming the server and `endpoint`; sharing answered yes. */
async function setUp(endpoint: Receiver) {
  // In memory where the machine has it: days of simulated schedule write the state every hour.
  const home = memoryHome('candor-live-');
  const configDir = path.join(tempHome('candor-live-config-'), 'etc');
  mkdirSync(configDir);
  const file = path.join(configDir, 'candor.toml');
  const env = { CANDOR_HOME: home, CANDOR_CONFIG: file, CANDOR_RENDERER_DIR: RENDERER, DO_NOT_TRACK: '' };
  const write = (to: Receiver, insights = '') =>
    writeFileSync(file, `[insights]\nendpoint = "${to.url}/collect"\n${insights}\n${serverSection(navidrome.url)}`);
  write(endpoint);
  expect((await candor(['consent', 'yes'], env)).code).toBe(0);
  return {
    home,
    file,
    env,
    write,
    /** The next report's time as the schedule on disk has it (one server, one record). */
    storedNextDue(): number {
      const records = Object.values(readJson<PersistedState>(path.join(home, 'state.json')).schedules);
      expect(records).toHaveLength(1);
      return records[0]!.nextDueAt!;
    },
    history(): HistoryEntry[] {
      return readHistoryFile(home);
    },
  };
}

/** The real command in a child process on a driven clock, once it has said it is running. */
async function startShell(command: 'run' | 'serve', env: Record<string, string>, files: { watchFiles: boolean; folderPollMs?: number }) {
  const start = Date.now();
  const member = await FleetMember.fork(
    'shell-child.ts',
    { args: command === 'serve' ? ['serve', '--port', '0'] : ['run'], env, bootStart: start - HOUR, now: start, seed: 5, ...files },
    `candor ${command}`,
  );
  cleanup.push(() => member.kill());
  const output = () => member.request<string[]>({ type: 'output' }).then((lines) => lines.join('\n'));
  const ready = command === 'serve' ? /Candor admin UI: http/ : /To opt out|This was decided/;
  while (!ready.test(await output())) await new Promise((resolve) => setTimeout(resolve, 20));
  let now = start;
  let seen: Pushed[] = [];
  return {
    api: command === 'serve' ? serveApi(await output()) : null,
    get now() {
      return now;
    },
    async advanceTo(to: number) {
      now = await member.request<number>({ type: 'advance', to });
    },
    advance(ms: number) {
      return this.advanceTo(now + ms);
    },
    /** The statuses pushed since the last call. */
    async pushes(): Promise<Pushed[]> {
      return member.request<Pushed[]>({ type: 'pushes' });
    },
    /** Waits, without moving the clock, for a pushed status that `matches` (file events deliver it). */
    async heard(matches: (p: Pushed) => boolean): Promise<Pushed> {
      for (;;) {
        seen = [...seen, ...(await this.pushes())];
        const found = seen.findLast(matches);
        if (found) {
          seen = [];
          return found;
        }
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    },
    async stop(): Promise<number> {
      const code = await member.request<number>({ type: 'stop' });
      await member.exited;
      return code;
    },
  };
}

for (const command of ['run', 'serve'] as const) {
  describe(`a running \`candor ${command}\``, () => {
    it('applies each edit of its config file as at start-up: nothing reaches the receiver after an opt-out, a local level, a move, a deletion or a broken file; back on, it plans from the schedule on disk', async () => {
      const first = await receiver();
      const moved = await receiver();
      const folder = await setUp(first);
      const shell = await startShell(command, folder.env, { watchFiles: true });

      // The first report, after the start-up delay.
      await shell.advance(15 * MINUTE);
      expect(first.received).toHaveLength(1);
      const firstDue = folder.storedNextDue();

      // `enabled = false`: off, locked, naming the setting; nothing goes when the report falls due.
      folder.write(first, 'enabled = false');
      const off = await shell.heard((p) => !p.sharing);
      expect(off).toMatchObject({ level: 'off', locked: true, nextDueAt: null });
      expect(off.decidedByLabel).toBe(`[insights] enabled = false in ${folder.file}`);
      if (shell.api) {
        // The admin UI's "Send now" is refused too: what the issue saw answered "Sent".
        const sent = await shell.api.call<SendOutcome>('sendNow');
        expect(sent.result).toMatchObject({ ok: false, message: textMatching(/sharing is off/i) });
      }
      await shell.advanceTo(firstDue + 6 * HOUR);
      expect(first.received).toHaveLength(1);

      // Back on: the report due hours ago goes at once.
      folder.write(first);
      expect(await shell.heard((p) => p.sharing)).toMatchObject({ level: 'full', locked: false });
      await shell.advance(MINUTE);
      expect(first.received).toHaveLength(2);

      // Off and on again before the next report is due: planned for the time on disk, never earlier.
      const secondDue = folder.storedNextDue();
      expect(secondDue).toBeGreaterThan(shell.now + 20 * HOUR);
      folder.write(first, 'enabled = false');
      await shell.heard((p) => !p.sharing);
      await shell.advance(HOUR);
      folder.write(first);
      const back = await shell.heard((p) => p.sharing);
      expect(Date.parse(back.nextDueAt!)).toBe(secondDue);
      await shell.advanceTo(secondDue - MINUTE);
      expect(first.received).toHaveLength(2);
      await shell.advanceTo(secondDue + MINUTE);
      expect(first.received).toHaveLength(3);

      // `level = "local"`: the day's report is kept here, nothing leaves.
      folder.write(first, 'level = "local"');
      expect(await shell.heard((p) => p.level === 'local')).toMatchObject({ sharing: false, locked: true });
      await shell.advanceTo(folder.storedNextDue() + MINUTE);
      expect(first.received).toHaveLength(3);
      expect(folder.history().filter((e) => e.outcome === 'kept-locally')).toHaveLength(1);

      // The endpoint moved: the next report goes to the new one only.
      folder.write(moved);
      expect(await shell.heard((p) => p.endpoint === `${moved.url}/collect`)).toMatchObject({ sharing: true, level: 'full' });
      await shell.advanceTo(folder.storedNextDue() + MINUTE);
      expect(moved.received).toHaveLength(1);
      expect(first.received).toHaveLength(3);

      // The file CANDOR_CONFIG names is deleted: held off, as at start-up, saying why.
      const dueThen = folder.storedNextDue();
      rmSync(folder.file);
      const gone = await shell.heard((p) => !p.sharing);
      expect(gone).toMatchObject({ level: 'off', locked: true });
      expect(gone.decidedByLabel).toMatch(/CANDOR_CONFIG naming .* which does not exist/);
      await shell.advanceTo(dueThen + 6 * HOUR);
      expect(moved.received).toHaveLength(1);

      // Back, then unparseable: held off, locked, saying why; nothing leaves.
      folder.write(moved);
      await shell.heard((p) => p.sharing);
      await shell.advance(MINUTE);
      expect(moved.received).toHaveLength(2);
      writeFileSync(folder.file, `[insights\nendpoint = "${moved.url}/collect"\n`);
      const broken = await shell.heard((p) => !p.sharing);
      expect(broken).toMatchObject({ level: 'off', locked: true });
      expect(broken.decidedByLabel).toMatch(/unreadable, so sharing is held off until it is fixed/);
      expect(broken.warnings).toContain(`The config file ${folder.file} is not valid TOML (line 1): sharing is held off until it is fixed.`);
      await shell.advanceTo(folder.storedNextDue() + 6 * HOUR);
      expect(moved.received).toHaveLength(2);
      expect(first.received).toHaveLength(3);

      expect(await shell.stop()).toBe(0);
    }, 120_000);

    it('hears each edit within a second by the stat alone, with file events off', async () => {
      const first = await receiver();
      const moved = await receiver();
      const folder = await setUp(first);
      const shell = await startShell(command, folder.env, { watchFiles: false, folderPollMs: 1000 });
      await shell.advance(1000);
      await shell.pushes();
      const edits: Array<[string, () => void, (p: Pushed) => boolean]> = [
        ['enabled = false', () => folder.write(first, 'enabled = false'), (p) => !p.sharing && p.decidedByLabel.includes('enabled = false')],
        ['level = "local"', () => folder.write(first, 'level = "local"'), (p) => p.level === 'local'],
        ['a moved endpoint', () => folder.write(moved), (p) => p.sharing && p.endpoint === `${moved.url}/collect`],
        ['the file deleted', () => rmSync(folder.file), (p) => !p.sharing && p.decidedByLabel.includes('does not exist')],
        ['an unparseable file', () => writeFileSync(folder.file, '[insights\n'), (p) => !p.sharing && p.decidedByLabel.includes('unreadable')],
      ];
      for (const [name, edit, matches] of edits) {
        edit();
        // Nothing else can tell it: no file events, and the clock has not moved.
        expect((await shell.pushes()).some(matches), name).toBe(false);
        await shell.advance(1000);
        expect((await shell.pushes()).some(matches), name).toBe(true);
        folder.write(first);
        await shell.advance(1000);
        expect((await shell.pushes()).at(-1), name).toMatchObject({ sharing: true, level: 'full', endpoint: `${first.url}/collect` });
      }
      expect(await shell.stop()).toBe(0);
    }, 60_000);
  });
}

describe('the real bin on the real clock', () => {
  it('`candor serve`: an opt-out written in the config file is shown and "Send now" sends nothing', async () => {
    const collector = await receiver();
    const folder = await setUp(collector);
    const serve = candorLongRunning(['serve', '--port', '0'], folder.env, /Candor admin UI: http/);
    cleanup.push(() => Promise.resolve(serve.child.kill('SIGKILL')));
    await serve.started;
    const api = serveApi(serve.output().stdout);
    expect((await api.call<{ consent: { sharing: boolean } }>('getStatus')).result?.consent.sharing).toBe(true);

    folder.write(collector, 'enabled = false');
    // The status the admin UI polls and is pushed says so (within a second; no clock here to drive).
    for (;;) {
      const status = await api.call<{ consent: { sharing: boolean; locked: boolean } }>('getStatus');
      if (!status.result!.consent.sharing) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    const sent = await api.call<SendOutcome>('sendNow');
    expect(sent.result).toMatchObject({ ok: false, message: textMatching(/sharing is off/i) });
    expect(collector.received).toHaveLength(0);
    expect(await serve.stop()).toBe(0);
  }, 60_000);

  it('`candor run`: says on its log that the config file changed and what now holds', async () => {
    const collector = await receiver();
    const folder = await setUp(collector);
    const run = candorLongRunning(['run'], folder.env, /To opt out|This was decided/);
    cleanup.push(() => Promise.resolve(run.child.kill('SIGKILL')));
    await run.started;
    folder.write(collector, 'level = "basic"\nenabled = false');
    while (!/the config file changed; applied .*sharing=false level="off"/.test(run.output().stderr)) await new Promise((resolve) => setTimeout(resolve, 50));
    expect(run.output().stderr).not.toContain(folder.file);
    expect(await run.stop()).toBe(0);
    expect(collector.received).toHaveLength(0);
  }, 60_000);
});
