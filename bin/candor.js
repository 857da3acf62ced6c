#!/usr/bin/env node
// Runs the bundle `npm ci` builds (scripts/build-cli.mjs, `prepare`): no TypeScript compiled at start.
import { loadBundle } from './load-bundle.js';

const { runCli } = await loadBundle('candor');
const code = await runCli(process.argv.slice(2), {
  out: (text) => process.stdout.write(text + '\n'),
  err: (text) => process.stderr.write(text + '\n'),
  env: process.env,
});
process.exitCode = code;
