/**
 * How much is shared: each level's payload holds exactly its categories, as the one payload schema
 * assigns them; the agent previews any level without changing the choice, keeps reports locally at
 * `local` without ever opening a socket, and exports the exact next report.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { createAxiosHttpClient } from '../../../core/net/axios-http-client';
import { ReportBuilder } from '../../../core/report/builder';
import { defaultSources } from '../../../core/sources/source-set';
import { sha256Hex } from '../../../core/report/encode';
import { DAY_MS } from '../../../core/schedule/schedule';
import { categoryOfPath, keepCategories, POLICY_CATEGORIES, PRESETS, type PolicyCategory } from '../../../shared/schema/levels';
import { PAYLOAD_FIELDS, type Payload } from '../../../shared/schema/payload';
import { configWith, makeAgent, memoryHome } from '../../support/agent-harness';
import { FakeClock } from '../../support/fake-clock';
import { parseJson, type ExportFile, type HistoryExport } from '../../support/json';
import { loopbackServer } from '../../support/loopback';
import { startNavidromeTestServer, type NavidromeTestServer } from '../../support/navidrome';

const ID = '0b8a3d2e-4c1f-4a5b-9e7d-1234567890ab';
const http = createAxiosHttpClient();

let cleanup: Array<() => Promise<unknown>> = [];
afterEach(async () => {
  await Promise.all(cleanup.map((c) => c()));
  cleanup = [];
});

/** Every schema field present in a payload (maps and lists count once, as the schema lists them). */
function fieldsIn(payload: unknown): string[] {
  const has = (path: string) =>
    path.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), payload) !== undefined;
  return PAYLOAD_FIELDS.map((f) => f.path).filter(has);
}

/** A payload with the figures that move between two builds (free memory, uptime) held still. */
function steady(payload: Record<string, unknown>): Record<string, unknown> {
  const copy = structuredClone(payload) as Payload;
  if (copy.uptime !== undefined) copy.uptime = 0;
  if (copy.candor?.hostMemory) copy.candor.hostMemory.available = 0;
  return copy;
}

const SUBSETS: PolicyCategory[][] = [
  [...PRESETS.full],
  [...PRESETS.basic],
  ['application'],
  ['application', 'library'],
  ['application', 'config'],
  ['application', 'system', 'config'],
];

describe('the levels, from the one payload schema', () => {
  let full: Record<string, unknown>;

  async function builder(): Promise<ReportBuilder> {
    const server: NavidromeTestServer = await startNavidromeTestServer();
    cleanup.push(() => server.close());
    const b = new ReportBuilder(defaultSources(http), Date.now, '0.1.0');
    await b.refresh({ connection: { url: server.url, username: 'canary-admin-alice', password: 'alice-canary-pass' }, configFile: null });
    return b;
  }

  it('each set of categories keeps exactly the fields of those categories, and the report’s own notes', async () => {
    const b = await builder();
    full = (await b.build(ID, POLICY_CATEGORIES, 'a'.repeat(64))).payload;
    // The source of truth is rich enough to prove something: every category is present in full.
    const present = new Set(fieldsIn(full).map((f) => categoryOfPath(f) ?? 'agent'));
    expect([...present].sort()).toEqual(['agent', 'application', 'config', 'library', 'system']);
    for (const categories of SUBSETS) {
      const built = await b.build(ID, categories, 'a'.repeat(64));
      const payload = JSON.parse(built.report.text) as Record<string, unknown>;
      // Two builds read the machine's free memory and the clock at different moments: only those may move.
      expect(steady(payload)).toEqual(steady(keepCategories(full, categories)));
      const allowed = new Set<string>(['agent', ...categories]);
      for (const field of fieldsIn(payload)) expect(allowed.has(categoryOfPath(field) ?? 'agent'), `${field} at ${categories.join(',')}`).toBe(true);
      for (const field of fieldsIn(full))
        if (allowed.has(categoryOfPath(field) ?? 'agent')) expect(fieldsIn(payload), `${field} at ${categories.join(',')}`).toContain(field);
      expect(built.guard).toEqual({ ok: true });
      expect(built.report.sha256).toBe(sha256Hex(built.report.text));
    }
  });

  it('basic is the id, version, uptime, OS, memory and the report’s notes: no library counts, no configuration, no filesystem types', async () => {
    const b = await builder();
    const built = await b.build(ID, PRESETS.basic, 'a'.repeat(64));
    const payload = parseJson<Payload>(built.report.text);
    expect(Object.keys(payload).sort()).toEqual(['candor', 'id', 'os', 'uptime', 'version'].concat(payload.mem ? ['mem'] : []).sort());
    expect(Object.keys(payload.candor!).sort()).toEqual(['agentVersion', 'deletionKeyHash', 'hostMemory', 'schemaVersion', 'serverType', 'sources']);
    expect(Object.keys(payload.candor!.sources!).sort()).toEqual(['memory', 'uptime']);
    // What the level leaves out is said once per part, as a choice: never as a failure.
    const notShared = built.omitted.filter((o) => o.reason.startsWith('Not shared at your level'));
    expect(notShared.map((o) => o.path)).toEqual(expect.arrayContaining(['library', 'config', 'fs']));
    expect(built.omitted.filter((o) => o.path.startsWith('fs.'))).toEqual([]);
  });
});

describe('the agent at each level', () => {
  async function agentWith(options: { env?: Record<string, string>; config?: Parameters<typeof configWith>[0]; clock?: FakeClock } = {}) {
    const collector = await loopbackServer((_req, res) => res.writeHead(204).end());
    cleanup.push(collector.close);
    const made = await makeAgent({
      http,
      home: memoryHome(),
      env: options.env ?? {},
      config: configWith({ endpoint: `${collector.url}/collect`, ...options.config }),
      // Weeks on a fake clock: hourly wake-ups instead of every 5 minutes keep it quick and change nothing here.
      ...(options.clock ? { clock: options.clock, schedule: { wakeCapMs: 3600_000 } } : {}),
    });
    return { ...made, collector };
  }

  it('previews any level without changing the choice, and sends the level chosen, byte for byte', async () => {
    const { agent, collector } = await agentWith();
    await agent.setConsent({ choice: 'share' });
    const basic = await agent.getPreview({ categories: ['application', 'system'] });
    expect(parseJson<Payload>(basic.text).library).toBeUndefined();
    expect((await agent.getStatus()).consent.level).toBe('full');
    expect(parseJson<Payload>((await agent.getPreview()).text).library).toBeDefined();
    const status = await agent.setConsent({ choice: 'share', categories: ['application', 'system'] });
    expect(status.consent).toMatchObject({ sharing: true, level: 'basic', categories: ['application', 'system'] });
    const outcome = await agent.sendNow();
    expect(outcome.ok).toBe(true);
    expect(collector.received[0]!.body).toBe((await agent.getPreview()).text);
    expect(parseJson<Payload>(collector.received[0]!.body).library).toBeUndefined();
    expect(outcome.entry).toMatchObject({ level: 'basic', categories: ['application', 'system'] });
  });

  it('`local` builds the daily report for 60 simulated days, keeps one a day in the history, and never opens a socket', async () => {
    const clock = new FakeClock();
    const { agent, collector } = await agentWith({ clock });
    let sockets = 0;
    const guard = await loopbackServer(() => sockets++);
    cleanup.push(guard.close);
    await agent.setConsent({ choice: 'local' });
    clock.afterTimer = () => agent.idle();
    await agent.start();
    await clock.advance(60 * DAY_MS);
    await agent.stop();
    expect(collector.received).toHaveLength(0);
    expect(sockets).toBe(0);
    const { entries, total } = await agent.listHistory({ offset: 0, limit: 100 });
    expect(entries.every((e) => e.outcome === 'kept-locally' && e.level === 'local')).toBe(true);
    expect(total).toBeGreaterThanOrEqual(57);
    expect(total).toBeLessThanOrEqual(60);
    const times = entries.map((e) => Date.parse(e.at)).sort((a, b) => a - b);
    for (let i = 1; i < times.length; i++) expect(times[i]! - times[i - 1]!).toBeGreaterThanOrEqual(DAY_MS);
    // The history's export holds every kept report.
    expect(
      parseJson<HistoryExport>(await agent.exportHistory()).entries.filter(
        (e: { outcome: string; body: string }) => e.outcome === 'kept-locally' && e.body.startsWith('{'),
      ),
    ).toHaveLength(total);
    expect((await agent.sendNow()).message).toMatch(/kept on this machine only.*candor export/);
  }, 60_000);

  it('a config-level level beats a stored higher one, is locked, and the most private of two wins', async () => {
    const cases: Array<[{ env?: Record<string, string>; config?: Parameters<typeof configWith>[0] }, string, string[] | null, RegExp]> = [
      [{ env: { CANDOR_INSIGHTS_LEVEL: 'basic' } }, 'basic', ['application', 'system'], /CANDOR_INSIGHTS_LEVEL=basic/],
      [
        { config: { path: '/etc/candor.toml', insightsLevel: 'basic' } },
        'basic',
        ['application', 'system'],
        /\[insights\] level = "basic" in \/etc\/candor.toml/,
      ],
      [
        { env: { CANDOR_INSIGHTS_LEVEL: 'full' }, config: { path: '/etc/candor.toml', insightsCategories: ['application', 'library'] } },
        'custom',
        ['application', 'library'],
        /categories/,
      ],
      [{ env: { CANDOR_INSIGHTS_LEVEL: 'local' }, config: { path: '/etc/candor.toml', insightsLevel: 'basic' } }, 'local', null, /CANDOR_INSIGHTS_LEVEL=local/],
      [{ env: { CANDOR_INSIGHTS_LEVEL: 'basic', DO_NOT_TRACK: '1' } }, 'off', null, /DO_NOT_TRACK/],
      [{ env: { CANDOR_INSIGHTS_LEVEL: 'most' } }, 'off', null, /CANDOR_INSIGHTS_LEVEL=most in the environment is not understood/],
    ];
    for (const [options, level, categories, label] of cases) {
      const { agent } = await agentWith(options);
      const status = await agent.setConsent({ choice: 'share' });
      expect(status.consent, JSON.stringify(options)).toMatchObject({ level, locked: true, storedChoice: 'share' });
      if (categories) expect(status.consent.categories).toEqual(categories);
      expect(status.consent.decidedByLabel).toMatch(label);
    }
  });

  it('turning sharing off and on again keeps the categories chosen before: never more than then', async () => {
    const { agent } = await agentWith();
    await agent.setConsent({ choice: 'share', categories: ['application', 'system'] });
    const off = await agent.setConsent({ choice: 'decline' });
    expect(off.consent).toMatchObject({ level: 'off', storedCategories: ['application', 'system'] });
    expect((await agent.setConsent({ choice: 'share', categories: off.consent.storedCategories })).consent.level).toBe('basic');
  });

  it('a stored "no" stays a no whatever level a later version offers', async () => {
    const { agent } = await agentWith();
    await agent.setConsent({ choice: 'decline' });
    const status = await agent.getStatus();
    expect(status.consent).toMatchObject({ sharing: false, level: 'off', categories: [] });
  });

  it('export writes the exact next report with its sha256 and level, and logs it', async () => {
    const { agent, collector } = await agentWith();
    await agent.setConsent({ choice: 'share', categories: ['application', 'system'] });
    const exported = await agent.exportReport();
    const file = parseJson<ExportFile>(exported.text);
    expect(file).toMatchObject({ candorExport: 1, level: 'basic', categories: ['application', 'system'], sha256: exported.sha256 });
    expect(sha256Hex(file.report)).toBe(file.sha256);
    expect(file.report).toBe((await agent.getPreview()).text);
    expect(exported.entry).toMatchObject({ outcome: 'exported', trigger: 'export', level: 'basic' });
    expect(collector.received).toHaveLength(0);
    await agent.setConsent({ choice: 'decline' });
    await expect(agent.exportReport()).rejects.toMatchObject({ code: 'unavailable' });
    expect(parseJson<ExportFile>((await agent.exportReport({ categories: ['application'] })).text).level).toBe('custom');
  });
});
