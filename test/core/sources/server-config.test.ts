import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { deriveServerConfig, durationSeconds, readServerConfigFile } from '../../../core/sources/server-config';
import { SourceProblem } from '../../../core/sources/problems';
import { tempHome } from '../../support/agent-harness';

describe("deriving Navidrome's insight flags from its configuration", () => {
  it('applies Navidrome defaults for a minimal file and finds the folders', async () => {
    const file = path.join(tempHome(), 'navidrome.toml');
    writeFileSync(
      file,
      'MusicFolder = "/srv/canary-music"\nDataFolder = "/var/lib/navidrome"\n[LastFM]\nEnabled = true\nApiKey = "k"\nSecret = "s"\n[Scanner]\nSchedule = "@every 6h"\n',
    );
    const facts = await readServerConfigFile(file);
    expect(facts.flags).toMatchObject({
      logLevel: 'info',
      enableLastFM: true,
      scanSchedule: '@every 6h',
      scanWatcherWait: 5,
      sessionTimeout: 48 * 3600,
      enableSharing: true,
      enablePrometheus: false,
      tlsConfigured: false,
      hasCustomPID: false,
      hasCustomTags: false,
      defaultBackgroundURL: true,
    });
    expect(facts.folders).toEqual({ music: '/srv/canary-music', data: '/var/lib/navidrome', cache: '/var/lib/navidrome/cache' });
    expect(facts.sensitive.map((s) => s.value)).toEqual(expect.arrayContaining(['/srv/canary-music', file]));
  });

  it('reads keys case-insensitively, as Navidrome does', () => {
    const facts = deriveServerConfig(
      { loglevel: 'DEBUG', lastfm: { enabled: true, apikey: 'x', secret: '' }, TLSCert: 'a', tlskey: 'b' },
      { applyDefaults: true },
    );
    expect(facts.flags).toMatchObject({ logLevel: 'debug', enableLastFM: false, tlsConfigured: true });
  });

  it('reads the admin endpoint shape: durations in nanoseconds, masked secrets still count as set', () => {
    const facts = deriveServerConfig(
      {
        SessionTimeout: 86_400_000_000_000,
        Scanner: { WatcherWait: 5_000_000_000, Enabled: true },
        LastFM: { Enabled: true, ApiKey: 'a*****z', Secret: '****' },
        ExtAuth: { TrustedSources: '10.0.0.0/8' },
      },
      { applyDefaults: false },
    );
    expect(facts.flags).toMatchObject({ sessionTimeout: 86400, scanWatcherWait: 5, scannerEnabled: true, enableLastFM: true, reverseProxyConfigured: true });
    // Without defaults, what the server did not say stays unknown.
    expect(facts.flags).not.toHaveProperty('enableDownloads');
  });

  it('drops values that do not fit the schema rather than sending them', () => {
    const facts = deriveServerConfig({ Scanner: { Schedule: 'curl http://x | sh' }, LogLevel: 'info; rm -rf' }, { applyDefaults: false });
    expect(facts.flags).not.toHaveProperty('scanSchedule');
    expect(facts.flags).not.toHaveProperty('logLevel');
  });

  it('parses Go durations', () => {
    expect(durationSeconds('1h30m')).toBe(5400);
    expect(durationSeconds('300ms')).toBe(0);
    expect(durationSeconds(5_000_000_000)).toBe(5);
    expect(durationSeconds('soon')).toBeUndefined();
  });

  it('reports an unreadable or invalid file as a problem code, not an exception text', async () => {
    await expect(readServerConfigFile('/nonexistent/navidrome.toml')).rejects.toMatchObject({ code: 'config-file-unreadable' });
    const bad = path.join(tempHome(), 'bad.toml');
    writeFileSync(bad, 'MusicFolder = ');
    const error = await readServerConfigFile(bad).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(SourceProblem);
    expect((error as SourceProblem).code).toBe('config-file-invalid');
  });
});
