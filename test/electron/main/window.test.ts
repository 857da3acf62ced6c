import { describe, expect, it, vi } from 'vitest';
import { installQuitHandling } from '../../../electron/main/lifecycle';
import { MainWindow, mainWindowOptions } from '../../../electron/main/window';
import { appMenuTemplate } from '../../../electron/pure/app-menu';
import { APP_ENTRY } from '../../../electron/pure/app-origin';
import { recordingLogger } from '../support/fixtures';
import { createElectronStandIn } from '../support/stand-in';

describe('window options: the Electron security checklist', () => {
  const options = mainWindowOptions({ preload: '/app/dist/electron/preload.cjs', icon: '/app/assets/icon.png', devTools: false });
  const web = options.webPreferences!;

  it.each([
    ['contextIsolation', true],
    ['sandbox', true],
    ['nodeIntegration', false],
    ['nodeIntegrationInWorker', false],
    ['nodeIntegrationInSubFrames', false],
    ['webviewTag', false],
    ['webSecurity', true],
    ['allowRunningInsecureContent', false],
    ['experimentalFeatures', false],
    ['navigateOnDragDrop', false],
    ['spellcheck', false],
    ['devTools', false],
  ] as const)('%s is %s', (key, value) => {
    expect(web[key]).toBe(value);
  });

  it('loads only the bundled CommonJS preload, enables no Blink extras, and starts hidden', () => {
    expect(web.preload).toBe('/app/dist/electron/preload.cjs');
    expect(web.enableBlinkFeatures).toBeUndefined();
    expect(web.additionalArguments).toBeUndefined();
    expect(options.show).toBe(false);
  });
});

function setup(closeBehavior: 'hide' | 'minimize' = 'hide') {
  const electron = createElectronStandIn();
  const visibility: boolean[] = [];
  const stop = vi.fn(async () => {});
  const quit = installQuitHandling(electron.app, stop, { logger: recordingLogger() });
  const onSessionEnd = vi.fn(() => quit.quit());
  const window = new MainWindow(electron, {
    windowOptions: mainWindowOptions({ preload: '/p.cjs', devTools: false }),
    source: { devOrigin: null },
    closeBehavior,
    isQuitting: () => quit.isQuitting(),
    onVisibilityChange: (visible) => visibility.push(visible),
    onSessionEnd,
    logger: recordingLogger(),
  });
  return { electron, window, visibility, stop, quit, onSessionEnd };
}

describe('the main window', () => {
  it('is created on demand, loads the app, and appears once painted', () => {
    const { electron, window, visibility } = setup();
    expect(electron.windows).toHaveLength(0);
    window.open();
    const [win] = electron.windows;
    expect(win!.webContents.loads).toEqual([APP_ENTRY]);
    expect(win!.visible).toBe(false);
    win!.finishLoading();
    expect(win!.visible).toBe(true);
    expect(win!.focused).toBe(true);
    expect(visibility).toEqual([true]);
  });

  it('opening again reuses the window; a view switches the screen in place', () => {
    const { electron, window } = setup();
    window.open();
    electron.windows[0]!.finishLoading();
    window.open('history');
    window.open();
    expect(electron.windows).toHaveLength(1);
    expect(electron.windows[0]!.webContents.loads).toEqual([APP_ENTRY, `${APP_ENTRY}#/history`]);
  });

  it('closing keeps the app in the tray: the window hides, nothing quits', () => {
    const { electron, window, visibility, stop } = setup('hide');
    window.open();
    const win = electron.windows[0]!;
    win.finishLoading();
    win.close();
    expect(win.destroyed).toBe(false);
    expect(win.visible).toBe(false);
    expect(visibility).toEqual([true, false]);
    expect(electron.app.quitted).toBe(false);
    expect(stop).not.toHaveBeenCalled();
    window.open();
    expect(win.visible).toBe(true);
  });

  it('without a likely tray, closing minimizes so the window stays reachable', () => {
    const { electron, window } = setup('minimize');
    window.open();
    const win = electron.windows[0]!;
    win.finishLoading();
    win.close();
    expect(win.destroyed).toBe(false);
    expect(win.minimized).toBe(true);
    window.open();
    expect(win.minimized).toBe(false);
  });

  it('quitting closes the window for real, after the agent stopped', async () => {
    const { electron, window, stop } = setup();
    window.open();
    const win = electron.windows[0]!;
    electron.app.quit();
    expect(win.destroyed).toBe(false); // waiting for the agent to stop
    await vi.waitFor(() => expect(electron.app.quitted).toBe(true));
    expect(stop).toHaveBeenCalledOnce();
    expect(win.destroyed).toBe(true);
    expect(window.current).toBeNull();
  });

  it('a Windows log-off quits instead of hiding', () => {
    const { electron, window, onSessionEnd } = setup();
    window.open();
    electron.windows[0]!.emit('session-end');
    expect(onSessionEnd).toHaveBeenCalledOnce();
  });

  it('a window destroyed elsewhere is recreated on the next open', () => {
    const { electron, window } = setup();
    window.open();
    electron.windows[0]!.destroy();
    window.open('preview');
    expect(electron.windows).toHaveLength(2);
    expect(electron.windows[1]!.webContents.loads).toEqual([`${APP_ENTRY}#/preview`]);
  });
});

describe('application menu', () => {
  const roles = (template: ReturnType<typeof appMenuTemplate>): string[] =>
    template.flatMap((item) => [item.role ?? item.label ?? '', ...(Array.isArray(item.submenu) ? roles(item.submenu) : [])]);

  it.each(['linux', 'win32', 'darwin'] as const)('%s: quit and edit are there; no Help links, DevTools only in dev', (platform) => {
    const packaged = roles(appMenuTemplate(platform, { dev: false }));
    expect(packaged).toContain(platform === 'darwin' ? 'appMenu' : 'quit');
    expect(packaged).toContain('editMenu');
    expect(packaged).not.toContain('help');
    expect(packaged).not.toContain('toggleDevTools');
    expect(roles(appMenuTemplate(platform, { dev: true }))).toContain('toggleDevTools');
  });
});
