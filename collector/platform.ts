/**
 * What the collector needs from the world. The clock decides receive times, day boundaries and
 * retention, so tests inject one; the logger is a parameter so tests can capture every line.
 * Both use the shared clock type and the one line logger of every Candor process.
 */
import type { Clock } from '../shared/clock';
import { lineLogger, type Logger, type LogLevel } from '../lib/log/line-logger';

export type CollectorClock = Pick<Clock, 'now' | 'monotonic' | 'setTimeout' | 'clearTimeout'>;
export type { Logger, LogLevel };

export const realClock: CollectorClock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** One line per event, in the format every Candor process shares. */
export function collectorLogger(minLevel: LogLevel, write: (line: string) => void, clock: Pick<CollectorClock, 'now'> = realClock): Logger {
  return lineLogger(minLevel, write, () => clock.now());
}
