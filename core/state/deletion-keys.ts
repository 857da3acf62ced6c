import { createHash, randomBytes } from 'node:crypto';
import path from 'node:path';
import type { FolderLock, Held } from '../storage/folder-lock';
import { writeFileAtomic } from '../storage/private-files';
import { MIB, readRegularTextSync } from '../storage/regular-file';

export const DELETION_KEYS_FILE = 'deletion-keys.json';
/** Keys of earlier ids are kept while the collector may still hold their reports (30 days), with margin. */
const KEEP_OLD_KEYS_MS = 60 * 24 * 3600 * 1000;

export interface DeletionKey {
  id: string;
  /** 32 random bytes, hex. Never leaves the machine except in a deletion request to the collector. */
  key: string;
  createdAt: number;
}

/**
 * One random secret per instance id, kept in a private file: reports carry only its sha256
 * (`candor.deletionKeyHash`), and only the holder of the secret can have the collector delete them.
 */
export class DeletionKeys {
  private readonly hashes = new Map<string, string>();

  constructor(
    private readonly dir: string,
    private readonly lock: FolderLock,
    private readonly now: () => number,
  ) {}

  get file(): string {
    return path.join(this.dir, DELETION_KEYS_FILE);
  }

  /** Every key still worth keeping, newest last. */
  all(): DeletionKey[] {
    try {
      const value = JSON.parse(readRegularTextSync(this.file, MIB)) as { keys?: unknown };
      return Array.isArray(value.keys) ? value.keys.filter(isKey) : [];
    } catch {
      return [];
    }
  }

  /** The hash a report for `id` carries; the key is made (under the folder lock) the first time. Throws `StorageError`. */
  async hashFor(id: string, held?: Held): Promise<string> {
    const cached = this.hashes.get(id);
    if (cached) return cached;
    const existing = this.all().find((k) => k.id === id) ?? (await this.create(id, held));
    const hash = hashOfKey(existing.key);
    this.hashes.set(id, hash);
    return hash;
  }

  private create(id: string, held?: Held): Promise<DeletionKey> {
    return this.lock.run(async () => {
      const keys = this.all();
      const found = keys.find((k) => k.id === id);
      if (found) return found;
      const now = this.now();
      const made = { id, key: randomBytes(32).toString('hex'), createdAt: now };
      const kept = keys.filter((k) => now - k.createdAt < KEEP_OLD_KEYS_MS);
      await writeFileAtomic(this.file, JSON.stringify({ keys: [...kept, made] }, null, 2) + '\n');
      return made;
    }, held);
  }
}

export function hashOfKey(key: string): string {
  return createHash('sha256').update(Buffer.from(key, 'hex')).digest('hex');
}

function isKey(value: unknown): value is DeletionKey {
  const k = value as DeletionKey | null;
  return typeof k?.id === 'string' && typeof k.key === 'string' && /^[0-9a-f]{64}$/.test(k.key) && typeof k.createdAt === 'number';
}
