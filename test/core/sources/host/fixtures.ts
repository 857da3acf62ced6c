import fsp from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { HostFs } from '../../../../core/sources/host/deps';

/** Writes `files` (relative path → content) under a fresh temp dir and returns its path. */
export async function writeTree(files: Record<string, string>): Promise<string> {
  const root = await fsp.mkdtemp(path.join(os.tmpdir(), 'candor-host-'));
  for (const [relative, content] of Object.entries(files)) {
    const target = path.join(root, relative);
    await fsp.mkdir(path.dirname(target), { recursive: true });
    await fsp.writeFile(target, content);
  }
  return root;
}

export async function removeTree(root: string): Promise<void> {
  await fsp.rm(root, { recursive: true, force: true });
}

export type FsCall = { method: keyof HostFs; path: string };

/** The real fs with selected methods replaced, recording every call made through it. */
export function recordingFs(overrides: Partial<HostFs> = {}): { fs: HostFs; calls: FsCall[] } {
  const calls: FsCall[] = [];
  const methods: Array<keyof HostFs> = ['readFile', 'readdir', 'access', 'lstat', 'readlink', 'realpath', 'statfs'];
  const real: HostFs = fsp;
  const fs = Object.fromEntries(
    methods.map((method) => {
      const fn = (overrides[method] ?? real[method].bind(fsp)) as (...args: unknown[]) => unknown;
      return [
        method,
        (p: string, ...rest: unknown[]) => {
          calls.push({ method, path: p });
          return fn(p, ...rest);
        },
      ];
    }),
  ) as unknown as HostFs;
  return { fs, calls };
}

/** One mountinfo line; `optional` stands for the variable list before the `-`. */
export function mountLine(id: number, mountPoint: string, fstype: string, source: string, optional = 'shared:1'): string {
  return `${id} 1 0:${id} / ${mountPoint} rw,relatime ${optional} - ${fstype} ${source} rw`.replace('  ', ' ');
}

export const never = <T>(): Promise<T> => new Promise<T>(() => {});

export function enoent(p: string): Error {
  return Object.assign(new Error(`ENOENT: no such file or directory, '${p}'`), { code: 'ENOENT' });
}
