/**
 * Files the collector opens by name (`candor-collector import FILE…`, its SQLite database) are read
 * only when they are regular files, decided on the open handle, and never beyond their bound: a
 * device or a FIFO is refused before a byte is read, instead of hanging or filling memory.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { FileRefused, readRegularFile } from '../../collector/regular-file';
import { openSqliteStore } from '../../collector/store/sqlite';
import { runCollectorCli } from './support/harness';

const dir = mkdtempSync(path.join(os.tmpdir(), 'collector-regular-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const fifo = path.join(dir, 'report.fifo');
execFileSync('mkfifo', [fifo]);

describe('readRegularFile', () => {
  it('reads a regular file, through a symbolic link too', async () => {
    const file = path.join(dir, 'r.json');
    writeFileSync(file, '{"a":1}');
    symlinkSync(file, path.join(dir, 'link.json'));
    expect((await readRegularFile(path.join(dir, 'link.json'), 100)).toString()).toBe('{"a":1}');
  });

  it.each([
    ['/dev/zero', 'not a regular file (a device)'],
    ['/dev/urandom', 'not a regular file (a device)'],
    [fifo, 'not a regular file (a FIFO)'],
    [dir, 'not a regular file (a folder)'],
  ])('refuses %s without reading it (a FIFO nobody writes to would block a read forever)', async (file, message) => {
    await expect(readRegularFile(file, 1_000_000)).rejects.toThrow(new FileRefused(message));
  });

  it('refuses a file over its bound, whatever its size said when it was checked', async () => {
    const file = path.join(dir, 'big.json');
    writeFileSync(file, 'x'.repeat(101));
    await expect(readRegularFile(file, 100)).rejects.toThrow(new FileRefused('larger than 100 bytes'));
    writeFileSync(file, 'x'.repeat(100));
    expect((await readRegularFile(file, 100)).length).toBe(100);
    appendFileSync(file, 'x');
    await expect(readRegularFile(file, 100)).rejects.toThrow(FileRefused);
  });
});

describe('candor-collector import of special files', () => {
  it('refuses /dev/zero, a FIFO and a folder at once, one line each, and imports nothing (exit 1)', async () => {
    const r = await runCollectorCli(['import', '--data-dir', path.join(dir, 'data'), '/dev/zero', fifo, dir]);
    expect(r.code).toBe(1);
    expect(r.stdout).toBe('');
    expect(r.stderr.trim().split('\n')).toEqual([
      'candor-collector import: /dev/zero: not a regular file (a device)',
      `candor-collector import: ${fifo}: not a regular file (a FIFO)`,
      `candor-collector import: ${dir}: not a regular file (a folder)`,
    ]);
  });
});

describe('the SQLite database', () => {
  it('is refused, with the reason, when it or its journal is not a regular file', () => {
    for (const name of ['collector.sqlite', 'collector.sqlite-wal']) {
      const data = path.join(dir, `data-${name}`);
      mkdirSync(data);
      execFileSync('mkfifo', [path.join(data, name)]);
      expect(() => openSqliteStore(data)).toThrow(`cannot open ${path.join(data, 'collector.sqlite')} (${name} is not a regular file)`);
    }
  });
});
