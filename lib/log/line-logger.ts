/**
 * Structured log lines, one format for every Candor process (the agent's shells and the collector).
 * Callers pass fixed messages and non-sensitive fields only: no passwords, tokens, URLs with
 * credentials, addresses or raw error text.
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';

export interface Logger {
  log(level: LogLevel, message: string, fields?: Record<string, string | number | boolean | null>): void;
}

const LEVEL_ORDER: LogLevel[] = ['debug', 'info', 'warn', 'error'];

/** One line per event: time, level, fixed message, then key=value fields chosen by the caller. */
export function lineLogger(minLevel: LogLevel, write: (line: string) => void, now: () => number = Date.now): Logger {
  const min = LEVEL_ORDER.indexOf(minLevel);
  return {
    log(level, message, fields) {
      if (LEVEL_ORDER.indexOf(level) < min) return;
      const extra = fields
        ? Object.entries(fields)
            .map(([k, v]) => ` ${k}=${JSON.stringify(v)}`)
            .join('')
        : '';
      write(`${new Date(now()).toISOString()} ${level.padEnd(5)} ${message}${extra}`);
    },
  };
}
