/**
 * The real `candor-collector` process: flags, exit codes and one-line reasons, the "listening on"
 * line, SIGTERM draining the queue, durability of a 2xx across a SIGKILL, and private files.
 */
import { spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closedPort } from '../support/loopback';
import { candorReport, collectorProcesses, getSummary, newId, post, runCollectorCli, sqliteRows } from './support/harness';

const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});
function tempDir(): string {
  const d = mkdtempSync(path.join(os.tmpdir(), 'collector-cli-'));
  temps.push(d);
  return d;
}

const runToExit = runCollectorCli;

const startCli = collectorProcesses();

/** The commands docs/collector.md gives for scripts, with the data folder replaced by a temp one. */
function scriptCommands(): string[] {
  const doc = readFileSync(path.resolve(import.meta.dirname, '../../docs/collector.md'), 'utf8');
  const block = /<!-- for scripts -->\s*```sh\n([\s\S]*?)```/.exec(doc);
  if (!block) return [];
  return block[1]!
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'));
}

function firstStdoutLine(command: string, dataDir: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn('sh', ['-c', command.replace('./collector-data', dataDir)], {
      cwd: path.resolve(import.meta.dirname, '../..'),
      stdio: ['ignore', 'pipe', 'ignore'],
      detached: true,
    });
    let out = '';
    const stop = (line: string) => {
      try {
        process.kill(-child.pid!, 'SIGTERM');
      } catch {
        // already gone
      }
      resolve(line);
    };
    child.stdout.on('data', (c) => {
      out += c;
      const newline = out.indexOf('\n');
      if (newline >= 0) stop(out.slice(0, newline));
    });
    child.on('error', reject);
    child.on('exit', () => stop(out));
  });
}

describe('the documented way for scripts to start the collector', () => {
  it('gives the "listening on" line as the very first line of stdout, for every command the docs list', async () => {
    const commands = scriptCommands();
    expect(commands.length, 'docs/collector.md lists the commands for scripts after <!-- for scripts -->').toBeGreaterThanOrEqual(2);
    expect(commands.some((c) => c.startsWith('npm run'))).toBe(true);
    for (const command of commands) {
      expect(await firstStdoutLine(command, tempDir()), command).toMatch(/^listening on http:\/\/127\.0\.0\.1:\d+$/);
    }
  });
});

describe('candor-collector command line', () => {
  it('--help prints usage and exits 0', async () => {
    const r = await runToExit(['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^Usage: candor-collector/);
    expect(r.stdout).toContain('--trust-proxy');
  });

  it('--version and -v print the version alone and exit 0', async () => {
    const { version } = JSON.parse(readFileSync(path.resolve(import.meta.dirname, '../../package.json'), 'utf8')) as { version: string };
    for (const flag of ['--version', '-v']) expect(await runToExit([flag])).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it.each([
    [['--frobnicate'], /unknown option/i],
    [['--data-dir', '/tmp/x', '--port', 'eighty'], /--port must be a number/],
    [['--data-dir', '/tmp/x', '--port', '70000'], /--port must be a number/],
    [['--port', '8080'], /one of --data-dir DIR or --database-url URL is required/],
    [['--data-dir', '/tmp/x', '--database-url', 'postgres://h/db'], /either --data-dir or --database-url/],
    [['--database-url', 'mysql://h/db'], /must start with postgres:\/\//],
    [['--data-dir', '/tmp/x', '--trust-proxy', '10.0.0.0/8,not-an-ip'], /--trust-proxy: not an address or CIDR: not-an-ip/],
    [['--data-dir', '/tmp/x', '--trust-proxy', '10.0.0.0/33'], /--trust-proxy/],
    [['--data-dir', '/tmp/x', '--log-level', 'loud'], /--log-level must be one of/],
    [['stray-positional'], /unexpected argument/i],
    [['--data-dir', '/tmp/x', '--durability', 'sometimes'], /--durability must be normal or full/],
    [['--database-url', 'postgres://h/db', '--durability', 'full'], /--durability applies to --data-dir/],
    [['--data-dir', '/tmp/x', '--name', 'replica 1'], /--name must be 1 to 64 letters/],
  ])('bad usage %j exits 2 with one line', async (args, message) => {
    const r = await runToExit(args);
    expect(r.code).toBe(2);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(message);
    expect(r.stdout).toBe('');
  });

  it('an unusable data folder exits 1 with one line', async () => {
    const file = path.join(tempDir(), 'a-file');
    writeFileSync(file, 'x');
    const r = await runToExit(['--port', '0', '--data-dir', path.join(file, 'sub')]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/data folder .* is not usable/);
  });

  it('an unreachable database exits 1 with one line, without printing the password', async () => {
    const port = await closedPort();
    const r = await runToExit(['--port', '0', '--database-url', `postgres://collector:s3cret-pw@127.0.0.1:${port}/insights`]);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/database postgres:\/\/collector@127\.0\.0\.1:\d+\/insights is unreachable/);
    expect(r.stderr + r.stdout).not.toContain('s3cret-pw');
  });

  it('a port already in use exits 1 with one line', async () => {
    const blocker = http.createServer();
    await new Promise<void>((r) => blocker.listen(0, '127.0.0.1', r));
    const { port } = blocker.address() as { port: number };
    const r = await runToExit(['--port', String(port), '--data-dir', tempDir()]);
    blocker.close();
    expect(r.code).toBe(1);
    expect(r.stderr.trim()).toBe(`candor-collector: port ${port} on 127.0.0.1 is already in use`);
  });

  it('SIGTERM drains the write queue: every 200 is a stored row, and the exit code is 0', async () => {
    const dir = tempDir();
    const { child, url, exited } = await startCli(['--port', '0', '--data-dir', dir]);
    const agent = new http.Agent({ keepAlive: true, maxSockets: 32 });
    const results: Promise<number>[] = [];
    let signalled = false;
    for (let i = 0; i < 300; i++) {
      results.push(
        new Promise<number>((resolve) => {
          const req = http.request(`${url}/collect`, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
            res.resume();
            res.on('end', () => {
              if (!signalled && res.statusCode === 200) {
                signalled = true;
                child.kill('SIGTERM');
              }
              resolve(res.statusCode ?? 0);
            });
          });
          req.on('error', () => resolve(0));
          req.end(JSON.stringify(candorReport()));
        }),
      );
    }
    const statuses = await Promise.all(results);
    agent.destroy();
    const exit = await exited;
    expect(exit.code).toBe(0);
    expect(exit.stderr).toContain('draining the write queue');
    const ok = statuses.filter((s) => s === 200).length;
    expect(ok).toBeGreaterThan(0);
    // Nothing answered 200 was lost; nothing refused was stored.
    expect(sqliteRows(dir)).toHaveLength(ok);
    // Refusals are fine (503 once draining; 429 once one address's burst allowance is spent): stored nothing.
    expect(statuses.every((s) => s === 200 || s === 503 || s === 429 || s === 0)).toBe(true);
  });

  it.each(['normal', 'full'])('a report answered 2xx survives SIGKILL right after the answer (--durability %s)', async (durability) => {
    const dir = tempDir();
    const first = await startCli(['--port', '0', '--data-dir', dir, '--durability', durability]);
    const id = newId();
    const reply = await post(first.url, candorReport({ id }));
    expect(reply.status).toBe(200);
    first.child.kill('SIGKILL');
    expect((await first.exited).code).toBe(null);

    const second = await startCli(['--port', '0', '--data-dir', dir]);
    const summary = await getSummary(second.url);
    expect(summary.days.at(-1)!.instances).toBe(1);
    second.child.kill('SIGTERM');
    expect((await second.exited).code).toBe(0);
    expect(sqliteRows(dir).map((r) => r.instance_id)).toEqual([id]);
  });

  it('makes the data folder it creates 0700 and the database, its WAL and shared memory 0600, whatever the umask; an older database is made 0600', async () => {
    const mode = (file: string) => statSync(file).mode & 0o777;
    const umask = process.umask(0);
    try {
      const made = path.join(tempDir(), 'data');
      const first = await startCli(['--port', '0', '--data-dir', made]);
      expect((await post(first.url, candorReport())).status).toBe(200);
      const file = path.join(made, 'collector.sqlite');
      expect(mode(made)).toBe(0o700);
      for (const f of [file, `${file}-wal`, `${file}-shm`]) expect([f, mode(f)]).toEqual([f, 0o600]);
      first.child.kill('SIGTERM');
      expect((await first.exited).code).toBe(0);

      // A database an earlier version left world-readable, in a folder the operator made (kept as it is).
      const given = tempDir();
      chmodSync(given, 0o755);
      writeFileSync(path.join(given, 'collector.sqlite'), '');
      chmodSync(path.join(given, 'collector.sqlite'), 0o644);
      const second = await startCli(['--port', '0', '--data-dir', given]);
      expect((await post(second.url, candorReport())).status).toBe(200);
      expect(mode(path.join(given, 'collector.sqlite'))).toBe(0o600);
      expect(existsSync(path.join(given, 'collector.sqlite-wal')) && mode(path.join(given, 'collector.sqlite-wal'))).toBe(0o600);
      expect(mode(given)).toBe(0o755);
      second.child.kill('SIGTERM');
      expect((await second.exited).code).toBe(0);
    } finally {
      process.umask(umask);
    }
  });
});
