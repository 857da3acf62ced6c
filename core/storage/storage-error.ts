import { accessSync, constants, statfsSync, statSync } from 'node:fs';
import path from 'node:path';
import { OddFileError } from './regular-file';

/**
 * Why the data folder could not be written, in words a user can act on, naming the folder (the
 * user's own, shown on their own screen). Raw error text never reaches a message; the code is
 * enough to say what is wrong.
 */
export type StorageProblem = 'read-only' | 'no-space' | 'denied' | 'busy' | 'not-a-folder' | 'odd-file' | 'io';

function describe(problem: StorageProblem, folder: string | undefined, detail: string | undefined): string {
  const named = folder ? `the data folder ${folder}` : 'the data folder';
  switch (problem) {
    case 'read-only':
      return `${named} is read-only`;
    case 'no-space':
      return `the disk holding ${named} is full`;
    case 'denied':
      return `Candor is not allowed to write in ${named}`;
    case 'busy':
      return `another Candor process kept ${named} locked for too long`;
    case 'not-a-folder':
      return `${named} cannot be used (${detail ?? 'a part of its path'} is a file, not a folder)`;
    case 'odd-file':
      return detail ?? `a file in ${named} is not a regular file`;
    case 'io':
      return `${named} could not be written`;
  }
}

export class StorageError extends Error {
  constructor(
    readonly problem: StorageProblem,
    readonly folder?: string,
    detail?: string,
  ) {
    super(describe(problem, folder, detail));
    this.name = 'StorageError';
  }
}

/** Maps a filesystem error to the problem a user can fix. */
export function storageProblemOf(error: unknown): StorageProblem {
  if (error instanceof StorageError) return error.problem;
  if (error instanceof OddFileError) return 'odd-file';
  switch ((error as NodeJS.ErrnoException | undefined)?.code) {
    case 'EROFS':
      return 'read-only';
    case 'ENOSPC':
    case 'EDQUOT':
      return 'no-space';
    case 'EACCES':
    case 'EPERM':
    case 'ENOTDIR':
      return 'denied';
    default:
      return 'io';
  }
}

/**
 * The error as a `StorageError` about `folder` (the data folder the failing file is in). A folder
 * that cannot exist because a file stands where it or a parent should be is said as such.
 */
export function toStorageError(error: unknown, folder?: string): StorageError {
  if (error instanceof StorageError) return error;
  if (error instanceof OddFileError) return new StorageError('odd-file', folder, error.message);
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (folder && (code === 'ENOTDIR' || code === 'EEXIST')) {
    const blocker = fileInTheWay(folder);
    if (blocker) return new StorageError('not-a-folder', folder, blocker);
  }
  return new StorageError(storageProblemOf(error), folder);
}

/** The file standing where `folder` or one of its parents should be, if any. */
export function fileInTheWay(folder: string): string | null {
  for (let dir = path.resolve(folder); ; dir = path.dirname(dir)) {
    try {
      return statSync(dir).isDirectory() ? null : dir;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code !== 'ENOENT' && code !== 'ENOTDIR') return null;
    }
    if (path.dirname(dir) === dir) return null;
  }
}

/**
 * Why the data folder cannot be written now, found without writing (`access` and `statfs` on it, or
 * on the nearest folder that exists when it is not made yet); null when it can, as far as that can
 * tell.
 */
export function writeProblem(folder: string): StorageError | null {
  for (let dir = path.resolve(folder); ; dir = path.dirname(dir)) {
    try {
      accessSync(dir, constants.W_OK);
      if (!statSync(dir).isDirectory()) return new StorageError('not-a-folder', folder, dir);
      return statfsSync(dir).bavail === 0 ? new StorageError('no-space', folder) : null;
    } catch (error) {
      const code = (error as NodeJS.ErrnoException).code;
      if (code === 'ENOENT' && path.dirname(dir) !== dir) continue;
      if (code === 'ENOTDIR') {
        const blocker = fileInTheWay(dir);
        return blocker ? new StorageError('not-a-folder', folder, blocker) : null;
      }
      return code === 'EROFS' || code === 'EACCES' || code === 'EPERM' ? toStorageError(error, folder) : null;
    }
  }
}

/** What every shell shows while the data folder cannot be written: one sentence, wherever it is found. */
export function nothingCanBeSent(error: StorageError): string {
  return `Nothing can be saved or sent while ${error.message}: every report must be logged before it leaves.`;
}
