import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCandorConfig } from '../../../core/settings/candor-config';
import { privateFileSecretStore } from '../../../core/settings/secret-store';
import { migrate } from '../../../core/state/state-schema';
import { StorageError } from '../../../core/storage/storage-error';
import { tempHome } from '../../support/agent-harness';
import { canMount, mountTmpfs, stateStoreAt } from '../../support/storage';

describe('state store', () => {
  const fileOf = (dir: string) => path.join(dir, 'state.json');

  it('starts fresh without writing, persists changes atomically in private files, and another store reads them', async () => {
    const parent = tempHome();
    const dir = path.join(parent, 'data');
    const store = stateStoreAt(dir, () => 1000);
    expect(store.read().consent).toEqual({});
    expect(existsSync(dir)).toBe(false);
    await store.update((d) => void (d.consent.choice = 'decline'));
    expect(stateStoreAt(dir).read().consent.choice).toBe('decline');
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(fileOf(dir)).mode & 0o777).toBe(0o600);
    expect(readdirSync(dir).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it("sees another store's write at its next read, without being told", async () => {
    const dir = tempHome();
    const mine = stateStoreAt(dir);
    const theirs = stateStoreAt(dir);
    expect(mine.read().consent.choice).toBeUndefined();
    await theirs.update((d) => void (d.consent.choice = 'share'));
    expect(mine.read().consent.choice).toBe('share');
    await theirs.update((d) => void (d.consent.choice = 'decline'));
    expect(mine.read().consent.choice).toBe('decline');
  });

  it('applies each change to what is on disk, so two stores never undo each other', async () => {
    const dir = tempHome();
    const a = stateStoreAt(dir);
    const b = stateStoreAt(dir);
    a.read();
    b.read();
    await Promise.all([a.update((d) => void (d.consent.choice = 'decline')), b.update((d) => void (d.settings.historyRetentionDays = 42))]);
    expect(stateStoreAt(dir).read()).toMatchObject({ consent: { choice: 'decline' }, settings: { historyRetentionDays: 42 } });
  });

  const damaged: Array<[string, string]> = [
    ['half a file', '{"version":2,"consent":{"choice":"sha'],
    ['null', 'null'],
    ['an array', '[]'],
    ['a number', '42'],
    ['an empty file', ''],
    ['a wrong type at the top', JSON.stringify({ version: 2, firstStartAt: 'yesterday', consent: {}, schedules: {}, settings: { historyRetentionDays: 30 } })],
    [
      'a wrong type deep down',
      JSON.stringify({ version: 2, consent: { choice: 'share', approvedFields: [7] }, schedules: {}, settings: { historyRetentionDays: 30 } }),
    ],
    ['null inside', JSON.stringify({ version: 2, consent: null, schedules: {}, settings: { historyRetentionDays: 30 } })],
  ];
  for (const [name, text] of damaged) {
    it(`sets ${name} aside at the next write and asks again instead of assuming "yes"`, async () => {
      const dir = tempHome();
      writeFileSync(fileOf(dir), text);
      const store = stateStoreAt(dir, () => Date.UTC(2026, 0, 1));
      expect(store.read().consent).toEqual({ mustAskAgain: true });
      expect(store.damaged).toBe(true);
      await store.repair();
      const aside = readdirSync(dir).filter((f) => f.startsWith('state.json.damaged-'));
      expect(aside).toHaveLength(1);
      expect(readFileSync(path.join(dir, aside[0]!), 'utf8')).toBe(text);
      expect(stateStoreAt(dir).read()).toMatchObject({ consent: { mustAskAgain: true }, setAsideAs: aside[0] });
    });
  }

  it('keeps a "no" that can still be read from a damaged file', async () => {
    for (const text of [
      '{"version":2,"consent":{"choice":"decline","answeredAt":"x"}}',
      '{"version":2,"consent":{"choice":"decline"},"sched',
      JSON.stringify({ version: 1, sharing: false, schedule: 'x', settings: 5 }),
    ]) {
      const dir = tempHome();
      writeFileSync(fileOf(dir), text);
      const store = stateStoreAt(dir);
      expect(store.read().consent).toEqual({ choice: 'decline' });
      await store.repair();
      expect(stateStoreAt(dir).read().consent.choice).toBe('decline');
    }
  });

  it('migrates a version 1 file, keeping a stored "no"', () => {
    expect(migrate({ version: 1, sharing: false, firstStartAt: 1, settings: { historyRetentionDays: 30 } })).toMatchObject({
      version: 3,
      consent: { choice: 'decline' },
      schedules: {},
    });
    const dir = tempHome();
    writeFileSync(fileOf(dir), JSON.stringify({ version: 1, sharing: false, firstStartAt: 1, consent: {}, settings: { historyRetentionDays: 30 } }));
    expect(stateStoreAt(dir).read().consent.choice).toBe('decline');
  });

  it('refuses a change the schema does not allow, and writes nothing', async () => {
    const dir = tempHome();
    const store = stateStoreAt(dir);
    await expect(store.update((d) => void ((d.consent as Record<string, unknown>).choice = 'maybe'))).rejects.toThrow(/invalid state change/);
    expect(existsSync(fileOf(dir))).toBe(false);
  });

  it.runIf(canMount())('says why a change cannot be saved on a read-only or full data folder, and leaves the file as it was', async () => {
    const before = JSON.stringify({ version: 2, consent: { choice: 'share' }, schedules: {}, settings: { historyRetentionDays: 30 } });
    for (const [options, problem] of [
      [{ readOnly: true }, 'read-only'],
      [{ full: true }, 'no-space'],
    ] as const) {
      const mount = mountTmpfs({ ...options, seed: { 'state.json': before } });
      try {
        const store = stateStoreAt(mount.dir);
        const error = await store.update((d) => void (d.consent.choice = 'decline')).catch((e: unknown) => e);
        expect(error).toBeInstanceOf(StorageError);
        expect((error as StorageError).problem).toBe(problem);
        expect(readFileSync(fileOf(mount.dir), 'utf8')).toBe(before);
        expect(store.read().consent.choice).toBe('share');
      } finally {
        mount.unmount();
      }
    }
  });
});

describe('secret file', () => {
  it('is readable only by its owner and can be removed', async () => {
    const dir = tempHome();
    const secrets = privateFileSecretStore(dir);
    await secrets.set('hunter2');
    expect(await secrets.get()).toBe('hunter2');
    expect(statSync(path.join(dir, 'server-password')).mode & 0o777).toBe(0o600);
    await secrets.set(null);
    expect(await secrets.get()).toBeNull();
    expect(existsSync(path.join(dir, 'server-password'))).toBe(false);
  });
});

describe("Candor's config file", () => {
  const write = (text: string) => {
    const file = path.join(tempHome(), 'candor.toml');
    writeFileSync(file, text);
    return file;
  };

  it('reads every documented key and resolves relative paths next to the file', () => {
    const file = write(
      `[insights]\nenabled = false\nendpoint = "https://c.example/collect"\n[server]\nurl = "http://127.0.0.1:4533"\nusername = "admin"\npassword_file = "pw.txt"\nconfig_file = "navidrome.toml"\n[history]\nretention_days = 90\n`,
    );
    const config = loadCandorConfig(file);
    expect(config).toMatchObject({ path: file, unreadable: false, insightsEnabled: false, endpoint: 'https://c.example/collect', historyRetentionDays: 90 });
    expect(config.server.passwordFile).toBe(path.join(path.dirname(file), 'pw.txt'));
    expect(config.problems).toEqual([]);
  });

  it('is absent without a file', () => {
    expect(loadCandorConfig(path.join(tempHome(), 'none.toml'))).toMatchObject({ path: null, unreadable: false });
  });

  it('marks invalid TOML unreadable (which holds sharing off) and says where', () => {
    const config = loadCandorConfig(write('[insights\nenabled = true'));
    expect(config.unreadable).toBe(true);
    expect(config.problems[0]).toMatch(/not valid TOML/);
  });

  it('names unknown keys and wrong types instead of guessing', () => {
    const config = loadCandorConfig(write('[insights]\nenabled = true\ncolour = 1\n[other]\nx = 1\n[history]\nretention_days = "long"\n'));
    expect(config.problems).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/insights.colour/),
        expect.stringMatching(/\[other\]/),
        expect.stringMatching(/history.retention_days must be a whole number/),
      ]),
    );
  });

  it('reads an opt-out written as text or a number as the opt-out it means, and says so', () => {
    for (const value of ['"false"', '"no"', '"OFF"', '"disabled"', '0', '"0"', '" No "']) {
      const config = loadCandorConfig(write(`[insights]\nenabled = ${value}\n`));
      expect(config.insightsEnabled, value).toBe(false);
      expect(config.problems.join(' '), value).toMatch(/without quotes; it was read as false/);
    }
    expect(loadCandorConfig(write('[insights]\nenabled = "yes"\n')).insightsEnabled).toBe(true);
  });

  it('reads [insights] level and categories, and keeps what it cannot understand as written', () => {
    expect(loadCandorConfig(write('[insights]\nlevel = "Basic"\n')).insightsLevel).toBe('basic');
    expect(loadCandorConfig(write('[insights]\nlevel = "no"\n')).insightsLevel).toBe('off');
    expect(loadCandorConfig(write('[insights]\ncategories = ["system", "Configuration"]\n')).insightsCategories).toEqual(['system', 'config']);
    const odd = loadCandorConfig(write('[insights]\nlevel = "most"\ncategories = ["music"]\n'));
    expect(odd.insightsLevel).toEqual({ notUnderstood: '"most"' });
    expect(odd.insightsCategories).toEqual({ notUnderstood: '["music"]' });
    expect(odd.problems.join(' ')).toMatch(/insights.level = "most" is not understood.*insights.categories/);
  });

  it('keeps a value it cannot understand as written, so consent can hold sharing off and name it', () => {
    for (const [value, shown] of [
      ['"maybe"', '"maybe"'],
      ['2', '2'],
      ['[false]', '[false]'],
      ['{ x = 1 }', '{"x":1}'],
    ]) {
      const config = loadCandorConfig(write(`[insights]\nenabled = ${value}\n`));
      expect(config.insightsEnabled, value).toEqual({ notUnderstood: shown });
      expect(config.problems.join(' ')).toMatch(/not understood.*held off/);
    }
  });

  it('never echoes the password in a problem', () => {
    const config = loadCandorConfig(write('[server]\npassword = 12345678\n'));
    expect(config.problems.join(' ')).not.toContain('12345678');
    expect(readFileSync(config.path!, 'utf8')).toContain('12345678');
  });
});
