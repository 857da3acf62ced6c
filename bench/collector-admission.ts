/**
 * What the per-instance count at admission costs (collector/admission.ts), two ways, in one run:
 * - end to end: the real collector with and without the count (CollectorOptions.countAdmissions),
 *   in alternating closed-loop rounds on the same machine, fresh instance ids and addresses as in
 *   bench/collector.ts; the ratio of the median server CPU time per report is the cost in
 *   throughput on a dedicated core (wall-clock reports/s are printed too);
 * - the step alone: ns per admission (ready + take) against a day's map of instance ids, as a
 *   share of the time one report takes through the pipeline.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { InstanceAdmissions } from '../collector/admission';
import { utcDay } from '../collector/retention';
import { canPin, closedLoop, Connection, reportTemplate, round, startServer, stopServer } from './collector';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
/** The count must cost less than this share of throughput. */
export const ADMISSION_BUDGET = 0.05;

export interface AdmissionCost {
  rounds: number;
  roundSeconds: number;
  withCount: number[];
  withoutCount: number[];
  /** Median reports/s with the count / without it (wall clock: swings with the machine's other load). */
  throughputRatio: number;
  /** Median server CPU µs per report without the count / with it: the throughput ratio on a core of its own. */
  cpuRatio: number;
  cpuMicrosPerReport: { with: number; without: number };
  nsPerAdmission: number;
  /** ns per admission / ns per report without the count. */
  stepShare: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

interface Round {
  perSecond: number;
  cpuMicrosPerReport: number;
}

/** User + system CPU seconds a process has used so far (Linux /proc; its clock ticks are 1/100 s). */
function cpuSeconds(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return (Number(fields[11]) + Number(fields[12])) / 100;
}

async function measureStep(n: number): Promise<number> {
  const now = Date.now();
  const admissions = new InstanceAdmissions({ writesOfDay: () => Promise.resolve([]), findReport: () => Promise.resolve(null) }, { now: () => now }, 10);
  const day = utcDay(now);
  await admissions.ready(day, 'warm');
  const ids = Array.from({ length: n }, () => randomUUID());
  const started = process.hrtime.bigint();
  let admitted = 0;
  for (const id of ids) if (admissions.ready(day, id) === null && admissions.take(id, day)) admitted++;
  const ns = Number(process.hrtime.bigint() - started) / n;
  if (admitted !== n) throw new Error('every fresh instance should have been admitted');
  return ns;
}

export async function benchAdmission(
  options: { rounds?: number; roundSeconds?: number; connections?: number } = {},
  log: (line: string) => void = (l) => process.stdout.write(l + '\n'),
): Promise<AdmissionCost> {
  const rounds = options.rounds ?? 5;
  const roundSeconds = options.roundSeconds ?? 3;
  const connections = options.connections ?? 50;
  const pinned = canPin();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-admission-'));
  const template = reportTemplate();
  try {
    const run = async (count: boolean, index: number) => {
      // A fresh server and store per round, alone on its core: no round inherits another's rows,
      // summaries or leftover work.
      const server = await startServer(
        [`--import=tsx`, path.join(root, 'bench/collector-server.ts')],
        { BENCH_DIR: path.join(dir, `${count ? 'with' : 'without'}-${index}`), BENCH_COUNT_ADMISSIONS: count ? 'on' : 'off' },
        pinned,
      );
      try {
        const conns = Array.from({ length: connections }, () => new Connection(server.port));
        await Promise.all(conns.map((c) => c.ready()));
        await closedLoop(conns, template, 1_000);
        const cpuBefore = cpuSeconds(server.child.pid!);
        const result = await closedLoop(conns, template, roundSeconds * 1000);
        const cpu = cpuSeconds(server.child.pid!) - cpuBefore;
        for (const c of conns) c.socket.destroy();
        if (result.errors > 0) throw new Error(`${result.errors} requests failed`);
        return { perSecond: Math.round(result.ok / roundSeconds), cpuMicrosPerReport: round((cpu * 1e6) / result.ok, 1) };
      } finally {
        await stopServer(server.child);
      }
    };
    const withRuns: Round[] = [];
    const withoutRuns: Round[] = [];
    // Alternating rounds, each side first in turn: drift of the machine hits both sides alike.
    for (let i = 0; i < rounds; i++) {
      if (i % 2 === 0) {
        withRuns.push(await run(true, i));
        withoutRuns.push(await run(false, i));
      } else {
        withoutRuns.push(await run(false, i));
        withRuns.push(await run(true, i));
      }
    }
    const withCount = withRuns.map((r) => r.perSecond);
    const withoutCount = withoutRuns.map((r) => r.perSecond);
    const withCpu = median(withRuns.map((r) => r.cpuMicrosPerReport));
    const withoutCpu = median(withoutRuns.map((r) => r.cpuMicrosPerReport));
    // On a shared machine wall-clock throughput swings with the neighbours; the server's own CPU
    // time per report does much less. Its ratio is the throughput ratio on a core of its own.
    const cpuRatio = round(withoutCpu / withCpu, 3);
    const throughputRatio = round(median(withCount) / median(withoutCount), 3);
    const nsPerAdmission = round(await measureStep(300_000), 1);
    const stepShare = round(nsPerAdmission / (withoutCpu * 1000), 5);
    log(
      `admission count, ${rounds} alternating ${roundSeconds} s rounds of ${connections} connections, a fresh server each (${pinned ? 'server on CPU 0, load on CPU 1' : 'NOT pinned'}):`,
    );
    log(`  with the count    ${withCount.join(' / ')} reports/s (median ${median(withCount)}), ${withCpu} µs of server CPU per report (median)`);
    log(`  without the count ${withoutCount.join(' / ')} reports/s (median ${median(withoutCount)}), ${withoutCpu} µs of server CPU per report (median)`);
    const spread = (runs: Round[]) =>
      round(
        ((Math.max(...runs.map((r) => r.cpuMicrosPerReport)) - Math.min(...runs.map((r) => r.cpuMicrosPerReport))) /
          2 /
          median(runs.map((r) => r.cpuMicrosPerReport))) *
          100,
        1,
      );
    log(
      `  end to end, by server CPU per report: ratio ${cpuRatio} (cost ${round((1 - cpuRatio) * 100, 1)}%; the rounds of one side alone spread ±${Math.max(spread(withRuns), spread(withoutRuns))}% on this machine)`,
    );
    log(`  end to end, by wall-clock reports/s: ratio ${throughputRatio} (moves with whatever else runs on the machine)`);
    log(
      `  the step alone: ${nsPerAdmission} ns per admission = ${round(stepShare * 100, 3)}% of a report's ${withoutCpu} µs: ${stepShare < ADMISSION_BUDGET ? 'within' : 'OVER'} the ${ADMISSION_BUDGET * 100}% budget`,
    );
    return {
      rounds,
      roundSeconds,
      withCount,
      withoutCount,
      throughputRatio,
      cpuRatio,
      cpuMicrosPerReport: { with: withCpu, without: withoutCpu },
      nsPerAdmission,
      stepShare,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
