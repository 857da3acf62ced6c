import { promises as fs } from 'node:fs';
import path from 'node:path';
import type { Options as StoreOptions, Schema } from 'electron-store';
import type { Logger } from '../core/platform';
import { STATE_VERSION, privateFileSecretStore, stateSchema, writePrivateFile, type BackingStore, type SecretStore } from '../core/settings/state-store';
import { toJsonSchema } from '../shell/json-schema';

/**
 * Desktop persistence: the agent's settings file through electron-store, the server password
 * through Electron's safeStorage (the OS keychain).
 */

type StateRecord = Record<string, unknown>;

/**
 * The core's state schema as electron-store wants it: one JSON Schema per top-level key. `version`
 * also accepts older versions: the core migrates such a file in memory and rewrites it right after
 * opening, so the store must be able to open it first.
 */
export const STATE_STORE_SCHEMA = {
  ...(toJsonSchema(stateSchema) as { properties: Record<string, unknown> }).properties,
  version: { type: 'integer', minimum: 1, maximum: STATE_VERSION },
} as Schema<StateRecord>;

/**
 * electron-store options for `<home>/state.json` (the file the core's StateStore reads, shared
 * with the headless CLI).
 *
 * - `schema`: ajv re-checks every write, so a bug can never leave a file the next start rejects.
 *   No top-level `required`: a brand-new file is empty until the core writes it a moment later.
 * - Migrations are the core's versioned chain (`MIGRATIONS` in state-store.ts, by data version),
 *   applied on every load in both shells. electron-store's own `migrations` (by app version) are
 *   not used: they write an `__internal__` key into the shared file, which the CLI's store cannot
 *   take (conf copies that key into the object the core hands it, and the core then rejects it).
 * - `clearInvalidConfig: false`: a damaged file is set aside by the core and reported, never wiped.
 */
export function stateStoreOptions(dir: string): StoreOptions<StateRecord> {
  return { cwd: dir, name: 'state', clearInvalidConfig: false, schema: STATE_STORE_SCHEMA };
}

export type StoreConstructor = new (options: StoreOptions<StateRecord>) => BackingStore;

function isSchemaViolation(error: unknown): boolean {
  return error instanceof Error && error.message.startsWith('Config schema violation');
}

/**
 * Hands the store a copy on every write: conf (under electron-store) may add keys to the object
 * it is given, and that object is the core's live state.
 */
function copyOnWrite(store: BackingStore): BackingStore {
  return {
    get store() {
      return store.store;
    },
    set store(value) {
      store.store = structuredClone(value);
    },
  };
}

/**
 * The backing store for the core's StateStore. If the file the core accepted fails the schema
 * (the second lock disagreeing with the first), persistence matters more than the extra check:
 * the store is opened without it and the fact is logged.
 */
export function createStateBacking(Store: StoreConstructor, dir: string, logger: Logger): BackingStore {
  const options = stateStoreOptions(dir);
  try {
    return copyOnWrite(new Store(options));
  } catch (error) {
    if (!isSchemaViolation(error)) throw error;
    logger.log('warn', 'settings: the file did not match the store schema; opened without the schema check');
    const { schema: _schema, ...withoutSchema } = options;
    return copyOnWrite(new Store(withoutSchema));
  }
}

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
        encrypted = await fs.readFile(file);
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
      await writePrivateFile(dir, file, secret ? safeStorage.encryptString(secret) : null);
    },
  };
}
