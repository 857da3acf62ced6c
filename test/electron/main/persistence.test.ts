import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import Conf from 'conf';
import { describe, expect, it } from 'vitest';
import type { Options as StoreOptions } from 'electron-store';
import { KEYCHAIN_SECRET_FILE, createSecretStore } from '../../../electron/main/persistence';
import { WindowPlacement, desktopPrefsOptions } from '../../../electron/main/window-placement';
import { tempHome } from '../../support/agent-harness';
import { recordingLogger } from '../support/fixtures';
import { createElectronStandIn } from '../support/stand-in';

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
describe('the window remembers its place through electron-store', () => {
  const screens = [{ x: 0, y: 0, width: 1920, height: 1080 }];
  const placementAt = (dir: string, areas = screens) => new WindowPlacement(new STORE(desktopPrefsOptions(dir)), () => areas);

  it('saves size, place and maximized state in a private desktop.json, apart from the shared state', () => {
    const dir = tempHome();
    placementAt(dir).save({ getNormalBounds: () => ({ x: 200, y: 150, width: 900, height: 700 }), isMaximized: () => true });
    expect(placementAt(dir).restore()).toEqual({ options: { x: 200, y: 150, width: 900, height: 700 }, maximized: true });
    const file = path.join(dir, 'desktop.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(existsSync(path.join(dir, 'state.json'))).toBe(false);
  });

  it('keeps the size but not the place when that place is no longer on any screen', () => {
    const dir = tempHome();
    placementAt(dir).save({ getNormalBounds: () => ({ x: 2500, y: 100, width: 900, height: 700 }), isMaximized: () => false });
    expect(placementAt(dir).restore()).toEqual({ options: { width: 900, height: 700 }, maximized: false });
    expect(placementAt(dir, [...screens, { x: 1920, y: 0, width: 1920, height: 1080 }]).restore().options).toMatchObject({ x: 2500 });
  });

  it('starts afresh from a damaged or odd preferences file', () => {
    const dir = tempHome();
    writeFileSync(path.join(dir, 'desktop.json'), '{"window":{"x":"left"');
    expect(placementAt(dir).restore()).toEqual({ options: {}, maximized: false });
    writeFileSync(path.join(dir, 'desktop.json'), JSON.stringify({ window: { x: 1, y: 1, width: 5, height: 5, maximized: false } }));
    expect(placementAt(dir).restore()).toEqual({ options: {}, maximized: false });
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
