import { renameSync } from 'node:fs';
import path from 'node:path';
import { validate } from '../../shared/schema/dsl';
import { fileSignature, noFile } from '../storage/file-signature';
import type { FolderLock, Held } from '../storage/folder-lock';
import { ensurePrivateDir, writeSmallFileAtomic } from '../storage/private-files';
import { MIB, readRegularTextSync } from '../storage/regular-file';
import { StorageError, toStorageError } from '../storage/storage-error';
import { freshState, migrate, salvageDecline, stateSchema, type PersistedState } from './state-schema';

export const STATE_FILE = 'state.json';
/** Far more than any real state (a few KiB): a larger file is not Candor's and is set aside unread. */
const MAX_STATE_BYTES = 4 * MIB;

/**
 * `state.json`, shared by every Candor process on the data folder. There is no long-lived copy to
 * go stale: `read()` checks the file's identity (inode, size, change times) on every call, a few
 * microseconds, and parses again only when another write happened. `update()` takes the folder lock,
 * reads the file afresh, applies the change and replaces the file atomically, so concurrent changes
 * from several processes are applied one after another and none is lost.
 *
 * A damaged file (not JSON, `null`, wrong types at any level) is set aside under a dated name at the
 * next write and the sharing question is asked again; a "no" still readable in it is kept.
 */
export class StateStore {
  private cached: { signature: string; state: PersistedState; damaged: boolean } | null = null;

  constructor(
    private readonly dir: string,
    private readonly lock: FolderLock,
    private readonly now: () => number,
  ) {}

  get file(): string {
    return path.join(this.dir, STATE_FILE);
  }

  /** The state as it is on disk now. Never throws: an unreadable file reads as damaged. */
  read(): PersistedState {
    const signature = fileSignature(this.file);
    if (this.cached?.signature === signature) return this.cached.state;
    const parsed = this.parse();
    this.cached = { signature, ...parsed };
    return parsed.state;
  }

  /** The state read from the disk now, whatever was cached: for decisions that must not rest on any copy. */
  readFresh(): PersistedState {
    this.cached = null;
    return this.read();
  }

  /** True when the file on disk is damaged and will be set aside at the next write. */
  get damaged(): boolean {
    this.read();
    return this.cached?.damaged ?? false;
  }

  /**
   * Applies `change` to the state on disk, under the folder lock. Throws `StorageError` when the
   * change cannot be persisted; nothing changes then, in memory or on disk.
   */
  async update(change: (draft: PersistedState) => void, held?: Held): Promise<PersistedState> {
    return this.lock.run(async () => {
      // Under the lock the file cannot change: if it is the one last parsed, that parse is the truth.
      const signature = fileSignature(this.file);
      const { state, damaged } = this.cached?.signature === signature ? this.cached : this.parse();
      const draft = structuredClone(state);
      change(draft);
      const checked = validate(stateSchema, draft, { unknownKeys: 'reject' });
      if (!checked.ok) throw new Error(`invalid state change at ${checked.path}: ${checked.reason}`);
      if (!damaged && signature !== 'absent' && JSON.stringify(checked.value) === JSON.stringify(state)) return state;
      if (damaged) this.setAside(checked.value);
      await ensurePrivateDir(this.dir);
      await writeSmallFileAtomic(this.file, JSON.stringify(checked.value, null, 2) + '\n');
      this.cached = { signature: fileSignature(this.file), state: checked.value, damaged: false };
      return checked.value;
    }, held);
  }

  /** Sets a damaged file aside now (under the lock), so every process sees the fresh one. */
  async repair(): Promise<void> {
    if (!this.damaged) return;
    await this.update(() => {});
  }

  private parse(): { state: PersistedState; damaged: boolean } {
    let text: string;
    try {
      // A FIFO, a device or a huge file in its place is refused unread, and set aside as damage.
      text = readRegularTextSync(this.file, MAX_STATE_BYTES);
    } catch (error) {
      if (noFile(error)) return { state: freshState(), damaged: false };
      return { state: this.recovered(null, ''), damaged: true };
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      return { state: this.recovered(null, text), damaged: true };
    }
    if (raw && typeof raw === 'object' && !Array.isArray(raw)) {
      const checked = validate(stateSchema, migrate(raw as Record<string, unknown>), { unknownKeys: 'drop' });
      if (checked.ok) return { state: checked.value, damaged: false };
    }
    return { state: this.recovered(raw, text), damaged: true };
  }

  /** Fresh settings after damage: ask again, but keep a readable "no". */
  private recovered(raw: unknown, text: string): PersistedState {
    const state = freshState();
    if (salvageDecline(raw, text)) state.consent.choice = 'decline';
    else state.consent.mustAskAgain = true;
    return state;
  }

  private setAside(next: PersistedState): void {
    const name = `${STATE_FILE}.damaged-${new Date(this.now()).toISOString().replace(/[:.]/g, '-')}`;
    try {
      renameSync(this.file, path.join(this.dir, name));
      next.setAsideAs = name;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw toStorageError(error, this.dir);
    }
  }
}

export { StorageError };
