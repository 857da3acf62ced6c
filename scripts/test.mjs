#!/usr/bin/env node
// `npm test`: the static checks (both type-checks, ESLint, Prettier, the dependency check), run side
// by side, then every test with Vitest. Prints how long each part took, the ten slowest test files
// and the whole wall time, so a slower suite is seen in every CI log. Exit code: the first failure's.
// Extra arguments go to Vitest (`npm test -- test/core/consent.test.ts` runs one file after the checks).
import { spawn } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const started = performance.now();
const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;
const results = path.join(os.tmpdir(), `candor-vitest-${process.pid}.json`);

/** Runs one command; its output is shown only if it fails (or always, with `live`). */
function run(name, command, args, { live = false } = {}) {
  const begun = performance.now();
  return new Promise((resolve) => {
    const child = spawn(command, args, { stdio: live ? 'inherit' : ['ignore', 'pipe', 'pipe'], shell: false });
    let output = '';
    if (!live) {
      child.stdout.on('data', (c) => (output += c));
      child.stderr.on('data', (c) => (output += c));
    }
    child.on('close', (code) => {
      const took = performance.now() - begun;
      console.log(`${code === 0 ? 'ok  ' : 'FAIL'}  ${name.padEnd(22)} ${seconds(took)}`);
      if (code !== 0 && output) console.log(output.trimEnd());
      resolve({ name, code: code ?? 1, took });
    });
  });
}

const bin = (name) => path.join('node_modules', '.bin', name);

console.log('Static checks');
const checks = await Promise.all([
  run('types: Node', bin('tsc'), ['-p', 'tsconfig.json', '--noEmit']),
  run('types: browser', bin('tsc'), ['-p', 'tsconfig.web.json', '--noEmit']),
  run('lint (ESLint)', bin('eslint'), ['.', '--max-warnings', '0']),
  run('format (Prettier)', bin('prettier'), ['--check', '.', '--log-level', 'warn']),
  run('dependencies', 'npm', ['run', '--silent', 'check:deps']),
]);

console.log('\nTests');
const vitest = await run(
  'tests (Vitest)',
  bin('vitest'),
  ['run', '--reporter=default', '--reporter=json', `--outputFile.json=${results}`, ...process.argv.slice(2)],
  { live: true },
);

try {
  const report = JSON.parse(readFileSync(results, 'utf8'));
  const files = report.testResults.map((f) => ({ name: path.relative(process.cwd(), f.name), took: f.endTime - f.startTime })).sort((a, b) => b.took - a.took);
  console.log(`\nSlowest test files (${files.length} in all):`);
  for (const f of files.slice(0, 10)) console.log(`  ${seconds(f.took).padStart(8)}  ${f.name}`);
  rmSync(results, { force: true });
} catch {
  // No report (Vitest did not start): its own output says why.
}

const failed = [...checks, vitest].filter((r) => r.code !== 0);
console.log(
  `\nnpm test: ${failed.length ? `FAILED (${failed.map((r) => r.name).join(', ')})` : 'passed'} in ${seconds(performance.now() - started)} wall time`,
);
process.exit(failed[0]?.code ?? 0);
