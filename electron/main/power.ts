import type { Agent } from '../../core/agent';

/**
 * Sleep and wake go to the agent's schedule: on suspend it drops its timer, on resume it
 * re-plans from real elapsed time (the boot clock counts the sleep). System shutdown quits
 * through the normal path so the agent stops cleanly.
 */
export interface PowerMonitorLike {
  on(event: 'suspend', listener: () => void): unknown;
  on(event: 'resume', listener: () => void): unknown;
  /** Electron passes an event with `preventDefault` (documented), though its typings declare none. */
  on(event: 'shutdown', listener: (event?: { preventDefault(): void }) => void): unknown;
  removeListener(event: 'suspend', listener: () => void): unknown;
  removeListener(event: 'resume', listener: () => void): unknown;
  removeListener(event: 'shutdown', listener: (event?: { preventDefault(): void }) => void): unknown;
}

export interface PowerHooks {
  /** After the agent re-planned: the tray's "next report" may have moved. */
  afterResume?(): void;
  /** The system is shutting down (Linux, macOS). */
  onShutdown?(): void;
}

export function wirePower(electron: { powerMonitor: PowerMonitorLike }, agent: Pick<Agent, 'onResume' | 'onSuspend'>, hooks: PowerHooks = {}): () => void {
  const { powerMonitor } = electron;
  const suspend = (): void => agent.onSuspend();
  const resume = (): void => {
    agent.onResume();
    hooks.afterResume?.();
  };
  const shutdown = (event?: { preventDefault(): void }): void => {
    if (!hooks.onShutdown) return;
    // Asks the OS to wait while Candor quits through its normal path (the agent stops, nothing is sent).
    event?.preventDefault();
    hooks.onShutdown();
  };
  powerMonitor.on('suspend', suspend);
  powerMonitor.on('resume', resume);
  powerMonitor.on('shutdown', shutdown);
  return () => {
    powerMonitor.removeListener('suspend', suspend);
    powerMonitor.removeListener('resume', resume);
    powerMonitor.removeListener('shutdown', shutdown);
  };
}
