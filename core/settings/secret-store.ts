import path from 'node:path';
import { removeFile, writeFileAtomic } from '../storage/private-files';
import { MAX_SECRET_BYTES, readRegularText } from '../storage/regular-file';

/** Where the server password lives: the OS keychain on the desktop, a private file otherwise. */
export interface SecretStore {
  kind: 'os-keychain' | 'private-file';
  get(): Promise<string | null>;
  set(secret: string | null): Promise<void>;
}

export const PASSWORD_FILE = 'server-password';

/** A file only the owner can read, replaced atomically. */
export function privateFileSecretStore(dir: string, name = PASSWORD_FILE): SecretStore {
  const file = path.join(dir, name);
  return {
    kind: 'private-file',
    async get() {
      try {
        return (await readRegularText(file, MAX_SECRET_BYTES)).replace(/\r?\n$/, '') || null;
      } catch {
        return null;
      }
    },
    set: (secret) => (secret ? writeFileAtomic(file, secret) : removeFile(file)),
  };
}
