/**
 * The desktop's log file (electron-log, configured by electron/main/logging.ts) is private like the
 * rest of the data folder: folders it makes are 0700, the log and each fresh log after a rotation
 * 0600, whatever the umask; a log an older version left readable is made private. electron-log's
 * Node entry runs the same file transport the desktop uses.
 */
import { mkdirSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import log from 'electron-log/node';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { LOG_FILE, configureLogFile } from '../../../electron/main/logging';
import { tempHome } from '../../support/agent-harness';

const mode = (file: string) => statSync(file).mode & 0o777;

let umask: number;
beforeEach(() => {
  // The most open umask: every mode below is the one Candor asked for.
  umask = process.umask(0);
});
afterEach(() => {
  process.umask(umask);
});

function logger(home: string) {
  const instance = log.create({ logId: `log-file-${path.basename(home)}` });
  configureLogFile(instance.transports, home);
  instance.transports.console.level = false;
  return instance;
}

describe('the desktop log file', () => {
  it('is made 0600 in folders made 0700, and stays 0600 after a rotation', () => {
    const home = path.join(tempHome('candor-log-'), 'data');
    const instance = logger(home);
    instance.transports.file.maxSize = 2048;
    instance.info('first line');
    const file = path.join(home, LOG_FILE);
    expect(mode(home)).toBe(0o700);
    expect(mode(path.dirname(file))).toBe(0o700);
    expect(mode(file)).toBe(0o600);
    for (let i = 0; i < 60; i++) instance.info(`line ${i} ${'x'.repeat(60)}`);
    const rotated = path.join(path.dirname(file), 'desktop.old.log');
    expect(mode(rotated)).toBe(0o600);
    expect(mode(file)).toBe(0o600);
  });

  it('a log an older version left readable by others is made private', () => {
    const home = tempHome('candor-log-');
    mkdirSync(path.join(home, 'logs'));
    writeFileSync(path.join(home, LOG_FILE), 'old line\n', { mode: 0o644 });
    logger(home).info('new line');
    expect(mode(path.join(home, LOG_FILE))).toBe(0o600);
  });
});
