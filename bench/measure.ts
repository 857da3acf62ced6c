// Shared measuring tools for every benchmark: timings, spawned processes, event-loop stalls,
// and a table with ratios against a baseline measured in the same run.
import cp from 'node:child_process';
import { monitorEventLoopDelay } from 'node:perf_hooks';

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

// Counts processes started through child_process. systeminformation captures
// `require('child_process').exec` when it loads, so this must be installed before
// it is imported. exec() calls execFile() internally; the depth guard counts that once.
const spawns = { count: 0, depth: 0, installed: false };
export function installSpawnCounter(): void {
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

export const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/** The middle value (the upper of the two middle ones for an even count). */
export const median = (values: number[]): number => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

export function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
}

export async function measure(name: string, runs: number, work: () => Promise<unknown>, note?: string): Promise<BenchResult> {
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
    // Real uses are seconds apart: yield between runs (untimed), so work that never waits on I/O is
    // not counted as one stall with the runs after it.
    await new Promise((resolve) => setImmediate(resolve));
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

export const round = (ms: number) => Math.round(ms * 1000) / 1000;

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
  const render = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  return [render(header), render(widths.map((w) => '-'.repeat(w))), ...lines.map(render)].join('\n');
}
