/**
 * The README's shell blocks, run as written, line by line, from a fresh copy of the repository
 * (every top-level entry linked into a temp folder, so what a command writes lands there) with a
 * HOME of its own (so the default data folder is new). One-shot commands must exit 0;
 * long-running ones must start and print their first line, then stop cleanly on SIGTERM. A few
 * lines cannot run inside the test run, each listed below with the reason and where it is
 * covered instead; the list must match the README, so it cannot rot.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempHome } from '../support/agent-harness';
import { serverSection } from '../support/cli';
import { defaultServerConfig, startNavidromeTestServer } from '../support/navidrome';
import { startCollector } from '../../collector/index';

const root = path.resolve(import.meta.dirname, '../..');

/** Lines that are not run here, and why. */
const NOT_RUN: Record<string, string> = {
  'npm ci': 'installs in place; CI runs it on every fresh clone (.ci/run)',
  'npm test': 'this very test run',
  'npm start': 'test/scripts/start.test.ts runs it without the Electron binary, as on this machine',
};

/** Lines that keep running (servers, the schedule), and the first output that says they started. */
const LONG_RUNNING: Record<string, RegExp> = {
  'npx candor serve': /^Candor admin UI: http:\/\/127\.0\.0\.1:\d+\/#token=/m,
};

/** Every line of every ```sh block, without its comment. */
function shellLines(markdown: string): string[] {
  const blocks = [...markdown.matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
  return blocks.flatMap((block) =>
    block
      .split('\n')
      .map((line) => line.replace(/\s+#\s.*$/, '').trim())
      .filter((line) => line !== '' && !line.startsWith('#')),
  );
}

/** A fresh "clone": the repository's entries linked into a new folder (node_modules and the builds included). */
function cloneLike(): string {
  const dir = path.join(tempHome('candor-readme-'), 'candor');
  mkdirSync(dir);
  for (const name of readdirSync(root)) if (name !== '.git') symlinkSync(path.join(root, name), path.join(dir, name));
  return dir;
}

function run(line: string, cwd: string, env: NodeJS.ProcessEnv, ready?: RegExp): Promise<{ code: string; output: string }> {
  const child = spawn('bash', ['-c', line], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: ready !== undefined });
  let output = '';
  const exited = new Promise<string>((resolve) => child.once('close', (code, signal) => resolve(signal ?? String(code))));
  return new Promise((resolve) => {
    const collect = (chunk: Buffer) => {
      output += chunk.toString();
      // Started: stop it the way a service manager would (its whole process group: npm, npx and the command).
      if (ready?.test(output)) {
        ready = undefined;
        process.kill(-child.pid!, 'SIGTERM');
      }
    };
    child.stdout.on('data', collect);
    child.stderr.on('data', collect);
    void exited.then((code) => resolve({ code, output }));
  });
}

describe('the README, as written', () => {
  it('runs every command of its shell blocks from a fresh copy', async () => {
    const readme = readFileSync(path.join(root, 'README.md'), 'utf8');
    const lines = shellLines(readme);
    for (const line of [...Object.keys(NOT_RUN), ...Object.keys(LONG_RUNNING)]) expect(lines, `the README no longer has "${line}"`).toContain(line);

    const cwd = cloneLike();
    const home = tempHome('candor-readme-home-');
    // The default data folder, with reports pointed at a collector of the test's own (`candor verify` asks it): nothing reaches a real one.
    // The server is set there, as the README's first steps say: a report is made only about a server that was read.
    const collector = await startCollector();
    const navidrome = await startNavidromeTestServer({ config: { ...defaultServerConfig(), AuthRequestLimit: 0 } });
    const dataFolder = path.join(home, '.local', 'share', 'candor');
    mkdirSync(dataFolder, { recursive: true });
    writeFileSync(path.join(dataFolder, 'candor.toml'), `[insights]\nendpoint = "${collector.url}/collect"\n${serverSection(navidrome.url)}`);
    const env: NodeJS.ProcessEnv = { ...process.env, HOME: home, DO_NOT_TRACK: '', npm_config_update_notifier: 'false' };
    for (const name of ['CANDOR_HOME', 'CANDOR_CONFIG', 'XDG_DATA_HOME', 'CANDOR_INSIGHTS_ENABLED', 'CANDOR_INSIGHTS_LEVEL']) delete env[name];

    const ran: string[] = [];
    try {
      for (const line of lines) {
        if (line in NOT_RUN) continue;
        const result = await run(line, cwd, env, LONG_RUNNING[line]);
        // npm passes SIGTERM on to the command, then ends by the same signal.
        if (line in LONG_RUNNING) expect(['0', 'SIGTERM'], `${line}\n${result.output}`).toContain(result.code);
        else expect({ line, code: result.code }, result.output).toEqual({ line, code: '0' });
        expect(result.output, line).not.toMatch(/^\s+at |Error:/m);
        ran.push(line);
      }
    } finally {
      await collector.close();
      await navidrome.close();
    }
    expect(ran.length).toBeGreaterThanOrEqual(8);
    // What the commands wrote stayed in the copy and its HOME.
    expect(readdirSync(cwd)).toContain('report.json');
    expect(readdirSync(dataFolder)).toContain('history.jsonl');
  }, 600_000);
});
