import path from 'node:path';
import type { LogFunctions, MainTransports } from 'electron-log';
import type { Logger } from '../core/platform';

/**
 * electron-log behind the core's `Logger`. The core logs fixed messages and non-sensitive fields
 * only (no secrets, no payload-external values, no raw error text); the shell follows the same
 * rule, so nothing here needs to scrub. The file sits with the rest of Candor's data.
 */
export const LOG_FILE = path.join('logs', 'desktop.log');

export function configureLogFile(transports: Pick<MainTransports, 'file' | 'console'>, home: string): void {
  transports.file.resolvePathFn = () => path.join(home, LOG_FILE);
  transports.file.level = 'info';
  // Rotated to desktop.old.log past 1 MB: weeks of daily reports, bounded on disk.
  transports.file.maxSize = 1024 * 1024;
  transports.console.level = 'info';
}

export function toCoreLogger(log: Pick<LogFunctions, 'debug' | 'info' | 'warn' | 'error'>): Logger {
  return {
    log(level, message, fields) {
      const extra = fields && Object.keys(fields).length > 0 ? ' ' + Object.entries(fields).map(([key, value]) => `${key}=${JSON.stringify(value)}`).join(' ') : '';
      log[level](message + extra);
    },
  };
}

/** An error's class name only: its message may hold a path, an address or a server's words. */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
