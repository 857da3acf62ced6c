// The preview path: first full collection against a local Navidrome-compatible server, and the warm
// refresh the live preview does every few seconds. Baselines are measured in the same run.
// `npx tsx bench/preview.ts` prints the table.
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { pathToFileURL } from 'node:url';
import { createAxiosHttpClient } from '../core/net/axios-http-client';
import { ReportBuilder } from '../core/report/builder';
import { defaultSources } from '../core/sources/source-set';
import { spawn } from 'node:child_process';
import path from 'node:path';
import { formatBenchTable, installSpawnCounter, measure, type BenchResult } from './measure';
import { benchConfigFile, benchStateStore } from './state';

const WARM_RUNS = 500;
const COLD_RUNS = 15;
const ID = '0b8a3d2e-4c1f-4a5b-9e7d-1234567890ab';

export async function benchPreview(): Promise<BenchResult[]> {
  // Navidrome allows 5 sign-ins per 20 s per address: every cold run gets a server of its own. They
  // run in another process so the stalls measured here are the client's alone.
  const { urls, stop } = await serverProcess(2 * COLD_RUNS + 1);
  installSpawnCounter();
  let next = 0;
  const fresh = () => urls[next++]!;
  const login = { username: 'canary-admin-alice', password: 'alice-canary-pass' };
  const connection = { url: urls[urls.length - 1]!, ...login };
  const http = createAxiosHttpClient();
  const rows: BenchResult[] = [];
  try {
    // Candor first, so it (not the baseline) pays for cold caches.
    rows.push(
      await measure(
        'collect/candor first full collection (cold)',
        COLD_RUNS,
        async () => {
          const builder = new ReportBuilder(defaultSources(http), Date.now, '0.1.0');
          await builder.refresh({ connection: { url: fresh(), ...login }, configFile: null });
          const built = await builder.build(ID);
          if (built.health[0]?.state !== 'ok') throw new Error(`collection failed: ${built.health[0]?.message}`);
        },
        'new builder each run: login, counts, users, players, suffixes, config, events, host',
      ),
    );
    const replay = await candorRequests(urls[urls.length - 1]!, login);
    const perRun = replay.length;
    rows.push(
      await measure(
        'collect/baseline fetch of the same requests (cold)',
        COLD_RUNS,
        async () => {
          const target = fresh();
          const signIn = await fetch(`${target}/auth/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(login) });
          const { token } = (await signIn.json()) as { token: string };
          await Promise.all(
            replay.map(async (r) => {
              const controller = new AbortController();
              const res = await fetch(`${target}${r.path}`, { headers: { 'x-nd-authorization': `Bearer ${token}` }, signal: controller.signal });
              // The event stream never ends: read its first chunk, as Candor does, then stop.
              if (r.path === '/api/events') {
                await res.body?.getReader().read();
                controller.abort();
              } else await res.arrayBuffer();
            }),
          );
        },
        `${perRun} requests replayed with fetch in parallel`,
      ),
    );

    const builder = new ReportBuilder(defaultSources(http), Date.now, '0.1.0');
    await builder.refresh({ connection, configFile: null });
    await builder.build(ID);
    // The live preview never talks to the server: stop them so nothing else runs during the warm rows.
    await stop();
    // Let the sockets of the stopped servers close and the heap settle before timing the hot path.
    await new Promise((resolve) => setTimeout(resolve, 500));
    (globalThis as { gc?: () => void }).gc?.();
    rows.push(
      await measure(
        'refresh/candor preview rebuild (warm)',
        WARM_RUNS,
        () => builder.build(ID),
        'memory + uptime re-read, validate, encode, sha256, privacy guard',
      ),
    );
    // What the agent really does per refresh: the state and the config file are re-checked on disk
    // first (the id, the level or the sharing decision may have changed in another process or by hand).
    const { store, dir } = await benchStateStore();
    const config = benchConfigFile(dir);
    rows.push(
      await measure(
        'refresh/candor preview rebuild + state re-check (warm)',
        WARM_RUNS,
        () => builder.build(store.read().instanceId ?? null),
        'the first row plus the stat that proves the id on disk is unchanged',
      ),
    );
    rows.push(
      await measure(
        'refresh/candor preview rebuild + state and config re-check (warm)',
        WARM_RUNS,
        () => {
          config.current();
          return builder.build(store.read().instanceId ?? null);
        },
        'the row above plus the stat that proves the config file is unchanged: what a live preview tick does',
      ),
    );
    const sample = (await builder.build(ID)).report.text;
    rows.push(
      await measure(
        'refresh/baseline meminfo + stringify + sha256 (warm)',
        WARM_RUNS,
        async () => {
          const mem = process.platform === 'linux' ? await readFile('/proc/meminfo', 'utf8') : String(os.freemem());
          const text = JSON.stringify({ ...JSON.parse(sample), mem: mem.length });
          createHash('sha256').update(text).digest('hex');
        },
        'the least any refresh must do',
      ),
    );
    // Candor reads /proc/meminfo synchronously (procfs cannot block; see sources/host/memory.ts):
    // the same floor read that way shows what is left of Candor's own work.
    rows.push(
      await measure(
        'refresh/floor sync meminfo + stringify + sha256 (warm)',
        WARM_RUNS,
        () => {
          const mem = process.platform === 'linux' ? readFileSync('/proc/meminfo', 'utf8') : String(os.freemem());
          const text = JSON.stringify({ ...JSON.parse(sample), mem: mem.length });
          createHash('sha256').update(text).digest('hex');
          return Promise.resolve();
        },
        'the baseline with the synchronous read Candor uses',
      ),
    );
  } finally {
    await stop();
  }
  return rows;
}

/** N Navidrome-compatible test servers in another process; `stop` ends them. */
export async function serverProcess(count: number): Promise<{ urls: string[]; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(import.meta.dirname, 'fixtures/navidrome-servers.ts'), String(count)], {
    stdio: ['pipe', 'pipe', 'inherit'],
  });
  let text = '';
  const urls = await new Promise<string[]>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      const lines = text.split('\n').filter(Boolean);
      if (lines.length >= count) resolve(lines);
    });
    child.once('exit', () => reject(new Error('test servers exited')));
  });
  let stopped = false;
  return {
    urls,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      child.stdin.end();
      await new Promise((resolve) => child.once('exit', resolve));
    },
  };
}

/** The requests one Candor collection makes, recorded by wrapping its HTTP client (paths with query). */
export async function candorRequests(url: string, login: { username: string; password: string }): Promise<Array<{ path: string }>> {
  const real = createAxiosHttpClient();
  const seen: Array<{ path: string }> = [];
  const recording = {
    request: (req: Parameters<typeof real.request>[0]) => {
      const u = new URL(req.url);
      if (req.method === 'GET') seen.push({ path: u.pathname + u.search });
      return real.request(req);
    },
  };
  const builder = new ReportBuilder(defaultSources(recording), Date.now, '0.1.0');
  await builder.refresh({ connection: { url, ...login }, configFile: null });
  return seen;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await benchPreview();
  console.log(`Node ${process.version}, ${os.platform()}/${os.arch()}, ${os.availableParallelism()} CPUs`);
  console.log(formatBenchTable(rows));
}
