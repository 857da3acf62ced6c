/**
 * Odd files in the data folder, through the real `bin/candor.js`: a FIFO, a device or a symlink to
 * one where Candor keeps a file is refused or set aside at once, never read to the end (a FIFO read
 * would wait forever for a writer, /dev/zero never ends); and a history line that is valid JSON but
 * not an entry is set aside like a torn line. A hang would be killed at the harness's time limit
 * and fail on its exit code.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, lstatSync, readdirSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../../shared/api-contract';
import { Agent } from '../../../core/agent';
import { silentLogger, systemClock, systemRandom } from '../../../core/platform';
import { CandorConfigFile } from '../../../core/settings/config-source';
import { tempHome } from '../../support/agent-harness';
import { candor, serverSection } from '../../support/cli';
import { parseJson } from '../../support/json';
import { receiverAndServer } from '../../support/receiver-and-server';

const servers = receiverAndServer((_req, res) => res.writeHead(204).end());

const fifo = (file: string) => execFileSync('mkfifo', [file]);

/** A data folder whose reports go to the loopback collector (and, given `server`, are about that server). */
function sharingHome(server = ''): string {
  const home = tempHome('candor-odd-');
  writeFileSync(path.join(home, 'candor.toml'), `[insights]\nendpoint = "${servers.collector.url}/collect"\n${server}`);
  return home;
}

/** Whether this machine lets a test make a device node (root on Linux, a folder not mounted nodev). */
function deviceNode(file: string): boolean {
  try {
    execFileSync('mknod', [file, 'c', '1', '5'], { stdio: 'ignore' });
    return lstatSync(file).isCharacterDevice();
  } catch {
    return false;
  }
}

describe.runIf(process.platform !== 'win32')('odd files where Candor keeps its own', () => {
  const oddStates: Array<[string, (file: string) => boolean, RegExp]> = [
    ['a FIFO', (file) => (fifo(file), true), /^prw/],
    ['a symlink to /dev/zero', (file) => (symlinkSync('/dev/zero', file), true), /^l/],
    ['a device', deviceNode, /^c/],
  ];
  for (const [what, make] of oddStates) {
    it(`state.json that is ${what}: read as damage at once, and set aside at the next write`, async (context) => {
      const home = sharingHome();
      if (!make(path.join(home, 'state.json'))) return context.skip();
      const env = { CANDOR_HOME: home };
      const status = await candor(['status'], env);
      expect(status.code).toBe(0);
      // Nothing readable: the question is asked again, never assumed.
      expect(status.stdout).toMatch(/^Sharing: +on, paused: sharing waits for your answer/m);

      const answer = await candor(['consent', 'no'], env);
      expect(answer).toMatchObject({ code: 0, stdout: 'Saved: do not share.\n' });
      const names = readdirSync(home);
      expect(lstatSync(path.join(home, 'state.json')).isFile()).toBe(true);
      const aside = names.find((n) => n.startsWith('state.json.damaged-'));
      expect(aside, names.join(', ')).toBeDefined();
      expect(lstatSync(path.join(home, aside!)).isFile()).toBe(false);
      expect((await candor(['status'], env)).stdout).toMatch(/^Sharing: +off/m);
    });
  }

  it('history.jsonl that is a FIFO or a device: `candor history` says so, and `candor send` sends nothing', async () => {
    for (const make of [fifo, (file: string) => symlinkSync('/dev/zero', file)]) {
      const home = sharingHome();
      const file = path.join(home, 'history.jsonl');
      make(file);
      const env = { CANDOR_HOME: home };
      const kind = lstatSync(file).isFIFO() ? 'a FIFO' : 'a device';

      const history = await candor(['history'], env);
      expect(history).toEqual({ code: 1, stdout: '', stderr: `candor: the history is not read: ${file} is ${kind}, not a regular file.\n` });

      expect((await candor(['consent', 'yes'], env)).code).toBe(0);
      const before = servers.collector.received.length;
      const send = await candor(['send'], env);
      expect(send.code).toBe(1);
      expect(send.stderr).toBe(
        `candor: Not sent: ${file} is ${kind}, not a regular file, so the attempt could not be logged. Every report must be logged before it leaves.\n`,
      );
      expect(servers.collector.received).toHaveLength(before);
      expect((await candor(['status'], env)).stdout).toContain(
        `! The history file is not read: ${file} is ${kind}, not a regular file. Nothing can be sent until it is moved away.`,
      );
    }
  });

  it('candor.toml that is a FIFO holds sharing off and says what it is', async () => {
    const home = tempHome('candor-odd-');
    const file = path.join(home, 'candor.toml');
    fifo(file);
    const status = await candor(['status'], { CANDOR_HOME: home });
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^Sharing: +off$/m);
    expect(status.stdout).toContain(`! ${file} is a FIFO, not a regular file: sharing is held off until it is fixed.`);
    // The server it might name is unknown, not "none configured".
    expect(status.stdout).not.toMatch(/No server is configured|To read your music server/);
  });

  it('a password file that is a FIFO is not read, and the status says why', async () => {
    const home = tempHome('candor-odd-');
    const secret = path.join(home, 'navidrome-password');
    fifo(secret);
    writeFileSync(path.join(home, 'candor.toml'), `[server]\nurl = "http://127.0.0.1:9"\nusername = "admin"\npassword_file = "navidrome-password"\n`);
    const status = await candor(['status'], { CANDOR_HOME: home });
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`! The password file named in the config is not read: ${secret} is a FIFO, not a regular file.`);
  });

  it('a lock file that is a device: a change is refused with the file named, and nothing changes', async () => {
    const home = sharingHome();
    symlinkSync('/dev/zero', path.join(home, 'candor.lock'));
    const result = await candor(['consent', 'yes'], { CANDOR_HOME: home });
    expect(result).toEqual({
      code: 1,
      stdout: '',
      stderr: `candor: Your answer could not be saved: ${path.join(home, 'candor.lock')} is a device, not a regular file. Nothing changed.\n`,
    });
  });
});

describe('history lines that are valid JSON but not entries', () => {
  it('are set aside like a torn line: `candor history` works, and the API never returns them', async () => {
    // A report is made only about a server that was read.
    const home = sharingHome(serverSection(servers.navidrome.url));
    const env = { CANDOR_HOME: home };
    expect((await candor(['consent', 'yes'], env)).code).toBe(0);
    expect((await candor(['export', '--out', path.join(home, 'report.json')], env)).code).toBe(0);
    const file = path.join(home, 'history.jsonl');
    const [real] = parseJson<HistoryEntry[]>((await candor(['history', '--json'], env)).stdout);
    const junk = [
      '{}',
      '[]',
      '42',
      'null',
      '"a string"',
      JSON.stringify({ id: 'idonly', body: '{}' }),
      JSON.stringify({ ...real, id: 'sizetext', size: 'big' }),
      JSON.stringify({ ...real, id: 'nodate', at: 'yesterday' }),
      JSON.stringify({ ...real, id: 'oddoutcome', outcome: 'exploded' }),
      JSON.stringify({ ...real, id: 'bad id with spaces' }),
      '{"__proto__":{"polluted":true},"id":"proto"}',
    ];
    appendFileSync(file, junk.join('\n') + '\n');

    const history = await candor(['history'], env);
    expect(history.code).toBe(0);
    expect(history.stdout.trim().split('\n')).toHaveLength(1);
    expect(history.stdout).toContain(real!.sha256.slice(0, 12));
    const json = parseJson<HistoryEntry[]>((await candor(['history', '--json'], env)).stdout);
    expect(json.map((e) => e.id)).toEqual([real!.id]);
    expect((await candor(['status'], env)).stdout).toContain(`! ${junk.length} damaged line(s) in the history file were skipped.`);

    // The same through the API an agent serves.
    const agent = await Agent.create({
      home,
      shell: 'headless',
      env: {},
      config: new CandorConfigFile({}, home),
      clock: systemClock,
      random: systemRandom,
      logger: silentLogger,
      http: { request: () => Promise.reject(new Error('no network in this test')) },
    });
    try {
      const page = await agent.listHistory({ offset: 0, limit: 100 });
      expect(page.entries.map((e) => e.id)).toEqual([real!.id]);
      for (const id of ['idonly', 'sizetext', 'nodate', 'oddoutcome']) await expect(agent.getHistoryEntry({ id })).rejects.toMatchObject({ code: 'not-found' });
      expect(JSON.parse(await agent.exportHistory())).toMatchObject({ entries: [{ id: real!.id }] });
    } finally {
      await agent.stop();
    }

    // The next append goes on as usual, and the junk stays skipped.
    expect((await candor(['export'], env)).code).toBe(0);
    expect(parseJson<HistoryEntry[]>((await candor(['history', '--json'], env)).stdout)).toHaveLength(2);
  });
});

describe('a data folder under a regular file', () => {
  it('blames the data folder, naming the file in its way, never the config file', async () => {
    const parent = tempHome('candor-odd-');
    const blocker = path.join(parent, 'not-a-folder');
    writeFileSync(blocker, '');
    const home = path.join(blocker, 'candor');
    const env = { CANDOR_HOME: home };
    const cause = `the data folder ${home} cannot be used (${blocker} is a file, not a folder)`;

    const status = await candor(['status'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`! Nothing can be saved or sent while ${cause}`);
    expect(status.stdout).not.toMatch(/candor\.toml \(unreadable|not allowed to write/);
    expect(status.stdout).toMatch(/^Decided by: +the default/m);

    const answer = await candor(['consent', 'no'], env);
    expect(answer).toEqual({
      code: 1,
      stdout: '',
      stderr: `candor: Your "no" could not be saved: ${cause}. Nothing is sent while this lasts, but fix it so the answer is kept.\n`,
    });
    const send = await candor(['send'], env);
    expect(send).toEqual({
      code: 1,
      stdout: '',
      stderr: `candor: Not sent: ${cause}, so the attempt could not be logged. Every report must be logged before it leaves.\n`,
    });
  });
});
