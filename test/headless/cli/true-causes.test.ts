/**
 * Each message says the true cause and nothing else, through the real `bin/candor.js`: a collector
 * that is down is one line; an export onto an existing file is refused before anything is logged;
 * a config file with a syntax error is said as such, not as "no server configured"; a server
 * folder that does not exist here is named (music, data, cache, backup) and not blamed on the
 * connection; `status` shows the next report at the time the running keeper will send it.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { AgentStatus } from '../../../shared/api-contract';
import { localIso } from '../../../core/consent/describe';
import { tempHome } from '../../support/agent-harness';
import { candor, candorJson, candorLongRunning, serverSection } from '../../support/cli';
import { closedPort } from '../../support/loopback';
import { receiverAndServer } from '../../support/receiver-and-server';

const servers = receiverAndServer((_req, res) => res.writeHead(204).end());

function homeWith(config: string): Record<string, string> {
  const dir = tempHome('candor-causes-');
  writeFileSync(path.join(dir, 'candor.toml'), config);
  return { CANDOR_HOME: dir };
}

describe('true causes, one line each', () => {
  it('`candor send` to a collector that is down: one line on stderr, exit 1, recorded as a failure', async () => {
    // A report about a server that was read, so that the collector is what fails.
    const env = homeWith(`[insights]\nendpoint = "http://127.0.0.1:${await closedPort()}/collect"\n${serverSection(servers.navidrome.url)}`);
    expect((await candor(['consent', 'yes'], env)).code).toBe(0);
    const result = await candor(['send'], env);
    expect(result).toEqual({ code: 1, stdout: '', stderr: 'candor: Not sent: could not connect.\n' });
    expect((await candor(['history'], env)).stdout).toMatch(/ failed +manual .* could not connect$/m);
  });

  it('`candor export --out` onto an existing file refuses, leaves it as it was, and logs nothing', async () => {
    const env = homeWith(`[insights]\nendpoint = "${servers.collector.url}/collect"\n${serverSection(servers.navidrome.url)}`);
    const file = path.join(env.CANDOR_HOME!, 'report.json');
    writeFileSync(file, 'mine');
    const result = await candor(['export', '--out', file], env);
    expect(result).toEqual({ code: 1, stdout: '', stderr: `candor: ${file} exists already: nothing was overwritten, and nothing was exported.\n` });
    expect(readFileSync(file, 'utf8')).toBe('mine');
    expect((await candor(['history'], env)).stdout).toBe('Nothing has been sent yet.\n');
    // Where it can be written, it is, and the export is logged once.
    const fresh = path.join(env.CANDOR_HOME!, 'fresh.json');
    expect((await candor(['export', '--out', fresh], env)).code).toBe(0);
    expect((await candor(['history'], env)).stdout.trim().split('\n')).toHaveLength(1);
  });

  it('a config file with a syntax error says only that: no "no server configured", no hint to set one', async () => {
    const env = homeWith('[insights\nenabled = true\n');
    const file = path.join(env.CANDOR_HOME!, 'candor.toml');
    const status = await candor(['status'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toContain(`! The config file ${file} is not valid TOML (line 1): sharing is held off until it is fixed.`);
    expect(status.stdout).toMatch(/^Sharing: +off$/m);
    expect(status.stdout).toMatch(/^Server: +not known: the config file cannot be read$/m);
    const preview = await candor(['preview'], env);
    expect(preview.code).toBe(0);
    for (const output of [status.stdout, preview.stdout]) {
      expect(output).not.toMatch(/No server is configured|none configured|To read your music server|\[server\]/);
    }
  });

  it('a server folder that does not exist here is named, and nothing sends the user to the connection', async () => {
    const env = homeWith('[server]\nconfig_file = "servers.navidrome.toml"\n');
    const music = path.join(env.CANDOR_HOME!, 'music');
    mkdirSync(music);
    writeFileSync(path.join(env.CANDOR_HOME!, 'servers.navidrome.toml'), `MusicFolder = "${music}"\nDataFolder = "/nonexistent/candor-test-data"\n`);
    const status = await candor(['status'], env);
    expect(status.code).toBe(0);
    expect(status.stdout).toMatch(
      /^ {2}filesystems +partial +The data and cache folders the server names do not exist on this machine\. If the server runs in a container or on another machine, that is expected: only the filesystem type is left out\.$/m,
    );
    expect(status.stdout).not.toMatch(/connection|The folder does not exist\./);
    const preview = await candor(['preview'], env);
    expect(preview.stdout).toMatch(/^ {2}fs\.data\.type, fs\.cache\.type: The folder the server names does not exist on this machine/m);
  });

  it('`candor status` shows the next report at the time the running keeper will send it, as its UI does', async () => {
    const env = homeWith(`[insights]\nendpoint = "${servers.collector.url}/collect"\n`);
    expect((await candor(['consent', 'yes'], env)).code).toBe(0);
    const serve = candorLongRunning(['serve'], env, /Candor admin UI: \S+/);
    try {
      await serve.started;
      const url = new URL(/Candor admin UI: (\S+)/.exec(serve.output().stdout)![1]!);
      const token = url.hash.replace('#token=', '');
      const res = await fetch(new URL('/api/getStatus', url), {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', origin: url.origin },
        body: 'null',
      });
      const shown = ((await res.json()) as { result: AgentStatus }).result;
      // The keeper waits 5 to 10 minutes after its start: a one-shot `status` must not say "now".
      expect(shown.scheduler.role).toBe('keeper');
      const due = shown.schedule.nextDueAt!;
      expect(Date.parse(due)).toBeGreaterThan(Date.now() + 60_000);
      const fromCli = await candorJson<AgentStatus>(['status', '--json'], env);
      expect(fromCli.schedule.nextDueAt).toBe(due);
      expect((await candor(['status'], env)).stdout).toContain(`Next due:     ${localIso(Date.parse(due))}`);
    } finally {
      expect(await serve.stop()).toBe(0);
    }
  });
});
