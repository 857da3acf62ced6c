/**
 * What the collector needs from the world. The clock decides receive times, day boundaries and
 * retention, so tests inject one; the logger is a parameter so tests can capture every line.
 * Both reuse the agent's interfaces (type-only imports: no code from the agent runs here).
 */
import type { Clock, Logger, LogLevel } from '../electron/core/platform';

export type CollectorClock = Pick<Clock, 'now' | 'monotonic' | 'setTimeout' | 'clearTimeout'>;
export type { Logger, LogLevel };

export const realClock: CollectorClock = {
  now: () => Date.now(),
  monotonic: () => performance.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

const ORDER: LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** One line per event: time, level, fixed message, then key=value fields chosen by the caller. */
export function lineLogger(minLevel: LogLevel, write: (line: string) => void, clock: Pick<CollectorClock, 'now'> = realClock): Logger {
  const min = ORDER.indexOf(minLevel);
  return {
    log(level, message, fields) {
      if (ORDER.indexOf(level) < min) return;
      const extra = fields ? Object.entries(fields).map(([k, v]) => ` ${k}=${JSON.stringify(v)}`).join('') : '';
      write(`${new Date(clock.now()).toISOString()} ${level.padEnd(5)} ${message}${extra}`);
    },
  };
}
