import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { build } from 'esbuild';
import { beforeAll, describe, expect, it } from 'vitest';
import { electronBuildOptions } from '../../../scripts/build-electron.mjs';
import { API_CHANNELS } from '../../../electron/pure/channels';
import type { PersistedState } from '../../../core/state/state-schema';
import { tempHome } from '../../support/agent-harness';
import { parseJson, readJson } from '../../support/json';

/**
 * The real composition root (electron/main/main.ts), bundled exactly as for the app but with
 * `electron` resolved to the stand-in, run in a child Node process: it proves the wiring the unit
 * tests cannot see (what is registered before `ready`, what start-up creates, how quit ends).
 */
const here = import.meta.dirname;
const out = tempHome('candor-smoke-');

const DRIVER = `
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
const standIn = () => globalThis.__electronStandIn;
const until = async (check, what) => {
  for (let i = 0; i < 400; i++) { if (check()) return; await new Promise((r) => setTimeout(r, 10)); }
  throw new Error('timed out waiting for ' + what);
};
await import(${JSON.stringify(path.join(out, 'main.js'))});
const e = standIn();
const report = { beforeReady: { lockRequested: e.app.lockRequested, privileged: e.protocol.privileged, registeredBeforeReady: e.protocol.registeredBeforeReady } };
e.app.becomeReady();
await until(() => e.trays.length === 1 && e.windows.length === 1, 'start-up');
const win = e.windows[0];
win.finishLoading();
await until(() => e.trays[0].menu, 'tray menu');
const asWindow = { sender: win.webContents, senderFrame: { url: win.webContents.getURL(), parent: null } };
const handlerChannels = [...e.ipcMain.handlers.keys()].sort();
const statusAnswer = await e.ipcMain.invoke('candor:getStatus', asWindow);
const foreign = await e.ipcMain.invoke('candor:getStatus', { sender: {}, senderFrame: { url: 'https://evil.example/', parent: null } });
const trayBefore = e.trays[0].menu.items.map((i) => i.label).filter(Boolean);
await e.ipcMain.invoke('candor:setConsent', asWindow, { choice: 'decline' });
await until(() => e.trays[0].menu.items[0].label === 'Sharing is off', 'tray update after consent');
const trayAfter = e.trays[0].menu.items.map((i) => i.label).filter(Boolean);
const page = await e.protocol.handlers.get('candor')(new Request('candor://app/index.html'));
const { FakeWebContents } = await import(${JSON.stringify(path.join(out, 'stand-in.js'))});
const other = new FakeWebContents();
e.app.emit('web-contents-created', {}, other);
const deniedNavigation = other.navigate('will-navigate', 'https://evil.example/');
const deniedOpen = other.openWindow('https://evil.example/');
win.close();
const afterClose = { destroyed: win.destroyed, visible: win.visible };
// The config file edited while the window is hidden: the tray hears it through the status pushes.
const configFile = join(process.env.CANDOR_HOME, 'candor.toml');
writeFileSync(configFile, '[insights]\\nlevel = "local"\\n');
await until(() => e.trays[0].menu.items[0].label === 'Reports are kept on this computer only', 'tray update after a config edit');
const trayAfterConfig = e.trays[0].menu.items.map((i) => i.label).filter(Boolean);
e.app.launchSecondInstance();
const afterSecond = { visible: win.visible, focused: win.focused, windows: e.windows.length };
// And while it is shown, the window is pushed the new status at once (no reload).
const pushedOff = () => win.webContents.sent.some((m) => m.args[0]?.type === 'status' && m.args[0].status.consent.decidedByLabel.startsWith('[insights] enabled = false'));
writeFileSync(configFile, '[insights]\\nenabled = false\\n');
await until(pushedOff, 'a status pushed to the window after a config edit');
const windowAfterConfig = win.webContents.sent.filter((m) => m.args[0]?.type === 'status').at(-1).args[0].status.consent;
e.powerMonitor.emit('suspend');
e.powerMonitor.emit('resume');
e.app.quit();
await until(() => e.app.quitted, 'quit');
console.log(JSON.stringify({
  ...report,
  handlerChannels,
  libraryChannels: ['__ELECTRON_LOG__', 'electron-store-get-data'].map((c) => e.ipcMain.listenerCount(c) + (e.ipcMain.handlers.has(c) ? 1 : 0)),
  window: { options: win.options, loads: win.webContents.loads },
  statusAnswer, foreign, trayBefore, trayAfter,
  page: { status: page.status, csp: page.headers.get('content-security-policy') },
  deniedNavigation, deniedOpen, afterClose, afterSecond, trayAfterConfig, windowAfterConfig,
  quit: { trayDestroyed: e.trays[0].destroyed, windowDestroyed: win.destroyed },
  appMenu: e.Menu.applicationMenu.items.map((i) => i.label ?? i.role),
}));
process.exit(0);
`;

/** What the driver prints: the stand-in's record of the run (the assertions check each part). */
interface DriverReport {
  beforeReady: { lockRequested: boolean; registeredBeforeReady: boolean; privileged: unknown[] };
  handlerChannels: string[];
  libraryChannels: number[];
  window: { options: { webPreferences: Record<string, unknown> }; loads: string[] };
  statusAnswer: unknown;
  foreign: unknown;
  trayBefore: string[];
  trayAfter: string[];
  page: { status: number; csp: string | null };
  deniedNavigation: boolean;
  deniedOpen: unknown;
  afterClose: unknown;
  afterSecond: unknown;
  trayAfterConfig: string[];
  windowAfterConfig: { sharing: boolean; level: string; locked: boolean; decidedByLabel: string };
  quit: unknown;
  appMenu: string[];
}

let result: DriverReport;
let home: string;

beforeAll(async () => {
  const options = electronBuildOptions({
    outdir: out,
    plugins: [
      { name: 'electron-stand-in', setup: (b) => b.onResolve({ filter: /^electron$/ }, () => ({ path: path.join(here, '../support/electron-module.ts') })) },
    ],
  });
  await build({ ...options.main, logLevel: 'silent' });
  await build({
    entryPoints: [path.join(here, '../support/stand-in.ts')],
    outfile: path.join(out, 'stand-in.js'),
    bundle: true,
    format: 'esm',
    platform: 'node',
    logLevel: 'silent',
  });
  writeFileSync(path.join(out, 'driver.mjs'), DRIVER);
  home = tempHome('candor-smoke-home-');
  const stdout = execFileSync(process.execPath, [path.join(out, 'driver.mjs')], {
    env: { PATH: process.env.PATH, HOME: home, CANDOR_HOME: home, CANDOR_TRAY: '1' },
    encoding: 'utf8',
    timeout: 30_000,
  });
  result = parseJson<DriverReport>(stdout.trim().split('\n').at(-1)!);
}, 60_000);

describe('the composition root, run against the stand-in', () => {
  it('takes the single-instance lock and registers the app scheme before ready', () => {
    expect(result.beforeReady.lockRequested).toBe(true);
    expect(result.beforeReady.registeredBeforeReady).toBe(true);
    expect(result.beforeReady.privileged).toEqual([{ scheme: 'candor', privileges: { standard: true, secure: true, supportFetchAPI: true } }]);
  });

  it('registers exactly the API channels and closes the libraries’ own', () => {
    expect(result.handlerChannels).toEqual([...API_CHANNELS].sort());
    expect(result.libraryChannels).toEqual([0, 0]);
  });

  it('first run: opens the hardened window on the app page, with the bundled preload', () => {
    expect(result.window.loads).toEqual(['candor://app/index.html']);
    expect(result.window.options.webPreferences).toMatchObject({ contextIsolation: true, sandbox: true, nodeIntegration: false, webviewTag: false });
    expect(result.window.options.webPreferences.preload).toBe(path.join(out, 'preload.cjs'));
  });

  it('answers the window over IPC, refuses strangers, and the tray follows a consent change', () => {
    expect(result.statusAnswer).toMatchObject({ ok: true, result: { shell: 'desktop', consent: { paused: { reason: 'awaiting-answer' } } } });
    expect(result.foreign).toMatchObject({ ok: false, error: { code: 'unavailable' } });
    expect(result.trayBefore[0]).toBe('Sharing waits for your answer');
    expect(result.trayAfter[0]).toBe('Sharing is off');
  });

  it('replaces the default application menu (no Help links, no DevTools menu unless unpackaged)', () => {
    expect(result.appMenu).toEqual(process.platform === 'darwin' ? ['appMenu', 'editMenu', 'View', 'windowMenu'] : ['File', 'editMenu', 'View']);
  });

  it('serves the page with the CSP header and guards every new web contents', () => {
    expect(result.page.status).toBe(200);
    expect(result.page.csp).toMatch(/^default-src 'none'/);
    expect(result.deniedNavigation).toBe(true);
    expect(result.deniedOpen).toEqual({ action: 'deny' });
  });

  it('close hides to the tray; a second launch brings the same window back', () => {
    expect(result.afterClose).toEqual({ destroyed: false, visible: false });
    expect(result.afterSecond).toEqual({ visible: true, focused: true, windows: 1 });
  });

  it('follows the config file: the tray while the window is hidden, the window while it is shown', () => {
    expect(result.trayAfterConfig[0]).toBe('Reports are kept on this computer only');
    expect(result.trayAfterConfig).toContain(`Set by [insights] level = "local" in ${path.join(home, 'candor.toml')}`);
    expect(result.windowAfterConfig).toMatchObject({
      sharing: false,
      level: 'off',
      locked: true,
      decidedByLabel: `[insights] enabled = false in ${path.join(home, 'candor.toml')}`,
    });
  });

  it('quit stops everything: tray gone, window closed, settings and log written, no secret in the log', () => {
    expect(result.quit).toEqual({ trayDestroyed: true, windowDestroyed: true });
    const state = readJson<PersistedState>(path.join(home, 'state.json'));
    expect(state.consent.choice).toBe('decline');
    const log = path.join(home, 'logs', 'desktop.log');
    expect(existsSync(log)).toBe(true);
    const text = readFileSync(log, 'utf8');
    expect(text).toMatch(/Candor started/);
    expect(text).toMatch(/Candor stopped/);
    expect(text).not.toContain(home);
  });
});
