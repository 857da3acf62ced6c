import path from 'node:path';
import type { MenuItemConstructorOptions } from 'electron';
import type { AgentStatus, ApiInput, CandorApi } from '../../shared/api-contract';
import type { Logger } from '../../core/platform';
import type { View } from '../pure/app-origin';
import { PRESETS } from '../../shared/schema/levels';
import {
  trayIconFile,
  trayMenuTemplate,
  trayRenderKey,
  trayStateOf,
  trayTooltip,
  type TrayLevel,
  type TrayModelOptions,
  type TrayState,
} from '../pure/tray-model';

/**
 * The tray icon and its menu, rendered from the agent's status (see shell/tray-model.ts) and
 * rebuilt whenever what it shows changes. Actions go through the same API as the window.
 */

export interface TrayHandle<Image, Menu> {
  setImage(image: Image): void;
  setToolTip(toolTip: string): void;
  setContextMenu(menu: Menu | null): void;
  on(event: 'click', listener: () => void): unknown;
  destroy(): void;
}

export interface TrayElectron<Image, Menu> {
  Tray: new (image: Image) => TrayHandle<Image, Menu>;
  Menu: { buildFromTemplate(template: MenuItemConstructorOptions[]): Menu };
  nativeImage: { createFromPath(path: string): Image };
}

export interface TrayWindowActions {
  open(view?: View): void;
  quit(): void;
}

export interface TrayOptions {
  platform: NodeJS.Platform;
  iconDir: string;
  formatTime?: (iso: string) => string;
  logger: Logger;
}

export interface TrayController {
  /** Renders a status the caller already has (from an agent event). */
  render(status: AgentStatus): void;
  /** Reads the status and renders it. Never rejects. */
  refresh(): Promise<void>;
  destroy(): void;
}

const defaultFormat = (iso: string): string => new Date(iso).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });

export function setupTray<Image, Menu>(
  electron: TrayElectron<Image, Menu>,
  api: Pick<CandorApi, 'getStatus' | 'setConsent' | 'sendNow'>,
  windowActions: TrayWindowActions,
  options: TrayOptions,
): TrayController {
  const images = new Map<TrayState, Image>();
  const image = (state: TrayState): Image => {
    let loaded = images.get(state);
    if (!loaded) {
      loaded = electron.nativeImage.createFromPath(path.join(options.iconDir, trayIconFile(state, options.platform)));
      images.set(state, loaded);
    }
    return loaded;
  };
  const tray = new electron.Tray(image('off'));
  tray.setToolTip('Candor');
  let last: AgentStatus | null = null;
  let lastKey = '';
  let sending = false;
  let destroyed = false;

  const modelOptions = (): TrayModelOptions => ({ formatTime: options.formatTime ?? defaultFormat, sending });
  const failed = (what: string) => () => options.logger.log('warn', `tray: ${what} failed`);

  const render = (status: AgentStatus): void => {
    last = status;
    if (destroyed) return;
    const key = trayRenderKey(status, modelOptions(), options.platform);
    if (key === lastKey) return;
    lastKey = key;
    tray.setImage(image(trayStateOf(status)));
    tray.setToolTip(trayTooltip(status));
    // Linux only picks up menu changes through a new setContextMenu call, so always set a new menu.
    tray.setContextMenu(electron.Menu.buildFromTemplate(trayMenuTemplate(status, actions, modelOptions())));
  };

  const refresh = (): Promise<void> => api.getStatus().then(render, failed('reading the status'));

  const actions = {
    setLevel(level: TrayLevel) {
      void api.setConsent(consentFor(level, last)).then(render, () => {
        failed('changing the sharing level')();
        return refresh();
      });
    },
    sendNow() {
      if (sending) return;
      sending = true;
      if (last) render(last);
      void api
        .sendNow()
        .catch(failed('sending'))
        .finally(() => {
          sending = false;
          return refresh();
        });
    },
    open: (view?: View) => windowActions.open(view),
    quit: () => windowActions.quit(),
  };

  // Windows and some Linux trays report a plain click: open the window, as users expect.
  if (options.platform !== 'darwin') tray.on('click', () => windowActions.open());

  return {
    render,
    refresh,
    destroy() {
      destroyed = true;
      tray.destroy();
    },
  };
}

/** The answer a tray level stands for; "keep locally" keeps what the last choice of categories carried. */
export function consentFor(level: TrayLevel, status: AgentStatus | null): ApiInput<'setConsent'> {
  switch (level) {
    case 'full':
      return { choice: 'share', categories: [...PRESETS.full] };
    case 'basic':
      return { choice: 'share', categories: [...PRESETS.basic] };
    case 'local':
      return { choice: 'local', categories: [...(status?.consent.storedCategories ?? PRESETS.full)] };
    case 'off':
      return { choice: 'decline' };
  }
}
