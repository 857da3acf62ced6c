import type { Logger } from '../../core/platform';

/**
 * One Candor per user session, and a quit that always stops the agent first: pending timers are
 * cancelled (nothing is sent on the way out) and an attempt already on the wire may finish, up to
 * a cap, so its result is written to the history.
 */
export interface AppLike {
  requestSingleInstanceLock(): boolean;
  quit(): void;
  on(event: 'second-instance', listener: () => void): unknown;
  on(event: 'before-quit', listener: (event: { preventDefault(): void }) => void): unknown;
  on(event: 'window-all-closed', listener: () => void): unknown;
  on(event: 'activate', listener: () => void): unknown;
}

/**
 * Takes the single-instance lock. The second copy quits at once (returns false); the first is
 * told about it and shows its window.
 */
export function claimSingleInstance(app: AppLike, onSecondInstance: () => void): boolean {
  if (!app.requestSingleInstanceLock()) {
    app.quit();
    return false;
  }
  app.on('second-instance', () => onSecondInstance());
  return true;
}

export interface QuitControl {
  /** True once a quit has begun: the window then closes instead of hiding. */
  isQuitting(): boolean;
  quit(): void;
}

/** Longest wait for an attempt already on the wire (the sender's own timeout is shorter). */
export const SHUTDOWN_CAP_MS = 10_000;

export function installQuitHandling(
  app: AppLike,
  shutdown: () => Promise<void>,
  options: { logger: Logger; capMs?: number; onActivate?(): void },
): QuitControl {
  let quitting = false;
  let phase: 'running' | 'stopping' | 'stopped' = 'running';

  app.on('before-quit', (event) => {
    quitting = true;
    if (phase === 'stopped') return;
    event.preventDefault();
    if (phase === 'stopping') return;
    phase = 'stopping';
    let timer: ReturnType<typeof setTimeout> | undefined;
    const cap = new Promise<void>((resolve) => {
      timer = setTimeout(() => {
        options.logger.log('warn', 'quit: the agent took too long to stop; quitting anyway');
        resolve();
      }, options.capMs ?? SHUTDOWN_CAP_MS);
    });
    void Promise.race([shutdown().catch(() => options.logger.log('error', 'quit: stopping the agent failed')), cap]).finally(() => {
      clearTimeout(timer);
      phase = 'stopped';
      app.quit();
    });
  });
  // Without a listener Electron quits when the last window closes; Candor lives on in the tray.
  app.on('window-all-closed', () => {});
  // macOS: clicking the Dock icon brings the window back.
  app.on('activate', () => options.onActivate?.());

  return {
    isQuitting: () => quitting,
    quit: () => app.quit(),
  };
}
