/**
 * `npm run bench:collector`: how many valid reports per second the real collector stores durably
 * on one core, and its p99 latency at a fixed rate, next to a minimal baseline measured in the same
 * run (plain node:http + JSON.parse + one SQLite insert per request, as simple receivers do).
 *
 * Servers run as child processes pinned to CPU 0 (taskset); the load generator runs here, pinned to
 * CPU 1, over 50 keep-alive loopback connections. Loopback only, bounded in time (~45 s in all).
 *
 * Two durabilities are measured for both sides, because this kind of VM's fsync latency swings
 * from 1 to 30 ms: "normal" (a 2xx survives the process being killed; the collector's default)
 * and "fsync" (a 2xx survives a power cut: one fsync per report for the baseline, per batch for us).
 *
 * The collector's summaries run as they do in production: after each run the bench waits until
 * they hold every stored report. The targets it checks: reports/s at least 0.8x the baseline's,
 * and at the fixed 2,000/s a p99 under 20 ms and a max under 100 ms, summaries following.
 */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { summariesFollow, todayInstances } from './collector-reads';
import { closedLoop, Connection, fixedRateRun, round } from './ingest/load';
import { reportTemplate } from './ingest/report';
import { BASELINE_SERVER, canPin, startServer, stopServer } from './ingest/servers';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');

export interface RunFigures {
  /** Stored reports per second, closed loop, all connections busy. */
  reportsPerSecond: number;
  /** Latency at the fixed rate, measured from each request's scheduled time (no coordinated omission). */
  fixedRate: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
  /** Non-2xx answers or socket errors during both phases. */
  errors: number;
  /** Rows found in the database afterwards / 2xx answers: 1 means nothing acknowledged was lost. */
  rowsPerAck: number;
  /** The collector's summaries: ms after the last answer until they held every stored report (null: not within a minute). */
  summaryFollowMs?: number | null;
  /** Whether today's published summary then counted every row stored today. */
  summaryComplete?: boolean;
}

export interface CollectorBench {
  machine: { cpus: number; model: string; node: string; pinned: boolean };
  reportBytes: number;
  connections: number;
  measureSeconds: number;
  /** node:http + JSON.parse + one insert per request, WAL with synchronous=NORMAL (not fsync'd per report). */
  baseline: RunFigures;
  /** The same baseline with synchronous=FULL: the durability the collector gives, one fsync per report. */
  baselineDurable: RunFigures;
  /** The real CLI, defaults (WAL, synchronous=NORMAL, batched). */
  collector: RunFigures;
  /** The real CLI with --durability full: each batch fsync'd before its reports are answered. */
  collectorDurable: RunFigures;
  targets: { ratio: number; p99Ms: number; maxMs: number };
}

interface Options {
  measureSeconds?: number;
  fixedRate?: number;
  connections?: number;
}

/** Reports/s against the same-run baseline, and the latency at the fixed rate while summaries follow. */
const TARGET_RATIO = 0.8;
const TARGET_P99_MS = 20;
const TARGET_MAX_MS = 100;

async function measure(
  name: string,
  port: number,
  countRows: () => number,
  options: Required<Options>,
  log: (line: string) => void,
  withLatency = true,
): Promise<RunFigures> {
  const template = reportTemplate();
  const conns = Array.from({ length: options.connections }, () => new Connection(port));
  await Promise.all(conns.map((c) => c.ready()));
  const warm = await closedLoop(conns, template, 1_000);
  const run = await closedLoop(conns, template, options.measureSeconds * 1000);
  // A server far below the fixed rate would only measure its own backlog, for minutes: skip it there.
  const rate = withLatency
    ? await fixedRateRun(conns, template, options.fixedRate, options.measureSeconds * 1000)
    : { ok: 0, errors: 0, p50: NaN, p99: NaN, max: NaN };
  for (const c of conns) c.socket.destroy();
  const acked = warm.ok + run.ok + rate.ok;
  const figures: RunFigures = {
    reportsPerSecond: Math.round(run.ok / options.measureSeconds),
    fixedRate: options.fixedRate,
    p50Ms: round(rate.p50),
    p99Ms: round(rate.p99),
    maxMs: round(rate.max),
    errors: warm.errors + run.errors + rate.errors,
    rowsPerAck: 0,
  };
  const rows = countRows();
  figures.rowsPerAck = acked === 0 ? 0 : round(rows / acked, 4);
  const latency = withLatency
    ? `p50 ${figures.p50Ms} ms, p99 ${figures.p99Ms} ms, max ${figures.maxMs} ms at ${options.fixedRate}/s`
    : '(no fixed-rate run: below the rate)';
  log(`${name.padEnd(14)} ${String(figures.reportsPerSecond).padStart(7)} reports/s   ${latency}   errors ${figures.errors}   rows/ack ${figures.rowsPerAck}`);
  return figures;
}

function rowsIn(file: string, table = 'reports'): number {
  const db = new Database(file, { readonly: true });
  try {
    return (db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;
  } finally {
    db.close();
  }
}

export async function benchCollector(options: Options = {}, log: (line: string) => void = (l) => process.stdout.write(l + '\n')): Promise<CollectorBench> {
  const opts: Required<Options> = {
    measureSeconds: options.measureSeconds ?? 5,
    fixedRate: options.fixedRate ?? 2_000,
    connections: options.connections ?? 50,
  };
  // Count CPUs before pinning this process to one of them.
  const cpus = os.cpus();
  const cpu = cpus[0];
  const pinned = canPin();
  const dir = mkdtempSync(path.join(os.tmpdir(), 'bench-collector-'));
  log(
    `collector bench: ${cpus.length} CPUs (${cpu?.model ?? 'unknown'}), Node ${process.version}, servers ${pinned ? 'pinned to CPU 0, load on CPU 1' : 'NOT pinned (taskset unavailable)'}`,
  );
  log(
    `${opts.connections} keep-alive connections, ${Buffer.byteLength(reportTemplate().before) + 36 + Buffer.byteLength(reportTemplate().after)}-byte Navidrome-shaped reports, ${opts.measureSeconds} s closed loop + ${opts.measureSeconds} s at ${opts.fixedRate}/s each`,
  );
  try {
    const baselineDb = path.join(dir, 'baseline.sqlite');
    const baseline = await startServer([BASELINE_SERVER], { BENCH_ROOT: root, BENCH_DB: baselineDb }, pinned);
    let baselineFigures: RunFigures;
    try {
      baselineFigures = await measure('baseline', baseline.port, () => rowsIn(baselineDb), opts, log);
    } finally {
      await stopServer(baseline.child);
    }

    const durableDb = path.join(dir, 'baseline-durable.sqlite');
    const durable = await startServer([BASELINE_SERVER], { BENCH_ROOT: root, BENCH_DB: durableDb, BENCH_SYNC: 'FULL' }, pinned);
    let durableFigures: RunFigures;
    try {
      durableFigures = await measure(
        'baseline+fsync',
        durable.port,
        () => rowsIn(durableDb),
        { ...opts, measureSeconds: Math.min(3, opts.measureSeconds) },
        log,
        false,
      );
    } finally {
      await stopServer(durable.child);
    }

    const runCollector = async (name: string, durability: 'normal' | 'full') => {
      const dataDir = path.join(dir, name);
      const args = [
        path.join(root, 'bin/candor-collector.js'),
        '--port',
        '0',
        '--data-dir',
        dataDir,
        '--durability',
        durability,
        '--trust-proxy',
        '127.0.0.1',
        '--log-level',
        'warn',
      ];
      const server = await startServer(args, {}, pinned);
      try {
        const rows = () => rowsIn(path.join(dataDir, 'collector.sqlite'));
        const figures = await measure(name, server.port, rows, opts, log);
        const url = `http://127.0.0.1:${server.port}`;
        figures.summaryFollowMs = await summariesFollow(url, 60_000);
        figures.summaryComplete = (await todayInstances(url)) === rows();
        log(
          `${''.padEnd(14)} summaries followed ${figures.summaryFollowMs === null ? 'NOT within 60 s' : `${Math.round(figures.summaryFollowMs)} ms`} after the last answer; ` +
            `today's summary counts ${figures.summaryComplete ? 'every' : 'NOT every'} stored report`,
        );
        return figures;
      } finally {
        await stopServer(server.child);
      }
    };
    const collectorFigures = await runCollector('collector', 'normal');
    const collectorFullFigures = await runCollector('collector+fsync', 'full');
    const ratio = (a: RunFigures, b: RunFigures) => round(a.reportsPerSecond / Math.max(1, b.reportsPerSecond), 2);
    const c = collectorFigures;
    const met =
      ratio(c, baselineFigures) >= TARGET_RATIO && c.p99Ms < TARGET_P99_MS && c.maxMs < TARGET_MAX_MS && c.summaryFollowMs != null && c.summaryComplete;
    log(
      `collector ${met ? 'meets' : 'MISSES'} its targets: ${ratio(c, baselineFigures)}x the baseline's reports/s at the same durability (target >= ${TARGET_RATIO}x), ` +
        `p99 ${c.p99Ms} ms (< ${TARGET_P99_MS}) and max ${c.maxMs} ms (< ${TARGET_MAX_MS}) at ${c.fixedRate}/s, summaries following; ` +
        `with fsync per batch ${ratio(collectorFullFigures, durableFigures)}x the baseline's fsync per report`,
    );
    return {
      machine: { cpus: cpus.length, model: cpu?.model ?? 'unknown', node: process.version, pinned },
      reportBytes: Buffer.byteLength(reportTemplate().before) + 36 + Buffer.byteLength(reportTemplate().after),
      connections: opts.connections,
      measureSeconds: opts.measureSeconds,
      baseline: baselineFigures,
      baselineDurable: durableFigures,
      collector: collectorFigures,
      collectorDurable: collectorFullFigures,
      targets: { ratio: TARGET_RATIO, p99Ms: TARGET_P99_MS, maxMs: TARGET_MAX_MS },
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const invokedDirectly = process.argv[1] !== undefined && existsSync(process.argv[1]) && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url);
if (invokedDirectly) {
  const result = await benchCollector();
  process.stdout.write(JSON.stringify(result, null, 2) + '\n');
}
