import { describe, expect, it, vi } from 'vitest';
import { claimSingleInstance, installQuitHandling } from '../../../electron/main/lifecycle';
import { wirePower } from '../../../electron/main/power';
import { needsUserAtLaunch, shareFlagFrom, showWindowAtLaunch, trayLikelyVisible } from '../../../electron/pure/launch';
import { STATUSES, recordingLogger } from '../support/fixtures';
import { createElectronStandIn, fakeEvent } from '../support/stand-in';

describe('single instance', () => {
  it('a second copy quits at once and starts nothing', () => {
    const electron = createElectronStandIn({ lockAvailable: false });
    const onSecond = vi.fn();
    expect(claimSingleInstance(electron.app, onSecond)).toBe(false);
    expect(electron.app.quitCalls).toBe(1);
    expect(electron.app.listenerCount('second-instance')).toBe(0);
  });

  it('the first copy brings its window forward when launched again', () => {
    const electron = createElectronStandIn();
    const onSecond = vi.fn();
    expect(claimSingleInstance(electron.app, onSecond)).toBe(true);
    expect(electron.app.lockRequested).toBe(true);
    electron.app.launchSecondInstance(['candor']);
    expect(onSecond).toHaveBeenCalledOnce();
    expect(electron.app.quitCalls).toBe(0);
  });
});

describe('quitting', () => {
  it('stops the agent once, waits for it, then really quits', async () => {
    const electron = createElectronStandIn();
    let finish!: () => void;
    const stop = vi.fn(() => new Promise<void>((resolve) => (finish = resolve)));
    const control = installQuitHandling(electron.app, stop, { logger: recordingLogger() });
    expect(control.isQuitting()).toBe(false);
    control.quit();
    control.quit(); // impatient second click
    expect(control.isQuitting()).toBe(true);
    expect(electron.app.quitted).toBe(false);
    expect(stop).toHaveBeenCalledOnce();
    finish();
    await vi.waitFor(() => expect(electron.app.quitted).toBe(true));
    expect(stop).toHaveBeenCalledOnce();
  });

  it('quits anyway when stopping hangs past the cap', async () => {
    const electron = createElectronStandIn();
    const logger = recordingLogger();
    installQuitHandling(electron.app, () => new Promise(() => {}), { logger, capMs: 20 });
    electron.app.quit();
    await vi.waitFor(() => expect(electron.app.quitted).toBe(true));
    expect(logger.lines.map((l) => l.message)).toContain('quit: the agent took too long to stop; quitting anyway');
  });

  it('quits even when stopping fails', async () => {
    const electron = createElectronStandIn();
    installQuitHandling(electron.app, () => Promise.reject(new Error('disk full')), { logger: recordingLogger() });
    electron.app.quit();
    await vi.waitFor(() => expect(electron.app.quitted).toBe(true));
  });

  it('the last window closing does not quit (Candor lives in the tray)', () => {
    const electron = createElectronStandIn();
    installQuitHandling(electron.app, async () => {}, { logger: recordingLogger() });
    electron.app.emit('window-all-closed');
    expect(electron.app.quitCalls).toBe(0);
    expect(electron.app.listenerCount('window-all-closed')).toBe(1);
  });

  it('macOS: a click on the Dock icon opens the window', () => {
    const electron = createElectronStandIn();
    const onActivate = vi.fn();
    installQuitHandling(electron.app, async () => {}, { logger: recordingLogger(), onActivate });
    electron.app.emit('activate');
    expect(onActivate).toHaveBeenCalledOnce();
  });
});

describe('sleep and wake', () => {
  it('suspend drops the timer, resume re-plans and refreshes the tray', () => {
    const electron = createElectronStandIn();
    const agent = { onSuspend: vi.fn(), onResume: vi.fn() };
    const afterResume = vi.fn();
    wirePower(electron, agent, { afterResume });
    electron.powerMonitor.emit('suspend');
    expect(agent.onSuspend).toHaveBeenCalledOnce();
    electron.powerMonitor.emit('resume');
    expect(agent.onResume).toHaveBeenCalledOnce();
    expect(afterResume).toHaveBeenCalledOnce();
  });

  it('a system shutdown delays, then quits through the normal path', () => {
    const electron = createElectronStandIn();
    const onShutdown = vi.fn();
    wirePower(electron, { onSuspend: vi.fn(), onResume: vi.fn() }, { onShutdown });
    const event = fakeEvent();
    electron.powerMonitor.emit('shutdown', event);
    expect(event.defaultPrevented).toBe(true);
    expect(onShutdown).toHaveBeenCalledOnce();
  });

  it('can be unwired', () => {
    const electron = createElectronStandIn();
    const agent = { onSuspend: vi.fn(), onResume: vi.fn() };
    wirePower(electron, agent)();
    electron.powerMonitor.emit('resume');
    expect(agent.onResume).not.toHaveBeenCalled();
    expect(electron.powerMonitor.listenerCount('shutdown')).toBe(0);
  });
});

describe('start-up decisions', () => {
  it('first run and new fields open the window; otherwise Candor starts in the tray', () => {
    expect(needsUserAtLaunch(STATUSES.firstRun)).toBe(true);
    expect(needsUserAtLaunch(STATUSES.newFields)).toBe(true);
    expect(showWindowAtLaunch(STATUSES.on, true)).toBe(false);
    expect(showWindowAtLaunch(STATUSES.lockedOff, true)).toBe(false);
    expect(showWindowAtLaunch(STATUSES.firstRun, true)).toBe(true);
  });

  it('the tray is never the only control: without a likely tray the window opens at every start', () => {
    expect(showWindowAtLaunch(STATUSES.on, false)).toBe(true);
  });

  it.each([
    ['win32', {}, true],
    ['darwin', {}, true],
    ['linux', { XDG_CURRENT_DESKTOP: 'KDE' }, true],
    ['linux', { XDG_CURRENT_DESKTOP: 'ubuntu:GNOME' }, true],
    ['linux', { XDG_CURRENT_DESKTOP: 'GNOME' }, false],
    ['linux', {}, false],
    ['linux', { XDG_CURRENT_DESKTOP: 'GNOME', CANDOR_TRAY: '1' }, true],
    ['win32', { CANDOR_TRAY: '0' }, false],
  ] as const)('tray likely visible on %s %j: %s', (platform, env, expected) => {
    expect(trayLikelyVisible(platform, env)).toBe(expected);
  });

  it('reads --share / --no-share; the opt-out wins when both are given', () => {
    expect(shareFlagFrom(['electron', '.'])).toBeUndefined();
    expect(shareFlagFrom(['candor', '--share'])).toBe(true);
    expect(shareFlagFrom(['candor', '--share', '--no-share'])).toBe(false);
  });
});
