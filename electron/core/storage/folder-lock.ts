import { AsyncLocalStorage } from 'node:async_hooks';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { LockProvider } from './file-lock';
import { ensurePrivateDir } from './private-files';
import type { ProcessIdentity } from './process-identity';
import { StorageError } from './storage-error';

export const FOLDER_LOCK_FILE = 'candor.lock';

/**
 * The data folder's write lock: every read-modify-write of shared files (the state, the history)
 * runs inside `run`, so processes sharing the folder apply their changes one after another, each on
 * what the previous one wrote. Sections are short (a read, a change, an fsync), so waiting is
 * measured in milliseconds; a section that waits longer than `timeoutMs` fails with a clear reason
 * rather than hanging the caller.
 *
 * Nested calls from the same async flow reuse the lock they already hold instead of deadlocking.
 * Waiting polls on real time on purpose: it is contention between processes, not schedule logic,
 * and a test's fake clock must not freeze it.
 */
export class FolderLock {
  private readonly held = new AsyncLocalStorage<FolderLock>();
  private queue: Promise<unknown> = Promise.resolve();
  private dirReady = false;

  constructor(
    private readonly dir: string,
    private readonly provider: LockProvider,
    private readonly owner: () => ProcessIdentity,
    private readonly timeoutMs = 10_000,
  ) {}

  get file(): string {
    return path.join(this.dir, FOLDER_LOCK_FILE);
  }

  /** Whether the current async flow is inside `run`. */
  get isHeld(): boolean {
    return this.held.getStore() === this;
  }

  async run<T>(section: () => Promise<T>): Promise<T> {
    if (this.isHeld) return section();
    // One section at a time within this process too, so sections never poll against each other here.
    const turn = this.queue.then(() => this.runExclusive(section));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async runExclusive<T>(section: () => Promise<T>): Promise<T> {
    if (!this.dirReady) {
      await ensurePrivateDir(this.dir);
      this.dirReady = true;
    }
    const started = performance.now();
    let wait = 1;
    for (;;) {
      let lock;
      try {
        lock = await this.provider.tryAcquire(this.file, this.owner());
      } catch (error) {
        // The folder was removed since: make it again, once.
        if (!this.dirReady) throw error;
        this.dirReady = false;
        await ensurePrivateDir(this.dir);
        this.dirReady = true;
        lock = await this.provider.tryAcquire(this.file, this.owner());
      }
      if (lock) {
        try {
          return await this.held.run(this, section);
        } finally {
          await lock.release();
        }
      }
      if (performance.now() - started > this.timeoutMs) throw new StorageError('busy');
      await sleep(wait);
      wait = Math.min(50, wait * 2);
    }
  }
}
