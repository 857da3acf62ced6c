import path from 'node:path';
import type { Logger } from '../../core/platform';
import { privateFileSecretStore, type SecretStore } from '../../core/settings/secret-store';
import { removeFile, writeFileAtomic } from '../../core/storage/private-files';
import { MAX_SECRET_BYTES, readRegularFile } from '../../core/storage/regular-file';

/**
 * The server password on the desktop, through Electron's safeStorage (the OS keychain). The agent's
 * shared state is the core's own `state.json` (locked and re-read across processes); electron-store
 * keeps only the desktop's own preferences (window-state.ts).
 */

/** The parts of Electron's `safeStorage` used here. */
export interface SafeStorageLike {
  isEncryptionAvailable(): boolean;
  encryptString(plainText: string): Buffer;
  decryptString(encrypted: Buffer): string;
  getSelectedStorageBackend(): string;
}

export const KEYCHAIN_SECRET_FILE = 'server-password.safe';

/**
 * Whether safeStorage really protects the secret. On Linux without a keyring it falls back to
 * `basic_text`, a fixed key: that is no better than a private file, so Candor says "private file".
 */
export function keychainAvailable(safeStorage: SafeStorageLike, platform: NodeJS.Platform): boolean {
  if (!safeStorage.isEncryptionAvailable()) return false;
  if (platform !== 'linux') return true;
  const backend = safeStorage.getSelectedStorageBackend();
  return backend !== 'basic_text' && backend !== 'unknown';
}

/**
 * The server password, encrypted by the OS keychain (safeStorage) in a file only the owner can
 * read; without a usable keychain, the same private file the headless shell uses (and the status
 * says which). Must be created after `app` is ready (Linux asks the keyring then).
 */
export function createSecretStore(safeStorage: SafeStorageLike, dir: string, platform: NodeJS.Platform, logger: Logger): SecretStore {
  if (!keychainAvailable(safeStorage, platform)) {
    logger.log('info', 'no usable OS keychain: the server password is kept in a private file');
    return privateFileSecretStore(dir);
  }
  const file = path.join(dir, KEYCHAIN_SECRET_FILE);
  return {
    kind: 'os-keychain',
    async get() {
      let encrypted: Buffer;
      try {
        encrypted = await readRegularFile(file, MAX_SECRET_BYTES);
      } catch {
        return null;
      }
      try {
        return safeStorage.decryptString(encrypted) || null;
      } catch {
        // A changed keychain (new login keyring, restored backup) cannot read the old secret.
        logger.log('warn', 'the stored server password could not be decrypted; enter it again');
        return null;
      }
    },
    async set(secret) {
      if (secret) await writeFileAtomic(file, safeStorage.encryptString(secret));
      else await removeFile(file);
    },
  };
}
