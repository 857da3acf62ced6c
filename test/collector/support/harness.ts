import { spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import http from 'node:http';
import Database from 'better-sqlite3';
import path from 'node:path';
import { afterAll, afterEach, beforeAll } from 'vitest';
import { startCollector, type DaySummary, type StartOptions, type StartedCollector, type Store } from '../../../collector/index';
import type { LogLevel, Logger } from '../../../collector/platform';
import { parseJson } from '../../support/json';
import { startCluster, type Cluster } from './postgres';

export const newId = (): string => randomUUID();

/** An instance's deletion key: the secret the agent keeps (hex) and its hash, which reports carry. */
export function newKey(): { secret: string; hash: string } {
  const secret = randomBytes(32).toString('hex');
  return { secret, hash: createHash('sha256').update(Buffer.from(secret, 'hex')).digest('hex') };
}

/** A report carrying a deletion key's hash (payload schema version 2), as Candor sends it. */
export function protectedReport(id: string, hash: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  const r = candorReport({ id, ...extra });
  return { ...r, candor: { ...(r.candor as object), schemaVersion: 2, deletionKeyHash: hash } };
}

/** An export file around the exact report bytes, made at `createdAt`, as the agent writes it. */
export function exportFileOf(reportText: string, createdAt: number): Record<string, unknown> {
  return {
    candorExport: 1,
    level: 'full',
    categories: ['application', 'system', 'library', 'config'],
    createdAt: new Date(createdAt).toISOString(),
    sha256: createHash('sha256').update(reportText).digest('hex'),
    report: reportText,
  };
}

/** DELETE /collect/{id}, with the secret when one is given. */
export const deleteReports = (url: string, id: string, key?: string): Promise<Reply> =>
  send(url, { method: 'DELETE', path: `/collect/${id}`, headers: key === undefined ? {} : { 'X-Candor-Deletion-Key': key } });

/** GET /collect/{id}, with the secret when one is given. */
export const askHeld = (url: string, id: string, key?: string): Promise<Reply> =>
  send(url, { method: 'GET', path: `/collect/${id}`, headers: key === undefined ? {} : { 'X-Candor-Deletion-Key': key } });

/** A report as Candor sends it (see shared/schema/payload.ts). */
export function candorReport(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    id: newId(),
    version: '0.58.0 (1a2b3c4d)',
    uptime: 3600,
    os: { type: 'linux', distro: 'debian', version: '12', containerized: false, arch: 'amd64', numCPU: 4 },
    mem: { sys: 120_000_000 },
    fs: { music: { type: 'ext4' }, data: { type: 'ext4' } },
    library: {
      tracks: 12_000,
      albums: 900,
      artists: 400,
      playlists: 3,
      shares: 0,
      radios: 1,
      libraries: 1,
      activeUsers: 2,
      fileSuffixes: { flac: 8000, mp3: 4000 },
    },
    config: { logLevel: 'info', enableLastFM: true, enableDownloads: false },
    candor: { agentVersion: '0.1.0', schemaVersion: 1, serverType: 'navidrome', sources: { library: 'native-api', memory: 'prometheus' } },
    ...overrides,
  };
}

export interface Reply {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

export function send(
  url: string,
  options: { method?: string; path?: string; headers?: Record<string, string>; body?: string | Buffer; localAddress?: string } = {},
): Promise<Reply> {
  const target = new URL(options.path ?? '/collect', url);
  return new Promise((resolve, reject) => {
    const req = http.request(
      target,
      {
        method: options.method ?? 'POST',
        headers: options.headers ?? {},
        agent: false,
        ...(options.localAddress ? { localAddress: options.localAddress } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      },
    );
    req.on('error', reject);
    req.end(options.body);
  });
}

export function post(url: string, report: unknown, headers: Record<string, string> = {}): Promise<Reply> {
  return send(url, { body: JSON.stringify(report), headers: { 'content-type': 'application/json', ...headers } });
}

export { raw, head } from '../../support/raw-http';

/** A refusal's body (collector/http/respond.ts): a fixed code and message, and for schema errors the field. */
export interface ErrorBody {
  error: string;
  message: string;
  path?: string;
}

/** The body of GET /api/summary. */
export interface SummaryBody {
  retentionDays: number;
  kAnonymity: number;
  days: DaySummary[];
}

/** GET /api/summary (`query`: e.g. `?days=60`), its body parsed. */
export async function getSummary(url: string, query = ''): Promise<SummaryBody> {
  return parseJson<SummaryBody>((await send(url, { method: 'GET', path: `/api/summary${query}` })).body);
}

export async function scrape(url: string): Promise<Map<string, number>> {
  const reply = await send(url, { method: 'GET', path: '/metrics' });
  // A refused scrape (a 408 when the machine stalls past a test's short head timeout) is said as such, not read as zeros.
  if (reply.status !== 200) throw new Error(`GET /metrics answered ${reply.status}: ${reply.body.slice(0, 200)}`);
  const out = new Map<string, number>();
  for (const line of reply.body.split('\n')) {
    if (!line || line.startsWith('#')) continue;
    const i = line.lastIndexOf(' ');
    out.set(line.slice(0, i), Number(line.slice(i + 1)));
  }
  return out;
}

export const rejected = (m: Map<string, number>, reason: string): number => m.get(`collector_requests_rejected_total{reason="${reason}"}`) ?? NaN;

/** Rows in the SQLite file, read through a second, read-only connection (as an operator would). */
export function sqliteRows(dataDir: string): {
  instance_id: string;
  day: number;
  received_at: number;
  writes: number;
  payload: string;
  source: string | null;
  deletion_key_hash: string | null;
}[] {
  const db = new Database(path.join(dataDir, 'collector.sqlite'), { readonly: true, fileMustExist: true });
  try {
    return db
      .prepare('SELECT instance_id, day, received_at, writes, payload, source, deletion_key_hash FROM reports ORDER BY day, instance_id, received_at')
      .all() as never;
  } finally {
    db.close();
  }
}

export function captureLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    log(level: LogLevel, message: string, fields?: Record<string, string | number | boolean | null>) {
      lines.push(`${level} ${message} ${JSON.stringify(fields ?? {})}`);
    },
  };
}

/** The real service in-process, with the address limiter opened up unless a test is about it. */
export async function testCollector(options: StartOptions = {}): Promise<StartedCollector> {
  return startCollector({ ...options, limits: { ipBurst: 1_000_000, ipRefillPerSecond: 1_000_000, ...options.limits } });
}

/** Collectors a test file starts (testCollector, with `defaults`), each closed after its test. */
export function collectorsPerTest(defaults: StartOptions = {}) {
  const running: StartedCollector[] = [];
  afterEach(async () => {
    for (const c of running.splice(0)) await c.close();
  });
  // Arrows, not methods: test files take `start` and `stop` out of the object.
  return {
    start: async (options: StartOptions = {}): Promise<StartedCollector> => {
      const c = await testCollector({ ...defaults, ...options });
      running.push(c);
      return c;
    },
    /** Closes one before the test ends (a restart). */
    stop: async (c: StartedCollector): Promise<void> => {
      running.splice(running.indexOf(c), 1);
      await c.close();
    },
  };
}

/** Makes the store wait before every commit until the returned function is called. */
export function holdCommits(store: Store): () => void {
  const original = store.writeReports.bind(store);
  let release!: () => void;
  const gate = new Promise<void>((r) => (release = r));
  store.writeReports = async (...args) => {
    await gate;
    return original(...args);
  };
  return release;
}

export interface Exited {
  code: number | null;
  stdout: string;
  stderr: string;
}

const bin = path.resolve(import.meta.dirname, '../../../bin/candor-collector.js');

/** The real `candor-collector` process, run to its exit (killed after `timeoutMs`). */
export function runCollectorCli(args: string[], timeoutMs = 20_000): Promise<Exited> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CANDOR_COLLECTOR_DATABASE_URL: '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

export interface RunningCollector {
  child: ChildProcess;
  url: string;
  exited: Promise<Exited>;
}

/** Real `candor-collector` processes a test file starts, each resolved once it printed its URL; any left running are killed after the file. */
export function collectorProcesses() {
  const children = new Set<ChildProcess>();
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
  });
  return (args: string[]): Promise<RunningCollector> =>
    new Promise((resolve, reject) => {
      const child = spawn(process.execPath, [bin, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, CANDOR_COLLECTOR_DATABASE_URL: '' } });
      children.add(child);
      let stdout = '';
      let stderr = '';
      const exited = new Promise<Exited>((done) =>
        child.on('exit', (code) => {
          children.delete(child);
          done({ code, stdout, stderr });
        }),
      );
      child.stderr.on('data', (c) => (stderr += c));
      child.stdout.on('data', (c) => {
        stdout += c;
        const m = /^listening on (http:\/\/\S+)$/m.exec(stdout);
        if (m) resolve({ child, url: m[1]!, exited });
      });
      void exited.then((e) => reject(new Error(`exited early (${e.code}): ${e.stderr}`)));
    });
}

/** The cluster of the test file that calls this: started before its tests, stopped after them; `skip` says why there is none. */
export function clusterPerFile(): { readonly cluster: Cluster | null; readonly skip: string } {
  const state: { cluster: Cluster | null; skip: string } = { cluster: null, skip: '' };
  beforeAll(async () => {
    const started = await startCluster();
    if ('skip' in started) state.skip = started.skip;
    else state.cluster = started;
  }, 90_000);
  afterAll(async () => {
    await state.cluster?.stop();
  });
  return state;
}
