import { afterEach, describe, expect, it } from 'vitest';
import { createAxiosHttpClient } from '../../../core/net/axios-http-client';
import { HttpFailure, type HttpClient } from '../../../core/net/http-client';
import { ReportBuilder, type BuiltReport } from '../../../core/report/builder';
import { defaultSources } from '../../../core/sources/source-set';
import type { Payload } from '../../../shared/schema/payload';
import { collectServerFacts, normalizeBaseUrl } from '../../../core/sources/music-server';
import { PROBLEMS, SourceProblem, type ProblemCode } from '../../../core/sources/problems';
import { parseJson } from '../../support/json';
import { closedPort } from '../../support/loopback';
import { startGonicTestServer, startNavidromeTestServer, type NavidromeSeed, type NavidromeTestServer } from '../../support/navidrome';

const http = createAxiosHttpClient();
const ID = '0b8a3d2e-4c1f-4a5b-9e7d-1234567890ab';
const ALICE = { username: 'canary-admin-alice', password: 'alice-canary-pass' };
let server: NavidromeTestServer | null = null;
afterEach(async () => {
  await server?.close();
  server = null;
});

/** A report as the user sees it; no local server process, so nothing hides a server-side cause. */
async function report(url: string, login = ALICE, client: HttpClient = http): Promise<BuiltReport> {
  const sources = { ...defaultSources(client), serverProcess: () => Promise.resolve(null) };
  const builder = new ReportBuilder(sources, Date.now, '0.1.0');
  await builder.refresh({ connection: { url, ...login }, configFile: null });
  return builder.build(ID);
}

const everything = (built: BuiltReport) => [...built.health.map((h) => h.message), ...built.omitted.map((o) => o.reason)].join('\n');

function expectLeftOutOnce(built: BuiltReport): void {
  const paths = built.omitted.map((o) => o.path);
  expect(new Set(paths).size, paths.join(', ')).toBe(paths.length);
  for (const path of paths)
    expect(
      paths.filter((p) => p !== path && path.startsWith(`${p}.`)),
      path,
    ).toEqual([]);
}

function expectServerDown(built: BuiltReport, code: ProblemCode): void {
  const message = PROBLEMS[code];
  expect(built.health.find((h) => h.source === 'server')).toMatchObject({ state: 'failed', code, message });
  for (const source of ['server-config', 'uptime', 'filesystems']) {
    expect(
      built.health.find((h) => h.source === source),
      source,
    ).toMatchObject({ code, message });
  }
  expect(built.omitted).toEqual(expect.arrayContaining(['version', 'uptime', 'library', 'config', 'fs'].map((path) => ({ path, reason: message }))));
  expect(everything(built)).not.toMatch(/DevUIShowConfig/);
  expectLeftOutOnce(built);
  const payload = parseJson<Payload>(built.report.text);
  expect(payload.library).toBeUndefined();
  // Only what delivered is named as a source: nothing of the server.
  for (const source of ['library', 'config', 'uptime']) expect(payload.candor?.sources ?? {}, source).not.toHaveProperty(source);
}

describe('a server that cannot be read says the real cause in every source', () => {
  it('nothing answers at its address', async () => {
    expectServerDown(await report(`http://127.0.0.1:${await closedPort()}`), 'unreachable');
  });

  it('refused the user name or password', async () => {
    server = await startNavidromeTestServer();
    expectServerDown(await report(server.url, { ...ALICE, password: 'wrong' }), 'unauthorized');
  });

  it('refused the password on a Subsonic-only server', async () => {
    server = await startGonicTestServer();
    expectServerDown(await report(server.url, { ...ALICE, password: 'wrong' }), 'unauthorized');
  });

  it('is not a Navidrome or Subsonic server (a proxy login page)', async () => {
    server = await startNavidromeTestServer();
    server.setFault({ kind: 'html' });
    expectServerDown(await report(server.url), 'not-a-music-server');
  });

  for (const [errorClass, code] of [
    ['timeout', 'timeout'],
    ['tls', 'tls'],
    ['dns', 'host-not-found'],
    ['unreachable', 'unreachable'],
  ] as const) {
    it(`${code} (${errorClass} on the wire)`, async () => {
      const failing: HttpClient = { request: async () => Promise.reject(new HttpFailure(errorClass)) };
      expectServerDown(await report('https://music.example.invalid', ALICE, failing), code);
    });
  }
});

describe('an address without http:// or https://', () => {
  const typed = 'navidrome.local:4533';

  it("is named as the problem, with the value, on the user's own screen only", async () => {
    const built = await report(typed);
    const shown = `The server address must start with http:// or https:// (got ${typed}).`;
    expect(built.health.find((h) => h.source === 'server')).toMatchObject({ state: 'failed', code: 'bad-url', message: shown });
    expect(built.omitted.find((o) => o.path === 'library')?.reason).toBe(shown);
    expect(built.health.find((h) => h.source === 'server-config')?.message).toBe(shown);
    expect(everything(built)).not.toMatch(/DevUIShowConfig|Nothing answers at the server/);
    expectLeftOutOnce(built);
    // Never in the payload, and never in the error text other code may log or store.
    expect(built.report.text).not.toContain('navidrome.local');
    expect(built.guard).toEqual({ ok: true });
    const error = (() => {
      try {
        normalizeBaseUrl(typed);
      } catch (e) {
        return e;
      }
    })();
    expect(error).toBeInstanceOf(SourceProblem);
    expect((error as SourceProblem).message).toBe(PROBLEMS['bad-url']);
  });

  it('is refused before any request, in every spelling', async () => {
    const calls: string[] = [];
    const recording: HttpClient = { request: (req) => (calls.push(req.url), Promise.resolve({ status: 200, headers: {}, body: '' })) };
    for (const url of [typed, 'localhost:4533', 'navidrome', 'ftp://music.example', '']) {
      const facts = await collectServerFacts(recording, { url, ...ALICE }, Date.now());
      expect(facts.health.code, url).toBe('bad-url');
    }
    expect(calls).toEqual([]);
  });

  it('keeps control characters of the value out of the message', async () => {
    const facts = await collectServerFacts(http, { url: 'evil\nFAKE LINE', ...ALICE }, Date.now());
    expect(facts.health.message).not.toContain('\n');
  });
});

describe('what the report claims and leaves out', () => {
  it("gives Navidrome's settings advice only when Navidrome answered, signed in and hid them", async () => {
    server = await startNavidromeTestServer({ devUIShowConfig: false });
    const built = await report(server.url);
    expect(built.omitted.find((o) => o.path === 'config')?.reason).toBe(PROBLEMS['config-hidden']);
    expect(built.health.find((h) => h.source === 'server-config')).toMatchObject({ state: 'failed', code: 'config-hidden' });
    expectLeftOutOnce(built);
  });

  it('a non-admin Navidrome user: each field left out once, with its own reason', async () => {
    server = await startNavidromeTestServer({ enableSharing: false } satisfies Partial<NavidromeSeed>);
    const built = await report(server.url, { username: 'canary-bob', password: 'bob-canary-pass' });
    const reasons = Object.fromEntries(built.omitted.map((o) => [o.path, o.reason]));
    expect(reasons).toMatchObject({
      'library.activeUsers': PROBLEMS['not-admin'],
      'library.activePlayers': PROBLEMS['not-admin'],
      'library.libraries': PROBLEMS['not-admin'],
      'library.shares': PROBLEMS['sharing-disabled'],
      config: PROBLEMS['not-admin'],
    });
    expectLeftOutOnce(built);
    expect(parseJson<Payload>(built.report.text).candor?.sources?.library).toBe('native-api');
  });

  it('a Subsonic-only server: true reasons, no Navidrome advice, sources that really answered', async () => {
    server = await startGonicTestServer();
    const built = await report(server.url);
    expect(built.guard).toEqual({ ok: true });
    const payload = parseJson<Payload>(built.report.text);
    expect(payload.candor?.serverType).toBe('gonic');
    expect(payload.candor?.sources).toEqual({ library: 'subsonic-api', memory: 'host' });
    expect(payload.library?.libraries).toBe(server.seed.libraries.length);
    expect(Object.keys(payload.library!.fileSuffixes!).length).toBeGreaterThan(0);
    const reasons = Object.fromEntries(built.omitted.map((o) => [o.path, o.reason]));
    expect(reasons).toMatchObject({
      'library.activeUsers': PROBLEMS['subsonic-no-users'],
      'library.activePlayers': PROBLEMS['subsonic-no-players'],
      'library.shares': PROBLEMS['endpoint-missing'],
      config: PROBLEMS['config-not-navidrome'],
      uptime: PROBLEMS['start-time-not-offered'],
    });
    expect(everything(built)).not.toMatch(/DevUIShowConfig/);
    expect(built.health.find((h) => h.source === 'server-config')?.state).toBe('skipped');
    expectLeftOutOnce(built);
  });
});
