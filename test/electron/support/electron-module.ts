/**
 * The stand-in as the `electron` module itself, for the composition-root smoke test: the real
 * main.ts is bundled with `electron` resolved here and run under plain Node. The test reaches the
 * same instance through `globalThis.__electronStandIn`.
 */
import { createElectronStandIn } from './stand-in';

const standIn = createElectronStandIn();
(globalThis as { __electronStandIn?: unknown }).__electronStandIn = standIn;

export const { app, BrowserWindow, Tray, Menu, nativeImage, ipcMain, powerMonitor, safeStorage, shell, session, protocol, contextBridge, screen } = standIn;
export default standIn;
