import { closeSync, fsync, openSync, promises as fs, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { toStorageError } from './storage-error';

/**
 * Files in Candor's data folder are the user's own: the folder is created 0700 and every file 0600,
 * on every write path. Replacing a file goes through a temp file in the same folder, fsync and
 * rename, then an fsync of the folder, so a crash or a full disk leaves the old file or the new one,
 * never a mix, and a reader in another process never sees half a file.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/** Temp files are named by process and a counter: unique without drawing random bytes at every write. */
let tempCounter = 0;

/** Folders this process made or found: checked once, not at every write. */
const knownDirs = new Set<string>();

/** Creates the folder (and parents) if missing; a folder Candor creates is private. */
export async function ensurePrivateDir(dir: string): Promise<void> {
  if (knownDirs.has(dir)) return;
  try {
    const created = await fs.mkdir(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
    // mkdir's mode is filtered by the umask; say it again for the folder we made.
    if (created !== undefined) await fs.chmod(dir, PRIVATE_DIR_MODE);
    knownDirs.add(dir);
  } catch (error) {
    throw toStorageError(error, dir);
  }
}

/** Atomically replaces `file` with `data` (mode 0600). Throws `StorageError`; the old file is then intact. */
export async function writeFileAtomic(file: string, data: string | Uint8Array): Promise<void> {
  const dir = path.dirname(file);
  await ensurePrivateDir(dir);
  const temp = `${file}.${process.pid}-${++tempCounter}.tmp`;
  try {
    const handle = await fs.open(temp, 'wx', PRIVATE_FILE_MODE);
    try {
      await handle.writeFile(data);
      await handle.sync();
    } finally {
      await handle.close();
    }
    await fs.rename(temp, file);
  } catch (error) {
    await fs.rm(temp, { force: true }).catch(() => {});
    // The folder may have been removed since it was made: check it again next time.
    knownDirs.delete(dir);
    throw toStorageError(error, dir);
  }
  await syncDir(dir);
}

/**
 * `writeFileAtomic` with few trips through the thread pool, for small files written on the hot path
 * of a decision (the shared state): the quick system calls are made at once, and only the two
 * fsyncs, which can take long on a busy disk, wait off the main thread. The folder must exist.
 */
export async function writeSmallFileAtomic(file: string, data: string): Promise<void> {
  const dir = path.dirname(file);
  const temp = `${file}.${process.pid}-${++tempCounter}.tmp`;
  try {
    const fd = openSync(temp, 'wx', PRIVATE_FILE_MODE);
    try {
      writeFileSync(fd, data);
      await fsyncOffThread(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temp, file);
  } catch (error) {
    rmSync(temp, { force: true });
    knownDirs.delete(dir);
    throw toStorageError(error, dir);
  }
  try {
    const fd = openSync(dir, 'r');
    try {
      await fsyncOffThread(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Windows cannot fsync a directory handle: rename is still atomic there.
  }
}

function fsyncOffThread(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fsync(fd, (error) => (error ? reject(error) : resolve())));
}

/** Removes a file if present. */
export async function removeFile(file: string): Promise<void> {
  try {
    await fs.rm(file, { force: true });
  } catch (error) {
    throw toStorageError(error, path.dirname(file));
  }
}

/** Makes a rename durable. Some platforms cannot open a folder for fsync; the rename itself already happened. */
async function syncDir(dir: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    handle = await fs.open(dir, 'r');
    await handle.sync();
  } catch {
    // Windows cannot fsync a directory handle: rename is still atomic there.
  } finally {
    await handle?.close().catch(() => {});
  }
}

/** Whether a small file can be written in the folder now (a full disk or a read-only mount say no). */
export async function probeWritable(dir: string): Promise<void> {
  const probe = path.join(dir, `.write-probe-${process.pid}`);
  await writeFileAtomic(probe, 'ok');
  await removeFile(probe);
}
