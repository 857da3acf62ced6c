/**
 * What the per-instance count at admission costs (collector/admission.ts), two ways, in one run:
 * - end to end: the real collector with and without the count (CollectorOptions.countAdmissions),
 *   in alternating closed-loop rounds on the same machine, fresh instance ids and addresses as in
 *   bench/collector.ts; the ratio of the median server CPU time per report is the cost in
 *   throughput on a dedicated core (wall-clock reports/s are printed too);
 * - the step alone: ns per admission (ready + take) against a day's map of instance ids, as a
 *   share of the time one report takes through the pipeline.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { InstanceAdmissions } from '../collector/admission';
import { utcDay } from '../collector/retention';
import { round } from './ingest/load';
import { reportTemplate } from './ingest/report';
import { alternatingRounds, logRounds, pinningNote, roundDefaults, type RoundOptions } from './collector-rounds';

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

async function measureStep(n: number): Promise<number> {
  const now = Date.now();
  const admissions = new InstanceAdmissions({ writesOfDay: () => Promise.resolve([]), findReport: () => Promise.resolve(null) }, { now: () => now }, 10);
  const day = utcDay(now);
  await admissions.ready({ day, instanceId: 'warm', deletionKeyHash: null });
  // Each with a deletion key, as Candor's reports carry one: the longer count key is the worst case.
  const slots = Array.from({ length: n }, () => ({ day, instanceId: randomUUID(), deletionKeyHash: randomBytes(32).toString('hex') }));
  const started = process.hrtime.bigint();
  let admitted = 0;
  for (const slot of slots) if (admissions.ready(slot) === null && admissions.take(slot)) admitted++;
  const ns = Number(process.hrtime.bigint() - started) / n;
  if (admitted !== n) throw new Error('every fresh instance should have been admitted');
  return ns;
}

export async function benchAdmission(options: RoundOptions = {}, log: (line: string) => void = (l) => process.stdout.write(l + '\n')): Promise<AdmissionCost> {
  const { rounds, roundSeconds, connections } = roundDefaults(options);
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-admission-'));
  try {
    const compared = await alternatingRounds(
      { with: { BENCH_COUNT_ADMISSIONS: 'on' }, without: { BENCH_COUNT_ADMISSIONS: 'off' } },
      { dir, template: reportTemplate(), rounds, roundSeconds, connections },
    );
    const withoutCpu = compared.cpuMicrosPerReport.without;
    const nsPerAdmission = round(await measureStep(300_000), 1);
    const stepShare = round(nsPerAdmission / (withoutCpu * 1000), 5);
    log(`admission count, ${rounds} alternating ${roundSeconds} s rounds of ${connections} connections, a fresh server each (${pinningNote()}):`);
    logRounds(compared, { with: 'with the count', without: 'without the count' }, log);
    log(
      `  the step alone: ${nsPerAdmission} ns per admission = ${round(stepShare * 100, 3)}% of a report's ${withoutCpu} µs: ${stepShare < ADMISSION_BUDGET ? 'within' : 'OVER'} the ${ADMISSION_BUDGET * 100}% budget`,
    );
    const withCount = compared.withStep.map((r) => r.perSecond);
    const withoutCount = compared.withoutStep.map((r) => r.perSecond);
    return {
      rounds,
      roundSeconds,
      withCount,
      withoutCount,
      throughputRatio: compared.throughputRatio,
      cpuRatio: compared.cpuRatio,
      cpuMicrosPerReport: compared.cpuMicrosPerReport,
      nsPerAdmission,
      stepShare,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
