/**
 * How much is shared, through the real `bin/candor.js` and the real `bin/candor-collector.js`:
 * each level's bytes, the answer saved and shown, an export carried to a collector by hand and
 * imported byte for byte (twice: one row), and "delete my data" proven by the secret.
 */
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import Database from 'better-sqlite3';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startCollector, type StartedCollector } from '../../../collector';
import { sha256Hex } from '../../../core/report/encode';
import { categoryOfPath } from '../../../shared/schema/levels';
import { PAYLOAD_FIELDS } from '../../../shared/schema/payload';
import { tempHome } from '../../support/agent-harness';
import type { AgentStatus, HistoryEntry } from '../../../shared/api-contract';
import type { Payload } from '../../../shared/schema/payload';
import { candor, candorJson } from '../../support/cli';
import { parseJson, readJson, type ExportFile } from '../../support/json';
import { startNavidromeTestServer, type NavidromeTestServer } from '../../support/navidrome';

const run = promisify(execFile);
const COLLECTOR_BIN = path.resolve(import.meta.dirname, '../../../bin/candor-collector.js');

let collector: StartedCollector;
const servers: NavidromeTestServer[] = [];
beforeAll(async () => {
  collector = await startCollector();
});
afterAll(async () => {
  await collector.close();
  await Promise.all(servers.map((s) => s.close()));
});

/**
 * A data folder whose config names the collector and a Navidrome-compatible server of its own (so
 * every category has fields, and Navidrome's limit of 5 sign-ins per 20 s is never shared).
 */
async function home(insights = ''): Promise<Record<string, string>> {
  const navidrome = await startNavidromeTestServer();
  servers.push(navidrome);
  const dir = tempHome('candor-levels-');
  const server = `[server]\nurl = "${navidrome.url}"\nusername = "canary-admin-alice"\npassword = "alice-canary-pass"\n`;
  writeFileSync(path.join(dir, 'candor.toml'), `[insights]\nendpoint = "${collector.url}/collect"\n${insights}${server}`);
  return { CANDOR_HOME: dir };
}

/** The policy categories of the fields a report carries (the report's own notes excluded). */
function categoriesIn(text: string): string[] {
  const payload = JSON.parse(text) as Record<string, unknown>;
  const has = (p: string) =>
    p.split('.').reduce<unknown>((v, k) => (v && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), payload) !== undefined;
  return [
    ...new Set(
      PAYLOAD_FIELDS.filter((f) => has(f.path))
        .map((f) => categoryOfPath(f.path))
        .filter((c): c is NonNullable<typeof c> => c !== null),
    ),
  ].sort();
}

function storedRows(id: string): Array<{ payload: string; deletion_key_hash: string | null }> {
  const db = new Database(path.join(collector.dataDir!, 'collector.sqlite'), { readonly: true });
  try {
    return db.prepare('SELECT payload, deletion_key_hash FROM reports WHERE instance_id = ?').all(id) as Array<{
      payload: string;
      deletion_key_hash: string | null;
    }>;
  } finally {
    db.close();
  }
}

describe('sharing levels on the command line', () => {
  it('`consent basic`, `consent full --without configuration`, `consent local`: saved, shown, and the bytes follow', async () => {
    const env = await home();
    const basic = await candor(['consent', 'basic'], env);
    expect(basic).toMatchObject({ code: 0 });
    expect(basic.stdout).toMatch(/Saved: basic: application details, system information/);
    const status = await candorJson<AgentStatus>(['status', '--json'], env);
    expect(status.consent).toMatchObject({ level: 'basic', categories: ['application', 'system'], storedChoice: 'share' });
    expect((await candor(['status'], env)).stdout).toMatch(/^Level: +basic: application details, system information$/m);
    expect(categoriesIn((await candor(['preview', '--json'], env)).stdout)).toEqual(['application', 'system']);

    expect((await candor(['consent', 'full', '--without', 'configuration'], env)).code).toBe(0);
    expect((await candorJson<AgentStatus>(['status', '--json'], env)).consent).toMatchObject({
      level: 'custom',
      categories: ['application', 'system', 'library'],
    });

    expect((await candor(['consent', 'local'], env)).code).toBe(0);
    const local = await candor(['send'], env);
    expect(local.code).toBe(1);
    expect(local.stderr).toMatch(/kept on this machine only/);
  });

  it('`preview --level basic` prints that level’s exact bytes without changing the answer', async () => {
    const env = await home();
    expect((await candor(['consent', 'yes'], env)).code).toBe(0);
    const full = (await candor(['preview', '--json'], env)).stdout;
    const basic = (await candor(['preview', '--json', '--level', 'basic'], env)).stdout;
    expect(categoriesIn(full)).toEqual(['application', 'config', 'library', 'system']);
    expect(categoriesIn(basic)).toEqual(['application', 'system']);
    expect((await candorJson<AgentStatus>(['status', '--json'], env)).consent.level).toBe('full');
    expect((await candor(['preview', '--level', 'most'], env)).code).toBe(2);
    expect((await candor(['consent', 'full', '--without', 'application'], env)).stderr).toMatch(/application details are the least any report carries/);
  });

  it('a config-level level beats a stored higher one, and is shown locked', async () => {
    const env = await home('level = "basic"\n');
    await candor(['consent', 'full'], env);
    const status = await candorJson<AgentStatus>(['status', '--json'], env);
    expect(status.consent).toMatchObject({
      level: 'basic',
      locked: true,
      storedChoice: 'share',
      storedCategories: ['application', 'system', 'library', 'config'],
    });
    expect(status.consent.decidedByLabel).toMatch(/\[insights\] level = "basic"/);
  });

  it('export, carried by hand, is imported by the collector byte for byte, and twice is still one row', async () => {
    const env = await home();
    await candor(['consent', 'basic'], env);
    const file = path.join(tempHome('candor-export-'), 'report.json');
    const exported = await candor(['export', '--out', file], env);
    expect(exported.code).toBe(0);
    expect(exported.stdout).toMatch(/Exported the basic report/);
    const envelope = readJson<ExportFile>(file);
    expect(envelope).toMatchObject({ candorExport: 1, level: 'basic', sha256: sha256Hex(envelope.report) });
    const history = await candorJson<HistoryEntry[]>(['history', '--json'], env);
    expect(history[0]).toMatchObject({ outcome: 'exported', trigger: 'export', level: 'basic', body: envelope.report });

    const args = ['import', file, '--data-dir', collector.dataDir!];
    for (let i = 0; i < 2; i++) {
      const imported = await run(process.execPath, [COLLECTOR_BIN, ...args]);
      expect(imported.stderr).toBe('');
    }
    const id = parseJson<Payload>(envelope.report).id!;
    const rows = storedRows(id);
    expect(rows).toHaveLength(1);
    // The collector checked the sha256 of the exact bytes, and keeps the same report, field for
    // field (the deletion secret's hash in a column of its own, where deletion looks for it).
    const stored = parseJson<{ candor: Record<string, unknown> }>(rows[0]!.payload);
    stored.candor.deletionKeyHash = rows[0]!.deletion_key_hash;
    expect(stored).toEqual(parseJson<Payload>(envelope.report));
    // Nothing went over the network: an export is carried by hand.
    expect((await candor(['export', '--out', file], env)).stderr).toMatch(/exists already/);
  });

  it('`delete-data` asks the collector to delete this machine’s reports, proven by the secret', async () => {
    const env = await home();
    await candor(['consent', 'yes'], env);
    expect((await candor(['send'], env)).code).toBe(0);
    const id = (await candorJson<AgentStatus>(['status', '--json'], env)).instanceId!;
    expect(storedRows(id)).toHaveLength(1);
    const deleted = await candor(['delete-data'], env);
    expect(deleted).toMatchObject({ code: 0 });
    expect(deleted.stdout).toMatch(/holds nothing of this machine/);
    expect(storedRows(id)).toHaveLength(0);
  });
});
