/**
 * The server on another host, for real: a Navidrome-compatible test server runs in a network
 * namespace of its own, reached over a veth pair, and the CLI (its own process, with the real
 * interface list and no injected decision) reports about it. Needs root and `ip netns`; where they
 * are missing the tests are skipped, saying why. test/core/report/server-elsewhere.test.ts proves the same
 * without a namespace.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Payload } from '../../shared/schema/payload';
import { candor, serverSection } from '../support/cli';
import { parseJson } from '../support/json';
import type { NavidromeSeed } from '../support/navidrome';

const SERVER_MAIN = path.resolve(import.meta.dirname, '../support/navidrome/main.ts');
const tag = process.pid % 100_000;
const NS = `candor-t-${tag}`;
const [HOST_END, NS_END] = [`cdrh${tag}`, `cdrn${tag}`];
const subnet = `10.216.${tag % 250}`;
const [HOST_ADDRESS, SERVER_ADDRESS] = [`${subnet}.1`, `${subnet}.2`];

function ip(...args: string[]): void {
  execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'], timeout: 10_000 });
}

/** Why a namespace cannot be made here, or null once one is made (with its veth pair, both ends up). */
function makeNamespace(): string | null {
  if (process.platform !== 'linux') return 'network namespaces are Linux only';
  if (process.getuid?.() !== 0) return 'making a network namespace needs root';
  try {
    ip('netns', 'add', NS);
  } catch (error) {
    return `\`ip netns add\` failed here (${String((error as { stderr?: Buffer }).stderr ?? error).trim() || 'no ip command'})`;
  }
  try {
    ip('link', 'add', HOST_END, 'type', 'veth', 'peer', 'name', NS_END);
    ip('link', 'set', NS_END, 'netns', NS);
    ip('addr', 'add', `${HOST_ADDRESS}/30`, 'dev', HOST_END);
    ip('link', 'set', HOST_END, 'up');
    ip('netns', 'exec', NS, 'ip', 'addr', 'add', `${SERVER_ADDRESS}/30`, 'dev', NS_END);
    ip('netns', 'exec', NS, 'ip', 'link', 'set', NS_END, 'up');
    ip('netns', 'exec', NS, 'ip', 'link', 'set', 'lo', 'up');
    return null;
  } catch (error) {
    removeNamespace();
    return `the veth pair could not be set up (${String((error as { stderr?: Buffer }).stderr ?? error).trim()})`;
  }
}

function removeNamespace(): void {
  for (const args of [
    ['link', 'del', HOST_END],
    ['netns', 'del', NS],
  ]) {
    try {
      ip(...args);
    } catch {
      // already gone: deleting the namespace takes its end of the pair, and the pair with it
    }
  }
}

interface Remote {
  child: ChildProcess;
  url: string;
  seed: NavidromeSeed;
}

/** The test server in the namespace, listening on its end of the pair. */
function startRemoteServer(flags: string[]): Promise<Remote> {
  const child = spawn('ip', ['netns', 'exec', NS, process.execPath, '--import', 'tsx', SERVER_MAIN, '--host', SERVER_ADDRESS, ...flags], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stderr.on('data', (c: Buffer) => (err += c.toString()));
    child.stdout.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n')[0];
      if (out.includes('\n') && line) {
        const { url, seed } = parseJson<{ url: string; seed: NavidromeSeed }>(line);
        resolve({ child, url, seed });
      }
    });
    child.once('exit', (code) => reject(new Error(`the server in ${NS} exited with ${code}: ${err}`)));
  });
}

let unavailable: string | null = 'not set up yet';
const servers: Remote[] = [];
let home = '';

beforeAll(() => {
  unavailable = makeNamespace();
  // The reporter does not print a skip's note: say it where the run's output shows it.
  if (unavailable) console.warn(`The tests of a server on another host are skipped: ${unavailable}.`);
  home = mkdtempSync(path.join(os.tmpdir(), 'candor-elsewhere-'));
});

afterAll(async () => {
  await Promise.all(
    servers.map(
      ({ child }) =>
        new Promise<void>((resolve) => {
          if (child.exitCode !== null) return resolve();
          child.once('exit', () => resolve());
          child.kill('SIGTERM');
        }),
    ),
  );
  if (unavailable === null) removeNamespace();
  rmSync(home, { recursive: true, force: true });
});

async function previewOf(remote: Remote, name: string) {
  const config = path.join(home, `${name}.toml`);
  writeFileSync(config, serverSection(remote.url));
  const env = { CANDOR_HOME: path.join(home, name), CANDOR_CONFIG: config };
  const json = await candor(['preview', '--json'], env);
  expect(json.code, json.stderr).toBe(0);
  const text = await candor(['preview'], env);
  const status = await candor(['status'], env);
  return { payload: parseJson<Payload>(json.stdout), text: text.stdout, status: status.stdout };
}

// Each test starts a server process in the namespace and runs the CLI three times: a busy machine needs the time.
describe('a server on another host (a network namespace over a veth pair)', { timeout: 120_000 }, () => {
  it('is told apart from this machine: no os, fs, mem or candor.hostMemory, each left out with its reason', async (ctx) => {
    if (unavailable) return ctx.skip(`skipped: ${unavailable}`);
    const remote = await startRemoteServer(['--no-prometheus']);
    servers.push(remote);
    const { payload, text, status } = await previewOf(remote, 'no-metrics');
    // What the server says about itself is there: it was read.
    expect(payload.version).toBe(remote.seed.version);
    expect(payload.library?.tracks).toBe(remote.seed.songs.length);
    // What only its machine could say is not, and the preview says why, once each.
    for (const key of ['os', 'fs', 'mem'] as const) expect(payload[key], key).toBeUndefined();
    expect(payload.candor?.hostMemory).toBeUndefined();
    // One reason for the machine's facts, said once; the server's memory has its own (Prometheus).
    expect(text).toMatch(/^ {2}os, fs, candor\.hostMemory: The server runs on another machine, /m);
    expect(text).toMatch(/^ {2}mem: The server runs on another machine, .*Prometheus\.Enabled/m);
    expect(status).toMatch(/The server runs on another machine/);
  });

  it("with Prometheus readable, mem.sys is the server's own go_memstats_sys_bytes", async (ctx) => {
    if (unavailable) return ctx.skip(`skipped: ${unavailable}`);
    const remote = await startRemoteServer([]);
    servers.push(remote);
    const { payload, text } = await previewOf(remote, 'metrics');
    expect(payload.mem).toEqual({ sys: remote.seed.memory.goSysBytes });
    expect(payload.candor?.sources?.memory).toBe('prometheus');
    expect(payload.os).toBeUndefined();
    expect(payload.candor?.hostMemory).toBeUndefined();
    expect(text).not.toMatch(/^ {2}mem: /m);
    expect(text).toMatch(/^ {2}os, fs, candor\.hostMemory: The server runs on another machine, /m);
  });
});
