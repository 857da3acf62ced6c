/**
 * What the per-instance count at admission costs (collector/admission.ts), two ways, in one run:
 * - end to end: the real collector with and without the count (CollectorOptions.countAdmissions),
 *   in alternating closed-loop rounds on the same machine, fresh instance ids and addresses as in
 *   bench/collector.ts; the ratio of the medians is the cost in throughput;
 * - the step alone: ns per admission (ready + take) against a day's map of instance ids, as a
 *   share of the time one report takes through the pipeline.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
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
  /** Median reports/s with the count / without it. */
  throughputRatio: number;
  nsPerAdmission: number;
  /** ns per admission / ns per report without the count. */
  stepShare: number;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

async function measureStep(n: number): Promise<number> {
  const now = Date.now();
  const admissions = new InstanceAdmissions({ writesOfDay: async () => [], findReport: async () => null }, { now: () => now }, 10);
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

export async function benchAdmission(options: { rounds?: number; roundSeconds?: number; connections?: number } = {}, log: (line: string) => void = (l) => process.stdout.write(l + '\n')): Promise<AdmissionCost> {
  const rounds = options.rounds ?? 3;
  const roundSeconds = options.roundSeconds ?? 3;
  const connections = options.connections ?? 50;
  const pinned = canPin();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-admission-'));
  const template = reportTemplate();
  try {
    const start = (count: boolean) =>
      startServer([`--import=tsx`, path.join(root, 'bench/collector-server.ts')], { BENCH_DIR: path.join(dir, count ? 'with' : 'without'), BENCH_COUNT_ADMISSIONS: count ? 'on' : 'off' }, pinned);
    const servers = { with: await start(true), without: await start(false) };
    const withCount: number[] = [];
    const withoutCount: number[] = [];
    try {
      const run = async (port: number) => {
        const conns = Array.from({ length: connections }, () => new Connection(port));
        await Promise.all(conns.map((c) => c.ready()));
        const result = await closedLoop(conns, template, roundSeconds * 1000);
        for (const c of conns) c.socket.destroy();
        if (result.errors > 0) throw new Error(`${result.errors} requests failed`);
        return result.ok / roundSeconds;
      };
      await run(servers.with.port);
      await run(servers.without.port);
      // Alternating rounds: drift of the machine (other jobs, the disk) hits both sides alike.
      for (let i = 0; i < rounds; i++) {
        withCount.push(Math.round(await run(servers.with.port)));
        withoutCount.push(Math.round(await run(servers.without.port)));
      }
    } finally {
      await stopServer(servers.with.child);
      await stopServer(servers.without.child);
    }
    const throughputRatio = round(median(withCount) / median(withoutCount), 3);
    const nsPerAdmission = round(await measureStep(300_000), 1);
    const stepShare = round(nsPerAdmission / (1e9 / median(withoutCount)), 5);
    log(`admission count, ${rounds} alternating ${roundSeconds} s rounds of ${connections} connections (${pinned ? 'server on CPU 0, load on CPU 1' : 'NOT pinned'}):`);
    log(`  with the count    ${withCount.join(' / ')} reports/s (median ${median(withCount)})`);
    log(`  without the count ${withoutCount.join(' / ')} reports/s (median ${median(withoutCount)})`);
    log(`  throughput ratio with/without: ${throughputRatio} (cost ${round((1 - throughputRatio) * 100, 1)}%; budget ${ADMISSION_BUDGET * 100}%; rounds differ by their own noise)`);
    log(`  the step alone: ${nsPerAdmission} ns per admission = ${round(stepShare * 100, 3)}% of a report's ${round(1e6 / median(withoutCount), 1)} µs: ${stepShare < ADMISSION_BUDGET ? 'within' : 'OVER'} the ${ADMISSION_BUDGET * 100}% budget`);
    return { rounds, roundSeconds, withCount, withoutCount, throughputRatio, nsPerAdmission, stepShare };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
