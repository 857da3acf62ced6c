/**
 * The collector as a library: `startCollector` runs the real service in-process (port 0, a temp
 * SQLite folder unless one is given, an injectable clock) for end-to-end tests of the agent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { OddValuePolicy } from '../shared/schema/dsl';
import { createCollector, type Collector } from './app';
import type { Limits } from './limits';
import type { CollectorClock, Logger } from './platform';
import { openStore } from './store/open';

export { createCollector, type Collector, type CollectorOptions } from './app';
export { DEFAULT_LIMITS, type Limits } from './limits';
export { RETENTION_DAYS, RETENTION_MS } from './retention';
export { openStore, type StoreConfig } from './store/open';
export type { Store } from './store/types';
export type { DaySummary } from './summary/types';

export interface StartOptions {
  clock?: CollectorClock;
  logger?: Logger;
  /** SQLite folder; a fresh temp folder (removed on close) when neither this nor databaseUrl is given. */
  dataDir?: string;
  databaseUrl?: string;
  host?: string;
  port?: number;
  trustProxy?: readonly string[];
  limits?: Partial<Limits>;
  /** Default 0 here: every summary read sees every committed report. */
  summaryMaxAgeMs?: number;
  purgeIntervalMs?: number;
  heartbeatMs?: number;
  /** Names the process in /metrics and in the leases it takes (see CollectorOptions). */
  processName?: string;
  /** Benchmark only (see CollectorOptions). */
  countAdmissions?: boolean;
  /** Benchmark only (see CollectorOptions). */
  oddValues?: OddValuePolicy;
}

export interface StartedCollector {
  url: string;
  /** The SQLite folder in use (undefined with PostgreSQL). */
  dataDir: string | undefined;
  collector: Collector;
  close(): Promise<void>;
}

export async function startCollector(options: StartOptions = {}): Promise<StartedCollector> {
  const tempDir = options.dataDir === undefined && options.databaseUrl === undefined ? mkdtempSync(path.join(os.tmpdir(), 'candor-collector-')) : undefined;
  const dataDir = options.dataDir ?? tempDir;
  const store = await openStore(options.databaseUrl !== undefined ? { kind: 'postgres', url: options.databaseUrl } : { kind: 'sqlite', dataDir: dataDir! });
  let collector: Collector;
  try {
    collector = await createCollector({
      store,
      host: options.host ?? '127.0.0.1',
      port: options.port ?? 0,
      summaryMaxAgeMs: options.summaryMaxAgeMs ?? 0,
      ...(options.clock ? { clock: options.clock } : {}),
      ...(options.logger ? { logger: options.logger } : {}),
      ...(options.trustProxy ? { trustProxy: options.trustProxy } : {}),
      // No least time between commits here: under an injected clock that stands still, the next
      // commit would wait for a clock nobody moves.
      limits: { minCommitIntervalMs: 0, ...options.limits },
      ...(options.purgeIntervalMs !== undefined ? { purgeIntervalMs: options.purgeIntervalMs } : {}),
      ...(options.heartbeatMs !== undefined ? { heartbeatMs: options.heartbeatMs } : {}),
      ...(options.processName !== undefined ? { processName: options.processName } : {}),
      ...(options.countAdmissions !== undefined ? { countAdmissions: options.countAdmissions } : {}),
      ...(options.oddValues !== undefined ? { oddValues: options.oddValues } : {}),
    });
  } catch (error) {
    await store.close().catch(() => {});
    if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    throw error;
  }
  return {
    url: collector.url,
    dataDir: options.databaseUrl !== undefined ? undefined : dataDir,
    collector,
    async close() {
      await collector.close();
      if (tempDir) rmSync(tempDir, { recursive: true, force: true });
    },
  };
}
