import { readFileSync } from 'node:fs';
import os from 'node:os';
import { lineLogger, type LogLevel, type Logger } from '../lib/log/line-logger';
import type { Clock } from '../shared/clock';
/**
 * What the core needs from the world, passed in so tests can drive time, files and the network.
 * Nothing in `core/` reaches for a global clock, `process.env` or a logger directly.
 */

function readBootId(): string {
  try {
    return readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
  } catch {
    // No boot id outside Linux: the boot's start time, rounded so small drifts do not split it.
    return `boot-${Math.round((Date.now() - os.uptime() * 1000) / 60_000)}`;
  }
}

export const systemClock: Clock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  // libuv's uptime is CLOCK_BOOTTIME on Linux: it keeps counting through suspend.
  sinceBoot: () => Math.round(os.uptime() * 1000),
  bootId: (() => {
    let cached: string | undefined;
    return () => (cached ??= readBootId());
  })(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

export type { LogLevel, Logger } from '../lib/log/line-logger';
export type { Clock, TimerHandle } from '../shared/clock';
export { lineLogger };

export const silentLogger: Logger = { log: () => {} };

/** Lines to stderr, for the headless shell. */
export function consoleLogger(minLevel: LogLevel = 'info', write: (line: string) => void = (l) => process.stderr.write(l + '\n')): Logger {
  return lineLogger(minLevel, write);
}

/** Randomness, injectable so schedules with jitter are reproducible in tests. */
export interface Random {
  /** Uniform in [0, 1). */
  next(): number;
  uuid(): string;
}

export const systemRandom: Random = {
  next: () => Math.random(),
  uuid: () => crypto.randomUUID(),
};
