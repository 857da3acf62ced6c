import { execFile, spawn } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import { parseJson } from './json';

const run = promisify(execFile);
export const CANDOR_BIN = path.resolve(import.meta.dirname, '../../bin/candor.js');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

/** A `[server]` section naming a Navidrome-compatible test server and its seeded admin. */
export function serverSection(url: string, password = 'alice-canary-pass'): string {
  return `[server]\nurl = "${url}"\nusername = "canary-admin-alice"\npassword = "${password}"\n`;
}

/** Runs the real `bin/candor.js` in its own process, as a user or a script would. */
export async function candor(args: string[], env: Record<string, string> = {}, options: { timeoutMs?: number } = {}): Promise<CliResult> {
  try {
    const { stdout, stderr } = await run(process.execPath, [CANDOR_BIN, ...args], {
      env: { ...process.env, DO_NOT_TRACK: '', ...env },
      timeout: options.timeoutMs ?? 30_000,
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    // Killed at the time limit (a hang): no exit code, so no test expecting one can pass.
    const e = error as { code: number | null; stdout: string; stderr: string };
    return { code: e.code ?? -1, stdout: e.stdout, stderr: e.stderr };
  }
}

/** Starts a long-running command (`run`, `serve`); resolves once `ready` matches its output. */
export function candorLongRunning(args: string[], env: Record<string, string>, ready: RegExp) {
  const child = spawn(process.execPath, [CANDOR_BIN, ...args], { env: { ...process.env, DO_NOT_TRACK: '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (c: Buffer) => (stdout += c.toString()));
  child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
  const exited = new Promise<number>((resolve) => child.once('exit', (code) => resolve(code ?? -1)));
  const started = new Promise<void>((resolve, reject) => {
    const check = () => {
      if (ready.test(stdout + stderr)) resolve();
    };
    child.stdout.on('data', check);
    child.stderr.on('data', check);
    void exited.then((code) => reject(new Error(`candor ${args.join(' ')} exited with ${code} before it was ready: ${stderr}`)));
  });
  return {
    child,
    started,
    exited,
    output: () => ({ stdout, stderr }),
    async stop(): Promise<number> {
      child.kill('SIGTERM');
      return exited;
    },
  };
}

/**
 * Runs a `--json` command and parses what it printed, typed as that command's output (`status`:
 * AgentStatus, `preview`: Payload, `history`: HistoryEntry[]).
 */
export async function candorJson<T>(args: string[], env: Record<string, string> = {}): Promise<T> {
  return parseJson<T>((await candor(args, env)).stdout);
}

/**
 * `candor serve`'s API as the admin UI calls it, from the link it printed (the secret rides in the
 * link's fragment): `call(method, input)` answers the envelope, `{ ok, result }` or `{ ok, error }`.
 */
export function serveApi(printed: string) {
  const link = new URL(/Candor admin UI: (http\S+)/.exec(printed)![1]!);
  const token = new URLSearchParams(link.hash.slice(1)).get('token')!;
  return {
    async call<T>(method: string, input?: unknown): Promise<{ status: number; ok: boolean; result?: T; error?: { code: string; message: string } }> {
      const answer = await fetch(new URL(`/api/${method}`, link), {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
        body: input === undefined ? 'null' : JSON.stringify(input),
      });
      return { status: answer.status, ...((await answer.json()) as { ok: boolean; result?: T; error?: { code: string; message: string } }) };
    },
  };
}
