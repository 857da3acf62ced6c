/**
 * Candor's desktop composition root: the only file that imports Electron at run time. It builds
 * the agent with desktop persistence, then wires each subsystem (protocol, security, IPC, window,
 * tray, power, lifecycle), each a small module that receives the Electron APIs it uses.
 */
import path from 'node:path';
import { BrowserWindow, Menu, Tray, app, ipcMain, nativeImage, powerMonitor, protocol, safeStorage, screen, session, shell } from 'electron';
import ElectronStore from 'electron-store';
import log from 'electron-log/main';
import { Agent } from '../../core/agent';
import { createAxiosHttpClient } from '../../core/net/axios-http-client';
import { systemClock, systemRandom } from '../../core/platform';
import { defaultHome } from '../../core/settings/candor-config';
import { CandorConfigFile } from '../../core/settings/config-source';
import { devServerOrigin, type RendererSource, type View } from '../pure/app-origin';
import { appMenuTemplate } from '../pure/app-menu';
import { contentSecurityPolicy } from '../pure/csp';
import { shareFlagFrom, showWindowAtLaunch, trayLikelyVisible } from '../pure/launch';
import { EventRelay, closeLibraryChannels, isTrustedSender, registerIpc } from './ipc';
import { claimSingleInstance, installQuitHandling } from './lifecycle';
import { configureLogFile, errorName, toCoreLogger } from './logging';
import { createSecretStore } from './persistence';
import { wirePower } from './power';
import { APP_SCHEME_PRIVILEGES, createAppProtocolHandler } from './protocol';
import { guardWebContents, hardenSession } from './security';
import { setupTray } from './tray';
import { MainWindow, mainWindowOptions } from './window';
import { WindowPlacement, desktopPrefsOptions } from './window-placement';

const here = import.meta.dirname; // dist/electron
const appRoot = app.getAppPath();
const home = defaultHome(process.env);
configureLogFile(log.transports, home);
const logger = toCoreLogger(log);

// Must happen before `ready`.
protocol.registerSchemesAsPrivileged([APP_SCHEME_PRIVILEGES]);

process.on('uncaughtException', (error) => logger.log('error', 'unexpected error in the main process', { name: errorName(error) }));
process.on('unhandledRejection', (reason) => logger.log('error', 'unhandled rejection in the main process', { name: errorName(reason) }));

/** Set once start-up finished; a second launch before then is remembered and honoured. */
let openWindow: ((view?: View) => void) | null = null;
let openRequested = false;

if (claimSingleInstance(app, () => (openWindow ? openWindow() : (openRequested = true)))) {
  app.whenReady().then(start, (error: unknown) => {
    logger.log('error', 'Candor could not start', { name: errorName(error) });
    app.exit(1);
  });
}

async function start(): Promise<void> {
  if (process.platform === 'win32') app.setAppUserModelId('app.candor.desktop');
  const source: RendererSource = { devOrigin: devServerOrigin(process.env, app.isPackaged) };
  const csp = contentSecurityPolicy(source);

  protocol.handle(APP_SCHEME_PRIVILEGES.scheme, createAppProtocolHandler(path.join(here, '..', 'renderer'), csp));
  hardenSession(session.defaultSession, source, csp, logger);
  app.on('web-contents-created', (_event, contents) => guardWebContents(contents, source, shell, logger));

  const cliShare = shareFlagFrom(process.argv);
  const agent = await Agent.create({
    home,
    shell: 'desktop',
    env: process.env,
    ...(cliShare !== undefined ? { cliShare } : {}),
    // Followed for the life of the app: an edit applies within a second, as in `candor run`.
    config: new CandorConfigFile(process.env, home),
    clock: systemClock,
    random: systemRandom,
    logger,
    http: createAxiosHttpClient(),
    secrets: createSecretStore(safeStorage, home, process.platform, logger),
    processLabel: 'the desktop app',
  });
  // electron-store registers an IPC channel of its own when first constructed: open it before closing those.
  const placement = openPlacement();
  closeLibraryChannels(ipcMain);

  const trayVisible = trayLikelyVisible(process.platform, process.env);
  Menu.setApplicationMenu(Menu.buildFromTemplate(appMenuTemplate(process.platform, { dev: !app.isPackaged })));

  // The pieces refer to each other through closures; none is called before all exist.
  const relay = new EventRelay(agent, () => window.current?.webContents ?? null);
  const window = new MainWindow(
    { BrowserWindow },
    {
      windowOptions: mainWindowOptions({
        preload: path.join(here, 'preload.cjs'),
        icon: path.join(appRoot, 'assets', 'icon.png'),
        devTools: !app.isPackaged,
      }),
      source,
      closeBehavior: trayVisible ? 'hide' : 'minimize',
      isQuitting: () => quitControl.isQuitting(),
      onVisibilityChange: (visible) => relay.setActive(visible),
      onSessionEnd: () => quitControl.quit(),
      ...(placement ? { placement } : {}),
      logger,
    },
  );
  const tray = setupTray(
    { Tray, Menu, nativeImage },
    agent,
    { open: (view) => window.open(view), quit: () => quitControl.quit() },
    { platform: process.platform, iconDir: path.join(appRoot, 'assets', 'tray'), logger },
  );
  const disposeIpc = registerIpc({ ipcMain }, agent, {
    isTrustedSender: (event) => isTrustedSender(event, { webContents: window.current?.webContents ?? null, source }),
    onStateChange: () => void tray.refresh(),
    logger,
  });
  const disposePower = wirePower({ powerMonitor }, agent, { afterResume: () => void tray.refresh(), onShutdown: () => quitControl.quit() });
  // The tray follows every status the agent pushes (a send, an answer in another process, an edit of
  // the config file), window or not; once a minute it also catches up with time passing.
  const stopTrayUpdates = agent.watchStatus((status) => tray.render(status));
  const poll = setInterval(() => void tray.refresh(), 60_000);
  poll.unref();

  const quitControl = installQuitHandling(
    app,
    async () => {
      clearInterval(poll);
      stopTrayUpdates();
      relay.setActive(false);
      tray.destroy();
      disposeIpc();
      disposePower();
      await agent.stop();
      logger.log('info', 'Candor stopped');
    },
    { logger, onActivate: () => window.open() },
  );

  await agent.start();
  await tray.refresh();
  openWindow = (view) => window.open(view);
  if (openRequested || showWindowAtLaunch(await agent.getStatus(), trayVisible)) window.open();
  logger.log('info', 'Candor started', { version: app.getVersion(), tray: trayVisible });
}

/** The desktop's own preferences (where the window was); without them the window just opens centred. */
function openPlacement(): WindowPlacement | null {
  try {
    const store = new ElectronStore(desktopPrefsOptions(home));
    return new WindowPlacement(store, () => screen.getAllDisplays().map((d) => d.workArea));
  } catch (error) {
    logger.log('warn', 'desktop preferences could not be opened', { name: errorName(error) });
    return null;
  }
}
