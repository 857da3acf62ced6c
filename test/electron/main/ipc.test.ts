import { describe, expect, it, vi } from 'vitest';
import { API_METHODS, ApiError } from '../../../shared/api-contract';
import { EventRelay, LIBRARY_CHANNELS, closeLibraryChannels, isTrustedSender, registerIpc } from '../../../electron/main/ipc';
import { createBridge } from '../../../electron/preload/bridge';
import { APP_ENTRY } from '../../../electron/pure/app-origin';
import { API_CHANNELS, EVENT_CHANNEL, channelFor } from '../../../electron/pure/channels';
import { configWith, makeAgent } from '../../support/agent-harness';
import { STATUSES, fakeApi, recordingLogger } from '../support/fixtures';
import { FakeFrame, FakeWebContents, createElectronStandIn } from '../support/stand-in';

/** Main with IPC registered for one window, plus ways to call it as that window or as someone else. */
function wired(api = fakeApi().api) {
  const electron = createElectronStandIn();
  const window = new FakeWebContents();
  const topFrame = new FakeFrame(APP_ENTRY);
  const logger = recordingLogger();
  const onStateChange = vi.fn();
  const dispose = registerIpc(electron, api, {
    isTrustedSender: (event) => isTrustedSender(event, { webContents: window, source: { devOrigin: null } }),
    onStateChange,
    logger,
  });
  const asWindow = { sender: window, senderFrame: topFrame };
  return { electron, window, topFrame, asWindow, logger, onStateChange, dispose };
}

describe('IPC: channels', () => {
  it('registers exactly one invoke handler per API method, named after it', () => {
    const { electron } = wired();
    expect([...electron.ipcMain.handlers.keys()].sort()).toEqual([...API_CHANNELS].sort());
    expect(API_CHANNELS).toHaveLength(API_METHODS.length);
    expect(API_CHANNELS).not.toContain(EVENT_CHANNEL);
  });

  it('can be removed again', () => {
    const { electron, dispose } = wired();
    dispose();
    expect(electron.ipcMain.handlers.size).toBe(0);
  });

  it("closes the libraries' own channels (electron-log, electron-store's sendSync)", () => {
    const electron = createElectronStandIn();
    electron.ipcMain.handle('__ELECTRON_LOG__', () => ({}));
    electron.ipcMain.on('__ELECTRON_LOG__', () => {});
    electron.ipcMain.on('electron-store-get-data', () => {});
    closeLibraryChannels(electron.ipcMain);
    for (const channel of LIBRARY_CHANNELS) expect(electron.ipcMain.listenerCount(channel)).toBe(0);
    expect(electron.ipcMain.handlers.size).toBe(0);
  });
});

describe('IPC: every sender is checked before acting', () => {
  const refused = { ok: false, error: { code: 'unavailable', message: 'This page may not call Candor.' } };

  it('answers the main window showing the app', async () => {
    const { electron, asWindow } = wired();
    expect(await electron.ipcMain.invoke(channelFor('getStatus'), asWindow)).toMatchObject({ ok: true, result: { consent: { sharing: true } } });
  });

  it.each([
    ['another web contents', () => ({ sender: new FakeWebContents(), senderFrame: new FakeFrame(APP_ENTRY) })],
    ['an iframe inside the window', (w: FakeWebContents) => ({ sender: w, senderFrame: new FakeFrame(APP_ENTRY, new FakeFrame(APP_ENTRY)) })],
    ['a remote page in the window', (w: FakeWebContents) => ({ sender: w, senderFrame: new FakeFrame('https://evil.example/') })],
    ['a file:// page in the window', (w: FakeWebContents) => ({ sender: w, senderFrame: new FakeFrame('file:///tmp/index.html') })],
    ['a frame that went away', (w: FakeWebContents) => ({ sender: w, senderFrame: null })],
  ])('refuses %s, without calling the agent', async (_name, from) => {
    const agent = fakeApi();
    const { electron, window, logger } = wired(agent.api);
    const answer = await electron.ipcMain.invoke(channelFor('setConsent'), from(window), { choice: 'decline' });
    expect(answer).toEqual(refused);
    expect(agent.calls).toEqual([]);
    expect(logger.lines).toContainEqual({ level: 'warn', message: 'refused an IPC call from an untrusted sender', fields: { method: 'setConsent' } });
  });

  it('refuses everything when there is no window', async () => {
    const electron = createElectronStandIn();
    registerIpc(electron, fakeApi().api, {
      isTrustedSender: (event) => isTrustedSender(event, { webContents: null, source: { devOrigin: null } }),
      logger: recordingLogger(),
    });
    expect(await electron.ipcMain.invoke(channelFor('getStatus'), { sender: null, senderFrame: new FakeFrame(APP_ENTRY) })).toEqual(refused);
  });
});

describe('IPC: every argument is validated against the contract', () => {
  it.each([
    ['setConsent', { choice: 'maybe' }],
    ['setConsent', { choice: 'share', extra: true }],
    ['setConsent', 'share'],
    ['listHistory', { offset: -1, limit: 10 }],
    ['listHistory', { offset: 0, limit: 1e9 }],
    ['getHistoryEntry', { id: '../../etc/passwd' }],
    ['updateSettings', { endpoint: 'https://x.example/\u0000' }],
    ['updateSettings', { server: { url: 'http://a', __proto__: { polluted: true } }, constructor: 1 }],
    ['getStatus', { unexpected: true }],
    ['approveFields', { fields: 'all' }],
  ] as const)('%s(%j) is refused as invalid input', async (method, input) => {
    const agent = fakeApi();
    const { electron, asWindow } = wired(agent.api);
    const answer = (await electron.ipcMain.invoke(channelFor(method), asWindow, input)) as { ok: boolean; error: { code: string } };
    expect(answer.ok).toBe(false);
    expect(answer.error.code).toBe('invalid-input');
    expect(agent.calls).toEqual([]);
  });

  it('more than one argument is refused', async () => {
    const agent = fakeApi();
    const { electron, asWindow } = wired(agent.api);
    const answer = await electron.ipcMain.invoke(channelFor('setConsent'), asWindow, { choice: 'share' }, { choice: 'decline' });
    expect(answer).toMatchObject({ ok: false, error: { code: 'invalid-input' } });
    expect(agent.calls).toEqual([]);
  });

  it('valid input reaches the agent, and state changes refresh the tray', async () => {
    const agent = fakeApi();
    const { electron, asWindow, onStateChange } = wired(agent.api);
    await electron.ipcMain.invoke(channelFor('listHistory'), asWindow, { offset: 0, limit: 20 });
    expect(onStateChange).not.toHaveBeenCalled();
    await electron.ipcMain.invoke(channelFor('setConsent'), asWindow, { choice: 'decline' });
    expect(agent.calls).toEqual([
      { method: 'listHistory', input: { offset: 0, limit: 20 } },
      { method: 'setConsent', input: { choice: 'decline' } },
    ]);
    expect(onStateChange).toHaveBeenCalledOnce();
  });

  it('errors cross as data; unexpected ones never carry their text', async () => {
    const agent = fakeApi();
    agent.api.exportHistory = () => Promise.reject(new Error('EACCES: /home/alice/.local/share/candor/history.jsonl'));
    const { electron, asWindow } = wired(agent.api);
    expect(await electron.ipcMain.invoke(channelFor('getHistoryEntry'), asWindow, { id: 'abc' })).toEqual({
      ok: false,
      error: { code: 'not-found', message: 'No history entry with that id.' },
    });
    expect(await electron.ipcMain.invoke(channelFor('exportHistory'), asWindow)).toEqual({
      ok: false,
      error: { code: 'internal', message: 'internal error (see the Candor log)' },
    });
  });
});

describe('agent events reach the window only while it is visible', () => {
  it('subscribes on show, forwards events, unsubscribes on hide', () => {
    const agent = fakeApi();
    const contents = new FakeWebContents();
    const relay = new EventRelay(agent.api, () => contents);
    agent.emit({ type: 'status', status: STATUSES.off });
    expect(contents.sent).toEqual([]);
    relay.setActive(true);
    relay.setActive(true);
    expect(agent.listeners.size).toBe(1);
    agent.emit({ type: 'status', status: STATUSES.off });
    expect(contents.sent).toEqual([{ channel: EVENT_CHANNEL, args: [{ type: 'status', status: STATUSES.off }] }]);
    relay.setActive(false);
    expect(agent.listeners.size).toBe(0);
  });

  it('never sends to a destroyed window', () => {
    const agent = fakeApi();
    const contents = new FakeWebContents();
    contents.destroyed = true;
    new EventRelay(agent.api, () => contents).setActive(true);
    agent.emit({ type: 'status', status: STATUSES.on });
    expect(contents.sent).toEqual([]);
  });
});

describe('preload bridge', () => {
  function bridged(api = fakeApi().api) {
    const main = wired(api);
    const ipcRenderer = main.electron.ipcRendererFor(() => main.asWindow);
    return { ...main, ipcRenderer, bridge: createBridge(ipcRenderer) };
  }

  it('has exactly one task-named method per API method, plus subscribe', () => {
    const { bridge } = bridged();
    expect(Object.keys(bridge).sort()).toEqual([...API_METHODS, 'subscribe'].sort());
    expect(Object.values(bridge).every((v) => typeof v === 'function')).toBe(true);
    expect(bridge).not.toHaveProperty('send');
    expect(bridge).not.toHaveProperty('invoke');
  });

  it('invokes each method on its own channel and never uses sendSync', async () => {
    const { bridge, ipcRenderer } = bridged();
    await bridge.getStatus();
    await bridge.setConsent({ choice: 'share' });
    await bridge.listHistory({ offset: 0, limit: 5 });
    expect(ipcRenderer.invocations).toEqual([
      { channel: 'candor:getStatus', args: [undefined] },
      { channel: 'candor:setConsent', args: [{ choice: 'share' }] },
      { channel: 'candor:listHistory', args: [{ offset: 0, limit: 5 }] },
    ]);
    expect(ipcRenderer.sendSyncCalls).toBe(0);
  });

  it('rebuilds errors as ApiError with their code and message', async () => {
    const { bridge } = bridged();
    const error = await bridge.getHistoryEntry({ id: 'nope' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ code: 'not-found', message: 'No history entry with that id.' });
    await expect(bridge.setConsent({ choice: 'perhaps' as 'share' })).rejects.toMatchObject({ code: 'invalid-input' });
  });

  it('subscriptions receive agent events only, and unsubscribe', () => {
    const { bridge, ipcRenderer } = bridged();
    const seen: unknown[] = [];
    const unsubscribe = bridge.subscribe((event) => seen.push(event));
    ipcRenderer.emit(EVENT_CHANNEL, { sender: ipcRenderer }, { type: 'status', status: STATUSES.on });
    unsubscribe();
    ipcRenderer.emit(EVENT_CHANNEL, { sender: ipcRenderer }, { type: 'status', status: STATUSES.off });
    expect(seen).toEqual([{ type: 'status', status: STATUSES.on }]);
    expect(ipcRenderer.listenerCount(EVENT_CHANNEL)).toBe(0);
  });

  it('end to end: the real agent behind main, the bridge in front', async () => {
    const http = { request: () => Promise.resolve({ status: 204, headers: {}, body: '' }) };
    const { agent } = await makeAgent({ http, shell: 'desktop', config: configWith({ endpoint: 'https://collector.example/collect' }) });
    const { bridge } = bridged(agent);
    expect((await bridge.getStatus()).consent.paused?.reason).toBe('awaiting-answer');
    const status = await bridge.setConsent({ choice: 'decline' });
    expect(status.consent).toMatchObject({ sharing: false, storedChoice: 'decline', decidedBy: 'wizard' });
    // The endpoint is fixed by the config file: the agent's refusal arrives as an ApiError with its code.
    await expect(bridge.updateSettings({ endpoint: 'https://elsewhere.example/collect' })).rejects.toMatchObject({ name: 'ApiError', code: 'locked' });
    await agent.stop();
  });
});
