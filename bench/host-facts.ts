// Host facts: Candor's readers vs bare Node built-ins vs systeminformation, in one
// run on this machine. `npx tsx bench/host-facts.ts` prints the table.
import cp from 'node:child_process';
import { existsSync } from 'node:fs';
import fsp from 'node:fs/promises';
import os from 'node:os';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import { pathToFileURL } from 'node:url';
import { filesystemType, readHostFacts, readMemory } from '../electron/core/sources/host';

export type BenchResult = {
  name: string;
  medianMs: number;
  p95Ms: number;
  runs: number;
  spawnedChildren?: number;
  /** Longest event-loop delay seen during the runs (includes the 1 ms sampling interval). */
  maxStallMs?: number;
  note?: string;
};

const WARM_RUNS = 50;
const TICK_RUNS = 200;
const SI_RUNS = 10;

/** Four distinct existing folders, preferring ones on different filesystems. */
function benchFolders(): string[] {
  const candidates = [os.tmpdir(), process.cwd(), os.homedir(), '/dev/shm', '/proc', '/'];
  return [...new Set(candidates.filter((folder) => existsSync(folder)))].slice(0, 4);
}

// Counts processes started through child_process. systeminformation captures
// `require('child_process').exec` when it loads, so this must be installed before
// it is imported. exec() calls execFile() internally; the depth guard counts that once.
const spawns = { count: 0, depth: 0, installed: false };
function installSpawnCounter(): void {
  if (spawns.installed) return;
  spawns.installed = true;
  const target = cp as unknown as Record<string, (...args: unknown[]) => unknown>;
  for (const name of ['spawn', 'spawnSync', 'exec', 'execSync', 'execFile', 'execFileSync', 'fork']) {
    const original = target[name];
    if (!original) continue;
    target[name] = function counted(this: unknown, ...args: unknown[]) {
      if (spawns.depth === 0) spawns.count++;
      spawns.depth++;
      try {
        return original.apply(this, args);
      } finally {
        spawns.depth--;
      }
    };
  }
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

async function measure(name: string, runs: number, work: () => Promise<unknown>, note?: string): Promise<BenchResult> {
  const delay = monitorEventLoopDelay({ resolution: 1 });
  delay.enable();
  await sleep(3); // the first interval after enable() is not recorded; let it pass
  const times: number[] = [];
  const spawnCounts: number[] = [];
  for (let i = 0; i < runs; i++) {
    const before = spawns.count;
    const started = performance.now();
    await work();
    times.push(performance.now() - started);
    spawnCounts.push(spawns.count - before);
  }
  await sleep(2); // let the sampler record a stall that ended the last run
  delay.disable();
  times.sort((a, b) => a - b);
  spawnCounts.sort((a, b) => a - b);
  return {
    name,
    medianMs: round(percentile(times, 50)),
    p95Ms: round(percentile(times, 95)),
    runs,
    spawnedChildren: spawnCounts[Math.floor(spawnCounts.length / 2)] ?? 0,
    maxStallMs: round(delay.count > 0 ? delay.max / 1e6 : 0),
    ...(note ? { note } : {}),
  };
}

const round = (ms: number) => Math.round(ms * 1000) / 1000;

/** The same facts with nothing but built-ins: what any implementation has to pay. */
async function builtInsReport(folders: string[]): Promise<unknown> {
  const [release, ...fsTypes] = await Promise.all([
    fsp.readFile('/etc/os-release', 'utf8').catch(() => ''),
    ...folders.map((folder) => fsp.statfs(folder).then((s) => s.type)),
  ]);
  return [release.length, os.platform(), os.arch(), os.availableParallelism(), os.totalmem(), os.freemem(), fsTypes];
}

async function candorReport(folders: string[]): Promise<unknown> {
  return Promise.all([readHostFacts(), ...folders.map((folder) => filesystemType(folder))]);
}

export async function benchHostFacts(): Promise<BenchResult[]> {
  installSpawnCounter();
  const folders = benchFolders();
  const results: BenchResult[] = [];
  const foldersNote = `folders: ${folders.length}`;

  // Candor's cold run goes first so it, not the baseline, pays for a cold page cache.
  results.push(await measure('report/candor (cold)', 1, () => candorReport(folders), 'first call in this process'));
  results.push(await measure('report/baseline built-ins (cold)', 1, () => builtInsReport(folders)));
  results.push(await measure('report/baseline built-ins (warm)', WARM_RUNS, () => builtInsReport(folders), foldersNote));
  results.push(await measure('report/candor (warm)', WARM_RUNS, () => candorReport(folders), foldersNote));

  results.push(await measure('tick/baseline readFile /proc/meminfo (warm)', TICK_RUNS, () => meminfoBaseline()));
  results.push(await measure('tick/candor readMemory (warm)', TICK_RUNS, () => readMemory()));

  const importStarted = performance.now();
  const si = (await import('systeminformation')).default;
  const importMs = round(performance.now() - importStarted);
  // osInfo's result holds the host name and machine-id; it is measured and dropped, never kept.
  const siReport = () => Promise.all([si.osInfo(), si.cpu(), si.mem(), si.fsSize()]);
  results.push(await measure('report/systeminformation (cold)', 1, siReport, `import took ${importMs} ms, not included`));
  results.push(await measure('report/systeminformation (warm)', SI_RUNS, siReport, 'osInfo+cpu+mem+fsSize'));
  results.push(await measure('tick/systeminformation mem (warm)', TICK_RUNS, () => si.mem()));
  return results;
}

function meminfoBaseline(): Promise<unknown> {
  return process.platform === 'linux'
    ? fsp.readFile('/proc/meminfo', 'utf8')
    : Promise.resolve([os.totalmem(), os.freemem()]);
}

/** The baseline row for `row`: same group (report/tick) and same temperature. */
function baselineFor(row: BenchResult, rows: BenchResult[]): BenchResult | undefined {
  const group = row.name.split('/')[0];
  const temperature = row.name.endsWith('(cold)') ? '(cold)' : '(warm)';
  return rows.find((r) => r.name.startsWith(`${group}/baseline`) && r.name.endsWith(temperature));
}

export function formatBenchTable(rows: BenchResult[]): string {
  const header = ['name', 'median ms', 'p95 ms', 'x baseline', 'runs', 'children', 'max stall ms', 'note'];
  const lines = rows.map((row) => {
    const base = baselineFor(row, rows);
    const ratio = base && base.medianMs > 0 ? `${(row.medianMs / base.medianMs).toFixed(1)}x` : '-';
    return [
      row.name,
      row.medianMs.toFixed(3),
      row.p95Ms.toFixed(3),
      ratio,
      String(row.runs),
      String(row.spawnedChildren ?? '-'),
      row.maxStallMs?.toFixed(1) ?? '-',
      row.note ?? '',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => (l[i] ?? '').length)));
  const render = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i] ?? 0)).join('  ').trimEnd();
  return [render(header), render(widths.map((w) => '-'.repeat(w))), ...lines.map(render)].join('\n');
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const rows = await benchHostFacts();
  console.log(`Node ${process.version}, ${os.platform()}/${os.arch()}, ${os.availableParallelism()} CPUs`);
  console.log(formatBenchTable(rows));
  console.log('max stall = longest event-loop delay sampled every 1 ms; about 1-4 ms is the idle floor.');
}
