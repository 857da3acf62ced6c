/**
 * Real Navidrome payloads: every released shape is stored and counted; a harmless odd value costs
 * at most its own field (normalized first where Navidrome itself would have normalized it), the
 * answer names what was dropped, and structure still gets its 4xx. POST /collect and
 * `candor-collector import` store the same bytes for the same report.
 */
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseJson } from '../support/json';
import { collectorsPerTest, getSummary, post, rejected, runCollectorCli, scrape, send, sqliteRows } from './support/harness';
import { NAVIDROME_SAMPLES } from './support/navidrome';
import { at, NAVIDROME_RELEASES, releaseBytes, releaseReport } from './support/navidrome-releases';

const sha256Of = (bytes: string): string => createHash('sha256').update(bytes).digest('hex');

const { start } = collectorsPerTest({ trustProxy: ['127.0.0.1'] });
const temps: string[] = [];
afterAll(() => {
  for (const d of temps) rmSync(d, { recursive: true, force: true });
});

const JSON_TYPE = { 'content-type': 'application/json' };
/** The answer of a stored report. */
interface Stored {
  status: string;
  dropped?: string[];
}
/** Fields Navidrome sends that the payload schema does not name: dropped quietly, as any unknown field. */
const UNKNOWN_TO_SCHEMA = ['config.enableSpotify'];

/** Every primitive value of a JSON document by its dotted path. */
function leaves(value: unknown, prefix = '', out = new Map<string, unknown>()): Map<string, unknown> {
  if (typeof value === 'object' && value !== null) {
    for (const [key, child] of Object.entries(value)) leaves(child, prefix ? `${prefix}.${key}` : key, out);
  } else out.set(prefix, value);
  return out;
}

/** Whether a concrete path (`plugins.x.name`) falls under a listed one (`plugins.*.name`, `library.activePlayers`). */
const under = (concrete: string, listed: string) => {
  const c = concrete.split('.');
  const l = listed.split('.');
  return l.length <= c.length && l.every((part, i) => part === '*' || part === c[i]);
};

/**
 * What storing cost: every value sent is stored unchanged, except under the paths listed as
 * dropped or normalized (or fields the schema does not know); nothing is stored that was not sent.
 */
function expectCostAtMost(sent: unknown, stored: unknown, paths: string[]): void {
  const before = leaves(sent);
  const after = leaves(stored);
  const allowed = [...paths, ...UNKNOWN_TO_SCHEMA];
  for (const [p, v] of before) if (!allowed.some((a) => under(p, a))) expect(after.get(p), p).toEqual(v);
  for (const p of after.keys()) if (!allowed.some((a) => under(p, a))) expect(before.has(p), p).toBe(true);
}

const storedPayloads = (dataDir: string) => sqliteRows(dataDir).map((r) => r.payload);

describe('the corpus: one report per Navidrome release that changed the payload', () => {
  it('covers every release that changed it', () => {
    expect(NAVIDROME_RELEASES.map((r) => r.release)).toEqual([
      '0.54',
      '0.55',
      '0.57',
      '0.58.0',
      '0.58.5',
      '0.60',
      '0.61',
      '0.63 (and 0.62)',
      'main after 0.63.2 (unreleased)',
    ]);
  });

  it.each(NAVIDROME_RELEASES.map((shape) => [shape.release, shape] as const))(
    '%s: stored, normalized, and what still did not fit dropped and named',
    async (_release, shape) => {
      const c = await start();
      const reply = await send(c.url, { body: releaseBytes(shape), headers: JSON_TYPE });
      expect(reply.status).toBe(200);
      const answer = parseJson<Stored>(reply.body);
      expect(answer.status).toBe('stored');
      expect(answer.dropped ?? []).toEqual(shape.dropped);
      const [payload] = storedPayloads(c.dataDir!);
      const stored = JSON.parse(payload!) as Record<string, unknown>;
      for (const [p, value] of Object.entries(shape.normalized)) expect(at(stored, p), p).toEqual(value);
      for (const p of shape.dropped) if (!p.includes('*')) expect(at(stored, p), p).toBeUndefined();
      expectCostAtMost(releaseReport(shape), stored, [...shape.dropped, ...Object.keys(shape.normalized)]);
      for (const text of shape.neverStored) {
        expect(payload, text).not.toContain(text);
        expect(reply.body, text).not.toContain(text);
      }
    },
  );

  it('stores and counts every one of them: nine servers from nine networks, nine instances', async () => {
    const c = await start();
    for (const [i, shape] of NAVIDROME_RELEASES.entries()) {
      const reply = await send(c.url, { body: releaseBytes(shape), headers: { ...JSON_TYPE, 'x-forwarded-for': `198.51.${i}.7` } });
      expect(reply.status, shape.file).toBe(200);
    }
    expect(sqliteRows(c.dataDir!)).toHaveLength(NAVIDROME_RELEASES.length);
    const day = (await getSummary(c.url)).days[0]!;
    expect(day.instances).toBe(NAVIDROME_RELEASES.length);
    expect(day.versions.reported).toBe(NAVIDROME_RELEASES.length);
    expect(day.agents.reported).toBe(NAVIDROME_RELEASES.length);
    const metrics = await scrape(c.url);
    expect(metrics.get('collector_reports_accepted_total')).toBe(NAVIDROME_RELEASES.length);
    expect(rejected(metrics, 'schema')).toBe(0);
    // An operator sees which field lost values, and how often; never the values.
    expect(metrics.get('collector_fields_dropped_total{path="os.version"}')).toBe(1);
    expect(metrics.get('collector_fields_dropped_total{path="plugins.*.name"}')).toBe(1);
    expect([...metrics.keys()].filter((k) => k.startsWith('collector_fields_dropped_total'))).toHaveLength(2);
  });

  it('`candor-collector import` stores exactly what POST /collect stores, and names what it dropped', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'collector-corpus-'));
    temps.push(dir);
    const receipts: string[] = [];
    const files = NAVIDROME_RELEASES.map((shape) => {
      const text = releaseBytes(shape).toString('utf8');
      const file = path.join(dir, shape.file.replace('.json', '.candor.json'));
      const sha256 = sha256Of(text);
      const categories = ['application', 'system', 'library', 'config'];
      const bytes = JSON.stringify({ candorExport: 1, level: 'full', categories, createdAt: new Date().toISOString(), sha256, report: text });
      writeFileSync(file, bytes);
      receipts.push(`(sha256 ${sha256Of(bytes)}, report sha256 ${sha256})`);
      return file;
    });
    const imported = await runCollectorCli(['import', '--data-dir', path.join(dir, 'data'), ...files]);
    expect(imported.stderr).toBe('');
    expect(imported.code).toBe(0);
    expect(imported.stdout.trim().split('\n')).toEqual(
      NAVIDROME_RELEASES.map((shape, i) => `imported ${files[i]} ${receipts[i]}${shape.dropped.length ? ` (dropped: ${shape.dropped.join(', ')})` : ''}`),
    );

    const c = await start();
    for (const shape of NAVIDROME_RELEASES) expect((await send(c.url, { body: releaseBytes(shape), headers: JSON_TYPE })).status).toBe(200);
    expect(storedPayloads(path.join(dir, 'data'))).toEqual(storedPayloads(c.dataDir!));
  });

  it('an export file posted to /collect answers with the same dropped paths', async () => {
    const c = await start();
    const shape = NAVIDROME_RELEASES[0]!;
    const text = releaseBytes(shape).toString('utf8');
    const file = {
      candorExport: 1,
      level: 'full',
      categories: ['application', 'system', 'library', 'config'],
      createdAt: new Date().toISOString(),
      sha256: sha256Of(text),
      report: text,
    };
    // The receipt names the file as posted and the report inside it, beside the dropped paths.
    const receipt = { sha256: sha256Of(JSON.stringify(file)), reportSha256: file.sha256 };
    const first = await post(c.url, file);
    expect(parseJson<Stored>(first.body)).toEqual({ status: 'stored', ...receipt, dropped: shape.dropped });
    const again = await post(c.url, file);
    expect(parseJson<Stored>(again.body)).toEqual({ status: 'stored', ...receipt, dropped: shape.dropped });
  });
});

/** The odd values of the issue, each alone in an otherwise clean Navidrome report. */
type Patch = (r: Record<string, unknown>) => void;
const part = (r: Record<string, unknown>, key: string) => r[key] as Record<string, unknown>;
const players =
  (names: Record<string, number>): Patch =>
  (r) =>
    (part(r, 'library').activePlayers = names);

describe('one odd value costs at most its own field', () => {
  const cases: { what: string; patch: Patch; path: string; stored: unknown; dropped: string[]; secret?: string }[] = [
    // Normalized: what Navidrome itself trims (since main after 0.63.2) or any name from a fixed vocabulary.
    {
      what: 'os.package "msi\\n" (every MSI install, 0.58.5 to 0.63.2)',
      patch: (r) => (part(r, 'os').package = 'msi\n'),
      path: 'os.package',
      stored: 'msi',
      dropped: [],
    },
    { what: 'platform "TrueNAS" (ND_PLATFORM as typed)', patch: (r) => (r.platform = 'TrueNAS'), path: 'platform', stored: 'truenas', dropped: [] },
    { what: 'os.type "Linux"', patch: (r) => (part(r, 'os').type = 'Linux'), path: 'os.type', stored: 'linux', dropped: [] },
    { what: 'fs type "NTFS"', patch: (r) => (part(r, 'fs').music = { type: 'NTFS' }), path: 'fs.music.type', stored: 'ntfs', dropped: [] },
    {
      what: 'a file suffix "FLAC" beside "flac"',
      patch: (r) => (part(r, 'library').fileSuffixes = { FLAC: 2, flac: 3 }),
      path: 'library.fileSuffixes',
      stored: { flac: 5 },
      dropped: [],
    },
    {
      what: 'scanSchedule "CRON_TZ=America/New_York 0 3 * * *" (valid in Navidrome; the zone is a location)',
      patch: (r) => (part(r, 'config').scanSchedule = 'CRON_TZ=America/New_York 0 3 * * *'),
      path: 'config.scanSchedule',
      stored: '0 3 * * *',
      dropped: [],
      secret: 'America/New_York',
    },
    { what: 'a blank distro', patch: (r) => (part(r, 'os').distro = ' \n'), path: 'os.distro', stored: undefined, dropped: [] },
    // Accepted as it is: the schema was too narrow.
    {
      what: 'a plugin version "1.0.0+build.5" (semver build metadata)',
      patch: (r) => (r.plugins = { p: { name: 'Webhook', version: '1.0.0+build.5' } }),
      path: 'plugins',
      stored: { p: { name: 'Webhook', version: '1.0.0+build.5' } },
      dropped: [],
    },
    // A client name whose text may not be stored, but whose app the player table knows: stored as the app.
    {
      what: 'player "https://airsonic.github.io/"',
      patch: players({ 'https://airsonic.github.io/': 1, Symfonium: 2 }),
      path: 'library.activePlayers',
      stored: { 'Airsonic Refix': 1, Symfonium: 2 },
      dropped: [],
      secret: 'airsonic.github.io',
    },
    {
      what: 'player "_hiby_"',
      patch: players({ _hiby_: 1, Symfonium: 2 }),
      path: 'library.activePlayers',
      stored: { HiBy: 1, Symfonium: 2 },
      dropped: [],
      secret: '_hiby_',
    },
    // Still outside the field's shape after normalizing: dropped, named, never stored or echoed.
    {
      what: 'a player URL the table does not know',
      patch: players({ 'https://music.example.org/': 1, Symfonium: 2 }),
      path: 'library.activePlayers',
      stored: { Symfonium: 2 },
      dropped: ['library.activePlayers.*'],
      secret: 'music.example.org',
    },
    {
      what: 'a path in the version',
      patch: (r) => (r.version = '/home/alice/navidrome'),
      path: 'version',
      stored: undefined,
      dropped: ['version'],
      secret: 'alice',
    },
    {
      what: 'a distro over its length cap',
      patch: (r) => (part(r, 'os').distro = 'd'.repeat(33)),
      path: 'os.distro',
      stored: undefined,
      dropped: ['os.distro'],
      secret: 'd'.repeat(33),
    },
    {
      what: 'a control character in a string',
      patch: (r) => (part(r, 'os').distro = 'deb\u0000ian'),
      path: 'os.distro',
      stored: undefined,
      dropped: ['os.distro'],
    },
    {
      what: "an OS outside Go's list",
      patch: (r) => (part(r, 'os').type = 'linux; rm -rf /'),
      path: 'os.type',
      stored: undefined,
      dropped: ['os.type'],
      secret: 'rm -rf',
    },
    {
      what: 'a file suffix with a dot',
      patch: (r) => (part(r, 'library').fileSuffixes = { '.FLAC': 1, mp3: 2 }),
      path: 'library.fileSuffixes',
      stored: { mp3: 2 },
      dropped: ['library.fileSuffixes.*'],
    },
    {
      what: 'a platform in words',
      patch: (r) => (r.platform = 'Unraid Community Apps'),
      path: 'platform',
      stored: undefined,
      dropped: ['platform'],
      secret: 'Unraid',
    },
    {
      what: 'a cover size someone set very large',
      patch: (r) => (part(r, 'config').uiCoverArtSize = 20_000),
      path: 'config.uiCoverArtSize',
      stored: undefined,
      dropped: ['config.uiCoverArtSize'],
    },
    {
      what: 'a plugin named with an emoji',
      patch: (r) => (r.plugins = { a: { name: 'Crypto Ticker ✨', version: '1.0.0' }, b: { name: 'Webhook', version: '2.0.0' } }),
      path: 'plugins',
      stored: { b: { name: 'Webhook', version: '2.0.0' } },
      dropped: ['plugins.*.name'],
      secret: 'Crypto',
    },
  ];

  it.each(cases.map((c) => [c.what, c] as const))('%s', async (_what, testCase) => {
    const c = await start();
    const clean = NAVIDROME_SAMPLES.docker();
    const odd = structuredClone(clean);
    testCase.patch(odd);
    const reply = await post(c.url, odd);
    expect(reply.status).toBe(200);
    expect(parseJson<Stored>(reply.body).dropped ?? []).toEqual(testCase.dropped);
    const [payload] = storedPayloads(c.dataDir!);
    const stored = JSON.parse(payload!) as Record<string, unknown>;
    expect(at(stored, testCase.path)).toEqual(testCase.stored);
    expectCostAtMost(clean, stored, [testCase.path]);
    if (testCase.secret) {
      expect(payload).not.toContain(testCase.secret);
      expect(reply.body).not.toContain(testCase.secret);
    }
  });
});

describe('structure still decides', () => {
  const withValue = (patch: Patch) => {
    const r = NAVIDROME_SAMPLES.docker();
    patch(r);
    return JSON.stringify(r);
  };
  it.each([
    ['a document that is not an object', 422, 'schema', '(root)', '["report"]'],
    ['a count as text', 422, 'schema', 'library.tracks', withValue((r) => (part(r, 'library').tracks = '12'))],
    ['a negative count', 422, 'schema', 'library.albums', withValue((r) => (part(r, 'library').albums = -1))],
    ['a negative player count', 422, 'schema', 'library.activePlayers.*', withValue(players({ Symfonium: -1 }))],
    ['an id that is not a UUID', 422, 'schema', 'id', withValue((r) => (r.id = 'my-navidrome'))],
    ['an id with a trailing newline', 422, 'schema', 'id', withValue((r) => (r.id = `${String(r.id)}\n`))],
    [
      'a forbidden key among the players',
      422,
      'schema',
      'library.activePlayers.__proto__',
      withValue(players(JSON.parse('{"__proto__":1}') as Record<string, number>)),
    ],
    ['a forbidden key hidden by spaces', 422, 'schema', 'library.activePlayers.*', withValue(players({ ' __proto__ ': 1 }))],
    [
      'a map over its size',
      422,
      'schema',
      'library.activePlayers',
      withValue(players(Object.fromEntries(Array.from({ length: 101 }, (_, i) => [`p${i}`, 1])))),
    ],
    ['a body over 100 KiB', 413, 'too-large', undefined, withValue((r) => (r.pad = 'x'.repeat(110 * 1024)))],
  ] as const)('%s: %i %s', async (_what, status, reason, where, body) => {
    const c = await start();
    const reply = await send(c.url, { body, headers: JSON_TYPE });
    expect(reply.status).toBe(status);
    const answer = parseJson<{ error: string; path?: string }>(reply.body);
    expect(answer.error).toBe(reason);
    if (where !== undefined) expect(answer.path).toBe(where);
    expect(sqliteRows(c.dataDir!)).toHaveLength(0);
  });
});
