import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadCandorConfig } from '../../electron/core/settings/candor-config';
import { StateStore, migrate, privateFileSecretStore } from '../../electron/core/settings/state-store';
import { tempHome } from '../support/agent-harness';

describe('state store', () => {
  it('starts fresh, persists changes atomically and reads them back', () => {
    const dir = tempHome();
    const store = new StateStore({ dir, now: () => 1000 });
    store.update((d) => void (d.consent.choice = 'decline'));
    const again = new StateStore({ dir, now: () => 2000 });
    expect(again.get().consent.choice).toBe('decline');
    expect(again.get().firstStartAt).toBe(1000);
    expect(again.warnings).toEqual([]);
  });

  it('sets a damaged file aside, reports it, and asks again instead of assuming "yes"', () => {
    const dir = tempHome();
    writeFileSync(path.join(dir, 'state.json'), '{"version":2,"consent":{"choice":"decl');
    const store = new StateStore({ dir, now: () => Date.UTC(2026, 0, 1) });
    expect(store.warnings.join(' ')).toMatch(/damaged.*set aside/);
    expect(store.get().consent.mustAskAgain).toBe(true);
    expect(readdirSync(dir).some((f) => f.startsWith('state.json.damaged-'))).toBe(true);
  });

  it('treats a file that parses but breaks the schema as damaged too', () => {
    const dir = tempHome();
    writeFileSync(path.join(dir, 'state.json'), JSON.stringify({ version: 2, firstStartAt: 'yesterday' }));
    const store = new StateStore({ dir, now: () => 5 });
    expect(store.warnings).toHaveLength(1);
    expect(store.get().firstStartAt).toBe(5);
  });

  it('migrates a version 1 file, keeping a stored "no"', () => {
    expect(migrate({ version: 1, sharing: false, firstStartAt: 1, settings: { historyRetentionDays: 30 } })).toMatchObject({ version: 2, consent: { choice: 'decline' }, schedules: {} });
    const dir = tempHome();
    writeFileSync(path.join(dir, 'state.json'), JSON.stringify({ version: 1, sharing: false, firstStartAt: 1, consent: {}, settings: { historyRetentionDays: 30 } }));
    expect(new StateStore({ dir, now: () => 5 }).get().consent.choice).toBe('decline');
  });

  it('keeps working in memory when the folder cannot be written, and says so', () => {
    const store = new StateStore({
      dir: tempHome(),
      now: () => 1,
      createBacking: () => {
        throw Object.assign(new Error('read-only'), { code: 'EROFS' });
      },
    });
    store.update((d) => void (d.consent.choice = 'share'));
    expect(store.get().consent.choice).toBe('share');
    expect(store.warnings.join(' ')).toMatch(/not writable/);
  });
});

describe('secret file', () => {
  it('is readable only by its owner and can be removed', async () => {
    const dir = tempHome();
    const secrets = privateFileSecretStore(dir);
    await secrets.set('hunter2');
    expect(await secrets.get()).toBe('hunter2');
    const mode = (await import('node:fs')).statSync(path.join(dir, 'server-password')).mode & 0o777;
    expect(mode).toBe(0o600);
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
    const file = write(`[insights]\nenabled = false\nendpoint = "https://c.example/collect"\n[server]\nurl = "http://127.0.0.1:4533"\nusername = "admin"\npassword_file = "pw.txt"\nconfig_file = "navidrome.toml"\n[history]\nretention_days = 90\n`);
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
    const config = loadCandorConfig(write('[insights]\nenabled = "no"\ncolour = 1\n[other]\nx = 1\n'));
    expect(config.insightsEnabled).toBeUndefined();
    expect(config.problems).toEqual(expect.arrayContaining([expect.stringMatching(/insights.enabled must be a boolean/), expect.stringMatching(/insights.colour/), expect.stringMatching(/\[other\]/)]));
  });

  it('never echoes the password in a problem', () => {
    const config = loadCandorConfig(write('[server]\npassword = 12345678\n'));
    expect(config.problems.join(' ')).not.toContain('12345678');
    expect(readFileSync(config.path!, 'utf8')).toContain('12345678');
  });
});
