/**
 * Why the data folder could not be written, in words a user can act on. Raw error text (which may
 * hold paths) never reaches a message; the code is enough to say what is wrong.
 */
export type StorageProblem = 'read-only' | 'no-space' | 'denied' | 'busy' | 'io';

const MESSAGES: Record<StorageProblem, string> = {
  'read-only': 'the data folder is read-only',
  'no-space': 'the disk holding the data folder is full',
  denied: 'Candor is not allowed to write in the data folder',
  busy: 'another Candor process kept the data folder locked for too long',
  io: 'the data folder could not be written',
};

export class StorageError extends Error {
  constructor(readonly problem: StorageProblem) {
    super(MESSAGES[problem]);
    this.name = 'StorageError';
  }
}

/** Maps a filesystem error to the problem a user can fix. */
export function storageProblemOf(error: unknown): StorageProblem {
  if (error instanceof StorageError) return error.problem;
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

export function toStorageError(error: unknown): StorageError {
  return error instanceof StorageError ? error : new StorageError(storageProblemOf(error));
}
