#!/usr/bin/env node
// Runs the bundle `npm ci` builds (scripts/build-cli.mjs, `prepare`): no TypeScript compiled at start.
import { loadBundle } from './load-bundle.js';
import { lineWriter } from './stdio.js';

const { runCli } = await loadBundle('candor');
const code = await runCli(process.argv.slice(2), {
  out: lineWriter(process.stdout),
  err: lineWriter(process.stderr),
  env: process.env,
});
process.exitCode = code;
