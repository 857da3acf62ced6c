import { existsSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Agent, type AgentDeps } from '../../core/agent';
import type { HttpClient } from '../../core/net/http-client';
import { silentLogger } from '../../core/platform';
import type { CandorConfig } from '../../core/settings/candor-config';
import { fixedConfig, type ConfigSource } from '../../core/settings/config-source';
import { FakeClock } from './fake-clock';
import { fakeSources } from './fake-sources';
import { seededRandom } from './random';

export { seededRandom };

export function tempHome(prefix = 'candor-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

/**
 * A data folder in memory (tmpfs) where the machine has one: for tests that simulate weeks of
 * schedule, where thousands of fsyncs on a disk would cost minutes and prove nothing more.
 */
export function memoryHome(prefix = 'candor-sim-'): string {
  return existsSync('/dev/shm') ? mkdtempSync(path.join('/dev/shm', prefix)) : tempHome(prefix);
}

/** A config that never changes (tests of a config file being edited use `CandorConfigFile`). */
export function configWith(partial: Partial<CandorConfig> = {}): ConfigSource {
  return fixedConfig({
    path: null,
    unreadable: false,
    server: { url: 'http://127.0.0.1:4533', username: 'admin', password: 'secret-pw' },
    endpoint: 'http://127.0.0.1:9/collect',
    problems: [],
    ...partial,
  });
}

export async function makeAgent(overrides: Partial<AgentDeps> & { http: HttpClient }): Promise<{ agent: Agent; clock: FakeClock; home: string }> {
  const clock = (overrides.clock as FakeClock | undefined) ?? new FakeClock();
  const home = overrides.home ?? tempHome();
  const agent = await Agent.create({
    home,
    shell: 'headless',
    env: {},
    config: configWith(),
    clock,
    random: seededRandom(1),
    logger: silentLogger,
    sources: fakeSources(),
    // One agent in one process has no other process to hear: no folder watching (tests of that set
    // it on), and a fake clock driven through weeks must not stop every second to stat the folder.
    pollMs: { folder: Infinity, lease: 60_000 },
    watchFiles: false,
    ...overrides,
  });
  return { agent, clock, home };
}
