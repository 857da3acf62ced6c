/**
 * What one step of the collector costs end to end: the real service (bench/collector-server.ts)
 * with the step and without it, in alternating closed-loop rounds on the same machine, a fresh
 * server and store each, fresh instance ids and addresses as in bench/collector.ts. Compared by
 * median reports/s (wall clock) and by median server CPU time per report (what the ratio would be
 * on a core of its own; it moves much less with the neighbours' load).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { closedLoop, Connection, round } from './ingest/load';
import { canPin, startServer, stopServer } from './ingest/servers';
import { median } from './measure';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

/** How long and how wide a comparison runs: 5 rounds of 3 s a side, 50 connections, unless told. */
export interface RoundOptions {
  rounds?: number;
  roundSeconds?: number;
  connections?: number;
}

export const roundDefaults = (options: RoundOptions) => ({
  rounds: options.rounds ?? 5,
  roundSeconds: options.roundSeconds ?? 3,
  connections: options.connections ?? 50,
});

export interface Round {
  perSecond: number;
  cpuMicrosPerReport: number;
}

export interface RoundsComparison {
  rounds: number;
  roundSeconds: number;
  connections: number;
  withStep: Round[];
  withoutStep: Round[];
  /** Median reports/s with the step / without it (wall clock: swings with the machine's other load). */
  throughputRatio: number;
  /** Median server CPU µs per report without the step / with it: the throughput ratio on a core of its own. */
  cpuRatio: number;
  cpuMicrosPerReport: { with: number; without: number };
  /** Half the range of one side's CPU per report, as a share of its median: the noise of this machine. */
  spreadPercent: number;
}

/** User + system CPU seconds a process has used so far (Linux /proc; its clock ticks are 1/100 s). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

/**
 * Runs `rounds` rounds of each side, alternating which goes first. `env` holds the settings of
 * bench/collector-server.ts for each side.
 */
export async function alternatingRounds(
  env: { with: Record<string, string>; without: Record<string, string> },
  options: { dir: string; template: { before: string; after: string }; rounds: number; roundSeconds: number; connections: number },
): Promise<RoundsComparison> {
  const { dir, template, rounds, roundSeconds, connections } = options;
  const pinned = canPin();
  const run = async (side: 'with' | 'without', index: number): Promise<Round> => {
    // A fresh server and store per round, alone on its core: no round inherits another's rows,
    // summaries or leftover work.
    const server = await startServer(
      [`--import=tsx`, path.join(root, 'bench/collector-server.ts')],
      { BENCH_DIR: path.join(dir, `${side}-${index}`), ...env[side] },
      pinned,
    );
    try {
      const conns = Array.from({ length: connections }, () => new Connection(server.port));
      await Promise.all(conns.map((c) => c.ready()));
      await closedLoop(conns, template, 1_000);
      const cpuBefore = cpuSeconds(server.child.pid!);
      const result = await closedLoop(conns, template, roundSeconds * 1000);
      const cpu = cpuSeconds(server.child.pid!) - cpuBefore;
      for (const c of conns) c.close();
      if (result.errors > 0) throw new Error(`${result.errors} requests failed`);
      return { perSecond: Math.round(result.ok / roundSeconds), cpuMicrosPerReport: round((cpu * 1e6) / result.ok, 1) };
    } finally {
      await stopServer(server.child);
    }
  };
  const withStep: Round[] = [];
  const withoutStep: Round[] = [];
  // Alternating rounds, each side first in turn: drift of the machine hits both sides alike.
  for (let i = 0; i < rounds; i++) {
    if (i % 2 === 0) {
      withStep.push(await run('with', i));
      withoutStep.push(await run('without', i));
    } else {
      withoutStep.push(await run('without', i));
      withStep.push(await run('with', i));
    }
  }
  const withCpu = median(withStep.map((r) => r.cpuMicrosPerReport));
  const withoutCpu = median(withoutStep.map((r) => r.cpuMicrosPerReport));
  const spread = (runs: Round[]) => {
    const cpu = runs.map((r) => r.cpuMicrosPerReport);
    return ((Math.max(...cpu) - Math.min(...cpu)) / 2 / median(cpu)) * 100;
  };
  return {
    rounds,
    roundSeconds,
    connections,
    withStep,
    withoutStep,
    throughputRatio: round(median(withStep.map((r) => r.perSecond)) / median(withoutStep.map((r) => r.perSecond)), 3),
    cpuRatio: round(withoutCpu / withCpu, 3),
    cpuMicrosPerReport: { with: withCpu, without: withoutCpu },
    spreadPercent: round(Math.max(spread(withStep), spread(withoutStep)), 1),
  };
}

/** The lines every comparison prints: both sides' rounds, then both ratios. */
export function logRounds(c: RoundsComparison, names: { with: string; without: string }, log: (line: string) => void): void {
  const width = Math.max(names.with.length, names.without.length);
  const side = (name: string, runs: Round[], cpu: number) => {
    const perSecond = runs.map((r) => r.perSecond);
    log(`  ${name.padEnd(width)} ${perSecond.join(' / ')} reports/s (median ${median(perSecond)}), ${cpu} µs of server CPU per report (median)`);
  };
  side(names.with, c.withStep, c.cpuMicrosPerReport.with);
  side(names.without, c.withoutStep, c.cpuMicrosPerReport.without);
  log(
    `  end to end, by server CPU per report: ratio ${c.cpuRatio} (cost ${round((1 - c.cpuRatio) * 100, 1)}%; the rounds of one side alone spread ±${c.spreadPercent}% on this machine)`,
  );
  log(`  end to end, by wall-clock reports/s: ratio ${c.throughputRatio} (moves with whatever else runs on the machine)`);
}

export const pinningNote = (): string => (canPin() ? 'server on CPU 0, load on CPU 1' : 'NOT pinned');
