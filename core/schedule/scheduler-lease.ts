import path from 'node:path';
import type { HeldLock, LockProvider } from '../storage/file-lock';
import type { ProcessIdentity } from '../storage/process-identity';

export const LEASE_FILE = 'scheduler.lock';

/**
 * Exactly one process on a data folder keeps the daily schedule: the one holding this lease. The
 * desktop app, `candor run` and `candor serve` all try to take it when they start and keep trying
 * while they run; the others stand by and can say who keeps it. With the OS lock the lease is
 * released by the kernel when its holder dies, however it dies; with the lock-file fallback a dead
 * holder (pid, boot id, start tick) is taken over. Either way a standby notices within one poll.
 */
export class SchedulerLease {
  private lock: HeldLock | null = null;
  private identity: ProcessIdentity | null = null;

  constructor(
    private readonly dir: string,
    private readonly provider: LockProvider,
    private readonly owner: () => ProcessIdentity,
  ) {}

  get file(): string {
    return path.join(this.dir, LEASE_FILE);
  }

  get held(): boolean {
    return this.lock !== null;
  }

  /** Takes the lease if it is free; throws `StorageError` when the folder cannot hold a lease at all. */
  async take(): Promise<boolean> {
    if (this.lock) return true;
    const identity = this.owner();
    this.lock = await this.provider.tryAcquire(this.file, identity);
    if (this.lock) this.identity = identity;
    return this.lock !== null;
  }

  /** `take`, for polls: an unwritable folder just means "not now". */
  async tryTake(): Promise<boolean> {
    return this.take().catch(() => false);
  }

  /** Who keeps the schedule now (null: nobody). */
  async keeper(): Promise<ProcessIdentity | null> {
    if (this.lock && this.identity) return this.identity;
    try {
      return await this.provider.holder(this.file);
    } catch {
      return null;
    }
  }

  async release(): Promise<void> {
    const lock = this.lock;
    this.lock = null;
    await lock?.release().catch(() => undefined);
  }
}
