/**
 * A reader that goes away and a user who presses Ctrl+C, through the real `bin/candor.js`:
 * `candor history | head` and `candor preview | head` end with exit 0 and no EPIPE or stack trace;
 * Ctrl+C during `candor send` says in one line what the history now holds.
 */
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import type http from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HistoryEntry } from '../../../shared/api-contract';
import { tempHome } from '../../support/agent-harness';
import { CANDOR_BIN, candor, candorJson, serverSection } from '../../support/cli';
import { loopbackServer } from '../../support/loopback';
import { defaultServerConfig, startNavidromeTestServer, type NavidromeTestServer } from '../../support/navidrome';

/** Answers nothing until the test lets it: a collector or a music server that hangs. */
let held: http.ServerResponse[] = [];
let hanging: Awaited<ReturnType<typeof loopbackServer>>;
/** A music server that answers (every command signs in: no sign-in limit): a report is made only about a server that was read. */
let navidrome: NavidromeTestServer;
beforeAll(async () => {
  hanging = await loopbackServer((_req, res) => void held.push(res));
  navidrome = await startNavidromeTestServer({ config: { ...defaultServerConfig(), AuthRequestLimit: 0 } });
});
afterAll(async () => {
  for (const res of held) res.destroy();
  held = [];
  await hanging.close();
  await navidrome.close();
});

function homeWith(config: string): Record<string, string> {
  const dir = tempHome('candor-interrupt-');
  writeFileSync(path.join(dir, 'candor.toml'), config);
  return { CANDOR_HOME: dir };
}

/** Runs a command whose reader closes the pipe before reading anything (as `| head` does once satisfied). */
function withClosedStdout(args: string[], env: Record<string, string>): Promise<{ code: number | null; stderr: string }> {
  const child = spawn(process.execPath, [CANDOR_BIN, ...args], { env: { ...process.env, DO_NOT_TRACK: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout.destroy();
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  return new Promise((resolve) => child.once('close', (code) => resolve({ code, stderr })));
}

describe('a closed pipe is not an error', () => {
  it('history, history --json, preview, preview --json and status end with exit 0 and say nothing on stderr', async () => {
    const env = homeWith(`[insights]\nendpoint = "http://127.0.0.1:9/collect"\n${serverSection(navidrome.url)}`);
    expect((await candor(['consent', 'yes'], env)).code).toBe(0);
    for (let i = 0; i < 3; i++) expect((await candor(['export'], env)).code).toBe(0);
    for (const args of [['history'], ['history', '--json'], ['preview'], ['preview', '--json'], ['status']]) {
      expect(await withClosedStdout(args, env), args.join(' ')).toEqual({ code: 0, stderr: '' });
    }
  });
});

describe('Ctrl+C during `candor send`', () => {
  const interrupt = async (env: Record<string, string>, requestsBefore: number) => {
    const child = spawn(process.execPath, [CANDOR_BIN, 'send'], { env: { ...process.env, DO_NOT_TRACK: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('close', resolve));
    // Interrupt once the hanging server has the request: the send is then exactly where the test says.
    await expect.poll(() => hanging.received.length, { timeout: 20_000 }).toBeGreaterThan(requestsBefore);
    child.kill('SIGINT');
    return { code: await exited, stdout, stderr };
  };

  it('while the report is on its way: one line, and the history records "no answer"', async () => {
    const env = homeWith(`[insights]\nendpoint = "${hanging.url}/collect"\n${serverSection(navidrome.url)}`);
    expect((await candor(['consent', 'yes'], env)).code).toBe(0);
    const result = await interrupt(env, hanging.received.length);
    expect(result).toEqual({
      code: 130,
      stdout: '',
      stderr: 'candor: stopped while the report was on its way; the history records it as "no answer" (the collector may have received it).\n',
    });
    const history = await candorJson<HistoryEntry[]>(['history', '--json'], env);
    expect(history.map((e) => e.outcome)).toEqual(['no-answer']);
  });

  it('before anything was sent (the music server is still being read): one line, and nothing recorded', async () => {
    const env = homeWith(
      `[insights]\nendpoint = "http://127.0.0.1:9/collect"\n[server]\nurl = "${hanging.url}"\nusername = "admin"\npassword = "not-a-real-password"\n`,
    );
    expect((await candor(['consent', 'yes'], env)).code).toBe(0);
    const result = await interrupt(env, hanging.received.length);
    expect(result).toEqual({ code: 130, stdout: '', stderr: 'candor: stopped before anything was sent; nothing was recorded.\n' });
    expect((await candor(['history'], env)).stdout).toBe('Nothing has been sent yet.\n');
  });
});
