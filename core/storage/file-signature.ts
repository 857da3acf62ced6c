import { statSync } from 'node:fs';

/**
 * A file's identity and version from one stat: it changes whenever the file is replaced or
 * rewritten (atomic writes give a new inode; the change time, in microseconds, tells a reused one
 * apart). `absent` when there is no file; `unreadable:<code>` when the stat itself fails.
 */
export function fileSignature(file: string): string {
  try {
    const st = statSync(file);
    return `${st.ino}:${st.size}:${st.mtimeMs}:${st.ctimeMs}`;
  } catch (error) {
    return noFile(error) ? 'absent' : `unreadable:${(error as NodeJS.ErrnoException).code ?? ''}`;
  }
}

/** No file there at all (nor a folder to hold one): a first start, not damage. */
export function noFile(error: unknown): boolean {
  const code = (error as NodeJS.ErrnoException).code;
  return code === 'ENOENT' || code === 'ENOTDIR';
}
