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
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Database from 'better-sqlite3';
import { summariesFollow, todayInstances } from './collector-reads';

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

/** A report in Navidrome's exact shape (about 1.3 KB), with a fresh instance id per request. */
export function reportTemplate(): { before: string; after: string } {
  const report = {
    id: '@@ID@@',
    version: '0.58.0 (734eb30a)',
    uptime: 86_412,
    build: {
      settings: { '-buildmode': 'exe', '-compiler': 'gc', '-tags': 'netgo,sqlite_fts5', CGO_ENABLED: '1', GOARCH: 'amd64', GOOS: 'linux', GOAMD64: 'v1' },
      goVersion: 'go1.24.4',
    },
    os: { type: 'linux', distro: 'alpine', version: '3.21.3', containerized: true, arch: 'amd64', numCPU: 4 },
    mem: { alloc: 48_113_232, totalAlloc: 9_811_223_408, sys: 112_452_872, numGC: 1893 },
    fs: { music: { type: 'ext2/ext3/ext4' }, data: { type: 'overlayfs' }, cache: { type: 'overlayfs' } },
    library: {
      tracks: 45_210,
      albums: 3_402,
      artists: 1_877,
      playlists: 12,
      shares: 0,
      radios: 3,
      libraries: 1,
      activeUsers: 2,
      activePlayers: { Symfonium: 2, DSub: 1 },
      fileSuffixes: { flac: 30_110, mp3: 14_900, m4a: 200 },
    },
    config: {
      logLevel: 'info',
      scannerEnabled: true,
      scannerExtractor: 'taglib',
      scanSchedule: '@every 1h',
      scanWatcherWait: 5,
      scanOnStartup: true,
      transcodingCacheSize: '100MB',
      imageCacheSize: '100MB',
      enableArtworkPrecache: true,
      enableDownloads: true,
      enableSharing: true,
      enableStarRating: true,
      enableLastFM: true,
      enableListenBrainz: true,
      enableDeezer: true,
      enableMediaFileCoverArt: true,
      coverArtQuality: 75,
      uiCoverArtSize: 300,
      enableCoverAnimation: true,
      enableNowPlaying: true,
      sessionTimeout: 172_800,
      searchBackend: 'fts',
      defaultBackgroundURL: true,
      hasSmartPlaylists: true,
    },
  };
  const [before = '', after = ''] = JSON.stringify(report).split('@@ID@@');
  return { before, after };
}

/** What simple receivers do: node:http, JSON.parse, one SQLite insert per request (no validation, no dedup). */
export const BASELINE_SERVER = `
import http from 'node:http';
import { createRequire } from 'node:module';
const require = createRequire(process.env.BENCH_ROOT + '/package.json');
const Database = require('better-sqlite3');
const db = new Database(process.env.BENCH_DB);
db.pragma('journal_mode = WAL');
db.pragma('synchronous = ' + (process.env.BENCH_SYNC || 'NORMAL'));
db.exec('CREATE TABLE IF NOT EXISTS reports (id TEXT, time INTEGER, data TEXT)');
const insert = db.prepare('INSERT INTO reports (id, time, data) VALUES (?, ?, ?)');
const server = http.createServer((req, res) => {
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    let report;
    try { report = JSON.parse(Buffer.concat(chunks).toString('utf8')); } catch { res.writeHead(400).end(); return; }
    insert.run(String(report.id), Date.now(), JSON.stringify(report));
    res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
  });
});
server.listen(0, '127.0.0.1', () => process.stdout.write('listening on http://127.0.0.1:' + server.address().port + '\\n'));
process.on('SIGTERM', () => { server.close(); db.close(); process.exit(0); });
`;

export function canPin(): boolean {
  // os.cpus(), not availableParallelism(): this process may already be pinned by an earlier suite.
  if (os.cpus().length < 2) return false;
  try {
    execFileSync('taskset', ['-cp', '1', String(process.pid)], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

export function startServer(args: string[], env: Record<string, string>, pinned: boolean): Promise<{ child: ChildProcess; port: number }> {
  const [cmd, argv] = pinned ? ['taskset', ['-c', '0', process.execPath, ...args]] : [process.execPath, args];
  const child = spawn(cmd, argv, { cwd: root, env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'inherit'] });
  return new Promise((resolve, reject) => {
    let out = '';
    child.stdout.on('data', (c) => {
      out += c;
      const m = /listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(out);
      if (m) resolve({ child, port: Number(m[1]) });
    });
    child.on('exit', (code) => reject(new Error(`server exited early (${code})`)));
  });
}

export function stopServer(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    child.removeAllListeners('exit');
    child.on('exit', () => resolve());
    child.kill('SIGTERM');
  });
}

/** One keep-alive connection that sends a request and reads the answer, with a minimal parser. */
export class Connection {
  private buffer = '';
  private pending: ((status: number) => void) | null = null;
  readonly socket: net.Socket;
  constructor(port: number) {
    this.socket = net.connect(port, '127.0.0.1');
    this.socket.setNoDelay(true);
    this.socket.setEncoding('latin1');
    this.socket.on('data', (chunk: string) => {
      this.buffer += chunk;
      for (;;) {
        const end = this.buffer.indexOf('\r\n\r\n');
        if (end < 0) return;
        const length = Number(/content-length: (\d+)/i.exec(this.buffer.slice(0, end))?.[1] ?? 0);
        if (this.buffer.length < end + 4 + length) return;
        const status = Number(this.buffer.slice(9, 12));
        this.buffer = this.buffer.slice(end + 4 + length);
        const done = this.pending;
        this.pending = null;
        done?.(status);
      }
    });
    this.socket.on('error', () => {
      const done = this.pending;
      this.pending = null;
      done?.(0);
    });
  }
  ready(): Promise<void> {
    return new Promise((resolve) => this.socket.once('connect', () => resolve()));
  }
  request(text: string): Promise<number> {
    return new Promise((resolve) => {
      this.pending = resolve;
      this.socket.write(text);
    });
  }
}

/** A report POSTed to /collect through the trusted proxy, from `address`. */
export function reportRequest(body: string, address: string): string {
  return `POST /collect HTTP/1.1\r\nHost: bench\r\nContent-Type: application/json\r\nX-Forwarded-For: ${address}\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n${body}`;
}

function requestText(template: { before: string; after: string }, address: string): string {
  return reportRequest(template.before + randomUUID() + template.after, address);
}

let addressCounter = 0;
/** A different client address per request (through the trusted proxy), as a real population would be. */
function nextAddress(): string {
  const n = addressCounter++;
  return `10.${(n >> 16) & 255}.${(n >> 8) & 255}.${n & 255}`;
}

export async function closedLoop(conns: Connection[], template: { before: string; after: string }, ms: number): Promise<{ ok: number; errors: number }> {
  return closedLoopOf(conns, () => requestText(template, nextAddress()), ms);
}

/** Every connection sends `next()` and waits for its answer, again and again, for `ms`. */
export async function closedLoopOf(conns: Connection[], next: () => string, ms: number): Promise<{ ok: number; errors: number }> {
  const end = performance.now() + ms;
  let ok = 0;
  let errors = 0;
  await Promise.all(
    conns.map(async (c) => {
      while (performance.now() < end) {
        const status = await c.request(next());
        if (status === 200) ok++;
        else errors++;
      }
    }),
  );
  return { ok, errors };
}

export interface FixedRateResult {
  ok: number;
  errors: number;
  p50: number;
  p99: number;
  max: number;
}

/**
 * `total` requests at `rate` per second, each latency measured from the moment it was due (no
 * coordinated omission: a request that waits for a free connection waits on the clock).
 */
export async function fixedRate(conns: Connection[], next: () => string, rate: number, total: number): Promise<FixedRateResult> {
  const latencies: number[] = [];
  let errors = 0;
  let ok = 0;
  const idle = [...conns];
  const waiting: number[] = [];
  const start = performance.now();
  let scheduled = 0;
  let finished = 0;
  await new Promise<void>((resolve) => {
    const fire = (conn: Connection, due: number) => {
      void conn.request(next()).then((status) => {
        latencies.push(performance.now() - due);
        if (status === 200) ok++;
        else errors++;
        finished++;
        const queued = waiting.shift();
        if (queued !== undefined) fire(conn, queued);
        else idle.push(conn);
        if (finished === total) resolve();
      });
    };
    const tick = () => {
      const now = performance.now();
      while (scheduled < total && start + (scheduled * 1000) / rate <= now) {
        const due = start + (scheduled * 1000) / rate;
        scheduled++;
        const conn = idle.pop();
        if (conn) fire(conn, due);
        else waiting.push(due);
      }
      if (scheduled < total) setTimeout(tick, 1);
    };
    tick();
  });
  latencies.sort((a, b) => a - b);
  const at = (p: number) => latencies[Math.min(latencies.length - 1, Math.ceil((p / 100) * latencies.length) - 1)] ?? NaN;
  return { ok, errors, p50: at(50), p99: at(99), max: latencies[latencies.length - 1] ?? NaN };
}

function fixedRateRun(conns: Connection[], template: { before: string; after: string }, rate: number, ms: number): Promise<FixedRateResult> {
  return fixedRate(conns, () => requestText(template, nextAddress()), rate, Math.floor((rate * ms) / 1000));
}

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

export const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

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
    const baseline = await startServer(['--input-type=module', '-e', BASELINE_SERVER], { BENCH_ROOT: root, BENCH_DB: baselineDb }, pinned);
    let baselineFigures: RunFigures;
    try {
      baselineFigures = await measure('baseline', baseline.port, () => rowsIn(baselineDb), opts, log);
    } finally {
      await stopServer(baseline.child);
    }

    const durableDb = path.join(dir, 'baseline-durable.sqlite');
    const durable = await startServer(['--input-type=module', '-e', BASELINE_SERVER], { BENCH_ROOT: root, BENCH_DB: durableDb, BENCH_SYNC: 'FULL' }, pinned);
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
