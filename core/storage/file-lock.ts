import { closeSync, constants, fstatSync, ftruncateSync, openSync, promises as fs, writeSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { PRIVATE_FILE_MODE } from './private-files';
import { isAlive, parseIdentity, type ProcessIdentity } from './process-identity';
import { checkRegular, KIB, openRegularFile, readRegularText } from './regular-file';
import { StorageError, toStorageError } from './storage-error';

/** A holder's identity is a short JSON line: no more of a lock file is read. */
const MAX_HOLDER_BYTES = 4 * KIB;
/** Read and append, created if missing, never blocking on a FIFO nor taking a terminal (see regular-file.ts). */
const LOCK_FILE_FLAGS = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/**
 * Cross-process locks on a file, for the data folder (short read-modify-write sections) and the
 * scheduler lease (held for a process's whole life).
 *
 * The preferred kind is the operating system's own lock (open-file-description locks on Linux,
 * flock on macOS, LockFileEx on Windows, through fs-native-extensions' prebuilt N-API addon): the
 * kernel releases it the instant its holder dies, however it dies, so nothing is ever stale. Where
 * that addon has no build (32-bit ARM boards, the BSDs), an exclusive-create lock file naming its
 * holder is used instead, and a holder that is no longer alive (pid, boot id, start tick) is
 * taken over.
 */
export interface HeldLock {
  release(): Promise<void>;
}

export interface LockProvider {
  readonly kind: 'os' | 'pid-file';
  /**
   * Takes the lock if free; null when another holder has it. The holder is written into the file
   * for people to read (who keeps the schedule) unless `quiet`: short sections need no name.
   */
  tryAcquire(file: string, owner: ProcessIdentity, options?: { quiet?: boolean }): Promise<HeldLock | null>;
  /** Who holds the lock now, without taking it; null when free. */
  holder(file: string): Promise<ProcessIdentity | null>;
}

interface NativeLocks {
  tryLock(fd: number, options?: { shared?: boolean }): boolean;
  unlock(fd: number): void;
}

/** The addon's N-API binding: `tryLock(fd, offset, length, exclusive)` throws EAGAIN when refused. */
interface RawBinding {
  tryLock(fd: number, offset: number, length: number, exclusive: boolean): void;
  unlock(fd: number, offset: number, length: number): void;
}

export const PREBUILT_ADDON = `prebuilds/${process.platform}-${process.arch}/fs-native-extensions.node`;

/**
 * The prebuilt addon for this platform: from the installed package (CLI, tests), or from beside the
 * bundle (the desktop app, whose build copies the prebuilds next to main.js). Loaded directly, so
 * the same binding serves both and nothing resolves modules at run time.
 */
function loadNativeLocks(): NativeLocks | null {
  const require = createRequire(import.meta.url);
  const places = [
    () => path.join(path.dirname(require.resolve('fs-native-extensions/package.json')), PREBUILT_ADDON),
    () => path.join(path.dirname(fileURLToPath(import.meta.url)), PREBUILT_ADDON),
  ];
  for (const place of places) {
    try {
      const binding = require(place()) as RawBinding;
      return {
        tryLock(fd, options) {
          try {
            binding.tryLock(fd, 0, 0, options?.shared !== true);
            return true;
          } catch (error) {
            if ((error as NodeJS.ErrnoException).code === 'EAGAIN') return false;
            throw error;
          }
        },
        unlock: (fd) => binding.unlock(fd, 0, 0),
      };
    } catch {
      // Not here: try the next place, then fall back to lock files.
    }
  }
  return null;
}

/**
 * The OS lock. Its few system calls (open, lock, close) are made synchronously: they take
 * microseconds, and each would otherwise wait for a turn in libuv's thread pool.
 */
function osLocks(native: NativeLocks): LockProvider {
  return {
    kind: 'os',
    tryAcquire(file, owner, options) {
      let fd: number;
      try {
        fd = openSync(file, LOCK_FILE_FLAGS, PRIVATE_FILE_MODE);
        try {
          // A FIFO or a device in its place is refused: a lock is only ever a regular file.
          checkRegular(file, fstatSync(fd), Infinity);
        } catch (error) {
          closeSync(fd);
          throw error;
        }
      } catch (error) {
        return Promise.reject(toStorageError(error, path.dirname(file)));
      }
      let locked = false;
      try {
        locked = native.tryLock(fd);
      } catch (error) {
        closeSync(fd);
        return Promise.reject(toStorageError(error, path.dirname(file)));
      }
      if (!locked) {
        closeSync(fd);
        return Promise.resolve(null);
      }
      if (!options?.quiet) {
        // The holder's name is only for people ("kept by candor run, pid 4242"); the kernel lock decides.
        try {
          ftruncateSync(fd, 0);
          writeSync(fd, JSON.stringify(owner), 0);
        } catch {
          // A name that cannot be written leaves the lock as held as ever.
        }
      }
      let released = false;
      return Promise.resolve({
        release() {
          if (released) return Promise.resolve();
          released = true;
          try {
            native.unlock(fd);
          } finally {
            closeSync(fd);
          }
          return Promise.resolve();
        },
      });
    },
    async holder(file) {
      let handle: fs.FileHandle;
      try {
        ({ handle } = await openRegularFile(file, Infinity));
      } catch {
        return null;
      }
      try {
        // A shared lock is granted only when nobody holds the exclusive one.
        let free = false;
        try {
          free = native.tryLock(handle.fd, { shared: true });
        } catch {
          free = false;
        }
        if (free) {
          native.unlock(handle.fd);
          return null;
        }
        const text = Buffer.alloc(MAX_HOLDER_BYTES);
        const { bytesRead } = await handle.read(text, 0, MAX_HOLDER_BYTES, 0);
        return parseIdentity(text.subarray(0, bytesRead).toString('utf8')) ?? unknownHolder();
      } finally {
        await handle.close();
      }
    },
  };
}

function unknownHolder(): ProcessIdentity {
  return { pid: 0, bootId: '', since: 0, label: 'another Candor process' };
}

/** The portable fallback: `open(O_EXCL)` creates the lock file; dead holders are taken over. */
export function pidFileLocks(currentBootId: () => string): LockProvider {
  const readHolder = async (file: string): Promise<{ identity: ProcessIdentity | null; text: string } | null> => {
    try {
      const text = await readRegularText(file, MAX_HOLDER_BYTES);
      return { identity: parseIdentity(text), text };
    } catch {
      return null;
    }
  };
  return {
    kind: 'pid-file',
    async tryAcquire(file, owner) {
      const text = JSON.stringify(owner);
      for (let round = 0; round < 3; round++) {
        try {
          await createWithContent(file, text);
          let released = false;
          return {
            async release() {
              if (released) return;
              released = true;
              // Remove it only if it is still ours: a holder presumed dead may have been taken over.
              const current = await readHolder(file);
              if (current?.text === text) await fs.rm(file, { force: true }).catch(() => {});
            },
          };
        } catch (error) {
          if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw toStorageError(error, path.dirname(file));
        }
        const current = await readHolder(file);
        if (!current) continue; // released in between: try again
        if (current.identity && isAlive(current.identity, currentBootId())) return null;
        // A dead holder (or a file a crash left empty): move it aside atomically, so that of two
        // processes taking over at once only one succeeds, and check it was the file we judged.
        const aside = `${file}.stale-${process.pid}-${round}`;
        try {
          await fs.rename(file, aside);
        } catch {
          continue;
        }
        const moved = await readHolder(aside);
        if (moved?.text !== current.text) {
          // A live holder replaced the dead one just before the move: put its file back.
          await fs.link(aside, file).catch(() => {});
          await fs.rm(aside, { force: true }).catch(() => {});
          return null;
        }
        await fs.rm(aside, { force: true }).catch(() => {});
      }
      return null;
    },
    async holder(file) {
      const current = await readHolder(file);
      if (!current) return null;
      if (!current.identity) return unknownHolder();
      return isAlive(current.identity, currentBootId()) ? current.identity : null;
    },
  };
}

/**
 * Creates `file` holding `text`, or fails with EEXIST, in one step: the text is written to a file
 * of this process's own and linked into place. Created and then written, the lock file would be
 * empty for a moment, and another process reading it then would take it for one a crash left
 * empty, move it aside, and hold the lock too.
 */
async function createWithContent(file: string, text: string): Promise<void> {
  const own = `${file}.${process.pid}-${Math.random().toString(36).slice(2)}.new`;
  await fs.writeFile(own, text, { flag: 'wx', mode: PRIVATE_FILE_MODE });
  try {
    await fs.link(own, file);
  } catch (error) {
    // A filesystem without hard links (FAT): create, then write, as well as it can be done there.
    if (!['EPERM', 'ENOTSUP', 'EOPNOTSUPP', 'ENOSYS'].includes((error as NodeJS.ErrnoException).code ?? '')) throw error;
    await fs.writeFile(file, text, { flag: 'wx', mode: PRIVATE_FILE_MODE });
  } finally {
    await fs.rm(own, { force: true }).catch(() => {});
  }
}

let cachedNative: NativeLocks | null | undefined;

/** The OS lock where the addon loads, the lock file elsewhere. */
export function defaultLockProvider(currentBootId: () => string): LockProvider {
  if (cachedNative === undefined) cachedNative = loadNativeLocks();
  return cachedNative ? osLocks(cachedNative) : pidFileLocks(currentBootId);
}

export { StorageError };
