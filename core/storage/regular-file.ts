import { closeSync, constants, fstatSync, openSync, promises as fs, readSync, type Stats } from 'node:fs';

/**
 * Reading a file Candor keeps or is pointed at (state, history, config, passwords, keys, lock
 * holders) without trusting what is at that name. A FIFO would block the read until some writer
 * came, a device such as /dev/zero never ends, and a symlink can lead to either: so the file is
 * opened without blocking and without taking a terminal, and the open handle (not the name, which
 * can change in between) must be a regular file no larger than the caller allows. Anything else is
 * refused at once, with what it is, and nothing is read from it.
 */
export type OddFileKind = 'a FIFO' | 'a device' | 'a socket' | 'a folder' | 'not a regular file' | 'too large';

export class OddFileError extends Error {
  constructor(
    readonly file: string,
    readonly kind: OddFileKind,
    readonly limitBytes?: number,
  ) {
    super(kind === 'too large' ? `${file} is larger than ${formatBytes(limitBytes ?? 0)}` : `${file} is ${kind}, not a regular file`);
    this.name = 'OddFileError';
  }
}

/** O_NONBLOCK: opening a FIFO for reading returns at once; O_NOCTTY: a terminal device never becomes ours. Neither exists on Windows. */
const READ_FLAGS = constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

export const KIB = 1024;
export const MIB = 1024 * KIB;
/** A password or a key: far less than this. */
export const MAX_SECRET_BYTES = 64 * KIB;

function kindOf(st: Stats): OddFileKind | null {
  if (st.isFile()) return null;
  if (st.isFIFO()) return 'a FIFO';
  if (st.isCharacterDevice() || st.isBlockDevice()) return 'a device';
  if (st.isSocket()) return 'a socket';
  if (st.isDirectory()) return 'a folder';
  return 'not a regular file';
}

/** Throws `OddFileError` unless `st` (from the open handle) is a regular file within `maxBytes`. */
export function checkRegular(file: string, st: Stats, maxBytes: number): void {
  const kind = kindOf(st);
  if (kind) throw new OddFileError(file, kind);
  if (st.size > maxBytes) throw new OddFileError(file, 'too large', maxBytes);
}

/**
 * Reads a whole regular file of at most `maxBytes`, synchronously (for the small files read on the
 * hot path of a decision). Errors from opening (ENOENT…) are thrown as they are.
 */
export function readRegularFileSync(file: string, maxBytes: number): Buffer {
  const fd = openSync(file, READ_FLAGS);
  try {
    const st = fstatSync(fd);
    checkRegular(file, st, maxBytes);
    const buffer = Buffer.alloc(st.size);
    let read = 0;
    while (read < buffer.length) {
      const n = readSync(fd, buffer, read, buffer.length - read, read);
      if (n === 0) break;
      read += n;
    }
    return buffer.subarray(0, read);
  } finally {
    closeSync(fd);
  }
}

export function readRegularTextSync(file: string, maxBytes: number): string {
  return readRegularFileSync(file, maxBytes).toString('utf8');
}

/** Opens a regular file of at most `maxBytes` for reading; the caller closes the handle. */
export async function openRegularFile(file: string, maxBytes: number): Promise<{ handle: fs.FileHandle; size: number }> {
  const handle = await fs.open(file, READ_FLAGS);
  try {
    const st = await handle.stat();
    checkRegular(file, st, maxBytes);
    return { handle, size: st.size };
  } catch (error) {
    await handle.close();
    throw error;
  }
}

/** Reads a whole regular file of at most `maxBytes`. */
export async function readRegularFile(file: string, maxBytes: number): Promise<Buffer> {
  const { handle, size } = await openRegularFile(file, maxBytes);
  try {
    const buffer = Buffer.alloc(size);
    let read = 0;
    while (read < size) {
      const { bytesRead } = await handle.read(buffer, read, size - read, read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return buffer.subarray(0, read);
  } finally {
    await handle.close();
  }
}

export async function readRegularText(file: string, maxBytes: number): Promise<string> {
  return (await readRegularFile(file, maxBytes)).toString('utf8');
}

function formatBytes(n: number): string {
  return n >= MIB ? `${Math.round(n / MIB)} MiB` : `${Math.round(n / KIB)} KiB`;
}
