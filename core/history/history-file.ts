import { constants, promises as fs } from 'node:fs';
import { ensurePrivateDir, PRIVATE_FILE_MODE, writeFileAtomic } from '../storage/private-files';
import { checkRegular, MIB, openRegularFile } from '../storage/regular-file';
import { isHistoryLine } from './history-line';
import { toStorageError } from '../storage/storage-error';

/**
 * The most history read: 50,000 entries (the cap) of a few KiB each fit well within it. A larger
 * file is not Candor's history and is refused, not read into memory.
 */
export const MAX_HISTORY_BYTES = 256 * MIB;
/** `a+` that never blocks on a FIFO nor takes a terminal (see regular-file.ts). */
const APPEND_FLAGS = constants.O_RDWR | constants.O_APPEND | constants.O_CREAT | (constants.O_NONBLOCK ?? 0) | (constants.O_NOCTTY ?? 0);

/**
 * The history file itself: JSON Lines, appended one fsynced line at a time by any process that
 * holds the folder lock, read incrementally by every process that shows it.
 *
 * Reading never writes: a torn last line (a kill mid-append) is skipped, and a complete last line
 * that only lacks its newline is kept; a line that parses but is not an entry counts as damaged.
 * The next append, under the lock, cuts the torn tail or adds the missing newline before writing
 * its own line. A FIFO, a device or an oversized file at its name is refused, never read.
 */
export interface ReadResult {
  /** Every complete line read since the given offset (the last one possibly without its newline). */
  lines: string[];
  /** Lines that did not parse, not counting a torn tail. */
  damaged: number;
  /** Where the next read continues: just after the last newline seen. */
  offset: number;
  /** The file's identity: a new one means it was rewritten (retention) and must be read from the start. */
  identity: string;
}

export async function fileIdentity(file: string): Promise<{ identity: string; size: number } | null> {
  try {
    const st = await fs.stat(file, { bigint: true });
    return { identity: `${st.dev}:${st.ino}`, size: Number(st.size) };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Reads the lines appended after `offset`. */
export async function readLinesFrom(file: string, offset: number): Promise<ReadResult | null> {
  let handle: fs.FileHandle;
  try {
    // Throws `OddFileError` for a FIFO, a device or a file past the limit: never read to the end.
    ({ handle } = await openRegularFile(file, MAX_HISTORY_BYTES));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
  try {
    const st = await handle.stat({ bigint: true });
    const identity = `${st.dev}:${st.ino}`;
    const size = Number(st.size);
    const start = Math.min(offset, size);
    const buffer = Buffer.alloc(size - start);
    if (buffer.length > 0) await handle.read(buffer, 0, buffer.length, start);
    const lastNewline = buffer.lastIndexOf(0x0a);
    const complete = buffer.subarray(0, lastNewline + 1).toString('utf8');
    const tail = buffer.subarray(lastNewline + 1).toString('utf8');
    const lines: string[] = [];
    let damaged = 0;
    for (const line of complete.split('\n')) {
      if (!line) continue;
      if (isHistoryLine(line)) lines.push(line);
      else damaged++;
    }
    // A tail without its newline is kept when it is a whole entry (a crash between the line and its
    // newline, or an editor that dropped it); otherwise it is a torn append and is skipped.
    if (tail && isHistoryLine(tail)) lines.push(tail);
    return { lines, damaged, offset: start + lastNewline + 1, identity };
  } finally {
    await handle.close();
  }
}

/**
 * Durably appends one line. The caller holds the folder lock. A torn tail is cut first and a
 * missing final newline added, so the new line always starts on a line of its own.
 */
export async function appendLine(dir: string, file: string, line: string): Promise<void> {
  let handle: fs.FileHandle | undefined;
  try {
    await ensurePrivateDir(dir);
    handle = await fs.open(file, APPEND_FLAGS, PRIVATE_FILE_MODE);
    const st = await handle.stat();
    checkRegular(file, st, Infinity);
    const size = st.size;
    let prefix = '';
    if (size > 0) {
      const tailStart = await lastLineStart(handle, size);
      const tail = Buffer.alloc(size - tailStart);
      await handle.read(tail, 0, tail.length, tailStart);
      const text = tail.toString('utf8');
      if (!text.endsWith('\n')) {
        if (isHistoryLine(text)) prefix = '\n';
        else await handle.truncate(tailStart);
      }
    }
    await handle.writeFile(prefix + line + '\n', 'utf8');
    await handle.sync();
  } catch (error) {
    throw toStorageError(error, dir);
  } finally {
    await handle?.close().catch(() => {});
  }
}

/** Offset where the last line starts: just after the last newline before the final byte, or 0. */
async function lastLineStart(handle: fs.FileHandle, size: number): Promise<number> {
  const chunk = Buffer.alloc(64 * 1024);
  let searchEnd = size - 1;
  while (searchEnd > 0) {
    const start = Math.max(0, searchEnd - chunk.length);
    const length = searchEnd - start;
    await handle.read(chunk, 0, length, start);
    const at = chunk.subarray(0, length).lastIndexOf(0x0a);
    if (at >= 0) return start + at + 1;
    searchEnd = start;
  }
  return 0;
}

/** Replaces the whole file (retention), atomically. The caller holds the folder lock. */
export async function rewriteLines(file: string, lines: string[]): Promise<void> {
  await writeFileAtomic(file, lines.map((l) => l + '\n').join(''));
}
