/**
 * Time as every Candor process takes it, passed in so tests drive it: the agent's system clock
 * (core/platform.ts) and the collector's (collector/platform.ts) implement it.
 */

export interface Clock {
  /** Wall-clock time in ms since the epoch: what users read and what persists across restarts. */
  now(): number;
  /** Monotonic ms, for durations: unaffected by clock changes. */
  monotonic(): number;
  /**
   * Ms elapsed since the machine booted, counting time asleep, immune to wall-clock changes
   * (CLOCK_BOOTTIME on Linux). With `bootId` it measures real time between two events of one boot.
   */
  sinceBoot(): number;
  /** Identifies the current boot; elapsed `sinceBoot` values are comparable only within one. */
  bootId(): string;
  setTimeout(callback: () => void, ms: number): TimerHandle;
  clearTimeout(handle: TimerHandle): void;
}

export interface TimerHandle {
  /** Lets the process exit while the timer is pending (the headless agent keeps itself alive). */
  unref?(): void;
}
