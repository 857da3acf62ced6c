import type { MenuItemConstructorOptions } from 'electron';
import type { AgentStatus } from '../../shared/api-contract';
import type { View } from './app-origin';

/**
 * The tray, as data: icon state, tooltip and menu are pure functions of the agent's status, so
 * every state can be tested without Electron and the menu can be rebuilt on every change.
 */
export type TrayState = 'on' | 'off' | 'locked' | 'error';
export const TRAY_STATES: readonly TrayState[] = ['on', 'off', 'locked', 'error'];

/** The levels the tray offers, as radio items. */
export type TrayLevel = 'full' | 'basic' | 'local' | 'off';

export interface TrayActions {
  setLevel(level: TrayLevel): void;
  sendNow(): void;
  /** Shows the window; with a view, also switches to that screen. */
  open(view?: View): void;
  quit(): void;
}

export interface TrayModelOptions {
  /** Formats an ISO time for a menu line; injected so tests do not depend on the time zone. */
  formatTime(iso: string): string;
  /** True while a "Send now" started from the tray is running. */
  sending: boolean;
}

/** What the icon shows, most urgent first: a failed last send, then a config lock, then on/off. */
export function trayStateOf(status: AgentStatus): TrayState {
  const { consent, schedule } = status;
  if (consent.sharing && schedule.lastAttempt && !schedule.lastAttempt.ok) return 'error';
  if (consent.locked) return 'locked';
  return consent.sharing && consent.paused === null ? 'on' : 'off';
}

/** The icon file for a state: macOS wants monochrome template images (named `…Template.png`). */
export function trayIconFile(state: TrayState, platform: NodeJS.Platform): string {
  return platform === 'darwin' ? `tray-${state}Template.png` : `tray-${state}.png`;
}

const LEVEL_LABELS: Record<TrayLevel, string> = {
  full: 'Share the full report',
  basic: 'Share the basic report (application and system only)',
  local: 'Keep reports on this computer only',
  off: 'Do not share',
};

function sharingLine(status: AgentStatus): string {
  const { consent } = status;
  if (consent.level === 'local') return 'Reports are kept on this computer only';
  if (!consent.sharing) return 'Sharing is off';
  if (consent.paused?.reason === 'awaiting-answer') return 'Sharing waits for your answer';
  if (consent.paused?.reason === 'new-fields') return 'Sharing paused: new fields to review';
  return consent.level === 'full'
    ? 'Sharing is on (full report)'
    : consent.level === 'basic'
      ? 'Sharing is on (basic report)'
      : 'Sharing is on (your choice of categories)';
}

export function trayTooltip(status: AgentStatus): string {
  const state = trayStateOf(status);
  const suffix = state === 'error' ? ' (last send failed)' : state === 'locked' ? ` (set by ${status.consent.decidedByLabel})` : '';
  return `Candor: ${sharingLine(status).toLowerCase()}${suffix}`;
}

/** One menu line; tray menus have no wrapping, so long fixed messages are cut. */
function line(text: string, max = 90): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function sharingItems(status: AgentStatus, actions: TrayActions): MenuItemConstructorOptions[] {
  const { consent } = status;
  if (consent.paused?.reason === 'awaiting-answer') {
    // Consent must be informed: the first "yes" is given in the wizard, next to the exact payload.
    return [{ id: 'decide', label: 'Decide about sharing…', click: () => actions.open('home') }];
  }
  const levels: TrayLevel[] = ['full', 'basic', 'local', 'off'];
  const items: MenuItemConstructorOptions[] = levels.map((level) => ({
    id: `level-${level}`,
    label: LEVEL_LABELS[level],
    type: 'radio',
    checked: consent.level === level,
    enabled: !consent.locked,
    ...(consent.locked ? {} : { click: () => actions.setLevel(level) }),
  }));
  // A set of categories chosen in the app is shown as such, never rounded to a preset.
  if (consent.level === 'custom')
    items.push({ id: 'level-custom', label: 'Share your choice of categories (set in Candor)', type: 'radio', checked: true, enabled: false });
  if (consent.locked) items.push({ id: 'locked-by', label: line(`Set by ${consent.decidedByLabel}`, 120), enabled: false });
  if (consent.paused?.reason === 'new-fields') items.push({ id: 'review', label: 'Review new fields…', click: () => actions.open('home') });
  return items;
}

function scheduleItems(status: AgentStatus, options: TrayModelOptions): MenuItemConstructorOptions[] {
  const { schedule, consent } = status;
  const info = (id: string, label: string): MenuItemConstructorOptions => ({ id, label: line(label), enabled: false });
  const items = [info('last-sent', schedule.lastSuccessAt ? `Last sent: ${options.formatTime(schedule.lastSuccessAt)}` : 'Last sent: never')];
  const attempt = schedule.lastAttempt;
  if (attempt) {
    items.push(
      info('last-result', attempt.ok ? `Last result: ${attempt.message}` : `Last attempt failed (${options.formatTime(attempt.at)}): ${attempt.message}`),
    );
  }
  let next: string;
  if (schedule.nextDueAt) next = `${consent.level === 'local' ? 'Next report kept' : 'Next report'}: ${options.formatTime(schedule.nextDueAt)}`;
  else if (consent.level === 'local') next = 'Next report: kept here, never sent';
  else if (!consent.sharing) next = 'Next report: none (sharing is off)';
  else if (consent.paused?.reason === 'awaiting-answer') next = 'Next report: after you decide';
  else if (consent.paused?.reason === 'new-fields') next = 'Next report: after you review the new fields';
  else next = 'Next report: not planned';
  items.push(info('next-due', next));
  return items;
}

/** The whole tray menu for one status. Rebuilt, never patched, so it cannot drift from the state. */
export function trayMenuTemplate(status: AgentStatus, actions: TrayActions, options: TrayModelOptions): MenuItemConstructorOptions[] {
  const canSend = status.consent.sharing && status.consent.paused === null && !options.sending;
  return [
    { id: 'status', label: sharingLine(status), enabled: false },
    ...sharingItems(status, actions),
    { type: 'separator' },
    ...scheduleItems(status, options),
    { type: 'separator' },
    { id: 'send-now', label: options.sending ? 'Sending…' : 'Send now', enabled: canSend, click: () => actions.sendNow() },
    { id: 'preview', label: 'Preview payload…', click: () => actions.open('preview') },
    { id: 'history', label: 'History…', click: () => actions.open('history') },
    { type: 'separator' },
    { id: 'open', label: 'Open Candor', click: () => actions.open() },
    { id: 'quit', label: 'Quit Candor', click: () => actions.quit() },
  ];
}

/** A comparable snapshot of what the user would see, to skip rebuilding identical menus. */
export function trayRenderKey(status: AgentStatus, options: TrayModelOptions, platform: NodeJS.Platform): string {
  const noop = () => {};
  const menu = trayMenuTemplate(status, { setLevel: noop, sendNow: noop, open: noop, quit: noop }, options);
  const visible = menu.map(({ id, label, type, checked, enabled }) => [id, label, type, checked, enabled]);
  return JSON.stringify([trayIconFile(trayStateOf(status), platform), trayTooltip(status), visible]);
}
