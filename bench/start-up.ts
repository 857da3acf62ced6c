// Start-up of the two command lines, as ratios to a bare `node -e 0` measured in the same run:
// each run of a command is paired with a run of the baseline just before or after it (the order
// alternates), and the ratio reported is the median of the pairs' ratios. The bundles are rebuilt
// first, so the sources measured are the ones on disk. `npm run bench -- start-up`.
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildCli } from '../scripts/build-cli.mjs';
import { percentile, round } from './measure';
import { candorRequests, serverProcess } from './preview';

const RUNS = Number(process.env.BENCH_STARTUP_RUNS ?? 21);
const root = path.resolve(import.meta.dirname, '..');
const CANDOR = path.join(root, 'bin/candor.js');
const COLLECTOR = path.join(root, 'bin/candor-collector.js');
const REPLAY = path.join(import.meta.dirname, 'fixtures/replay-requests.mjs');

interface Case {
  name: string;
  /** The target, as a ratio to `node -e 0`. */
  target?: number;
  /** Arguments and environment for run `i` (the preview needs a fresh server per run). */
  args: (i: number) => { argv: string[]; env?: Record<string, string>; exitCode: number };
}

export interface StartupRow {
  name: string;
  medianMs: number;
  baselineMs: number;
  ratio: number;
  p95Ratio: number;
  target?: number;
}

/** Wall time of one process from spawn to exit; fails loudly on an unexpected exit code. */
function timeProcess(argv: string[], env: Record<string, string> = {}, exitCode = 0): Promise<number> {
  return new Promise((resolve, reject) => {
    const started = performance.now();
    const child = spawn(process.execPath, argv, { env: { ...process.env, DO_NOT_TRACK: '', ...env }, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    child.once('exit', (code) => {
      const ms = performance.now() - started;
      if (code !== exitCode) reject(new Error(`node ${argv.join(' ')} exited ${code}: ${stderr}`));
      else resolve(ms);
    });
  });
}

async function paired(c: Case): Promise<StartupRow> {
  const commandMs: number[] = [];
  const baselineMs: number[] = [];
  const ratios: number[] = [];
  // One unmeasured run of each warms the page cache, as a user's second command would find it.
  const warm = c.args(-1);
  await timeProcess(['-e', '0']);
  await timeProcess(warm.argv, warm.env, warm.exitCode);
  for (let i = 0; i < RUNS; i++) {
    const { argv, env, exitCode } = c.args(i);
    const first = i % 2 === 0;
    const base1 = first ? await timeProcess(['-e', '0']) : 0;
    const command = await timeProcess(argv, env, exitCode);
    const base = first ? base1 : await timeProcess(['-e', '0']);
    commandMs.push(command);
    baselineMs.push(base);
    ratios.push(command / base);
  }
  const sorted = (xs: number[]) => [...xs].sort((a, b) => a - b);
  return {
    name: c.name,
    medianMs: round(percentile(sorted(commandMs), 50)),
    baselineMs: round(percentile(sorted(baselineMs), 50)),
    ratio: Math.round(percentile(sorted(ratios), 50) * 100) / 100,
    p95Ratio: Math.round(percentile(sorted(ratios), 95) * 100) / 100,
    ...(c.target !== undefined ? { target: c.target } : {}),
  };
}

export async function benchStartup(): Promise<StartupRow[]> {
  await buildCli();
  const home = mkdtempSync(path.join(os.tmpdir(), 'candor-bench-startup-'));
  const noServer = { CANDOR_HOME: path.join(home, 'no-server') };
  // Navidrome allows 5 sign-ins per 20 s per address: every preview gets a test server of its own,
  // run by another process so it does not share this one's event loop.
  const servers = await serverProcess(2 * RUNS + 3);
  const login = { username: 'canary-admin-alice', password: 'alice-canary-pass' };
  const requests = JSON.stringify((await candorRequests(servers.urls[2 * RUNS + 2]!, login)).map((r) => r.path));
  const withServer = (i: number) => {
    const config = path.join(home, `server-${i + 1}.toml`);
    writeFileSync(config, `[server]\nurl = "${servers.urls[i + 1]}"\nusername = "${login.username}"\npassword = "${login.password}"\n`);
    return { CANDOR_HOME: path.join(home, 'server'), CANDOR_CONFIG: config };
  };
  const cases: Case[] = [
    { name: 'candor --help', target: 1.5, args: () => ({ argv: [CANDOR, '--help'], exitCode: 0 }) },
    { name: 'candor --version', target: 1.5, args: () => ({ argv: [CANDOR, '--version'], exitCode: 0 }) },
    { name: 'candor frobnicate (bad usage)', args: () => ({ argv: [CANDOR, 'frobnicate'], exitCode: 2 }) },
    { name: 'candor status, no server', target: 3, args: () => ({ argv: [CANDOR, 'status'], env: noServer, exitCode: 0 }) },
    { name: 'candor preview, local test server', target: 4, args: (i) => ({ argv: [CANDOR, 'preview'], env: withServer(i), exitCode: 0 }) },
    {
      name: 'floor: same requests, node:http, fresh node',
      args: (i) => ({ argv: [REPLAY, servers.urls[RUNS + 2 + i]!, requests], exitCode: 0 }),
    },
    { name: 'candor-collector --help', target: 1.5, args: () => ({ argv: [COLLECTOR, '--help'], exitCode: 0 }) },
  ];
  const rows: StartupRow[] = [];
  try {
    for (const c of cases) rows.push(await paired(c));
  } finally {
    await servers.stop();
  }
  return rows;
}

export function formatStartupTable(rows: StartupRow[]): string {
  const header = ['command', 'median ms', 'node -e 0 ms', 'ratio (median of pairs)', 'p95 ratio', 'target'];
  const lines = rows.map((r) => [
    r.name,
    r.medianMs.toFixed(1),
    r.baselineMs.toFixed(1),
    `${r.ratio.toFixed(2)}x`,
    `${r.p95Ratio.toFixed(2)}x`,
    r.target === undefined ? '-' : `<= ${r.target}x ${r.ratio <= r.target ? 'met' : 'MISSED'}`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...lines.map((l) => l[i]!.length)));
  const render = (cells: string[]) =>
    cells
      .map((c, i) => c.padEnd(widths[i]!))
      .join('  ')
      .trimEnd();
  return [
    render(header),
    render(widths.map((w) => '-'.repeat(w))),
    ...lines.map(render),
    '',
    `${RUNS} pairs per command; each pair is one command run and one \`node -e 0\`, back to back.`,
  ].join('\n');
}

export async function benchStartupReport(): Promise<void> {
  console.log(formatStartupTable(await benchStartup()));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) await benchStartupReport();
