import { execFile, execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Payload } from '../../shared/schema/payload';
import { tempHome } from '../support/agent-harness';
import { parseJson, type HistoryExport } from '../support/json';
import { loopbackServer } from '../support/loopback';
import { startNavidromeTestServer, type NavidromeTestServer } from '../support/navidrome';

const run = promisify(execFile);
const HOSTNAME_CANARY = 'canary-host-omega';

/** Root on Linux can give the child its own host name (a UTS namespace): the strongest host canary. */
function canSetHostname(): boolean {
  try {
    return execFileSync('unshare', ['-u', 'sh', '-c', `hostname ${HOSTNAME_CANARY} && hostname`], { encoding: 'utf8' }).trim() === HOSTNAME_CANARY;
  } catch {
    return false;
  }
}

function strings(value: unknown, out: string[] = []): string[] {
  if (typeof value === 'string') out.push(value);
  else if (Array.isArray(value)) value.forEach((v) => strings(v, out));
  else if (value && typeof value === 'object') Object.values(value).forEach((v) => strings(v, out));
  return out;
}

let navidrome: NavidromeTestServer;
let collector: Awaited<ReturnType<typeof loopbackServer>>;
beforeAll(async () => {
  navidrome = await startNavidromeTestServer();
  collector = await loopbackServer((_req, res) => res.writeHead(204).end());
});
afterAll(async () => {
  await navidrome.close();
  await collector.close();
});

describe('canaries: identifying values planted everywhere never leave', () => {
  it('appear in no payload, log line or message, while the report still uses the data they sit in', async () => {
    const root = tempHome('candor-canary-');
    const folders = Object.fromEntries(['music', 'data', 'cache', 'backup'].map((f) => [f, path.join(root, `canary-${f}-folder-zeta`)]));
    for (const folder of Object.values(folders)) mkdirSync(folder);
    const home = path.join(root, 'canary-home-omega');
    mkdirSync(home);
    const configFile = path.join(root, 'canary-config-dir', 'navidrome.toml');
    mkdirSync(path.dirname(configFile));
    writeFileSync(
      configFile,
      [
        `MusicFolder = "${folders.music}"`,
        `DataFolder = "${folders.data}"`,
        `CacheFolder = "${folders.cache}"`,
        `BaseURL = "/canary-base-url"`,
        `DevAutoLoginUsername = "canary-autologin-user"`,
        `[LastFM]\nEnabled = true\nApiKey = "canary-lastfm-key-123"\nSecret = "canary-lastfm-secret-456"`,
        `[Backup]\nPath = "${folders.backup}"\nSchedule = "@every 24h"\nCount = 3`,
        `[Prometheus]\nEnabled = true\nMetricsPath = "/canary-metrics-path"\nPassword = "canary-prom-password"`,
      ].join('\n'),
    );

    const hostnameIsCanary = canSetHostname();
    const child = [
      '--import',
      'tsx',
      path.join(import.meta.dirname, 'fixtures/canary-agent.ts'),
      path.join(home, '.candor'),
      navidrome.url,
      'canary-admin-alice',
      'alice-canary-pass',
      configFile,
      `${collector.url}/collect`,
    ];
    const command = hostnameIsCanary
      ? (['unshare', ['-u', 'sh', '-c', `hostname ${HOSTNAME_CANARY} && exec "$0" "$@"`, process.execPath, ...child]] as const)
      : ([process.execPath, child] as const);
    const { stdout } = await run(command[0], [...command[1]], {
      env: { ...process.env, HOME: home, USER: 'canary-os-user', DO_NOT_TRACK: '' },
      maxBuffer: 64 * 1024 * 1024,
    });
    const seen = JSON.parse(stdout) as {
      preview: { text: string; omitted: Array<{ reason: string }>; guard: unknown };
      outcome: { ok: boolean; message: string };
      status: { sources: Array<{ message: string }>; warnings: string[] };
      connection: { checks: Array<{ message: string }> };
      history: string;
      logLines: string[];
    };

    // The report really was built from the planted data…
    expect(seen.outcome, JSON.stringify(seen.preview.guard)).toMatchObject({ ok: true });
    const payload = parseJson<Payload>(seen.preview.text);
    expect(payload.library?.tracks).toBe(navidrome.seed.songs.length);
    expect(payload.config?.enableLastFM).toBe(true);
    expect(Object.keys(payload.fs ?? {})).toEqual(['music', 'data', 'cache', 'backup']);

    // …yet nothing identifying came out of it.
    const canaries = [
      ...new Set([
        ...strings(navidrome.seed).filter((s) => /canary/i.test(s)),
        ...navidrome.seed.players.map((p) => p.ip),
        ...Object.values(folders),
        'canary-data-folder-zeta',
        home,
        'canary-home-omega',
        'canary-os-user',
        configFile,
        'canary-base-url',
        'canary-lastfm-key-123',
        'canary-metrics-path',
        'canary-prom-password',
        'alice-canary-pass',
        navidrome.url,
        // The host name canary needs a UTS namespace (root on Linux); elsewhere the rest still runs.
        ...(hostnameIsCanary ? [HOSTNAME_CANARY] : []),
      ]),
    ].filter((s) => s.length >= 4);
    expect(canaries.length).toBeGreaterThan(60);

    const bodies = parseJson<HistoryExport>(seen.history).entries.map((e) => e.body);
    const outputs: Record<string, string> = {
      'preview bytes': seen.preview.text,
      'bytes the collector received': collector.received.map((r) => r.body).join('\n'),
      'history bodies': bodies.join('\n'),
      'log lines': seen.logLines.join('\n'),
      'send result': seen.outcome.message,
      'source messages': seen.status.sources.map((s) => s.message).join('\n'),
      warnings: seen.status.warnings.join('\n'),
      'omitted reasons': seen.preview.omitted.map((o) => o.reason).join('\n'),
      'connection test (wrong password)': seen.connection.checks.map((c) => c.message).join('\n'),
    };
    for (const [where, text] of Object.entries(outputs)) {
      const lower = text.toLowerCase();
      const leaked = canaries.filter((c) => lower.includes(c.toLowerCase()));
      expect(leaked, `leaked into ${where}`).toEqual([]);
    }
  }, 60_000);
});
