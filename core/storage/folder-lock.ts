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
 * A section that calls something which itself changes the folder passes it the `Held` proof it was
 * given, so the callee runs inside the section instead of waiting for it (a deadlock). Waiting polls on real time on purpose: it is contention between processes, not schedule logic,
 * and a test's fake clock must not freeze it.
 */
/** Proof, handed to a section, that its flow holds this lock; pass it on to calls made inside. */
export interface Held {
  readonly lock: FolderLock;
}

export class FolderLock {
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

  /** Runs `section` holding the lock; with `held` (the proof of an enclosing section), runs it at once. */
  async run<T>(section: (held: Held) => Promise<T>, held?: Held): Promise<T> {
    if (held) {
      if (held.lock !== this) throw new Error('a section of another folder lock');
      return section(held);
    }
    // One section at a time within this process too, so sections never poll against each other here.
    const turn = this.queue.then(() => this.runExclusive(section));
    this.queue = turn.catch(() => undefined);
    return turn;
  }

  private async runExclusive<T>(section: (held: Held) => Promise<T>): Promise<T> {
    if (!this.dirReady) {
      await ensurePrivateDir(this.dir);
      this.dirReady = true;
    }
    const started = performance.now();
    let wait = 1;
    for (;;) {
      let lock;
      try {
        lock = await this.provider.tryAcquire(this.file, this.owner(), { quiet: true });
      } catch (error) {
        // The folder was removed since: make it again, once.
        if (!this.dirReady) throw error;
        this.dirReady = false;
        await ensurePrivateDir(this.dir);
        this.dirReady = true;
        lock = await this.provider.tryAcquire(this.file, this.owner(), { quiet: true });
      }
      if (lock) {
        try {
          return await section({ lock: this });
        } finally {
          await lock.release();
        }
      }
      if (performance.now() - started > this.timeoutMs) throw new StorageError('busy', this.dir);
      await sleep(wait);
      wait = Math.min(50, wait * 2);
    }
  }
}
