import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Conf from 'conf';
import { describe, expect, it } from 'vitest';
import type { Options as StoreOptions } from 'electron-store';
import { KEYCHAIN_SECRET_FILE, STATE_STORE_SCHEMA, createSecretStore, createStateBacking, stateStoreOptions } from '../../electron/main/persistence';
import { StateStore, freshState } from '../../electron/core/settings/state-store';
import { tempHome } from '../support/agent-harness';
import { recordingLogger } from './fixtures';
import { createElectronStandIn } from './stand-in';

/**
 * electron-store is conf plus Electron's paths (it maps `name` to `configName` and takes the
 * project version from the app). Under plain Node, conf with the same options stands in for it.
 */
class STORE extends Conf<Record<string, unknown>> {
  constructor(options: StoreOptions<Record<string, unknown>>) {
    const { name, ...rest } = options;
    super({ ...rest, configName: name ?? 'config' });
  }
}
const stateFile = (dir: string) => path.join(dir, 'state.json');
const onDisk = (dir: string) => JSON.parse(readFileSync(stateFile(dir), 'utf8')) as Record<string, any>;

function stateStore(dir: string, Store = STORE, logger = recordingLogger()) {
  return new StateStore({ dir, now: () => Date.UTC(2026, 0, 1), createBacking: (d) => createStateBacking(Store, d, logger) });
}

describe('settings through electron-store', () => {
  it('writes the agent state to <home>/state.json, where the core and the CLI read it', () => {
    const dir = tempHome();
    const store = stateStore(dir);
    store.update((d) => void (d.consent.choice = 'decline'));
    store.update((d) => void (d.consent.answeredAt = 7));
    expect(onDisk(dir)).toMatchObject({ version: 2, consent: { choice: 'decline', answeredAt: 7 } });
    expect(new StateStore({ dir, now: () => 5 }).get().consent.choice).toBe('decline');
    expect(stateStore(dir).warnings).toEqual([]);
  });

  it('the schema covers every top-level key of the state', () => {
    expect(Object.keys(STATE_STORE_SCHEMA).sort()).toEqual(Object.keys(freshState(0)).concat('instanceId').sort());
  });

  it('refuses to write a state the next start would reject', () => {
    const dir = tempHome();
    stateStore(dir);
    const backing = createStateBacking(STORE, dir, recordingLogger());
    const before = readFileSync(stateFile(dir), 'utf8');
    for (const bad of [{ ...freshState(1), version: 'two' }, { ...freshState(1), consent: { choice: 'maybe' } }, { ...freshState(1), instanceId: 'host-alice' }, { ...freshState(1), schedules: { 'not-a-hash': { consecutiveFailures: 0 } } }]) {
      expect(() => (backing.store = bad as Record<string, unknown>)).toThrow(/schema violation/);
    }
    expect(readFileSync(stateFile(dir), 'utf8')).toBe(before);
  });

  it('migrates an old file through the core chain, keeping a stored "no", with the schema on', () => {
    const dir = tempHome();
    writeFileSync(stateFile(dir), JSON.stringify({ version: 1, sharing: false, firstStartAt: 1, consent: {}, settings: { historyRetentionDays: 30 } }));
    const logger = recordingLogger();
    const store = stateStore(dir, STORE, logger);
    expect(store.warnings).toEqual([]);
    expect(logger.lines).toEqual([]);
    expect(store.get().consent.choice).toBe('decline');
    expect(onDisk(dir)).toMatchObject({ version: 2, consent: { choice: 'decline' } });
    expect(onDisk(dir)).not.toHaveProperty('sharing');
  });

  it('leaves no electron-store bookkeeping in the shared file: the CLI keeps working after the desktop', () => {
    const dir = tempHome();
    stateStore(dir).update((d) => void (d.consent.choice = 'share'));
    expect(onDisk(dir)).not.toHaveProperty('__internal__');
    const cli = new StateStore({ dir, now: () => 9 });
    cli.update((d) => void (d.consent.choice = 'decline'));
    cli.update((d) => void (d.consent.answeredAt = 10));
    expect(onDisk(dir).consent).toEqual({ choice: 'decline', answeredAt: 10 });
  });

  it('opens a file written by the headless CLI (plain conf, no electron-store bookkeeping)', () => {
    const dir = tempHome();
    new StateStore({ dir, now: () => 1 }).update((d) => void (d.consent.choice = 'decline'));
    expect(onDisk(dir)).not.toHaveProperty('__internal__');
    const store = stateStore(dir);
    expect(store.warnings).toEqual([]);
    expect(store.get().consent.choice).toBe('decline');
  });

  it('a damaged file is set aside by the core, never wiped by the store', () => {
    const dir = tempHome();
    writeFileSync(stateFile(dir), '{"version":2,"consent":{"choice":"decl');
    const store = stateStore(dir);
    expect(store.get().consent.mustAskAgain).toBe(true);
    expect(store.warnings.join(' ')).toMatch(/set aside/);
  });

  it('if the schema ever disagrees with the core, persistence wins and the fact is logged', () => {
    const dir = tempHome();
    // Valid for the core (unknown keys are dropped there) but not for a stricter store schema.
    writeFileSync(stateFile(dir), JSON.stringify({ ...freshState(1), consent: { choice: 'share' } }));
    const Strict = class extends STORE {
      constructor(options: StoreOptions<Record<string, unknown>>) {
        super({ ...options, ...(options.schema ? { schema: { ...options.schema, consent: { type: 'object', properties: { choice: { const: 'decline' } } } } } : {}) });
      }
    };
    const logger = recordingLogger();
    const store = stateStore(dir, Strict, logger);
    expect(store.warnings).toEqual([]);
    store.update((d) => void (d.consent.answeredAt = 2));
    expect(onDisk(dir).consent).toEqual({ choice: 'share', answeredAt: 2 });
    expect(logger.lines.map((l) => l.message)).toContain('settings: the file did not match the store schema; opened without the schema check');
  });

  it('options: the core file name, no silent wipe, a schema', () => {
    const options = stateStoreOptions('/data');
    expect(options).toMatchObject({ cwd: '/data', name: 'state', clearInvalidConfig: false, schema: STATE_STORE_SCHEMA });
  });
});

describe('the server password in safeStorage', () => {
  it('is stored encrypted by the OS keychain, readable only by its owner', async () => {
    const dir = tempHome();
    const { safeStorage } = createElectronStandIn();
    const secrets = createSecretStore(safeStorage, dir, 'linux', recordingLogger());
    expect(secrets.kind).toBe('os-keychain');
    await secrets.set('hunter2-password');
    const file = path.join(dir, KEYCHAIN_SECRET_FILE);
    expect(readFileSync(file, 'latin1')).not.toContain('hunter2');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(await secrets.get()).toBe('hunter2-password');
    expect(existsSync(path.join(dir, 'server-password'))).toBe(false);
    await secrets.set('');
    expect(await secrets.get()).toBeNull();
    expect(existsSync(file)).toBe(false);
  });

  it.each([
    ['no encryption at all', { encryptionAvailable: false }, 'darwin'],
    ["Linux's fixed-key fallback (basic_text)", { storageBackend: 'basic_text' }, 'linux'],
    ['an unknown Linux backend', { storageBackend: 'unknown' }, 'linux'],
  ] as const)('without a real keychain (%s) it says "private file", and means it', async (_name, options, platform) => {
    const dir = tempHome();
    const { safeStorage } = createElectronStandIn(options);
    const logger = recordingLogger();
    const secrets = createSecretStore(safeStorage, dir, platform, logger);
    expect(secrets.kind).toBe('private-file');
    await secrets.set('pw');
    expect(statSync(path.join(dir, 'server-password')).mode & 0o777).toBe(0o600);
    expect(logger.lines.map((l) => l.message)).toContain('no usable OS keychain: the server password is kept in a private file');
  });

  it('a secret the keychain can no longer decrypt reads as "none", is logged without its bytes, and can be replaced', async () => {
    const dir = tempHome();
    const { safeStorage } = createElectronStandIn();
    writeFileSync(path.join(dir, KEYCHAIN_SECRET_FILE), 'garbage-from-another-keyring');
    const logger = recordingLogger();
    const secrets = createSecretStore(safeStorage, dir, 'win32', logger);
    expect(await secrets.get()).toBeNull();
    expect(JSON.stringify(logger.lines)).not.toContain('garbage');
    await secrets.set('new');
    expect(await secrets.get()).toBe('new');
  });
});
