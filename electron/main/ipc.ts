import { API_METHODS, dispatch, toEnvelope, type AgentEvent, type ApiEnvelope, type ApiMethod, type CandorApi } from '../../shared/api-contract';
import type { Logger } from '../../core/platform';
import { isAppUrl, type RendererSource } from '../pure/app-origin';
import { EVENT_CHANNEL, channelFor } from '../pure/channels';

/**
 * Main's side of the preload bridge: one `handle` per API method, nothing else. Every call is
 * checked twice before the agent sees it: the sender must be our window's top frame showing our
 * own page, and the input must match the contract's schema (`dispatch` → `checkApiInput`).
 * Results and errors travel as envelopes (data), which the preload turns back into errors.
 */

/** The parts of an invoke event the checks read; Electron's `IpcMainInvokeEvent` satisfies it. */
export interface InvokeEvent {
  sender: unknown;
  senderFrame: { url: string; parent: unknown } | null;
}

export interface IpcMainLike {
  handle(channel: string, listener: (event: InvokeEvent, ...args: unknown[]) => Promise<unknown>): void;
  removeHandler(channel: string): void;
  removeAllListeners(channel: string): unknown;
}

/** Only the main window's own web contents, in its top frame, on the app's own page. */
export function isTrustedSender(event: InvokeEvent, expected: { webContents: unknown; source: RendererSource }): boolean {
  if (expected.webContents === null || expected.webContents === undefined || event.sender !== expected.webContents) return false;
  const frame = event.senderFrame;
  // A null frame navigated away or was destroyed mid-call; a parent means an iframe.
  if (!frame || frame.parent !== null) return false;
  return isAppUrl(frame.url, expected.source);
}

/** Calls that can change what the tray shows. */
export const STATE_CHANGING: ReadonlySet<ApiMethod> = new Set<ApiMethod>(['setConsent', 'approveFields', 'sendNow', 'resetInstanceId', 'updateSettings']);

export interface IpcOptions {
  isTrustedSender(event: InvokeEvent): boolean;
  /** After a state-changing call settles, successful or not. */
  onStateChange?(): void;
  logger: Logger;
}

const REFUSED: ApiEnvelope<never> = { ok: false, error: { code: 'unavailable', message: 'This page may not call Candor.' } };

/** Registers every API channel; returns a function that removes them again. */
export function registerIpc(electron: { ipcMain: IpcMainLike }, api: CandorApi, options: IpcOptions): () => void {
  for (const method of API_METHODS) {
    electron.ipcMain.handle(channelFor(method), async (event, ...args) => {
      if (!options.isTrustedSender(event)) {
        options.logger.log('warn', 'refused an IPC call from an untrusted sender', { method });
        return REFUSED;
      }
      // The bridge sends at most one argument; more means someone else is calling.
      if (args.length > 1) return { ok: false, error: { code: 'invalid-input', message: `${method} takes one argument` } } satisfies ApiEnvelope<never>;
      const envelope = await toEnvelope(() => dispatch(api, method, args[0]));
      if (STATE_CHANGING.has(method)) options.onStateChange?.();
      return envelope;
    });
  }
  return () => {
    for (const method of API_METHODS) electron.ipcMain.removeHandler(channelFor(method));
  };
}

/**
 * Libraries that register IPC channels of their own in main (electron-log for renderer logs,
 * electron-store for renderer stores, the latter answered with `sendSync`). Candor's renderer uses
 * neither, so they are closed: the only IPC into main is the API contract.
 */
export const LIBRARY_CHANNELS = ['__ELECTRON_LOG__', 'electron-store-get-data'] as const;

export function closeLibraryChannels(ipcMain: IpcMainLike): void {
  for (const channel of LIBRARY_CHANNELS) {
    ipcMain.removeHandler(channel);
    ipcMain.removeAllListeners(channel);
  }
}

/** Where agent events go: the window's web contents while it exists. */
export interface EventSink {
  send(channel: string, ...args: unknown[]): void;
  isDestroyed(): boolean;
}

/**
 * Forwards agent events to the window while it is visible. Subscribing makes the agent keep the
 * preview live (a rebuild every few seconds, the server re-read every few minutes), which is only
 * worth it while someone is looking; the tray follows the status on its own (`Agent.watchStatus`).
 */
export class EventRelay {
  private unsubscribe: (() => void) | null = null;

  constructor(
    private readonly api: Pick<CandorApi, 'subscribe'>,
    private readonly target: () => EventSink | null,
  ) {}

  get active(): boolean {
    return this.unsubscribe !== null;
  }

  setActive(active: boolean): void {
    if (active && !this.unsubscribe) this.unsubscribe = this.api.subscribe((event) => this.forward(event));
    if (!active && this.unsubscribe) {
      this.unsubscribe();
      this.unsubscribe = null;
    }
  }

  private forward(event: AgentEvent): void {
    const target = this.target();
    if (target && !target.isDestroyed()) target.send(EVENT_CHANNEL, event);
  }
}
