/**
 * Reading a file named by someone else (a path on a command line), bounded whatever it turns out
 * to be. The name is opened once and everything is decided on that open handle, so the file
 * cannot be swapped between a check and the read:
 * - opened without blocking: a FIFO's open would otherwise wait for a writer forever;
 * - only a regular file is read: a device (/dev/zero, /dev/urandom), a FIFO or a socket reports a
 *   size of 0 and then never ends;
 * - at most `maxBytes` are read even if the file grows after its size was checked.
 */
import { constants } from 'node:fs';
import { open } from 'node:fs/promises';

export class FileRefused extends Error {}

/** The file's bytes; FileRefused when it is not a regular file or holds more than `maxBytes`; fs errors as thrown. */
export async function readRegularFile(file: string, maxBytes: number): Promise<Buffer> {
  // O_NONBLOCK does nothing to a regular file; O_NOCTTY keeps a terminal from becoming ours.
  const handle = await open(file, constants.O_RDONLY | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0));
  try {
    const stats = await handle.stat();
    if (!stats.isFile()) throw new FileRefused(`not a regular file (${kindOf(stats)})`);
    if (stats.size > maxBytes) throw new FileRefused(`larger than ${maxBytes} bytes`);
    const buffer = Buffer.alloc(maxBytes + 1);
    let length = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, length, buffer.length - length, null);
      if (bytesRead === 0) break;
      length += bytesRead;
      if (length > maxBytes) throw new FileRefused(`larger than ${maxBytes} bytes`);
    }
    return buffer.subarray(0, length);
  } finally {
    await handle.close();
  }
}

function kindOf(stats: { isDirectory(): boolean; isFIFO(): boolean; isCharacterDevice(): boolean; isBlockDevice(): boolean; isSocket(): boolean }): string {
  if (stats.isDirectory()) return 'a folder';
  if (stats.isFIFO()) return 'a FIFO';
  if (stats.isCharacterDevice() || stats.isBlockDevice()) return 'a device';
  if (stats.isSocket()) return 'a socket';
  return 'a special file';
}
