import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { defaultLockProvider, pidFileLocks, type LockProvider } from '../../core/storage/file-lock';
import { FolderLock } from '../../core/storage/folder-lock';
import { thisProcess } from '../../core/storage/process-identity';
import { StateStore } from '../../core/state/state-store';
import { tempHome } from './agent-harness';

export const BOOT_ID = 'test-boot';

export function lockProvider(kind: 'os' | 'pid-file' = 'os'): LockProvider {
  return kind === 'os' ? defaultLockProvider(() => BOOT_ID) : pidFileLocks(() => BOOT_ID);
}

export function folderLock(dir: string, kind: 'os' | 'pid-file' = 'os', timeoutMs?: number): FolderLock {
  return new FolderLock(dir, lockProvider(kind), () => thisProcess(BOOT_ID, Date.now(), 'a test'), timeoutMs);
}

export function stateStoreAt(dir: string, now: () => number = Date.now): StateStore {
  return new StateStore(dir, folderLock(dir), now);
}

/** Whether this machine lets the tests mount a tmpfs (Linux, as root): read-only and full-disk cases need it. */
export function canMount(): boolean {
  if (process.platform !== 'linux' || process.getuid?.() !== 0) return false;
  const probe = path.join(tempHome(), 'probe');
  mkdirSync(probe);
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=64k', 'tmpfs', probe], { stdio: 'ignore' });
    execFileSync('umount', [probe], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/** A small tmpfs at a new folder; `seed` files are written before it is made read-only or filled. */
export function mountTmpfs(options: { readOnly?: boolean; full?: boolean; seed?: Record<string, string> }): { dir: string; unmount(): void } {
  const dir = path.join(tempHome('candor-mount-'), 'data');
  mkdirSync(dir);
  execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=256k,mode=0700', 'tmpfs', dir]);
  for (const [name, text] of Object.entries(options.seed ?? {})) writeFileSync(path.join(dir, name), text);
  if (options.full) {
    // Fill every block, so the next write of any size fails with ENOSPC.
    try {
      execFileSync('dd', ['if=/dev/zero', `of=${path.join(dir, 'filler')}`, 'bs=4k'], { stdio: 'ignore' });
    } catch {
      // dd stops with an error when the disk is full: that is the point.
    }
  }
  if (options.readOnly) execFileSync('mount', ['-o', 'remount,ro', dir]);
  return { dir, unmount: () => execFileSync('umount', ['-l', dir]) };
}
