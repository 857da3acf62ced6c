import type { MenuItemConstructorOptions } from 'electron';
import { describe, expect, it, vi } from 'vitest';
import { setupTray } from '../../../electron/main/tray';
import { trayIconFile, trayMenuTemplate, trayStateOf, trayTooltip, type TrayActions } from '../../../electron/pure/tray-model';
import { STATUSES, agentStatus, fakeApi, flush, recordingLogger } from '../support/fixtures';
import { createElectronStandIn } from '../support/stand-in';

const format = (iso: string) => `<${iso.slice(0, 16)}>`;
const noActions: TrayActions = { setLevel: () => {}, sendNow: () => {}, open: () => {}, quit: () => {} };
const LEVEL_IDS = ['level-full', 'level-basic', 'level-local', 'level-off'];
const checkedLevel = (menu: MenuItemConstructorOptions[]) => menu.filter((i) => i.type === 'radio' && i.checked).map((i) => i.id);
const menuOf = (status = STATUSES.on, sending = false, actions = noActions) => trayMenuTemplate(status, actions, { formatTime: format, sending });
const item = (menu: MenuItemConstructorOptions[], id: string) => menu.find((i) => i.id === id);
const labels = (menu: MenuItemConstructorOptions[]) => menu.filter((i) => i.type !== 'separator').map((i) => i.label);

describe('tray model: one icon state per situation', () => {
  it.each([
    ['on', STATUSES.on],
    ['off', STATUSES.off],
    ['locked', STATUSES.lockedOff],
    ['locked', STATUSES.lockedOn],
    ['error', STATUSES.failed],
    ['off', STATUSES.firstRun],
    ['off', STATUSES.newFields],
  ] as const)('%s', (state, status) => {
    expect(trayStateOf(status)).toBe(state);
  });

  it('a failure while sharing is off is history, not an alarm', () => {
    const status = agentStatus({ consent: { sharing: false, storedChoice: 'decline' }, schedule: STATUSES.failed.schedule });
    expect(trayStateOf(status)).toBe('off');
  });

  it('uses template images on macOS and coloured ones elsewhere', () => {
    expect(trayIconFile('locked', 'darwin')).toBe('tray-lockedTemplate.png');
    expect(trayIconFile('locked', 'linux')).toBe('tray-locked.png');
    expect(trayIconFile('error', 'win32')).toBe('tray-error.png');
  });

  it('the tooltip says why when locked or failing', () => {
    expect(trayTooltip(STATUSES.lockedOff)).toBe('Candor: sharing is off (set by DO_NOT_TRACK=1 in the environment)');
    expect(trayTooltip(STATUSES.failed)).toMatch(/last send failed/);
  });
});

describe('tray menu, rendered from state', () => {
  it('sharing on: the full level checked among the four, last sent and result, next due, every action', () => {
    const menu = menuOf(STATUSES.on);
    expect(labels(menu)).toEqual([
      'Sharing is on (full report)',
      'Share the full report',
      'Share the basic report (application and system only)',
      'Keep reports on this computer only',
      'Do not share',
      'Last sent: <2026-01-01T12:00>',
      'Last result: accepted (HTTP 204)',
      'Next report: <2026-01-02T12:30>',
      'Send now',
      'Preview payload…',
      'History…',
      'Open Candor',
      'Quit Candor',
    ]);
    expect(LEVEL_IDS.map((id) => item(menu, id)!.type)).toEqual(['radio', 'radio', 'radio', 'radio']);
    expect(checkedLevel(menu)).toEqual(['level-full']);
    expect(item(menu, 'level-basic')!.enabled).not.toBe(false);
    expect(item(menu, 'send-now')!.enabled).toBe(true);
  });

  it.each([
    ['basic', STATUSES.basic, 'level-basic', 'Sharing is on (basic report)'],
    ['local', STATUSES.local, 'level-local', 'Reports are kept on this computer only'],
    ['off', STATUSES.off, 'level-off', 'Sharing is off'],
  ] as const)('%s: its radio item is the checked one, and the status line says it', (_name, status, id, line) => {
    const menu = menuOf(status);
    expect(checkedLevel(menu)).toEqual([id]);
    expect(item(menu, 'status')!.label).toBe(line);
  });

  it('a custom set of categories is shown as such, never rounded to a preset', () => {
    const menu = menuOf(STATUSES.custom);
    expect(checkedLevel(menu)).toEqual(['level-custom']);
    expect(item(menu, 'level-custom')!.enabled).toBe(false);
  });

  it('sharing off: nothing planned, Send now disabled; local: the next report is kept, not sent', () => {
    const menu = menuOf(STATUSES.off);
    expect(item(menu, 'next-due')!.label).toBe('Next report: none (sharing is off)');
    expect(item(menu, 'send-now')!.enabled).toBe(false);
    expect(item(menuOf(STATUSES.local), 'next-due')!.label).toBe('Next report kept: <2026-01-02T12:30>');
    expect(item(menuOf(STATUSES.local), 'send-now')!.enabled).toBe(false);
  });

  it.each([
    ['off', STATUSES.lockedOff, 'DO_NOT_TRACK=1 in the environment', 'level-off'],
    ['on', STATUSES.lockedOn, '[insights] enabled = true in /etc/candor.toml', 'level-full'],
  ] as const)('locked %s: every level is disabled, the deciding setting is named', (_name, status, setting, checked) => {
    const menu = menuOf(status);
    for (const id of LEVEL_IDS) {
      expect(item(menu, id)!.enabled).toBe(false);
      expect(item(menu, id)!.click).toBeUndefined();
    }
    expect(checkedLevel(menu)).toEqual([checked]);
    expect(item(menu, 'locked-by')!.label).toBe(`Set by ${setting}`);
  });

  it('last send failed: the failure, its time and its fixed message are shown', () => {
    const menu = menuOf(STATUSES.failed);
    expect(item(menu, 'last-result')!.label).toBe('Last attempt failed (<2026-01-02T12:31>): could not connect');
    expect(item(menu, 'next-due')!.label).toBe('Next report: <2026-01-02T12:36>');
    expect(item(menu, 'send-now')!.enabled).toBe(true);
  });

  it('first run: no levels, the first "yes" belongs to the wizard', () => {
    const open = vi.fn();
    const menu = menuOf(STATUSES.firstRun, false, { ...noActions, open });
    for (const id of LEVEL_IDS) expect(item(menu, id)).toBeUndefined();
    expect(item(menu, 'last-sent')!.label).toBe('Last sent: never');
    expect(item(menu, 'next-due')!.label).toBe('Next report: after you decide');
    expect(item(menu, 'send-now')!.enabled).toBe(false);
    (item(menu, 'decide')!.click as () => void)();
    expect(open).toHaveBeenCalledWith('home');
  });

  it('new fields: sharing can still be turned down or off, and the review is one click away', () => {
    const menu = menuOf(STATUSES.newFields);
    expect(item(menu, 'status')!.label).toBe('Sharing paused: new fields to review');
    expect(checkedLevel(menu)).toEqual(['level-full']);
    expect(item(menu, 'review')).toBeDefined();
    expect(item(menu, 'send-now')!.enabled).toBe(false);
  });

  it('while a send from the tray runs, Send now says so and cannot be clicked again', () => {
    expect(item(menuOf(STATUSES.on, true), 'send-now')).toMatchObject({ label: 'Sending…', enabled: false });
  });

  it('each item calls its action', () => {
    const actions = { setLevel: vi.fn(), sendNow: vi.fn(), open: vi.fn(), quit: vi.fn() };
    const menu = menuOf(STATUSES.on, false, actions);
    for (const id of [...LEVEL_IDS, 'send-now', 'preview', 'history', 'open', 'quit']) (item(menu, id)!.click as () => void)();
    expect(actions.setLevel.mock.calls).toEqual([['full'], ['basic'], ['local'], ['off']]);
    expect(actions.sendNow).toHaveBeenCalledOnce();
    expect(actions.open.mock.calls).toEqual([['preview'], ['history'], []]);
    expect(actions.quit).toHaveBeenCalledOnce();
  });
});

describe('the tray', () => {
  function tray(platform: NodeJS.Platform = 'linux', status = STATUSES.on) {
    const electron = createElectronStandIn();
    const agent = fakeApi(status);
    const windowActions = { open: vi.fn(), quit: vi.fn() };
    const controller = setupTray(electron, agent.api, windowActions, { platform, iconDir: '/icons', formatTime: format, logger: recordingLogger() });
    const fake = electron.trays[0]!;
    return { electron, agent, windowActions, controller, fake };
  }

  it('shows the state icon, tooltip and menu after the first refresh', async () => {
    const { controller, fake } = tray('linux', STATUSES.lockedOff);
    await controller.refresh();
    expect(fake.image).toEqual({ path: '/icons/tray-locked.png' });
    expect(fake.toolTip).toMatch(/DO_NOT_TRACK/);
    expect(fake.menu!.item('level-full')!.enabled).toBe(false);
  });

  it('loads macOS template images', async () => {
    const { controller, fake } = tray('darwin', STATUSES.failed);
    await controller.refresh();
    expect(fake.image).toEqual({ path: '/icons/tray-errorTemplate.png' });
  });

  it('rebuilds the menu on every change, and only then', async () => {
    const { controller, fake, agent } = tray();
    await controller.refresh();
    await controller.refresh();
    expect(fake.menuSets).toBe(1);
    agent.setStatus(STATUSES.failed);
    await controller.refresh();
    expect(fake.menuSets).toBe(2);
    expect(fake.image.path).toMatch(/tray-error/);
    controller.render(STATUSES.off);
    expect(fake.menuSets).toBe(3);
    expect(fake.menu!.item('level-off')!.checked).toBe(true);
  });

  it('a level chosen in the menu changes consent through the API and shows the result', async () => {
    const { controller, fake, agent } = tray();
    await controller.refresh();
    fake.menu!.click('level-basic');
    await flush();
    expect(agent.calls).toContainEqual({ method: 'setConsent', input: { choice: 'share', categories: ['application', 'system'] } });
    expect(fake.menu!.item('status')!.label).toBe('Sharing is on (basic report)');
    fake.menu!.click('level-local');
    await flush();
    expect(agent.calls).toContainEqual({ method: 'setConsent', input: { choice: 'local', categories: ['application', 'system'] } });
    fake.menu!.click('level-off');
    await flush();
    expect(agent.calls).toContainEqual({ method: 'setConsent', input: { choice: 'decline' } });
    expect(fake.menu!.item('status')!.label).toBe('Sharing is off');
    expect(fake.image.path).toMatch(/tray-off/);
  });

  it('a locked level cannot be clicked', async () => {
    const { controller, fake } = tray('linux', STATUSES.lockedOn);
    await controller.refresh();
    expect(() => fake.menu!.click('level-off')).toThrow(/disabled/);
  });

  it('Send now is disabled while it runs and the menu is refreshed afterwards', async () => {
    const { controller, fake, agent } = tray();
    await controller.refresh();
    fake.menu!.click('send-now');
    expect(fake.menu!.item('send-now')).toMatchObject({ label: 'Sending…', enabled: false });
    agent.finishSend();
    await flush();
    expect(fake.menu!.item('send-now')).toMatchObject({ label: 'Send now', enabled: true });
    expect(agent.calls.filter((c) => c.method === 'sendNow')).toHaveLength(1);
  });

  it('Preview, History, Open and Quit reach the window and the app', async () => {
    const { controller, fake, windowActions } = tray();
    await controller.refresh();
    fake.menu!.click('preview');
    fake.menu!.click('history');
    fake.menu!.click('open');
    fake.menu!.click('quit');
    expect(windowActions.open.mock.calls).toEqual([['preview'], ['history'], [undefined]]);
    expect(windowActions.quit).toHaveBeenCalledOnce();
  });

  it('a click on the icon opens the window on Windows and Linux; macOS shows the menu', () => {
    const linux = tray('linux');
    linux.fake.emit('click');
    expect(linux.windowActions.open).toHaveBeenCalledOnce();
    const mac = tray('darwin');
    expect(mac.fake.listenerCount('click')).toBe(0);
  });

  it('a failing status read is logged, never thrown', async () => {
    const { controller, agent } = tray();
    agent.api.getStatus = () => Promise.reject(new Error('boom /home/alice'));
    await expect(controller.refresh()).resolves.toBeUndefined();
  });

  it('destroy removes the icon and later renders do nothing', () => {
    const { controller, fake } = tray();
    controller.destroy();
    controller.render(STATUSES.failed);
    expect(fake.destroyed).toBe(true);
    expect(fake.menuSets).toBe(0);
  });
});
