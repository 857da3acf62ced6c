#!/usr/bin/env node
// `npm test`: the static checks (both type-checks, ESLint, Prettier, the dependency check), then every
// test with Vitest. Prints how long each part took, the ten slowest test files and the whole wall
// time, so a slower suite is seen in every CI log. Exit code: the first failure's. Extra arguments go
// to Vitest (`npm test -- test/core/consent/consent.test.ts` runs one file after the checks).
//
// Measured on the 2-core VM: ESLint beside the tests, even as SCHED_IDLE, made the whole slower (the
// multi-process and browser tests wait on many processes and suffer from contention); the other
// checks beside them, as SCHED_IDLE, cost the tests less than running them first costs.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const started = performance.now();
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const results = path.join(os.tmpdir(), `candor-vitest-${process.pid}.json`);

/** How a command is run at the lowest CPU priority: SCHED_IDLE where `chrt` exists (Linux), else niceness 19. */
const IDLE = existsSync('/usr/bin/chrt') ? ['/usr/bin/chrt', '--idle', '0'] : null;

/**
 * Runs one command; its output is kept for the summary (or shown as it comes, with `live`). With
 * `idle`, it runs only on CPU time no other task wants.
 */
function run(name, command, args, { live = false, idle = false } = {}) {
  const begun = performance.now();
  return new Promise((resolve) => {
    const [file, ...rest] = idle && IDLE ? [...IDLE, command, ...args] : [command, ...args];
    const child = spawn(file, rest, { stdio: live ? 'inherit' : ['ignore', 'pipe', 'pipe'], shell: false });
    if (idle && !IDLE && child.pid) {
      try {
        os.setPriority(child.pid, 19);
      } catch {
        // Not allowed: it runs at normal priority, and only the timing differs.
      }
    }
    let output = '';
    if (!live) {
      child.stdout.on('data', (c) => (output += c));
      child.stderr.on('data', (c) => (output += c));
    }
    child.on('error', (error) => (output += `${error.message}\n`));
    child.on('close', (code) => resolve({ name, code: code ?? 1, took: performance.now() - begun, output }));
  });
}

const report = ({ name, code, took, output }) => {
  console.log(`${code === 0 ? 'ok  ' : 'FAIL'}  ${name.padEnd(22)} ${seconds(took)}`);
  if (code !== 0 && output) console.log(output.trimEnd());
};

const bin = (name) => path.join('node_modules', '.bin', name);
// Type-checks use TypeScript 7's native compiler; ESLint reads the code with TypeScript 5.9 (`typescript`),
// as typescript-eslint does not support 7 yet.
const TSC = path.join('node_modules', 'typescript7', 'bin', 'tsc');

// ESLint in two processes side by side, one per program: the browser program's files, as
// tsconfig.web.json lists them, and everything else.
const browserProgram = JSON.parse(readFileSync('tsconfig.web.json', 'utf8').replace(/^\s*\/\/.*$/gm, '')).include;
const notInBrowserProgram = browserProgram.flatMap((entry) => ['--ignore-pattern', path.extname(entry) ? entry : `${entry}/**`]);

// ESLint, the longest check by far, runs first at full speed; the other checks run from the start at
// the lowest CPU priority, filling what ESLint and then the tests leave idle. Their results are
// reported when they end, after the tests if need be.
console.log('Static checks');
const quickChecks = Promise.all([
  run('types: Node', process.execPath, [TSC, '-p', 'tsconfig.json'], { idle: true }),
  run('types: browser', process.execPath, [TSC, '-p', 'tsconfig.web.json'], { idle: true }),
  run('format (Prettier)', bin('prettier'), ['--check', '.', '--log-level', 'warn'], { idle: true }),
  run('dependencies', 'npm', ['run', '--silent', 'check:deps'], { idle: true }),
]);
const lint = await Promise.all([
  run('lint: browser code', bin('eslint'), [...browserProgram, '--max-warnings', '0']),
  run('lint: Node code', bin('eslint'), ['.', ...notInBrowserProgram, '--max-warnings', '0']),
]);
for (const part of lint) report(part);

console.log('\nTests');
const vitest = await run(
  'tests (Vitest)',
  bin('vitest'),
  ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${results}`, ...process.argv.slice(2)],
  { live: true },
);

try {
  const files = JSON.parse(readFileSync(results, 'utf8'))
    .testResults.map((f) => ({ name: path.relative(process.cwd(), f.name), took: f.endTime - f.startTime }))
    .sort((a, b) => b.took - a.took);
  console.log(`\nSlowest test files (${files.length} in all):`);
  for (const f of files.slice(0, 10)) console.log(`  ${seconds(f.took).padStart(8)}  ${f.name}`);
  rmSync(results, { force: true });
} catch {
  // No report (Vitest did not start): its own output says why.
}

report(vitest);
const quick = await quickChecks;
for (const part of quick) report(part);

const failed = [...lint, ...quick, vitest].filter((r) => r.code !== 0);
console.log(
  `\nnpm test: ${failed.length ? `FAILED (${failed.map((r) => r.name).join(', ')})` : 'passed'} in ${seconds(performance.now() - started)} wall time`,
);
process.exit(failed[0]?.code ?? 0);
