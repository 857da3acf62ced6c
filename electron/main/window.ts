import type { BrowserWindowConstructorOptions } from 'electron';
import type { Logger } from '../../core/platform';
import { viewUrl, type RendererSource, type View } from '../pure/app-origin';
import { secureWebPreferences } from './security';
import type { PlacedWindow, WindowPlacement } from './window-placement';

/**
 * The one window. Created on demand, hidden (not destroyed) when closed so the app lives on in
 * the tray, destroyed only when quitting. Where no tray is likely visible it minimizes instead,
 * so the window stays reachable from the task bar.
 */

export function mainWindowOptions(options: { preload: string; icon?: string; devTools: boolean }): BrowserWindowConstructorOptions {
  return {
    title: 'Candor',
    width: 1100,
    height: 760,
    minWidth: 720,
    minHeight: 520,
    // Shown on `ready-to-show`, so the first paint is the app and not a white flash.
    show: false,
    autoHideMenuBar: true,
    ...(options.icon ? { icon: options.icon } : {}),
    webPreferences: secureWebPreferences(options.preload, { devTools: options.devTools }),
  };
}

/** What the window needs from a `WebContents`; the real one satisfies it (checked in main.ts). */
export interface WindowContents {
  loadURL(url: string): Promise<void>;
  getURL(): string;
  isDestroyed(): boolean;
  send(channel: string, ...args: unknown[]): void;
}

/** What the controller needs from a `BrowserWindow`. */
export interface WindowHandle extends PlacedWindow {
  readonly webContents: WindowContents;
  show(): void;
  hide(): void;
  focus(): void;
  minimize(): void;
  maximize(): void;
  restore(): void;
  isMinimized(): boolean;
  isVisible(): boolean;
  isDestroyed(): boolean;
  on(event: 'close', listener: (event: { preventDefault(): void }) => void): unknown;
  on(event: 'closed', listener: () => void): unknown;
  on(event: 'show', listener: () => void): unknown;
  on(event: 'hide', listener: () => void): unknown;
  on(event: 'session-end', listener: () => void): unknown;
  once(event: 'ready-to-show', listener: () => void): unknown;
}

export interface WindowElectron<W extends WindowHandle> {
  BrowserWindow: new (options: BrowserWindowConstructorOptions) => W;
}

export interface MainWindowOptions {
  windowOptions: BrowserWindowConstructorOptions;
  source: RendererSource;
  /** `hide` with a visible tray; `minimize` where the tray may be missing. */
  closeBehavior: 'hide' | 'minimize';
  isQuitting(): boolean;
  /** Called when the window becomes visible or goes away: main relays agent events only while it shows. */
  onVisibilityChange(visible: boolean): void;
  /** Windows logging off: quit properly instead of hiding. */
  onSessionEnd(): void;
  /** Where the window was last time; remembered again whenever it closes. */
  placement?: Pick<WindowPlacement, 'restore' | 'save'>;
  logger: Logger;
}

export class MainWindow<W extends WindowHandle> {
  private window: W | null = null;

  constructor(
    private readonly electron: WindowElectron<W>,
    private readonly options: MainWindowOptions,
  ) {}

  /** The live window, if any (IPC uses it to recognise its own sender). */
  get current(): W | null {
    return this.window && !this.window.isDestroyed() ? this.window : null;
  }

  /** Shows the window (creating it if needed); with a view, switches to that screen. */
  open(view?: View): void {
    const existing = this.current;
    if (!existing) {
      const created = this.create();
      created.once('ready-to-show', () => this.reveal(created));
      this.load(created, view ?? 'home');
      return;
    }
    if (view) this.load(existing, view);
    this.reveal(existing);
  }

  private reveal(window: W): void {
    if (window.isDestroyed()) return;
    if (window.isMinimized()) window.restore();
    window.show();
    window.focus();
  }

  private load(window: W, view: View): void {
    const url = viewUrl(view, this.options.source);
    if (window.webContents.getURL() === url) return;
    // Only the fragment differs between views: Chromium treats this as an in-page navigation.
    window.webContents.loadURL(url).catch(() => this.options.logger.log('warn', 'the window could not load its page'));
  }

  private create(): W {
    const placed = this.options.placement?.restore() ?? { options: {}, maximized: false };
    const window = new this.electron.BrowserWindow({ ...this.options.windowOptions, ...placed.options });
    this.window = window;
    if (placed.maximized) window.maximize();
    window.on('close', (event) => {
      this.options.placement?.save(window);
      if (this.options.isQuitting()) return;
      event.preventDefault();
      if (this.options.closeBehavior === 'hide') window.hide();
      else window.minimize();
    });
    window.on('show', () => this.options.onVisibilityChange(true));
    window.on('hide', () => this.options.onVisibilityChange(false));
    window.on('closed', () => {
      if (this.window === window) this.window = null;
      this.options.onVisibilityChange(false);
    });
    window.on('session-end', () => this.options.onSessionEnd());
    return window;
  }
}
