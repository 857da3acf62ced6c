import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Agent, type AgentDeps } from '../../electron/core/agent';
import type { HttpClient } from '../../electron/core/http';
import { silentLogger, type Random } from '../../electron/core/platform';
import type { CandorConfig } from '../../electron/core/settings/candor-config';
import { FakeClock } from './fake-clock';
import { fakeSources } from './fake-sources';

/** Deterministic randomness (mulberry32) so a failing simulation can be replayed from its seed. */
export function seededRandom(seed: number): Random {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  return {
    next,
    uuid: () => {
      const hex = Array.from({ length: 32 }, () => Math.floor(next() * 16).toString(16)).join('');
      return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
    },
  };
}

export function tempHome(prefix = 'candor-test-'): string {
  return mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function configWith(partial: Partial<CandorConfig> = {}): CandorConfig {
  return {
    path: null,
    unreadable: false,
    server: { url: 'http://127.0.0.1:4533', username: 'admin', password: 'secret-pw' },
    endpoint: 'http://127.0.0.1:9/collect',
    problems: [],
    ...partial,
  };
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
    ...overrides,
  });
  return { agent, clock, home };
}
