/**
 * No server configured, through the real `bin/candor.js`: `status`, `preview` and `run` say so once,
 * name the config file they read (the resolved path) and the `[server]` keys, or `candor serve`.
 * A `status` writes nothing but the id the first preview makes, and starts no grace period. A
 * CANDOR_CONFIG naming a missing file is said out loud and holds sharing off.
 */
import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempHome } from '../../support/agent-harness';
import type { AgentStatus } from '../../../shared/api-contract';
import type { PersistedState } from '../../../core/state/state-schema';
import { candor, candorJson, candorLongRunning } from '../../support/cli';
import { readJson } from '../../support/json';

const count = (text: string, part: string) => text.split(part).length - 1;

function expectHintOnce(output: string, configPath: string, exists: boolean): void {
  expect(count(output, 'To read your music server')).toBe(1);
  expect(output).toContain(`${configPath}${exists ? ':' : ' (it does not exist yet):'}`);
  for (const key of ['[server]', 'url = ', 'username = ', 'password_file = ']) expect(output).toContain(key);
  expect(output).toMatch(/or run `candor serve` and set it in the browser/);
}

describe('no server configured', () => {
  it('`status` says so once, names the config file it reads, and writes only the instance id (no grace period)', async () => {
    const home = path.join(tempHome('candor-noserver-'), 'data');
    const result = await candor(['status'], { CANDOR_HOME: home });
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Server: +none configured \(see below\)$/m);
    expect(count(result.stdout, 'No server is configured yet.')).toBe(1);
    expect(result.stdout).toMatch(/^ {2}server, server-config, uptime, filesystems +skipped +No server is configured yet\.$/m);
    expectHintOnce(result.stdout, path.join(home, 'candor.toml'), false);
    // What the core writes at a first preview (the id, under the folder lock) and nothing else.
    expect(readdirSync(home).sort()).toEqual(['candor.lock', 'deletion-keys.json', 'state.json']);
    const state = readJson<PersistedState>(path.join(home, 'state.json'));
    expect(state.instanceId).toMatch(/^[0-9a-f-]{36}$/);
    expect(state.firstStartAt).toBeUndefined();
    expect(state.consent).toEqual({});
    const again = await candorJson<AgentStatus>(['status', '--json'], { CANDOR_HOME: home });
    expect(again.consent.paused).toEqual({ reason: 'headless-grace' });
    expect(again.instanceId).toBe(state.instanceId);
  });

  it('`preview` lists each field left out once, a reason once, then the hint; `--json` prints the bytes alone', async () => {
    const home = tempHome('candor-noserver-');
    const config = path.join(home, 'elsewhere.toml');
    writeFileSync(config, '[history]\nretention_days = 30\n');
    // A relative CANDOR_CONFIG is named by the path it resolves to.
    const env = { CANDOR_HOME: home, CANDOR_CONFIG: path.relative(process.cwd(), config) };
    const text = await candor(['preview'], env);
    expect(text.code).toBe(0);
    expect(count(text.stdout, 'No server is configured yet.')).toBe(1);
    const leftOut = text.stdout.split('Left out:\n')[1]!.split('\n\n')[0]!.split('\n');
    const fields = leftOut.flatMap((line) => line.trim().split(': ')[0]!.split(', '));
    expect(fields).toContain('version');
    expect(new Set(fields).size).toBe(fields.length);
    expectHintOnce(text.stdout, config, true);
    const json = await candor(['preview', '--json'], env);
    expect(json.stderr).toBe('');
    expect(() => {
      JSON.parse(json.stdout);
    }).not.toThrow();
    expect(json.stdout.trim().split('\n')).toHaveLength(1);
  });

  it('`run` says it once after its notice', async () => {
    const home = tempHome('candor-noserver-');
    const run = candorLongRunning(['run'], { CANDOR_HOME: home }, /set it in the browser/);
    try {
      await run.started;
      expect(count(run.output().stdout, 'To read your music server')).toBe(1);
      expectHintOnce(run.output().stdout, path.join(home, 'candor.toml'), false);
      expect(await run.stop()).toBe(0);
    } finally {
      run.child.kill('SIGKILL');
    }
  });

  it('a CANDOR_CONFIG naming a missing file is said out loud and holds sharing off', async () => {
    const home = tempHome('candor-noconfig-');
    const missing = path.join(home, 'not-there.toml');
    const env = { CANDOR_HOME: home, CANDOR_CONFIG: missing };
    const said = `CANDOR_CONFIG names ${missing}, which does not exist: sharing is held off until that file is there or CANDOR_CONFIG is unset.`;
    const status = await candor(['status'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(/^Sharing: +off$/m);
    expect(status.stdout).toContain(`  ! ${said}`);
    expectHintOnce(status.stdout, missing, false);
    const preview = await candor(['preview', '--json'], env);
    expect(preview.stderr).toBe(`candor: ${said}\n`);
    await candor(['consent', 'yes'], env);
    const send = await candor(['send'], env);
    expect(send.code).toBe(1);
    expect(send.stderr).toContain(`candor: ${said}\n`);
    expect(send.stderr).toMatch(/sharing is off/);
  });
});
