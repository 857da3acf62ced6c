import { afterEach, describe, expect, it } from 'vitest';
import { createAxiosHttpClient } from '../../../core/net/axios-http-client';
import { ReportBuilder } from '../../../core/report/builder';
import { defaultSources } from '../../../core/sources/source-set';
import { sha256Hex } from '../../../core/report/encode';
import type { Payload } from '../../../shared/schema/payload';
import { parseJson } from '../../support/json';
import { startNavidromeTestServer, type NavidromeTestServer } from '../../support/navidrome';

let server: NavidromeTestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

const ID = '0b8a3d2e-4c1f-4a5b-9e7d-1234567890ab';

describe('a full report from a Navidrome server (settings read from its admin endpoint)', () => {
  it("passes the privacy guard and carries the server's flags as Navidrome derives them", async () => {
    server = await startNavidromeTestServer();
    const seed = structuredClone(server.seed);
    const builder = new ReportBuilder(defaultSources(createAxiosHttpClient()), Date.now, '0.1.0');
    await builder.refresh({ connection: { url: server.url, username: 'canary-admin-alice', password: 'alice-canary-pass' }, configFile: null });
    const built = await builder.build(ID);
    expect(built.guard).toEqual({ ok: true });
    expect(built.report.sha256).toBe(sha256Hex(built.report.text));
    const payload = parseJson<Payload>(built.report.text);
    const c = seed.config as { LogLevel: string; EnableDownloads: boolean; Jukebox: { Enabled: boolean }; SessionTimeout: number };
    expect(payload.config).toMatchObject({
      logLevel: String(c.LogLevel).toLowerCase(),
      enableSharing: seed.enableSharing,
      enablePrometheus: seed.prometheusEnabled,
      enableDownloads: c.EnableDownloads,
      enableJukebox: c.Jukebox.Enabled,
      sessionTimeout: Math.trunc(c.SessionTimeout / 1e9),
      hasSmartPlaylists: seed.playlists.some((p) => p.rules !== null),
    });
    expect(payload.candor?.sources).toMatchObject({ library: 'native-api', config: 'config-endpoint', uptime: 'event-stream' });
    // The folders in that config are the server's own, not this machine's: their types are left out.
    expect(payload.fs).toBeUndefined();
    expect(built.omitted.map((o) => o.path)).toEqual(expect.arrayContaining(['fs.music.type', 'fs.data.type']));
    // Everything was read from the server: nothing of it is left out, and nothing twice.
    const paths = built.omitted.map((o) => o.path);
    expect(new Set(paths).size).toBe(paths.length);
    expect(paths.filter((p) => p === 'version' || p === 'uptime' || p.startsWith('library') || p.startsWith('config'))).toEqual([]);
  });

  it("warns when Navidrome's own collector is also on (the server would be counted twice)", async () => {
    for (const enabled of [true, false]) {
      server = await startNavidromeTestServer();
      (server.seed.config as Record<string, unknown>).EnableInsightsCollector = enabled;
      const builder = new ReportBuilder(defaultSources(createAxiosHttpClient()), Date.now, '0.1.0');
      await builder.refresh({ connection: { url: server.url, username: 'canary-admin-alice', password: 'alice-canary-pass' }, configFile: null });
      const built = await builder.build(ID);
      expect(built.notices.some((n) => n.includes('EnableInsightsCollector'))).toBe(enabled);
      await server.close();
      server = null;
    }
  });

  it('rebuilds from cache without touching the server', async () => {
    server = await startNavidromeTestServer();
    const builder = new ReportBuilder(defaultSources(createAxiosHttpClient()), Date.now, '0.1.0');
    await builder.refresh({ connection: { url: server.url, username: 'canary-admin-alice', password: 'alice-canary-pass' }, configFile: null });
    const requests = server.requests.length;
    for (let i = 0; i < 20; i++) await builder.build(ID);
    expect(server.requests.length).toBe(requests);
  });
});
