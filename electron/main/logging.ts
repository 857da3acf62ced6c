import { chmodSync, existsSync, mkdirSync } from 'node:fs';
import path from 'node:path';
import type { LogFunctions, MainTransports } from 'electron-log';
import type { Logger } from '../../core/platform';
import { PRIVATE_DIR_MODE, PRIVATE_FILE_MODE } from '../../core/storage/private-files';

/**
 * electron-log behind the core's `Logger`. The core logs fixed messages and non-sensitive fields
 * only (no secrets, no payload-external values, no raw error text); the shell follows the same
 * rule, so nothing here needs to scrub. The file sits with the rest of Candor's data.
 */
export const LOG_FILE = path.join('logs', 'desktop.log');

export function configureLogFile(transports: Pick<MainTransports, 'file' | 'console'>, home: string): void {
  const file = path.join(home, LOG_FILE);
  // Private as the rest of the data folder. electron-log would make missing folders with the
  // umask's modes (often 0755), and the first log line can come before the agent has made the
  // data folder, so both folders are made here.
  try {
    for (const dir of [home, path.dirname(file)]) {
      if (existsSync(dir)) continue;
      mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
      chmodSync(dir, PRIVATE_DIR_MODE);
    }
    // A log written by an older version may be world-readable; from now on it is the user's alone.
    if (existsSync(file)) chmodSync(file, PRIVATE_FILE_MODE);
  } catch {
    // A folder that cannot be made (read-only, full) must not stop the app; the agent says why.
  }
  transports.file.resolvePathFn = () => file;
  // The mode of every file electron-log creates: the log, and the fresh one after each rotation.
  transports.file.writeOptions = { ...transports.file.writeOptions, mode: PRIVATE_FILE_MODE };
  transports.file.level = 'info';
  // Rotated to desktop.old.log past 1 MB: weeks of daily reports, bounded on disk.
  transports.file.maxSize = 1024 * 1024;
  transports.console.level = 'info';
}

export function toCoreLogger(log: Pick<LogFunctions, 'debug' | 'info' | 'warn' | 'error'>): Logger {
  return {
    log(level, message, fields) {
      const extra =
        fields && Object.keys(fields).length > 0
          ? ' ' +
            Object.entries(fields)
              .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
              .join(' ')
          : '';
      log[level](message + extra);
    },
  };
}

/** An error's class name only: its message may hold a path, an address or a server's words. */
export function errorName(error: unknown): string {
  return error instanceof Error ? error.name : typeof error;
}
