import { readdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { tempHome } from '../../support/agent-harness';
import type { AgentStatus, HistoryEntry } from '../../../shared/api-contract';
import type { Payload } from '../../../shared/schema/payload';
import { CANDOR_BIN as bin, candor, candorJson, serverSection } from '../../support/cli';
import { parseJson } from '../../support/json';
import { receiverAndServer } from '../../support/receiver-and-server';

const servers = receiverAndServer((_req, res) => res.writeHead(200).end('{}'));

function home(config = ''): Record<string, string> {
  const dir = tempHome('candor-cli-');
  writeFileSync(path.join(dir, 'candor.toml'), `[insights]\nendpoint = "${servers.collector.url}/collect"\n${config}`);
  return { CANDOR_HOME: dir };
}

describe('the candor command line', () => {
  it('prints help with exit 0, and exit 2 with a one-line reason for bad usage', async () => {
    const help = await candor(['--help']);
    expect(help.code).toBe(0);
    expect(help.stdout).toMatch(/Usage: candor <command>/);
    const unknown = await candor(['frobnicate'], home());
    expect(unknown.code).toBe(2);
    expect(unknown.stderr.trim().split('\n')).toHaveLength(1);
    const badFlag = await candor(['status', '--colour'], home());
    expect(badFlag.code).toBe(2);
    expect((await candor(['consent', 'perhaps'], home())).code).toBe(2);
  });

  it('`preview --json` prints the exact bytes alone, and `send` posts those bytes', async () => {
    const env = home(serverSection(servers.navidrome.url));
    expect((await candor(['consent', 'yes'], env)).code).toBe(0);
    const preview = await candor(['preview', '--json'], env);
    expect(preview.code).toBe(0);
    const bytes = preview.stdout.replace(/\n$/, '');
    expect(() => {
      JSON.parse(bytes);
    }).not.toThrow();
    const before = servers.collector.received.length;
    const sent = await candor(['send'], env);
    expect(sent.code).toBe(0);
    const body = servers.collector.received[before]!.body;
    // Same facts, same bytes: only the memory figures and the server's uptime move between two runs
    // (and where the start time was read: a slow event stream on a loaded machine gives way to Prometheus).
    const strip = (t: string) => {
      const payload = parseJson<Payload>(t);
      const sources = { ...payload.candor?.sources, uptime: null };
      return JSON.stringify({ ...payload, uptime: null, candor: { ...payload.candor, hostMemory: null, sources } });
    };
    expect(strip(body)).toBe(strip(bytes));
    const history = await candorJson<HistoryEntry[]>(['history', '--json'], env);
    expect(history[0]!.body).toBe(body);
  });

  it('`send` exits 1 with a clear reason when sharing is off, naming the setting', async () => {
    const env = { ...home(), DO_NOT_TRACK: '1' };
    const result = await candor(['send'], env);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/sharing is off \(DO_NOT_TRACK=1/);
  });

  it('`status --json` says who decided, and that a config lock wins over the stored answer', async () => {
    const env = home('enabled = false\n');
    await candor(['consent', 'yes'], env);
    const status = await candorJson<AgentStatus>(['status', '--json'], env);
    expect(status.consent).toMatchObject({ sharing: false, locked: true, decidedBy: 'config-file', storedChoice: 'share' });
    expect(status.sources.map((s: { source: string }) => s.source)).toEqual(['server', 'server-config', 'uptime', 'host', 'filesystems']);
  });

  it('`run` says what will be sent and how to opt out, then stops cleanly on SIGTERM', async () => {
    const { spawn } = await import('node:child_process');
    const before = servers.collector.received.length;
    // A server on this machine: the report carries this machine's facts (a server elsewhere, or none, would not).
    const child = spawn(process.execPath, [bin, 'run'], { env: { ...process.env, DO_NOT_TRACK: '', ...home(serverSection(servers.navidrome.url)) } });
    let out = '';
    child.stdout.on('data', (c: Buffer) => (out += c.toString()));
    await new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (out.includes('To opt out')) {
          clearInterval(check);
          resolve();
        }
      }, 20);
    });
    expect(out).toMatch(/shares anonymous usage statistics once a day with http:\/\/127\.0\.0\.1:\d+\/collect/);
    expect(out).toMatch(/Not sent: the first report waits until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(Z|[+-]\d\d:\d\d) \(30 minutes after first start/);
    expect(out).toMatch(/"os":\{"type":"linux"/);
    child.kill('SIGTERM');
    const code = await new Promise((resolve) => child.once('exit', resolve));
    expect(code).toBe(0);
    expect(servers.collector.received).toHaveLength(before);
  });

  it('an opt-out written the wrong way still holds sharing off, and names the setting and the value', async () => {
    const cases: Array<[Record<string, string>, string[], RegExp]> = [
      [home('enabled = "false"\n'), [], /\[insights\] enabled = false/],
      [home('enabled = "nope"\n'), [], /\[insights\] enabled = "nope" in .* is not understood, so sharing is held off/],
      [{ ...home(), CANDOR_INSIGHTS_ENABLED: 'disabled' }, [], /CANDOR_INSIGHTS_ENABLED=disabled/],
      [{ ...home(), CANDOR_INSIGHTS_ENABLED: 'n' }, [], /CANDOR_INSIGHTS_ENABLED=n in the environment/],
      [{ ...home(), CANDOR_INSIGHTS_ENABLED: 'kinda' }, [], /CANDOR_INSIGHTS_ENABLED=kinda in the environment is not understood/],
      [home(), ['--share=no'], /--no-share flag/],
      [home(), ['--share=perhaps'], /--share=perhaps is not understood/],
    ];
    for (const [env, flags, label] of cases) {
      expect((await candor(['consent', 'yes'], env)).code).toBe(0);
      const before = servers.collector.received.length;
      const sent = await candor([...flags, 'send'], env);
      expect(sent.code, label.source).toBe(1);
      expect(sent.stderr, label.source).toMatch(/sharing is off/);
      expect(sent.stderr, label.source).toMatch(label);
      expect(servers.collector.received).toHaveLength(before);
    }
  });

  it('a state file holding `null` or wrong types breaks no command: it is set aside and the question asked again', async () => {
    for (const text of ['null', '{"version":2,"consent":{"choice":7},"schedules":[],"settings":null}']) {
      const env = home();
      writeFileSync(path.join(env.CANDOR_HOME!, 'state.json'), text);
      const status = await candor(['status', '--json'], env);
      expect(status.code).toBe(0);
      expect(status.stderr).not.toMatch(/at .*\.ts:\d+/);
      expect(parseJson<AgentStatus>(status.stdout).consent).toMatchObject({ storedChoice: null, paused: { reason: 'awaiting-answer' } });
      const answer = await candor(['consent', 'no'], env);
      expect(answer.code).toBe(0);
      expect(readdirSync(env.CANDOR_HOME!).some((f) => f.startsWith('state.json.damaged-'))).toBe(true);
      expect((await candorJson<AgentStatus>(['status', '--json'], env)).consent.storedChoice).toBe('decline');
    }
  });

  it('`send` waits for the headless grace period without an answer', async () => {
    const result = await candor(['send'], home());
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/the first report waits until 30 minutes after `candor run` or `candor serve` first starts; `candor consent yes` sends now/);
    expect(result.stderr).not.toMatch(/headless-grace/);
  });
});
