/**
 * The sandboxed preload (bundled to CommonJS: sandboxed preloads cannot load ES modules).
 * It exposes exactly one object, `window.candor`, shaped like the API contract.
 */
import { contextBridge, ipcRenderer } from 'electron';
import { createBridge } from './bridge';

contextBridge.exposeInMainWorld('candor', createBridge(ipcRenderer));
