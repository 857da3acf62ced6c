/**
 * A hand-written stand-in for the handful of Electron APIs the shell uses, for tests under plain
 * Node (the Electron binary cannot run here). Each fake records what it was asked to do and can
 * replay what Electron would emit (`will-navigate`, `close`, `second-instance`, `resume`…).
 * Only behaviour the shell relies on is modelled; where Electron documents an ordering
 * (`app.quit()` emits `before-quit`, which may be prevented) the fake follows it.
 *
 * `createElectronStandIn()` returns a fresh, isolated set per test.
 */
import type { BrowserWindowConstructorOptions, MenuItemConstructorOptions } from 'electron';

/** A listener as the fake calls it: with whatever its event carries. */
type Listener = (...args: unknown[]) => unknown;
/**
 * A listener as the shell registers it, with its own event's parameters (`(event: { preventDefault(): void }) => …`).
 * The fake cannot know each event's arguments: it takes any function and calls it with what the
 * event carries, as Electron does.
 */
type AnyListener = (...args: never[]) => unknown;
const asListener = (listener: AnyListener): Listener => listener as Listener;

export class FakeEmitter {
  private readonly listeners = new Map<string, Listener[]>();

  on(event: string, listener: AnyListener): this {
    this.listeners.set(event, [...(this.listeners.get(event) ?? []), asListener(listener)]);
    return this;
  }

  once(event: string, listener: AnyListener): this {
    const wrapped: Listener = (...args) => {
      this.removeListener(event, wrapped);
      return asListener(listener)(...args);
    };
    return this.on(event, wrapped);
  }

  removeListener(event: string, listener: AnyListener): this {
    this.listeners.set(
      event,
      (this.listeners.get(event) ?? []).filter((l) => l !== listener),
    );
    return this;
  }

  removeAllListeners(event?: string): this {
    if (event === undefined) this.listeners.clear();
    else this.listeners.delete(event);
    return this;
  }

  listenerCount(event: string): number {
    return this.listeners.get(event)?.length ?? 0;
  }

  emit(event: string, ...args: unknown[]): boolean {
    const list = this.listeners.get(event) ?? [];
    for (const listener of [...list]) listener(...args);
    return list.length > 0;
  }
}

/** An Electron-style event: `preventDefault()` plus whatever the emitter adds (e.g. `url`). */
export function fakeEvent<T extends object>(fields: T = {} as T): T & { preventDefault(): void; readonly defaultPrevented: boolean } {
  let prevented = false;
  // defineProperty, not Object.assign: assign would copy the getter's value once instead of the getter.
  Object.defineProperty(fields, 'defaultPrevented', { get: () => prevented, enumerable: true });
  return Object.assign(fields, { preventDefault: () => void (prevented = true) }) as T & { preventDefault(): void; readonly defaultPrevented: boolean };
}

export class FakeFrame {
  constructor(
    public url: string,
    public parent: FakeFrame | null = null,
  ) {}
}

let nextContentsId = 1;

export class FakeWebContents extends FakeEmitter {
  readonly id = nextContentsId++;
  readonly loads: string[] = [];
  readonly sent: Array<{ channel: string; args: unknown[] }> = [];
  windowOpenHandler: ((details: { url: string }) => { action: 'deny' | 'allow' }) | null = null;
  destroyed = false;
  private url = '';
  readonly mainFrame = new FakeFrame('');

  loadURL(url: string): Promise<void> {
    this.url = url;
    this.mainFrame.url = url;
    this.loads.push(url);
    return Promise.resolve();
  }

  getURL(): string {
    return this.url;
  }

  isDestroyed(): boolean {
    return this.destroyed;
  }

  send(channel: string, ...args: unknown[]): void {
    this.sent.push({ channel, args });
  }

  setWindowOpenHandler(handler: (details: { url: string }) => { action: 'deny' | 'allow' }): void {
    this.windowOpenHandler = handler;
  }

  /** What the page's `window.open(url)` would get. */
  openWindow(url: string): { action: 'deny' | 'allow' } {
    if (!this.windowOpenHandler) return { action: 'allow' };
    return this.windowOpenHandler({ url });
  }

  /** Emits a navigation event as Electron does; returns whether it was denied. */
  navigate(event: 'will-navigate' | 'will-frame-navigate' | 'will-redirect', url: string): boolean {
    const e = fakeEvent({ url });
    this.emit(event, e, url);
    return e.defaultPrevented;
  }
}

export function createElectronStandIn(options: { lockAvailable?: boolean; encryptionAvailable?: boolean; storageBackend?: string; isPackaged?: boolean } = {}) {
  const windows: FakeBrowserWindow[] = [];
  const trays: FakeTray[] = [];

  class FakeBrowserWindow extends FakeEmitter {
    readonly webContents = new FakeWebContents();
    visible = false;
    minimized = false;
    maximized = false;
    focused = false;
    destroyed = false;
    bounds: { x: number; y: number; width: number; height: number };

    constructor(readonly options: BrowserWindowConstructorOptions) {
      super();
      this.bounds = { x: options.x ?? 100, y: options.y ?? 80, width: options.width ?? 800, height: options.height ?? 600 };
      windows.push(this);
    }
    getNormalBounds() {
      return { ...this.bounds };
    }
    isMaximized(): boolean {
      return this.maximized;
    }
    maximize(): void {
      this.maximized = true;
    }
    show(): void {
      this.visible = true;
      this.minimized = false;
      this.emit('show');
    }
    hide(): void {
      this.visible = false;
      this.emit('hide');
    }
    focus(): void {
      this.focused = true;
    }
    minimize(): void {
      this.minimized = true;
    }
    restore(): void {
      this.minimized = false;
    }
    isMinimized(): boolean {
      return this.minimized;
    }
    isVisible(): boolean {
      return this.visible;
    }
    isDestroyed(): boolean {
      return this.destroyed;
    }
    /** The user clicks the close button (or the app closes windows while quitting). */
    close(): void {
      const event = fakeEvent();
      this.emit('close', event);
      if (!event.defaultPrevented) this.destroy();
    }
    destroy(): void {
      if (this.destroyed) return;
      this.destroyed = true;
      this.visible = false;
      this.webContents.destroyed = true;
      this.emit('closed');
    }
    /** Electron emits this once the first paint is ready. */
    finishLoading(): void {
      this.emit('ready-to-show');
    }
  }

  class FakeMenu {
    constructor(readonly items: MenuItemConstructorOptions[]) {}
    item(id: string): MenuItemConstructorOptions | undefined {
      return this.items.find((i) => i.id === id);
    }
    /** Clicks an item as Electron would (checkboxes flip first). */
    click(id: string): void {
      const item = this.item(id);
      if (!item) throw new Error(`no menu item ${id}`);
      if (item.enabled === false) throw new Error(`menu item ${id} is disabled`);
      (item.click as (() => void) | undefined)?.();
    }
  }

  class FakeTray extends FakeEmitter {
    image: FakeImage;
    toolTip = '';
    menu: FakeMenu | null = null;
    menuSets = 0;
    destroyed = false;
    constructor(image: FakeImage) {
      super();
      this.image = image;
      trays.push(this);
    }
    setImage(image: FakeImage): void {
      this.image = image;
    }
    setToolTip(toolTip: string): void {
      this.toolTip = toolTip;
    }
    setContextMenu(menu: FakeMenu | null): void {
      this.menu = menu;
      this.menuSets++;
    }
    destroy(): void {
      this.destroyed = true;
    }
  }

  interface FakeImage {
    path: string;
  }

  /** The event a handler gets: who invoked, from which frame. */
  interface FakeInvokeEvent {
    sender: unknown;
    senderFrame: FakeFrame | null;
    processId: number;
    frameId: number;
  }
  type InvokeHandler = (event: FakeInvokeEvent, ...args: unknown[]) => unknown;

  class FakeIpcMain extends FakeEmitter {
    readonly handlers = new Map<string, InvokeHandler>();
    handle(channel: string, listener: InvokeHandler): void {
      // Electron refuses a second handler for one channel.
      if (this.handlers.has(channel)) throw new Error(`Attempted to register a second handler for '${channel}'`);
      this.handlers.set(channel, listener);
    }
    removeHandler(channel: string): void {
      this.handlers.delete(channel);
    }
    /** What `ipcRenderer.invoke` from `sender`/`senderFrame` would cause. */
    invoke(channel: string, from: { sender: unknown; senderFrame: FakeFrame | null }, ...args: unknown[]): Promise<unknown> {
      // A missing handler, or one that throws, rejects the promise, as with Electron.
      return new Promise((resolve) => {
        const handler = this.handlers.get(channel);
        if (!handler) throw new Error(`No handler registered for '${channel}'`);
        resolve(handler({ ...from, processId: 1, frameId: 1 }, ...args));
      });
    }
  }

  const ipcMain = new FakeIpcMain();

  /** The renderer side, connected to `ipcMain` as the given window's top frame. */
  class FakeIpcRenderer extends FakeEmitter {
    readonly invocations: Array<{ channel: string; args: unknown[] }> = [];
    sendSyncCalls = 0;
    constructor(private readonly from: () => { sender: unknown; senderFrame: FakeFrame | null }) {
      super();
    }
    invoke(channel: string, ...args: unknown[]): Promise<unknown> {
      this.invocations.push({ channel, args });
      return ipcMain.invoke(channel, this.from(), ...args);
    }
    sendSync(): never {
      this.sendSyncCalls++;
      throw new Error('sendSync is not used by Candor');
    }
  }

  class FakeApp extends FakeEmitter {
    ready = false;
    quitCalls = 0;
    quitted = false;
    exitCode: number | null = null;
    userModelId: string | null = null;
    lockRequested = false;
    readonly isPackaged = options.isPackaged ?? false;
    requestSingleInstanceLock(): boolean {
      this.lockRequested = true;
      return options.lockAvailable ?? true;
    }
    /** As in Electron: `before-quit` first; if nobody prevents it, windows close and the app quits. */
    quit(): void {
      this.quitCalls++;
      const event = fakeEvent();
      this.emit('before-quit', event);
      if (event.defaultPrevented) return;
      for (const window of windows) window.close();
      this.quitted = true;
      this.emit('will-quit', fakeEvent());
      this.emit('quit');
    }
    exit(code = 0): void {
      this.exitCode = code;
      this.quitted = true;
    }
    isReady(): boolean {
      return this.ready;
    }
    whenReady(): Promise<void> {
      return this.ready ? Promise.resolve() : new Promise((resolve) => this.once('ready', () => resolve()));
    }
    becomeReady(): void {
      this.ready = true;
      this.emit('ready');
    }
    getVersion(): string {
      return '0.1.0';
    }
    getName(): string {
      return 'Candor';
    }
    getAppPath(): string {
      return process.cwd();
    }
    getPath(_name: string): string {
      return process.env.CANDOR_HOME ?? process.cwd();
    }
    setAppUserModelId(id: string): void {
      this.userModelId = id;
    }
    /** A second copy of Candor was launched. */
    launchSecondInstance(argv: string[] = []): void {
      this.emit('second-instance', fakeEvent(), argv, process.cwd(), {});
    }
  }

  /** Reversible but not plain text, so a test can tell the file was encrypted. */
  const safeStorage = {
    available: options.encryptionAvailable ?? true,
    backend: options.storageBackend ?? 'gnome_libsecret',
    isEncryptionAvailable(): boolean {
      return this.available;
    },
    getSelectedStorageBackend(): string {
      return this.backend;
    },
    encryptString(plainText: string): Buffer {
      return Buffer.from(`v10${Buffer.from(plainText, 'utf8').toString('base64').split('').reverse().join('')}`, 'latin1');
    },
    decryptString(encrypted: Buffer): string {
      const text = encrypted.toString('latin1');
      if (!text.startsWith('v10')) throw new Error('Error while decrypting the ciphertext provided to safeStorage.decryptString.');
      return Buffer.from(text.slice(3).split('').reverse().join(''), 'base64').toString('utf8');
    },
  };

  const shell = {
    opened: [] as string[],
    openExternal(url: string): Promise<void> {
      this.opened.push(url);
      return Promise.resolve();
    },
  };

  /** Electron's forms are (listener) and (filter, listener): the listener comes last. */
  const lastListener = (args: [...filter: unknown[], listener: AnyListener | null]): Listener | null => {
    const listener = args.at(-1) as AnyListener | null;
    return listener && asListener(listener);
  };

  const session = {
    permissionRequestHandler: null as Listener | null,
    permissionCheckHandler: null as Listener | null,
    devicePermissionHandler: null as Listener | null,
    setPermissionRequestHandler(handler: AnyListener | null) {
      this.permissionRequestHandler = handler && asListener(handler);
    },
    setPermissionCheckHandler(handler: AnyListener | null) {
      this.permissionCheckHandler = handler && asListener(handler);
    },
    setDevicePermissionHandler(handler: AnyListener | null) {
      this.devicePermissionHandler = handler && asListener(handler);
    },
    webRequest: {
      beforeRequest: null as Listener | null,
      headersReceived: null as Listener | null,
      onBeforeRequest(...args: [...filter: unknown[], listener: AnyListener | null]) {
        this.beforeRequest = lastListener(args);
      },
      onHeadersReceived(...args: [...filter: unknown[], listener: AnyListener | null]) {
        this.headersReceived = lastListener(args);
      },
    },
  };

  const app = new FakeApp();

  const protocol = {
    privileged: [] as unknown[],
    registeredBeforeReady: false,
    handlers: new Map<string, (request: Request) => Response | Promise<Response>>(),
    registerSchemesAsPrivileged(schemes: unknown[]) {
      this.privileged.push(...schemes);
      this.registeredBeforeReady = !app.ready;
    },
    handle(scheme: string, handler: (request: Request) => Response | Promise<Response>) {
      this.handlers.set(scheme, handler);
    },
  };

  const contextBridge = {
    mainWorld: {} as Record<string, unknown>,
    exposeInMainWorld(key: string, api: unknown) {
      this.mainWorld[key] = api;
    },
  };

  return {
    app,
    BrowserWindow: FakeBrowserWindow,
    Tray: FakeTray,
    Menu: {
      applicationMenu: null as FakeMenu | null,
      buildFromTemplate: (template: MenuItemConstructorOptions[]) => new FakeMenu(template),
      setApplicationMenu(menu: FakeMenu | null) {
        this.applicationMenu = menu;
      },
    },
    nativeImage: { createFromPath: (path: string): FakeImage => ({ path }) },
    ipcMain,
    ipcRendererFor: (from: () => { sender: unknown; senderFrame: FakeFrame | null }) => new FakeIpcRenderer(from),
    powerMonitor: new FakeEmitter(),
    safeStorage,
    shell,
    session: { defaultSession: session },
    screen: { getAllDisplays: () => [{ workArea: { x: 0, y: 0, width: 1920, height: 1080 } }] },
    protocol,
    contextBridge,
    windows,
    trays,
  };
}

export type ElectronStandIn = ReturnType<typeof createElectronStandIn>;
