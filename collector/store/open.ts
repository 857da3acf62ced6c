import { openPostgresStore } from './postgres';
import { openSqliteStore, type SqliteDurability } from './sqlite';
import type { Store } from './types';

export type StoreConfig = { kind: 'sqlite'; dataDir: string; durability?: SqliteDurability } | { kind: 'postgres'; url: string };

/** Opens (and migrates) the configured store, or throws StoreUnavailable with a one-line reason. */
export async function openStore(config: StoreConfig): Promise<Store> {
  return config.kind === 'sqlite' ? openSqliteStore(config.dataDir, config.durability) : openPostgresStore(config.url);
}
