/**
 * What reading reports leniently costs (collector/validation.ts: trim and normalize every text,
 * drop an odd value instead of refusing the report, rescue player names through the player table),
 * two ways, in one run:
 * - end to end: the real collector with it and with the schema's strict reading
 *   (CollectorOptions.oddValues 'refuse', benchmark only), alternating rounds of the same
 *   Navidrome-shaped reports (bench/collector-rounds.ts); the budget is reports/s within 10%;
 * - the step alone: µs to validate one parsed report, lenient and strict, and lenient on a report
 *   carrying the odd values real Navidrome servers send (which the strict reading refuses).
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { OddValuePolicy } from '../shared/schema/dsl';
import { validateReport } from '../collector/validation';
import { round } from './ingest/load';
import { reportTemplate } from './ingest/report';
import { alternatingRounds, logRounds, pinningNote, roundDefaults, type RoundOptions, type RoundsComparison } from './collector-rounds';

/** Reports/s with normalization must stay within this share of the strict reading's. */
export const NORMALIZATION_BUDGET = 0.1;

export interface NormalizationCost extends RoundsComparison {
  /** µs to validate one parsed report. */
  stepMicros: { lenient: number; strict: number; lenientOdd: number };
  /** Server CPU per report without the step / with the step's difference added: the reports/s ratio the step alone implies. */
  impliedRatio: number;
  withinBudget: boolean;
}

/** The template's report with the odd values of real servers: a trailing newline, capitals, a player URL, a time zone. */
function oddReport(clean: Record<string, unknown>): Record<string, unknown> {
  const odd = structuredClone(clean) as Record<string, Record<string, unknown>>;
  odd.os!.package = 'msi\n';
  odd.fs!.music = { type: 'NTFS' };
  odd.config!.logLevel = 'DEBUG';
  odd.config!.scanSchedule = 'CRON_TZ=America/New_York 0 3 * * *';
  odd.library!.activePlayers = { 'NavidromeUI [Firefox/Linux]': 1, 'https://airsonic.github.io/': 1, _hiby_: 1 };
  return { ...odd, platform: 'TrueNAS' };
}

/**
 * µs per validation of each report with each policy, measured in interleaved blocks (every side
 * takes its turn in each of 20 blocks) so a neighbour's burst of load falls on all sides alike.
 */
function microsPerValidation(sides: { report: unknown; oddValues: OddValuePolicy }[], n: number): number[] {
  const ns = sides.map(() => 0);
  const block = Math.ceil(n / 20);
  for (const { report, oddValues } of sides) for (let i = 0; i < 2_000; i++) validateReport(report, 16, oddValues);
  for (let b = 0; b < 20; b++) {
    sides.forEach(({ report, oddValues }, s) => {
      const started = process.hrtime.bigint();
      for (let i = 0; i < block; i++) if (!validateReport(report, 16, oddValues).ok) throw new Error(`the ${oddValues} reading refused the report`);
      ns[s]! += Number(process.hrtime.bigint() - started);
    });
  }
  return ns.map((total) => round(total / (block * 20) / 1000, 2));
}

export async function benchNormalization(
  options: RoundOptions = {},
  log: (line: string) => void = (l) => process.stdout.write(l + '\n'),
): Promise<NormalizationCost> {
  // Two more rounds a side than the admission bench: the difference looked for is smaller than this VM's noise.
  const { rounds, roundSeconds, connections } = roundDefaults({ rounds: 7, ...options });
  const template = reportTemplate();
  const clean = JSON.parse(template.before + randomUUID() + template.after) as Record<string, unknown>;
  const [lenient, strict, lenientOdd] = microsPerValidation(
    [
      { report: clean, oddValues: 'drop' },
      { report: clean, oddValues: 'refuse' },
      { report: oddReport(clean), oddValues: 'drop' },
    ],
    100_000,
  );
  const stepMicros = { lenient: lenient!, strict: strict!, lenientOdd: lenientOdd! };
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-normalization-'));
  try {
    const compared = await alternatingRounds(
      { with: { BENCH_ODD_VALUES: 'drop' }, without: { BENCH_ODD_VALUES: 'refuse' } },
      { dir, template, rounds, roundSeconds, connections },
    );
    const withinBudget = compared.throughputRatio >= 1 - NORMALIZATION_BUDGET;
    log(`normalization, ${rounds} alternating ${roundSeconds} s rounds of ${connections} connections, a fresh server each (${pinningNote()}):`);
    logRounds(compared, { with: 'normalizing (odd values dropped)', without: 'strict (odd values refused)' }, log);
    log(`  reports/s normalizing / strict: ${compared.throughputRatio}: ${withinBudget ? 'within' : 'OUTSIDE'} the ${NORMALIZATION_BUDGET * 100}% budget`);
    // Everything else a report goes through is the same code on both sides: the step's difference is the whole difference.
    const impliedRatio = round(compared.cpuMicrosPerReport.without / (compared.cpuMicrosPerReport.without + stepMicros.lenient - stepMicros.strict), 3);
    log(
      `  the step alone: ${stepMicros.lenient} µs to validate a report normalizing, ${stepMicros.strict} µs strictly, of a report's ${compared.cpuMicrosPerReport.without} µs of server CPU: reports/s ratio ${impliedRatio} on a core of its own; ${stepMicros.lenientOdd} µs for a report with real odd values (which the strict reading refuses)`,
    );
    return { ...compared, stepMicros, impliedRatio, withinBudget };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
